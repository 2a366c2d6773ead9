// Runs a decoder fixture (test.json: input_keys, input_dts, input_buttons, output_logits) through a session,
// teacher-forced through the overrides, and measures how far the logits are from the fixture's.
// Used by the node tests and by the page's own parity check.

import {NUM_KEYS} from './constants.js';

// Total absolute error over the whole fixture. float32 rounding grows with the size of the logits, so the bound
// is set per unit of logit: 0.015 over the tutorial's fixture (sum of |logits| 68,303), and never less than 0.015.
// The default model's logits are 1.7x larger (sum 113,252), and its cpu-backend error grows with them (0.0165).
export const PARITY_TOLERANCE = 0.015;
const TOLERANCE_PER_LOGIT = PARITY_TOLERANCE / 68_303;

/** The bound on the total absolute error for one fixture. */
export function parityTolerance(fixture) {
  let size = 0;
  for (const row of fixture.output_logits) for (const v of row) size += Math.abs(v);
  return Math.max(PARITY_TOLERANCE, TOLERANCE_PER_LOGIT * size);
}

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function checkFixture(fixture) {
  const fields = ['input_keys', 'input_dts', 'input_buttons', 'output_logits'];
  for (const field of fields) {
    if (!Array.isArray(fixture?.[field])) throw new Error(`fixture field '${field}' is missing or not a list`);
  }
  const steps = fixture.input_keys.length;
  if (steps === 0 || fields.some((f) => fixture[f].length !== steps)) throw new Error('fixture fields differ in length');
  if (fixture.output_logits.some((row) => row.length !== NUM_KEYS)) throw new Error(`fixture logits must have ${NUM_KEYS} values per step`);
  return steps;
}

/** -> {steps, totalError, maxStepError, argmaxMismatches: [step indices], pass} */
export function runFixture(session, fixture) {
  const steps = checkFixture(fixture);
  session.reset();
  let totalError = 0;
  let maxStepError = 0;
  const argmaxMismatches = [];
  for (let i = 0; i < steps; i++) {
    session.overrideLastKey(fixture.input_keys[i]);
    session.overrideDeltaTime(fixture.input_dts[i]);
    session.press(fixture.input_buttons[i], {time: 0, temperature: 0});
    const logits = session.logits;
    const expected = fixture.output_logits[i];
    let stepError = 0;
    for (let k = 0; k < NUM_KEYS; k++) stepError += Math.abs(logits[k] - expected[k]);
    totalError += stepError;
    maxStepError = Math.max(maxStepError, stepError);
    if (argmax(logits) !== argmax(expected)) argmaxMismatches.push(i);
  }
  session.reset();
  const tolerance = parityTolerance(fixture);
  return {steps, totalError, maxStepError, argmaxMismatches, tolerance,
    pass: totalError <= tolerance && argmaxMismatches.length === 0};
}
