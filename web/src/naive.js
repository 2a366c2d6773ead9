// The straightforward port, for the benchmark only: the reference tutorial's approach, where every step
// rebuilds each LSTM layer's kernel (concat of W_ih and W_hh, then transpose) and summed bias, runs the input
// layer on a one-hot vector, and samples from a softmax computed with tf ops. It computes the same function as
// decoder.js, which the benchmark page checks before timing either.

import {DECODER_TENSORS, NUM_KEYS, RNN_DIM, RNN_LAYERS, SOS, buttonValue} from './constants.js';

export class NaiveGenie {
  constructor(tf, weights) {
    this.tf = tf;
    this.params = {};
    for (const [name, values] of Object.entries(weights)) this.params[name] = tf.tensor(values, DECODER_TENSORS[name]);
    this.state = null;
    this.lastKey = SOS;
  }

  reset() {
    if (this.state) this.tf.dispose(this.state);
    this.state = null;
    this.lastKey = SOS;
  }

  // One LSTM layer, PyTorch gate order [i, f, g, o], with the kernel rebuilt from the raw tensors each call.
  _layer(l, x, c, h) {
    const tf = this.tf;
    const p = this.params;
    const kernel = tf.transpose(tf.concat([p[`dec.lstm.weight_ih_l${l}`], p[`dec.lstm.weight_hh_l${l}`]], 1));
    const bias = tf.add(p[`dec.lstm.bias_ih_l${l}`], p[`dec.lstm.bias_hh_l${l}`]);
    const z = tf.add(tf.matMul(tf.concat([x, h], 1), kernel), bias);
    const [i, f, g, o] = tf.split(z, 4, 1);
    const cNext = tf.add(tf.mul(tf.sigmoid(i), tf.tanh(g)), tf.mul(c, tf.sigmoid(f)));
    return [cNext, tf.mul(tf.tanh(cNext), tf.sigmoid(o))];
  }

  /** -> {key, logits: Float32Array} */
  press(button, dt, temperature) {
    const tf = this.tf;
    const p = this.params;
    const previous = this.state ?? {c: [], h: []};
    const out = tf.tidy(() => {
      const zeros = tf.zeros([1, RNN_DIM]);
      let x = tf.concat([
        tf.cast(tf.oneHot(tf.tensor1d([this.lastKey], 'int32'), SOS + 1), 'float32'),
        tf.tensor2d([[dt]]),
        tf.tensor2d([[buttonValue(button)]]),
      ], 1);
      x = tf.add(tf.matMul(x, p['dec.input.weight'], false, true), p['dec.input.bias']);
      const c = [];
      const h = [];
      for (let l = 0; l < RNN_LAYERS; l++) {
        const [cl, hl] = this._layer(l, x, previous.c[l] ?? zeros, previous.h[l] ?? zeros);
        c.push(cl);
        h.push(hl);
        x = hl;
      }
      const logits = tf.squeeze(tf.add(tf.matMul(x, p['dec.output.weight'], false, true), p['dec.output.bias']));
      // tf.multinomial would be the tutorial's choice, but the cpu backend's UMD build cannot run it
      // (its bundled seedrandom lacks alea), so the softmax comes back and is sampled here.
      const probs = temperature === 0 ? tf.oneHot(tf.argMax(logits), NUM_KEYS) : tf.softmax(tf.div(logits, temperature));
      return {c, h, logits, probs};
    });
    const probs = out.probs.dataSync();
    let key = 0;
    for (let u = Math.random(); key < NUM_KEYS - 1 && u >= probs[key]; key++) u -= probs[key];
    const logits = out.logits.dataSync().slice();
    tf.dispose([out.probs, out.logits]);
    if (this.state) tf.dispose(this.state);
    this.state = {c: out.c, h: out.h};
    this.lastKey = key;
    return {key, logits};
  }

  dispose() {
    this.reset();
    this.tf.dispose(Object.values(this.params));
  }
}
