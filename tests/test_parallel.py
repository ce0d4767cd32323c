"""The worker pool hands results back as they arrive (in order), so progress can follow a long run."""

from __future__ import annotations

import os
import time
from pathlib import Path

from aisec.parallel import POOL_THRESHOLD, map_files


def test_results_arrive_before_the_last_item_finishes(tmp_path: Path) -> None:
    marker = tmp_path / "released"
    items = list(range(POOL_THRESHOLD + 6))
    last = items[-1]

    def task(item: int) -> str:
        if item != last:
            return "done"
        deadline = time.monotonic() + 20  # the last item waits until the caller has seen a result
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        return "released" if marker.exists() else "never released"

    results = []
    for result in map_files(task, items, 2, lambda item, why: why):
        marker.touch()
        results.append(result)
    assert results == ["done"] * (len(items) - 1) + ["released"]


def test_heaviest_items_are_handed_out_first_and_results_keep_the_items_order(tmp_path: Path) -> None:
    log = tmp_path / "started"
    items = list(range(POOL_THRESHOLD + 6))
    heavy = {items[-1]: 100.0, items[-2]: 50.0}  # the last two in order, the heaviest by weight

    def task(item: int) -> int:
        with log.open("a", encoding="utf-8") as out:  # appends of one short line do not interleave
            out.write(f"{os.getpid()} {item}\n")
        return item * 2

    counts: list[int] = []
    results = list(
        map_files(
            task, items, 2, lambda item, why: why, weight=lambda i: heavy.get(i, 0.0), finished=counts.append
        )
    )
    assert results == [item * 2 for item in items]
    started = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    first: dict[str, int] = {}
    for worker, item in started:
        first.setdefault(worker, int(item))
    assert sorted(first.values()) == [items[-2], items[-1]]  # each worker's first item: a heavy one
    assert sorted(int(item) for _, item in started) == items
    assert counts == list(range(1, len(items) + 1))  # every finish told, as they come


def test_serial_runs_tell_progress_too() -> None:
    counts: list[int] = []
    assert list(map_files(lambda i: -i, [1, 2, 3], 1, lambda item, why: why, finished=counts.append)) == [
        -1,
        -2,
        -3,
    ]
    assert counts == [1, 2, 3]
