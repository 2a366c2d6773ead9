// `pianogenie web --bridge` end to end: a real `pianogenie serve`, a real `pianogenie web --bridge`, the page in
// headless Chromium, and presses sent to serve over real UDP OSC. The page's keyboard must show exactly the
// pitches that serve's UDP replies leave sounding, clear them on the note-offs, say when serve is not there, and
// reconnect when serve restarts. Malformed websocket frames (injected between serve and the page) are counted
// and change nothing. tests/web/test_web_bridge.py runs this under pytest.
import assert from 'node:assert/strict';
import {existsSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {CHROMIUM, openContext} from './helpers/browser.mjs';
import {intMessage, oscPeer, soundingPitches} from './helpers/osc-peer.mjs';
import {REPO_ROOT, WEB_ROOT} from './helpers/paths.mjs';
import {PIANOGENIE_SKIP, freePort, startServe, startWeb} from './helpers/processes.mjs';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'web');
const SKIP = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : PIANOGENIE_SKIP
  || (!existsSync(join(WEB_ROOT, 'node_modules', 'tone')) ? 'web/node_modules missing: run npm ci in web/' : false);
const WAIT_MS = 10_000; // a reconnect waits at most RETRY_MAX_MS (4 s) plus serve's start
const TEST_MS = 60_000;

const lit = (page) => page.evaluate(() => window.genieApp.display.litPitches());
const litButtons = (page) => page.$$eval('.gbutton.down', (els) => els.map((el) => Number(el.dataset.button)));
const bridgeState = (page) => page.$eval('#bridge-status', (el) => ({state: el.dataset.state, text: el.textContent}));
const noteReplies = (replies) => replies.filter(({address}) => /\/note(on|off)$/.test(address));
// Note-ons only: a press may also end a note (a pitch struck again while it sounds gets its note-off first).
const noteOns = (peer) => peer.replies.filter(({address}) => address.endsWith('/noteon')).length;

async function until(what, probe, ok, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (ok(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`${what}: still ${JSON.stringify(last)} after ${timeout} ms`);
}

/** The page is listening once a press lights a key: until then serve may not have taken its LISTENs. The
 * probing notes are released, and the replies are forgotten, so that a test compares from a clean start. */
async function waitListening(page, peer, serve) {
  await until('connected', () => bridgeState(page), (s) => s.state === 'connected');
  const end = Date.now() + WAIT_MS;
  for (;;) {
    await peer.send(serve.osc, '/genie/press', 0, 100);
    const shown = await until('probe', () => lit(page), (l) => l.length > 0, 300).catch(() => null);
    await peer.send(serve.osc, '/genie/release', 0);
    if (shown) break;
    assert.ok(Date.now() < end, 'the page never showed a press');
  }
  await until('probe released', () => lit(page), (l) => l.length === 0);
  peer.replies.length = 0;
}

async function openBridgePage(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.matches('.ready, .failed'), null, {timeout: 60_000});
  assert.equal(await page.textContent('#status'), 'ready');
  return {page, errors};
}

describe('pianogenie web --bridge in headless Chromium', {skip: SKIP}, () => {
  let oscquery;
  let serve = null;
  let web = null;
  let browser = null;
  let page;
  let errors;
  let peer;
  before(async () => {
    mkdirSync(ARTIFACTS, {recursive: true});
    oscquery = await freePort();
    peer = await oscPeer();
    web = await startWeb(['--bridge', `127.0.0.1:${oscquery}`]);
    browser = await openContext();
  });
  after(async () => {
    await browser?.close();
    await web?.stop();
    await serve?.stop();
    peer?.close();
  });

  test('before serve runs the page says so, then connects when it starts', {timeout: TEST_MS}, async () => {
    assert.match(web.bridgeLine, /nothing answers at http:\/\/127\.0\.0\.1:\d+\/\?HOST_INFO now/);
    ({page, errors} = await openBridgePage(browser.context, web.url));
    const missing = await until('not found', () => bridgeState(page), (s) => s.state === 'not-found');
    assert.match(missing.text, new RegExp(`^serve not found at 127\\.0\\.0\\.1:${oscquery}: start pianogenie serve`));
    assert.equal(await page.isHidden('.controls'), true, 'the local decoder\'s controls are hidden in bridge mode');
    assert.match(await page.textContent('#instructions'), /shows the notes that pianogenie serve plays/);
    serve = await startServe(oscquery);
    const connected = await until('connected', () => bridgeState(page), (s) => s.state === 'connected');
    assert.match(connected.text, new RegExp(`^connected to serve at 127\\.0\\.0\\.1:${oscquery}`));
  });

  test('the keyboard shows exactly the pitches serve replies with, and note-offs clear them', {timeout: TEST_MS}, async () => {
    await waitListening(page, peer, serve);
    const received = () => page.evaluate(() => window.genieBridge.notes.received);
    const before = await received();
    const expect = async (what) => {
      const want = soundingPitches(peer.replies);
      await until(what, () => lit(page), (l) => JSON.stringify(l) === JSON.stringify(want));
      return want;
    };
    // A held chord on three buttons, one at a time so that each note-on has come back before the next press.
    for (const [n, button] of [0, 3, 6].entries()) {
      await peer.send(serve.osc, '/genie/press', button, 100);
      await until('note-on replied', () => noteOns(peer), (count) => count === n + 1, 2000);
    }
    const chord = await expect('the chord');
    assert.ok(chord.length >= 1 && chord.every((p) => p >= 21 && p <= 108), `chord ${chord}`);
    assert.deepEqual(await litButtons(page), [0, 3, 6]);
    // Another performer's note, on its own address, and a re-press of a held button (serve ends its old note).
    await peer.send(serve.osc, '/genie/2/press', 5, 90);
    await until('performer 2', () => peer.replies.some(({address}) => address === '/genie/2/noteon'), Boolean, 2000);
    assert.equal(noteOns(peer), 4);
    await expect('performer 2 too');
    await peer.send(serve.osc, '/genie/press', 3, 100);
    await until('re-press', () => noteOns(peer), (count) => count === 5, 2000);
    await expect('after the re-press');
    await page.screenshot({path: join(ARTIFACTS, 'bridge.png')});
    for (const button of [0, 3, 6]) await peer.send(serve.osc, '/genie/release', button);
    await peer.send(serve.osc, '/genie/2/release', 5);
    await until('all off', () => soundingPitches(peer.replies), (s) => s.length === 0, 2000);
    assert.deepEqual(await expect('every note off'), []);
    assert.deepEqual(await litButtons(page), []);
    // The page got every note message the UDP peer got, no more.
    assert.equal(await received() - before, noteReplies(peer.replies).length);
    // The last performer's LISTENs go last, paced: once sent, its notes show too, and serve refused none.
    const total = await page.evaluate(() => window.genieBridge.config.notes.length * 2 + 1);
    await until('every LISTEN sent', () => page.evaluate(() => window.genieBridge.link.counts.listening), (n) => n === total);
    peer.replies.length = 0;
    await peer.send(serve.osc, '/genie/63/press', 1, 100);
    await until('performer 63', () => noteOns(peer), (count) => count === 1, 2000);
    await expect('performer 63');
    await peer.send(serve.osc, '/genie/63/release', 1);
    await until('performer 63 off', () => lit(page), (l) => l.length === 0);
    assert.equal(await page.evaluate(() => window.genieBridge.link.counts.serveErrors), 0, 'serve refused a LISTEN');
    assert.deepEqual(errors, []);
  });

  test('serve restarts: the page clears its keys, says it is reconnecting, and reconnects', {timeout: TEST_MS}, async () => {
    await peer.send(serve.osc, '/genie/press', 4, 100);
    await until('held note shown', () => lit(page), (l) => l.length === 1);
    await serve.stop();
    serve = null;
    const lost = await until('reconnecting', () => bridgeState(page), (s) => s.state === 'reconnecting');
    assert.match(lost.text, new RegExp(`^reconnecting to serve at 127\\.0\\.0\\.1:${oscquery} .*trying again in`));
    assert.deepEqual(await lit(page), []);
    serve = await startServe(oscquery);
    await waitListening(page, peer, serve);
    await peer.send(serve.osc, '/genie/press', 2, 100);
    await until('note-on replied', () => noteOns(peer), (count) => count === 1, 2000);
    const want = soundingPitches(peer.replies);
    await until('a note after the restart', () => lit(page), (l) => JSON.stringify(l) === JSON.stringify(want));
    await peer.send(serve.osc, '/genie/release', 2);
    await until('released', () => lit(page), (l) => l.length === 0);
    assert.ok(await page.evaluate(() => window.genieBridge.link.counts.connects) >= 2);
    assert.deepEqual(errors, []);
  });

  test('malformed frames are counted and ignored; the page goes on', {timeout: TEST_MS}, async () => {
    const context = (await openContext()).context;
    try {
      const junk = [
        Buffer.from([1, 2, 3]), // not a multiple of 4
        Buffer.from('/genie/noteon\0\0\0,iii\0\0\0\0\x40'), // arguments cut short
        Buffer.from('nope\0\0\0\0,i\0\0\0\0\0\x01'), // an address without /
        intMessage('/genie/noteon', 999, 100, 1), // no MIDI pitch
        intMessage('/genie/noteoff', 60), // too few arguments
        'not json',
      ];
      await context.routeWebSocket(/^ws:\/\/127\.0\.0\.1:\d+\/$/, (ws) => {
        const server = ws.connectToServer();
        server.onMessage((message) => ws.send(message));
        // Once the page has sent its first LISTEN the junk goes in, before any real note.
        let sent = false;
        ws.onMessage((message) => {
          server.send(message);
          if (!sent) {
            sent = true;
            for (const frame of junk) ws.send(frame);
          }
        });
      });
      const {page: second, errors: secondErrors} = await openBridgePage(context, web.url);
      await until('junk counted', () => second.evaluate(() => window.genieBridge.link.counts.bad), (n) => n === junk.length);
      await waitListening(second, peer, serve);
      await peer.send(serve.osc, '/genie/press', 7, 100);
      await until('note-on replied', () => noteOns(peer), (count) => count === 1, 2000);
      const want = soundingPitches(peer.replies);
      await until('a real note after the junk', () => lit(second), (l) => JSON.stringify(l) === JSON.stringify(want));
      await peer.send(serve.osc, '/genie/release', 7);
      await until('released', () => lit(second), (l) => l.length === 0);
      await until('status line', () => bridgeState(second), (s) => s.text.includes(`${junk.length} bad frames ignored`));
      assert.deepEqual(secondErrors, []);
    } finally {
      await context.close();
    }
  });
});
