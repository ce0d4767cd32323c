"""Artifact inspection on issue 9's generated corpora: detection and false positives per class,
time per artifact (median, max) and peak memory on the largest artifact.

    python bench/artifacts_corpus.py            # Markdown to stdout
    python bench/artifacts_corpus.py --fuzz 2000  # also run N differential-oracle streams

Needs the `ml` extra (torch, numpy, pandas, scipy, scikit-learn, joblib, lz4) to build the
benign corpus; cases whose library is missing are listed as skipped. Every artifact is written to
a temporary folder and inspected with `inspect_file` (never loaded). Detection = a malicious case
got AIS401 (or AIS403, fail closed); false positive = a benign case got AIS401 (AIS403 counted
apart). Peak memory is `tracemalloc`'s peak while inspecting the largest file (Python heap).
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aisec.plugins.artifacts import inspect_file  # noqa: E402

from tests.artifacts import corpus, samples  # noqa: E402


def _available(needs: tuple[str, ...]) -> bool:
    for module in needs:
        try:
            importlib.import_module(module)
        except ImportError:
            return False
    return True


def _cases() -> list[corpus.Case]:
    catalogue = [
        corpus.Case("0 earlier catalogue" if s.expect == samples.MALICIOUS else "benign", s.name, s.filename, s.build,
                    (s.needs,) if s.needs else ())
        for s in (*samples.MALICIOUS_SAMPLES, *samples.BENIGN_SAMPLES)
    ]  # fmt: skip
    return [*corpus.MALICIOUS, *corpus.BENIGN, *catalogue]


def run(folder: Path) -> None:
    rows: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    times: list[float] = []
    largest: tuple[int, Path | None] = (0, None)
    misses: list[str] = []
    for case in _cases():
        row = rows[case.klass]
        if not _available(case.needs):
            row["skipped"] += 1
            continue
        path = folder / f"{case.klass[0]}-{case.name}" / case.filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case.build())
        start = time.perf_counter()
        codes = {v.code for v in inspect_file(path)}
        times.append(time.perf_counter() - start)
        largest = max(largest, (path.stat().st_size, path), key=lambda item: item[0])
        row["cases"] += 1
        if case.klass == "benign":
            row["AIS401 (false positive)"] += "AIS401" in codes
            row["AIS403"] += "AIS403" in codes
            if "AIS401" in codes:
                misses.append(f"false positive: {case.name}")
        else:
            detected = bool(codes & {"AIS401", "AIS403"})
            row["detected"] += detected
            if not detected:
                misses.append(f"missed: {case.klass} {case.name}")
    print("| class | cases | detected | AIS401 on benign | AIS403 on benign | skipped |")
    print("|---|---|---|---|---|---|")
    for klass in sorted(rows):
        r = rows[klass]
        benign = klass == "benign"
        print(
            f"| {klass} | {r['cases']} | {'-' if benign else r['detected']} | "
            f"{r['AIS401 (false positive)'] if benign else '-'} | {r['AIS403'] if benign else '-'} | {r['skipped']} |"
        )
    for line in misses:
        print(f"- {line}")
    print()
    print(f"time per artifact: median {statistics.median(times) * 1000:.1f} ms, max {max(times) * 1000:.0f} ms "
          f"over {len(times)} artifacts")  # fmt: skip
    size, path = largest
    if path is not None:
        tracemalloc.start()
        start = time.perf_counter()
        inspect_file(path)
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"largest artifact: {path.parent.name}/{path.name}, {size / (1 << 20):.1f} MiB, "
              f"{elapsed:.2f} s, peak Python heap {peak / (1 << 20):.1f} MiB")  # fmt: skip


def fuzz(examples: int) -> None:
    """Run the differential property on `examples` generated streams, raw; print the outcome."""
    from hypothesis import HealthCheck, given, settings

    from tests.artifacts import oracle

    counts = {"streams": 0, "outside-allowlist": 0, "reported": 0}
    folder = Path(tempfile.mkdtemp(prefix="aisec-fuzz-"))

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(oracle.streams())
    def check(data: bytes) -> None:
        counts["streams"] += 1
        if not oracle.outside_allowlist(oracle.resolved_globals(data)):
            return
        counts["outside-allowlist"] += 1
        path = folder / "stream.pkl"
        path.write_bytes(data)
        codes = {v.code for v in inspect_file(path)}
        assert codes & {"AIS401", "AIS403"}, data
        counts["reported"] += 1

    check()
    print(f"differential oracle: {counts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fuzz", type=int, default=0, help="also run N differential-oracle streams")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="aisec-artifacts-bench-") as folder:
        run(Path(folder))
    if args.fuzz:
        fuzz(args.fuzz)


if __name__ == "__main__":
    main()
