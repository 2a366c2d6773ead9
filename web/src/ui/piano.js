// The piano keyboard display: white and black keys laid out in percentages of the container, so it scales to
// any width; a sounding note lights its key in the colour of the button that played it. On a narrow screen
// (a phone) 88 keys are too thin to read, so the display can show a window of 3 octaves that follows the notes
// being played, as the original demo does below 700 px.

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
    this._show(this._windowAround(NARROW_START));
  }

  /** Shows at most `span` semitones at a time (null: the whole range); the window follows the notes. */
  setSpan(span) {
    this.span = span;
    const anchor = this.lit.size ? [...this.lit.keys()].at(-1) : NARROW_START;
    this._show(this._windowAround(anchor));
  }

  /** {low, high}: the pitches on screen. */
  shownRange() {
    return {...this.shown};
  }

  on(pitch, _velocity, _button, colour) {
    if (pitch < this.range.low || pitch > this.range.high) return;
    this.lit.set(pitch, colour);
    if (pitch < this.shown.low || pitch > this.shown.high) this._show(this._windowAround(pitch));
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

  /** The window holding `pitch` in its middle octave, kept inside the range; ends on white keys (C, or A0/C8). */
  _windowAround(pitch) {
    const {low, high} = this.range;
    if (this.span === null || high - low <= this.span) return {low, high};
    const start = Math.min(Math.max(12 * Math.floor(pitch / 12) - 12, low), high - this.span);
    return {low: start, high: start + this.span};
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
