"""Lines of the taint engine's facts and summary paths (`ModuleTaint._line`): without the engine's
`node_lines` they cost one code-generation pass over the module, made at the first question (a
summary nobody asks a line of costs none), and equal what the pass per node set (the engine's
earlier way) gave on real code. A project module's summary reads them off its statements' code
(`positions.Positions.start_line`, as the engine does for a scanned file): no pass, the same
lines as libcst's `PositionProvider` and the pass."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from aisec.names import NameTable
from aisec.positions import statement_lines
from aisec.taint import ModuleTaint, export, facts
from aisec.taint.project import ProjectModules
from aisec.testing import default_catalog
from libcst.metadata import MetadataWrapper, PositionProvider

HELPERS = 30
CHAIN = "\n".join(f"def step{i}(text):\n    return step{i + 1}(text)\n" for i in range(HELPERS))
ROUTE = f"""\
from flask import request
from openai import OpenAI

{CHAIN}
def step{HELPERS}(text):
    return OpenAI().responses.create(model="m", instructions=text)


def view():
    return step0(request.args["q"])
"""
PLAIN = """\
from openai import OpenAI


def ask(topic):
    OpenAI().responses.create(model="m", instructions="Be brief", input="A fixed question")
    return len(topic)
"""


@pytest.fixture
def passes(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The module of every code-generation pass."""
    seen: list[Any] = []
    real = facts.source_lines

    def counted(module: cst.Module) -> facts.SourceLines:
        seen.append(module)
        return real(module)

    monkeypatch.setattr(facts, "source_lines", counted)
    monkeypatch.setattr(export, "source_lines", counted, raising=False)  # wherever a pass is made
    return seen


def analysed(source: str) -> ModuleTaint:
    module = cst.parse_module(source)
    taint = ModuleTaint(module, NameTable(module), default_catalog(), path=Path("app.py"))
    taint._ensure()
    return taint


def test_lines_of_sources_and_other_nodes_cost_one_pass_and_are_right(passes: list[Any]) -> None:
    taint = analysed(ROUTE)
    wrapper = MetadataWrapper(taint.module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    calls = [node for node in positions if isinstance(node, cst.Call)]
    assert len(calls) > HELPERS
    sources = [fact.line for flow in taint.sink_flows(calls[-1]) for fact in [flow.fact]]
    assert sources  # the flow's source: its line was asked first (of a source's node)
    assert [taint._line(call) for call in calls] == [positions[call].start.line for call in calls]
    assert passes == [taint.module]


def summarised(root: Path, source: str) -> Any:
    """The summary other modules of the project apply (`ProjectModules`, as the engine asks)."""
    (root / "app.py").write_text(source, encoding="utf-8")
    summary = ProjectModules(root, default_catalog()).summary("app")
    assert summary is not None
    return summary


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[ModuleTaint]:
    """The `ModuleTaint` of every module a `ProjectModules` analysed for a summary."""
    seen: list[ModuleTaint] = []
    real = export.export_summary

    def kept(taint: ModuleTaint, *args: Any) -> Any:
        seen.append(taint)
        return real(taint, *args)

    monkeypatch.setattr(export, "export_summary", kept)
    return seen


def assert_lines_exact(taint: ModuleTaint, *, as_provided: bool = True) -> int:
    """Every line the analysis worked out, and every node's line asked now, equals the whole
    module's pass and (for calls and names, unless not `as_provided`) libcst's
    `PositionProvider`; how many it asked."""
    asked = dict(taint._node_line)
    lines = facts.SourceLines(taint.module)
    provided = MetadataWrapper(taint.module, unsafe_skip_copy=True).resolve(PositionProvider)
    visitor = _Every()
    taint.module.visit(visitor)
    for node in visitor.nodes:
        assert taint._line(node) == (lines.line(node) or 0), type(node).__name__
        if as_provided and isinstance(node, (cst.Call, cst.Name)):
            assert taint._line(node) == provided[node].start.line
    assert all(taint._node_line[key] == line for key, line in asked.items())
    return len(asked)


def test_a_summary_reads_its_lines_off_statements_without_a_pass(
    passes: list[Any], analyses: list[ModuleTaint], tmp_path: Path
) -> None:
    summary = summarised(tmp_path, ROUTE)
    steps = [step for entry in summary.functions["step0"].sinks for step in entry.steps]
    assert [line for _, line, _, _ in steps][-1] == 5 + 3 * HELPERS  # the sink's line
    assert [line for _, line, _, _ in steps][:3] == [5, 8, 11]  # step0, step1, step2 pass it on
    assert passes == []
    assert [taint.node_lines is not None for taint in analyses] == [True]
    assert assert_lines_exact(analyses[0]) > HELPERS


def test_a_summary_with_crlf_reads_its_lines_off_statements(
    passes: list[Any], analyses: list[ModuleTaint], tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_bytes(ROUTE.replace("\n", "\r\n").encode())
    summary = ProjectModules(tmp_path, default_catalog()).summary("app")
    assert summary is not None and summary.functions["step0"].sinks
    assert passes == []
    assert assert_lines_exact(analyses[0]) > HELPERS


def test_a_summary_with_a_lone_cr_costs_the_pass_with_the_same_lines(
    passes: list[Any], analyses: list[ModuleTaint], tmp_path: Path
) -> None:
    """A lone `\r` (libcst's positions and `ast` count a line there, `SourceLines` does not):
    `Positions` leaves such a module to the whole module's pass, as for a scanned file, so its
    lines stay the pass's."""
    (tmp_path / "app.py").write_bytes(("# one\rline\n" + ROUTE).encode())
    summary = ProjectModules(tmp_path, default_catalog()).summary("app")
    assert summary is not None
    steps = [step for entry in summary.functions["step0"].sinks for step in entry.steps]
    assert [line for _, line, _, _ in steps][:3] == [6, 9, 12]
    assert passes == [analyses[0].module]
    assert assert_lines_exact(analyses[0], as_provided=False) > HELPERS


def test_statement_lines_follow_an_edit_after_the_outline(tmp_path: Path) -> None:
    """The statements' lines an outline of a module learnt serve its analysis only for the same
    text: a file edited in between (or read with other line breaks) is parsed again."""
    path = tmp_path / "app.py"
    path.write_text(ROUTE, encoding="utf-8")
    project = ProjectModules(tmp_path, default_catalog())
    assert project._outline("app", path, ROUTE) is not None
    first = project._lines_of(path, ROUTE)
    assert first is not None and first[0][0] == 1
    moved = "\n\n" + ROUTE
    assert project._lines_of(path, moved) == statement_lines(ast.parse(moved).body) != first
    assert project._lines_of(path, "def broken(:\n") is None


def test_a_summary_without_paths_or_sources_costs_no_pass(passes: list[Any], tmp_path: Path) -> None:
    summary = summarised(tmp_path, PLAIN)
    assert set(summary.functions) == {"ask"}
    assert passes == []


def lines_by_earlier_pass(module: cst.Module) -> dict[int, int]:
    """The oracle: every node's line as the engine worked it out before (a sorted walk over every
    node's first token, counting line breaks up to it and over whitespace and comments after)."""
    from libcst._nodes.internal import CodegenState

    starts: dict[int, int] = {}

    class Recorder(CodegenState):  # type: ignore[misc]
        def before_codegen(self, node: Any) -> None:
            if id(node) not in starts:
                starts[id(node)] = len(self.tokens)

    state = Recorder(default_indent=module.default_indent, default_newline=module.default_newline)
    module._codegen(state)
    tokens = state.tokens
    lines: dict[int, int] = {}
    line, position = 1, 0
    for key, index in sorted(starts.items(), key=lambda item: item[1]):
        while position < index:
            line += tokens[position].count("\n")
            position += 1
        extra, ahead = 0, index
        while ahead < len(tokens) and not (
            tokens[ahead].strip() and not tokens[ahead].lstrip().startswith("#")
        ):
            extra += tokens[ahead].count("\n")
            ahead += 1
        lines[key] = line + extra
    return lines


class _Every(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.nodes.append(node)
        return True


REPOSITORY = Path(__file__).resolve().parent.parent
REAL_SOURCES = sorted(
    [
        *(REPOSITORY / "scanner" / "taint").glob("*.py"),
        *(REPOSITORY / "bench" / "corpus" / "llm_apps").rglob("*.py"),
    ]
)

# comments, blank lines, line continuations, parenthesised and multi-line expressions, CRLF
ODD = (
    "x = (\n    # why\n\n    request.args['q']\n)\n"
    "y = f(a,\\\n      b)  # trailing\r\n"
    "@deco\n\n# lead\nclass C(  # c\n    Base):\n    '''doc\n    lines'''\n    z = [\n        1,\n    ]\n"
)


@pytest.mark.parametrize("path", REAL_SOURCES[:40], ids=lambda p: p.name)
def test_lines_equal_the_earlier_pass_on_real_sources(path: Path) -> None:
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    expected = lines_by_earlier_pass(module)
    visitor = _Every()
    module.visit(visitor)
    lines = facts.source_lines(module)
    assert len(visitor.nodes) > 20
    assert {id(node): lines.line(node) for node in visitor.nodes} == {
        id(node): expected[id(node)] for node in visitor.nodes
    }


def test_lines_equal_the_earlier_pass_on_odd_layout() -> None:
    module = cst.parse_module(ODD)
    expected = lines_by_earlier_pass(module)
    visitor = _Every()
    module.visit(visitor)
    lines = facts.source_lines(module)
    assert {lines.line(node) for node in visitor.nodes} >= {1, 4, 6, 8, 11, 12, 13, 15, 16}
    assert [lines.line(node) for node in visitor.nodes] == [expected[id(node)] for node in visitor.nodes]
    assert lines.line(cst.Name("elsewhere")) is None


# the test suite's projects and the corpus's modules (as a project's): their summaries ask lines
# for the paths they export
PROJECTS = sorted(
    [
        *(REPOSITORY / "tests" / "data" / "apps").iterdir(),
        REPOSITORY / "bench" / "corpus" / "llm_apps",
        REPOSITORY / "tests" / "data" / "llm_apps",
    ]
)


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_summary_lines_on_real_projects(root: Path, analyses: list[ModuleTaint]) -> None:
    project = ProjectModules(root, default_catalog())
    for path in sorted(root.rglob("*.py")):
        name = project.module_name(path)
        if name is not None:
            project.summary(name)
    assert analyses
    assert sum(assert_lines_exact(taint) for taint in analyses if taint.node_lines is not None) > 0
    assert all(taint.node_lines is not None for taint in analyses)
