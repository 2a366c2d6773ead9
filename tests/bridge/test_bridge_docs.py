"""The docs, checked against the code: the README's Python snippet runs, every command and flag that the README
and docs/osc.md name exists, docs/osc.md's address tables are the route declarations (bridge/handlers.py) and bridge/protocol.py's outputs, and a missing optional
dependency is one line and exit 2."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from pianogenie.bridge import protocol as p
from pianogenie.bridge.handlers import ROUTES
from pianogenie.bridge.routes import doc_row, docs_problems, documented
from pianogenie.cli import build_parser
from tests.conftest import REPO

DOCS = {name: (REPO / name).read_text(encoding="utf-8") for name in ("README.md", "docs/osc.md")}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands() -> dict[str, argparse.ArgumentParser]:
    commands = _subparsers(build_parser())
    benches = {f"bench {name}": sub for name, sub in _subparsers(commands["bench"]).items()}
    return {**commands, **benches}


def _flags(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def _code(text: str) -> list[str]:
    """Every line of a fenced code block and every inline code span."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return [line for block in blocks for line in block.splitlines()] + inline


def _named_commands(doc: str) -> list[tuple[str, list[str]]]:
    """(command, flags) for each `pianogenie COMMAND ...` in the doc's code; flags in a trailing comment excluded."""
    found = []
    for line in _code(DOCS[doc]):
        line = line.split(" #")[0]
        for match in re.finditer(r"pianogenie ((?:bench )?[a-z]+)((?:(?!pianogenie ).)*)", line):
            found.append((match.group(1), re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", match.group(2))))
    return found


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_and_flag_the_docs_name_exists(doc):
    commands = _commands()
    named = _named_commands(doc)
    assert len(named) >= 8, named
    for command, flags in named:
        assert command in commands, f"{doc} names `pianogenie {command}`, which does not exist"
        missing = set(flags) - _flags(commands[command])
        assert not missing, f"{doc}: `pianogenie {command}` has no {sorted(missing)}"
    # A flag named anywhere else (prose, comments, tables) exists on some command.
    every_flag = set().union(_flags(build_parser()), *(_flags(parser) for parser in commands.values()))
    named_flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", DOCS[doc])) - {"--standalone", "--nproc-per-node"}
    assert named_flags - every_flag == set()


def test_the_serve_flag_table_is_serves():
    table = DOCS["docs/osc.md"].split("These flags are stable:")[1].split("\n\n")[1]
    flags = re.findall(r"^\| `(--[a-z-]+)", table, re.M)
    assert len(flags) >= 15
    assert set(flags) <= _flags(_commands()["serve"])


def _address_table(heading: str) -> list[str]:
    section = DOCS["docs/osc.md"].split(heading)[1].split("\n## ")[0]
    return re.findall(r"^\| `(/genie/[a-z/]+)`", section, re.M)


def test_the_input_table_is_the_route_declarations():
    # Address, arguments and effect of each row, in order, as bridge/handlers.py declares them.
    assert docs_problems(ROUTES, DOCS["docs/osc.md"]) == []
    assert [address for address, _, _ in documented(DOCS["docs/osc.md"])] == [route.address for route in ROUTES]
    assert set(p.INPUT_ADDRESSES) <= {route.address for route in ROUTES}, "every address clients send is served"


def test_the_docs_check_sees_each_kind_of_drift():
    doc = DOCS["docs/osc.md"]
    row = "| `/genie/release` | `i:button` 0..7 | turn off the note that button holds (held on while the pedal is down) |"
    assert row in doc and doc_row(ROUTES["release"]) == row
    wrong_range = doc.replace(row, row.replace("0..7", "0..8"))
    wrong_effect = doc.replace(row, row.replace("turn off", "switch off"))
    missing = doc.replace(row + "\n", "")
    extra = doc.replace(row, row + "\n| `/genie/hum` | none | hum |")
    assert docs_problems(ROUTES, wrong_range) == [
        "/genie/release: the docs' arguments are '`i:button` 0..8', the declaration's '`i:button` 0..7'"]
    assert "the docs' effect" in " ".join(docs_problems(ROUTES, wrong_effect))
    assert docs_problems(ROUTES, missing) == [f"/genie/release: declared but not in docs/osc.md's input table; its row: {row}"]
    assert docs_problems(ROUTES, extra) == ["/genie/hum: in docs/osc.md but not declared"]


def test_the_output_table_is_the_protocols():
    assert _address_table("## Output (bridge -> controller)") == list(p.OUTPUT_ADDRESSES)


def test_the_status_fields_are_the_protocols():
    section = DOCS["docs/osc.md"].split("### Status fields")[1].split("\n### ")[0].split("\n\n")[1]
    assert tuple(re.findall(r"`([a-z0-9_]+)` \(", section)) == p.STATUS_FIELDS


def test_the_readme_python_snippet_runs():
    snippets = re.findall(r"```python\n(.*?)```", DOCS["README.md"], re.S)
    assert len(snippets) == 1
    code = "\n".join(line[2:] if line.startswith("  ") else line for line in snippets[0].splitlines())
    code = re.sub(r"^\s+", "", code, flags=re.M)
    check = "\nassert 0 <= key < 88, key\nprint('KEY', key)\n"
    proc = subprocess.run([sys.executable, "-c", code + check], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "KEY" in proc.stdout


@pytest.mark.parametrize("command, module, line", [
    (["bench", "osc"], "pythonosc", "pianogenie bench osc needs python-osc: pip install 'pianogenie-bridge[osc]'"),
    (["train", "--data", "x", "--out", "y"], "torch", "pianogenie train needs torch: pip install 'pianogenie-bridge[train]'"),
])
def test_a_missing_extra_is_one_line_and_exit_2(command, module, line):
    code = (f"import sys; sys.modules[{module!r}] = None; from pianogenie.cli import main; "
            f"sys.exit(main({command!r}))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == line


def test_python_m_pianogenie_is_the_console_script():
    proc = subprocess.run([sys.executable, "-m", "pianogenie", "--help"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "serve" in proc.stdout and "train" in proc.stdout
