// Runs bench.html in headless Chromium and prints per-press latency of the port and of the naive port on the
// wasm and cpu backends.   node web/tools/bench.mjs --model DIR [--presses N] [--backends wasm,cpu] [--json]
import {parseArgs} from 'node:util';
import {dirname, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

import {openContext} from '../test/helpers/browser.mjs';
import {startServer} from './static-server.mjs';

const WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const {values: args} = parseArgs({options: {
  model: {type: 'string'}, presses: {type: 'string', default: '2000'}, backends: {type: 'string', default: 'wasm,cpu'},
  json: {type: 'boolean', default: false},
}});
if (!args.model) {
  console.error('usage: bench.mjs --model DIR [--presses N] [--backends wasm,cpu] [--json]');
  process.exit(2);
}

const server = await startServer(WEB_ROOT, {'/model/': resolve(args.model)});
const browser = await openContext();
let results;
try {
  const page = browser.context.pages()[0] ?? await browser.context.newPage();
  await page.goto(`${server.url}/bench.html?presses=${Number(args.presses)}&backends=${args.backends}`);
  await page.waitForFunction(() => globalThis.benchResults, null, {timeout: 0, polling: 500});
  results = await page.evaluate(() => globalThis.benchResults);
} finally {
  await browser.close();
  await server.close();
}
if (results.error) {
  console.error(`benchmark failed: ${results.error}`);
  process.exit(1);
}
if (args.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const us = (ms) => `${(ms * 1000).toFixed(0)} µs`.padStart(9);
  console.log(`${results.user_agent}\ncross-origin isolated: ${results.cross_origin_isolated}; ${results.presses} timed presses per row, temperature ${results.temperature}`);
  console.log('backend  what                                  p50        p99       mean');
  for (const r of results.backends) {
    const row = (what, s) => console.log(`${r.backend.padEnd(8)} ${what.padEnd(34)} ${us(s.p50_ms)} ${us(s.p99_ms)} ${us(s.mean_ms)}`);
    row('port: press -> key', r.port_press);
    row('port: full press (press + prepare)', r.port_full);
    row('naive (kernels rebuilt per step)', r.naive);
    console.log(`${r.backend.padEnd(8)} naive / port full p50: ${r.speedup_p50_full_vs_naive.toFixed(1)}x; naive / port press->key p50: ${r.speedup_p50_press_vs_naive.toFixed(1)}x; max logit diff ${r.max_logit_diff_vs_naive.toExponential(1)}`);
  }
}
