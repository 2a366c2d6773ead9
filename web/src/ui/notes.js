// The notes that are sounding, with the sustain pedal. Several outputs (synth, MIDI, the key display) see
// the same on/off stream, and that stream never leaves a note hanging: a pitch struck again while it sounds is
// released first, a release while the pedal is down is deferred to the pedal's release, and allOff() ends
// everything.

export class Notes {
  /** outputs: objects with on(pitch, velocity, button) and off(pitch). */
  constructor(outputs = []) {
    this.outputs = outputs;
    this.sounding = new Map(); // pitch -> {held: count of presses holding it, button}
    this.sustain = false;
  }

  addOutput(output) {
    this.outputs.push(output);
  }

  start(pitch, velocity, button) {
    const note = this.sounding.get(pitch);
    if (note) this._emitOff(pitch);
    this.sounding.set(pitch, {held: (note?.held ?? 0) + 1, button});
    for (const out of this.outputs) out.on(pitch, velocity, button);
  }

  stop(pitch) {
    const note = this.sounding.get(pitch);
    if (!note || note.held === 0) return;
    note.held -= 1;
    if (note.held === 0 && !this.sustain) this._end(pitch);
  }

  setSustain(down) {
    this.sustain = down;
    if (down) return;
    for (const [pitch, note] of [...this.sounding]) if (note.held === 0) this._end(pitch);
  }

  allOff() {
    for (const pitch of [...this.sounding.keys()]) this._end(pitch);
  }

  _end(pitch) {
    this.sounding.delete(pitch);
    this._emitOff(pitch);
  }

  _emitOff(pitch) {
    for (const out of this.outputs) out.off(pitch);
  }
}
