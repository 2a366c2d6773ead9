// The playable page: 8 buttons (mouse, touch, computer keys) -> the decoder -> synth, Web MIDI and the key
// display. The model runs on the wasm backend (or ?backend=cpu); ?seed=N makes the performance reproducible.
// window.genieApp exposes the running app to the browser tests.

import {DEFAULT_TEMPERATURE, FIXTURE_NAME, NUM_BUTTONS, keyToPitch} from './constants.js';
import {initTf} from './browser-tf.js';
import {PianoGenie} from './genie.js';
import {runFixture} from './parity.js';
import {FmSynth} from './audio/synth.js';
import {SoundFontPiano, soundFontInfo} from './audio/piano.js';
import {MidiOut} from './audio/midi-out.js';
import {BUTTON_COLOURS, BUTTON_LABELS, RESET_CODES, SUSTAIN_CODE, buttonForCode} from './ui/bindings.js';
import {Notes} from './ui/notes.js';
import {NARROW_QUERY, NARROW_SPAN, PianoDisplay} from './ui/piano.js';
import {PressTracker} from './ui/press-tracker.js';
import {RANGES, keysForRange} from './ui/ranges.js';
import {bridgeConfig, startBridge} from './bridge/mode.js';

const MODEL_URL = 'model/';
const VELOCITY = 96;
const LATENCY_WINDOW = 64;
const $ = (selector) => document.querySelector(selector);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

class App {
  constructor(tf, genie, seed = null) {
    this.tf = tf;
    this.genie = genie;
    this.session = genie.session({seed});
    this.temperature = DEFAULT_TEMPERATURE;
    this.rangeName = 'full';
    this.allowedKeys = null;
    this.latencies = [];
    this.display = new PianoDisplay($('#piano'));
    // The sound: the FM synth, or the SoundFont piano once chosen and loaded (setSound). this.synth is the one
    // playing; the notes reach it through a forwarder, so switching needs no change to the note stream.
    this.fm = new FmSynth(globalThis.Tone);
    this.synth = this.fm;
    this.piano = null;
    this.soundFont = {available: false, reason: 'not asked yet'};
    this.midi = new MidiOut($('#midi-out'));
    this.notes = new Notes([{
      on: (pitch, velocity) => this.synth.on(pitch, velocity),
      off: (pitch) => this.synth.off(pitch),
    }, this.midi, {
      on: (pitch, velocity, button) => this.display.on(pitch, velocity, button, BUTTON_COLOURS[button]),
      off: (pitch) => this.display.off(pitch),
    }]);
    this.tracker = new PressTracker({
      onPress: (button) => this.press(button),
      onRelease: (pitch, button) => this.release(pitch, button),
    });
  }

  /** A button goes down: the model picks a key, it sounds, and the between-press work is done right after. */
  press(button) {
    this.synth.start(); // no-op once audio runs; must be called from the gesture
    const t0 = performance.now();
    const key = this.session.press(button, {temperature: this.temperature, keys: this.allowedKeys});
    const ms = performance.now() - t0;
    const pitch = keyToPitch(key);
    this.notes.start(pitch, VELOCITY, button);
    this.session.prepare();
    this.showLatency(ms);
    this.buttonElements[button].classList.add('down');
    return pitch;
  }

  release(pitch, button) {
    this.notes.stop(pitch);
    if (![...this.tracker.held.values()].some((h) => h.button === button)) this.buttonElements[button].classList.remove('down');
  }

  reset() {
    this.tracker.releaseAll();
    this.notes.allOff();
    this.session.reset();
  }

  setSustain(down) {
    this.notes.setSustain(down);
    $('#sustain').classList.toggle('on', down);
  }

  setRange(name) {
    this.tracker.releaseAll();
    this.notes.allOff();
    this.rangeName = name;
    this.allowedKeys = keysForRange(name);
    this.display.render(RANGES[name].low, RANGES[name].high);
  }

  /** The piano choice follows what the server has: without a SoundFont it is disabled, with the reason shown. */
  initSound(info) {
    this.soundFont = info;
    const option = $('#sound option[value="piano"]');
    option.disabled = !info.available;
    if (info.available) {
      option.title = info.name;
    } else {
      option.title = `no SoundFont: ${info.reason}`;
      $('#sound-note').textContent = `piano off: ${info.reason}`;
    }
    $('#sound').value = 'fm';
  }

  /** 'fm' or 'piano': sounding notes end, and the piano is loaded (once) before it takes over. -> the synth. */
  async setSound(name) {
    const select = $('#sound');
    const note = $('#sound-note');
    this.tracker.releaseAll();
    this.notes.allOff();
    if (name !== 'piano' || !this.soundFont.available) {
      this.synth = this.fm;
      select.value = 'fm';
      if (this.soundFont.available) note.textContent = '';
      return this.synth;
    }
    if (!this.piano) {
      note.textContent = `loading ${this.soundFont.name}…`;
      this.pianoLoading ??= SoundFontPiano.load();
      try {
        this.piano = await this.pianoLoading;
      } catch (err) {
        this.pianoLoading = null;
        note.textContent = `piano failed: ${err.message}`;
        select.value = 'fm';
        this.synth = this.fm;
        return this.synth;
      }
    }
    if (select.value !== 'piano') return this.synth; // the FM synth was chosen again while the piano loaded
    this.notes.allOff();
    this.synth = this.piano;
    note.textContent = this.soundFont.name;
    this.synth.start();
    return this.synth;
  }

  showLatency(ms) {
    this.latencies.push(ms);
    if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
    $('#latency').textContent = `${ms.toFixed(2)} ms (median ${median(this.latencies).toFixed(2)} ms)`;
  }

  /** Runs the model directory's fixture (test.json) through a separate session and shows the result. */
  async checkParity() {
    const out = $('#parity');
    const response = await fetch(MODEL_URL + FIXTURE_NAME);
    if (!response.ok) {
      out.textContent = 'no fixture in this model directory';
      return null;
    }
    const session = this.genie.session({seed: 0});
    try {
      const result = runFixture(session, await response.json());
      out.textContent = `${result.pass ? 'pass' : 'FAIL'}: total abs error ${result.totalError.toFixed(5)} over ${result.steps} steps, `
        + `argmax ${result.argmaxMismatches.length ? `differs at ${result.argmaxMismatches.length} steps` : 'equal at every step'}`;
      out.className = result.pass ? 'pass' : 'fail';
      return result;
    } finally {
      session.dispose();
    }
  }

  buildButtons() {
    const row = $('#buttons');
    this.buttonElements = [];
    for (let b = 0; b < NUM_BUTTONS; b++) {
      const el = document.createElement('button');
      el.type = 'button';
      el.className = 'gbutton';
      el.dataset.button = String(b);
      el.style.setProperty('--colour', BUTTON_COLOURS[b]);
      el.innerHTML = `<span>${BUTTON_LABELS[b]}</span>`;
      row.append(el);
      this.buttonElements.push(el);
    }
  }

  bindPointer() {
    const row = $('#buttons');
    const buttonAt = (x, y) => {
      const el = document.elementFromPoint(x, y)?.closest('[data-button]');
      return el ? Number(el.dataset.button) : null;
    };
    // Pointer events cover mouse, pen and touch; a finger sliding across the row plays each button it enters.
    // A pointer stays live from down to up wherever it goes: crossing a gap between buttons (or starting in
    // one) holds the last note, and the next button entered plays, as in the original demo.
    const live = new Set();
    row.addEventListener('pointerdown', (event) => {
      event.preventDefault();
      live.add(event.pointerId);
      const button = buttonAt(event.clientX, event.clientY);
      if (button !== null) this.tracker.down(`pointer${event.pointerId}`, button);
    });
    row.addEventListener('pointermove', (event) => {
      if (!live.has(event.pointerId)) return;
      const button = buttonAt(event.clientX, event.clientY);
      if (button !== null) this.tracker.down(`pointer${event.pointerId}`, button);
    });
    const lift = (event) => {
      live.delete(event.pointerId);
      this.tracker.up(`pointer${event.pointerId}`);
    };
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) row.addEventListener(type, lift);
    document.addEventListener('pointerup', lift);
    row.addEventListener('contextmenu', (event) => event.preventDefault());
  }

  bindKeys() {
    document.addEventListener('keydown', (event) => {
      // The page's keys play even when a control has the focus: the slider and the lists only want the arrow
      // keys, and preventDefault below keeps a focused list from jumping to an option by its first letter.
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const button = buttonForCode(event.code);
      if (button !== null) {
        event.preventDefault();
        this.tracker.down(`key:${event.code}`, button); // auto-repeat is ignored: the key already holds it
      } else if (event.code === SUSTAIN_CODE) {
        event.preventDefault();
        if (!event.repeat) this.setSustain(true);
      } else if (RESET_CODES.includes(event.code)) {
        event.preventDefault();
        this.reset();
      }
    });
    document.addEventListener('keyup', (event) => {
      if (buttonForCode(event.code) !== null) this.tracker.up(`key:${event.code}`);
      else if (event.code === SUSTAIN_CODE) this.setSustain(false);
    });
    // Key-ups are lost when focus leaves the page: end everything rather than leave notes hanging.
    const letGo = () => {
      this.tracker.releaseAll();
      this.setSustain(false);
      this.notes.allOff();
    };
    window.addEventListener('blur', letGo);
    window.addEventListener('pagehide', () => {
      letGo();
      this.midi.allOff();
    });
    document.addEventListener('visibilitychange', () => document.hidden && letGo());
  }

  bindControls() {
    const temperature = $('#temperature');
    const shown = $('#temperature-value');
    temperature.value = String(this.temperature);
    const update = () => {
      this.temperature = Number(temperature.value);
      shown.textContent = this.temperature.toFixed(2);
    };
    temperature.addEventListener('input', update);
    update();
    const range = $('#range');
    for (const [name, {label}] of Object.entries(RANGES)) range.append(new Option(label, name));
    range.value = this.rangeName;
    range.addEventListener('change', () => this.setRange(range.value));
    const sound = $('#sound');
    sound.addEventListener('change', () => this.setSound(sound.value));
    $('#reset').addEventListener('click', () => this.reset());
    $('#check-parity').addEventListener('click', () => this.checkParity());
    const sustain = $('#sustain');
    sustain.addEventListener('pointerdown', () => this.setSustain(!this.notes.sustain));
    bindFullScreen($('#fullscreen'));
    // A control that keeps the focus after use would swallow the keys (space would press a focused button
    // again, letters would pick options in a list): hand the focus back to the page once a control is used.
    const controls = $('.controls');
    const handBack = (event) => {
      if (event.target.matches('select, button')) event.target.blur();
    };
    controls.addEventListener('change', handBack);
    controls.addEventListener('click', handBack);
  }

  /** `web --bridge`: serve's notes on the keyboard and its buttons lit; the page's own playing stays off. */
  showBridge(config) {
    document.body.classList.add('bridge');
    $('#instructions').textContent = 'This page shows the notes that pianogenie serve plays: each key lights in the '
      + 'colour of the button that played it. Its own buttons and decoder are off in this mode; open pianogenie web '
      + 'without --bridge to play in the browser.';
    const line = $('#bridge-status');
    line.hidden = false;
    return startBridge(config, {
      keyOn: (pitch, velocity, button) => this.display.on(pitch, velocity, button, BUTTON_COLOURS[button] ?? BUTTON_COLOURS[0]),
      keyOff: (pitch) => this.display.off(pitch),
      button: (button, down) => this.buttonElements[button]?.classList.toggle('down', down),
    }, line);
  }

  /** Below 700 px the display shows 3 octaves around the notes played; wider, the whole range. */
  followScreenWidth() {
    const narrow = window.matchMedia(NARROW_QUERY);
    const apply = () => this.display.setSpan(narrow.matches ? NARROW_SPAN : null);
    narrow.addEventListener('change', apply);
    apply();
  }
}

/** On a phone the browser's bars take a third of the screen: the whole screen for the buttons, landscape where the
 * phone lets a page lock it. Hidden where the browser has no full-screen mode (an iPhone's Safari). */
function bindFullScreen(button) {
  if (!document.fullscreenEnabled) return;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      if (document.fullscreenElement) {
        await document.exitFullscreen();
      } else {
        await document.documentElement.requestFullscreen({navigationUI: 'hide'});
        await screen.orientation?.lock?.('landscape').catch(() => {});  // desktops refuse: that is fine
      }
    } catch (err) {
      console.warn(`full screen refused: ${err.message}`);
    }
  });
  document.addEventListener('fullscreenchange', () => {
    button.classList.toggle('on', Boolean(document.fullscreenElement));
    button.textContent = document.fullscreenElement ? 'leave full screen' : 'full screen';
  });
}

async function main() {
  const status = $('#status');
  try {
    const query = new URLSearchParams(location.search);
    const backend = query.get('backend') ?? 'wasm';
    const seed = query.has('seed') ? Number(query.get('seed')) : null;
    const tf = await initTf(backend);
    status.textContent = 'loading model…';
    const genie = await PianoGenie.load(tf, MODEL_URL);
    const app = new App(tf, genie, seed);
    app.buildButtons();
    app.bindControls();
    app.setRange('full');
    app.followScreenWidth();
    const bridge = await bridgeConfig();
    if (bridge) {
      globalThis.genieBridge = app.showBridge(bridge);
    } else {
      app.bindPointer();
      app.bindKeys();
    }
    await app.midi.init();
    app.initSound(await soundFontInfo());
    $('#backend').textContent = tf.getBackend();
    status.textContent = 'ready';
    document.body.classList.add('ready');
    globalThis.genieApp = app;
  } catch (err) {
    // One message, and none of the half-built page (the CSS shows only the header and #error once failed).
    status.textContent = 'failed';
    $('#error-message').textContent = err.message;
    $('#error').hidden = false;
    document.body.classList.add('failed');
    throw err;
  }
}

main();
