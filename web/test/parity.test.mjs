// The port against the decoder fixtures: the reference test.json and the project's own exported fixture,
// on both backends the page uses. Total absolute error <= 0.015 over all steps (scaled up for fixtures with larger logits, see src/parity.js) and argmax equal at every step.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {PianoGenie} from '../src/genie.js';
import {runFixture} from '../src/parity.js';
import {DEFAULT_MODEL_DIR, DEFAULT_SKIP, UPSTREAM_DIR, UPSTREAM_SKIP, WEB_ROOT} from './helpers/paths.mjs';
import {startServer} from '../tools/static-server.mjs';
import {useBackend} from './helpers/tf.mjs';

const MODELS = [
  {name: 'reference (../shared/upstream)', dir: UPSTREAM_DIR, skip: UPSTREAM_SKIP},
  {name: 'embedded default (engine/models/default)', dir: DEFAULT_MODEL_DIR, skip: DEFAULT_SKIP},
];

for (const model of MODELS) {
  describe(`parity with the ${model.name} fixture`, {skip: model.skip}, () => {
    let server;
    let fixture;
    before(async () => {
      server = await startServer(WEB_ROOT, {'/model/': model.dir});
      fixture = JSON.parse(readFileSync(join(model.dir, 'test.json'), 'utf8'));
    });
    after(() => server.close());

    for (const backend of ['cpu', 'wasm']) {
      test(`${backend} backend`, async () => {
        const tf = await useBackend(backend);
        const genie = await PianoGenie.load(tf, `${server.url}/model/`);
        const session = genie.session({seed: 0});
        const result = runFixture(session, fixture);
        session.dispose();
        genie.dispose();
        console.log(`${model.name} ${backend}: total abs error ${result.totalError.toExponential(3)} over ${result.steps} steps`);
        assert.ok(result.steps >= 128, `fixture has ${result.steps} steps`);
        assert.deepEqual(result.argmaxMismatches, [], 'argmax differs at these steps');
        assert.ok(result.totalError <= result.tolerance, `total abs error ${result.totalError} > ${result.tolerance}`);
      });
    }
  });
}
