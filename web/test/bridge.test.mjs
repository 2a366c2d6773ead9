// The page's bridge mode without a browser: serve's notes to key and button lights (several performers, re-strikes,
// a lost connection), where it looks for serve, and its retry and LISTEN pacing against a fake server.
import assert from 'node:assert/strict';
import {test} from 'node:test';

import {BridgeLink, RETRY_FIRST_MS, RETRY_MAX_MS, STABLE_MS, bridgeHost, retryDelay, websocketHost} from '../src/bridge/link.js';
import {BridgeNotes} from '../src/bridge/notes.js';

const TABLE = [{performer: 0, on: '/genie/noteon', off: '/genie/noteoff'}, {performer: 2, on: '/genie/2/noteon', off: '/genie/2/noteoff'}];

function lights() {
  const log = [];
  return {log, keyOn: (p, v, b) => log.push(['on', p, b]), keyOff: (p) => log.push(['off', p]), button: (b, down) => log.push(['button', b, down])};
}

test('a key stays lit while any performer sounds it, a button while any of its notes does', () => {
  const out = lights();
  const notes = new BridgeNotes(TABLE, out);
  assert.equal(notes.apply({address: '/genie/noteon', args: [60, 100, 3]}), true);
  assert.equal(notes.apply({address: '/genie/2/noteon', args: [60, 90, 3]}), true);
  assert.deepEqual(notes.pitches(), [60]);
  notes.apply({address: '/genie/noteoff', args: [60, 3]});
  assert.deepEqual(notes.pitches(), [60], 'performer 2 still sounds it');
  notes.apply({address: '/genie/2/noteoff', args: [60, 3]});
  assert.deepEqual(out.log, [['button', 3, true], ['on', 60, 3], ['button', 3, false], ['off', 60]]);
  assert.deepEqual(notes.pitches(), []);
});

test('a note off for a note never seen is ignored; a re-strike ends the old note first', () => {
  const out = lights();
  const notes = new BridgeNotes(TABLE, out);
  notes.apply({address: '/genie/noteoff', args: [50, 1]});
  assert.deepEqual(out.log, []);
  notes.apply({address: '/genie/noteon', args: [50, 100, 1]});
  notes.apply({address: '/genie/noteon', args: [50, 100, 2]});
  assert.deepEqual(out.log, [['button', 1, true], ['on', 50, 1], ['button', 1, false], ['off', 50], ['button', 2, true], ['on', 50, 2]]);
  notes.clear();
  assert.deepEqual(notes.pitches(), []);
  assert.deepEqual(out.log.slice(-2), [['button', 2, false], ['off', 50]]);
});

test('a message of the wrong shape changes nothing', () => {
  const out = lights();
  const notes = new BridgeNotes(TABLE, out);
  for (const args of [[60, 100], [60.5, 100, 1], [128, 100, 1], [-1, 1, 1], ['60', 100, 1], [60, 100, 1, 1]]) {
    assert.equal(notes.apply({address: '/genie/noteon', args}), false, JSON.stringify(args));
  }
  assert.equal(notes.apply({address: '/genie/1/noteon', args: [60, 100, 1]}), false, 'not an address listened to');
  assert.deepEqual(out.log, []);
  assert.equal(notes.received, 0);
});

test('where the page looks for serve and its websocket', () => {
  assert.equal(bridgeHost('127.0.0.1', '127.0.0.1'), '127.0.0.1');
  assert.equal(bridgeHost('127.0.0.1', '192.168.1.5'), '192.168.1.5', 'a phone: loopback meant the web server\'s machine');
  assert.equal(bridgeHost('10.0.0.2', '192.168.1.5'), '10.0.0.2');
  assert.equal(websocketHost('127.0.0.1', '127.0.0.1'), '127.0.0.1');
  assert.equal(websocketHost('0.0.0.0', '192.168.1.5'), '192.168.1.5');
  assert.equal(websocketHost(undefined, '192.168.1.5'), '192.168.1.5');
  assert.equal(websocketHost('127.0.0.1', '192.168.1.5'), '192.168.1.5');
  assert.equal(websocketHost('10.0.0.3', '192.168.1.5'), '10.0.0.3');
});

test('retries back off from RETRY_FIRST_MS, doubling, to RETRY_MAX_MS', () => {
  const delays = [...Array(8).keys()].map(retryDelay);
  assert.equal(delays[0], RETRY_FIRST_MS);
  for (let i = 1; i < delays.length; i++) assert.ok(delays[i] === Math.min(2 * delays[i - 1], RETRY_MAX_MS));
  assert.equal(delays.at(-1), RETRY_MAX_MS);
});

/** A fake environment: fetch answers as told, sockets are recorded, timers run when the test says. */
function fakeEnv(hostInfo) {
  const timers = [];
  const sockets = [];
  const clock = {t: 0};
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.sent = [];
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.onclose?.(); }
  }
  return {
    sockets,
    timers,
    clock,
    now: () => clock.t,
    fetch: async (url) => {
      if (!hostInfo.value) throw new TypeError('Failed to fetch');
      return {ok: true, json: async () => hostInfo.value, url};
    },
    WebSocket: FakeSocket,
    setTimeout: (fn, ms) => timers.push({fn, ms}),
    clearTimeout: () => {},
    async runTimer() {
      const timer = timers.shift();
      await timer.fn();
      await new Promise((resolve) => setImmediate(resolve));
      return timer.ms;
    },
  };
}

test('not found, then found: backs off, connects, LISTENs in a burst then at the rate; a close reconnects', async () => {
  const hostInfo = {value: null};
  const env = fakeEnv(hostInfo);
  const states = [];
  const paths = [...Array(7).keys()].map((i) => `/p${i}`);
  const link = new BridgeLink({host: '127.0.0.1', port: 5, paths, burst: 3, rate: 50}, {
    message: () => true, status: (s) => states.push(s.state)}, env);
  link.start();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(states, ['connecting', 'not-found']);
  assert.equal(env.timers[0].ms, RETRY_FIRST_MS);
  await env.runTimer();
  assert.equal(env.timers[0].ms, 2 * RETRY_FIRST_MS, 'the second wait is longer');
  hostInfo.value = {WS_IP: '127.0.0.1', WS_PORT: 5};
  await env.runTimer();
  const [socket] = env.sockets;
  assert.equal(socket.url, 'ws://127.0.0.1:5/');
  socket.onopen();
  assert.equal(states.at(-1), 'connected');
  assert.deepEqual(socket.sent.map((c) => c.DATA), ['/p0', '/p1', '/p2']);
  assert.ok(socket.sent.every((c) => c.COMMAND === 'LISTEN'));
  while (env.timers.length) assert.equal(await env.runTimer(), 1000 / 50);
  assert.deepEqual(socket.sent.map((c) => c.DATA), paths);
  socket.onmessage({data: new Uint8Array([1, 2, 3]).buffer});
  socket.onmessage({data: '{"COMMAND": "ERROR", "DATA": "no such path"}'});
  socket.onmessage({data: '{"COMMAND": "PATH_CHANGED", "DATA": "/genie"}'});
  assert.deepEqual({bad: link.counts.bad, serveErrors: link.counts.serveErrors}, {bad: 1, serveErrors: 1});
  env.clock.t += STABLE_MS;
  socket.onclose();
  assert.equal(states.at(-1), 'reconnecting');
  assert.equal(env.timers[0].ms, RETRY_FIRST_MS, 'a connection that worked starts the backoff again');
  await env.runTimer();
  const [, brief] = env.sockets;  // serve accepts and closes at once, again and again: the waits keep growing
  brief.onopen();
  while (env.timers.length) await env.runTimer();
  brief.onclose();
  assert.equal(env.timers[0].ms, 2 * RETRY_FIRST_MS, 'a connection closed at once does not reset the backoff');
  await env.runTimer();
  env.sockets.at(-1).onopen();
  while (env.timers.length) await env.runTimer();
  env.sockets.at(-1).onclose();
  assert.equal(env.timers[0].ms, 4 * RETRY_FIRST_MS);
  hostInfo.value = {NAME: 'no websocket'};
  await env.runTimer();
  assert.equal(states.at(-1), 'no-websocket');
  link.stop();
});
