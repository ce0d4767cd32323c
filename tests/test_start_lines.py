"""`Positions.start_line` (the line of a node read off the generated code of the statement that
holds it) against `taint.facts.SourceLines` (the same read off the whole module's code, the
taint engine's only way before): equal wherever it answers, on every node of every rule example,
of aisec's own sources and of mutated sources (comments, decorators, multi-line strings, line
continuations, `\\r\\n`, form feeds, non-ASCII), and it answers for the nodes facts are made of.

`AISEC_FUZZ_EXAMPLES=N` runs N generated sources per property instead of the suite's few."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from aisec.engine import _PythonParse
from aisec.names import NameTable
from aisec.parsing import parse_module
from aisec.positions import Positions
from aisec.taint import ModuleTaint, facts
from aisec.testing import check_source, default_catalog
from hypothesis import given
from hypothesis import strategies as st
from test_parsing import EXAMPLE_SOURCES, OWN_SOURCES, RULES, SETTINGS, mutated
from test_taint_lines import _Every

# Fragments a line may be replaced with or prefixed by: what moves lines without being code.
LAYOUT = [
    "# cömment ünïcode\n",
    "\n",
    "\f",
    "\r\n",
    "@decorator(\n    'x',\n)\n",
    "'''multi\nline\n'''\n",
    "x = (1 +\n     2)\n",
    "y = 1 + \\\n    2\n",
    "名前 = 'ünïcode'  # 注释\n",
    "    # indented comment\n",
]


def engine_view(text: str) -> tuple[cst.Module, Positions] | None:
    """The tree and `Positions` the engine makes of `text` (None: the engine would not parse it)."""
    checked = _PythonParse.of(text)
    if checked.problem is not None or checked.lines is None:
        return None
    try:
        module = parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    return module, Positions(module, text, checked.lines)


def told_lines(text: str) -> int:
    """How many nodes `start_line` answered for; each answer must be the whole module's."""
    view = engine_view(text)
    if view is None:
        return 0
    module, positions = view
    expected = facts.source_lines(module)
    visitor = _Every()
    module.visit(visitor)
    told = 0
    for node in visitor.nodes:
        line = positions.start_line(node)
        if line is not None:
            assert line == expected.line(node), (type(node).__name__, text)
            told += 1
    return told


def test_rule_examples() -> None:
    told = [told_lines(source) for source in EXAMPLE_SOURCES]
    assert len(told) > 500
    assert sum(1 for count in told if count) > 0.9 * len(told)  # it answers nearly everywhere


@pytest.mark.parametrize("path", OWN_SOURCES[:40], ids=lambda p: p.name)
def test_own_sources(path: Path) -> None:
    assert told_lines(path.read_text(encoding="utf-8")) > 0


@st.composite
def relaid(draw: st.DrawFn) -> str:
    """A mutated source with layout fragments put in at line starts."""
    lines = draw(mutated()).splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(lines)))
        fragment = draw(st.sampled_from(LAYOUT))
        if fragment == "\r\n" and at < len(lines):
            lines[at] = lines[at].rstrip("\r\n") + "\r\n"
        else:
            lines.insert(at, fragment)
    return "".join(lines)


@SETTINGS
@given(source=relaid())
def test_mutated_sources(source: str) -> None:
    told_lines(source)


def test_a_lone_carriage_return_is_left_to_the_whole_module() -> None:
    """SourceLines counts `\\n` only; where a `\\r` alone breaks a line, `ast`'s lines differ, so
    the statement's code cannot say: None, and the caller's whole-module answer stands."""
    text = "import os\rx = os.getenv('A')\n"
    view = engine_view(text)
    assert view is not None
    module, positions = view
    call = next(n for n in _every(module) if isinstance(n, cst.Call))
    assert positions.start_line(call) is None
    assert told_lines(text.replace("\r", "\n")) > 0


def test_a_node_at_two_places_is_left_to_the_whole_module() -> None:
    """One object at two places in a tree: the whole module gives its first place, the walk
    keeps its last: not answered."""
    statement = cst.parse_statement("x = f(1)\n")
    module = cst.Module(body=[statement, cst.parse_statement("y = 2\n"), statement])
    text = module.code
    positions = Positions(module, text, _PythonParse.of(text).lines)
    call = next(n for n in _every(module) if isinstance(n, cst.Call))
    assert positions.start_line(call) is None
    other = next(n for n in _every(module) if isinstance(n, cst.Integer) and n.value == "2")
    assert positions.start_line(other) == 2


def _every(module: cst.Module) -> list[cst.CSTNode]:
    visitor = _Every()
    module.visit(visitor)
    return visitor.nodes


FLOW = (
    "from flask import Flask, request\nfrom openai import OpenAI\n\napp = Flask(__name__)\n"
    "client = OpenAI()\n\n\n@app.post('/ask')\ndef ask():\n    # the question\n    q = (\n"
    "        request.json['q']\n    )\n    r = client.chat.completions.create(\n"
    "        model='m', messages=[{'role': 'system', 'content': q}]\n    )\n"
    "    return r.choices[0].message.content\n"
)


def test_the_engine_hands_its_lines_to_the_taint_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan's taint facts take their lines from the statement's code: no whole-module pass,
    and the same lines and related steps as with that pass."""
    passes: list[Any] = []
    real = facts.source_lines
    monkeypatch.setattr(facts, "source_lines", lambda module: passes.append(module) or real(module))
    findings = check_source(RULES, FLOW, filename="app.py")
    assert findings and passes == []
    # the source's fact line: `(` of the parenthesised `request.json['q']`
    assert any("`( request.json['q'] )` (line 11," in finding.message for finding in findings)

    module = cst.parse_module(FLOW)
    alone = ModuleTaint(module, NameTable(module), default_catalog(), path=Path("app.py"))
    call = next(
        n for n in _every(module) if isinstance(n, cst.Call) and "create" in module.code_for_node(n.func)
    )
    expected = [flow.fact.line for flow in alone.sink_flows(call)]
    assert expected == [11] and passes == [module]
