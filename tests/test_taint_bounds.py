"""The taint engine's bounds: loops cost the sum of their bodies, summaries converge whatever the
order functions are defined in, and a file over the analysis budget is reported (AIS005), never
silently partial.

Uses the small catalog of tests/test_taint.py (`src()` a source, `sink(x)` instruction text).
"""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
from aisec.diagnostics import IncompleteAnalysis
from aisec.testing import check_source
from test_taint import CATALOG, Dump, flows


def return_chain(length: int, order: list[int]) -> str:
    """`h0` returns `h1()`, ..., the last returns `src()`; defined in `order`; `sink(h0())`."""
    defs = {
        i: f"def h{i}():\n    return {'src()' if i == length - 1 else f'h{i + 1}()'}\n" for i in range(length)
    }
    return "\n".join(defs[i] for i in order) + "\nsink(h0())\n"


def argument_chain(length: int, order: list[int]) -> str:
    """`h0(x)` passes `x` to `h1`, ..., the last puts it into `sink`; `h0(src())`."""
    defs = {
        i: f"def h{i}(x):\n    {'sink(x)' if i == length - 1 else f'h{i + 1}(x)'}\n" for i in range(length)
    }
    return "\n".join(defs[i] for i in order) + "\nh0(src())\n"


@pytest.mark.parametrize("length", [7, 12, 40])
@pytest.mark.parametrize("build", [return_chain, argument_chain])
def test_a_chain_of_helpers_is_followed_in_any_definition_order(
    length: int, build: Callable[[int, list[int]], str]
) -> None:
    shuffled = list(range(length))
    random.Random(length).shuffle(shuffled)
    orders = {
        "caller first": list(range(length)),
        "callee first": list(range(length))[::-1],
        "shuffled": shuffled,
    }
    for name, order in orders.items():
        found = flows(build(length, order))
        assert [(role, source) for _, role, source, _, _ in found] == [("instruction", "src()")], name


def test_a_chain_that_ends_in_a_sanitizer_stays_clean_in_any_order() -> None:
    source = return_chain(9, list(range(9))).replace("return src()", "return clean(src())")
    assert flows(source) == []
    assert flows(return_chain(9, list(range(9))[::-1]).replace("return src()", "return clean(src())")) == []


def test_mutual_recursion_converges() -> None:
    source = """
    def even(n, x):
        return x if n == 0 else odd(n - 1, x + "!")

    def odd(n, x):
        return even(n - 1, x)

    sink(even(4, src()))
    sink(odd(3, "constant"))
    """
    assert [line for line, *_ in flows(source)] == [8]


def nested_loops(depth: int) -> str:
    lines = ["def handler():", "    acc = ''", "    q = src()"]
    indent = "    "
    for level in range(depth):
        lines.append(f"{indent}for v{level} in range(3):")
        indent += "    "
    lines.append(f"{indent}acc = acc + q")
    lines.append("    sink(acc)")
    return "\n".join(lines) + "\n"


def test_deeply_nested_loops_are_analysed_in_linear_time(tmp_path: Path) -> None:
    """The 31-line file with 19 nested loops that took 89 s: now a fraction of a second. Run
    in a subprocess with a generous timeout, so an exponential regression fails instead of
    hanging the suite (no timed assertion)."""
    target = tmp_path / "nested.py"
    target.write_text(
        "from flask import request\nimport openai\n\n"
        + nested_loops(19)
        .replace("src()", "request.args['q']")
        .replace(
            "sink(acc)",
            "openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': acc}])",
        ),
        encoding="utf-8",
    )
    assert len(target.read_text().splitlines()) <= 31
    done = subprocess.run(
        [sys.executable, "-m", "aisec", "check", "--no-cache", "--format", "concise", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert ":27:" in done.stdout and "AIS201" in done.stdout
    assert "AIS005" not in done.stdout


def test_a_value_carried_through_nested_loops_is_followed() -> None:
    assert [role for _, role, *_ in flows(nested_loops(6))] == ["instruction"]
    source = """
    x = ""
    for a in items:
        for b in a:
            sink(x)
            x = src()
    """
    assert [line for line, *_ in flows(source)] == [5]


def test_a_loop_whose_head_does_not_change_is_not_reanalysed(monkeypatch: pytest.MonkeyPatch) -> None:
    from aisec.taint.statements import StatementTransfer

    passes: list[Any] = []
    original = StatementTransfer._suite

    def count(self: Any, suite: Any) -> bool:
        passes.append(suite)
        return original(self, suite)

    monkeypatch.setattr(StatementTransfer, "_suite", count)
    flows("for a in items:\n    sink(a)\n")
    assert len(passes) == 1
    passes.clear()
    flows("x = ''\nfor a in items:\n    x = x + src()\nsink(x)\n")
    assert len(passes) == 2


def over_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from aisec.taint import module

    monkeypatch.setattr(module, "STEPS_BASE", 2)
    monkeypatch.setattr(module, "STEPS_PER_STATEMENT", 0)


LONG = "\n".join(f"x{i} = src()\nsink(x{i})" for i in range(10)) + "\n"


def test_a_file_over_the_budget_is_reported_not_silently_partial(monkeypatch: pytest.MonkeyPatch) -> None:
    over_budget(monkeypatch)
    found = check_source([Dump, IncompleteAnalysis], LONG, catalog=CATALOG)
    codes = [f.code for f in found]
    assert "AIS005" in codes
    (diagnostic,) = [f for f in found if f.code == "AIS005"]
    assert diagnostic.severity.value == "medium" and diagnostic.location.line == 1
    assert "not fully analysed" in diagnostic.message and "20 statements" in diagnostic.message
    assert codes.count("TST901") >= 1  # what was found before the budget ran out is kept


def test_a_file_within_the_budget_has_no_diagnostic() -> None:
    found = check_source([Dump, IncompleteAnalysis], LONG, catalog=CATALOG)
    assert [f.code for f in found] == ["TST901"] * 10


def test_the_budget_diagnostic_fails_the_default_gate_and_can_be_ignored(
    monkeypatch: pytest.MonkeyPatch, run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    over_budget(monkeypatch)
    root = tree(
        {
            "app.py": textwrap.dedent(
                """
                from flask import request
                import openai
                q = int(request.args["q"])
                text = f"Answer question {q} politely and briefly"
                openai.chat.completions.create(model="m", messages=[{"role": "system", "content": text}])
                """
            )
        }
    )
    (root / ".git").mkdir()
    result = run_cli(["check", "--no-cache", "--format", "concise", "app.py"], cwd=root)
    assert result.code == 1 and result.out.splitlines() == [result.out.splitlines()[0]]
    assert result.out.startswith("app.py:1:1: AIS005 [medium] not fully analysed")
    assert run_cli(["check", "--no-cache", "--ignore", "AIS005", "app.py"], cwd=root).code == 0
