"""Shared fixtures: run the CLI in-process, write project trees, keep plugin imports apart."""

from __future__ import annotations

import json
import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from aisec.cli import main

REPO = Path(__file__).resolve().parent.parent


class CliResult(NamedTuple):
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Write `files` (relative path -> text, dedented and without a leading newline, or raw bytes) under `root`."""
    for relative, content in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def fixture_project(fixtures: Path, root: Path, pyproject: str | None = None) -> Path:
    """Copy a folder of fixture scripts into `root`, mark it as a project root (`.git`) and
    optionally give it a `pyproject.toml`."""
    shutil.copytree(fixtures, root, dirs_exist_ok=True)
    (root / ".git").mkdir()  # the project root stops here
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return root


def finding_rows(result: CliResult) -> list[tuple[str, int, str, str, str]]:
    """(path, line, code, severity, confidence) of a JSON run that had no errors."""
    data = result.json()
    assert data["errors"] == []
    return [(f["path"], f["line"], f["code"], f["severity"], f["confidence"]) for f in data["findings"]]


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[Mapping[str, str | bytes]], Path]:
    """`tree({"a.py": "..."})` writes the files into tmp_path and returns it."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        return write_tree(tmp_path, files)

    return make


@pytest.fixture
def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> Callable[..., CliResult]:
    """`run_cli(["check", "."], cwd=...)` -> (exit code, stdout, stderr), in-process."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    # The cache key of these runs lives in the test's folder, not in the user's cache directory.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".user-cache"))
    monkeypatch.delenv("AISEC_CACHE_KEY", raising=False)

    def run(args: list[str], cwd: Path | None = None) -> CliResult:
        monkeypatch.chdir(cwd or tmp_path)
        capsys.readouterr()
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(autouse=True)
def _forget_temporary_modules(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Config plugins are imported by module name; drop the ones a test wrote into a temporary
    folder so the next test's module of the same name is imported afresh."""
    before = set(sys.modules)
    yield
    base = str(tmp_path_factory.getbasetemp())
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(base):
            del sys.modules[name]


@pytest.fixture
def analysed_modules(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The project modules the runs analyse for their summaries (`ProjectModules._analyse`), in order."""
    from aisec.taint.project import ProjectModules

    seen: list[str] = []
    original = ProjectModules._analyse

    def spy(self: Any, module: str, *args: Any) -> Any:
        seen.append(module)
        return original(self, module, *args)

    monkeypatch.setattr(ProjectModules, "_analyse", spy)
    return seen
