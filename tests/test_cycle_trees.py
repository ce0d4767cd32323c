"""An import cycle's members are analysed again as the summaries they import change: each
member's libcst tree (and the statements' code its lines were read off) is parsed once and kept
until the cycle settles (`ProjectModules._parse`, within `MAX_KEPT_TEXT`), and the summaries are
exactly those of parsing anew for every analysis."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from aisec import parsing
from aisec.taint import project as project_module
from aisec.taint.project import ProjectModules
from aisec.taint.summary import summary_to_json
from aisec.testing import default_catalog
from test_cycle_edits import CYCLE

REPOSITORY = Path(__file__).resolve().parent.parent
PROJECTS = sorted((REPOSITORY / "tests" / "data" / "apps").iterdir())


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How often each text was parsed by libcst."""
    seen: Counter = Counter()
    real = parsing.parse_module

    def counted(text: str) -> Any:
        seen[text] += 1
        return real(text)

    monkeypatch.setattr(parsing, "parse_module", counted)
    return seen


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """How often each module was analysed."""
    seen: Counter = Counter()
    real = ProjectModules._analyse

    def counted(self: ProjectModules, module: str, path: Path, text: str) -> Any:
        seen[module] += 1
        return real(self, module, path, text)

    monkeypatch.setattr(ProjectModules, "_analyse", counted)
    return seen


# lists a summary fills in the order of a set of facts (not kept in one order from run to run)
UNORDERED = ("returns_params", "returns_sources", "sinks", "puts")


def canonical(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {name: canonical(item, name) for name, item in value.items()}
    if isinstance(value, list):
        items = [canonical(item) for item in value]
        return sorted(items, key=json.dumps) if key in UNORDERED else items
    return value


def summaries(root: Path) -> dict[str, Any]:
    """Every module's summary (as cached) and every analysed outline's, of one run."""
    project = ProjectModules(root, default_catalog())
    names = sorted({project.module_name(path) for path in root.rglob("*.py")} - {None})
    for name in names:
        summary = project.summary(name)
        if summary is not None:
            project.complete(summary, None)
    made = {
        name: summary_to_json(s, project.catalog) if s else None for name, s in project._summaries.items()
    }
    made.update(
        {
            f"{name} analysed": summary_to_json(s, project.catalog) if s else None
            for name, (s, _) in project._exact.items()
        }
    )
    return canonical(made)


def cycle(tmp_path: Path) -> Path:
    for name, text in CYCLE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_cycle_member_analysed_again_is_parsed_once(
    parsed: Counter, analyses: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = cycle(tmp_path)
    kept = summaries(root)
    assert max(analyses.values()) > 1  # the cycle's worklist analysed members again
    assert set(parsed.values()) == {1}
    assert sum(parsed.values()) == len(analyses)
    # the same summaries as parsing anew for every analysis (nothing kept)
    monkeypatch.setattr(project_module, "MAX_KEPT_TEXT", 0)
    parsed.clear()
    analyses.clear()
    assert summaries(root) == kept
    assert sum(parsed.values()) == sum(analyses.values()) > len(analyses)


def test_kept_trees_stay_within_their_bound(
    parsed: Counter, analyses: Counter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = cycle(tmp_path)
    bound = sum(len(text) for text in CYCLE.values()) // 2
    monkeypatch.setattr(project_module, "MAX_KEPT_TEXT", bound)
    held: list[int] = []
    real = ProjectModules._parse

    def measured(self: ProjectModules, path: Path, text: str) -> Any:
        found = real(self, path, text)
        held.append(sum(kept[3] for kept in (self._kept or {}).values()))
        return found

    monkeypatch.setattr(ProjectModules, "_parse", measured)
    summaries(root)
    assert 0 < max(held) <= bound
    again = {text for text, count in parsed.items() if count > 1}
    assert again and len(again) < len(parsed)  # the members past the bound are parsed anew


def test_a_kept_tree_serves_the_same_text_only(tmp_path: Path) -> None:
    """A member edited while its cycle is summarised (its text read again differs) is parsed anew."""
    root = cycle(tmp_path)
    project = ProjectModules(root, default_catalog())
    path = root / "cyc" / "m1.py"
    text = CYCLE["cyc/m1.py"]
    project._kept = {}
    tree, positions = project._parse(path, text)
    assert project._parse(path, text) == (tree, positions)
    edited = text + "# edited\n"
    other, _ = project._parse(path, edited)
    assert other is not tree and other.code == edited
    project._kept = None  # outside a cycle nothing is kept
    assert project._parse(path, text)[0] is not tree


@pytest.mark.parametrize("root", PROJECTS, ids=lambda p: p.name)
def test_the_suite_projects_summaries_are_those_of_parsing_anew(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = summaries(root)
    monkeypatch.setattr(project_module, "MAX_KEPT_TEXT", 0)
    assert summaries(root) == kept
