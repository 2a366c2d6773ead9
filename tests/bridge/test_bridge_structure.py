"""The architecture, checked: the import graph has no cycle, the engine imports neither the bridge nor the
training package, a press runs its path in order through a bounded number of modules, none entered twice, and
shared constants have one definition."""

from __future__ import annotations

import ast
import socket
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("pianogenie", "engine", "bridge", "training")
SUBPACKAGES = PACKAGES[1:]  # folders at the top of the repository, imported as pianogenie.<folder>


def _module_name(path: Path) -> str:
    """The import name of a module in the repository: engine/decoder.py is pianogenie.engine.decoder."""
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    if parts[0] in SUBPACKAGES:
        parts.insert(0, "pianogenie")
    return ".".join(parts)


def _package(name: str) -> str:
    """Which of the four packages a module belongs to: pianogenie.engine.decoder is in engine."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "pianogenie" and parts[1] in SUBPACKAGES else parts[0]


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Every project module `name` imports, at the top or inside a function (a lazy import is still an edge)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from pkg import module` imports the submodule; `from module import name` the module.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    graph = import_graph()
    assert len(graph) > 50 and "pianogenie.bridge.core" in graph["pianogenie.bridge.osc.transport"], "the graph was read"
    assert _cycle(graph) is None, " -> ".join(_cycle(graph))


def test_the_cycle_check_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_each_package_imports_only_the_layers_below_it():
    allowed = {
        "engine": {"engine"},
        "bridge": {"bridge", "engine"},
        "training": {"training", "engine"},
        "pianogenie": {"pianogenie", "engine", "bridge", "training"},
    }
    # pianogenie.errors imports nothing: it is the one piece of the shell that a command below it raises.
    shared = {"pianogenie.errors"}
    for name, targets in import_graph().items():
        wrong = {t for t in targets - shared if _package(t) not in allowed[_package(name)]}
        assert not wrong, f"{name} imports {sorted(wrong)}"


def test_only_the_shell_knows_all_three_packages():
    knows = {}
    for name, targets in import_graph().items():
        knows.setdefault(_package(name), set()).update(_package(t) for t in targets)
    assert {p for p, k in knows.items() if {"engine", "bridge", "training"} <= k} == {"pianogenie"}


# The press path, in the order each module is first entered: the datagram is read, parsed, routed, handled by its
# performer, decoded, and its note-on sent. Other modules may sit between these (argument checks, the registry,
# the stats), as long as the order holds and the path stays short.
PRESS_PATH = ("pianogenie.bridge.osc.transport", "pianogenie.bridge.osc.wire", "pianogenie.bridge.dispatch",
              "pianogenie.bridge.handlers", "pianogenie.bridge.performer", "pianogenie.engine",
              "pianogenie.bridge.osc.send")
MAX_PRESS_MODULES = 12  # 11 today: room for one more stage (a scheduler), not for a detour
MAX_PRESS_DEPTH = 6


def _press_chains(random_model_dir) -> list[tuple[str, ...]]:
    """A real datagram into the transport, the reply out of a real socket: the chain of modules on the call
    stack (collapsed, the engine's modules as one) at each call, in call order."""
    from pianogenie.bridge.core import Bridge
    from pianogenie.bridge.osc.send import Encoder
    from pianogenie.bridge.osc.transport import OscTransport
    from pianogenie.engine import PianoGenie

    bridge = Bridge(PianoGenie.load(random_model_dir), seed=0)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    client.settimeout(5)
    transport = OscTransport(bridge, port=0, reply_to=())
    press, release = Encoder().ints("/genie/press", 3), Encoder().ints("/genie/release", 3)
    sender = client.getsockname()
    chains: list[tuple[str, ...]] = []
    try:
        transport.receive(press, sender, 0.0)  # warm-up: the performer and its session exist
        transport.receive(release, sender, 0.5)
        client.recv(1024), client.recv(1024)

        def layer(frame) -> str | None:
            name = frame.f_globals.get("__name__", "")
            top = _package(name)
            if top not in ("bridge", "engine") or name == "pianogenie":
                return None
            return "pianogenie.engine" if top == "engine" else name

        def profile(frame, event, arg):
            if event != "call":
                return
            chain = []
            f = frame
            while f is not None:
                module = layer(f)
                if module is not None and (not chain or chain[-1] != module):
                    chain.append(module)
                f = f.f_back
            chains.append(tuple(reversed(chain)))

        sys.setprofile(profile)
        try:
            transport.receive(press, sender, 1.0)
        finally:
            sys.setprofile(None)
        assert client.recv(1024).startswith(b"/genie/noteon")
    finally:
        transport.close()
        client.close()
    return chains


def _order_problems(chains: list[tuple[str, ...]]) -> list[str]:
    """What is wrong with a press's chains: PRESS_PATH out of order or missing, too many modules, a module
    entered twice in one chain, too deep a chain, the decoder's between-press work before the note-on left."""
    order = list(dict.fromkeys(module for chain in chains for module in chain))
    problems = [f"{module} is not on the press path" for module in PRESS_PATH if module not in order]
    positions = [order.index(module) for module in PRESS_PATH if module in order]
    if positions != sorted(positions):
        problems.append(f"the press path runs out of order: {' -> '.join(order)}")
    if len(order) > MAX_PRESS_MODULES:
        problems.append(f"a press crosses {len(order)} modules (at most {MAX_PRESS_MODULES}): {order}")
    problems += [f"a module entered twice: {' -> '.join(c)}" for c in chains if len(c) != len(set(c))]
    if chains and max(len(c) for c in chains) > MAX_PRESS_DEPTH:
        problems.append(f"a chain {max(len(c) for c in chains)} modules deep")
    sent = [i for i, c in enumerate(chains) if PRESS_PATH[-1] in c]
    decoded = [i for i, c in enumerate(chains) if "pianogenie.engine" in c]
    if sent and decoded and decoded[-1] < sent[0]:
        problems.append("the decoder's between-press work ran before the note-on was sent")
    return problems


def test_a_press_runs_its_path_in_order_through_few_modules(random_model_dir):
    chains = _press_chains(random_model_dir)
    assert _order_problems(chains) == []


def test_the_order_check_finds_a_wrong_order():
    transport, wire, dispatch, handlers, performer, engine, send = PRESS_PATH
    good = [(transport,), (transport, wire), (transport, dispatch, handlers, performer, engine),
            (transport, dispatch, handlers, performer, send), (transport, dispatch, handlers, engine)]
    assert _order_problems(good) == []
    swapped = [(transport,), (transport, dispatch), (transport, wire)] + good[2:]
    assert any("out of order" in problem for problem in _order_problems(swapped))
    assert any("twice" in problem for problem in _order_problems(good + [(transport, dispatch, transport)]))
    assert any("before the note-on" in problem for problem in _order_problems(good[:3] + [good[3]]))
    wide = good + [(transport, f"pianogenie.bridge.extra{i}") for i in range(MAX_PRESS_MODULES)]
    assert any("modules (at most" in problem for problem in _order_problems(wide))


def _assigned_names(path: Path) -> set[str]:
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


@pytest.mark.parametrize("constant", [
    "DEFAULT_TEMPERATURE", "DEFAULT_VELOCITY", "DEFAULT_SAMPLE_RATE", "DEFAULT_BUFFER_SIZE", "MANIFEST_NAME",
    "DEFAULT_HOST", "BRIDGE_BUDGET_P99_US", "SOUND_BUDGET_P99_MS", "THREAD_ENV", "AUDIO_CHOICES", "BACKENDS",
])
def test_each_shared_constant_is_defined_once(constant):
    owners = [name for name, path in _modules().items() if constant in _assigned_names(path)]
    assert len(owners) == 1, f"{constant} is defined in {owners}"


def _string_literals(path: Path) -> list[str]:
    return [n.value for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(n, ast.Constant)
            and isinstance(n.value, str)]


def test_addresses_file_names_and_rates_are_not_retyped():
    for name, path in _modules().items():
        if _package(name) not in ("bridge", "engine", "pianogenie"):
            continue
        text = _string_literals(path)
        if name != "pianogenie.bridge.protocol":
            assert not [s for s in text if s.startswith("/genie")], f"{name} spells out a /genie address"
        if name != "pianogenie.engine.constants":
            assert "weights_manifest.json" not in text, f"{name} spells out the manifest's name"
        if name != "pianogenie.bridge.sound.voices":
            numbers = [n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant)]
            assert 48000 not in numbers, f"{name} spells out the sample rate"


MAX_FUNCTION_LINES, MAX_CLASS_LINES = 80, 250
# Over the limits: none any more; nothing may join.
NOT_YET_SPLIT: set[str] = set()


def _too_long(name: str, tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            limit = MAX_CLASS_LINES if isinstance(node, ast.ClassDef) else MAX_FUNCTION_LINES
            if node.end_lineno - node.lineno + 1 > limit:
                found.append(f"{name}.{node.name}")
    return found


def test_no_function_over_80_lines_and_no_class_over_250():
    long = [where for name, path in _modules().items() for where in _too_long(name, ast.parse(path.read_text()))]
    assert set(long) <= NOT_YET_SPLIT, sorted(set(long) - NOT_YET_SPLIT)
    assert _too_long("m", ast.parse("class C:\n" + "    x = 1\n" * 250)) == ["m.C"]
    assert _too_long("m", ast.parse("def f():\n" + "    x = 1\n" * 79)) == []
