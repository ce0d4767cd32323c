"""Recall and precision per rule on annotated corpora (`bench/corpus/`, or folders given).

Annotations follow semgrep's test format: a comment line `# ruleid: AIS101` (expected finding)
or `# ok: AIS101` (a look-alike that must not be reported) applies to the next code line; a
finding counts for the line of the statement it starts on. Findings on lines with no
annotation for their rule count as false positives. Run:

    python bench/precision.py [--strict-location] [FOLDER ...]

A flow through a helper can be pointed at in two places: the call that hands the data to the
helper (where aisec reports it) or the sink inside the helper. Annotators differ on which one
they label, so by default a finding may be matched through its flow path too: first its own
statement, then the sink step, then each "passes through" step of its `related` list (never
its source). Each finding is credited to at most one annotation and each annotation to at most
one place, so one finding never counts twice; a finding whose places carry no `ruleid` for its
rule is a false positive at its own statement. `--strict-location` matches the reported
statement only.

It runs `aisec check --format json` on each folder (no cache) and prints, per rule, true
positives, false positives, false negatives, recall and precision, then the misses and false
alarms by location.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
_MARK = re.compile(r"#\s*(ruleid|ok):\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def annotations(path: Path) -> dict[tuple[int, str], str]:
    """(line, code) -> 'ruleid' | 'ok' for the code line after each annotation comment."""
    marks: dict[tuple[int, str], str] = {}
    pending: list[tuple[str, str]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        stripped = line.strip()
        match = _MARK.match(stripped)
        if match:
            pending += [(match.group(1), code.strip()) for code in match.group(2).split(",")]
            continue
        if stripped and not stripped.startswith("#") and pending:
            for kind, code in pending:
                marks[(number, code)] = kind
            pending = []
    return marks


def statement_starts(path: Path) -> dict[int, int]:
    """line -> first line of the innermost statement holding it (aisec reports a multi-line
    call at the argument that carries the problem; the annotation sits above the statement)."""
    starts: dict[int, int] = {}
    for node in ast.walk(ast.parse(path.read_bytes())):  # parents before their children
        if isinstance(node, ast.stmt):
            for line in range(node.lineno, (node.end_lineno or node.lineno) + 1):
                if starts.get(line, 0) <= node.lineno:
                    starts[line] = node.lineno
    return starts


def findings(folder: Path) -> list[dict]:
    completed = subprocess.run(
        [sys.executable, "-m", "aisec", "check", "--format", "json", "--no-cache", "--exit-zero", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(f"aisec failed on {folder}: {completed.stderr.strip()}")
    return json.loads(completed.stdout)["findings"]


def _places(finding: dict, starts: dict[str, dict[int, int]], strict: bool) -> list[tuple[str, int, str]]:
    """The (path, statement start, code) keys a finding may be matched at, in order of preference."""
    steps = [] if strict else finding.get("related", [])
    sinks = [s for s in steps if s.get("message", "").startswith("sink")]
    through = [s for s in steps if s.get("message", "").startswith("passes through")]
    places = [(finding["path"], finding["line"])] + [(s["path"], s["line"]) for s in sinks + through]
    return [(path, starts.get(path, {}).get(line, line), finding["code"]) for path, line in places]


def score(folders: list[Path], strict: bool = False) -> dict[str, dict[str, list[str]]]:
    """rule -> {'tp': [...], 'fp': [...], 'fn': [...]} with `path:line` entries."""
    result: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"tp": [], "fp": [], "fn": []})
    for folder in folders:
        expected: dict[tuple[str, int, str], str] = {}
        starts: dict[str, dict[int, int]] = {}
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(folder).as_posix()
            starts[relative] = statement_starts(path)
            for (line, code), kind in annotations(path).items():
                expected[(relative, line, code)] = kind
        codes = {code for _, _, code in expected}
        candidates = [_places(f, starts, strict) for f in findings(folder) if f["code"] in codes]
        # findings reported at a labelled statement claim it first, those with fewer labelled
        # places before those that could also claim another (two findings reported at one call,
        # one of them also at the sink inside the helper: each gets a label); the rest match on
        # their path
        candidates.sort(
            key=lambda places: (
                expected.get(places[0]) != "ruleid",
                len({key for key in places if expected.get(key) == "ruleid"}),
            )
        )
        matched: set[tuple[str, int, str]] = set()
        false_alarms: set[tuple[str, int, str]] = set()
        for places in candidates:
            labelled = [key for key in places if expected.get(key) == "ruleid"]
            free = [key for key in labelled if key not in matched]
            if free:
                matched.add(free[0])
            elif not labelled:
                false_alarms.add(places[0])
        for key, kind in expected.items():
            if kind == "ruleid":
                result[key[2]]["tp" if key in matched else "fn"].append(f"{folder.name}/{key[0]}:{key[1]}")
        for key in sorted(false_alarms):
            result[key[2]]["fp"].append(f"{folder.name}/{key[0]}:{key[1]}")
    return result


def main(argv: list[str]) -> int:
    strict = "--strict-location" in argv
    folders = [Path(arg).resolve() for arg in argv if arg != "--strict-location"]
    scores = score(folders or sorted(p for p in CORPUS.iterdir() if p.is_dir()), strict)
    print(f"{'rule':8} {'tp':>4} {'fp':>4} {'fn':>4} {'recall':>7} {'precision':>9}")
    totals = [0, 0, 0]
    for code in sorted(scores):
        tp, fp, fn = (len(scores[code][k]) for k in ("tp", "fp", "fn"))
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        recall = tp / (tp + fn) if tp + fn else 1.0
        precision = tp / (tp + fp) if tp + fp else 1.0
        print(f"{code:8} {tp:4} {fp:4} {fn:4} {recall:7.2f} {precision:9.2f}")
    tp, fp, fn = totals
    print(f"{'all':8} {tp:4} {fp:4} {fn:4} {tp / max(tp + fn, 1):7.2f} {tp / max(tp + fp, 1):9.2f}")
    for code in sorted(scores):
        for kind, label in (("fn", "missed"), ("fp", "false alarm")):
            for where in scores[code][kind]:
                print(f"{label}: {code} {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
