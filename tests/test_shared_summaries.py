"""Processes that summarise the same project into the same cache (the pool's workers) share the
work: a component is summarised under a claim (`cache.ResultCache.take_claim`), and a process
that finds it claimed elsewhere settles what else it can, then reads the record the other wrote
(`taint.project.ProjectModules._settle_all`). A claim whose holder died blocks nobody, one held
too long is given up on (the summary is made here), and a claims file that is not a regular file
only turns claims off. The findings are those of one process."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from aisec.cache import ResultCache
from aisec.taint import project as project_module
from aisec.taint.project import ProjectModules
from aisec.taint.summary import summary_to_json
from aisec.testing import default_catalog
from test_cycle_edits import CYCLE

SINK = "openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])"

# a core both workers need first: a leaf with the sink, relays over it, and the cycle of
# test_cycle_edits; then enough route modules for a pool (`parallel.POOL_THRESHOLD`)
SHARED = {
    ".git/HEAD": "",
    "core/__init__.py": "",
    "core/base.py": f"import openai\n\n\ndef ask(q):\n    return {SINK}\n",
    "core/other.py": (
        "import anthropic\n\n\ndef run(q):\n"
        "    return anthropic.Anthropic().messages.create(model='m', max_tokens=9, system=q, messages=[])\n"
    ),
    **{
        f"core/relay{n}.py": f"from core.base import ask\n\n\ndef relay{n}(q):\n    return ask(q)\n"
        for n in range(4)
    },
    **CYCLE,
    **{
        f"routes/r{n:02}.py": (
            "from flask import request\n\nfrom core.other import run\n"
            f"from core.relay{n % 4} import relay{n % 4}\nfrom cyc.m5 import ping\n\n\n"
            f"def view():\n    return relay{n % 4}(request.args['q'])\n\n\n"
            "def shell():\n    return run(request.args['c'])\n\n\n"
            "def loop():\n    return ping(request.args['q'], 2)\n"
        )
        for n in range(30)
    },
}


def spy_on_analyses(monkeypatch: pytest.MonkeyPatch, logs: list[Path], slow: float) -> None:
    """Every module analysis, in any process (the pool's workers are forked), appends a line
    to the last of `logs`; each takes `slow` seconds longer, so that the workers start on the
    shared core at once and would both analyse it without claims."""
    real = ProjectModules._analyse

    def logged(self: ProjectModules, module: str, path: Path, text: str) -> Any:
        time.sleep(slow)
        with logs[-1].open("a") as handle:
            handle.write(f"{os.getpid()} {module}\n")
        return real(self, module, path, text)

    monkeypatch.setattr(ProjectModules, "_analyse", logged)


def analysed(log: Path) -> Counter:
    """Analyses per module, over all processes."""
    rows = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
    return Counter(module for _, module in rows)


def test_two_workers_find_what_one_finds_and_analyse_no_module_twice(
    run_cli: Callable[..., Any], tree: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(SHARED)
    runs = {}
    logs: list[Path] = []
    spy_on_analyses(monkeypatch, logs, slow=0.05)
    for jobs in ("1", "2"):
        log = tmp_path / f"analyses-{jobs}.log"
        logs.append(log)
        cache = str(tmp_path / f"cache-{jobs}")
        result = run_cli(["check", "--format", "json", "--jobs", jobs, "--cache-dir", cache, "."], cwd=root)
        data = result.json()
        assert data["errors"] == [] and result.code == 1, result.err
        found = sorted((f["path"], f["line"], f["code"], repr(f.get("related"))) for f in data["findings"])
        runs[jobs] = found, analysed(log)
    # (without claims both workers analyse the core: cyc.m0 twice, cyc.m5 four times, ...)
    (one, one_count), (two, two_count) = runs["1"], runs["2"]
    assert two == one
    assert {row[2] for row in one} == {"AIS201"} and len(one) == 3 * 30 + 2  # three a route, two in m5
    assert two_count == one_count  # each module analysed as often as in one process
    assert one_count["core.base"] == 1 and one_count["cyc.m0"] >= 1


@pytest.fixture
def project(tree: Callable[..., Path], tmp_path: Path) -> Iterator[tuple[Path, ResultCache]]:
    root = tree(SHARED)
    yield root, ResultCache(tmp_path / "cache", "run", b"k" * 32)


def claim_key(root: Path, store: ResultCache, module: str) -> str:
    """The key a module's summary (a module on no cycle) is claimed under."""
    probe = ProjectModules(root, default_catalog(), store)
    probe._components(module)
    for component in probe._unsettled(module):
        probe._settle(component, None)
    key = probe._keys[module]
    assert key is not None
    return key


def expected(root: Path, module: str) -> Any:
    """The module's summary, made by one process without a store."""
    made = ProjectModules(root, default_catalog()).summary(module)
    return json.dumps(summary_to_json(made, default_catalog()), sort_keys=True) if made else None


def summarised(project: ProjectModules, module: str) -> Any:
    made = project.summary(module)
    return json.dumps(summary_to_json(made, project.catalog), sort_keys=True) if made else None


def hold(store: ResultCache, key: str, held: Any, then: Callable[[], Any] | None, release: Any) -> None:
    """In another process: claim `key`, say so (`held`), then wait for `release` (an event)
    and run `then` (holding the claim), or hold it until killed."""
    assert store.take_claim("summary", key)
    held.set()
    if then is None:
        time.sleep(3600)
    release.wait(30)
    then()
    os._exit(0)


def holder(store: ResultCache, key: str, then: Callable[[], Any] | None = None) -> tuple[Any, Any]:
    context = multiprocessing.get_context("fork")
    held, release = context.Event(), context.Event()
    process = context.Process(target=hold, args=(store, key, held, then, release), daemon=True)
    process.start()
    assert held.wait(30)
    return process, release


def test_a_claimed_summary_is_read_from_the_record_its_holder_writes(
    project: tuple[Path, ResultCache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the claim on `core.base` and summarises it (slowly) meanwhile:
    this one waits, then reads its record, and analyses `core.base` not at all."""
    root, store = project
    key = claim_key(root, ResultCache(tmp_path / "probe", "run", b"k" * 32), "core.base")
    want = expected(root, "core.relay0")
    log = tmp_path / "analyses.log"
    spy_on_analyses(monkeypatch, [log], slow=0.0)

    def summarise_base() -> None:
        time.sleep(0.3)  # this process is waiting by now
        ProjectModules(root, default_catalog(), store).summary("core.base")

    process, release = holder(store, key, summarise_base)
    release.set()
    here = ProjectModules(root, default_catalog(), store)
    assert summarised(here, "core.relay0") == want
    process.join(30)
    assert process.exitcode == 0
    rows = [line.split() for line in log.read_text().splitlines()]
    assert [m for pid, m in rows if int(pid) == process.pid] == ["core.base"]
    assert [m for pid, m in rows if int(pid) == os.getpid()] == ["core.relay0"]


def test_a_claim_never_let_go_is_given_up_on_and_other_work_goes_first(
    project: tuple[Path, ResultCache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder of `core.base`'s claim hangs: this process settles `core.other` (which does
    not wait for `core.base`) first, then, past `CLAIM_WAIT`, summarises `core.base` itself."""
    root, store = project
    (root / "app.py").write_text("import core.other\nimport core.base\n\n\ndef f(q):\n    return q\n")
    key = claim_key(root, ResultCache(tmp_path / "probe", "run", b"k" * 32), "core.base")
    want = expected(root, "app")
    process, _ = holder(store, key)
    try:
        monkeypatch.setattr(project_module, "CLAIM_WAIT", 0.3)
        log = tmp_path / "analyses.log"
        spy_on_analyses(monkeypatch, [log], slow=0.0)
        here = ProjectModules(root, default_catalog(), store)
        here._components("app")
        assert here._unsettled("app")[:2] == [("core.base",), ("core.other",)]  # base would go first
        assert summarised(here, "app") == want
        order = [line.split()[1] for line in log.read_text().splitlines()]
        assert order == ["core.other", "core.base", "app"]
    finally:
        process.kill()
        process.join()


@pytest.mark.parametrize("left", ["a killed holder", "an earlier run's file"])
def test_a_claim_left_behind_blocks_nobody(
    left: str, project: tuple[Path, ResultCache], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder of a claim was killed (SIGKILL: it never let go), or the claims file is one
    an earlier run left (with any contents): the summary is made at once, without a wait."""
    root, store = project
    key = claim_key(root, ResultCache(tmp_path / "probe", "run", b"k" * 32), "core.base")
    if left == "a killed holder":
        process, _ = holder(store, key)
        os.kill(process.pid, signal.SIGKILL)
        process.join()
    else:
        store.folder.mkdir(parents=True)
        (store.folder / "summary.claims").write_bytes(b"\xff" * 4096)

    def no_waiting(seconds: float) -> None:
        raise AssertionError("waited for a claim nobody holds")

    monkeypatch.setattr(project_module.time, "sleep", no_waiting)
    assert summarised(ProjectModules(root, default_catalog(), store), "core.relay1") == expected(
        root, "core.relay1"
    )


def test_claims_are_per_process_and_let_go(project: tuple[Path, ResultCache]) -> None:
    _, store = project
    assert store.take_claim("summary", "a") and store.take_claim("summary", "a")  # its own: again
    context = multiprocessing.get_context("fork")
    asked = context.Queue()

    def ask() -> None:
        asked.put((store.take_claim("summary", "a"), store.take_claim("summary", "b")))

    for expect in [(False, True), (True, True)]:
        process = context.Process(target=ask)
        process.start()
        assert asked.get(timeout=30) == expect
        process.join()
        store.release_claim("summary", "a")


@pytest.mark.parametrize("planted", ["a symlink", "a FIFO", "a folder"])
def test_a_claims_file_that_is_not_a_regular_file_turns_claims_off(
    planted: str, project: tuple[Path, ResultCache], tmp_path: Path
) -> None:
    """A planted claims path is never followed or written through: every claim is granted
    (each process summarises what it needs), and the summaries are made."""
    root, store = project
    store.folder.mkdir(parents=True)
    path = store.folder / "summary.claims"
    target = tmp_path / "elsewhere"
    target.write_bytes(b"untouched")
    {"a symlink": lambda: path.symlink_to(target), "a FIFO": lambda: os.mkfifo(path), "a folder": path.mkdir}[
        planted
    ]()
    context = multiprocessing.get_context("fork")
    asked = context.Queue()
    process = context.Process(target=lambda: asked.put(store.take_claim("summary", "a")))
    assert store.take_claim("summary", "a")
    process.start()
    assert asked.get(timeout=30) is True
    process.join()
    assert summarised(ProjectModules(root, default_catalog(), store), "core.relay2") == expected(
        root, "core.relay2"
    )
    assert target.read_bytes() == b"untouched"
