// Opens the page at a URL in headless Chromium with the network off, waits until it is ready, plays one note
// from the keyboard, then (when the server has a SoundFont) chooses the piano and plays a note on it, and prints as
// JSON every request it made: {ready, backend, played, piano, requests: [{path, status}], errors, external}.
// tests/test_package.py uses it on an installed `pianogenie web` to check the wheel ships exactly what the page loads.
//
//   node tools/page-requests.mjs http://127.0.0.1:8000/
import {openContext} from '../test/helpers/browser.mjs';

const url = process.argv[2];
if (!url) {
  console.error('usage: node tools/page-requests.mjs URL');
  process.exit(2);
}
const browser = await openContext();
try {
  const page = await browser.context.newPage();
  const requests = [];
  const errors = [];
  page.on('response', (response) => {
    const u = new URL(response.url());
    if (u.origin === new URL(url).origin) requests.push({path: u.pathname, status: response.status()});
  });
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()}`));
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto(url);
  await page.waitForFunction(() => document.body.matches('.ready, .failed'), null, {timeout: 60_000});
  const ready = await page.evaluate(() => document.body.matches('.ready'));
  let played = [];
  if (ready) {
    await page.keyboard.down('KeyD');
    played = await page.evaluate(() => window.genieApp.display.litPitches());
    await page.keyboard.up('KeyD');
  }
  let piano = null;
  if (ready && !(await page.isDisabled('#sound option[value="piano"]'))) {
    await page.selectOption('#sound', 'piano');
    await page.waitForFunction(() => window.genieApp.synth === window.genieApp.piano || window.genieApp.pianoLoading === null,
      null, {timeout: 150_000});
    await page.keyboard.down('KeyF');
    piano = await page.evaluate(() => window.genieApp.synth === window.genieApp.piano && window.genieApp.piano.log.at(-1));
    await page.keyboard.up('KeyF');
    // The worklet's module (audioWorklet.addModule) shows in no response event: fetch it again, which does.
    if (piano) {
      await page.evaluate(async () => {
        const {PROCESSOR_URL} = await import(new URL('src/audio/piano.js', document.baseURI).href);
        await fetch(new URL(PROCESSOR_URL, document.baseURI));
      });
    }
  }
  const backend = await page.textContent('#backend');
  console.log(JSON.stringify({ready, backend, played, piano, requests, errors, external: browser.external}));
} finally {
  await browser.close();
}
