// The public API, mirroring the Python engine (engine/genie.py) and @magenta/music's PianoGenie:
//   const genie = await PianoGenie.load(tf, 'model/');
//   const session = genie.session({seed: 1});
//   const key = session.press(button, {time, temperature, keys});   // 0..87; MIDI pitch = key + 21
// Sampling is Gumbel-max: argmax(logits + temperature * gumbel + mask), which draws from softmax(logits / T)
// for T > 0 and is exactly argmax at T = 0, with the key-set mask applied before either.

import {DEFAULT_TEMPERATURE, DT_MAX, NUM_BUTTONS, NUM_KEYS, SOS} from './constants.js';
import {Decoder} from './decoder.js';
import {loadModel} from './model.js';
import {Rng} from './rng.js';

function checkButton(button) {
  if (!Number.isInteger(button) || button < 0 || button >= NUM_BUTTONS) {
    throw new RangeError(`button must be an integer 0..${NUM_BUTTONS - 1}, got ${String(button)}`);
  }
  return button;
}

function checkTemperature(temperature) {
  if (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 1)) {
    throw new RangeError(`temperature must be a number in [0, 1], got ${String(temperature)}`);
  }
  return temperature;
}

function checkSeconds(value, what) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${what} must be a finite number of seconds, got ${String(value)}`);
  }
  return value;
}

function checkKey(key, allowSos = false) {
  const top = allowSos ? SOS : NUM_KEYS - 1;
  if (!Number.isInteger(key) || key < 0 || key > top) {
    throw new RangeError(`key must be an integer 0..${top}, got ${String(key)}`);
  }
  return key;
}

/** 0 for allowed keys and -Infinity for the rest; null allows all 88. */
export function keyMask(keys) {
  const mask = new Float32Array(NUM_KEYS);
  if (keys === null || keys === undefined) return mask;
  if (typeof keys[Symbol.iterator] !== 'function') throw new RangeError('keys must be an iterable of key indices or null');
  const allowed = Array.from(keys, (k) => checkKey(k));
  if (allowed.length === 0) throw new RangeError('the key set is empty: allow at least one key (0..87), or pass null for all');
  mask.fill(-Infinity);
  for (const k of allowed) mask[k] = 0;
  return mask;
}

const WARMUP_PRESSES = 64;
const clipDt = (dt) => Math.min(Math.max(dt, 0), DT_MAX);
const nowSeconds = () => globalThis.performance.now() / 1000;

export class PianoGenie {
  constructor(tf, decoder, cfg) {
    this.tf = tf;
    this.decoder = decoder;
    this.cfg = cfg;
  }

  /** Loads and validates the model directory at `url`, then warms it up so the first press is as fast as the rest. */
  static async load(tf, url, options = {}) {
    const {weights, cfg} = await loadModel(tf, url, options);
    const genie = new PianoGenie(tf, Decoder.fromWeights(tf, weights), cfg);
    // Enough presses for V8 to optimise the step and for XNNPACK to build its cached operators.
    const warm = genie.session({seed: 0});
    for (let step = 0; step < WARMUP_PRESSES; step++) {
      warm.press(step % NUM_BUTTONS, {time: step * 0.1, temperature: 0.5 * (step % 2), keys: step % 3 ? null : [step % NUM_KEYS]});
      warm.prepare();
    }
    warm.dispose();
    return genie;
  }

  /** One performer's independent state. */
  session({seed = null} = {}) {
    return new Session(this, seed);
  }

  dispose() {
    this.decoder.dispose();
  }
}

export class Session {
  constructor(genie, seed = null) {
    this.genie = genie;
    this.tf = genie.tf;
    this.decoder = genie.decoder;
    this.rng = new Rng(seed);
    this._logits = new Float32Array(NUM_KEYS);
    this._noise = new Float32Array(NUM_KEYS);
    this._sampler = null;
    this._state = null;
    this._prepared = null;
    this.reset();
  }

  /** The last press's 88 logits (a copy). */
  get logits() {
    return this._logits.slice();
  }

  /** The key the next press sees as the previous one (88, the start token, after a reset). */
  get lastKey() {
    return this._lastKey;
  }

  /** Back to the start of a performance: zero state, start token, no previous press time. */
  reset() {
    this._disposeState();
    this._state = this.decoder.initialState();
    this._lastKey = SOS;
    this._lastTime = null;
    this._overrideDt = null;
    this._logits.fill(0);
    this._noiseFresh = false;
    this.prepare();
  }

  /** The next press sees `key` (0..87, or 88 for the start token) as the previous one. */
  overrideLastKey(key) {
    this._lastKey = checkKey(key, true);
    this._dropPrepared();
  }

  /** The next press uses `dt` seconds (clipped to [0, 1]) instead of the measured gap. */
  overrideDeltaTime(dt) {
    this._overrideDt = clipDt(checkSeconds(dt, 'dt'));
  }

  /** fn(logits: Float32Array[88], temperature, rng) -> key chooses keys; null restores Gumbel-max sampling. */
  sampleWith(fn) {
    if (fn !== null && typeof fn !== 'function') throw new RangeError('sampler must be a function or null');
    this._sampler = fn;
  }

  /** Does the work that does not depend on the next press. press() does it itself when needed, so calling this
   * (right after the note is sent) only moves time off the press -> key path. */
  prepare() {
    if (this._prepared === null) this._prepared = this.decoder.prepare(this._state, this._lastKey);
    if (!this._noiseFresh) {
      this.rng.gumbel(this._noise);
      this._noiseFresh = true;
    }
  }

  /**
   * Press a button (0..7) and get a key (0..87). time: seconds on any clock (default: performance.now());
   * temperature in [0, 1], 0 = argmax; keys: allowed key indices (null = all). Bad input throws RangeError and
   * changes nothing.
   */
  press(button, {time = null, temperature = DEFAULT_TEMPERATURE, keys = null} = {}) {
    checkButton(button);
    checkTemperature(temperature);
    const now = time === null ? nowSeconds() : checkSeconds(time, 'time');
    const mask = keyMask(keys);
    let dt;
    if (this._overrideDt !== null) dt = this._overrideDt;
    else if (this._lastTime === null) dt = DT_MAX;
    else dt = clipDt(now - this._lastTime);
    this.prepare();
    const next = this.decoder.press(this._state, this._prepared, button, dt);
    let key;
    try {
      const logits = next.logits.dataSync();
      key = this._sampler === null
        ? this._gumbelMax(logits, temperature, mask)
        : this._customKey(Float32Array.from(logits), temperature, mask);
      this._logits.set(logits);
    } catch (err) {
      this.tf.dispose(Object.values(next));
      throw err;
    }
    this.tf.dispose([next.logits, ...Object.values(this._state)]);
    this._state = {h1: next.h1, c1: next.c1, h2: next.h2, c2: next.c2};
    this._dropPrepared();
    this._lastKey = key;
    this._lastTime = now;
    this._overrideDt = null;
    this._noiseFresh = false;
    return key;
  }

  _gumbelMax(logits, temperature, mask) {
    let best = -1;
    let bestScore = -Infinity;
    for (let k = 0; k < NUM_KEYS; k++) {
      const score = logits[k] + temperature * this._noise[k] + mask[k];
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    return best;
  }

  _customKey(logits, temperature, mask) {
    const key = checkKey(this._sampler(logits, temperature, this.rng));
    if (mask[key] !== 0) throw new RangeError(`sampler returned key ${key}, which is outside the allowed key set`);
    return key;
  }

  _dropPrepared() {
    if (this._prepared !== null) this.tf.dispose(Object.values(this._prepared));
    this._prepared = null;
  }

  _disposeState() {
    this._dropPrepared();
    if (this._state !== null) this.tf.dispose(Object.values(this._state));
    this._state = null;
  }

  /** Frees this session's tensors; the session cannot be used afterwards. */
  dispose() {
    this._disposeState();
  }
}
