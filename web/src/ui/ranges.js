// The playable ranges offered on the page. The model may only choose keys inside the chosen range (the
// session's key-set restriction), and the key display shows just that range.
import {LOWEST_PITCH, NUM_KEYS, pitchToKey} from '../constants.js';

export const RANGES = Object.freeze({
  full: {label: '88 keys', low: LOWEST_PITCH, high: LOWEST_PITCH + NUM_KEYS - 1},
  // Three octaves around middle C (MIDI 60): C3 to C6.
  middle: {label: '3 octaves (C3–C6)', low: 48, high: 84},
});

/** The allowed key indices for a range, or null when it is the whole keyboard (no restriction). */
export function keysForRange(name) {
  const range = RANGES[name];
  if (!range) throw new RangeError(`unknown range ${name}`);
  if (range.low === LOWEST_PITCH && range.high === LOWEST_PITCH + NUM_KEYS - 1) return null;
  const keys = [];
  for (let pitch = range.low; pitch <= range.high; pitch++) keys.push(pitchToKey(pitch));
  return keys;
}
