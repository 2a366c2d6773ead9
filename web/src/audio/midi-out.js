// Web MIDI output with a device choice. Where the browser offers no Web MIDI (or refuses it, or has no output
// device) the choice stays hidden and nothing else changes; it appears when a device is plugged in. Notes go
// out on channel 1; changing device ends every note sent, so a synth is never left with a hanging note.

const NOTE_ON = 0x90;
const NOTE_OFF = 0x80;
const CONTROL_CHANGE = 0xb0;
const ALL_NOTES_OFF = 123;
const ACCESS_TIMEOUT_MS = 3000;

export class MidiOut {
  constructor(select) {
    this.select = select;
    this.access = null;
    this.output = null;
    this.sounding = new Set();
  }

  /** Asks for Web MIDI; resolves to true when access was granted, false when the option stays hidden. */
  async init(navigatorLike = globalThis.navigator) {
    if (typeof navigatorLike?.requestMIDIAccess !== 'function') return false;
    try {
      const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), ACCESS_TIMEOUT_MS));
      this.access = await Promise.race([navigatorLike.requestMIDIAccess({sysex: false}), timeout]);
    } catch {
      return false;
    }
    this.access.onstatechange = () => this._refresh();
    this.select.addEventListener('change', () => this._choose(this.select.value));
    this._refresh();
    return true;
  }

  _refresh() {
    const current = this.output?.id ?? '';
    const options = [new Option('none', '')];
    for (const output of this.access.outputs.values()) options.push(new Option(output.name || output.id, output.id));
    this.select.replaceChildren(...options);
    this.select.value = [...this.access.outputs.keys()].includes(current) ? current : '';
    if (this.select.value !== current) this._choose(this.select.value);
    this.select.closest('[data-midi]').hidden = this.access.outputs.size === 0;
  }

  _choose(id) {
    this.allOff();
    this.output = id ? this.access.outputs.get(id) ?? null : null;
  }

  on(pitch, velocity) {
    if (!this.output) return;
    this.output.send([NOTE_ON, pitch, Math.max(1, Math.min(127, Math.round(velocity)))]);
    this.sounding.add(pitch);
  }

  off(pitch) {
    if (!this.output || !this.sounding.has(pitch)) return;
    this.output.send([NOTE_OFF, pitch, 0]);
    this.sounding.delete(pitch);
  }

  allOff() {
    if (!this.output) return;
    for (const pitch of this.sounding) this.output.send([NOTE_OFF, pitch, 0]);
    this.sounding.clear();
    this.output.send([CONTROL_CHANGE, ALL_NOTES_OFF, 0]);
  }
}
