"""The architecture, checked: the import graph has no cycle, the engine imports neither the bridge nor the
training package, a press crosses six layers with none entered twice, and shared constants have one definition."""

from __future__ import annotations

import ast
import socket
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGES = ("pianogenie", "engine", "bridge", "training")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


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
    assert len(graph) > 50 and "bridge.core" in graph["bridge.osc.transport"], "the graph was read"
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
    for name, targets in import_graph().items():
        package = name.split(".")[0]
        wrong = {t for t in targets if t.split(".")[0] not in allowed[package]}
        assert not wrong, f"{name} imports {sorted(wrong)}"


def test_only_the_shell_knows_all_three_packages():
    knows = {}
    for name, targets in import_graph().items():
        knows.setdefault(name.split(".")[0], set()).update(t.split(".")[0] for t in targets)
    assert {p for p, k in knows.items() if {"engine", "bridge", "training"} <= k} == {"pianogenie"}


def test_a_press_crosses_six_layers_each_entered_once(random_model_dir):
    """A real datagram into the transport, the reply out of a real socket: record which modules run, and the
    chain of modules on the call stack (collapsed): none may appear twice in one chain."""
    from bridge.core import Bridge
    from bridge.osc.send import Encoder
    from bridge.osc.transport import OscTransport
    from engine import PianoGenie

    bridge = Bridge(PianoGenie.load(random_model_dir), seed=0)
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind(("127.0.0.1", 0))
    client.settimeout(5)
    transport = OscTransport(bridge, port=0, reply_to=())
    press, release = Encoder().ints("/genie/press", 3), Encoder().ints("/genie/release", 3)
    sender = client.getsockname()
    try:
        transport.handle_datagram(press, sender, 0.0)  # warm-up: the performer and its session exist
        transport.handle_datagram(release, sender, 0.5)
        client.recv(1024), client.recv(1024)
        layer_of = {"engine": "engine"}
        chains: list[tuple[str, ...]] = []

        def layer(frame) -> str | None:
            name = frame.f_globals.get("__name__", "")
            top = name.split(".")[0]
            if top not in ("bridge", "engine"):
                return None
            return layer_of.get(top, name)

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
            transport.handle_datagram(press, sender, 1.0)
        finally:
            sys.setprofile(None)
        assert client.recv(1024).startswith(b"/genie/noteon")
    finally:
        transport.close()
        client.close()
    touched = {module for chain in chains for module in chain}
    assert touched == {"bridge.osc.transport", "bridge.osc.wire", "bridge.core", "bridge.performer", "engine",
                       "bridge.osc.send"}, touched
    for chain in chains:
        assert len(chain) == len(set(chain)), f"a module entered twice: {' -> '.join(chain)}"
    assert max(len(c) for c in chains) <= 6


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
        if name.split(".")[0] not in ("bridge", "engine", "pianogenie"):
            continue
        text = _string_literals(path)
        if name != "bridge.protocol":
            assert not [s for s in text if s.startswith("/genie")], f"{name} spells out a /genie address"
        if name != "engine.constants":
            assert "weights_manifest.json" not in text, f"{name} spells out the manifest's name"
        if name != "bridge.sound.voices":
            numbers = [n.value for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.Constant)]
            assert 48000 not in numbers, f"{name} spells out the sample rate"
