"""A pool worker whose summaries wait for claims another process holds settles other components
the run's files import meanwhile (`taint.project.ProjectModules._spare_time`): one at a time,
only those whose imports are settled here and that nobody else claimed, never waiting inside
that work, and only in a pool's worker. What it makes equals what one process makes on demand;
a claim held elsewhere (a hung holder, an unrelated process) still only delays a summary."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

import pytest
from aisec.cache import ResultCache
from aisec.engine import FileScanner
from aisec.taint import project as project_module
from aisec.taint.project import ProjectModules
from aisec.testing import default_catalog
from test_shared_summaries import SHARED, claim_key, expected, holder, project, spy_on_analyses, summarised

__all__ = ["project"]  # the fixture, shared with test_shared_summaries

SPARE_MODULES = ["core.other", "cyc.m0", "cyc.m1", "cyc.m2", "cyc.m3", "cyc.m4", "cyc.m5"]


def routes(root: Path) -> list[Path]:
    return sorted((root / "routes").glob("r*.py"))


def analyses(log: Path, pid: int) -> list[str]:
    rows = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    return [module for row_pid, module in rows if int(row_pid) == pid]


@pytest.mark.parametrize("spare", [True, False])
def test_a_worker_settles_what_the_run_imports_while_a_claim_is_held(
    spare: bool, project: tuple[Path, ResultCache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the claim on `core.base` until this one has settled what the
    routes import besides (or waited a while): this one, given the routes as spare files,
    settles what they import and does not wait for `core.base` (`core.other`, the import
    cycle) meanwhile, and each of those summaries is the one a process makes on demand;
    `core.base` is read from the holder's record, and `core.relay1` (waiting for it) is not
    made ahead. Without spare files (any run that is not a pool worker's) it only waits."""
    root, store = project
    key = claim_key(root, ResultCache(tmp_path / "probe", "run", b"k" * 32), "core.base")
    want = {module: expected(root, module) for module in ["core.relay0", *SPARE_MODULES]}
    log = tmp_path / "analyses.log"
    spy_on_analyses(monkeypatch, [log], slow=0.0)
    me = os.getpid()

    def summarise_base() -> None:
        until = time.monotonic() + (30.0 if spare else 0.3)
        while time.monotonic() < until and not set(SPARE_MODULES) <= set(analyses(log, me)):
            time.sleep(0.01)
        ProjectModules(root, default_catalog(), store).summary("core.base")

    process, release = holder(store, key, summarise_base)
    release.set()
    here = ProjectModules(root, default_catalog(), store)
    here.spare = routes(root) if spare else None
    assert summarised(here, "core.relay0") == want["core.relay0"]
    process.join(30)
    assert process.exitcode == 0
    mine = analyses(log, me)
    assert "core.base" not in mine and mine[-1] == "core.relay0"
    assert "core.relay1" not in mine and "core.relay1" not in here._summaries
    if spare:
        assert set(SPARE_MODULES) <= set(mine)
        assert {m: summarised(here, m) for m in want} == want
    else:
        assert mine == ["core.relay0"]


def test_a_claim_never_let_go_only_delays_and_spare_work_skips_what_waits_for_it(
    project: tuple[Path, ResultCache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A claim on `core.base` held by a process that never lets go (planted, hung): spare work
    neither takes `core.base` nor anything importing it (that would wait inside it); past
    `CLAIM_WAIT` the summary is made here, once, and equals the one made on demand."""
    root, store = project
    key = claim_key(root, ResultCache(tmp_path / "probe", "run", b"k" * 32), "core.base")
    want = expected(root, "core.relay0")
    process, _ = holder(store, key)
    try:
        monkeypatch.setattr(project_module, "CLAIM_WAIT", 2.0)  # spare work is done within
        log = tmp_path / "analyses.log"
        spy_on_analyses(monkeypatch, [log], slow=0.0)
        here = ProjectModules(root, default_catalog(), store)
        here.spare = routes(root)
        assert summarised(here, "core.relay0") == want
        mine = analyses(log, os.getpid())
        assert mine[-2:] == ["core.base", "core.relay0"] and mine.count("core.base") == 1
        assert set(SPARE_MODULES) <= set(mine[:-2])
        assert not any(m.startswith("core.relay") for m in mine[:-1])
    finally:
        process.kill()
        process.join()


def test_spare_work_never_waits_for_a_claim(
    project: tuple[Path, ResultCache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever spare work asks for that another process holds a claim on is made at once (two
    processes may then make it; both write the same record), never waited for: a process
    waiting inside spare work could be what the holder waits for."""
    root, store = project
    key = claim_key(root, ResultCache(tmp_path / "probe", "run", b"k" * 32), "core.base")
    want = expected(root, "core.relay0")
    process, _ = holder(store, key)
    try:

        def no_waiting(seconds: float) -> None:
            raise AssertionError("spare work waited for a claim")

        monkeypatch.setattr(project_module.time, "sleep", no_waiting)
        here = ProjectModules(root, default_catalog(), store)
        here.spare = routes(root)
        here._speculating = True
        assert summarised(here, "core.relay0") == want
    finally:
        process.kill()
        process.join()


def test_spare_files_outside_the_project_or_spelling_nothing_add_no_work(
    project: tuple[Path, ResultCache], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Spare files are the run's, as the caller lists them: one outside the project (a path, a
    symlink to it), one no module name stands for, and one spelling no catalog source or sink
    (whatever it imports: it never asks for summaries) add nothing to settle; a route does."""
    root, store = project
    route = "from flask import request\n\nfrom core.other import run\n\n\ndef view():\n    return run(request.args['c'])\n"
    outside = tmp_path_factory.mktemp("outside") / "elsewhere.py"
    outside.write_text(route)
    (root / "link.py").symlink_to(outside)
    (root / "not-a-name.py").write_text(route)
    (root / "quiet.py").write_text("from core.other import run\n\n\ndef f(q):\n    return run(q)\n")
    here = ProjectModules(root, default_catalog(), store)
    here.spare = [outside, root / "link.py", root / "not-a-name.py", root / "quiet.py"]
    assert here._spare_time() is False
    assert here._spare_order == [] and here._summaries == {}
    (root / "named.py").write_text(route)
    here = ProjectModules(root, default_catalog(), store)
    here.spare = [root / "named.py"]
    assert here._spare_time() is True
    assert here._spare_order == [("core.other",)] and set(here._summaries) == {"core.other"}


def test_only_pool_workers_do_spare_work(
    run_cli: Callable[..., Any], tree: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--jobs 2` gives each worker the run's files as spare files (and finds what one process
    finds); `--jobs 1` (as a pre-commit run, the language server) gives none."""
    root = tree(SHARED)
    calls = tmp_path / "spare.log"
    real = FileScanner.share_spare_time

    def logged(self: FileScanner, files: list[Path]) -> None:
        with calls.open("a") as handle:
            handle.write(f"{os.getpid()} {len(files)}\n")
        real(self, files)

    monkeypatch.setattr(FileScanner, "share_spare_time", logged)
    found = {}
    for jobs in ("1", "2"):
        cache = str(tmp_path / f"cache-{jobs}")
        result = run_cli(["check", "--format", "json", "--jobs", jobs, "--cache-dir", cache, "."], cwd=root)
        data = result.json()
        assert data["errors"] == [] and result.code == 1, result.err
        found[jobs] = sorted(
            (f["path"], f["line"], f["code"], repr(f.get("related"))) for f in data["findings"]
        )
        if jobs == "1":
            assert not calls.exists()
    assert found["2"] == found["1"]
    rows = [line.split() for line in calls.read_text().splitlines()]
    files = len([p for p in root.rglob("*.py") if ".git" not in p.parts])
    assert len(rows) == 2 and len({pid for pid, _ in rows}) == 2 and {int(n) for _, n in rows} == {files}
    assert os.getpid() not in {int(pid) for pid, _ in rows}
