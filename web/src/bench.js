// The benchmark page: per-press latency of the port on the wasm and cpu backends, next to the naive port
// (kernels rebuilt every step, as in the reference tutorial), in the same page and the same run.
// Results go to <pre id="results"> and window.benchResults; tools/bench.mjs drives it in headless Chromium.

import {NUM_BUTTONS} from './constants.js';
import {initTf} from './browser-tf.js';
import {PianoGenie} from './genie.js';
import {loadModel} from './model.js';
import {NaiveGenie} from './naive.js';

const MODEL_URL = 'model/';
const TEMPERATURE = 0.25;
const params = new URLSearchParams(location.search);
const PRESSES = Number(params.get('presses') ?? 2000);
const WARMUP = 200;
const PARITY_STEPS = 64;
const PARITY_TOLERANCE = 1e-3; // per step, total absolute logit difference between the two ports

function stats(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return {n: sorted.length, p50_ms: at(0.5), p99_ms: at(0.99), mean_ms: sorted.reduce((a, b) => a + b, 0) / sorted.length};
}

// A fixed pseudo-random press sequence shared by both ports.
function pressSequence(n) {
  let s = 12345;
  return Array.from({length: n}, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 16) % NUM_BUTTONS;
  });
}

// The two ports must compute the same thing before their speeds are compared.
function checkSameFunction(genie, naive) {
  const session = genie.session({seed: 0});
  naive.reset();
  let worst = 0;
  for (const [i, button] of pressSequence(PARITY_STEPS).entries()) {
    const key = session.press(button, {time: i * 0.1, temperature: 0});
    const ref = naive.press(button, i === 0 ? 1 : 0.1, 0);
    const diff = session.logits.reduce((sum, v, k) => sum + Math.abs(v - ref.logits[k]), 0);
    worst = Math.max(worst, diff);
    if (key !== ref.key) throw new Error(`ports disagree at step ${i}: key ${key} vs ${ref.key}`);
  }
  session.dispose();
  naive.reset();
  if (worst > PARITY_TOLERANCE) throw new Error(`ports disagree: logit difference ${worst} at one step`);
  return worst;
}

function timeFast(genie, presses) {
  const session = genie.session({seed: 1});
  const pressMs = [];
  const fullMs = [];
  let time = 0;
  for (const [i, button] of presses.entries()) {
    time += 0.1;
    const t0 = performance.now();
    session.press(button, {time, temperature: TEMPERATURE});
    const t1 = performance.now();
    session.prepare();
    const t2 = performance.now();
    if (i >= WARMUP) {
      pressMs.push(t1 - t0);
      fullMs.push(t2 - t0);
    }
  }
  session.dispose();
  return {press: stats(pressMs), full: stats(fullMs)};
}

function timeNaive(naive, presses) {
  naive.reset();
  const ms = [];
  for (const [i, button] of presses.entries()) {
    const t0 = performance.now();
    naive.press(button, 0.1, TEMPERATURE);
    if (i >= WARMUP) ms.push(performance.now() - t0);
  }
  naive.reset();
  return {full: stats(ms)};
}

async function benchBackend(tf, backend, weights) {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  const genie = await PianoGenie.load(tf, MODEL_URL);
  const naive = new NaiveGenie(tf, weights);
  const maxLogitDiff = checkSameFunction(genie, naive);
  const presses = pressSequence(PRESSES + WARMUP);
  const fast = timeFast(genie, presses);
  const slow = timeNaive(naive, presses);
  genie.dispose();
  naive.dispose();
  return {
    backend,
    max_logit_diff_vs_naive: maxLogitDiff,
    port_press: fast.press,
    port_full: fast.full,
    naive: slow.full,
    speedup_p50_full_vs_naive: slow.full.p50_ms / fast.full.p50_ms,
    speedup_p50_press_vs_naive: slow.full.p50_ms / fast.press.p50_ms,
  };
}

async function main() {
  const out = document.querySelector('#results');
  try {
    const tf = await initTf('cpu'); // the same set-up as the page; each backend is selected below
    const {weights} = await loadModel(tf, MODEL_URL);
    const results = {
      presses: PRESSES, warmup: WARMUP, temperature: TEMPERATURE,
      user_agent: navigator.userAgent, cross_origin_isolated: globalThis.crossOriginIsolated === true,
      backends: [],
    };
    for (const backend of (params.get('backends') ?? 'wasm,cpu').split(',')) {
      out.textContent = `running ${backend}…`;
      results.backends.push(await benchBackend(tf, backend, weights));
    }
    globalThis.benchResults = results;
    out.textContent = JSON.stringify(results, null, 2);
  } catch (err) {
    globalThis.benchResults = {error: err.message};
    out.textContent = `error: ${err.message}`;
  }
}

main();
