"""An edit to one member of a cached import cycle: only what it invalidates is summarised again,
and the findings are exactly those of summarising the whole cycle from scratch (path, line,
code and the path across files), whatever the edit does: nothing visible, a new flow, a removed
flow, a new sanitizer, a flow that only went round a cycle of calls, a bigger or broken cycle, a
deleted member, or a cache record that lies."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

SINK = "openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])"

# six modules in one import cycle (m0 imports m5, which reaches m0 again through every other one)
CYCLE = {
    ".git/HEAD": "",
    "cyc/__init__.py": "",
    "cyc/m0.py": f"import openai\n\nimport cyc.m5\n\n\ndef ask(q):\n    return {SINK}\n",
    "cyc/m1.py": "from cyc.m0 import ask\n\n\ndef relay(q):\n    return ask(q)\n",
    "cyc/m2.py": "import cyc.m0\n\n\ndef tidy(q):\n    return q.strip()\n",
    "cyc/m3.py": (
        "from cyc.m1 import relay\nfrom cyc.m2 import tidy\n\n\ndef helper(q):\n    return relay(tidy(q))\n"
    ),
    "cyc/m4.py": (
        "from cyc.m0 import ask\nfrom cyc.m1 import relay\n\n\n"
        "def safe(q):\n    return relay(int(q))\n\n\n"
        "def pong(q, n):\n    from cyc.m5 import ping\n\n    return ping(q, n - 1) if n else ask(q)\n"
    ),
    "cyc/m5.py": (
        "from flask import request\n\nfrom cyc.m3 import helper\nfrom cyc.m4 import pong, safe\n\n\n"
        "def view():\n    return helper(request.args['q'])\n\n\n"
        "def view2():\n    return safe(request.args['q'])\n\n\n"
        "def ping(q, n):\n    return pong(q, n)\n\n\n"
        "def view3():\n    return ping(request.args['q'], 3)\n"
    ),
}


def findings(run_cli: Callable[..., Any], root: Path, *args: str) -> list[tuple]:
    result = run_cli(["check", "--format", "json", "--jobs", "1", *args, "."], cwd=root)
    data = result.json()
    assert data["errors"] == [] and result.code in (0, 1), result.err
    return sorted(
        (f["path"], f["line"], f["code"], repr(f.get("related")))
        for f in data["findings"]
        if f["code"] != "AIS005"
    ) + sorted((f["path"], f["code"], f["message"]) for f in data["findings"] if f["code"] == "AIS005")


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / "cyc" / name
    text = path.read_text()
    assert old in text, (name, old)
    path.write_text(text.replace(old, new, 1))


EDITS = {
    "a comment at the end": [("m1.py", "return ask(q)\n", "return ask(q)\n# edited\n")],
    "lines shifted above a flow": [("m0.py", "import openai\n", "import openai\n\n\n# shifted\n")],
    "a new flow (the cast removed)": [("m4.py", "relay(int(q))", "relay(q)")],
    "a removed flow (the sink gone)": [("m0.py", "'content': q}", "'content': 'fixed'}")],
    "a new sanitizer": [("m3.py", "relay(tidy(q))", "relay(int(tidy(q)))")],
    "the recursion's sink removed": [("m4.py", "else ask(q)", "else None")],
    "the cycle grows": [
        ("m2.py", "return q.strip()", "return extra(q)"),
        ("m2.py", "import cyc.m0\n", "import cyc.m0\nfrom cyc.m6 import extra\n"),
    ],
    "the cycle breaks": [("m0.py", "import cyc.m5\n", "")],
    "a member deleted": [],
}


@pytest.mark.parametrize("change", sorted(EDITS))
def test_an_edited_member_gives_the_findings_of_a_cold_run(
    change: str, run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    root = tree(
        {
            **CYCLE,
            "cyc/m6.py": "import cyc.m0\n\n\ndef extra(q):\n    return relay(q)\n\n\nfrom cyc.m1 import relay\n",
        }
    )
    findings(run_cli, root)  # the cache holds the settled cycle
    for name, old, new in EDITS[change]:
        edit(root, name, old, new)
    if change == "a member deleted":
        (root / "cyc" / "m2.py").unlink()
    warm = findings(run_cli, root)
    assert warm == findings(run_cli, root, "--no-cache")


def test_the_ring_has_its_flows(run_cli: Callable[..., Any], tree: Callable[..., Path]) -> None:
    """The fixture's own findings: view (m3 -> m1 -> m0) and view3 (ping -> pong -> ask, round a
    cycle of calls) reach the system message; view2 casts to int first."""
    root = tree(CYCLE)
    assert [row[:3] for row in findings(run_cli, root, "--no-cache")] == [
        ("cyc/m5.py", 8, "AIS201"),
        ("cyc/m5.py", 20, "AIS201"),
    ]


def test_only_the_edited_member_is_analysed_when_its_summary_reads_the_same(
    run_cli: Callable[..., Any], tree: Callable[..., Path], analysed_modules: list[str]
) -> None:
    """A comment added to `m1` changes its bytes, not what a caller reads of it: `m1` alone is
    analysed again; the other members' summaries come from the cache."""
    root = tree(CYCLE)
    findings(run_cli, root)
    assert "cyc.m1" in analysed_modules and "cyc.m0" in analysed_modules
    analysed_modules.clear()
    edit(root, "m1.py", "return ask(q)\n", "return ask(q)\n# edited\n")
    findings(run_cli, root)
    assert analysed_modules == ["cyc.m1"]


@pytest.fixture
def summary_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The summary records the runs write: "cycle" for an import cycle's record, else "member"."""
    from aisec.cache import ResultCache
    from aisec.taint.cycles import cycle_record_key

    cycle = cycle_record_key(tuple(f"cyc.m{n}" for n in range(6)))
    written: list[str] = []
    original = ResultCache.put_record

    def spy(self: Any, kind: str, key: str, value: Any) -> bool:
        if kind == "summary":
            written.append("cycle" if key == cycle else "member")
        return original(self, kind, key, value)

    monkeypatch.setattr(ResultCache, "put_record", spy)
    return written


def test_an_edited_member_writes_the_cycle_once(
    run_cli: Callable[..., Any], tree: Callable[..., Path], summary_writes: list[str]
) -> None:
    """The settled cycle is one record holding every member's summary: after an edit to one
    member it is read and written once, not once per member."""
    root = tree(CYCLE)
    findings(run_cli, root)
    assert summary_writes == ["cycle"]
    summary_writes.clear()
    edit(root, "m1.py", "return ask(q)\n", "return ask(q)\n# edited\n")
    findings(run_cli, root)
    assert summary_writes == ["cycle"]


def test_a_cycle_resumed_unchanged_is_not_written_again(
    run_cli: Callable[..., Any],
    tree: Callable[..., Path],
    summary_writes: list[str],
    analysed_modules: list[str],
) -> None:
    """An edit above the cycle (a module importing it) resumes the cycle from its record with
    nothing to analyse again: the record already says exactly that, and is not rewritten."""
    caller = "from cyc.m4 import safe\n\n\ndef check(q):\n    return safe(q)\n"
    root = tree(
        {**CYCLE, "top/__init__.py": "", "top/use.py": caller, "top/app.py": "from top.use import check\n"}
    )
    findings(run_cli, root)
    summary_writes.clear()
    analysed_modules.clear()
    (root / "top" / "use.py").write_text(caller + "# edited\n")
    findings(run_cli, root)
    assert "cycle" not in summary_writes and not any(m.startswith("cyc.") for m in analysed_modules)


def test_a_cycle_too_big_for_one_record_keeps_its_members_apart(
    run_cli: Callable[..., Any],
    tree: Callable[..., Path],
    analysed_modules: list[str],
    summary_writes: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Where the cycle's summaries together exceed a cache entry, each member's summary is
    written to its own record (the cycle's record holds the own keys only), and an edit to one
    member still analyses that member alone, with the findings of a cold run."""
    import aisec.cache

    root = tree(CYCLE)
    cold = findings(run_cli, root, "--no-cache")
    monkeypatch.setattr(aisec.cache, "MAX_ENTRY_BYTES", 6_000)  # one summary fits, six do not
    findings(run_cli, root)
    assert sorted(summary_writes) == ["cycle"] * 2 + ["member"] * 6  # refused whole, then own keys only
    analysed_modules.clear()
    edit(root, "m1.py", "return ask(q)\n", "return ask(q)\n# edited\n")
    assert findings(run_cli, root) == cold
    assert analysed_modules == ["cyc.m1"]


@pytest.mark.parametrize(
    "forged",
    [
        "every member unchanged",  # own keys of the edited state: no summaries under the keys they give
        "members of another cycle",
        "not a record",
        "summaries of other modules",
        "a member's summary missing",
        "summaries not a mapping",
    ],
)
def test_a_cycle_record_that_lies_is_not_trusted(
    forged: str, run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle record rewritten (validly signed) to say that no member changed, to name other
    members, to hold no record at all, or to hold summaries that are not its members': the run
    summarises from scratch, and the findings are the cold run's (a record without summaries
    has them read under the keys the own keys give, never under keys a record names)."""
    from aisec.taint.cycles import cycle_record_key
    from aisec.taint.project import ProjectModules

    original = ProjectModules._resumed

    def lie(self: Any, component: tuple[str, ...]) -> Any:
        own = {m: self._own[m] for m in component}
        kept = self.store.get_record("summary", cycle_record_key(component)) if self.store else None
        summaries = dict(kept["summaries"]) if kept else {}
        record = {
            "every member unchanged": {"own": own},
            "members of another cycle": {"own": {**own, "cyc.elsewhere": "0" * 64}},
            "not a record": ["own"],
            "summaries of other modules": {
                "own": own,
                "summaries": dict(zip(summaries, reversed(summaries.values()), strict=True)),
            },
            "a member's summary missing": {
                "own": own,
                "summaries": {m: summaries[m] for m in list(summaries)[1:]},
            },
            "summaries not a mapping": {"own": own, "summaries": list(summaries.values())},
        }[forged]
        if self.store is not None:  # not in the --no-cache run
            self.store.put_record("summary", cycle_record_key(component), record)
        return original(self, component)

    root = tree(CYCLE)
    findings(run_cli, root)
    edit(root, "m0.py", "'content': q}", "'content': 'fixed'}")
    monkeypatch.setattr(ProjectModules, "_resumed", lie)
    assert findings(run_cli, root) == findings(run_cli, root, "--no-cache") == []
