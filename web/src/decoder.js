// The decoder's arithmetic in TensorFlow.js, with everything that does not change per step prepared once at load.
//
// Layout decisions, made once in fromWeights():
// - Gate order. PyTorch packs LSTM gate rows [i, f, g, o]; the kernels here are transposed to [in, out] and
//   their columns reordered to [i, f, o, g], so one sigmoid covers the three sigmoid gates and one slice takes
//   g for its tanh. The forget bias is 0 (PyTorch has none), unlike tf.basicLSTMCell's convention.
// - Input layer folded into layer 1. x1 = W_in x + b_in has no nonlinearity, so
//   W_ih1 x1 = (W_ih1 W_in) x + W_ih1 b_in exactly; the one-hot previous key then selects a row of a
//   [89, 512] table that also holds every layer-1 bias, and dt and the button value multiply two fixed rows.
// - Split step (as in the Python engine). What does not depend on the press (W_hh·h for both layers, the key
//   row, the biases) is computed by prepare() between presses; press() adds the dt and button terms and runs
//   the rest, so the press -> key path does the least work.
//
// Folding is done in float64 on the CPU before the single cast to float32, so it adds no rounding of its own.

import {DECODER_INPUT_DIM, NUM_KEYS, RNN_DIM, SOS, buttonValue} from './constants.js';

const H = RNN_DIM;
const G = 4 * RNN_DIM;
// Target column block j takes PyTorch gate block GATE_SOURCE[j]: [i, f, o, g] from [i, f, g, o].
const GATE_SOURCE = [0, 1, 3, 2];

// Source row of a target gate column.
function sourceRow(column) {
  return GATE_SOURCE[Math.floor(column / H)] * H + (column % H);
}

// A row-major [rows, G] float32 matrix whose column j is fn(sourceRow(j), row).
function gateColumns(rows, fn) {
  const out = new Float32Array(rows * G);
  for (let j = 0; j < G; j++) {
    const src = sourceRow(j);
    for (let r = 0; r < rows; r++) out[r * G + j] = fn(src, r);
  }
  return out;
}

/** The fused kernels as plain Float32Arrays (row-major), computed from the PyTorch-layout tensors. */
export function fuseWeights(w) {
  const wIn = w['dec.input.weight']; // [H, 91]
  const bIn = w['dec.input.bias'];
  const wIh1 = w['dec.lstm.weight_ih_l0']; // [G, H]
  const bias1 = new Float64Array(G);
  const folded = new Float64Array(G * DECODER_INPUT_DIM); // W_ih1 · W_in, [G, 91]
  for (let g = 0; g < G; g++) {
    let b = w['dec.lstm.bias_ih_l0'][g] + w['dec.lstm.bias_hh_l0'][g];
    for (let h = 0; h < H; h++) {
      const a = wIh1[g * H + h];
      b += a * bIn[h];
      const row = h * DECODER_INPUT_DIM;
      const out = g * DECODER_INPUT_DIM;
      for (let x = 0; x < DECODER_INPUT_DIM; x++) folded[out + x] += a * wIn[row + x];
    }
    bias1[g] = b;
  }
  const transposed = (m) => gateColumns(H, (src, r) => m[src * H + r]);
  const bias2 = gateColumns(1, (src) => w['dec.lstm.bias_ih_l1'][src] + w['dec.lstm.bias_hh_l1'][src]);
  const wOut = w['dec.output.weight']; // [K, H]
  const woutT = new Float32Array(H * NUM_KEYS);
  for (let k = 0; k < NUM_KEYS; k++) for (let h = 0; h < H; h++) woutT[h * NUM_KEYS + k] = wOut[k * H + h];
  return {
    keyTable: gateColumns(SOS + 1, (src, k) => folded[src * DECODER_INPUT_DIM + k] + bias1[src]),
    // Row 0 multiplies dt, row 1 the button value.
    dtButton: gateColumns(2, (src, r) => folded[src * DECODER_INPUT_DIM + SOS + 1 + r]),
    whh1T: transposed(w['dec.lstm.weight_hh_l0']),
    wih2T: transposed(w['dec.lstm.weight_ih_l1']),
    whh2T: transposed(w['dec.lstm.weight_hh_l1']),
    bias2,
    woutT,
    bout: Float32Array.from(w['dec.output.bias']),
  };
}

// c' = sigmoid(f) c + sigmoid(i) tanh(g); h' = sigmoid(o) tanh(c'), with z's columns in [i, f, o, g] order.
function lstmCell(tf, z, c) {
  const [i, f, o] = tf.split(tf.sigmoid(z), 4, 1);
  const g = tf.tanh(tf.slice(z, [0, 3 * H], [1, H]));
  const cNext = tf.add(tf.mul(f, c), tf.mul(i, g));
  return [tf.mul(o, tf.tanh(cNext)), cNext];
}

/** A loaded decoder: immutable fused kernels on the tfjs backend, shared by any number of sessions. */
export class Decoder {
  constructor(tf, fused) {
    this.tf = tf;
    const t = (values, shape) => tf.keep(tf.tensor(values, shape, 'float32'));
    // The wasm backend (XNNPACK) caches a packed operator per (kernel, bias) pair, so fused matMuls take only
    // these constant rank-1 biases; a per-step bias would repack the kernel on every call (~300 µs). The key
    // table is kept as one row tensor per key: slicing a row out of one [89, 512] tensor costs ~100 µs on wasm.
    this.keyRows = Array.from({length: SOS + 1}, (_, key) => t(fused.keyTable.subarray(key * G, (key + 1) * G), [G]));
    this.kernels = {
      dtButton: t(fused.dtButton, [2, G]),
      whh1T: t(fused.whh1T, [H, G]),
      wih2T: t(fused.wih2T, [H, G]),
      whh2T: t(fused.whh2T, [H, G]),
      bias2: t(fused.bias2, [G]),
      woutT: t(fused.woutT, [H, NUM_KEYS]),
      bout: t(fused.bout, [NUM_KEYS]),
    };
  }

  static fromWeights(tf, weights) {
    return new Decoder(tf, fuseWeights(weights));
  }

  /** The zero initial state {h1, c1, h2, c2}; the caller owns (and disposes) the tensors. */
  initialState() {
    const tf = this.tf;
    return {h1: tf.zeros([1, H]), c1: tf.zeros([1, H]), h2: tf.zeros([1, H]), c2: tf.zeros([1, H])};
  }

  /** Between presses: {pre1, pre2}, the layer preactivations minus the press's dt and button terms. */
  prepare(state, key) {
    const tf = this.tf;
    const k = this.kernels;
    return tf.tidy(() => ({
      pre1: tf.add(tf.matMul(state.h1, k.whh1T), this.keyRows[key]),
      pre2: tf.fused.matMul({a: state.h2, b: k.whh2T, bias: k.bias2}),
    }));
  }

  /** The press: the next state {h1, c1, h2, c2} and the logits [1, 88]; the caller owns the tensors. */
  press(state, prepared, button, dt) {
    const tf = this.tf;
    const k = this.kernels;
    return tf.tidy(() => {
      const x = tf.tensor2d([dt, buttonValue(button)], [1, 2], 'float32');
      const [h1, c1] = lstmCell(tf, tf.add(tf.matMul(x, k.dtButton), prepared.pre1), state.c1);
      const [h2, c2] = lstmCell(tf, tf.add(tf.matMul(h1, k.wih2T), prepared.pre2), state.c2);
      const logits = tf.fused.matMul({a: h2, b: k.woutT, bias: k.bout});
      return {h1, c1, h2, c2, logits};
    });
  }

  dispose() {
    this.tf.dispose([...Object.values(this.kernels), ...this.keyRows]);
    this.kernels = null;
    this.keyRows = null;
  }
}
