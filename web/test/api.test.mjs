// The port's API: input checking, sampling, key sets, overrides, seeds, custom samplers and tensor hygiene.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {NUM_KEYS, SOS} from '../src/constants.js';
import {PianoGenie, keyMask} from '../src/genie.js';
import {startServer} from '../tools/static-server.mjs';
import {UPSTREAM_DIR, UPSTREAM_SKIP, WEB_ROOT} from './helpers/paths.mjs';
import {useBackend} from './helpers/tf.mjs';

const argmax = (v) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

function play(session, presses, options = {}) {
  return presses.map((button, i) => session.press(button, {time: i * 0.15, ...options}));
}

const PRESSES = [0, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 0, 3, 3, 4, 4];

describe('PianoGenie session API', {skip: UPSTREAM_SKIP}, () => {
  let server;
  let tf;
  let genie;
  before(async () => {
    server = await startServer(WEB_ROOT, {'/model/': UPSTREAM_DIR});
    tf = await useBackend('wasm');
    genie = await PianoGenie.load(tf, `${server.url}/model/`);
  });
  after(async () => {
    genie.dispose();
    await server.close();
  });

  test('temperature 0 picks the argmax of the logits', () => {
    const s = genie.session({seed: 1});
    for (const [i, b] of PRESSES.entries()) {
      const key = s.press(b, {time: i * 0.2, temperature: 0});
      assert.equal(key, argmax(Array.from(s.logits)));
    }
    s.dispose();
  });

  test('a seeded session plays reproducibly, and different seeds differ', () => {
    const run = (seed) => {
      const s = genie.session({seed});
      const keys = play(s, PRESSES, {temperature: 1});
      s.dispose();
      return keys;
    };
    assert.deepEqual(run(7), run(7));
    assert.notDeepEqual(run(7), run(8));
  });

  test('reset returns to the start of a performance', () => {
    const s = genie.session({seed: 3});
    const first = play(s, PRESSES, {temperature: 0});
    s.reset();
    assert.equal(s.lastKey, SOS);
    assert.deepEqual(play(s, PRESSES, {temperature: 0}), first);
    s.dispose();
  });

  test('keys restricts the choice to the allowed set at any temperature', () => {
    const s = genie.session({seed: 5});
    const allowed = [39, 41, 43, 44, 46, 48, 50, 51]; // C major around middle C
    for (const temperature of [0, 0.25, 1]) {
      for (const key of play(s, PRESSES, {temperature, keys: allowed})) assert.ok(allowed.includes(key), `key ${key}`);
    }
    const single = s.press(2, {keys: new Set([60])});
    assert.equal(single, 60);
    s.dispose();
  });

  test('from the start token, the top button gives a higher key than the bottom one', () => {
    const s = genie.session({seed: 0});
    const low = s.press(0, {time: 0, temperature: 0});
    s.reset();
    const high = s.press(7, {time: 0, temperature: 0});
    assert.ok(high > low, `button 7 -> ${high}, button 0 -> ${low}`);
    s.dispose();
  });

  test('overrides apply to the next press only', () => {
    const a = genie.session({seed: 0});
    const b = genie.session({seed: 0});
    a.press(3, {time: 0, temperature: 0});
    b.press(3, {time: 0, temperature: 0});
    // Overriding the last key with the key b actually played, and dt with b's real gap, must change nothing.
    a.overrideLastKey(b.lastKey);
    a.overrideDeltaTime(0.25);
    assert.equal(a.press(4, {time: 100, temperature: 0}), b.press(4, {time: 0.25, temperature: 0}));
    assert.deepEqual(a.logits, b.logits);
    // A different overridden key changes the logits; the following press is back to measured dt.
    a.overrideLastKey(0);
    b.press(5, {time: 0.5, temperature: 0});
    a.press(5, {time: 100.25, temperature: 0});
    assert.notDeepEqual(a.logits, b.logits);
    // An overridden dt is clipped like a measured one: 5 s behaves as 1 s, -1 s as 0 s.
    const c = genie.session({seed: 0});
    const d = genie.session({seed: 0});
    c.overrideDeltaTime(5);
    c.press(1, {time: 0, temperature: 0});
    d.overrideDeltaTime(1);
    d.press(1, {time: 0, temperature: 0});
    assert.deepEqual(c.logits, d.logits);
    for (const s of [a, b, c, d]) s.dispose();
  });

  test('a clock that runs backwards gives dt 0', () => {
    const a = genie.session({seed: 0});
    const b = genie.session({seed: 0});
    a.press(2, {time: 10, temperature: 0});
    b.press(2, {time: 10, temperature: 0});
    a.press(6, {time: 9, temperature: 0});
    b.overrideDeltaTime(0);
    b.press(6, {time: 10, temperature: 0});
    assert.deepEqual(a.logits, b.logits);
    a.dispose();
    b.dispose();
  });

  test('a custom sampler sees the raw logits and its choice is checked', () => {
    const s = genie.session({seed: 0});
    let seen = null;
    s.sampleWith((logits, temperature, rng) => {
      seen = {logits: Array.from(logits), temperature, u: rng.random()};
      return 10;
    });
    assert.equal(s.press(1, {time: 0, temperature: 0.5}), 10);
    assert.equal(seen.temperature, 0.5);
    assert.deepEqual(seen.logits, Array.from(s.logits));
    assert.ok(seen.u > 0 && seen.u < 1);
    const before = {key: s.lastKey, logits: s.logits};
    s.sampleWith(() => 200);
    assert.throws(() => s.press(1, {time: 1}), /key must be an integer 0..87/);
    s.sampleWith(() => 11);
    assert.throws(() => s.press(1, {time: 1, keys: [12]}), /outside the allowed key set/);
    s.sampleWith(() => { throw new Error('sampler broke'); });
    assert.throws(() => s.press(1, {time: 1}), /sampler broke/);
    assert.equal(s.lastKey, before.key);
    assert.deepEqual(s.logits, before.logits);
    s.sampleWith(null);
    assert.ok(Number.isInteger(s.press(1, {time: 1})));
    assert.throws(() => s.sampleWith(42), /sampler must be a function/);
    s.dispose();
  });

  test('bad input throws a clear RangeError and leaves the state unchanged', () => {
    const s = genie.session({seed: 0});
    const ref = genie.session({seed: 0});
    s.press(3, {time: 0, temperature: 0});
    ref.press(3, {time: 0, temperature: 0});
    const bad = [
      [() => s.press(8), /button must be an integer 0..7/],
      [() => s.press(-1), /button/],
      [() => s.press(2.5), /button/],
      [() => s.press('3'), /button/],
      [() => s.press(1, {temperature: 1.5}), /temperature must be a number in \[0, 1\]/],
      [() => s.press(1, {temperature: -0.1}), /temperature/],
      [() => s.press(1, {temperature: NaN}), /temperature/],
      [() => s.press(1, {time: NaN}), /time must be a finite number/],
      [() => s.press(1, {time: Infinity}), /time/],
      [() => s.press(1, {keys: []}), /key set is empty/],
      [() => s.press(1, {keys: [88]}), /key must be an integer 0..87/],
      [() => s.press(1, {keys: [3.5]}), /key must be/],
      [() => s.press(1, {keys: 5}), /iterable/],
      [() => s.overrideLastKey(89), /key must be an integer 0..88/],
      [() => s.overrideDeltaTime(NaN), /dt must be a finite number/],
      [() => genie.session({seed: -1}), /seed/],
    ];
    for (const [fn, message] of bad) assert.throws(fn, (err) => err instanceof RangeError && message.test(err.message));
    assert.equal(s.press(5, {time: 0.3, temperature: 0}), ref.press(5, {time: 0.3, temperature: 0}));
    assert.deepEqual(s.logits, ref.logits);
    s.dispose();
    ref.dispose();
  });

  test('keyMask', () => {
    assert.deepEqual(Array.from(keyMask(null)), new Array(NUM_KEYS).fill(0));
    const m = keyMask([0, 87]);
    assert.equal(m[0], 0);
    assert.equal(m[87], 0);
    assert.equal(m[40], -Infinity);
  });
});

for (const backend of ['cpu', 'wasm']) {
  describe(`tensor hygiene on the ${backend} backend`, {skip: UPSTREAM_SKIP}, () => {
    let server;
    before(async () => {
      server = await startServer(WEB_ROOT, {'/model/': UPSTREAM_DIR});
    });
    after(() => server.close());

    test('tf.memory() is unchanged over 1,000 presses and resets, and everything is freed on dispose', async () => {
      const tf = await useBackend(backend);
      const empty = tf.memory();
      const genie = await PianoGenie.load(tf, `${server.url}/model/`);
      const session = genie.session({seed: 0});
      session.press(0, {time: 0});
      const steady = tf.memory();
      const allowed = [39, 40, 41, 42, 43, 44];
      for (let i = 0; i < 1000; i++) {
        session.press(i % 8, {time: i * 0.1, temperature: (i % 5) / 4, keys: i % 3 === 0 ? allowed : null});
        if (i % 97 === 0) session.reset();
        if (i % 13 === 0) session.overrideLastKey(i % 89);
        if (i % 2 === 0) session.prepare();
        // A bad press in between must not leak either.
        if (i % 101 === 0) assert.throws(() => session.press(9));
      }
      session.reset();
      session.press(0, {time: 0});
      const end = tf.memory();
      assert.equal(end.numTensors, steady.numTensors, 'numTensors changed');
      assert.equal(end.numBytes, steady.numBytes, 'numBytes changed');
      session.dispose();
      genie.dispose();
      assert.equal(tf.memory().numTensors, empty.numTensors, 'tensors left after dispose');
      assert.equal(tf.memory().numBytes, empty.numBytes, 'bytes left after dispose');
    });
  });
}
