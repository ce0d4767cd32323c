"""Warm runs: the main process looks every file up in the cache and only the misses are scanned
(by the pool when there are enough of them); results keep the files' order."""

from __future__ import annotations

from pathlib import Path

import aisec.parallel
import aisec.run
from aisec.parallel import POOL_THRESHOLD

PICKLE = "import pickle\n\ndef load(p):\n    return pickle.loads(p)\n"


def _project(tree) -> Path:
    files = {
        f"m{index:02}.py": PICKLE if index % 5 == 0 else f"X = {index}\n"
        for index in range(POOL_THRESHOLD + 6)
    }
    return tree({**files, ".git/HEAD": ""})


def _check(run_cli, root: Path, *extra: str) -> dict:
    result = run_cli(["check", "--format", "json", "--jobs", "2", *extra, "."], cwd=root)
    assert result.code == 1, result.err
    return result.json()


def _record_scanned(monkeypatch) -> list[list[str]]:
    """The files each `map_files` call of `check` was given to scan."""
    calls: list[list[str]] = []
    real = aisec.run.map_files

    def recording(task, items, *args, **kwargs):
        calls.append([shown for _, shown in items])
        return real(task, items, *args, **kwargs)

    monkeypatch.setattr(aisec.run, "map_files", recording)
    return calls


def test_warm_run_starts_no_pool_and_keeps_findings(tree, run_cli, monkeypatch) -> None:
    root = _project(tree)
    cold = _check(run_cli, root)
    assert cold["summary"]["cached"] == 0
    assert cold["findings"] == _check(run_cli, root, "--no-cache")["findings"]

    def no_pool(*args, **kwargs):
        raise AssertionError("a warm run started a worker pool")

    monkeypatch.setattr(aisec.parallel, "_Pool", no_pool)
    scanned = _record_scanned(monkeypatch)
    warm = _check(run_cli, root)
    assert scanned == [[]]
    assert warm["summary"]["cached"] == POOL_THRESHOLD + 6
    assert warm["findings"] == cold["findings"]


def test_only_changed_files_are_scanned_in_order(tree, run_cli, monkeypatch) -> None:
    root = _project(tree)
    _check(run_cli, root)
    changed = sorted(path.name for path in root.glob("m*.py") if path.read_text() != PICKLE)
    assert len(changed) >= POOL_THRESHOLD  # enough for the pool
    for name in changed:
        (root / name).write_text(PICKLE, encoding="utf-8")
    fresh = _check(run_cli, root, "--no-cache")
    scanned = _record_scanned(monkeypatch)
    warm = _check(run_cli, root)
    assert scanned == [changed]
    assert warm["summary"]["cached"] == POOL_THRESHOLD + 6 - len(changed)
    assert warm["findings"] == fresh["findings"]
