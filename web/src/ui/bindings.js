// The computer-keyboard layout: two rows for the 8 buttons, space for sustain, 0 for reset. KeyboardEvent.code
// names physical keys, so the layout works the same on any keyboard language.

export const BUTTON_CODES = Object.freeze([
  ['Digit1', 'KeyA'], ['Digit2', 'KeyS'], ['Digit3', 'KeyD'], ['Digit4', 'KeyF'],
  ['Digit5', 'KeyJ'], ['Digit6', 'KeyK'], ['Digit7', 'KeyL'], ['Digit8', 'Semicolon'],
]);
export const BUTTON_LABELS = Object.freeze(['1 a', '2 s', '3 d', '4 f', '5 j', '6 k', '7 l', '8 ;']);
export const SUSTAIN_CODE = 'Space';
export const RESET_CODES = Object.freeze(['Digit0', 'Numpad0']);

const CODE_TO_BUTTON = new Map(BUTTON_CODES.flatMap((codes, button) => codes.map((code) => [code, button])));

/** The button (0..7) a key code plays, or null. */
export function buttonForCode(code) {
  return CODE_TO_BUTTON.get(code) ?? null;
}

// One colour per button, low to high, used for the button and for the keys it lights.
export const BUTTON_COLOURS = Object.freeze([
  '#ee2b29', '#ff9800', '#ffd600', '#8bc34a', '#00c9d6', '#2979ff', '#7c4dff', '#d500f9',
]);
