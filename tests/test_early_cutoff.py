"""Early cut-off: an edit to a project module that leaves what its importers read of it unchanged
(a comment, a body whose flows stay the same) analyses that module again and nothing above it,
and re-checks no file that used its summary; any edit gives exactly the findings of a run from
scratch (path, line, code and the path across files), whether the cached results are found by
their stamps or by their contents."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import aisec.stamps
import pytest

HELPER = (
    "import openai\n\n\n"
    "def ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n\n\n"
    "def tidy(q):\n"
    "    return q.strip()\n"
)
PROJECT = {
    ".git/HEAD": "",
    "app/__init__.py": "",
    "app/llm.py": HELPER,
    "app/routes.py": (
        "from flask import request\n\nfrom app.llm import ask, tidy\n\n\n"
        "def view():\n    return ask(tidy(request.args['q']))\n"
    ),
    "app/other.py": (
        "from flask import request\n\nfrom app.llm import tidy\n\n\ndef view():\n    return tidy(request.args['q'])\n"
    ),
    "app/relay.py": "from app.llm import ask\n\n\ndef relay(q):\n    return ask(q)\n",
    "app/top.py": (
        "from flask import request\n\nfrom app.relay import relay\n\n\n"
        "def view():\n    return relay(request.args['q'])\n"
    ),
}
EDITS = {
    "a comment at the end": ("    return q.strip()\n", "    return q.strip()\n# reviewed\n"),
    "a body that keeps its flows": ("return q.strip()", "return q.strip().lower()"),
    "lines shifted above the flow": ("import openai\n", "import openai\n\n# moved down\n\n"),
    "the sink removed": ("'content': q}", "'content': 'fixed'}"),
    "a sanitizer": ("return q.strip()", "return int(q)"),
    "a sink's name in a comment": ("    return q.strip()\n", "    return q.strip()\n# subprocess.run\n"),
    "an import of a module with a source": ("import openai\n", "import openai\n\nimport app.top\n"),
}


@pytest.fixture(params=["by stamp", "by content"])
def lookup(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Cached results found through the stamp index, or read and found by their contents (a
    run of fewer than `MIN_FILES` files)."""
    monkeypatch.setattr(aisec.stamps, "RACY_NS", 0)
    monkeypatch.setattr(aisec.stamps, "MIN_FILES", 1 if request.param == "by stamp" else 10_000)
    return request.param


def scan(run_cli: Callable[..., Any], root: Path, *args: str) -> tuple[list[tuple], int]:
    """(findings with the path across files, how many results came from the cache)."""
    result = run_cli(["check", "--format", "json", "--jobs", "1", *args, "."], cwd=root)
    data = result.json()
    assert data["errors"] == [] and result.code in (0, 1), result.err
    rows = sorted((f["path"], f["line"], f["code"], repr(f.get("related"))) for f in data["findings"])
    return rows, data["summary"]["cached"]


def edit(root: Path, old: str, new: str) -> None:
    time.sleep(0.05)  # past the clock tick file times come from: the edit moves the mtime
    path = root / "app" / "llm.py"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_the_fixture_has_its_flows(run_cli: Callable[..., Any], tree: Callable[..., Path]) -> None:
    rows, _ = scan(run_cli, tree(PROJECT), "--no-cache")
    assert [row[:3] for row in rows] == [("app/routes.py", 7, "AIS201"), ("app/top.py", 7, "AIS201")]


@pytest.mark.parametrize("change", sorted(EDITS))
def test_any_edit_gives_the_findings_of_a_run_from_scratch(
    change: str, lookup: str, run_cli: Callable[..., Any], tree: Callable[..., Path]
) -> None:
    root = tree(PROJECT)
    scan(run_cli, root)
    edit(root, *EDITS[change])
    warm, _ = scan(run_cli, root)
    assert warm == scan(run_cli, root, "--no-cache")[0]
    assert scan(run_cli, root) == (warm, 6)  # and the next run reads it all from the cache


@pytest.mark.parametrize("change", ["a comment at the end", "a body that keeps its flows"])
def test_an_edit_its_importers_cannot_see_stops_at_the_module(
    change: str,
    lookup: str,
    run_cli: Callable[..., Any],
    tree: Callable[..., Path],
    analysed_modules: list[str],
) -> None:
    """The edited module alone is analysed again (not `app.relay`, whose summary applied it) and
    checked again; the four files that used its summary keep their cached results."""
    root = tree(PROJECT)
    cold, _ = scan(run_cli, root)
    analysed_modules.clear()
    edit(root, *EDITS[change])
    assert scan(run_cli, root) == (cold, 5)
    assert analysed_modules == ["app.llm"]
    analysed_modules.clear()
    assert scan(run_cli, root) == (cold, 6) and analysed_modules == []  # renewed: a plain warm run


@pytest.mark.parametrize("change", ["lines shifted above the flow", "a sink's name in a comment"])
def test_an_edit_its_importers_can_see_goes_up(
    change: str,
    lookup: str,
    run_cli: Callable[..., Any],
    tree: Callable[..., Path],
    analysed_modules: list[str],
) -> None:
    """Lines that a flow's path across files shows, or a catalog token the module now spells
    (it decides the reach bound and what the prefilter admits), change what importers read:
    the modules above are analysed again and the files that used it checked again."""
    root = tree(PROJECT)
    scan(run_cli, root)
    analysed_modules.clear()
    edit(root, *EDITS[change])
    _, cached = scan(run_cli, root)
    assert "app.relay" in analysed_modules and cached < 5


def test_a_stamp_index_naming_rows_it_lacks_is_not_trusted(
    run_cli: Callable[..., Any], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index names each result's dependencies by their row in its table: a (validly
    signed) index whose entries name rows it does not have, or rows of another shape, has those
    files read and looked up by content, with the findings of a run from scratch."""
    from aisec.cache import ResultCache

    monkeypatch.setattr(aisec.stamps, "RACY_NS", 0)
    monkeypatch.setattr(aisec.stamps, "MIN_FILES", 1)
    root = tree(PROJECT)
    cold = scan(run_cli, root)[0]
    (index,) = (root / ".aisec_cache").rglob("stamps/*/*.json")
    record = json.loads(index.read_bytes().partition(b"\n")[2])
    record["files"]["app/routes.py"][1]["dependencies"] = [len(record["dependencies"]) + 5]
    record["files"]["app/top.py"][1]["dependencies"] = ["app/llm.py"]
    original = ResultCache.get_record
    monkeypatch.setattr(
        ResultCache,
        "get_record",
        lambda self, kind, key: record if kind == "stamps" else original(self, kind, key),
    )
    assert scan(run_cli, root) == (cold, 6)  # routes.py and top.py found by content


@pytest.mark.parametrize("text", ["PERSONA = 'You are terse.'\n# reviewed\n", "PERSONA = 'Obey: ' + 'x'\n"])
def test_an_edited_module_that_defines_nothing_rechecks_its_importers(
    text: str,
    lookup: str,
    run_cli: Callable[..., Any],
    tree: Callable[..., Path],
    analysed_modules: list[str],
) -> None:
    """A module that defines no function or class is its outline (its constants and
    re-exports), whose digest takes its bytes: any edit re-checks the files that used it (the
    run does not summarise it to compare), with the findings of a run from scratch."""
    persona = (
        "from flask import request\n\nfrom app.llm import ask\nfrom app.prompts import PERSONA\n\n\n"
        "def view():\n    return ask(PERSONA + request.args['q'])\n"
    )
    root = tree({**PROJECT, "app/prompts.py": "PERSONA = 'You are terse.'\n", "app/persona.py": persona})
    scan(run_cli, root)
    time.sleep(0.05)
    (root / "app" / "prompts.py").write_text(text)
    warm, cached = scan(run_cli, root)
    assert warm == scan(run_cli, root, "--no-cache")[0] and cached == 6  # prompts.py and persona.py
