// Sound: a Tone.js PolySynth of FMSynth voices. Tone is loaded by the page (node_modules/tone/build/Tone.js)
// and passed in. Every attack and release is also kept in a short log, which the page's tests read.

const LOG_LENGTH = 256;

export class FmSynth {
  constructor(Tone) {
    this.Tone = Tone;
    // No look-ahead: a press should sound now, not one scheduling quantum later.
    Tone.getContext().lookAhead = 0;
    this.meter = new Tone.Meter({normalRange: true, smoothing: 0});
    this.poly = new Tone.PolySynth(Tone.FMSynth, {
      harmonicity: 3,
      modulationIndex: 8,
      envelope: {attack: 0.005, decay: 0.3, sustain: 0.35, release: 1.0},
      modulationEnvelope: {attack: 0.005, decay: 0.2, sustain: 0.2, release: 0.6},
    });
    this.poly.maxPolyphony = 48;
    this.poly.volume.value = -10;
    this.poly.connect(this.meter);
    this.poly.toDestination();
    this.log = [];
  }

  /** Browsers start audio only after a user gesture; call from one. */
  async start() {
    if (this.Tone.getContext().state !== 'running') await this.Tone.start();
  }

  on(pitch, velocity) {
    const time = this.Tone.now();
    this.poly.triggerAttack(this.Tone.Frequency(pitch, 'midi').toFrequency(), time, velocity / 127);
    this._record('attack', pitch, time);
  }

  off(pitch) {
    const time = this.Tone.now();
    this.poly.triggerRelease(this.Tone.Frequency(pitch, 'midi').toFrequency(), time);
    this._record('release', pitch, time);
  }

  get activeVoices() {
    return this.poly.activeVoices;
  }

  /** The output level now, 0..1. */
  level() {
    return this.meter.getValue();
  }

  _record(type, pitch, time) {
    this.log.push({type, pitch, time});
    if (this.log.length > LOG_LENGTH) this.log.shift();
  }
}
