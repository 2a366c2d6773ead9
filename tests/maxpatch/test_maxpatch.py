"""maxpatch/pianogenie.maxpat, the [pianogenie-osc] abstraction (pianogenie-osc.maxpat) and its help file
(pianogenie-osc.maxhelp), checked the way Max reads them (Max itself does not run here).

The patch is Max's JSON patcher format: a `patcher` with `boxes` (each a `box` with an `id`, a `maxclass`, its
inlet and outlet counts and, for object boxes, the typed `text`) and `lines` (each a `patchline` from
`[source id, outlet]` to `[destination id, inlet]`). A line on an inlet or outlet the object does not have is dropped
by Max with an error, so every line is checked against the object's real signature (MAX_SIGNATURES below).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from pathlib import Path
from typing import Callable

import pytest

from pianogenie.bridge.protocol import (
    DEFAULT_HOST,
    DEFAULT_LISTEN_PORT,
    DEFAULT_REPLY_PORT,
    INPUT_ADDRESSES,
    IN_PRESS,
    IN_RELEASE,
    IN_PEDAL,
    IN_PANIC,
    IN_RANGE,
    IN_RESET,
    IN_STATUS,
    IN_TEMPERATURE,
    OUTPUT_ADDRESSES,
    OUT_ERROR,
    OUT_NOTEOFF,
    OUT_NOTEON,
    OUT_STATUS,
    STATUS_FIELDS,
)
from pianogenie.engine.constants import HIGHEST_PITCH, LOWEST_PITCH, NUM_BUTTONS

MAXPATCH = Path(__file__).resolve().parents[2] / "maxpatch"
PATCH = MAXPATCH / "pianogenie.maxpat"
# The abstraction: a patcher used as an object, [pianogenie-osc], with [inlet]/[outlet] boxes; Max opens its help
# file, named after it, on Alt-click.
ABSTRACTION = MAXPATCH / "pianogenie-osc.maxpat"
HELP = MAXPATCH / "pianogenie-osc.maxhelp"
MAX_FILES = (PATCH, ABSTRACTION, HELP)

# The Piano Genie button colours, left to right (the original web demo's palette, also the web page's).
GENIE_COLOURS = ("#ee2b29", "#ff9800", "#ffff00", "#c6ff00", "#00e5ff", "#2979ff", "#651fff", "#d500f9")

Signature = Callable[[list[str]], tuple[int, int]]

# (inlets, outlets) of every Max object class the patch uses, as Max 8 creates them. Justification from each
# object's reference page (docs.cycling74.com/max8/refpages/<name>), and the counts Max itself writes into saved
# patches:
MAX_SIGNATURES: dict[str, Signature] = {
    # udpsend host port: one inlet for OSC-formatted messages, no outlets.
    "udpsend": lambda a: (1, 0),
    # udpreceive port: one inlet (port/maxqueuesize messages), one outlet for the received messages.
    "udpreceive": lambda a: (1, 1),
    # route a b ...: one outlet per argument plus a last one for unmatched input; since Max 6 each argument also
    # gets an inlet (left: input, others: change that argument).
    "route": lambda a: (len(a) + 1, len(a) + 1),
    # prepend x: one inlet, one outlet (the right inlet of Max 4 is gone; "set" changes the prefix).
    "prepend": lambda a: (1, 1),
    # unpack 0 0 0: one inlet, one outlet per argument.
    "unpack": lambda a: (1, len(a)),
    # pak 0 0: one inlet per argument (all hot), one outlet.
    "pak": lambda a: (len(a), 1),
    # trigger (t) b i 0: one inlet, one outlet per argument (a number argument outputs that constant).
    "t": lambda a: (1, len(a)),
    "trigger": lambda a: (1, len(a)),
    # key / keyup: no inlets; outlets: ASCII code, key code, modifiers, platform key code.
    "key": lambda a: (0, 4),
    "keyup": lambda a: (0, 4),
    # - / + with an argument: left operand (hot), right operand (cold); one outlet.
    "-": lambda a: (2, 1),
    "+": lambda a: (2, 1),
    # split min max: input, minimum, maximum; outlets: in range, out of range.
    "split": lambda a: (3, 2),
    # change: one inlet; outlets: the changed value, 1 on a change from zero, 0 on a change to zero.
    "change": lambda a: (1, 3),
    # loadbang: one inlet (bang re-triggers it), one outlet.
    "loadbang": lambda a: (1, 1),
    # metro ms: on/off (left), interval (right); one outlet of bangs.
    "metro": lambda a: (2, 1),
    # noteout: pitch, velocity, channel; no outlets.
    "noteout": lambda a: (3, 0),
    # flush: pitch, velocity; outlets pitch, velocity (bang outputs note-offs for the notes it holds).
    "flush": lambda a: (2, 2),
    # midiinfo: left lists MIDI outputs, right lists inputs; one outlet to a umenu.
    "midiinfo": lambda a: (2, 1),
    # zl <mode> n: list in (left), argument (right); outlets: result, and the overflow/alternate output.
    "zl": lambda a: (2, 2),
    # patcherargs defaults...: a bang re-outputs; outlets: the arguments (given ones over the defaults), attributes.
    "patcherargs": lambda a: (1, 2),
    # print name: one inlet, no outlets.
    "print": lambda a: (1, 0),
    # An abstraction: Max gives its box one inlet per [inlet] and one outlet per [outlet] inside it.
    "pianogenie-osc": lambda a: abstraction_signature(ABSTRACTION),
}

# User-interface classes: the box's maxclass is the object class.
MAX_UI_SIGNATURES: dict[str, tuple[int, int]] = {
    "message": (2, 1),     # left: trigger/set, right: set contents without output; one outlet
    "comment": (1, 0),     # a comment takes "set" in its inlet; no outlets
    "panel": (1, 0),       # colour messages in; no outlets
    "ubutton": (1, 4),     # outlets: mouse-up bang, mouse-down bang, (toggle/track) list, inside 1/0
    "toggle": (1, 1),      # int in, int out
    "dial": (1, 1),        # number in, number out
    "number": (1, 2),      # number in; outlets: number, bang on tab
    "flonum": (1, 2),      # the same, for floats
    "textbutton": (1, 3),  # outlets: value/bang, button text, mouse-inside 1/0
    "kslider": (2, 2),     # pitch (left, hot), velocity (right); outlets pitch, velocity
    "umenu": (1, 3),       # outlets: index, item text, (evaluated) item
    "inlet": (0, 1),       # inside an abstraction: what arrives at its box's inlet leaves here
    "outlet": (1, 0),      # and what arrives here leaves its box's outlet
}


def read_patcher(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["patcher"]


def boxes_of(patcher: dict) -> dict[str, dict]:
    return {entry["box"]["id"]: entry["box"] for entry in patcher["boxes"]}


def lines_of(patcher: dict) -> list[tuple[str, int, str, int]]:
    out = []
    for entry in patcher["lines"]:
        line = entry["patchline"]
        (src, outlet), (dst, inlet) = line["source"], line["destination"]
        out.append((src, outlet, dst, inlet))
    return out


def ports_of(patcher: dict, maxclass: str) -> list[str]:
    """An abstraction's [inlet] or [outlet] boxes, in the order Max numbers them: left to right."""
    found = [box for box in boxes_of(patcher).values() if box["maxclass"] == maxclass]
    return [box["id"] for box in sorted(found, key=lambda box: box["patching_rect"][0])]


def abstraction_signature(path: Path) -> tuple[int, int]:
    patcher = read_patcher(path)
    return len(ports_of(patcher, "inlet")), len(ports_of(patcher, "outlet"))


@pytest.fixture(scope="module")
def patcher() -> dict:
    return read_patcher(PATCH)


@pytest.fixture(scope="module")
def boxes(patcher) -> dict[str, dict]:
    return boxes_of(patcher)


@pytest.fixture(scope="module")
def lines(patcher) -> list[tuple[str, int, str, int]]:
    return lines_of(patcher)


@pytest.fixture(scope="module", params=MAX_FILES, ids=lambda path: path.name)
def any_patcher(request) -> dict:
    """Each Max file shipped: the patch, the abstraction and its help file."""
    return read_patcher(request.param)


def object_class(box: dict) -> str:
    """`newobj` boxes are named by the first word of their text; UI boxes by their maxclass."""
    if box["maxclass"] == "newobj":
        return box["text"].split()[0]
    return box["maxclass"]


def object_args(box: dict) -> list[str]:
    return box["text"].split()[1:] if box["maxclass"] == "newobj" else []


def expected_signature(box: dict) -> tuple[int, int]:
    if box["maxclass"] == "newobj":
        cls = object_class(box)
        assert cls in MAX_SIGNATURES, f"{box['id']}: object class {cls!r} has no known signature"
        return MAX_SIGNATURES[cls](object_args(box))
    assert box["maxclass"] in MAX_UI_SIGNATURES, f"{box['id']}: maxclass {box['maxclass']!r} has no known signature"
    return MAX_UI_SIGNATURES[box["maxclass"]]


def by_text(boxes: dict[str, dict], text: str) -> list[str]:
    return [bid for bid, box in boxes.items() if box.get("text") == text and box["maxclass"] in ("newobj", "message")]


def one(ids: list[str], what: str) -> str:
    assert len(ids) == 1, f"expected exactly one {what}, found {ids}"
    return ids[0]


def downstream(lines, start: str, outlet: int | None = None) -> set[str]:
    """Every box a message leaving `start` (from one outlet, or any) can reach."""
    edges = defaultdict(list)
    for src, o, dst, _ in lines:
        edges[src].append((o, dst))
    seen: set[str] = set()
    queue = deque(dst for o, dst in edges[start] if outlet is None or o == outlet)
    while queue:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        queue.extend(dst for _, dst in edges[node])
    return seen


def targets(lines, src: str, outlet: int) -> list[tuple[str, int]]:
    return [(dst, inlet) for s, o, dst, inlet in lines if s == src and o == outlet]


# ---------------------------------------------------------------------------------------------- the file


@pytest.mark.parametrize("path", MAX_FILES, ids=lambda path: path.name)
def test_file_is_indented_json_with_patcher_boxes_and_lines(path):
    text = path.read_text(encoding="utf-8")
    patcher = json.loads(text)["patcher"]
    assert text.count("\n") > 300, "a patch should be laid out one attribute per line, for people to read"
    assert "\n\t\t" in text
    assert isinstance(patcher["boxes"], list) and patcher["boxes"]
    assert isinstance(patcher["lines"], list) and patcher["lines"]
    for entry in patcher["boxes"]:
        box = entry["box"]
        for key in ("id", "maxclass", "numinlets", "numoutlets", "patching_rect"):
            assert key in box, f"{box.get('id')}: missing {key}"
        assert len(box["patching_rect"]) == 4


def test_box_ids_are_unique(any_patcher):
    ids = [entry["box"]["id"] for entry in any_patcher["boxes"]]
    assert len(ids) == len(set(ids))


def test_inlet_and_outlet_counts_match_max_signatures(any_patcher):
    for bid, box in boxes_of(any_patcher).items():
        inlets, outlets = expected_signature(box)
        assert (box["numinlets"], box["numoutlets"]) == (inlets, outlets), f"{bid} [{box.get('text', box['maxclass'])}]"
        assert len(box.get("outlettype", [])) == outlets, f"{bid}: one outlettype per outlet"


def test_every_line_joins_existing_boxes_on_real_inlets_and_outlets(any_patcher):
    boxes, lines = boxes_of(any_patcher), lines_of(any_patcher)
    assert lines
    for src, outlet, dst, inlet in lines:
        assert src in boxes, f"line from missing box {src}"
        assert dst in boxes, f"line to missing box {dst}"
        _, outlets = expected_signature(boxes[src])
        inlets, _ = expected_signature(boxes[dst])
        assert 0 <= outlet < outlets, f"{src} has no outlet {outlet}"
        assert 0 <= inlet < inlets, f"{dst} has no inlet {inlet}"
    assert len(set(lines)) == len(lines), "duplicate patch lines"


# ---------------------------------------------------------------------------------------------- OSC and ports


def sent_addresses(boxes) -> dict[str, str]:
    """address -> box id, for every message box or [prepend] that writes an OSC address."""
    found = {}
    for bid, box in boxes.items():
        text = box.get("text", "")
        if box["maxclass"] == "message" and text.startswith("/"):
            found[text.split()[0]] = bid
        elif box["maxclass"] == "newobj" and object_class(box) == "prepend" and object_args(box)[0].startswith("/"):
            found[object_args(box)[0]] = bid
    return found


def routed_addresses(boxes) -> dict[str, str]:
    found = {}
    for bid, box in boxes.items():
        if box["maxclass"] == "newobj" and object_class(box) == "route":
            for arg in object_args(box):
                if arg.startswith("/"):
                    found[arg] = bid
    return found


def test_every_sent_address_is_a_bridge_input_and_reaches_udpsend(boxes, lines):
    udpsend = one([b for b, box in boxes.items() if object_class(box) == "udpsend"], "[udpsend]")
    sent = sent_addresses(boxes)
    assert set(sent) <= set(INPUT_ADDRESSES), set(sent) - set(INPUT_ADDRESSES)
    # Everything the issue asks the patch to control is there.
    assert {IN_PRESS, IN_RELEASE, IN_PEDAL, IN_TEMPERATURE, IN_RANGE, IN_RESET, IN_PANIC, IN_STATUS} <= set(sent)
    for address, bid in sent.items():
        assert udpsend in downstream(lines, bid), f"{address} never reaches [udpsend]"


def test_every_routed_address_is_a_bridge_output(boxes, lines):
    udpreceive = one([b for b, box in boxes.items() if object_class(box) == "udpreceive"], "[udpreceive]")
    routed = routed_addresses(boxes)
    # Notes, status and errors at least; the model swap's replies (/genie/model, /genie/models) are optional here.
    assert {OUT_NOTEON, OUT_NOTEOFF, OUT_STATUS, OUT_ERROR} <= set(routed) <= set(OUTPUT_ADDRESSES)
    for bid in set(routed.values()):
        assert bid in downstream(lines, udpreceive)


def test_ports_are_the_bridge_defaults(boxes):
    udpsend = [object_args(box) for box in boxes.values() if object_class(box) == "udpsend"]
    udpreceive = [object_args(box) for box in boxes.values() if object_class(box) == "udpreceive"]
    assert udpsend == [[DEFAULT_HOST, str(DEFAULT_LISTEN_PORT)]]
    assert udpreceive == [[str(DEFAULT_REPLY_PORT)]]


def test_status_fields_shown_are_status_fields_of_the_bridge(boxes, lines):
    routes = [box for box in boxes.values() if object_class(box) == "route" and not object_args(box)[0].startswith("/")]
    fields = [arg for box in routes for arg in object_args(box)]
    assert "latency_p50_us" in fields and "latency_p99_us" in fields
    assert set(fields) <= set(STATUS_FIELDS)


# ---------------------------------------------------------------------------------------------- the controls


def test_eight_buttons_in_genie_colours_press_on_mouse_down_release_on_mouse_up(boxes, lines):
    press = one(by_text(boxes, f"prepend {IN_PRESS}"), "press prepend")
    release = one(by_text(boxes, f"prepend {IN_RELEASE}"), "release prepend")
    panels = [box for box in boxes.values() if box["maxclass"] == "panel"]
    ubuttons = [bid for bid, box in boxes.items() if box["maxclass"] == "ubutton"]
    assert len(ubuttons) == NUM_BUTTONS
    seen = set()
    for bid in ubuttons:
        ubutton = boxes[bid]
        # Outlet 1 bangs on mouse-down, outlet 0 on mouse-up: each into a message box holding the button index.
        (down_msg, _), = targets(lines, bid, 1)
        (up_msg, _), = targets(lines, bid, 0)
        index = int(boxes[down_msg]["text"])
        assert int(boxes[up_msg]["text"]) == index
        assert targets(lines, down_msg, 0) == [(press, 0)]
        assert targets(lines, up_msg, 0) == [(release, 0)]
        seen.add(index)
        # The coloured panel sits exactly under the transparent ubutton, in both views.
        under = [p for p in panels if p["presentation_rect"] == ubutton["presentation_rect"]
                 and p["patching_rect"] == ubutton["patching_rect"]]
        assert len(under) == 1, f"no panel under ubutton {bid}"
        red, green, blue = (round(c * 255) for c in under[0]["bgcolor"][:3])
        assert f"#{red:02x}{green:02x}{blue:02x}" == GENIE_COLOURS[index]
        assert ubutton.get("presentation") == 1 and under[0].get("presentation") == 1
    assert seen == set(range(NUM_BUTTONS))


def test_computer_keys_reach_press_and_release(boxes, lines):
    press = one(by_text(boxes, f"prepend {IN_PRESS}"), "press prepend")
    release = one(by_text(boxes, f"prepend {IN_RELEASE}"), "release prepend")
    key = one([b for b, box in boxes.items() if object_class(box) == "key"], "[key]")
    keyup = one([b for b, box in boxes.items() if object_class(box) == "keyup"], "[keyup]")
    assert {press, release} <= downstream(lines, key, 0)
    assert release in downstream(lines, keyup, 0)


def test_controls_reach_their_addresses(boxes, lines):
    def ui(maxclass):
        return [b for b, box in boxes.items() if box["maxclass"] == maxclass]

    (sustain,) = ui("toggle")
    assert one(by_text(boxes, f"prepend {IN_PEDAL}"), "pedal") in downstream(lines, sustain)
    (dial,) = ui("dial")
    assert boxes[dial].get("floatoutput") == 1 and boxes[dial].get("size") == 1.0, "temperature is a float 0..1"
    assert one(by_text(boxes, f"prepend {IN_TEMPERATURE}"), "temperature") in downstream(lines, dial)
    range_prepend = one(by_text(boxes, f"prepend {IN_RANGE}"), "range")
    range_numbers = [b for b in ui("number") if range_prepend in downstream(lines, b)]
    assert len(range_numbers) == 2
    for b in range_numbers:
        assert (boxes[b]["minimum"], boxes[b]["maximum"]) == (LOWEST_PITCH, HIGHEST_PITCH)
    buttons = {boxes[b]["text"]: b for b in ui("textbutton")}
    assert one(by_text(boxes, IN_RESET), "reset") in downstream(lines, buttons["reset"])
    assert one(by_text(boxes, IN_PANIC), "panic") in downstream(lines, buttons["panic"])
    assert one(by_text(boxes, IN_STATUS), "status") in downstream(lines, one(by_text(boxes, "metro 1000"), "metro"))


def test_notes_drive_noteout_and_the_keyboard_display(boxes, lines):
    route = one([b for b, box in boxes.items() if object_class(box) == "route" and IN_PRESS not in box["text"]
                 and "/genie/noteon" in box["text"]], "reply route")
    args = object_args(boxes[route])
    noteout = one([b for b, box in boxes.items() if object_class(box) == "noteout"], "[noteout]")
    (kslider,) = [b for b, box in boxes.items() if box["maxclass"] == "kslider"]
    for address in ("/genie/noteon", "/genie/noteoff"):
        reached = downstream(lines, route, args.index(address))
        assert noteout in reached and kslider in reached, address
    assert boxes[kslider]["mode"] == 1, "polyphonic: shows every sounding note"
    low, high = boxes[kslider]["offset"], boxes[kslider]["offset"] + boxes[kslider]["range"] - 1
    assert low <= LOWEST_PITCH and high >= HIGHEST_PITCH, "the keyboard shows all 88 keys"
    # The user picks the MIDI output: midiinfo fills a menu whose item text goes to noteout.
    (menu,) = [b for b, box in boxes.items() if box["maxclass"] == "umenu"]
    assert (noteout, 0) in targets(lines, menu, 1)
    # The status line shows the bridge's latency.
    status_lines = [box for box in boxes.values() if box["maxclass"] == "message" and "latency" in box["text"]]
    assert status_lines and any("$1" in box["text"] for box in status_lines)


def test_presentation_view_shows_the_controls_only(patcher, boxes):
    assert patcher["openinpresentation"] == 1
    shown = {b for b, box in boxes.items() if box.get("presentation") == 1}
    for maxclass in ("ubutton", "panel", "toggle", "dial", "textbutton", "kslider", "umenu"):
        assert any(boxes[b]["maxclass"] == maxclass for b in shown), f"no {maxclass} in the presentation view"
    for b in shown:
        assert boxes[b]["maxclass"] != "newobj", f"{b} [{boxes[b]['text']}] is plumbing, not a control"
        assert len(boxes[b]["presentation_rect"]) == 4


def test_patch_is_explained_by_comments(boxes):
    comments = [box["text"] for box in boxes.values() if box["maxclass"] == "comment" and "presentation" not in box]
    assert len(comments) >= 8
    assert any(str(DEFAULT_LISTEN_PORT) in c and str(DEFAULT_REPLY_PORT) in c for c in comments)


# ---------------------------------------------------------------------------------------------- [pianogenie-osc]

OUTLETS = ("noteon", "noteoff", "status", "error", "other")  # the abstraction's outlets, left to right
REPLY_ROUTED = (OUT_NOTEON, OUT_NOTEOFF, OUT_STATUS, OUT_ERROR)


@pytest.fixture(scope="module")
def abstraction() -> tuple[dict, list]:
    patcher = read_patcher(ABSTRACTION)
    return boxes_of(patcher), lines_of(patcher)


def test_abstraction_has_one_message_inlet_and_five_outlets_with_assistance(abstraction):
    boxes, _ = abstraction
    patcher = read_patcher(ABSTRACTION)
    (inlet,) = ports_of(patcher, "inlet")
    outlets = ports_of(patcher, "outlet")
    assert outlets == [f"obj-out-{name}" for name in OUTLETS]
    # Max shows an inlet's or outlet's comment when the mouse is over it on the object's box.
    for bid in (inlet, *outlets):
        assert len(boxes[bid].get("comment", "")) > 10, f"{bid} says nothing when hovered"
    for name, bid in zip(OUTLETS[:4], outlets):
        assert name in boxes[bid]["comment"]


def test_abstraction_sends_every_bridge_control_to_its_udpsend(abstraction):
    boxes, lines = abstraction
    udpsend = one([b for b, box in boxes.items() if object_class(box) == "udpsend"], "[udpsend]")
    sent = sent_addresses(boxes)
    assert set(sent) <= set(INPUT_ADDRESSES), set(sent) - set(INPUT_ADDRESSES)
    assert {IN_PRESS, IN_RELEASE, IN_PEDAL, IN_TEMPERATURE, IN_RANGE, IN_RESET, IN_PANIC, IN_STATUS} <= set(sent)
    (inlet,) = ports_of(read_patcher(ABSTRACTION), "inlet")
    for address, bid in sent.items():
        assert udpsend in downstream(lines, bid), f"{address} never reaches [udpsend]"
        assert bid in downstream(lines, inlet), f"{address} cannot be reached from the inlet"
    # The selector that picks an address is the address's verb: `press 3` becomes `/genie/press 3`.
    (route,) = [b for b, box in boxes.items() if object_class(box) == "route" and (b, 0) in targets(lines, inlet, 0)]
    verbs = object_args(boxes[route])
    for address, bid in sent.items():
        verb = address.rsplit("/", 1)[1]
        assert bid in downstream(lines, route, verbs.index(verb)), f"{verb} does not lead to {address}"


def test_abstraction_routes_bridge_outputs_to_its_outlets(abstraction):
    boxes, lines = abstraction
    udpreceive = one([b for b, box in boxes.items() if object_class(box) == "udpreceive"], "[udpreceive]")
    routed = routed_addresses(boxes)
    assert set(routed) == set(REPLY_ROUTED) and set(routed) <= set(OUTPUT_ADDRESSES)
    (route,) = set(routed.values())
    assert route in downstream(lines, udpreceive)
    args = object_args(boxes[route])
    outlets = ports_of(read_patcher(ABSTRACTION), "outlet")
    for address, outlet in zip(REPLY_ROUTED, outlets):
        assert targets(lines, route, args.index(address)) == [(outlet, 0)], address
    assert targets(lines, route, len(args)) == [(outlets[-1], 0)], "the rest leaves the last outlet"


def test_abstraction_defaults_and_creation_arguments_are_the_bridge_defaults(abstraction):
    boxes, lines = abstraction
    (udpsend,) = [b for b, box in boxes.items() if object_class(box) == "udpsend"]
    (udpreceive,) = [b for b, box in boxes.items() if object_class(box) == "udpreceive"]
    assert object_args(boxes[udpsend]) == [DEFAULT_HOST, str(DEFAULT_LISTEN_PORT)]
    assert object_args(boxes[udpreceive]) == [str(DEFAULT_REPLY_PORT)]
    # [pianogenie-osc PORT HOST REPLY_PORT]: [patcherargs] holds the defaults for arguments not given.
    (args,) = [b for b, box in boxes.items() if object_class(box) == "patcherargs"]
    assert object_args(boxes[args]) == [str(DEFAULT_LISTEN_PORT), DEFAULT_HOST, str(DEFAULT_REPLY_PORT)]
    assert {udpsend, udpreceive} <= downstream(lines, args, 0)


# ---------------------------------------------------------------------------------------------- its help file


@pytest.fixture(scope="module")
def help_file() -> tuple[dict, list]:
    patcher = read_patcher(HELP)
    return boxes_of(patcher), lines_of(patcher)


def test_help_uses_the_abstraction_and_every_message_goes_into_it(help_file):
    boxes, lines = help_file
    genie = one([b for b, box in boxes.items()
                 if box["maxclass"] == "newobj" and object_class(box) == "pianogenie-osc"], "[pianogenie-osc]")
    messages = [b for b, box in boxes.items() if box["maxclass"] == "message"]
    assert len(messages) >= 12
    for bid in messages:
        assert (genie, 0) in targets(lines, bid, 0), f"[{boxes[bid]['text']}] does not reach [pianogenie-osc]"
    verbs = {boxes[b]["text"].split()[0] for b in messages}
    assert {"press", "release", "pedal", "temperature", "range", "keys", "reset", "panic", "status"} <= verbs
    # Every outlet is used, and the notes reach a keyboard display and [noteout].
    for outlet in range(len(OUTLETS)):
        assert targets(lines, genie, outlet), f"outlet {outlet} of [pianogenie-osc] is not connected"
    (kslider,) = [b for b, box in boxes.items() if box["maxclass"] == "kslider"]
    noteout = one([b for b, box in boxes.items() if object_class(box) == "noteout"], "[noteout]")
    for outlet in (0, 1):
        assert {kslider, noteout} <= downstream(lines, genie, outlet)


def test_help_explains_each_outlet_and_how_to_start_the_bridge(help_file):
    from pianogenie.cli import build_parser

    boxes, _ = help_file
    comments = [box["text"] for box in boxes.values() if box["maxclass"] == "comment"]
    for name in OUTLETS[:4]:
        assert any(c.split(":")[0].endswith(name) for c in comments), f"no comment explains the {name} outlet"
    # The command it gives turns the bridge's own synth and MIDI out off, in flags serve really has.
    (command,) = [c.split(": ", 1)[1] for c in comments if "pianogenie serve --" in c and c.startswith("1.")]
    args = build_parser().parse_args(command.split()[1:])
    assert (args.audio, args.midi_out) == ("none", "none")


# ---------------------------------------------------------------------------------------------- maxpatch/README.md

README = MAXPATCH / "README.md"


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation but - and _ dropped, spaces to -."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_readme_links_exist_where_pianogenie_patches_copies_it():
    """`pianogenie patches DIR` copies the README with the patches: a relative link must name one of those files
    (no ../docs, no tests/), and an anchor one of its headings."""
    from pianogenie.bridge.cli.patches import CHECKOUT, patch_files

    FILES = patch_files(CHECKOUT)

    text = README.read_text()
    anchors = {github_anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    links = re.findall(r"\]\(([^)\s]+)\)", text)
    for link in links:
        if re.match(r"https?://", link):
            continue
        target, _, anchor = link.partition("#")
        if target:
            assert target in FILES, f"{link}: not among the files `pianogenie patches` copies"
        else:
            assert anchor in anchors, f"{link}: no such heading"


def serve_commands(text: str) -> list[str]:
    """Every `pianogenie serve ...` command of a Markdown text: in inline code and in code blocks (continuation
    lines joined, comments and a trailing & dropped)."""
    commands = re.findall(r"`(pianogenie serve(?: [^`]*)?)`", text)
    for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#")[0].strip().rstrip("&").strip()
            if line.startswith("pianogenie serve"):
                commands.append(line)
    return commands


def test_readme_serve_commands_use_real_flags():
    import shlex

    from pianogenie.cli import build_parser

    commands = serve_commands(README.read_text())
    assert len(commands) >= 10
    parser = build_parser()
    for command in commands:
        try:
            parser.parse_args(shlex.split(command)[1:])
        except SystemExit:
            pytest.fail(f"serve refuses the README's command: {command}")


@pytest.mark.parametrize("section", ["Max/MSP: `pianogenie.maxpat`", "Pure Data: `pianogenie.pd`",
                                     "Your own patch: the `[pianogenie-osc]` abstraction (Max and Pd)"])
def test_readme_turns_the_bridge_sound_off_where_a_patch_plays(section):
    """Where a patch makes the sound, the bridge's own synth and MIDI port must be off, or each note sounds twice."""
    from pianogenie.cli import build_parser

    text = README.read_text()
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    commands = serve_commands(body)
    assert commands, f"{section} gives no serve command"
    first = build_parser().parse_args(commands[0].split()[1:])
    assert (first.audio, first.midi_out) == ("none", "none"), commands[0]
