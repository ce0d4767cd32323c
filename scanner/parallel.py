"""Spreading files over worker processes, flake8-style.

Workers are forked after plugins and config are loaded, so they inherit the ready scanner
instead of rebuilding it. Small runs stay in one process (a pre-commit run on a few files would
only pay for the pool). Where fork is unavailable (macOS, Windows default), the run is serial.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any, Callable, Iterator

POOL_THRESHOLD = 24  # files; below this, process start-up costs more than it saves
MAX_CHUNK = 8  # files per task sent to a worker

_WORKER_TASK: Callable[[tuple[Path, str]], Any] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(item: tuple[Path, str]) -> Any:
    assert _WORKER_TASK is not None
    return _WORKER_TASK(item)


def map_files(
    task: Callable[[tuple[Path, str]], Any], items: list[tuple[Path, str]], jobs: int
) -> Iterator[Any]:
    """Apply `task` to every (path, display) item, in parallel when it pays off."""
    global _WORKER_TASK
    if jobs <= 1 or len(items) < POOL_THRESHOLD:
        yield from map(task, items)
        return
    import multiprocessing  # only runs big enough for a pool pay for the import

    if "fork" not in multiprocessing.get_all_start_methods():
        yield from map(task, items)
        return
    _WORKER_TASK = task
    try:
        pool = multiprocessing.get_context("fork").Pool(min(jobs, len(items)), initializer=_init_worker)
    except OSError:  # no processes to be had: fall back to one
        _WORKER_TASK = None
        yield from map(task, items)
        return
    try:
        with pool:
            # Small chunks: per-file cost varies a hundredfold (a trigger-free file vs. a big
            # module given to the taint analysis) and neighbouring files are alike, so big
            # chunks leave one worker alone with the last heavy folder; a chunk's round trip
            # costs far less than one parsed file.
            chunk = max(1, min(MAX_CHUNK, len(items) // (jobs * 32)))
            yield from pool.imap(_run, items, chunksize=chunk)
    finally:
        _WORKER_TASK = None
