"""The taint fixpoint skips its last round when the round before proves it would repeat that round
exactly (`ModuleTaint._round_repeats`). Two checks, on every taint rule's example, the examples
with their definitions shuffled and generated programs (the fixture projects: in
`test_taint_first_round`): the findings, related steps included, equal those with every round
run (`SKIP_REPEATED_ROUND = False`); and with every round run, a round the proof vouched for is
followed by one that repeats it: the same value for every expression, sink calls, call sites,
summaries, attributes and globals, down to the calls each fact went through. Plus the shapes
where a round read something that changed after it read it, which the proof must refuse."""

from __future__ import annotations

import importlib.util
from functools import partial
from typing import Any

import aisec.taint.module as taint_module
import libcst as cst
import pytest
from aisec.names import NameTable
from aisec.taint import ModuleTaint
from aisec.testing import check_source, default_catalog
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_taint_first_round import (
    CALLER_FIRST,
    EXAMPLES,
    SHUFFLABLE,
    TAINT_RULES,
    _described,
    both_ways,
    check_example,
    shuffled,
)

_spec = importlib.util.spec_from_file_location("taint_rounds", REPO / "bench" / "taint_rounds.py")
assert _spec is not None and _spec.loader is not None
taint_rounds = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(taint_rounds)


def _both_ways(monkeypatch: pytest.MonkeyPatch, run: Any) -> tuple[Any, Any]:
    """(every round run, the repeated round skipped)."""
    return both_ways(monkeypatch, run, "SKIP_REPEATED_ROUND")


def _rounds(source: str, *, skip: bool, monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, bool, Any]]:
    """Per round of the module's analysis: (whether it changed anything, whether the proof
    vouched that the next round repeats it, what it left)."""
    monkeypatch.setattr(taint_module, "SKIP_REPEATED_ROUND", skip)
    module = cst.parse_module(source)
    taint = ModuleTaint(module, NameTable(module), default_catalog())
    rounds: list[tuple[bool, bool, Any]] = []
    run_round = taint._round

    def recorded(*, first: bool = False) -> bool:
        changed = run_round(first=first)
        repeats = changed and taint._round_repeats()
        # a round run in another order than the next is compared in the next round's order
        view = taint_rounds.next_round_view(taint) if repeats else taint
        rounds.append((changed, repeats, taint_rounds._outputs(view)))
        return changed

    taint._round = recorded  # type: ignore[method-assign]
    taint._ensure()
    return rounds


def _vouched_rounds_repeat(source: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """With every round run, each round the proof vouched for is repeated by the next one
    (`_same`: facts' paths included); the number of such rounds."""
    rounds = _rounds(source, skip=False, monkeypatch=monkeypatch)
    vouched = 0
    for number, (_, repeats, outputs) in enumerate(rounds[:-1]):
        if repeats:
            vouched += 1
            assert taint_module._same(rounds[number + 1][2], outputs), f"round {number + 1}:\n{source}"
    return vouched


def _parses(code: str) -> bool:
    try:
        cst.parse_module(code)
    except cst.ParserSyntaxError:
        return False
    return True


def test_every_taint_rule_example_gives_the_same_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    assert len(EXAMPLES) > 200, "the taint rules' examples"
    vouched = 0
    for rule, example in EXAMPLES:
        reference, skipped = _both_ways(monkeypatch, partial(check_example, example.code, example))
        assert skipped == reference, f"{rule.code}: {example.code}"
        if _parses(example.code):
            vouched += _vouched_rounds_repeat(example.code, monkeypatch)
    assert vouched > 100, "most examples' last round is a repeat the proof finds"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHUFFLABLE), st.randoms(use_true_random=False))
def test_examples_with_their_definitions_shuffled(
    monkeypatch: pytest.MonkeyPatch, case: tuple[Any, Any], random: Any
) -> None:
    rule, example = case
    code = shuffled(example.code, random)
    reference, skipped = _both_ways(monkeypatch, partial(check_example, code, example))
    assert skipped == reference, f"{rule.code}: {code}"
    _vouched_rounds_repeat(code, monkeypatch)


HEADER = "import subprocess\nfrom flask import request\nfrom openai import OpenAI\nclient = OpenAI()\nPREFIX = ''\n\n"
SEND = 'client.chat.completions.create(model="m", messages=[{"role": "system", "content": %s}])'
# the statements a generated function's body is made of (lines); `f{n}` calls a function of the
# program, `self.` is the class's state (a module global in a program without a class)
STATEMENTS = (
    ("text = f{n}(text)",),
    ("text = f{n}(request.args['q'])",),
    ("text = text + PREFIX",),
    ("subprocess.run(text, shell=True)",),
    (SEND % "text",),
    ("self.note = text",),
    ("text = self.note",),
    ("self.log = self.log + text",),
    ("def inner(x):", "    return x + text", "text = inner(text)"),
    ("text = [text, f{n}(text)]",),
    ("text = text[0] if text else f{n}(text)",),
    ("items.append(text)",),
    ("return text",),
)


@st.composite
def programs(draw: Any) -> str:
    """A module of a few functions or methods calling one another in any order (recursion, callees
    defined after their callers), keeping data in `self` attributes or globals, nested functions,
    and a global the module writes after the functions."""
    count = draw(st.integers(2, 4))
    in_class = draw(st.booleans())
    indent = "        " if in_class else "    "
    functions = []
    for index in range(count):
        lines = [] if in_class else ["global STATE_note, STATE_log"]
        for statement in draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=4)):
            callee = str(draw(st.integers(0, count - 1)))
            for line in statement:
                line = line.replace("f{n}", ("self.f" if in_class else "f") + callee)
                lines.append(line if in_class else line.replace("self.", "STATE_"))
        header = f"def f{index}({'self, ' if in_class else ''}text, items=None):"
        body = "".join(f"{indent}{line}\n" for line in [*lines, "return text"])
        functions.append(("    " if in_class else "") + header + "\n" + body)
    state = "class Bot:\n    note = ''\n    log = ''\n\n" if in_class else "STATE_note = STATE_log = ''\n\n"
    module = HEADER + state + "\n".join(functions) + "\n"
    if draw(st.booleans()):
        module += "PREFIX = request.args['p']\n\n"  # a global written after the functions
    caller = "Bot().f0" if in_class else "f0"
    return module + f"def view():\n    return {caller}(request.args['q'])\n"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs())
def test_generated_programs(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    # the findings without their related steps: with recursion through lists, which of two equal
    # facts reached by different calls survives a set union can differ from one parse to the next,
    # every round run or not (`Taint.via` is left out of equality); the steps are compared within
    # one analysis instead
    reference, skipped = _both_ways(
        monkeypatch, lambda: [f[:4] for f in _described(check_source(TAINT_RULES, source))]
    )
    assert skipped == reference, source
    _vouched_rounds_repeat(source, monkeypatch)


CHAT = "from openai import OpenAI\nfrom flask import request\nimport streamlit as st\nclient = OpenAI()\n\n"
CHANGED_AFTER_READ = {
    # the method reading the attribute is analysed before the one writing it
    "attribute": f"{CHAT}class Bot:\n"
    f"    def reply(self):\n        return {SEND % 'self.note'}\n\n"
    "    def remember(self, text):\n        self.note = text\n\n"
    "def view():\n    bot = Bot()\n    bot.remember(request.args['q'])\n    return bot.reply()\n",
    # each reads the other's summary: one of them before it is known
    "mutual recursion": f"{CHAT}def ping(text, n):\n    return pong(text, n - 1) if n else {SEND % 'text'}\n\n"
    "def pong(text, n):\n    return ping(text + '!', n)\n\n"
    "def view():\n    return ping(request.args['q'], 3)\n",
    # the module body calls a function whose summary the first round has not made yet
    "module-level call": f"{CHAT}def read():\n    return request.args['q']\n\nTEXT = read()\n\n"
    f"def view():\n    return {SEND % 'TEXT'}\n",
    # a helper analysed before its callers: the type its parameter holds comes from their calls
    "passed object": f"{CHAT}def show(box, text):\n    box.markdown(text, unsafe_allow_html=True)\n\n"
    "def view():\n    show(st.container(), request.args['q'])\n",
    # a summary widened (it keeps changing): the proof does not follow widening
    "widened": f"{CHAT}def grow(text, n):\n    return [grow(text, n - 1)] if n else text\n\n"
    "def view():\n    return " + SEND % "grow(request.args['q'], 5)" + "\n",
}


@pytest.mark.parametrize("shape", CHANGED_AFTER_READ)
def test_a_round_that_read_what_changed_later_is_not_skipped(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = CHANGED_AFTER_READ[shape]
    rounds = _rounds(source, skip=False, monkeypatch=monkeypatch)
    assert rounds[0][0] and not rounds[0][1], "the first round is no fixpoint"
    assert not taint_module._same(rounds[1][2], rounds[0][2]), "the second round differs from the first"
    reference, skipped = _both_ways(monkeypatch, lambda: _described(check_source(TAINT_RULES, source)))
    assert skipped == reference
    _vouched_rounds_repeat(source, monkeypatch)


IN_ORDER = (
    f"{CHAT}def send(text):\n    return {SEND % 'text'}\n\n"
    "def relay(text):\n    return send(text)\n\n"
    "def view():\n    return relay(request.args['q'])\n"
)


def test_a_round_in_order_is_the_last(monkeypatch: pytest.MonkeyPatch) -> None:
    # positive control: callees defined first, nothing read before it is final: the second
    # round would repeat the first, and with the skip on it does not run
    every = _rounds(IN_ORDER, skip=False, monkeypatch=monkeypatch)
    assert [(changed, repeats) for changed, repeats, _ in every] == [(True, True), (False, False)]
    assert taint_module._same(every[1][2], every[0][2])
    assert len(_rounds(IN_ORDER, skip=True, monkeypatch=monkeypatch)) == 1
    reference, skipped = _both_ways(monkeypatch, lambda: _described(check_source(TAINT_RULES, IN_ORDER)))
    assert [f[0] for f in skipped] == ["AIS201"]
    assert skipped == reference


def test_a_class_read_in_its_own_first_body_is_no_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    # the body asks for a method defined further down: known in the next round, not in this one
    source = (
        f"{CHAT}class Bot:\n    greeting = Bot.hello('x')\n\n"
        "    def hello(self, text):\n        return text\n\n"
        "def view():\n    return " + SEND % "request.args['q']" + "\n"
    )
    rounds = _rounds(source, skip=False, monkeypatch=monkeypatch)
    assert not rounds[0][1]
    assert not taint_module._same(rounds[1][2], rounds[0][2]), "the second round differs from the first"
    without = source.replace("greeting = Bot.hello('x')", "greeting = 'x'")
    assert _rounds(without, skip=False, monkeypatch=monkeypatch)[0][1]  # the look-alike is one


def test_the_budget_the_skipped_round_would_have_spent_is_spent(monkeypatch: pytest.MonkeyPatch) -> None:
    # a budget the second round overruns: it is not skipped, and the file is incomplete as before
    module = cst.parse_module(IN_ORDER)
    monkeypatch.setattr(taint_module, "STEPS_BASE", 0)
    steps: list[int] = []
    for skip in (False, True):
        monkeypatch.setattr(taint_module, "SKIP_REPEATED_ROUND", skip)
        taint = ModuleTaint(module, NameTable(module), default_catalog())
        taint._ensure()
        steps.append(taint._steps)
    assert steps[0] == steps[1]
    one_round = steps[0] // 2
    monkeypatch.setattr(taint_module, "STEPS_PER_STATEMENT", 0)
    monkeypatch.setattr(taint_module, "STEPS_BASE", one_round + one_round // 2)
    results = []
    for skip in (False, True):
        monkeypatch.setattr(taint_module, "SKIP_REPEATED_ROUND", skip)
        taint = ModuleTaint(module, NameTable(module), default_catalog())
        taint._ensure()
        results.append((taint.incomplete is not None, taint._steps))
    assert results[0] == results[1]
    assert results[0][0], "the second round overran the budget"


# A first round whose callees ran on demand inside their callers (another order than the next
# round's): `second` runs inside `first`, after `first` wrote `self.x`; the next round runs
# `second` first. Both write `self.x`, an object of another library type each: joined in the
# other order, the attribute keeps the other type (`values.join`), so the proof must refuse.
TWO_WRITERS = (
    "from lib import Foo, Bar\n\nclass Bot:\n"
    "    def first(self):\n        self.x = Foo()\n        self.second()\n\n"
    "    def second(self):\n        self.x = Bar()\n"
)


def test_a_round_in_another_order_is_vouched_for_in_the_next_rounds_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # positive control: the look-alike whose attributes have one writer each is vouched for,
    # its records are compared in the next round's order, and with the skip on it is the last
    one_writer = TWO_WRITERS.replace("self.x = Bar()", "self.y = Bar()")
    every = _rounds(one_writer, skip=False, monkeypatch=monkeypatch)
    assert [(changed, repeats) for changed, repeats, _ in every] == [(True, True), (False, False)]
    assert taint_module._same(every[1][2], every[0][2])
    assert len(_rounds(one_writer, skip=True, monkeypatch=monkeypatch)) == 1
    for source in (one_writer, CALLER_FIRST):
        reference, skipped = _both_ways(
            monkeypatch, lambda source=source: _described(check_source(TAINT_RULES, source))
        )
        assert skipped == reference


def test_an_attribute_two_units_wrote_in_another_order_is_no_proof(monkeypatch: pytest.MonkeyPatch) -> None:
    rounds = _rounds(TWO_WRITERS, skip=False, monkeypatch=monkeypatch)
    assert rounds[0][0] and not rounds[0][1]
    assert not taint_module._same(rounds[1][2], rounds[0][2]), "the second round differs from the first"
    _vouched_rounds_repeat(TWO_WRITERS, monkeypatch)
