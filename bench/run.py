"""aisec against its peers and against itself, on real code, in interleaved rounds (DESIGN.md s. 7).

    python bench/run.py                                   # pre-commit latency + langchain, 3 rounds
    python bench/run.py --corpus langchain --corpus transformers --rounds 3
    python bench/run.py --before /tmp/base/bin/aisec      # aisec before/after in the same rounds
    python bench/run.py --skip-full --runs 20             # pre-commit latency only
    python bench/run.py --corpus fastchat --check-prefilter   # findings with the prefilter off too

Corpora (`bench/corpora.py`): pinned wheels of langchain (+ core + community), transformers and
FastChat (`fschat`), downloaded with `pip download --no-deps` into `~/.cache/aisec-bench` (or
`--cache DIR`) and unpacked there into one project folder per corpus, `project/<corpus>/` (the
packages side by side at its root, which a comment-only `pyproject.toml` marks, as in a
repository: aisec follows the project's own imports); every command runs in that folder. Nothing
is written into the checkout except the report in bench/results/ (git-ignored).

Full scan, per round and in a rotated order: for each aisec (`--before`, then the one next to
this interpreter or `--aisec`) a cold run (empty cache folder: a first CI run, which writes the
cache), a warm run (same cache, nothing changed), a one-file-changed run (a comment appended
to one file that aisec parses, then the file is restored) and, after an unmeasured warm run, a
one-imported-file-changed run (a comment appended to the project module most other files import:
the edit whose cost depends on what the cache knows of the modules above it); and once each peer:

- bandit with its deserialization tests `-t B301,B302,B506,B614,B615` (pickle, marshal, yaml.load,
  torch.load, unpinned hub downloads: the equivalents of AIS101-AIS105 and AIS107);
- semgrep with `bench/semgrep_rules.yml` (AIS101-AIS105 written as semgrep patterns; its default
  `--jobs`, i.e. all cores; `--metrics off`, no network);
- ruff with the flake8-bandit rules `--select S`, `--no-cache`.

aisec always runs with all its default rules (taint rules included) and its default `--jobs`.
Reported per command: median wall time, median CPU time, median peak RSS (largest process), the
wall-time range and the median 1-minute load average when the runs started. Unless `--no-memory`,
one more cold run of the aisec under test with `--jobs 1` gives peak RSS per million lines.

Pre-commit in a corpus project, interleaved `--runs` times after its full scan (unless
`--skip-precommit`): one file of the project checked alone, whole process, by each aisec cold (a
fresh `--cache-dir`) and then warm (the same cache again), and by bandit (all tests) on the same
file. The files: the one the one-file-changed cell edits, and the corpus's files that import much
of the project (`HEAVY_FILES`: `transformers/trainer.py`).

Pre-commit latency, interleaved `--runs` times: `python -c pass`; each aisec on three one-file
samples (`bench/samples.py`: trigger-free, model-loading, a 30-line LLM route) with `--no-cache`
and with a warm cache; bandit (all tests: what a pre-commit bandit hook runs) and ruff `--select S`
on the same files. Byte code is cached in a temporary PYTHONPYCACHEPREFIX, as in an installed
environment.

Findings identity (the bench check of issue 14): every aisec run's JSON findings are compared,
(code, path, line, column, end, message, fingerprint, and the path shown with a finding, `related`:
a function of the input since the witness of a taint fact is canonical): cold, warm and
one-file-changed must agree, `--before` and after must agree, and with `--check-prefilter` a run
with `--no-prefilter` (no token gate, no call screens: every file parsed and given to every rule)
must agree too. A difference is printed and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import CORPORA, DEFAULT_CACHE, Corpus, prepare
from measure import Series, run
from samples import LLM_ROUTE, MODEL_LOADING, TRIGGER_FREE

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SEMGREP_RULES = HERE / "semgrep_rules.yml"
BANDIT_TESTS = "B301,B302,B506,B614,B615"
SAMPLES = {"trigger-free": TRIGGER_FREE, "model-loading": MODEL_LOADING, "LLM route": LLM_ROUTE}
# corpus -> files (relative to its project folder) that import hundreds of the project's modules:
# the costliest one-file checks a pre-commit hook makes there; checked alone when they exist.
HEAVY_FILES: dict[str, tuple[str, ...]] = {"transformers": ("transformers/trainer.py",)}


@dataclass
class Tools:
    aisec: dict[str, str]  # label ("before", "after") -> executable
    bandit: str | None
    semgrep: str | None
    ruff: str | None


@dataclass
class Identity:
    """Findings of every aisec run, by what produced them, and the disagreements found."""

    findings: dict[str, set[tuple]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, label: str, output: Path) -> None:
        try:
            data = json.loads(output.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.problems.append(f"{label}: no JSON report")
            return
        if data.get("errors"):
            self.problems.append(f"{label}: {len(data['errors'])} errors, first: {data['errors'][0]}")
        found = {
            (
                f["code"],
                f["path"],
                f["line"],
                f["column"],
                f["end_line"],
                f["end_column"],
                f["message"],
                f["fingerprint"],
                tuple((r["path"], r["line"], r["column"], r["message"]) for r in f.get("related", ())),
            )
            for f in data["findings"]
        }
        self.findings[label] = found

    def compare(self, reference: str, other: str) -> str:
        if reference not in self.findings or other not in self.findings:
            return f"{other}: not compared (missing run)"
        a, b = self.findings[reference], self.findings[other]
        if a == b:
            return f"{other} = {reference}: identical ({len(a)} findings)"
        missing, extra = sorted(a - b), sorted(b - a)
        text = f"{other} != {reference}: {len(missing)} missing, {len(extra)} extra; first: {(missing or extra)[:3]}"
        self.problems.append(text)
        return text


def find_tool(name: str, folder: str | None) -> str | None:
    """`name` in `folder`, else next to this interpreter, else on PATH."""
    for candidate in ([Path(folder) / name] if folder else []) + [Path(sys.executable).parent / name]:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def _version(executable: str) -> str:
    done = subprocess.run([executable, "--version"], capture_output=True, text=True)
    return (done.stdout.strip().splitlines() or ["?"])[0]


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


# ------------------------------------------------------------------------------- pre-commit


def pre_commit(work: Path, tools: Tools, runs: int, identity: Identity) -> list[str]:
    folder = work / "precommit"
    folder.mkdir()
    files = {}
    for index, (label, text) in enumerate(SAMPLES.items()):
        path = folder / f"sample_{index}.py"
        path.write_text(text, encoding="utf-8")
        files[label] = path.name
    commands: dict[str, list[str]] = {"python -c pass": [sys.executable, "-c", "pass"]}
    for label, name in files.items():
        for variant, aisec in tools.aisec.items():
            commands[f"aisec {variant}, {label}, --no-cache"] = [aisec, "check", "--no-cache", name]
            cache = str(work / f"precommit-cache-{variant}")
            commands[f"aisec {variant}, {label}, warm cache"] = [aisec, "check", "--cache-dir", cache, name]
        if tools.bandit:
            commands[f"bandit, {label}"] = [tools.bandit, "-q", name]
        if tools.ruff:
            commands[f"ruff --select S, {label}"] = [tools.ruff, "check", "--no-cache", "--isolated"]
            commands[f"ruff --select S, {label}"] += ["--select", "S", "--exit-zero", name]
    for variant, aisec in tools.aisec.items():
        for label, name in files.items():
            output = work / f"precommit-{variant}-{label}.json"
            run([aisec, "check", "--no-cache", "--format", "json", name], cwd=folder, stdout=output)
            identity.add(f"pre-commit {label}, {variant}", output)
    series = {label: Series(label) for label in commands}
    for argv in commands.values():  # warm-up: byte code written, warm caches filled
        run(argv, cwd=folder)
    for round_index in range(runs):
        order = list(commands)
        shift = round_index % len(order)
        for label in order[shift:] + order[:shift]:
            series[label].runs.append(run(commands[label], cwd=folder))
    base = series["python -c pass"].median("wall")
    out = [
        "## Pre-commit: one file, whole process",
        "",
        f"Samples: {', '.join(f'{k} ({len(v.splitlines())} lines)' for k, v in SAMPLES.items())}. "
        f"{runs} interleaved rounds; medians.",
        "",
        "| command | wall | wall range | x `python -c pass` | x bandit, same file | CPU | CPU x python "
        "| CPU x bandit | median load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    base_cpu = series["python -c pass"].median("cpu")
    for label, entry in series.items():
        sample = next((s for s in SAMPLES if label.endswith(s) or f", {s}," in label), None)
        bandit = series.get(f"bandit, {sample}") if sample else None
        ratio_bandit = f"{entry.median('wall') / bandit.median('wall'):.2f}x" if bandit else ""
        cpu = entry.median("cpu")
        cpu_bandit = f"{cpu / bandit.median('cpu'):.2f}x" if bandit else ""
        out.append(
            f"| {label} | {fmt(entry.median('wall'))} | {entry.spread()} s "
            f"| {entry.median('wall') / base:.2f}x | {ratio_bandit} | {fmt(cpu)} | {cpu / base_cpu:.2f}x "
            f"| {cpu_bandit} | {entry.median('load'):.2f} |"
        )
    out += [
        "",
        "Targets: trigger-free within 2x `python -c pass`; model-loading at most 0.6x bandit; "
        "LLM route at most 1.0x bandit (whole process, --no-cache). On a loaded machine the CPU "
        "columns (user + system time of the process) compare more reliably than wall time.",
        "",
    ]
    for sample in SAMPLES:
        for variant in tools.aisec:
            if variant != "after":
                out.append(
                    "- " + identity.compare(f"pre-commit {sample}, {variant}", f"pre-commit {sample}, after")
                )
    return out


# ------------------------------------------------------------------------------- full scan


def _changed_file(corpus: Corpus, aisec: str, work: Path) -> Path:
    """A file aisec parses (the first with a finding, else the first parsed): the worst case."""
    output = work / "pick.json"
    run([aisec, "check", "--no-cache", "--format", "json", "-q", "."], cwd=corpus.folder, stdout=output)
    findings = json.loads(output.read_text(encoding="utf-8"))["findings"]
    paths = sorted({f["path"] for f in findings if f["path"].endswith(".py")})
    if paths:
        return corpus.folder / paths[0]
    return sorted(corpus.folder.rglob("*.py"))[0]


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import|import[ \t]+([\w.]+))", re.M)


def _imported_file(corpus: Corpus) -> Path:
    """The project module (not a package's `__init__.py`) that the most other files import, by
    their import lines (absolute imports; ties by path)."""
    importers: dict[Path, set[Path]] = {}
    for path in sorted(corpus.folder.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in _IMPORT.finditer(text):
            module = corpus.folder.joinpath(*(match.group(1) or match.group(2)).split("."))
            target = module.with_suffix(".py")
            if target != path and target.is_file():
                importers.setdefault(target, set()).add(path)
    return max(sorted(importers), key=lambda target: len(importers[target]))


def _repeats(step: str, options: argparse.Namespace) -> range:
    """The runs of a cell in one round: a cold run once, the others `--repeats` times."""
    return range(1 if step == "cold" else options.repeats)


def _run_label(corpus: Corpus, variant: str, step: str, round_index: int, repeat: int) -> str:
    """What the findings of one run are filed under (`Identity`): a cold run once per round, the
    other cells `--repeats` times."""
    which = f"{round_index}" if step == "cold" else f"{round_index}.{repeat}"
    return f"{corpus.name} {variant} {step} #{which}"


def full_scan(
    corpus: Corpus,
    changed: Path,
    tools: Tools,
    rounds: int,
    work: Path,
    identity: Identity,
    options: argparse.Namespace,
) -> list[str]:
    folder = corpus.folder
    imported = _imported_file(corpus)
    originals = {path: path.read_bytes() for path in (changed, imported)}
    series: dict[str, Series] = {}
    summaries: dict[str, dict] = {}
    edits = {"one file changed": changed, "one imported file changed": imported}

    def aisec_round(variant: str, aisec: str, round_index: int) -> None:
        cache = work / f"cache-{corpus.name}-{variant}-{round_index}"
        base = [aisec, "check", "--format", "json", "-q", "--cache-dir", str(cache), "."]
        for step in ("cold", "warm", "one file changed", "one imported file changed"):
            for repeat in _repeats(step, options):
                edited = edits.get(step)
                if edited is not None:  # from a warm state: an earlier edit's restore changed a stat
                    run(base, cwd=folder)
                    edited.write_bytes(
                        originals[edited] + f"\n# bench edit {round_index}.{repeat}\n".encode()
                    )
                output = work / f"{corpus.name}-{variant}-{step}-{round_index}-{repeat}.json"
                try:
                    result = run(base, cwd=folder, stdout=output)
                finally:
                    if (
                        edited is not None
                    ):  # only then: rewriting it moves its mtime, and the warm run is no warm run
                        edited.write_bytes(originals[edited])
                series.setdefault(f"aisec {variant}, {step}", Series(f"aisec {variant}, {step}")).runs.append(
                    result
                )
                identity.add(_run_label(corpus, variant, step, round_index, repeat), output)
                if step == "cold" and round_index == 0:
                    summaries[variant] = json.loads(output.read_text(encoding="utf-8")).get("summary", {})
        shutil.rmtree(cache, ignore_errors=True)

    peers: dict[str, list[str]] = {}
    if tools.bandit:
        peers[f"bandit -t {BANDIT_TESTS}"] = [tools.bandit, "-q", "-r", ".", "-t", BANDIT_TESTS, "-f", "json"]
    if tools.semgrep:
        peers["semgrep, 5 rules"] = [
            tools.semgrep,
            "scan",
            "--config",
            str(SEMGREP_RULES),
            "--metrics",
            "off",
        ]
        peers["semgrep, 5 rules"] += ["--disable-version-check", "-q", "--json", "."]
    if tools.ruff:
        peers["ruff --select S"] = [tools.ruff, "check", "--no-cache", "--isolated", "--select", "S"]
        peers["ruff --select S"] += ["--exit-zero", "."]
    jobs = [("aisec", variant) for variant in tools.aisec] + [("peer", label) for label in peers]
    for round_index in range(rounds):
        shift = round_index % len(jobs)
        for kind, label in jobs[shift:] + jobs[:shift]:
            if kind == "aisec":
                aisec_round(label, tools.aisec[label], round_index)
            else:
                result = run(peers[label], cwd=folder)
                series.setdefault(label, Series(label)).runs.append(result)
    memory = []
    if options.memory:  # the aisec under test only: one more cold run
        result = run([tools.aisec["after"], "check", "--no-cache", "--jobs", "1", "-q", "."], cwd=folder)
        allowed = 300 * corpus.lines / 1_000_000
        memory.append(
            f"aisec after --jobs 1: peak RSS {result.peak_rss_mb:.0f} MB for {corpus.lines:,} lines "
            f"(target: under 300 MB per million lines, {allowed:.0f} MB here), wall {result.wall:.1f} s, "
            f"CPU {result.cpu:.1f} s, load {result.load:.2f}"
        )
    out = [
        f"## {corpus.name}: {corpus.files:,} files, {corpus.lines:,} lines "
        f"({', '.join(CORPORA[corpus.name])})",
        "",
        f"{rounds} interleaved rounds (the warm and changed-file cells {options.repeats} times in each); "
        f"medians. One-file-changed edits `{changed.relative_to(folder)}`; "
        f"one-imported-file-changed edits `{imported.relative_to(folder)}`.",
        "",
        "| command | wall | CPU | peak RSS | wall range | x semgrep | x bandit | CPU x semgrep | CPU x bandit "
        "| median load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    semgrep = series.get("semgrep, 5 rules")
    bandit = series.get(f"bandit -t {BANDIT_TESTS}")
    for label, entry in series.items():
        wall = entry.median("wall")
        x_semgrep = f"{wall / semgrep.median('wall'):.2f}x" if semgrep else ""
        x_bandit = f"{wall / bandit.median('wall'):.2f}x" if bandit else ""
        cpu = entry.median("cpu")
        cpu_semgrep = f"{cpu / semgrep.median('cpu'):.2f}x" if semgrep else ""
        cpu_bandit = f"{cpu / bandit.median('cpu'):.2f}x" if bandit else ""
        out.append(
            f"| {label} | {fmt(wall)} | {fmt(cpu)} | {entry.median('peak_rss_mb'):.0f} MB "
            f"| {entry.spread()} s | {x_semgrep} | {x_bandit} | {cpu_semgrep} | {cpu_bandit} "
            f"| {entry.median('load'):.2f} |"
        )
    out.append("")
    for variant in tools.aisec:
        cold = series[f"aisec {variant}, cold"].median("wall")
        warm = series[f"aisec {variant}, warm"].median("wall")
        one = series[f"aisec {variant}, one file changed"].median("wall")
        core = series[f"aisec {variant}, one imported file changed"].median("wall")
        out.append(
            f"- aisec {variant}: cold/warm {cold / warm:.1f}x (target >= 20x); one file changed/warm "
            f"{one / warm:.2f}x (target <= 2x); one imported file changed/warm {core / warm:.2f}x; "
            f"summary {summaries.get(variant)}"
        )
    out += [f"- {line}" for line in memory]
    reference = f"{corpus.name} after cold #0"
    compared = []
    for variant in tools.aisec:
        for step in ("cold", "warm", "one file changed"):
            for round_index in range(rounds):
                for repeat in _repeats(step, options):
                    label = _run_label(corpus, variant, step, round_index, repeat)
                    if label != reference:
                        compared.append(identity.compare(reference, label))
    if options.check_prefilter:
        output = work / f"{corpus.name}-noprefilter.json"
        result = run(
            [tools.aisec["after"], "check", "--no-cache", "--no-prefilter", "--format", "json", "-q", "."],
            cwd=folder,
            stdout=output,
        )
        identity.add(f"{corpus.name} after --no-prefilter", output)
        compared.append(identity.compare(reference, f"{corpus.name} after --no-prefilter"))
        out.append(f"- --no-prefilter run: wall {result.wall:.1f} s, load {result.load:.2f}")
    same = [line for line in compared if ": identical" in line]
    out.append(f"- findings identity: {len(same)} of {len(compared)} runs identical to `{reference}`")
    out += [f"  - {line}" for line in compared if ": identical" not in line]
    return out


def project_files(corpus: Corpus, changed: Path) -> list[Path]:
    """The files of the corpus's one-file cell: `changed`, then its `HEAVY_FILES` that exist."""
    heavy = [corpus.folder / name for name in HEAVY_FILES.get(corpus.name, ())]
    return [changed, *(path for path in heavy if path.is_file() and path != changed)]


def project_file(
    corpus: Corpus, files: list[Path], tools: Tools, runs: int, work: Path, identity: Identity
) -> list[str]:
    """Pre-commit inside the corpus project: each file checked alone (cold, then warm) in rotated rounds."""
    folder = corpus.folder
    names = [path.relative_to(folder).as_posix() for path in files]
    series: dict[str, Series] = {}
    file_of: dict[str, str] = {}  # series label -> the file it checks

    def timed(label: str, name: str, argv: list[str], output: Path | None = None) -> None:
        file_of[label] = name
        series.setdefault(label, Series(label)).runs.append(run(argv, cwd=folder, stdout=output))

    def aisec_job(index: int, variant: str, round_index: int) -> None:
        cache = work / f"file-cache-{corpus.name}-{index}-{variant}-{round_index}"
        for step in ("cold", "warm"):  # the cold run fills the fresh cache the warm run reads
            output = work / f"file-{corpus.name}-{index}-{variant}-{step}-{round_index}.json"
            argv = [tools.aisec[variant], "check", "--format", "json", "-q", "--cache-dir", str(cache)]
            timed(f"aisec {variant}, {step}, {names[index]}", names[index], [*argv, names[index]], output)
            identity.add(f"{corpus.name} {names[index]} {variant} {step} #{round_index}", output)
        shutil.rmtree(cache, ignore_errors=True)

    jobs = [(index, variant) for index in range(len(names)) for variant in tools.aisec]
    jobs += [(index, "bandit") for index in range(len(names)) if tools.bandit]
    for round_index in range(runs):
        shift = round_index % len(jobs)
        for index, tool in jobs[shift:] + jobs[:shift]:
            if tool == "bandit":
                timed(f"bandit, {names[index]}", names[index], [str(tools.bandit), "-q", names[index]])
            else:
                aisec_job(index, tool, round_index)
    out = [
        f"## Pre-commit in the {corpus.name} project: one file checked alone, whole process",
        "",
        f"Files: {', '.join(f'`{name}`' for name in names)}. Cold: a fresh `--cache-dir`; warm: the "
        f"same cache again. {runs} interleaved rounds; medians.",
        "",
        "| command | wall | wall range | x bandit, same file | CPU | CPU x bandit | peak RSS | median load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, entry in series.items():
        bandit = series.get(f"bandit, {file_of[label]}")
        wall, cpu = entry.median("wall"), entry.median("cpu")
        x_bandit = f"{wall / bandit.median('wall'):.2f}x" if bandit else ""
        cpu_bandit = f"{cpu / bandit.median('cpu'):.2f}x" if bandit else ""
        out.append(
            f"| {label} | {fmt(wall)} | {entry.spread()} s | {x_bandit} | {fmt(cpu)} | {cpu_bandit} "
            f"| {entry.median('peak_rss_mb'):.0f} MB | {entry.median('load'):.2f} |"
        )
    out.append("")
    for name in names:
        reference = f"{corpus.name} {name} after cold #0"
        labels = [
            f"{corpus.name} {name} {variant} {step} #{round_index}"
            for variant in tools.aisec
            for step in ("cold", "warm")
            for round_index in range(runs)
        ]
        compared = [identity.compare(reference, label) for label in labels if label != reference]
        same = [line for line in compared if ": identical" in line]
        out.append(
            f"- findings identity, `{name}`: {len(same)} of {len(compared)} runs identical to `{reference}`"
        )
        out += [f"  - {line}" for line in compared if ": identical" not in line]
    return out


# ------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), help="default: langchain")
    parser.add_argument("--rounds", type=int, default=3, help="full-scan rounds (default 3)")
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="runs of each warm and changed-file cell in a round (default 3): a 0.1-0.8 s cell moves "
        "by tens of ms between runs, and a ratio near a target needs more than 3 samples",
    )
    parser.add_argument(
        "--runs", type=int, default=10, help="pre-commit rounds, samples and corpus files (default 10)"
    )
    parser.add_argument("--aisec", help="the aisec to measure (default: next to this interpreter)")
    parser.add_argument("--before", help="another aisec executable measured in the same rounds")
    parser.add_argument("--peers-bin", help="folder holding bandit, semgrep, ruff (a separate venv)")
    parser.add_argument(
        "--cache", type=Path, default=DEFAULT_CACHE, help=f"corpus cache (default {DEFAULT_CACHE})"
    )
    parser.add_argument("--skip-full", action="store_true", help="pre-commit latency only")
    parser.add_argument(
        "--skip-precommit",
        action="store_true",
        help="full scans only (no pre-commit cell, in corpora either)",
    )
    parser.add_argument("--no-memory", dest="memory", action="store_false", help="skip the --jobs 1 RSS run")
    parser.add_argument(
        "--check-prefilter", action="store_true", help="also compare with --no-prefilter (slow)"
    )
    options = parser.parse_args(argv)
    if options.rounds < 1 or options.repeats < 1:
        parser.error("--rounds and --repeats take a count of at least 1")

    # semgrep asks the network for its latest version (even for --version) unless told not to.
    os.environ.update(SEMGREP_ENABLE_VERSION_CHECK="0", SEMGREP_SEND_METRICS="off")
    after = options.aisec or find_tool("aisec", None)
    if after is None:
        print("aisec is not installed next to this interpreter; pass --aisec", file=sys.stderr)
        return 2
    variants = {"before": options.before} if options.before else {}
    variants["after"] = after
    tools = Tools(
        variants,
        find_tool("bandit", options.peers_bin),
        find_tool("semgrep", options.peers_bin),
        find_tool("ruff", options.peers_bin),
    )
    named = [*tools.aisec.items(), ("bandit", tools.bandit), ("semgrep", tools.semgrep), ("ruff", tools.ruff)]
    versions = [
        f"- {name}: {_version(path)} ({path})" if path else f"- {name}: not found" for name, path in named
    ]
    report = [
        f"# aisec benchmark, {dt.datetime.now(dt.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        f"- python {platform.python_version()}, {platform.platform()}; at start: {load_note()}",
        *versions,
        "",
    ]
    identity = Identity()
    with tempfile.TemporaryDirectory(prefix="aisec-bench-") as tmp:
        work = Path(tmp)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        if not options.skip_precommit:
            report += [*pre_commit(work, tools, options.runs, identity), ""]
            print("\n".join(report), flush=True)
        if not options.skip_full:
            for name in options.corpus or ["langchain"]:
                corpus = prepare(name, options.cache)
                changed = _changed_file(corpus, tools.aisec["after"], work)
                section = full_scan(corpus, changed, tools, options.rounds, work, identity, options)
                if not options.skip_precommit:
                    files = project_files(corpus, changed)
                    section += ["", *project_file(corpus, files, tools, options.runs, work, identity)]
                print("\n".join(section), flush=True)
                report += [*section, ""]
    report.append(f"At the end: {load_note()}.")
    report.append(
        "Findings identity: " + ("all compared runs identical." if not identity.problems else "DIFFERENCES:")
    )
    report += [f"- {problem}" for problem in identity.problems]
    text = "\n".join(report)
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(text + "\n", encoding="utf-8")
    print(f"\n{report[-1 - len(identity.problems)]}\n(full report: {path})")
    return 1 if identity.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
