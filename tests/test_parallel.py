"""The worker pool hands results back as they arrive (in order), so progress can follow a long run."""

from __future__ import annotations

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
