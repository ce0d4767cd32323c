"""Lines of the taint engine's facts and summary paths (`ModuleTaint._line`): each costs a
code-generation pass over the module, so a module computes them at most twice (the sources' nodes,
then every node's), and a summary nobody asks a line of costs none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from aisec.names import NameTable
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
    """The target sets of every code-generation pass (None: every node)."""
    seen: list[Any] = []
    real = facts.source_lines

    def counted(module: cst.Module, targets: Any) -> dict[int, int]:
        seen.append(targets)
        return real(module, targets)

    monkeypatch.setattr(facts, "source_lines", counted)
    monkeypatch.setattr(export, "source_lines", counted, raising=False)  # wherever a pass is made
    return seen


def analysed(source: str) -> ModuleTaint:
    module = cst.parse_module(source)
    taint = ModuleTaint(module, NameTable(module), default_catalog(), path=Path("app.py"))
    taint._ensure()
    return taint


def test_lines_of_many_nodes_cost_two_passes_and_are_right(passes: list[Any]) -> None:
    taint = analysed(ROUTE)
    wrapper = MetadataWrapper(taint.module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    calls = [node for node in positions if isinstance(node, cst.Call)]
    assert len(calls) > HELPERS
    assert [taint._line(call) for call in calls] == [positions[call].start.line for call in calls]
    assert len(passes) <= 2


def summarised(root: Path, source: str) -> Any:
    """The summary other modules of the project apply (`ProjectModules`, as the engine asks)."""
    (root / "app.py").write_text(source, encoding="utf-8")
    summary = ProjectModules(root, default_catalog()).summary("app")
    assert summary is not None
    return summary


def test_a_summary_asks_for_its_lines_in_one_pass(passes: list[Any], tmp_path: Path) -> None:
    summary = summarised(tmp_path, ROUTE)
    steps = [step for entry in summary.functions["step0"].sinks for step in entry.steps]
    assert [line for _, line, _, _ in steps][-1] == 5 + 3 * HELPERS  # the sink's line
    assert passes == [None]


def test_a_summary_without_paths_or_sources_costs_no_pass(passes: list[Any], tmp_path: Path) -> None:
    summary = summarised(tmp_path, PLAIN)
    assert set(summary.functions) == {"ask"}
    assert passes == []
