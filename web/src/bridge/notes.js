// The notes serve plays, as its websocket reports them: each performer's note-ons and note-offs (addressed as
// /bridge.json lists them) become key lights and button lights. A key stays lit while any performer sounds it,
// and a button while any of its notes sounds. A message that is no note of the right shape is refused (counted by
// the caller), never half-applied.

const isInt = (value) => Number.isInteger(value);

export class BridgeNotes {
  /** table: [{performer, on, off}] (the addresses); outputs: {keyOn(pitch, velocity, button), keyOff(pitch),
   * button(button, down)}. */
  constructor(table, outputs) {
    this.outputs = outputs;
    this.routes = new Map();
    for (const {performer, on, off} of table) {
      this.routes.set(on, {performer, on: true});
      this.routes.set(off, {performer, on: false});
    }
    this.sounding = new Map(); // `${performer}:${pitch}` -> button
    this.keyHolders = new Map(); // pitch -> count of performers sounding it
    this.buttonNotes = new Map(); // button -> count of notes it sounds
    this.received = 0;
  }

  /** Whether this address is one of the note addresses. */
  has(address) {
    return this.routes.has(address);
  }

  /** {address, types, args} of a note address -> true when applied; false when its arguments are not a note's. */
  apply({address, args}) {
    const route = this.routes.get(address);
    if (!route) return false;
    const [pitch, second, third] = args;
    const wanted = route.on ? 3 : 2;
    if (args.length !== wanted || !args.every(isInt) || pitch < 0 || pitch > 127) return false;
    this.received += 1;
    if (route.on) this._on(route.performer, pitch, second, third);
    else this._off(route.performer, pitch);
    return true;
  }

  _on(performer, pitch, velocity, button) {
    const key = `${performer}:${pitch}`;
    if (this.sounding.has(key)) this._off(performer, pitch); // struck again: serve sends the off first anyway
    this.sounding.set(key, button);
    this._count(this.buttonNotes, button, +1, (down) => this.outputs.button(button, down));
    this._count(this.keyHolders, pitch, +1, () => this.outputs.keyOn(pitch, velocity, button));
  }

  _off(performer, pitch) {
    const key = `${performer}:${pitch}`;
    if (!this.sounding.has(key)) return; // an off for a note struck before this page connected
    const button = this.sounding.get(key);
    this.sounding.delete(key);
    this._count(this.buttonNotes, button, -1, (down) => this.outputs.button(button, down));
    this._count(this.keyHolders, pitch, -1, () => this.outputs.keyOff(pitch));
  }

  /** Adds delta to counts[item]; calls changed(down) when the item goes from 0 to 1 or from 1 to 0. */
  _count(counts, item, delta, changed) {
    const before = counts.get(item) ?? 0;
    const after = before + delta;
    if (after) counts.set(item, after);
    else counts.delete(item);
    if ((before === 0) !== (after === 0)) changed(after > 0);
  }

  /** Every light off: the connection is gone, so its note-offs may never come. */
  clear() {
    for (const key of [...this.sounding.keys()]) {
      const [performer, pitch] = key.split(':').map(Number);
      this._off(performer, pitch);
    }
  }

  /** [pitch] sounding now, ascending. */
  pitches() {
    return [...this.keyHolders.keys()].sort((a, b) => a - b);
  }
}
