// The page's connection to `pianogenie serve`, as an OSCQuery client makes it: read ?HOST_INFO over HTTP for the
// websocket's address (WS_IP, WS_PORT), open it, LISTEN to each note address, and hand every binary frame (an OSC
// datagram) on. A frame that is no OSC, or no note of the right shape, is counted and dropped. When serve goes away
// the lights are cleared and the page tries again, sooner at first and then at most every RETRY_MAX_MS.

import {OscError, parsePacket} from './osc.js';

export const RETRY_FIRST_MS = 250;
export const RETRY_MAX_MS = 4000;
// A connection open this long has worked: the backoff starts again from RETRY_FIRST_MS. One closed sooner (serve
// accepting and then refusing the page, a flood close) keeps the backoff growing, so the page never hammers it.
export const STABLE_MS = 2000;
const HOST_INFO_TIMEOUT_MS = 3000;

const isLoopback = (host) => host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
const isUnspecified = (host) => !host || host === '0.0.0.0' || host === '::' || host === '[::]';

/** The host the page reaches serve on: the one given to `web --bridge`, except that a loopback address there
 * means the web server's own machine, which a page opened from another device (a phone) knows by `pageHost`. */
export function bridgeHost(configured, pageHost) {
  return isLoopback(configured) && pageHost && !isLoopback(pageHost) ? pageHost : configured;
}

/** Where the websocket is: HOST_INFO's WS_IP, unless it names no single host (0.0.0.0) or a loopback address
 * that this page does not share; then the host HOST_INFO was read from. */
export function websocketHost(wsIp, httpHost) {
  if (isUnspecified(wsIp) || (isLoopback(wsIp) && !isLoopback(httpHost))) return httpHost;
  return wsIp;
}

/** The wait before retry number `attempt` (0 first): doubling from RETRY_FIRST_MS up to RETRY_MAX_MS. */
export function retryDelay(attempt) {
  return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** attempt);
}

const hostPort = (host, port) => `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;

export class BridgeLink {
  /** config: {host, port, paths: [address to LISTEN], burst, rate} (/bridge.json); handlers: {message(msg),
   * status({state, address, detail, retryMs})}; env: {fetch, WebSocket, setTimeout, clearTimeout, now} to replace. */
  constructor(config, handlers, env = globalThis) {
    this.config = config;
    this.handlers = handlers;
    this.env = env;
    this.attempt = 0;
    this.socket = null;
    this.timer = null;
    this.stopped = false;
    this.counts = {frames: 0, bad: 0, serveErrors: 0, connects: 0, listening: 0}; // listening: LISTENs sent now
    this.address = hostPort(config.host, config.port);
  }

  start() {
    this.stopped = false;
    this._connect();
  }

  stop() {
    this.stopped = true;
    this.env.clearTimeout(this.timer);
    this.socket?.close();
  }

  async _connect() {
    this.handlers.status({state: 'connecting', address: this.address});
    let info;
    try {
      const response = await this.env.fetch(`http://${this.address}/?HOST_INFO`,
        {cache: 'no-store', signal: AbortSignal.timeout(HOST_INFO_TIMEOUT_MS)});
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      info = await response.json();
    } catch (err) {
      return this._retry('not-found', err.message);
    }
    if (!Number.isInteger(info?.WS_PORT)) return this._retry('no-websocket', 'its HOST_INFO has no WS_PORT');
    const ws = `${hostPort(websocketHost(info.WS_IP, this.config.host), info.WS_PORT)}`;
    let socket;
    try {
      socket = new this.env.WebSocket(`ws://${ws}/`);
    } catch (err) {
      return this._retry('not-found', err.message);
    }
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    let openedAt = null;
    socket.onopen = () => {
      openedAt = this._now();
      this.counts.connects += 1;
      this.handlers.status({state: 'connected', address: this.address, detail: ws});
      this._listen(socket, 0);
    };
    socket.onmessage = (event) => this._frame(event.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (openedAt !== null && this._now() - openedAt >= STABLE_MS) this.attempt = 0;
      this._retry('not-found', 'the websocket closed');
    };
  }

  /** LISTEN on each path: a burst, then at `rate` a second, inside serve's budget for a client's commands. */
  _listen(socket, from) {
    const {paths, burst, rate} = this.config;
    const upto = from === 0 ? Math.min(burst, paths.length) : from + 1;
    for (let i = from; i < upto && i < paths.length; i++) {
      socket.send(JSON.stringify({COMMAND: 'LISTEN', DATA: paths[i]}));
      this.counts.listening = i + 1;
    }
    if (upto < paths.length) this.timer = this.env.setTimeout(() => this.socket === socket && this._listen(socket, upto), 1000 / rate);
  }

  _frame(data) {
    this.counts.frames += 1;
    if (typeof data === 'string') {
      // serve's own text frames: ERROR (for a command of ours) or PATH_CHANGED (a model swap: notes stay put)
      let command = null;
      try {
        command = JSON.parse(data);
      } catch {
        // counted below
      }
      if (command?.COMMAND === 'ERROR') this.counts.serveErrors += 1;
      else if (command?.COMMAND !== 'PATH_CHANGED') this.counts.bad += 1;
      return;
    }
    let messages;
    try {
      messages = parsePacket(data);
    } catch (err) {
      if (!(err instanceof OscError)) throw err;
      this.counts.bad += 1;
      return;
    }
    for (const message of messages) if (!this.handlers.message(message)) this.counts.bad += 1;
  }

  _now() {
    return this.env.now ? this.env.now() : performance.now();
  }

  _retry(state, detail) {
    if (this.stopped) return;
    if (state === 'not-found' && this.counts.connects) state = 'reconnecting'; // serve was there: it restarts
    const retryMs = retryDelay(this.attempt);
    this.attempt += 1;
    this.handlers.status({state, address: this.address, detail, retryMs});
    this.env.clearTimeout(this.timer);
    this.timer = this.env.setTimeout(() => this._connect(), retryMs);
  }
}
