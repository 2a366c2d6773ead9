// Sound: a sampled piano, the General MIDI SoundFont that `pianogenie web` serves at /soundfont.sf2 (the same one
// the bridge's --synth piano plays), played by spessasynth_lib's AudioWorklet synthesizer (npm, Apache-2.0).
// The library (and spessasynth_core, stb-vorbis: see the import map in index.html) is loaded only when the piano
// is chosen. Same interface as FmSynth: start(), on(), off(), activeVoices, level(), log; plus frequency().

export const SOUNDFONT_URL = 'soundfont.sf2';
export const SOUNDFONT_INFO_URL = 'soundfont.json';
export const PROCESSOR_URL = 'node_modules/spessasynth_lib/dist/spessasynth_processor.min.js';
const LOG_LENGTH = 256;
const CHANNEL = 0; // General MIDI program 0 (Acoustic Grand Piano) on channel 1

/** What the server says about its SoundFont: {available, name, bytes, reason}. */
export async function soundFontInfo(base = document.baseURI) {
  try {
    const response = await fetch(new URL(SOUNDFONT_INFO_URL, base));
    if (!response.ok) return {available: false, reason: `the server has no ${SOUNDFONT_INFO_URL} (HTTP ${response.status})`};
    return await response.json();
  } catch (err) {
    return {available: false, reason: `cannot ask the server for its SoundFont (${err.message})`};
  }
}

export class SoundFontPiano {
  /** Loads the library, the worklet and the SoundFont; resolves once the piano can play. */
  static async load(base = document.baseURI) {
    const {WorkletSynthesizer} = await import('spessasynth_lib');
    const context = new AudioContext({latencyHint: 'interactive'});
    try {
      const response = await fetch(new URL(SOUNDFONT_URL, base));
      if (!response.ok) throw new Error(`${SOUNDFONT_URL}: HTTP ${response.status}`);
      const bank = await response.arrayBuffer();
      await context.audioWorklet.addModule(new URL(PROCESSOR_URL, base));
      const synth = new WorkletSynthesizer(context);
      await synth.isReady;
      await synth.soundBankManager.addSoundBank(bank, 'main');
      synth.programChange(CHANNEL, 0);
      return new SoundFontPiano(context, synth);
    } catch (err) {
      await context.close();
      throw err;
    }
  }

  constructor(context, synth) {
    this.context = context;
    this.synth = synth;
    this.analyser = new AnalyserNode(context, {fftSize: 16384, smoothingTimeConstant: 0});
    synth.connect(this.analyser);
    synth.connect(context.destination);
    this.sounding = new Set();
    this.log = [];
  }

  /** Browsers start audio only after a user gesture; call from one. */
  async start() {
    if (this.context.state !== 'running') await this.context.resume();
  }

  on(pitch, velocity) {
    this.synth.noteOn(CHANNEL, pitch, velocity);
    this.sounding.add(pitch);
    this._record('attack', pitch);
  }

  off(pitch) {
    this.synth.noteOff(CHANNEL, pitch);
    this.sounding.delete(pitch);
    this._record('release', pitch);
  }

  /** Held notes (the synth's own count, voiceCount, includes releasing voices and lags by a message). */
  get activeVoices() {
    return this.sounding.size;
  }

  /** The output level now, 0..1 (peak of the last analyser frame). */
  level() {
    const frame = new Float32Array(this.analyser.fftSize);
    this.analyser.getFloatTimeDomainData(frame);
    return frame.reduce((peak, x) => Math.max(peak, Math.abs(x)), 0);
  }

  /** The strongest frequency (Hz) in the output now, between lowHz and highHz. */
  frequency(lowHz = 20, highHz = 5000) {
    const bins = new Float32Array(this.analyser.frequencyBinCount);
    this.analyser.getFloatFrequencyData(bins);
    const hzPerBin = this.context.sampleRate / this.analyser.fftSize;
    let best = Math.ceil(lowHz / hzPerBin);
    for (let i = best; i < Math.min(bins.length - 1, highHz / hzPerBin); i++) if (bins[i] > bins[best]) best = i;
    // Parabolic interpolation between the neighbouring bins (dB) for a finer estimate.
    const [a, b, c] = [bins[best - 1], bins[best], bins[best + 1]];
    const shift = (a - c) / (2 * (a - 2 * b + c)) || 0;
    return (best + shift) * hzPerBin;
  }

  close() {
    this.synth.stopAll(true);
    this.synth.destroy();
    return this.context.close();
  }

  _record(type, pitch) {
    this.log.push({type, pitch, time: this.context.currentTime});
    if (this.log.length > LOG_LENGTH) this.log.shift();
  }
}
