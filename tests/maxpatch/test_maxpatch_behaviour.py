"""maxpatch/pianogenie.maxpat and the [pianogenie-osc] abstraction inside its help file, played: a small model of Max's
message passing runs the patches' own boxes and lines.

Max does not run here. The structure tests (test_maxpatch.py) check that every line joins real inlets and outlets;
this file checks that the wiring does what the patch promises: a key or a mouse-down becomes `/genie/press 0`, the
auto-repeat of a held key is dropped, a note from the bridge reaches [noteout] and the keyboard display, panic
silences what is sounding, and the status reply fills the status line with the latency.

The model covers only the object classes the patch uses, with their documented behaviour (Max 8 reference pages):
messages travel depth-first; an object with several outlets fires them right to left; a message box outputs its
contents with $1..$n replaced by the incoming values and takes `set ...` to change them; [route] strips the matched
selector; [flush] remembers note-ons and answers a bang with their note-offs; [udpsend] turns a message whose
selector is an OSC address into an OSC message with int, float and string arguments, and takes `host` and `port`;
an abstraction's box passes what reaches its nth inlet out of the nth [inlet] inside it (counted left to right), and
what reaches the nth [outlet] inside out of the box's nth outlet; [patcherargs] outputs the box's arguments over its
own defaults when the patch loads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from pianogenie.bridge.protocol import (
    DEFAULT_HOST,
    DEFAULT_LISTEN_PORT,
    DEFAULT_REPLY_PORT,
    IN_KEYS,
    IN_MODELS,
    IN_PANIC,
    IN_PEDAL,
    IN_PRESS,
    IN_RANGE,
    IN_RELEASE,
    IN_RESET,
    IN_STATUS,
    IN_TEMPERATURE,
    OUT_ERROR,
    OUT_NOTEOFF,
    OUT_NOTEON,
    OUT_STATUS,
    STATUS_FIELDS,
)
from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH, NUM_BUTTONS

MAXPATCH = Path(__file__).resolve().parents[2] / "maxpatch"
PATCH = MAXPATCH / "pianogenie.maxpat"
HELP = MAXPATCH / "pianogenie-osc.maxhelp"

Message = tuple[str, list]  # (selector, arguments): ("int", [3]), ("list", [1, 2]), ("bang", []), ("/genie/press", [3])


def atom(text: str):
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def message_from_atoms(atoms: list) -> Message:
    """How Max types a message made of atoms: a leading symbol is the selector."""
    if not atoms:
        return ("bang", [])
    if isinstance(atoms[0], str):
        return (atoms[0], list(atoms[1:]))
    if len(atoms) == 1:
        return ("int" if isinstance(atoms[0], int) else "float", list(atoms))
    return ("list", list(atoms))


def atoms_of(message: Message) -> list:
    selector, args = message
    if selector in ("int", "float", "list"):
        return list(args)
    if selector == "bang":
        return []
    return [selector, *args]


class MaxPatch:
    """The patch's boxes and lines, with just enough of each object's behaviour to pass messages through them."""

    def __init__(self, path: Path, parent: tuple["MaxPatch", str] | None = None, arguments: list | None = None) -> None:
        patcher = json.loads(path.read_text())["patcher"]
        self.boxes = {entry["box"]["id"]: entry["box"] for entry in patcher["boxes"]}
        # Inside an abstraction: the patch and box holding it, and the box's creation arguments.
        self.parent = parent
        self.arguments = arguments or []
        self.out = defaultdict(list)  # (box, outlet) -> [(box, inlet)]
        for entry in patcher["lines"]:
            (src, outlet), (dst, inlet) = entry["patchline"]["source"], entry["patchline"]["destination"]
            self.out[(src, outlet)].append((dst, inlet))
        # Max orders a fan-out right to left by the destinations' positions.
        for targets in self.out.values():
            targets.sort(key=lambda t: -self.boxes[t[0]]["patching_rect"][0])
        self.state: dict[str, dict] = defaultdict(dict)
        self.osc: list[tuple[str, list]] = []          # what [udpsend] sent
        self.midi: list[tuple[int, int, int]] = []     # (pitch, velocity, channel) at [noteout]
        self.midi_port: str | None = None
        self.printed: list[tuple[str, list]] = []      # what [print NAME] printed
        self.udpsend: dict[str, object] = {}          # [udpsend]'s host and port
        self.udpreceive_port: int | None = None
        # An object box whose class is a patcher file next to this one is an abstraction: its own MaxPatch.
        self.children: dict[str, MaxPatch] = {}
        for bid, box in self.boxes.items():
            if box["maxclass"] == "newobj" and (path.parent / f"{box['text'].split()[0]}.maxpat").is_file():
                words = [atom(w) for w in box["text"].split()]
                self.children[bid] = MaxPatch(path.parent / f"{words[0]}.maxpat", (self, bid), words[1:])

    # ------------------------------------------------------------------------------------------ finding boxes
    def find(self, maxclass: str, text: str | None = None) -> list[str]:
        found = []
        for bid, box in self.boxes.items():
            if box["maxclass"] == "newobj":
                if maxclass == box["text"].split()[0] and (text is None or box["text"] == text):
                    found.append(bid)
            elif box["maxclass"] == maxclass and (text is None or box.get("text") == text):
                found.append(bid)
        return found

    def only(self, maxclass: str, text: str | None = None) -> str:
        (bid,) = self.find(maxclass, text)
        return bid

    # ------------------------------------------------------------------------------------------ message passing
    def emit(self, bid: str, outlet: int, message: Message) -> None:
        for dst, inlet in self.out[(bid, outlet)]:
            self.receive(dst, inlet, message)

    def emit_right_to_left(self, bid: str, values: list) -> None:
        for outlet in reversed(range(len(values))):
            value = values[outlet]
            self.emit(bid, outlet, value if isinstance(value, tuple) else message_from_atoms([value]))

    def ports(self, maxclass: str) -> list[str]:
        """[inlet] or [outlet] boxes in Max's order: left to right."""
        return sorted(self.find(maxclass), key=lambda b: self.boxes[b]["patching_rect"][0])

    def receive(self, bid: str, inlet: int, message: Message) -> None:
        if bid in self.children:
            child = self.children[bid]
            child.emit(child.ports("inlet")[inlet], 0, message)
            return
        box = self.boxes[bid]
        cls = box["maxclass"] if box["maxclass"] != "newobj" else box["text"].split()[0]
        args = [atom(a) for a in box.get("text", "").split()[1:]] if box["maxclass"] == "newobj" else []
        state = self.state[bid]
        selector, values = message
        handler = getattr(self, "_" + {"-": "minus", "+": "plus"}.get(cls, cls), None)
        assert handler is not None, f"no model for [{cls}]"
        handler(bid, box, args, state, inlet, selector, values)

    # One method per Max class: (box id, box, creation arguments, state, inlet, selector, values).
    def _message(self, bid, box, args, state, inlet, selector, values):
        if selector == "set":
            box["text"] = " ".join(str(v) for v in values)
            return
        incoming = atoms_of((selector, values))
        text = box["text"]
        for i, value in enumerate(incoming, start=1):
            text = text.replace(f"${i}", str(value))
        self.emit(bid, 0, message_from_atoms([atom(w) for w in text.split()]))

    def _prepend(self, bid, box, args, state, inlet, selector, values):
        self.emit(bid, 0, message_from_atoms(args + atoms_of((selector, values))))

    def _udpsend(self, bid, box, args, state, inlet, selector, values):
        if selector in ("host", "port"):
            (self.udpsend[selector],) = values
            return
        assert selector.startswith("/"), f"[udpsend] got {selector} {values}: not an OSC address"
        self.osc.append((selector, list(values)))

    def _udpreceive(self, bid, box, args, state, inlet, selector, values):
        assert selector == "port", f"[udpreceive] got {selector} {values}"
        (self.udpreceive_port,) = values

    def _outlet(self, bid, box, args, state, inlet, selector, values):
        parent, parent_box = self.parent
        parent.emit(parent_box, self.ports("outlet").index(bid), (selector, values))

    def _print(self, bid, box, args, state, inlet, selector, values):
        self.printed.append((args[0], atoms_of((selector, values))))

    def _arith(self, bid, args, state, inlet, values, op):
        if inlet == 1:
            state["right"] = values[0]
            return
        right = state.get("right", args[0] if args else 0)
        self.emit(bid, 0, message_from_atoms([op(int(values[0]), right)]))

    def _minus(self, bid, box, args, state, inlet, selector, values):
        self._arith(bid, args, state, inlet, values, lambda a, b: a - b)

    def _plus(self, bid, box, args, state, inlet, selector, values):
        self._arith(bid, args, state, inlet, values, lambda a, b: a + b)

    def _split(self, bid, box, args, state, inlet, selector, values):
        low, high = args
        value = values[0]
        self.emit(bid, 0 if low <= value <= high else 1, message_from_atoms([value]))

    def _change(self, bid, box, args, state, inlet, selector, values):
        last = state.get("last", args[0] if args else 0)
        if values[0] != last:
            state["last"] = values[0]
            self.emit(bid, 0, message_from_atoms([values[0]]))

    def _t(self, bid, box, args, state, inlet, selector, values):
        incoming = atoms_of((selector, values))
        outputs = []
        for kind in args:
            if kind == "b":
                outputs.append(("bang", []))
            elif kind == "i":
                outputs.append(message_from_atoms([int(incoming[0])]))
            elif kind == "f":
                outputs.append(message_from_atoms([float(incoming[0])]))
            elif kind == "l":
                outputs.append(message_from_atoms(incoming))
            else:  # a number argument outputs that number
                outputs.append(message_from_atoms([kind]))
        self.emit_right_to_left(bid, outputs)

    def _unpack(self, bid, box, args, state, inlet, selector, values):
        incoming = atoms_of((selector, values))
        self.emit_right_to_left(bid, incoming[:len(args)])

    def _pak(self, bid, box, args, state, inlet, selector, values):
        held = state.setdefault("values", list(args))
        held[inlet] = type(args[inlet])(values[0])
        self.emit(bid, 0, ("list", list(held)))

    def _route(self, bid, box, args, state, inlet, selector, values):
        if selector == "bang" and "bang" in args:
            self.emit(bid, args.index("bang"), ("bang", []))
            return
        incoming = atoms_of((selector, values))
        for outlet, name in enumerate(args):
            if incoming and incoming[0] == name:
                self.emit(bid, outlet, message_from_atoms(incoming[1:]))
                return
        self.emit(bid, len(args), (selector, values))

    def _zl(self, bid, box, args, state, inlet, selector, values):
        mode, size = args
        assert mode == "iter"
        incoming = atoms_of((selector, values))
        for i in range(0, len(incoming), size):
            self.emit(bid, 0, message_from_atoms(incoming[i:i + size]))

    def _flush(self, bid, box, args, state, inlet, selector, values):
        held = state.setdefault("held", [])
        if inlet == 1:
            state["velocity"] = values[0]
            return
        if selector == "bang":
            for pitch in list(held):
                self.emit_right_to_left(bid, [pitch, 0])
            held.clear()
            return
        pitch, velocity = values[0], state.get("velocity", 0)
        if velocity > 0:
            held.append(pitch)
        elif pitch in held:
            held.remove(pitch)
        self.emit_right_to_left(bid, [pitch, velocity])

    def _noteout(self, bid, box, args, state, inlet, selector, values):
        if inlet == 0 and selector not in ("int", "float"):
            self.midi_port = " ".join(str(a) for a in atoms_of((selector, values)))
        elif inlet == 0:
            self.midi.append((values[0], state.get("velocity", 0), state.get("channel", 1)))
        elif inlet == 1:
            state["velocity"] = values[0]
        else:
            state["channel"] = values[0]

    def _kslider(self, bid, box, args, state, inlet, selector, values):
        held = state.setdefault("held", set())
        if inlet == 1:
            state["velocity"] = values[0]
        elif state.get("velocity", 0) > 0:
            held.add(values[0])
        else:
            held.discard(values[0])

    def _number(self, bid, box, args, state, inlet, selector, values):
        if selector == "set":
            state["value"] = values[0]
            return
        value = int(values[0])
        value = max(box.get("minimum", value), min(box.get("maximum", value), value))
        state["value"] = value
        self.emit(bid, 0, message_from_atoms([value]))

    def _flonum(self, bid, box, args, state, inlet, selector, values):
        if selector != "set":
            state["value"] = float(values[0])

    def _dial(self, bid, box, args, state, inlet, selector, values):
        value = float(values[0])
        state["value"] = value
        if selector != "set":
            self.emit(bid, 0, message_from_atoms([value]))

    def _toggle(self, bid, box, args, state, inlet, selector, values):
        state["value"] = 1 if values and values[0] else 0
        self.emit(bid, 0, message_from_atoms([state["value"]]))

    def _metro(self, bid, box, args, state, inlet, selector, values):
        state["running"] = selector == "bang" or bool(values and values[0])

    def _midiinfo(self, bid, box, args, state, inlet, selector, values):
        pass  # no MIDI devices here; the menu stays empty until the user's system fills it

    def _comment(self, bid, box, args, state, inlet, selector, values):
        pass

    # ------------------------------------------------------------------------------------------ the user and the world
    def load(self) -> None:
        for child in self.children.values():
            child.load()
        for bid in self.find("patcherargs"):
            defaults = [atom(a) for a in self.boxes[bid]["text"].split()[1:]]
            self.emit(bid, 0, ("list", self.arguments + defaults[len(self.arguments):]))
        for bid in self.find("loadbang"):
            self.emit(bid, 0, ("bang", []))

    def key(self, ascii_code: int, up: bool = False) -> None:
        self.emit(self.only("keyup" if up else "key"), 0, message_from_atoms([ascii_code]))

    def mouse(self, bid: str, down: bool) -> None:
        # ubutton: the left-middle outlet bangs on mouse-down, the left one on mouse-up.
        self.emit(bid, 1 if down else 0, ("bang", []))

    def click(self, bid: str) -> None:
        box = self.boxes[bid]
        if box["maxclass"] == "toggle":
            self.receive(bid, 0, message_from_atoms([1 - self.state[bid].get("value", 0)]))
        else:  # a textbutton in button mode
            self.emit(bid, 0, ("bang", []))

    def tick(self, metro: str) -> None:
        assert self.state[metro].get("running"), "the metro was never started"
        self.emit(metro, 0, ("bang", []))

    def from_bridge(self, address: str, *args) -> None:
        self.emit(self.only("udpreceive"), 0, (address, list(args)))

    def take_osc(self) -> list[tuple[str, list]]:
        sent, self.osc = self.osc, []
        return sent


@pytest.fixture
def patch() -> MaxPatch:
    patch = MaxPatch(PATCH)
    patch.load()
    return patch


def test_opening_the_patch_sends_nothing_and_starts_the_status_poll(patch):
    assert patch.take_osc() == []
    metro = patch.only("metro")
    patch.tick(metro)
    assert patch.take_osc() == [(IN_STATUS, [])]


def test_keys_1_to_8_press_and_release_buttons_0_to_7(patch):
    for button in range(NUM_BUTTONS):
        code = ord("1") + button
        patch.key(code)
        patch.key(code)  # a held key's auto-repeat
        patch.key(code, up=True)
        assert patch.take_osc() == [(IN_PRESS, [button]), (IN_RELEASE, [button])]
    for other in (ord("0"), ord("9"), ord("a"), ord(" ")):
        patch.key(other)
        patch.key(other, up=True)
    assert patch.take_osc() == []


def test_two_held_keys_release_independently(patch):
    patch.key(ord("2"))
    patch.key(ord("5"))
    patch.key(ord("2"), up=True)
    patch.key(ord("5"), up=True)
    assert patch.take_osc() == [(IN_PRESS, [1]), (IN_PRESS, [4]), (IN_RELEASE, [1]), (IN_RELEASE, [4])]


def test_mouse_down_presses_and_mouse_up_releases_each_button(patch):
    for bid in patch.find("ubutton"):
        patch.mouse(bid, down=True)
        (address, (button,)), = patch.take_osc()
        assert address == IN_PRESS
        patch.mouse(bid, down=False)
        assert patch.take_osc() == [(IN_RELEASE, [button])]


def test_controls_send_pedal_temperature_range_reset_panic(patch):
    patch.click(patch.only("toggle"))
    patch.click(patch.only("toggle"))
    assert patch.take_osc() == [(IN_PEDAL, [1]), (IN_PEDAL, [0])]

    patch.receive(patch.only("dial"), 0, ("float", [0.6]))
    assert patch.take_osc() == [(IN_TEMPERATURE, [0.6])]

    low, high = sorted((b for b in patch.find("number") if patch.boxes[b]["minimum"] == LOWEST_PITCH),
                       key=lambda b: patch.boxes[b]["patching_rect"][0])
    patch.receive(low, 0, ("int", [40]))
    patch.receive(high, 0, ("int", [80]))
    patch.receive(low, 0, ("int", [5]))   # below the piano: clipped to its lowest key
    assert patch.take_osc() == [(IN_RANGE, [40, HIGHEST_PITCH]), (IN_RANGE, [40, 80]), (IN_RANGE, [LOWEST_PITCH, 80])]

    patch.click(patch.only("textbutton", "reset"))
    patch.click(patch.only("textbutton", "panic"))
    assert patch.take_osc() == [(IN_RESET, []), (IN_PANIC, [])]


def test_notes_from_the_bridge_reach_noteout_and_the_keyboard(patch):
    kslider = patch.only("kslider")
    patch.from_bridge(OUT_NOTEON, 64, 90, 3)
    patch.from_bridge(OUT_NOTEON, 40, 100, 0)
    assert patch.state[kslider]["held"] == {64, 40}
    patch.from_bridge(OUT_NOTEOFF, 64, 3)
    assert patch.midi == [(64, 90, 1), (40, 100, 1), (64, 0, 1)]
    assert patch.state[kslider]["held"] == {40}

    # Panic: the bridge is told, and the note still sounding is silenced here at once.
    patch.click(patch.only("textbutton", "panic"))
    assert patch.take_osc() == [(IN_PANIC, [])]
    assert patch.midi[-1] == (40, 0, 1)
    assert patch.state[kslider]["held"] == set()


def test_midi_channel_and_port_choices_reach_noteout(patch):
    channel = next(b for b in patch.find("number") if patch.boxes[b]["maximum"] == 16)
    patch.receive(channel, 0, ("int", [5]))
    patch.from_bridge(OUT_NOTEON, 60, 100, 0)
    assert patch.midi[-1] == (60, 100, 5)
    patch.emit(patch.only("umenu"), 1, ("IAC", ["Driver", "Bus", 1]))  # the user picks a port
    assert patch.midi_port == "IAC Driver Bus 1"


def test_status_reply_fills_the_status_line_with_latency(patch):
    fields = {name: i for i, name in enumerate(STATUS_FIELDS)}
    fields.update(latency_p50_us=118.5, latency_p99_us=240.25, notes_on=42, errors=3, model="default")
    pairs = [x for name in STATUS_FIELDS for x in (name, fields[name])]
    patch.from_bridge(OUT_STATUS, *pairs)
    shown = [box["text"] for box in patch.boxes.values()
             if box.get("presentation") == 1 and box["maxclass"] == "message" and "latency" in box["text"]]
    assert shown == ["bridge latency p50 118.5 us / p99 240.25 us - notes 42 - errors 3"]

    patch.from_bridge(OUT_ERROR, "/genie/press: button must be 0..7, got 9")
    errors = [box["text"] for box in patch.boxes.values() if box.get("text", "").startswith("error:")]
    assert errors == ["error: /genie/press: button must be 0..7, got 9"]


# ---------------------------------------------------------------------------------------------- [pianogenie-osc]


@pytest.fixture
def help_patch() -> MaxPatch:
    patch = MaxPatch(HELP)
    patch.load()
    return patch


def genie_of(patch: MaxPatch) -> MaxPatch:
    (genie,) = patch.children.values()
    return genie


def click_message(patch: MaxPatch, text: str) -> None:
    (bid,) = [b for b in patch.find("message") if patch.boxes[b]["text"] == text]
    patch.receive(bid, 0, ("bang", []))


# Each message box of the help file, and the OSC message the abstraction sends for it.
HELP_MESSAGES = {
    "press 0": (IN_PRESS, [0]), "release 0": (IN_RELEASE, [0]), "press 1 40": (IN_PRESS, [1, 40]),
    "release 1": (IN_RELEASE, [1]), "press 9": (IN_PRESS, [9]), "pedal 1": (IN_PEDAL, [1]), "pedal 0": (IN_PEDAL, [0]),
    "temperature 0.25": (IN_TEMPERATURE, [0.25]), "range 48 72": (IN_RANGE, [48, 72]),
    "range 21 108": (IN_RANGE, [LOWEST_PITCH, HIGHEST_PITCH]),
    "keys 60 62 64 65 67 69 71 72": (IN_KEYS, [60, 62, 64, 65, 67, 69, 71, 72]), "keys": (IN_KEYS, []),
    "reset": (IN_RESET, []), "panic": (IN_PANIC, []), "status": (IN_STATUS, []), "models": (IN_MODELS, []),
}


def test_help_file_messages_become_the_bridge_messages(help_patch):
    genie = genie_of(help_patch)
    assert genie.take_osc() == [], "loading sends nothing"
    shown = {help_patch.boxes[b]["text"] for b in help_patch.find("message")}
    assert set(HELP_MESSAGES) <= shown
    for text, expected in HELP_MESSAGES.items():
        click_message(help_patch, text)
        assert genie.take_osc() == [expected], text
    # Types survive: buttons and pitches are ints, the temperature a float.
    click_message(help_patch, "temperature 0.25")
    ((_, (value,)),) = genie.take_osc()
    assert isinstance(value, float)


def test_abstraction_takes_the_bridge_defaults_or_its_creation_arguments(help_patch):
    genie = genie_of(help_patch)
    assert genie.udpsend == {"host": DEFAULT_HOST, "port": DEFAULT_LISTEN_PORT}
    assert genie.udpreceive_port == DEFAULT_REPLY_PORT
    given = MaxPatch(HELP)
    (bid,) = given.children
    given.children[bid] = MaxPatch(MAXPATCH / "pianogenie-osc.maxpat", (given, bid), [9000, "192.168.1.20", 9001])
    given.load()
    assert genie_of(given).udpsend == {"host": "192.168.1.20", "port": 9000}
    assert genie_of(given).udpreceive_port == 9001
    # And at run time: another bridge, another reply port.
    for text in ("host 127.0.0.1", "port 57130", "reply_port 57131"):
        click_message(given, text)
    assert genie_of(given).udpsend == {"host": DEFAULT_HOST, "port": DEFAULT_LISTEN_PORT}
    assert genie_of(given).udpreceive_port == DEFAULT_REPLY_PORT
    assert genie_of(given).take_osc() == []


def test_bridge_answers_leave_the_abstraction_by_their_outlets(help_patch):
    genie = genie_of(help_patch)
    genie.from_bridge(OUT_NOTEON, 64, 90, 3)
    genie.from_bridge(OUT_NOTEOFF, 64, 3)
    genie.from_bridge(OUT_ERROR, "/genie/press: button must be 0..7, got 9")
    genie.from_bridge(OUT_STATUS, "performer", 0, "latency_p50_us", 118.5)
    genie.from_bridge("/genie/model", "default")
    assert help_patch.printed == [
        ("noteon", [64, 90, 3]), ("noteoff", [64, 3]), ("error", ["/genie/press: button must be 0..7, got 9"]),
        ("status", ["performer", 0, "latency_p50_us", 118.5]), ("other", ["/genie/model", "default"]),
    ]
    # The note sounded on [noteout] and showed on the keyboard, and ended on both.
    assert help_patch.midi == [(64, 90, 1), (64, 0, 1)]
    assert help_patch.state[help_patch.only("kslider")]["held"] == set()


def test_an_unknown_message_is_printed_not_sent(help_patch):
    (box,) = help_patch.children
    help_patch.receive(box, 0, ("bogus", [1]))
    help_patch.receive(box, 0, ("int", [3]))
    assert genie_of(help_patch).take_osc() == []
    assert genie_of(help_patch).printed == [("pianogenie-osc", ["unknown", "bogus", 1]),
                                            ("pianogenie-osc", ["unknown", 3])]


def test_the_status_poll_clicks_status(help_patch):
    help_patch.click(help_patch.only("toggle"))
    help_patch.tick(help_patch.only("metro"))
    assert genie_of(help_patch).take_osc() == [(IN_STATUS, [])]
