"""One timed process run: wall time, CPU time and peak memory, with the machine's load.

The machine the benchmark runs on is usually shared, so every number carries the 1-minute load
average seen when it was taken, and tools are compared by medians of interleaved rounds (each
round runs every tool once, in a rotated order), never by one tool's runs back to back.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds of the process and its (waited-for) children
    peak_rss_mb: float  # largest resident set of the process or one of its children
    load: float  # 1-minute load average before the run
    returncode: int


@dataclass
class Series:
    """The runs of one command."""

    label: str
    runs: list[Run] = field(default_factory=list)

    def median(self, attribute: str) -> float:
        return statistics.median(getattr(run, attribute) for run in self.runs) if self.runs else float("nan")

    def spread(self) -> str:
        walls = [run.wall for run in self.runs]
        return f"{min(walls):.2f}-{max(walls):.2f}" if walls else ""


def run(argv: list[str], *, cwd: Path, stdout: Path | None = None) -> Run:
    """Run `argv` to completion; stdout goes to `stdout` (or nowhere), stderr is dropped."""
    load = os.getloadavg()[0]
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    finally:
        if stdout is not None:
            out.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    # Linux reports ru_maxrss in KiB: the maximum over the process and its waited-for children.
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, load, process.returncode)
