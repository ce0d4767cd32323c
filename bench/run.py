"""Wall-time benchmarks of aisec against the targets in the design doc (section 7).

    python bench/run.py                 # pre-commit case + full scan, Markdown to stdout
    python bench/run.py --quick         # fewer runs
    python bench/run.py --package numpy # full scan of another installed package
    python bench/run.py --skip-full     # pre-commit case only
    python bench/run.py --skip-precommit --package torch --full-runs 1

Pre-commit case (one file, whole process): `aisec check` on a trigger-free file and on a file with
triggers (result cache off, and warm), against `python -c pass`, `python -c "import libcst"`,
`bandit -q` and `ruff check` on the same file when they are installed. Full scan: `aisec check
--format json -q` over the sources of an installed package (cold: `--no-cache`; warm: second run
with the cache) against `bandit -r DIR -t B301,B506` (bandit's pickle and yaml.load checks, the
equivalent of AIS101 + AIS105). The package is copied to a temporary folder first, so that
neither tool treats it as part of an installed environment and both see the same files.

Timing uses hyperfine when it is installed, else a plain loop of subprocess runs, after warm-up
runs; byte code is cached (in a temporary PYTHONPYCACHEPREFIX) as in a normal install, even when
PYTHONDONTWRITEBYTECODE is set. The table is printed and written to bench/results/<date>.md
(git-ignored).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BIN = Path(sys.executable).parent
# Preferred full-scan subjects (the design's reference code), then the biggest of the fallbacks.
# torch (1.2M lines) is left to `--package torch`: one cold run of each tool takes minutes.
PREFERRED_PACKAGES = ("transformers", "langchain", "langchain_core")
FALLBACK_PACKAGES = ("numpy", "hypothesis", "pip", "setuptools", "pygments", "libcst", "pytest", "yaml")

TRIGGER_FREE = '''\
"""Feature engineering helpers (no model loading here)."""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Sequence


@dataclass
class ColumnStats:
    name: str
    count: int = 0
    mean: float = 0.0
    stdev: float = 0.0
    top: list[tuple[str, int]] = field(default_factory=list)


def numeric_stats(name: str, values: Sequence[float]) -> ColumnStats:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    if not clean:
        return ColumnStats(name)
    stdev = statistics.pstdev(clean) if len(clean) > 1 else 0.0
    return ColumnStats(name, len(clean), statistics.fmean(clean), stdev)


def categorical_stats(name: str, values: Iterable[str], top: int = 5) -> ColumnStats:
    counts = Counter(v for v in values if v)
    return ColumnStats(name, sum(counts.values()), top=counts.most_common(top))


def standardize(values: Sequence[float], stats: ColumnStats) -> list[float]:
    if stats.stdev == 0:
        return [0.0 for _ in values]
    return [(v - stats.mean) / stats.stdev for v in values]


def one_hot(values: Sequence[str], vocabulary: Sequence[str]) -> list[list[int]]:
    index = {word: i for i, word in enumerate(vocabulary)}
    rows = []
    for value in values:
        row = [0] * len(vocabulary)
        if value in index:
            row[index[value]] = 1
        rows.append(row)
    return rows


def bucketize(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    out = []
    for v in values:
        bucket = 0
        while bucket < len(edges) and v >= edges[bucket]:
            bucket += 1
        out.append(bucket)
    return out


def group_means(keys: Sequence[str], values: Sequence[float]) -> dict[str, float]:
    groups: dict[str, list[float]] = defaultdict(list)
    for key, value in zip(keys, values):
        groups[key].append(value)
    return {key: statistics.fmean(vals) for key, vals in groups.items()}


class FeaturePipeline:
    def __init__(self, numeric: Sequence[str], categorical: Sequence[str]) -> None:
        self.numeric = list(numeric)
        self.categorical = list(categorical)
        self.stats: dict[str, ColumnStats] = {}

    def fit(self, table: dict[str, list]) -> "FeaturePipeline":
        for column in self.numeric:
            self.stats[column] = numeric_stats(column, table[column])
        for column in self.categorical:
            self.stats[column] = categorical_stats(column, table[column])
        return self

    def transform(self, table: dict[str, list]) -> list[list[float]]:
        columns: list[list[float]] = []
        for column in self.numeric:
            columns.append(standardize(table[column], self.stats[column]))
        for column in self.categorical:
            vocabulary = [word for word, _ in self.stats[column].top]
            for j, _ in enumerate(vocabulary):
                columns.append([row[j] for row in one_hot(table[column], vocabulary)])
        return [list(row) for row in zip(*columns)]
'''

WITH_TRIGGERS = '''\
"""Model store: loads models and settings (several real findings)."""

import json
import pickle
from pathlib import Path

import joblib
import numpy as np
import torch
import yaml


class ModelStore:
    def __init__(self, root):
        self.root = Path(root)

    def settings(self):
        with open(self.root / "settings.yaml") as f:
            return yaml.load(f, Loader=yaml.Loader)

    def schema(self):
        with open(self.root / "schema.json") as f:
            return json.load(f)

    def model(self, name):
        with open(self.root / f"{name}.pkl", "rb") as f:
            return pickle.load(f)

    def pipeline(self, name):
        return joblib.load(self.root / f"{name}.joblib")

    def checkpoint(self, name):
        return torch.load(self.root / f"{name}.pt", map_location="cpu")

    def weights(self, name):
        return torch.load(self.root / f"{name}.pt", weights_only=True)

    def embeddings(self, name):
        return np.load(self.root / f"{name}.npy", allow_pickle=True)
'''


@dataclass
class Result:
    label: str
    command: str
    mean: float
    stdev: float
    minimum: float
    maximum: float
    runs: int
    note: str = ""


def find_tool(name: str) -> str | None:
    """The tool next to this interpreter (its venv), else on PATH."""
    local = BIN / name
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which(name)


def hyperfine_path() -> str | None:
    return shutil.which("hyperfine") or (
        "/usr/bin/hyperfine" if os.access("/usr/bin/hyperfine", os.X_OK) else None
    )


def measure(label: str, argv: list[str], *, cwd: Path, runs: int, warmup: int) -> Result:
    command = " ".join(_quote(a) for a in argv)
    hyperfine = hyperfine_path()
    if hyperfine:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as export:
            export_path = Path(export.name)
        try:
            cmd = [hyperfine, "-N", "--ignore-failure", "--style", "none", "--runs", str(runs)]
            cmd += ["--warmup", str(warmup), "--export-json", str(export_path)]
            done = subprocess.run(
                [*cmd, command], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
            if done.returncode != 0:
                raise RuntimeError(f"hyperfine failed on {command}:\n{done.stderr}")
            data = json.loads(export_path.read_text())["results"][0]
        finally:
            export_path.unlink(missing_ok=True)
        return Result(
            label,
            command,
            data["mean"],
            data["stddev"] or 0.0,
            data["min"],
            data["max"],
            len(data["times"]),
        )
    times = []
    for index in range(warmup + runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        if index >= warmup:
            times.append(elapsed)
    stdev = statistics.stdev(times) if len(times) > 1 else 0.0
    return Result(label, command, statistics.fmean(times), stdev, min(times), max(times), runs, "python loop")


def peak_rss_mb(argv: list[str], cwd: Path) -> float:
    """Peak resident memory of the largest process of one run (the command or a worker)."""
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *argv], cwd=cwd, capture_output=True, text=True)
    return int(out.stdout.strip() or 0) / 1024


def _quote(arg: str) -> str:
    return arg if arg and all(c.isalnum() or c in "-_./=,:+" for c in arg) else repr(arg)


def _ms(seconds: float, unit: float | None = None) -> str:
    """Milliseconds below 10 s, else seconds (`unit` picks the scale, so a row shares one)."""
    return f"{seconds * 1000:.0f} ms" if (unit if unit is not None else seconds) < 10 else f"{seconds:.1f} s"


def table(results: list[Result], baseline: Result | None = None) -> str:
    lines = [
        "| what | mean ± sd | min | max | runs | vs baseline |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        ratio = f"{r.mean / baseline.mean:.2f}x" if baseline and baseline.mean else ""
        label = f"{r.label} ({r.note})" if r.note else r.label
        unit = r.mean
        lines.append(
            f"| {label} | {_ms(r.mean, unit)} ± {_ms(r.stdev, unit)} | {_ms(r.minimum, unit)} "
            f"| {_ms(r.maximum, unit)} | {r.runs} | {ratio} |"
        )
    return "\n".join(lines)


def aisec_summary(aisec: str, args: list[str], cwd: Path) -> dict:
    out = subprocess.run([aisec, *args], cwd=cwd, capture_output=True, text=True)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"summary": {}, "error": (out.stderr or out.stdout)[-500:]}


def pre_commit_case(work: Path, runs: int, aisec: str, bandit: str | None, ruff: str | None) -> list[str]:
    clean = work / "features.py"
    dirty = work / "model_store.py"
    clean.write_text(TRIGGER_FREE, encoding="utf-8")
    dirty.write_text(WITH_TRIGGERS, encoding="utf-8")
    cache = work / ".aisec_cache"
    out: list[str] = ["## Pre-commit case: one file, whole process", ""]

    clean_info = aisec_summary(aisec, ["check", "--no-cache", "--format", "json", clean.name], work)[
        "summary"
    ]
    dirty_info = aisec_summary(aisec, ["check", "--no-cache", "--format", "json", dirty.name], work)
    out.append(f"- trigger-free file: {len(TRIGGER_FREE.splitlines())} lines, aisec summary {clean_info}")
    out.append(
        f"- file with triggers: {len(WITH_TRIGGERS.splitlines())} lines, "
        f"{len(dirty_info.get('findings', []))} findings "
        f"({', '.join(sorted({f['code'] for f in dirty_info.get('findings', [])}))})"
    )
    out.append("")

    warmup = max(2, runs // 5)
    results = [
        measure("`python -c pass`", [sys.executable, "-c", "pass"], cwd=work, runs=runs, warmup=warmup)
    ]
    baseline = results[0]
    if importlib.util.find_spec("libcst"):
        results.append(
            measure(
                '`python -c "import libcst"`',
                [sys.executable, "-c", "import libcst"],
                cwd=work,
                runs=runs,
                warmup=warmup,
            )
        )
    for name, path in (("trigger-free", clean), ("with triggers", dirty)):
        results.append(
            measure(
                f"aisec check, {name}, --no-cache",
                [aisec, "check", "--no-cache", path.name],
                cwd=work,
                runs=runs,
                warmup=warmup,
            )
        )
        shutil.rmtree(cache, ignore_errors=True)
        results.append(
            measure(
                f"aisec check, {name}, warm cache",
                [aisec, "check", path.name],
                cwd=work,
                runs=runs,
                warmup=warmup,
            )
        )
    for name, path in (("trigger-free", clean), ("with triggers", dirty)):
        if bandit:
            results.append(
                measure(f"bandit -q, {name}", [bandit, "-q", path.name], cwd=work, runs=runs, warmup=warmup)
            )
        if ruff:
            results.append(
                measure(
                    f"ruff check, {name}",
                    [ruff, "check", "--no-cache", "--isolated", path.name],
                    cwd=work,
                    runs=runs,
                    warmup=warmup,
                )
            )
    out.append(table(results, baseline))
    out.append("")
    out.append("Targets: trigger-free file <= 100 ms, file with triggers <= 350 ms (whole process).")
    if not bandit:
        out.append("bandit: not installed (pip install bandit), not measured.")
    return out


def _package_dir(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def _py_stats(folder: Path) -> tuple[int, int]:
    files = list(folder.rglob("*.py"))
    lines = 0
    for f in files:
        try:
            with f.open("rb") as handle:
                lines += sum(1 for _ in handle)
        except OSError:
            pass
    return len(files), lines


def pick_package(requested: str | None) -> tuple[str, Path] | None:
    if requested:
        folder = _package_dir(requested)
        return (requested, folder) if folder else None
    for name in PREFERRED_PACKAGES:
        folder = _package_dir(name)
        if folder:
            return name, folder
    best: tuple[int, str, Path] | None = None
    for name in FALLBACK_PACKAGES:
        folder = _package_dir(name)
        if folder:
            size = sum(f.stat().st_size for f in folder.rglob("*.py"))
            if best is None or size > best[0]:
                best = (size, name, folder)
    return (best[1], best[2]) if best else None


def full_scan(work: Path, runs: int, aisec: str, bandit: str | None, requested: str | None) -> list[str]:
    picked = pick_package(requested)
    out = ["## Full scan of an installed package's sources", ""]
    if picked is None:
        out.append(f"No package to scan ({requested or 'none of the candidates'} is installed).")
        return out
    name, source = picked
    target = work / "scan" / name
    # Only what both tools read: bandit skips `.pyi` stubs, aisec checks them.
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc", "*.pyi"))
    files, lines = _py_stats(target)
    version = _version(name)
    cache = work / "scan" / ".aisec_cache"
    cold_args = ["check", "--no-cache", "--format", "json", "-q", name]
    warm_args = ["check", "--cache-dir", str(cache), "--format", "json", "-q", name]
    info = aisec_summary(aisec, cold_args, target.parent)
    summary = info.get("summary", {})
    found = info.get("findings", [])
    codes: dict[str, int] = {}
    for finding in found:
        codes[finding["code"]] = codes.get(finding["code"], 0) + 1
    out.append(
        f"- `{name}` {version}: {files} `.py` files, {lines:,} lines (copied from {source} to a temporary "
        "folder, without `.pyi` stubs, which bandit does not read)"
    )
    out.append(
        f"- aisec summary: {summary}; findings by code: {codes or 'none'}; errors: {len(info.get('errors', []))}"
    )

    results = [
        measure(
            "aisec check --format json -q, cold (--no-cache)",
            [aisec, *cold_args],
            cwd=target.parent,
            runs=runs,
            warmup=1,
        )
    ]
    shutil.rmtree(cache, ignore_errors=True)
    subprocess.run([aisec, *warm_args], cwd=target.parent, capture_output=True)
    results.append(
        measure("aisec, warm cache", [aisec, *warm_args], cwd=target.parent, runs=max(runs, 5), warmup=1)
    )
    memory = [f"aisec cold {peak_rss_mb([aisec, *cold_args], target.parent):.0f} MB"]
    if bandit:
        bandit_args = ["-r", name, "-t", "B301,B506", "-q", "-f", "json"]
        report = subprocess.run([bandit, *bandit_args], cwd=target.parent, capture_output=True, text=True)
        try:
            data = json.loads(report.stdout)
            by_test: dict[str, int] = {}
            for issue in data.get("results", []):
                by_test[issue["test_id"]] = by_test.get(issue["test_id"], 0) + 1
            scanned = len([k for k in data.get("metrics", {}) if k != "_totals"])
            out.append(
                f"- bandit: {scanned} files, findings by test: {by_test or 'none'}, errors: {len(data.get('errors', []))}"
            )
        except json.JSONDecodeError:
            out.append(f"- bandit output unreadable: {report.stderr[-300:]}")
        results.append(
            measure(
                "bandit -r -t B301,B506 -q -f json",
                [bandit, *bandit_args],
                cwd=target.parent,
                runs=runs,
                warmup=0,
            )
        )
        memory.append(f"bandit {peak_rss_mb([bandit, *bandit_args], target.parent):.0f} MB")
    else:
        out.append("- bandit: not installed (pip install bandit), not measured.")
    out.append("")
    out.append(table(results, results[-1] if bandit else None))
    out.append("")
    out.append(f"Peak RSS (largest process of one run): {', '.join(memory)}.")
    out.append(
        "Targets: cold faster than bandit with its equivalent rules (ratio < 1.00x in the last column); "
        "warm at least 20x faster than cold."
    )
    return out


def _version(name: str) -> str:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:
        return "(version unknown)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs")
    parser.add_argument("--runs", type=int, help="runs per pre-commit measurement (default 20, quick 5)")
    parser.add_argument("--full-runs", type=int, help="runs per full-scan measurement (default 3, quick 1)")
    parser.add_argument(
        "--package", help="installed package to full-scan (default: transformers/langchain, else the biggest)"
    )
    parser.add_argument("--skip-full", action="store_true", help="pre-commit case only")
    parser.add_argument("--skip-precommit", action="store_true", help="full scan only")
    args = parser.parse_args(argv)
    runs = args.runs or (5 if args.quick else 20)
    full_runs = args.full_runs or (1 if args.quick else 3)

    aisec = find_tool("aisec")
    if aisec is None:
        print("aisec is not installed in this environment (pip install -e .)", file=sys.stderr)
        return 2
    bandit = find_tool("bandit")
    ruff = find_tool("ruff")
    hyperfine = hyperfine_path()
    version = subprocess.run([aisec, "--version"], capture_output=True, text=True).stdout.strip()

    report = [
        f"# aisec benchmark, {dt.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        "",
        f"- aisec: {version} ({aisec})",
        f"- python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs",
        f"- timing: {'hyperfine ' + subprocess.run([hyperfine, '--version'], capture_output=True, text=True).stdout.split()[-1] if hyperfine else 'python loop (hyperfine not found)'}",
        f"- bandit: {_version('bandit') if bandit else 'not found'}; ruff: {_version('ruff') if ruff else 'not found'}",
        "",
    ]
    with tempfile.TemporaryDirectory(prefix="aisec-bench-") as tmp:
        work = Path(tmp)
        # Measure installed-like startup: byte code is written once (in the warm-up runs) and
        # reused, as in a user's environment, even where PYTHONDONTWRITEBYTECODE is set; the
        # .pyc files go to the temporary folder, not into the checkout or the venv.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        for tool in (aisec, bandit):
            if tool:
                subprocess.run([tool, "--version"], capture_output=True)
        if not args.skip_precommit:
            report += pre_commit_case(work, runs, aisec, bandit, ruff)
            report.append("")
        if not args.skip_full:
            report += full_scan(work, full_runs, aisec, bandit, args.package)
            report.append("")
    text = "\n".join(report)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(text, encoding="utf-8")
    print(f"\n(written to {path.relative_to(HERE.parent)})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
