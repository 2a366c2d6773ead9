// The page's input and note logic, without a browser: debouncing, sliding, sustain, no hanging notes.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {BUTTON_CODES, buttonForCode} from '../src/ui/bindings.js';
import {Notes} from '../src/ui/notes.js';
import {PressTracker} from '../src/ui/press-tracker.js';
import {RANGES, keysForRange} from '../src/ui/ranges.js';

function recorder() {
  const events = [];
  return {events, on: (pitch, velocity, button) => events.push(['on', pitch, button]), off: (pitch) => events.push(['off', pitch])};
}

test('held keys are debounced and sliding moves the press', () => {
  const log = [];
  let next = 60;
  const tracker = new PressTracker({onPress: (b) => { log.push(['press', b]); return next++; }, onRelease: (t, b) => log.push(['release', t, b])});
  assert.equal(tracker.down('key:KeyA', 0), true);
  assert.equal(tracker.down('key:KeyA', 0), false); // auto-repeat
  assert.equal(tracker.down('pointer1', 3), true);
  assert.equal(tracker.down('pointer1', 4), true); // slid onto button 4
  assert.equal(tracker.up('pointer1'), true);
  assert.equal(tracker.up('pointer1'), false);
  tracker.releaseAll();
  assert.deepEqual(log, [
    ['press', 0], ['press', 3], ['release', 61, 3], ['press', 4], ['release', 62, 4], ['release', 60, 0],
  ]);
});

test('a press that throws leaves nothing held', () => {
  const tracker = new PressTracker({onPress: () => { throw new Error('model failed'); }, onRelease: () => assert.fail('released')});
  assert.throws(() => tracker.down('k', 1), /model failed/);
  assert.equal(tracker.has('k'), false);
});

test('notes: sustain defers releases, re-strikes end the old note, allOff ends everything', () => {
  const out = recorder();
  const notes = new Notes([out]);
  notes.start(60, 96, 0);
  notes.setSustain(true);
  notes.stop(60);
  assert.deepEqual(out.events, [['on', 60, 0]]);
  notes.start(60, 96, 2); // struck again while sustained
  notes.stop(60);
  notes.start(64, 96, 3);
  notes.setSustain(false); // 60 ends, 64 is still held
  notes.stop(64);
  notes.start(67, 96, 4);
  notes.allOff();
  notes.stop(67); // a late release after allOff sends nothing
  assert.deepEqual(out.events, [
    ['on', 60, 0], ['off', 60], ['on', 60, 2], ['on', 64, 3], ['off', 60], ['off', 64], ['on', 67, 4], ['off', 67],
  ]);
  // Every on is matched by an off.
  const balance = new Map();
  for (const [type, pitch] of out.events) balance.set(pitch, (balance.get(pitch) ?? 0) + (type === 'on' ? 1 : -1));
  assert.ok([...balance.values()].every((v) => v === 0));
});

test('key bindings and ranges', () => {
  assert.equal(BUTTON_CODES.length, 8);
  assert.equal(buttonForCode('Digit1'), 0);
  assert.equal(buttonForCode('KeyA'), 0);
  assert.equal(buttonForCode('Semicolon'), 7);
  assert.equal(buttonForCode('Digit8'), 7);
  assert.equal(buttonForCode('Digit9'), null);
  assert.equal(keysForRange('full'), null);
  const middle = keysForRange('middle');
  assert.equal(middle.length, 37);
  assert.equal(middle[0] + 21, RANGES.middle.low);
  assert.ok(middle.includes(60 - 21), 'middle C is in the 3-octave range');
  assert.throws(() => keysForRange('nope'), /unknown range/);
});
