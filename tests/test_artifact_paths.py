"""exclude, per-file-ignores, --force-exclude and baselines apply to model-artifact findings as
they do to code findings, for artifacts that code loads and for `--artifacts-only` (the
aisec-artifacts hook); `aisec config PATH` shows which pattern applies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from artifacts import samples
from conftest import write_tree

LOADER = 'import torch\n\nmodel = torch.load("tests/fixtures/evil.pkl", weights_only=True)\n'
EVIL = "tests/fixtures/evil.pkl"


def project(root: Path, pyproject: str = "") -> Path:
    write_tree(root, {"tests/test_loader.py": LOADER, "pyproject.toml": "[tool.aisec]\n" + pyproject})
    (root / EVIL).parent.mkdir(parents=True, exist_ok=True)
    (root / EVIL).write_bytes(samples.getpid_p2())
    (root / ".git").mkdir()
    return root


def codes(run_cli, root: Path, *args: str) -> list[tuple[str, str]]:
    result = run_cli(["check", "--no-cache", "--format", "json", *args], cwd=root)
    data = result.json()
    assert data["errors"] == []
    return [(f["path"], f["code"]) for f in data["findings"]]


CODE_HOOK = ["--force-exclude", "tests/test_loader.py"]
ARTIFACT_HOOK = ["--artifacts-only", "--force-exclude", EVIL]


@pytest.mark.parametrize("hook", [CODE_HOOK, ARTIFACT_HOOK], ids=["code", "artifacts"])
def test_unconfigured_fixture_is_reported(run_cli, tmp_path: Path, hook: list[str]) -> None:
    assert codes(run_cli, project(tmp_path), *hook) == [(EVIL, "AIS401")]


@pytest.mark.parametrize("hook", [CODE_HOOK, ARTIFACT_HOOK], ids=["code", "artifacts"])
@pytest.mark.parametrize(
    "setting",
    ['extend-exclude = ["tests/fixtures"]', 'per-file-ignores = { "tests/fixtures/*" = ["AIS4"] }'],
    ids=["exclude", "per-file-ignores"],
)
def test_fixture_is_excluded_by_path(run_cli, tmp_path: Path, hook: list[str], setting: str) -> None:
    assert codes(run_cli, project(tmp_path, setting + "\n"), *hook) == []


def test_per_file_ignores_name_only_their_codes(run_cli, tmp_path: Path) -> None:
    root = project(tmp_path, 'per-file-ignores = { "tests/fixtures/*" = ["AIS402"] }\n')
    assert codes(run_cli, root, *ARTIFACT_HOOK) == [(EVIL, "AIS401")]


def test_artifact_named_without_force_exclude_is_still_checked(run_cli, tmp_path: Path) -> None:
    """As for code: a file named on the command line is checked unless --force-exclude."""
    root = project(tmp_path, 'extend-exclude = ["tests/fixtures"]\n')
    assert codes(run_cli, root, "--artifacts-only", EVIL) == [(EVIL, "AIS401")]


@pytest.mark.parametrize("hook", [CODE_HOOK, ARTIFACT_HOOK], ids=["code", "artifacts"])
def test_baseline_covers_artifact_findings(run_cli, tmp_path: Path, hook: list[str]) -> None:
    root = project(tmp_path)
    wrote = run_cli(
        ["baseline", "-o", "baseline.json", *[a for a in hook if a.startswith(("tests", EVIL))]], cwd=root
    )
    if "--artifacts-only" in hook:  # `aisec baseline` scans code; record the artifact hook's run instead
        result = run_cli(["check", "--no-cache", "--format", "json", *hook], cwd=root)
        findings = result.json()["findings"]
        (root / "baseline.json").write_text(json.dumps({"version": 1, "findings": findings}))
    else:
        assert wrote.code == 0, wrote.err
    assert codes(run_cli, root, "--baseline", "baseline.json", *hook) == []
    (root / "tests" / "fixtures" / "other.pkl").write_bytes(samples.getpid_p2())
    other = [a if a != EVIL else "tests/fixtures/other.pkl" for a in hook]
    if "--artifacts-only" not in hook:
        (root / "tests" / "test_loader.py").write_text(LOADER.replace("evil.pkl", "other.pkl"))
    assert codes(run_cli, root, "--baseline", "baseline.json", *other) == [
        ("tests/fixtures/other.pkl", "AIS401")
    ]


def test_config_shows_what_applies_to_a_path(run_cli, tmp_path: Path) -> None:
    root = project(
        tmp_path,
        'extend-exclude = ["tests/fixtures"]\nper-file-ignores = { "tests/*" = ["AIS101"] }\n',
    )
    out = run_cli(["config", EVIL, "tests/test_loader.py"], cwd=root).out
    assert "exclude (code files and model artifacts):" in out and "tests/fixtures" in out
    assert f"path {EVIL}: excluded by 'tests/fixtures'" in out
    assert "path tests/test_loader.py: checked; AIS101 ignored by 'tests/*'" in out
