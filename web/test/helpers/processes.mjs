// Real `pianogenie serve` and `pianogenie web` processes for the bridge tests: started on free ports, read from
// their banners, stopped with SIGTERM (and SIGKILL if they do not end).
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {createServer} from 'node:net';
import {join} from 'node:path';
import {createInterface} from 'node:readline';

import {REPO_ROOT} from './paths.mjs';

export const PIANOGENIE = process.env.PIANOGENIE ?? join(REPO_ROOT, '.venv', 'bin', 'pianogenie');
export const PIANOGENIE_SKIP = existsSync(PIANOGENIE) ? false : `no ${PIANOGENIE} (make .venv/.test-installed, or PIANOGENIE=...)`;
const START_TIMEOUT_MS = 30_000;

/** A TCP port free on 127.0.0.1 now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `pianogenie ...args` until `ready(line)` returns a value for a stdout line -> {child, value, lines, stop()}. */
export function startPianogenie(args, ready) {
  const child = spawn(PIANOGENIE, args, {stdio: ['ignore', 'pipe', 'pipe'], env: {...process.env, PYTHONUNBUFFERED: '1'}});
  const lines = [];
  const stderr = [];
  child.stderr.on('data', (chunk) => stderr.push(String(chunk)));
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', (code) => { clearTimeout(kill); resolve(code); });
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    let value;
    const timer = setTimeout(() => { stop(); reject(new Error(`pianogenie ${args[0]} not ready: ${lines.join('\n')}\n${stderr.join('')}`)); },
      START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`pianogenie ${args[0]} exited ${code}: ${stderr.join('')}`)));
    createInterface({input: child.stdout}).on('line', (line) => {
      lines.push(line);
      value ??= ready(line, lines);
      if (value !== undefined && value !== null) {
        clearTimeout(timer);
        resolve({child, value, lines, stop});
      }
    });
  });
}

/** `pianogenie serve` with its OSCQuery server (and websocket) on `oscqueryPort` -> {...process, osc: port}. */
export async function startServe(oscqueryPort) {
  let osc = null;
  const serve = await startPianogenie([
    'serve', '--port', '0', '--oscquery-port', String(oscqueryPort), '--reply-to', 'none', '--audio', 'none',
    '--midi-out', 'none', '--no-zeroconf', '--seed', '3', '--idle-timeout', '0',
  ], (line) => {
    osc ??= line.match(/listening\s+osc udp 127\.0\.0\.1:(\d+)/)?.[1];
    return line === 'pianogenie serve: ready' ? Number(osc) : null;
  });
  return {...serve, osc: serve.value};
}

/** `pianogenie web --port 0 --bridge ...extra` -> {...process, url, bridgeLine}. */
export async function startWeb(bridgeArgs) {
  const web = await startPianogenie(['web', '--port', '0', ...bridgeArgs], (line, lines) => {
    const url = lines.find((l) => l.startsWith('Piano Genie in the browser: '))?.split(' ')[5];
    return url && line.startsWith('  bridge: ') ? {url, bridgeLine: line} : null;
  });
  return {...web, ...web.value};
}
