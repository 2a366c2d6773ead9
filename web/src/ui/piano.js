// The piano keyboard display: white and black keys laid out in percentages of the container, so it scales to
// any width; a sounding note lights its key in the colour of the button that played it.

const BLACK = new Set([1, 3, 6, 8, 10]); // pitch classes of the black keys
const isBlack = (pitch) => BLACK.has(pitch % 12);

export class PianoDisplay {
  constructor(container) {
    this.container = container;
    this.keys = new Map(); // pitch -> element
  }

  /** Draws the keys from MIDI pitch `low` to `high` inclusive (both should be white keys). */
  render(low, high) {
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
  }

  on(pitch, _velocity, _button, colour) {
    const key = this.keys.get(pitch);
    if (!key) return;
    key.classList.add('lit');
    key.style.setProperty('--lit', colour);
  }

  off(pitch) {
    const key = this.keys.get(pitch);
    if (key) key.classList.remove('lit');
  }

  litPitches() {
    return [...this.keys].filter(([, el]) => el.classList.contains('lit')).map(([pitch]) => pitch);
  }
}
