// Bad model directories give one clear ModelError naming the file and the tensor.
import assert from 'node:assert/strict';
import {copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {PianoGenie} from '../src/genie.js';
import {ModelError} from '../src/model.js';
import {startServer} from '../tools/static-server.mjs';
import {UPSTREAM_DIR, UPSTREAM_SKIP} from './helpers/paths.mjs';
import {useBackend} from './helpers/tf.mjs';

describe('model loading', {skip: UPSTREAM_SKIP}, () => {
  let dir;
  let server;
  let tf;
  const manifest = () => JSON.parse(readFileSync(join(UPSTREAM_DIR, 'weights_manifest.json'), 'utf8'));
  // A scratch copy of the reference model (test data only, deleted afterwards) that each case breaks.
  const fresh = () => {
    for (const name of ['weights_manifest.json', 'group1-shard1of1.bin', 'cfg.json']) copyFileSync(join(UPSTREAM_DIR, name), join(dir, name));
  };
  const load = () => PianoGenie.load(tf, `${server.url}/`);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pianogenie-model-'));
    server = await startServer(dir);
    tf = await useBackend('cpu');
  });
  after(async () => {
    await server.close();
    rmSync(dir, {recursive: true, force: true});
  });

  const cases = [
    ['a missing manifest', () => rmSync(join(dir, 'weights_manifest.json')), /weights_manifest\.json: cannot be fetched \(HTTP 404\)/],
    ['a manifest that is not JSON', () => writeFileSync(join(dir, 'weights_manifest.json'), '[{'), /weights_manifest\.json: is not valid JSON/],
    ['a missing tensor', () => {
      const m = manifest();
      m[0].weights = m[0].weights.filter((w) => w.name !== 'dec.lstm.weight_hh_l1');
      writeFileSync(join(dir, 'weights_manifest.json'), JSON.stringify(m));
    }, /\[tensor 'dec\.lstm\.weight_hh_l1'\]: required decoder tensor is missing/],
    ['a wrong shape', () => {
      const m = manifest();
      m[0].weights[0].shape = [91, 128];
      writeFileSync(join(dir, 'weights_manifest.json'), JSON.stringify(m));
    }, /\[tensor 'dec\.input\.weight'\]: shape \[91,128\] does not match the decoder's \[128,91\]/],
    ['a float16 tensor', () => {
      const m = manifest();
      m[0].weights[2].dtype = 'float16';
      writeFileSync(join(dir, 'weights_manifest.json'), JSON.stringify(m));
    }, /\[tensor 'dec\.lstm\.weight_ih_l0'\]: dtype "float16" is not supported/],
    ['a truncated shard', () => {
      const bytes = readFileSync(join(dir, 'group1-shard1of1.bin'));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), bytes.subarray(0, bytes.length - 4));
    }, /group1-shard1of1\.bin: shards hold 1149276 bytes but weights_manifest\.json group 0 describes 1149280/],
    ['a missing shard', () => rmSync(join(dir, 'group1-shard1of1.bin')), /group1-shard1of1\.bin: shard listed in weights_manifest\.json is missing/],
    ['a shard path outside the directory', () => {
      const m = manifest();
      m[0].paths = ['../elsewhere.bin'];
      writeFileSync(join(dir, 'weights_manifest.json'), JSON.stringify(m));
    }, /shard path "\.\.\/elsewhere\.bin" must be a relative file name/],
    ['a NaN weight', () => {
      const bytes = readFileSync(join(dir, 'group1-shard1of1.bin'));
      bytes.writeFloatLE(NaN, 4 * 10);
      writeFileSync(join(dir, 'group1-shard1of1.bin'), bytes);
    }, /\[tensor 'dec\.input\.weight'\]: holds a NaN or infinite value at flat index 10/],
    ['a config for another model size', () => {
      const cfg = JSON.parse(readFileSync(join(dir, 'cfg.json'), 'utf8'));
      cfg.model_rnn_dim = 256;
      writeFileSync(join(dir, 'cfg.json'), JSON.stringify(cfg));
    }, /cfg\.json: model_rnn_dim is 256, but this port implements 128/],
    ['a missing config', () => rmSync(join(dir, 'cfg.json')), /cfg\.json: cannot be fetched \(HTTP 404\)/],
  ];

  for (const [name, breakIt, message] of cases) {
    test(`${name} is reported by name`, async () => {
      fresh();
      breakIt();
      const tensorsBefore = tf.memory().numTensors;
      await assert.rejects(load(), (err) => err instanceof ModelError && message.test(err.message));
      assert.equal(tf.memory().numTensors, tensorsBefore, 'a failed load leaked tensors');
    });
  }

  test('the intact copy loads', async () => {
    fresh();
    const genie = await load();
    genie.dispose();
  });
});
