"""The speed-ups change no finding: the repo's fixture projects give the same findings with the
prefilter and call screens on and off, cold, warm from the cache and with one file changed
(bench/run.py makes the same check on real corpora, `--check-prefilter`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, fixture_project

FIXTURES = [
    REPO / "tests" / "data" / "llm_apps",
    REPO / "tests" / "data" / "ml_scripts_a",
    REPO / "tests" / "data" / "ml_scripts_b",
    REPO / "examples" / "vulnerable_app",
]


def findings(result: Any) -> set[tuple[Any, ...]]:
    data = result.json()
    assert data["errors"] == []
    keys = ("code", "path", "line", "column", "end_line", "end_column", "message", "fingerprint", "severity")
    return {tuple(f[key] for key in keys) for f in data["findings"]}


@pytest.fixture
def project(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    return fixture_project(request.param, tmp_path / "project")


@pytest.mark.parametrize("project", FIXTURES, ids=[p.name for p in FIXTURES], indirect=True)
def test_fixture_findings_do_not_depend_on_the_speed_ups(project: Path, run_cli: Any) -> None:
    check = ["check", "--format", "json", "--cache-dir", project.parent / "cache", "."]
    full = findings(run_cli(["check", "--format", "json", "--no-cache", "--no-prefilter", "."], cwd=project))
    assert full, "a fixture project without findings proves nothing"
    cold = findings(run_cli(check, cwd=project))
    warm = run_cli(check, cwd=project)
    assert warm.json()["summary"]["cached"] == warm.json()["summary"]["files"]
    changed = sorted(project.rglob("*.py"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    one_changed = findings(run_cli(check, cwd=project))
    assert cold == full
    assert findings(warm) == full
    assert one_changed == full


def test_bench_corpora_findings_do_not_depend_on_the_screens(tmp_path: Path, run_cli: Any) -> None:
    # Every blind corpus of bench/corpus in one project: one run with the screens, one without.
    project = fixture_project(REPO / "bench" / "corpus", tmp_path / "corpora")
    screened = findings(run_cli(["check", "--format", "json", "--no-cache", "."], cwd=project))
    full = findings(run_cli(["check", "--format", "json", "--no-cache", "--no-prefilter", "."], cwd=project))
    assert len(full) > 100, "the corpora hold hundreds of findings"
    assert screened == full
