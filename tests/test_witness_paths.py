"""The path shown with a taint finding (`related`) is a function of the input.

Two facts that differ only by the calls they went through are one fact to the fixpoint, so where
they meet one path survives: the shortest, then the one whose steps come first by their code and
line (`aisec.taint.values.precedes`), never the one a set happened to iterate first. Set order
follows hashes (node hashes are addresses, string hashes are seeded per process), so before
this the path of one finding could change from run to run (bench/corpus/dev8b's e-mail triage,
AIS202 at line 119). Checked here: processes with other hash seeds and two jobs give the same
JSON, the chosen paths are the canonical ones, and the order definitions are written in does
not change them (hypothesis)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

import pytest
from conftest import REPO, write_tree
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PROMPT = '"You are a helpful assistant. Answer the user: "'

HELPERS = """
def clean(text):
    return text.strip()


def shout(text):
    return text.upper()


def either(text, flag):
    if flag:
        return clean(text)
    return shout(text)
"""

MAIN = f"""
from flask import Flask, request
import openai

from app.helpers import clean, either, shout

client = openai.OpenAI()
app = Flask(__name__)


def first(text):
    return text


def second(text):
    return text


def third(text):
    return first(text)


class Holder:
    def __init__(self, text):
        self.text = text

    def get(self):
        return self.text


@app.route("/equal")
def equal():
    q = request.args["q"]
    if len(q) > 3:
        v = second(q)
    else:
        v = first(q)
    return client.completions.create(model="x", prompt={PROMPT} + v)


@app.route("/longer")
def longer():
    q = request.args["q"]
    w = third(q) + Holder(q).get() + first(q) + q
    return client.completions.create(model="x", prompt={PROMPT} + w)


@app.route("/module")
def module():
    q = request.args["q"]
    w = shout(q) + either(q, len(q)) + clean(q)
    return client.completions.create(model="x", prompt={PROMPT} + w)


def ask(text):
    return client.completions.create(model="x", prompt={PROMPT} + text)


@app.route("/helper")
def helper():
    q = request.args["q"]
    if q:
        return ask(second(q))
    return ask(first(q))
"""


def witness_project(root: Path) -> Path:
    """The constructed app (equal and unequal paths through calls, an attribute, a return, another
    module's function, a helper holding the sink) and the corpus file that showed the churn."""
    write_tree(root, {"app/__init__.py": "", "app/helpers.py": HELPERS, "app/main.py": MAIN})
    corpus_file = REPO / "bench" / "corpus" / "dev8b" / "email_triage_llamaindex.py"
    (root / "app" / "email_triage.py").write_text(corpus_file.read_text(encoding="utf-8"), encoding="utf-8")
    (root / ".git").mkdir()
    return root


def steps(finding: dict[str, Any]) -> list[str]:
    return [step["message"] for step in finding.get("related", [])]


def test_the_json_report_is_the_same_for_every_hash_seed_and_job_count(tmp_path: Path) -> None:
    # Fails without canonical witnesses: of seeds 0-5 on this project, before the change, 4
    # different reports came out (the e-mail triage's AIS202 at line 119 and the constructed
    # routes' paths), so these five runs differed on every try.
    project = witness_project(tmp_path / "project")
    reports = set()
    for seed, jobs in (("0", "1"), ("1", "1"), ("3", "1"), ("4", "1"), ("5", "2")):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "XDG_CACHE_HOME": str(tmp_path / "cache"),
            "NO_COLOR": "1",
        }
        command = [
            sys.executable,
            "-m",
            "aisec",
            "check",
            "--format",
            "json",
            "--no-cache",
            "-q",
            "--exit-zero",
        ]
        completed = subprocess.run(
            [*command, "--jobs", jobs, "."], cwd=project, env=env, capture_output=True, text=True, check=True
        )
        data = json.loads(completed.stdout)
        assert data["errors"] == []
        assert sum(1 for f in data["findings"] if len(steps(f)) > 2) >= 3, (
            "no finding with a helper on its path"
        )
        reports.add(json.dumps(data["findings"], sort_keys=True))
    assert len(reports) == 1


def test_equal_facts_keep_the_shortest_path_then_the_first_steps_by_code(
    tmp_path: Path, run_cli: Callable[..., Any]
) -> None:
    project = witness_project(tmp_path / "project")
    data = run_cli(["check", "--format", "json", "--no-cache", "app/main.py"], cwd=project).json()
    paths = {f["line"]: steps(f)[1:-1] for f in data["findings"] if f["code"] == "AIS202"}
    assert paths == {
        37: ["passes through `first()`"],  # `first(q)` and `second(q)`: one step each, `first` sorts first
        44: [],  # the data itself is in the prompt: no helper on the shortest path
        51: ["passes through `clean()`"],  # `clean`, `shout`, `either` of another module: one step each
        62: ["passes through `second()`", "passes through `ask()`"],  # reported at the first call, its path
    }


def test_the_triage_example_reports_its_shortest_path(tmp_path: Path, run_cli: Callable[..., Any]) -> None:
    # `f"...'{subject}'...{_body(msg)}"`: `msg` reaches the prompt directly (its subject) and
    # through `_body()`: the path without `_body()` is the one shown, in every process.
    project = witness_project(tmp_path / "project")
    data = run_cli(["check", "--format", "json", "--no-cache", "app/email_triage.py"], cwd=project).json()
    (finding,) = [f for f in data["findings"] if f["code"] == "AIS202" and f["line"] == 119]
    assert steps(finding)[1:-1] == [
        "passes through `messages.append()`",
        "passes through `poller.unread()`",
        "passes through `poller.summarise()`",
    ]


# ----- the order definitions are written in -----

HELPER_BODIES = (
    "def {name}(text_{name}):\n    return text_{name}\n",
    "def {name}(text_{name}):\n    return text_{name}.strip()\n",
    "def {name}(text_{name}):\n    return f'<q>{{text_{name}}}</q>'\n",
)

TERMS = (
    lambda q, helpers: q,
    lambda q, helpers: f"{helpers[0]}({q})",
    lambda q, helpers: f"{helpers[1]}({q})",
    lambda q, helpers: f"{helpers[0]}({helpers[1]}({q}))",
    lambda q, helpers: f"Box_{q}({q}).get()",
)


@st.composite
def programs(draw: Any) -> tuple[list[str], list[int]]:
    """Top-level definitions of a Flask app (helpers, a class per route, routes combining calls of
    them into one prompt, on equal and unequal paths) and an order to write them in. Each route
    has a class of its own: two routes' data in one class's state would make each finding name
    both routes' sources, listed by line, which moving definitions changes."""
    count = draw(st.integers(2, 4))
    names = [f"help_{chr(ord('a') + i)}" for i in range(count)]
    definitions = [draw(st.sampled_from(HELPER_BODIES)).format(name=name) for name in names]
    for route in range(draw(st.integers(1, 3))):
        q = f"q_{route}"
        helpers = draw(st.permutations(names))
        left, right = draw(st.sampled_from(TERMS)), draw(st.sampled_from(TERMS))
        definitions.append(
            f"class Box_{q}:\n    def __init__(self, text):\n        self.text = text\n\n"
            "    def get(self):\n        return self.text\n"
        )
        definitions.append(
            f'@app.route("/r{route}")\ndef route_{route}():\n    {q} = request.args["q"]\n'
            f"    if len({q}) > 3:\n        v = {left(q, helpers)}\n    else:\n        v = {right(q, helpers)}\n"
            f"    w = v + {draw(st.sampled_from(TERMS))(q, helpers[::-1])}\n"
            f'    return client.completions.create(model="x", prompt={PROMPT} + w)\n'
        )
    order = draw(st.permutations(range(len(definitions))))
    return definitions, list(order)


def _without_lines(finding: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    def plain(text: str) -> str:
        return re.sub(r"line \d+", "line N", text)

    return (finding["code"], plain(finding["message"]), tuple(plain(step) for step in steps(finding)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(program=programs())
def test_the_chosen_path_does_not_depend_on_the_order_of_definitions(
    program: tuple[list[str], list[int]],
    tmp_path_factory: pytest.TempPathFactory,
    run_cli: Callable[..., Any],
) -> None:
    definitions, order = program
    header = (
        "from flask import Flask, request\nimport openai\n\nclient = openai.OpenAI()\napp = Flask(__name__)\n"
    )
    found = []
    for arrangement in (definitions, [definitions[i] for i in order]):
        root = tmp_path_factory.mktemp("order")
        (root / "app.py").write_text(header + "\n\n" + "\n\n".join(arrangement), encoding="utf-8")
        data = run_cli(["check", "--format", "json", "--no-cache", "app.py"], cwd=root).json()
        assert data["errors"] == []
        found.append(sorted(_without_lines(f) for f in data["findings"]))
    assert found[0], textwrap.indent("\n\n".join(definitions), "  ")
    assert found[0] == found[1]


# ----- the merge functions themselves -----


class _Step:
    """A stand-in for a call node: compared by identity, as libcst nodes are."""

    def __init__(self, code: str, rank: int) -> None:
        self.code, self.rank = code, rank


STEPS = [_Step(code, rank) for rank, code in enumerate(("b(x)", "a(x)", "a(x)", "c(x)"))]
FACT_OF = st.builds(
    lambda site, spliced, path: (site, spliced, tuple(STEPS[i] for i in dict.fromkeys(path))),
    st.integers(0, 2),
    st.booleans(),
    st.lists(st.integers(0, len(STEPS) - 1), max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(raw=st.lists(FACT_OF, min_size=1, max_size=8), data=st.data())
def test_merging_keeps_the_same_paths_in_any_order(raw: list[tuple], data: Any) -> None:
    from aisec.taint.values import Site, Taint, Value, collect, join, unite, unite_all, witness_steps

    sites = [Site("remote", "request data", f"node {i}") for i in range(3)]
    facts = [Taint(sites[site], spliced, via=path) for site, spliced, path in raw]
    shuffled = data.draw(st.permutations(facts))

    def paths(merged: frozenset) -> dict:
        return {(fact.site.node, fact.spliced): fact.via for fact in merged}

    with witness_steps(lambda step: step.code, lambda step: step.rank):
        in_order, other_order = collect(facts), collect(shuffled)
        halves = unite(collect(shuffled[::2]), collect(shuffled[1::2]))
        singles = unite_all(frozenset({fact}) for fact in shuffled)
        joined = join(Value(collect(shuffled[1::2])), Value(collect(shuffled[::2]))).facts
    assert paths(in_order) == paths(other_order) == paths(halves) == paths(singles)
    assert paths(joined) == paths(in_order)
    for fact in facts:  # each kept path is the shortest, then the first by code, then by rank
        kept = paths(in_order)[(fact.site.node, fact.spliced)]
        assert (len(kept), [(s.code, s.rank) for s in kept]) <= (
            len(fact.via),
            [(s.code, s.rank) for s in fact.via],
        )
