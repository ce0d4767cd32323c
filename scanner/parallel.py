"""Spreading files over worker processes, flake8-style, with a pool that survives its workers.

Workers are forked after plugins and config are loaded, so they inherit the ready scanner
instead of rebuilding it. Small runs stay in one process (a pre-commit run on a few files would
only pay for the pool). Where fork is unavailable (macOS, Windows default), the run is serial.

The parent hands each worker one file at a time over a pipe, so it always knows which file a
worker holds. A worker that dies (a native crash, the OOM killer, `os._exit` in a plugin) or
overruns the file's time budget is killed and replaced, and that file becomes `failed(item,
why)`; the rest of the run goes on. (`multiprocessing.Pool` waits forever for a dead worker's
task.)

Time a worker spends on work that is not the file's own (summarising the project's other
modules for it, see `deadline_paused`) does not count against the file's deadline. Workers
share those summaries through the result cache: each is made under a claim, by one worker,
while the others make other ones or wait for its record (`taint.project.ProjectModules._settle_all`);
a worker whose file waits for one summarises what the run's other files import meanwhile (`started`
gives each worker the run's files: `engine.FileScanner.share_spare_time`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from typing import Any, Callable, Generator, Iterator, TypeVar

POOL_THRESHOLD = 24  # files; below this, process start-up costs more than it saves
KILL_GRACE = 2.0  # seconds past the in-worker time budget before the parent kills a worker

Item = TypeVar("Item")
_PARENT: Any = None  # in a worker process: the pipe to the parent (`deadline_paused` writes to it)


@dataclass(frozen=True)
class _Clock:
    """A worker's word that the deadline of the file it holds stops (`running` False) or runs again."""

    running: bool


@contextlib.contextmanager
def deadline_paused() -> Iterator[None]:
    """In a worker, the parent does not count the body's time against the file's deadline (nor
    kills the worker meanwhile); elsewhere a no-op. Only for work bounded by its own budgets."""
    conn = _PARENT
    if conn is None:
        yield
        return
    conn.send(_Clock(False))
    try:
        yield
    finally:
        conn.send(_Clock(True))


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def map_files(
    task: Callable[[Item], Any],
    items: list[Item],
    jobs: int,
    failed: Callable[[Item, str], Any],
    time_budget: float | None = None,
    weight: Callable[[Item], float] | None = None,
    finished: Callable[[int], None] | None = None,
    started: Callable[[], None] | None = None,
) -> Generator[Any, None, None]:
    """Apply `task` to every item, in parallel when it pays off; results in the items' order.
    `task` must not raise; where a worker dies or hangs, `failed(item, why)` stands for it.
    `weight`: an estimate of an item's cost; a pool hands the heaviest items out first, so that
    no long item starts last while the other workers run out of work (transformers in path
    order: `trainer.py`, 1.5 s of CPU, is the 2,897th of 2,951 files). `finished(count)` is told
    each time one more item is done, in whatever order they finish (progress). `started()` is
    called in each worker process as it starts (never in a run that stays in this process)."""
    tell = finished or (lambda count: None)
    if jobs <= 1 or len(items) < POOL_THRESHOLD:
        yield from _serial(task, items, tell)
        return
    import multiprocessing  # only runs big enough for a pool pay for the import

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from _serial(task, items, tell)
        return
    order = list(range(len(items)))
    if weight is not None:
        weights = [weight(item) for item in items]
        order.sort(key=lambda index: -weights[index])  # stable: equal weights keep the items' order
    deadline = None if not time_budget else time_budget + KILL_GRACE
    pool = _Pool(task, failed, min(jobs, len(items)), deadline, started)
    done = 0
    try:
        for result in pool.run(items, order, tell):  # as soon as each is in and all before it
            yield result
            done += 1
    except OSError:  # no (more) processes to be had: the rest in this one
        pool.close()
        yield from _serial(task, items[done:], lambda count: tell(done + count))


def _serial(task: Callable[[Item], Any], items: list[Item], tell: Callable[[int], None]) -> Iterator[Any]:
    for count, item in enumerate(items, start=1):
        result = task(item)
        tell(count)
        yield result


@dataclass
class _Worker:
    process: Any
    conn: Any
    index: int | None = None  # the item it holds
    started: float = 0.0
    paused: float | None = None  # since when its deadline is paused


class _Pool:
    def __init__(
        self,
        task: Callable[[Any], Any],
        failed: Callable[[Any, str], Any],
        size: int,
        deadline: float | None,
        started: Callable[[], None] | None = None,
    ) -> None:
        import multiprocessing

        self.context = multiprocessing.get_context("fork")
        self.task = task
        self.failed = failed
        self.size = size
        self.deadline = deadline
        self.started = started
        self.workers: list[_Worker] = []

    def run(self, items: list[Any], order: list[int], tell: Callable[[int], None]) -> Iterator[Any]:
        """Each item's result in the items' order, each yielded once it and all before it are in;
        items are handed out in `order` (indices), and `tell(count)` follows them as they finish."""
        from multiprocessing.connection import wait

        results: list[Any] = [None] * len(items)
        finished = [False] * len(items)
        pending = iter(order)
        remaining = len(items)
        next_out = 0
        try:
            for _ in range(self.size):
                self.workers.append(self._start())
            for worker in list(self.workers):
                self._feed(worker, items, pending)
            while remaining:
                busy = [w for w in self.workers if w.index is not None]
                ready = wait([w.conn for w in busy], timeout=self._wait_time(busy))
                now = time.monotonic()
                for worker in busy:
                    index = worker.index
                    assert index is not None
                    if worker.conn in ready:
                        try:
                            message = worker.conn.recv()
                        except (EOFError, OSError):
                            message = self.failed(items[index], _death(worker))
                            worker = self._replace(worker)
                        if isinstance(message, _Clock):
                            _tick(worker, message, now)
                            continue
                        results[index] = message
                    elif (
                        self.deadline is not None
                        and worker.paused is None
                        and now - worker.started > self.deadline
                    ):
                        results[index] = self.failed(
                            items[index], f"did not finish within {self.deadline:g} s (worker killed)"
                        )
                        worker = self._replace(worker)
                    else:
                        continue
                    finished[index] = True
                    remaining -= 1
                    tell(len(items) - remaining)
                    worker.index = None
                    self._feed(worker, items, pending)
                while next_out < len(items) and finished[next_out]:
                    yield results[next_out]
                    results[next_out] = None  # the caller holds it now
                    next_out += 1
        finally:
            self.close()

    def _wait_time(self, busy: list[_Worker]) -> float | None:
        running = [w for w in busy if w.paused is None]
        if self.deadline is None or not running:
            return None
        oldest = min(w.started for w in running)
        return max(0.05, oldest + self.deadline - time.monotonic())

    def _feed(self, worker: _Worker, items: list[Any], pending: Iterator[int]) -> None:
        index = next(pending, None)
        if index is None:
            return
        worker.index, worker.started, worker.paused = index, time.monotonic(), None
        worker.conn.send(items[index])

    def _start(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(
            target=_serve, args=(child, self.task, self.failed, self.started), daemon=True
        )
        process.start()
        child.close()
        return _Worker(process, parent)

    def _replace(self, worker: _Worker) -> _Worker:
        self._stop(worker)
        fresh = self._start()
        self.workers[self.workers.index(worker)] = fresh
        return fresh

    def _stop(self, worker: _Worker) -> None:
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()

    def close(self) -> None:
        for worker in self.workers:
            if worker.index is None and worker.process.is_alive():
                try:
                    worker.conn.send(None)  # the polite way out
                except OSError:
                    pass
        for worker in self.workers:
            worker.process.join(timeout=1)
            self._stop(worker)
        self.workers = []


def _tick(worker: _Worker, clock: _Clock, now: float) -> None:
    """Pause a worker's deadline, or resume it with the paused time added back."""
    if not clock.running:
        worker.paused = now
    elif worker.paused is not None:
        worker.started += now - worker.paused
        worker.paused = None


def _death(worker: _Worker) -> str:
    worker.process.join(timeout=1)
    code = worker.process.exitcode
    if code is not None and code < 0:
        try:
            return f"crashed the worker process ({signal.Signals(-code).name})"
        except ValueError:
            pass
    return f"crashed the worker process (exit code {code})"


def _serve(
    conn: Any,
    task: Callable[[Any], Any],
    failed: Callable[[Any, str], Any],
    started: Callable[[], None] | None,
) -> None:
    """A worker: scan items until told to stop (None)."""
    global _PARENT
    _PARENT = conn
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if started is not None:
        started()
    while True:
        try:
            item = conn.recv()
        except (EOFError, OSError):
            return
        if item is None:
            return
        try:
            result = task(item)
            conn.send(result)
        except BaseException as exc:  # SystemExit from a plugin, an unpicklable result, ...
            conn.send(failed(item, f"failed in the worker process ({type(exc).__name__}: {exc})"))
