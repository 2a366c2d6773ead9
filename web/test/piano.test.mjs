// The page's sampled piano in real headless Chromium, with every non-local request blocked: choosing the piano
// loads the SoundFont from the local server (and spessasynth_lib from web/node_modules), a key press plays its
// note through the SoundFont player (non-silent output, at the note's pitch), and the FM synth still plays after
// switching back.
//
// BASE_URL (set by tests/test_web.py) points at a running `pianogenie web --soundfont FILE`; without it the test
// serves web/ itself with the default model and SOUNDFONT (default: Debian's TimGM6mb.sf2).
import assert from 'node:assert/strict';
import {existsSync, statSync} from 'node:fs';
import {basename, join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {startServer} from '../tools/static-server.mjs';
import {CHROMIUM, CHROMIUM_ARGS, openContext} from './helpers/browser.mjs';
import {DEFAULT_MODEL_DIR, UPSTREAM_DIR, WEB_ROOT, hasModel} from './helpers/paths.mjs';

const MODEL_DIR = hasModel(DEFAULT_MODEL_DIR) ? DEFAULT_MODEL_DIR : UPSTREAM_DIR;
const SOUNDFONT = process.env.SOUNDFONT ?? '/usr/share/sounds/sf2/TimGM6mb.sf2';
const SKIP = !existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}`
  : !existsSync(join(WEB_ROOT, 'node_modules', 'spessasynth_lib')) ? 'web/node_modules missing: run npm ci in web/'
    : !process.env.BASE_URL && !hasModel(MODEL_DIR) ? 'no model to serve'
      : !process.env.BASE_URL && !existsSync(SOUNDFONT) ? `no SoundFont at ${SOUNDFONT} (apt install timgm6mb-soundfont)`
        : false;

// PHONE=1 (tests/test_web.py, with BASE_URL at `pianogenie web --host 0.0.0.0 --https`'s LAN address): a phone's
// screen and touch, opening the page by the LAN address over HTTPS with a self-signed certificate, as a phone on
// the Wi-Fi does once the user accepts it. The piano needs the secure context that only HTTPS gives there.
const PHONE = process.env.PHONE === '1';
const PHONE_OPTIONS = () => ({
  viewport: {width: 390, height: 844}, deviceScaleFactor: 3, isMobile: true, hasTouch: true, ignoreHTTPSErrors: true,
  args: [...CHROMIUM_ARGS, '--ignore-certificate-errors'], allowHosts: [new URL(process.env.BASE_URL).hostname],
});

const cents = (hz, pitch) => 1200 * Math.log2(hz / (440 * 2 ** ((pitch - 69) / 12)));

describe('the SoundFont piano in headless Chromium', {skip: SKIP}, () => {
  let server = null;
  let baseUrl;
  before(async () => {
    if (process.env.BASE_URL) {
      baseUrl = process.env.BASE_URL;
    } else {
      const info = {available: true, name: basename(SOUNDFONT), bytes: statSync(SOUNDFONT).size, reason: ''};
      server = await startServer(WEB_ROOT, {'/model/': MODEL_DIR}, {
        '/soundfont.sf2': {path: SOUNDFONT},
        '/soundfont.json': {body: JSON.stringify(info), type: 'application/json'},
        '/bridge.json': {body: JSON.stringify({bridge: null}), type: 'application/json'},
      });
      baseUrl = `${server.url}/`;
    }
  });
  after(() => server?.close());

  test('loads the SoundFont locally, plays pressed notes at their pitch, and the FM synth still plays', async () => {
    const browser = await openContext(PHONE ? PHONE_OPTIONS() : {});
    try {
      const page = await browser.context.newPage();
      const errors = [];
      const responses = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
      page.on('requestfailed', (req) => errors.push(`request failed: ${req.url()}`));
      page.on('response', (res) => responses.push({path: new URL(res.url()).pathname, status: res.status()}));
      await page.goto(baseUrl);
      await page.waitForFunction(() => document.body.matches('.ready, .failed'), null, {timeout: 60_000});
      assert.equal(await page.textContent('#status'), 'ready');
      if (PHONE) {
        assert.equal(await page.evaluate(() => [window.isSecureContext, location.protocol].join(' ')), 'true https:');
        assert.ok(await page.isVisible('#fullscreen'), 'a phone gets the full-screen button');
      }
      // Nothing of the piano is loaded until it is chosen.
      assert.ok(!responses.some((r) => r.path === '/soundfont.sf2' || r.path.includes('spessasynth')));
      assert.equal(await page.isDisabled('#sound option[value="piano"]'), false);

      const t0 = Date.now();
      await page.selectOption('#sound', 'piano');
      await page.waitForFunction(() => window.genieApp.synth === window.genieApp.piano, null, {timeout: 60_000});
      console.log(`piano ready ${Date.now() - t0} ms after it was chosen`);
      assert.deepEqual(responses.filter((r) => r.path === '/soundfont.sf2'), [{path: '/soundfont.sf2', status: 200}]);
      // (The worklet's processor, spessasynth_processor.min.js, is fetched by audioWorklet.addModule, which the
      // page's response events do not show; the synth being ready says it loaded.)
      for (const file of ['spessasynth_lib/dist/index.js', 'spessasynth_core/dist/index.js', 'stb-vorbis/dist/index.js']) {
        assert.ok(responses.some((r) => r.path === `/node_modules/${file}` && r.status === 200), file);
      }
      assert.match(await page.textContent('#sound-note'), /\.sf[23]$/);

      if (PHONE) {  // a finger on a button: the model's note goes to the SoundFont player
        const before = await page.evaluate(() => window.genieApp.piano.log.length);
        await page.tap('#buttons > :nth-child(3)');
        await page.waitForFunction((n) => window.genieApp.piano.log.slice(n).some((e) => e.type === 'attack'), before,
          {timeout: 5000});
        await page.evaluate(() => window.genieApp.piano.synth.stopAll(true));
      }
      // A key press: the model's note goes to the SoundFont player and it sounds.
      await page.keyboard.down('KeyD');
      const pitch = await page.evaluate(() => window.genieApp.display.litPitches()[0]);
      const last = await page.evaluate(() => window.genieApp.piano.log.at(-1));
      assert.deepEqual({type: last.type, pitch: last.pitch}, {type: 'attack', pitch});
      assert.equal(await page.evaluate(() => window.genieApp.piano.activeVoices), 1);
      await page.waitForFunction(() => window.genieApp.piano.level() > 0.01, null, {timeout: 5000});
      await page.keyboard.up('KeyD');
      assert.equal(await page.evaluate(() => window.genieApp.piano.log.at(-1).type), 'release');

      // The pitch of the sound: A4 and C4 played straight into the player, measured on its output's spectrum.
      for (const [note, low, high] of [[69, 300, 600], [60, 200, 330]]) {
        await page.evaluate(() => window.genieApp.piano.synth.stopAll(true));
        await page.waitForTimeout(300);
        await page.evaluate((p) => window.genieApp.piano.on(p, 100), note);
        await page.waitForTimeout(400);
        const [level, hz] = await page.evaluate(([lo, hi]) => [window.genieApp.piano.level(),
          window.genieApp.piano.frequency(lo, hi)], [low, high]);
        await page.evaluate((p) => window.genieApp.piano.off(p), note);
        console.log(`piano note ${note}: peak ${level.toFixed(3)}, f0 ${hz.toFixed(1)} Hz (${cents(hz, note).toFixed(1)} cents)`);
        assert.ok(level > 0.01, `note ${note} is silent (peak ${level})`);
        assert.ok(Math.abs(cents(hz, note)) < 15, `note ${note}: ${hz} Hz`);
      }

      // Back to the FM synth: it plays again.
      await page.selectOption('#sound', 'fm');
      await page.waitForFunction(() => window.genieApp.synth === window.genieApp.fm);
      await page.keyboard.down('KeyF');
      const fmPitch = await page.evaluate(() => window.genieApp.display.litPitches()[0]);
      const fmLast = await page.evaluate(() => window.genieApp.fm.log.at(-1));
      assert.deepEqual({type: fmLast.type, pitch: fmLast.pitch}, {type: 'attack', pitch: fmPitch});
      await page.waitForFunction(() => window.genieApp.fm.level() > 0.001, null, {timeout: 5000});
      await page.keyboard.up('KeyF');
      assert.deepEqual(errors, []);
      assert.deepEqual(browser.external, []);
    } finally {
      await browser.close();
    }
  });
});
