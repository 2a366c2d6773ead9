// Which input source (a keyboard key, a mouse or a finger) holds which button. Held keys are debounced (a
// repeated down for the button a source already holds does nothing), and a source that slides onto another
// button releases the first and presses the second, so every press is matched by exactly one release.

export class PressTracker {
  /** onPress(button) -> token (e.g. the note played); onRelease(token, button). */
  constructor({onPress, onRelease}) {
    this.onPress = onPress;
    this.onRelease = onRelease;
    this.held = new Map(); // source -> {button, token}
  }

  /** Returns true when this caused a press. */
  down(source, button) {
    const held = this.held.get(source);
    if (held && held.button === button) return false;
    if (held) this.up(source);
    // Mark the source as holding before the press runs, so a press that throws still gets no second press.
    const entry = {button, token: undefined};
    this.held.set(source, entry);
    try {
      entry.token = this.onPress(button);
    } catch (err) {
      this.held.delete(source);
      throw err;
    }
    return true;
  }

  /** Returns true when this caused a release. */
  up(source) {
    const held = this.held.get(source);
    if (!held) return false;
    this.held.delete(source);
    this.onRelease(held.token, held.button);
    return true;
  }

  has(source) {
    return this.held.has(source);
  }

  /** Releases everything (focus lost, reset): nothing may be left hanging. */
  releaseAll() {
    for (const source of [...this.held.keys()]) this.up(source);
  }
}
