// The piano keyboard display: white and black keys laid out in percentages of the container, so it scales to
// any width; a sounding note lights its key in the colour of the button that played it. On a narrow screen
// (a phone) 88 keys are too thin to read, so the display can show a window of 3 octaves that follows the notes
// being played, as the original demo does below 700 px. Every sounding note stays on screen: a chord wider than
// the window (two fingers far apart) widens it to hold both, and the next note that fits narrows it again.

const BLACK = new Set([1, 3, 6, 8, 10]); // pitch classes of the black keys
const isBlack = (pitch) => BLACK.has(pitch % 12);

// Below this width the display shows a window of NARROW_SPAN semitones (C to C, 37 keys), like the original demo.
export const NARROW_QUERY = '(max-width: 699.98px)';
export const NARROW_SPAN = 36;
// The window a narrow display opens on: C3-C6, around middle C.
const NARROW_START = 60;

export class PianoDisplay {
  constructor(container) {
    this.container = container;
    this.keys = new Map(); // pitch -> element, for the keys shown
    this.lit = new Map(); // pitch -> colour, for every sounding note, shown or not
    this.range = {low: 21, high: 108};
    this.span = null; // semitones shown at once, or null for the whole range
    this.shown = null;
  }

  /** The range the model plays in, from MIDI pitch `low` to `high` inclusive (both white keys). */
  render(low, high) {
    this.range = {low, high};
    this.lit.clear();
    this._show(this._windowFor(NARROW_START));
  }

  /** Shows at most `span` semitones at a time (null: the whole range); the window follows the notes. */
  setSpan(span) {
    this.span = span;
    const anchor = this.lit.size ? [...this.lit.keys()].at(-1) : NARROW_START;
    this._show(this._windowFor(anchor));
  }

  /** {low, high}: the pitches on screen. */
  shownRange() {
    return {...this.shown};
  }

  on(pitch, _velocity, _button, colour) {
    if (pitch < this.range.low || pitch > this.range.high) return;
    this.lit.set(pitch, colour);
    const outside = [...this.lit.keys()].some((p) => p < this.shown.low || p > this.shown.high);
    const widened = this.span !== null && this.shown.high - this.shown.low > this.span;
    const want = this._windowFor(pitch);
    if (outside || (widened && want.high - want.low <= this.span)) this._show(want);
    else this._light(pitch, colour);
  }

  off(pitch) {
    this.lit.delete(pitch);
    const key = this.keys.get(pitch);
    if (key) key.classList.remove('lit');
  }

  litPitches() {
    return [...this.lit.keys()].sort((a, b) => a - b);
  }

  /** The window for a new note `anchor` that also holds every sounding note, kept inside the range; ends on
   * white keys (C, or A0/C8). First choice: `anchor` in its middle octave; else one starting on the C at or below
   * the lowest note, or at a range end; where no window of `span` holds them all, the Cs around them (wider). */
  _windowFor(anchor) {
    const {low, high} = this.range;
    const span = this.span;
    if (span === null || high - low <= span) return {low, high};
    const pitches = [anchor, ...this.lit.keys()];
    const lo = Math.min(...pitches);
    const hi = Math.max(...pitches);
    const fits = (s) => s >= low && s + span <= high && s <= lo && s + span >= hi;
    const around = Math.min(Math.max(12 * Math.floor(anchor / 12) - 12, low), high - span);
    const start = [around, 12 * Math.floor(lo / 12), low, high - span].find(fits);
    if (start !== undefined) return {low: start, high: start + span};
    return {low: Math.max(low, 12 * Math.floor(lo / 12)), high: Math.min(high, 12 * Math.ceil(hi / 12))};
  }

  _show({low, high}) {
    this.shown = {low, high};
    this.container.replaceChildren();
    this.keys.clear();
    const whites = [];
    for (let p = low; p <= high; p++) if (!isBlack(p)) whites.push(p);
    const width = 100 / whites.length;
    let whiteIndex = 0;
    for (let pitch = low; pitch <= high; pitch++) {
      const key = document.createElement('div');
      key.dataset.pitch = String(pitch);
      if (isBlack(pitch)) {
        key.className = 'pkey black';
        key.style.left = `${whiteIndex * width - width * 0.32}%`;
        key.style.width = `${width * 0.64}%`;
      } else {
        key.className = 'pkey white';
        key.style.left = `${whiteIndex * width}%`;
        key.style.width = `${width}%`;
        whiteIndex += 1;
      }
      if (pitch === 60) key.classList.add('middle-c');
      this.container.append(key);
      this.keys.set(pitch, key);
    }
    for (const [pitch, colour] of this.lit) if (this.keys.has(pitch)) this._light(pitch, colour);
  }

  _light(pitch, colour) {
    const key = this.keys.get(pitch);
    key.classList.add('lit');
    key.style.setProperty('--lit', colour);
  }
}
