"""The taint fixpoint's first round analyses a not yet analysed callee when a caller first calls
it (`ModuleTaint._analyse_on_demand`), instead of analysing the caller again once the callee's
summary is known. The order of analyses is not a property the results can be shown independent
of (widening counts a summary's changes), so these tests compare the whole output, related steps
included, with the first round in definition order (`CALLEES_ON_DEMAND = False`): on every
taint rule's examples, on the same examples with their top-level definitions shuffled, and on
the fixture projects; plus the shapes where analysing on demand would be wrong or unbounded."""

from __future__ import annotations

import ast
import json
from functools import partial
from pathlib import Path
from typing import Any

import aisec.taint.module as taint_module
import libcst as cst
import pytest
from aisec.hooks import Finding, Rule
from aisec.names import NameTable
from aisec.pluginmanager import load_plugins
from aisec.taint import ModuleTaint
from aisec.testing import check_source, default_catalog
from conftest import REPO, fixture_project
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TAINT_RULES: list[type[Rule]] = [
    rule
    for code, rule in sorted(load_plugins(entry_points=False).rules.items())
    if code.startswith(("AIS2", "AIS3"))
]
EXAMPLES = [
    (rule, example)
    for rule in TAINT_RULES
    for kind in ("invalid", "valid")
    for example in rule.examples(kind)
    if example.filename.endswith(".py")
]


def _described(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            f.code,
            f.location.line,
            f.location.column,
            f.message,
            tuple(
                (Path(r.location.path).name, r.location.line, r.location.column, r.message) for r in f.related
            ),
        )
        for f in findings
    )


def both_ways(
    monkeypatch: pytest.MonkeyPatch, run: Any, switch: str = "CALLEES_ON_DEMAND"
) -> tuple[Any, Any]:
    """`run()` with the engine's `switch` off (the reference), then on; by default (first round
    in definition order, first round with callees on demand)."""
    monkeypatch.setattr(taint_module, switch, False)
    reference = run()
    monkeypatch.setattr(taint_module, switch, True)
    return reference, run()


def check_example(code: str, example: Any) -> list[tuple[Any, ...]]:
    findings = check_source(
        TAINT_RULES, code, options=example.options, files=example.files, filename=example.filename
    )
    return _described(findings)


def test_every_taint_rule_example_gives_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(EXAMPLES) > 200, "the taint rules' examples"
    for rule, example in EXAMPLES:
        reference, on_demand = both_ways(monkeypatch, partial(check_example, example.code, example))
        assert on_demand == reference, f"{rule.code}: {example.code}"


def _top_level_blocks(code: str) -> list[tuple[int, int]] | None:
    """Line spans (0-based, end exclusive) of the top-level defs and classes, decorators included."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    spans = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            spans.append((first - 1, node.end_lineno or node.lineno))
    return spans


def _shuffled(code: str, order: list[int]) -> str:
    """`code` with its top-level definitions moved into the slots of one another, in `order`."""
    spans = _top_level_blocks(code) or []
    lines = code.splitlines(keepends=True)
    blocks = [lines[start:end] for start, end in spans]
    out: list[str] = []
    position = 0
    for slot, (start, end) in enumerate(spans):
        out += lines[position:start]
        block = blocks[order[slot]]
        out += block if block[-1].endswith("\n") else [*block[:-1], block[-1] + "\n"]
        position = end
    return "".join(out + lines[position:])


def shuffled(code: str, random: Any) -> str:
    """`code` with its top-level definitions in an order `random` draws."""
    order = list(range(len(_top_level_blocks(code) or [])))
    random.shuffle(order)
    return _shuffled(code, order)


SHUFFLABLE = [(rule, ex) for rule, ex in EXAMPLES if len(_top_level_blocks(ex.code) or []) >= 2]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHUFFLABLE), st.randoms(use_true_random=False))
def test_examples_with_their_definitions_shuffled_give_the_same_findings(
    monkeypatch: pytest.MonkeyPatch, case: tuple[type[Rule], Any], random: Any
) -> None:
    # callers defined before their callees, and the other way round: the order the first
    # round sees decides which calls find their callee unanalysed
    rule, example = case
    code = shuffled(example.code, random)
    reference, on_demand = both_ways(monkeypatch, partial(check_example, code, example))
    assert on_demand == reference, f"{rule.code}: {code}"


FIXTURES = [
    REPO / "tests" / "data" / "llm_apps",
    REPO / "examples" / "vulnerable_app",
    *sorted((REPO / "tests" / "data" / "apps").iterdir()),
]


def _project_findings(run_cli: Any, project: Path) -> list[str]:
    """The findings of a run over a whole project, related steps included, in a stable order."""
    result = run_cli(["check", "--format", "json", "--no-cache", "--jobs", "1", "."], cwd=project)
    data = json.loads(result.out)
    assert data["errors"] == []
    return sorted(json.dumps(finding, sort_keys=True) for finding in data["findings"])


@pytest.mark.parametrize("switch", ["CALLEES_ON_DEMAND", "SKIP_REPEATED_ROUND"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.name for p in FIXTURES])
def test_fixture_projects_give_the_same_findings(
    fixture: Path, switch: str, tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # and with the repeated last round run (`test_taint_repeated_round`)
    project = fixture_project(fixture, tmp_path / "project")
    reference, on = both_ways(monkeypatch, partial(_project_findings, run_cli, project), switch)
    assert on == reference


def _analysis(source: str) -> tuple[ModuleTaint, list[str]]:
    """The module's taint facts, and the functions in the order their analyses ended."""
    module = cst.parse_module(source)
    taint = ModuleTaint(module, NameTable(module), default_catalog())
    order: list[str] = []
    analyse = taint._analyse_function

    def recorded(func: Any) -> None:
        analyse(func)
        order.append(func.display)

    taint._analyse_function = recorded  # type: ignore[method-assign]
    taint._ensure()
    return taint, order


CALLER_FIRST = """\
from flask import request
import subprocess

def view():
    return outer(request.args["q"])

def outer(text):
    return inner(text)

def inner(text):
    subprocess.run(text, shell=True)
    return text
"""


def test_a_callee_is_analysed_before_the_caller_reads_its_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    # positive control: without analysing on demand, `view` and `outer` are analysed again in
    # the first round once the summaries they read are known
    reference, on_demand = both_ways(monkeypatch, lambda: _analysis(CALLER_FIRST)[1])
    assert on_demand == ["inner", "outer", "view"]  # each once: the round that would repeat it is skipped
    monkeypatch.setattr(taint_module, "SKIP_REPEATED_ROUND", False)
    assert _analysis(CALLER_FIRST)[1] == ["inner", "outer", "view"] * 2  # each once a round
    assert reference == ["view", "outer", "inner", "view", "outer", "view", "inner", "outer", "view"]


CHAT = "from openai import OpenAI\nfrom flask import request\nclient = OpenAI()\n\n"
SEND = 'client.chat.completions.create(model="m", messages=[{"role": "system", "content": %s}])'


DEPTH = taint_module.MAX_NESTED * 3
SHAPES = {
    # a chain of helpers, callers first, three times as deep as callees are analysed on demand
    "chain": f"{CHAT}def view():\n    return step0(request.args['q'])\n\n"
    + "".join(f"def step{i}(text):\n    return step{i + 1}(text + '.')\n\n" for i in range(DEPTH))
    + f"def step{DEPTH}(text):\n    return {SEND % 'text'}\n",
    "recursion": f"{CHAT}def view():\n    return ping(request.args['q'], 3)\n\n"
    "def ping(text, n):\n    return pong(text, n - 1) if n else send(text)\n\n"
    "def pong(text, n):\n    return ping(text + '!', n)\n\n"
    f"def send(text):\n    return {SEND % 'text'}\n",
    # kept in an attribute by one method, sent by another, both defined after their caller
    "class state": f"{CHAT}class Bot:\n"
    "    def handle(self):\n        self.remember(request.args['q'])\n        return self.reply()\n\n"
    "    def reply(self):\n        return self.send(self.note)\n\n"
    "    def remember(self, text):\n        self.note = text\n\n"
    f"    def send(self, text):\n        return {SEND % 'text'}\n",
    # the source is what a later-defined helper returns; the sink is in another helper
    "returned source": f"{CHAT}def view():\n    return send(read())\n\n"
    "def read():\n    return request.args['q']\n\n"
    f"def send(text):\n    return {SEND % 'text'}\n",
    # `send` reads `text` from `view`'s scope, bound after the def: analysed on demand at the
    # call it would see the closure as the body left it so far, so it waits for `view` to end
    "nested": f"{CHAT}def view():\n    def send():\n        return {SEND % 'text'}\n"
    "    text = request.args['q']\n    return send()\n",
}


@pytest.mark.parametrize("shape", SHAPES)
def test_shapes_the_order_of_analyses_meets_give_the_same_finding(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference, on_demand = both_ways(
        monkeypatch, lambda: _described(check_source(TAINT_RULES, SHAPES[shape]))
    )
    assert [f[0] for f in on_demand] == ["AIS201"]
    assert on_demand == reference


def test_a_nested_function_is_analysed_after_its_parent() -> None:
    _, order = _analysis(SHAPES["nested"])
    assert order[:2] == ["view", "send"]  # `send` is not analysed on demand inside `view`


def test_a_callee_in_another_module_is_its_summary(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "llm.py").write_text(
        f"{CHAT}def ask(text):\n    return helper(text)\n\ndef helper(text):\n    return {SEND % 'text'}\n",
        encoding="utf-8",
    )
    (tmp_path / "app" / "views.py").write_text(
        "from flask import request\nfrom .llm import ask\n\n"
        "def view():\n    return relay(request.args['q'])\n\ndef relay(text):\n    return ask(text)\n",
        encoding="utf-8",
    )

    def run() -> list[Any]:
        result = run_cli(["check", "--format", "json", "--no-cache", "--jobs", "1", "."], cwd=tmp_path)
        return sorted(json.dumps(f, sort_keys=True) for f in json.loads(result.out)["findings"])

    reference, on_demand = both_ways(monkeypatch, run)
    assert any('"AIS201"' in f and "views.py" in f for f in on_demand)
    assert on_demand == reference
