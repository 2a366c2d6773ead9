// Where the tests find things: the web root, the reference files in ../shared/upstream (test data only, never
// shipped) and the project's own embedded default model.
import {existsSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_ROOT = resolve(WEB_ROOT, '..');
export const UPSTREAM_DIR = resolve(REPO_ROOT, '..', 'shared', 'upstream');
export const DEFAULT_MODEL_DIR = join(REPO_ROOT, 'engine', 'models', 'default');

export const hasModel = (dir) => existsSync(join(dir, 'weights_manifest.json'));
export const UPSTREAM_SKIP = hasModel(UPSTREAM_DIR) ? false : `reference files absent: ${UPSTREAM_DIR}`;
export const DEFAULT_SKIP = hasModel(DEFAULT_MODEL_DIR) && existsSync(join(DEFAULT_MODEL_DIR, 'test.json'))
  ? false
  : `the embedded default model and its fixture are not there yet: ${DEFAULT_MODEL_DIR}`;
