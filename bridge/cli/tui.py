"""`play`'s live view (the [tui] extra, textual): the 8 buttons, lit while held; the notes sounding; temperature,
range, gate, sustain, model, latency and the take being recorded; a clickable control for every action. Keys do
what bridge/cli/keys.py binds them to, through the same KeyboardPlayer as the plain view.

The view reads the bridge's state a few times a second under its lock (a MIDI controller's thread changes it
too) and draws only what changed; a press is sent the moment its key arrives, never at a redraw."""

from __future__ import annotations

import gc
import math
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Static

from pianogenie.engine.constants import NUM_BUTTONS

from ..models import model_name
from ..timing import now as clock
from . import keys as k
from .player import KeyboardPlayer, note_name

REDRAW_S = 1 / 20  # the view's refresh: fast enough to see a gated note light and go out
CONTROL_ROW = 4     # controls per row: a label and its key fit a quarter of an 80-column terminal


class Pad(Button, can_focus=False):
    """A clickable button that never takes the focus: space must stay the sustain pedal, not "click"."""


def control_id(action: str) -> str:
    """The widget id of an action's control (ids take no + or -)."""
    return "do-" + action.replace("+", "_up").replace("-", "_down")


def pad_label(button: int, pitch: int | None) -> str:
    keys = " ".join(row[button] for row in k.BUTTON_KEYS)
    return f"{keys}\n{note_name(pitch) if pitch is not None else '·'}"


class LiveView(App, inherit_bindings=False):
    CSS = """
    Screen { layout: vertical; }
    #pads, .controls { height: auto; }
    .pad { width: 1fr; min-width: 6; height: 4; }
    .pad.lit { background: $success; color: $text; text-style: bold; }
    .control { width: 1fr; min-width: 6; height: 1; border: none; margin: 0 1 0 0; }
    .control.on { background: $warning; }
    Static { height: auto; padding: 0 1; }
    #title { text-style: bold; }
    """
    # Only q and Ctrl-C quit, as in the plain view: textual's own bindings (Ctrl-Q quits, Ctrl-C says how to) are
    # not inherited. Raw mode makes Ctrl-C a key.
    BINDINGS = [Binding("ctrl+c", "leave", show=False, priority=True)]
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, bridge: Any, gate: float, stop: list, lines: list[tuple[str, str]] = ()):
        super().__init__()
        self.bridge = bridge
        self.stop = stop
        self.lines = list(lines)
        self.said = ""
        self.player = KeyboardPlayer(bridge, gate, say=self._say)
        self._shown: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        yield Static("Piano Genie", id="title")
        with Horizontal(id="pads"):
            for button in range(NUM_BUTTONS):
                yield Pad(pad_label(button, None), id=f"pad{button}", classes="pad")
        yield Static("", id="notes")
        yield Static("", id="state")
        yield Static("", id="take")
        for row in range(0, len(k.HELP), CONTROL_ROW):
            with Horizontal(classes="controls"):
                for action, keys, label in k.HELP[row:row + CONTROL_ROW]:
                    yield Pad(f"{label}  {keys}", id=control_id(action), classes="control", name=action)
        yield Static("", id="said")
        yield Static("\n".join(f"{name:<11} {line}" for name, line in self.lines), id="lines")

    def on_mount(self) -> None:
        self.set_interval(REDRAW_S, self.redraw)
        self.redraw()

    # --- input -------------------------------------------------------------------------------------------------

    def on_key(self, event: Any) -> None:
        character = event.character
        key = character if character and (character.isprintable() or character == "\x03") else event.key
        event.stop()
        event.prevent_default()
        self._act(k.binding(key))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button
        self._act(int(button.id[3:]) if button.id.startswith("pad") else button.name)

    def action_leave(self) -> None:
        self._act(k.QUIT)

    def _act(self, action: int | str | None) -> None:
        if not self.player.act(action, clock()):
            self.exit()
            return
        due = self.player.next_due()
        if due is not None:  # the gate's release, on time however slowly the view redraws
            self.set_timer(max(0.0, due - clock()), self._release)
        self.redraw()

    def _release(self) -> None:
        self.player.due(clock())
        self.redraw()

    def _say(self, line: str) -> None:
        self.said = line

    # --- drawing -----------------------------------------------------------------------------------------------

    def redraw(self) -> None:
        if self.stop:  # a stop signal (kill, a hang-up): end as q does
            self.exit()
            return
        view = self.snapshot()
        for button in range(NUM_BUTTONS):
            pitch = view["held"].get(button)
            if self._changed(f"pad{button}", pitch):
                pad = self.query_one(f"#pad{button}", Pad)
                pad.label = pad_label(button, pitch)
                pad.set_class(pitch is not None, "lit")
        if self._changed("sustain", view["sustain"]):
            self.query_one(f"#{control_id(k.SUSTAIN)}", Pad).set_class(view["sustain"], "on")
        for name in ("title", "notes", "state", "take", "said"):
            if self._changed(name, view[name]):
                self.query_one(f"#{name}", Static).update(view[name])

    def _changed(self, name: str, value: Any) -> bool:
        if name in self._shown and self._shown[name] == value:
            return False
        self._shown[name] = value
        return True

    def snapshot(self) -> dict[str, Any]:
        """What the view shows, read at once under the bridge's lock."""
        bridge, player = self.bridge, self.player
        with bridge.lock:
            performer = bridge.performers.get(0)
            held = dict(performer.held) if performer is not None else {}
            sounding = sorted(performer.sounding) if performer is not None else []
            sustain = performer.sustain if performer is not None else False
            model, loading = model_name(bridge.genie), bridge.loading
            presses = bridge.counters.presses
        p50, p99 = bridge.latency_percentiles()
        library = bridge.library
        models = f"; m: next of {', '.join(library.names())}" if library is not None else ""
        latency = "no press yet" if math.isnan(p50) else f"p50 {p50:.0f} us, p99 {p99:.0f} us"
        return {
            "held": held, "sustain": sustain,
            "title": f"Piano Genie   model {model}" + (f" (loading {loading})" if loading else "") + models,
            "notes": "sounding  " + (" ".join(f"{note_name(pitch)}" for pitch in sounding) or "-"),
            "state": f"temperature {player.temperature:.2f}   range {player.window.describe()}   "
                     f"gate {player.gate:.2f} s   sustain {'on' if sustain else 'off'}\n"
                     f"latency   {latency} (key -> note sent)",
            "take": self._take(presses),
            "said": self.said,
        }

    def _take(self, presses: int) -> str:
        recorder = self.bridge.recorder
        if recorder is None:
            return "take      not recording (--record FILE keeps one)"
        return f"take      REC {recorder.path.name}: {presses} presses, {clock() - recorder.start:.0f} s"


def play_live(run: Any, gate: float, stop: list) -> None:
    """The live view until q, Ctrl-C or a stop signal; the run's outputs are open."""
    app = LiveView(run.bridge, gate, stop, [("model dir", str(run.genie.model_dir)), *run.lines])
    gc.collect()
    gc.freeze()  # as in serve: no full collection stalls a key press
    app.run(mouse=True)
