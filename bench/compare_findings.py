"""Findings per rule of two `aisec check --format json` runs on the same tree (before/after).

    aisec check --format json --no-cache --exit-zero TREE > after.json   # one per version
    python bench/compare_findings.py before.json after.json [--show CODE]

Prints, per rule, the count before and after and how many findings appeared or disappeared
(matched by path, line and code), and how many of the findings in both show another path
(`related`); `--show CODE` lists that rule's changed findings, so each can be judged by hand
(the closing notes quote the noise share judged this way).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path


def findings_of(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["findings"]


def load(path: Path) -> dict[tuple[str, int, str], str]:
    return {(f["path"], f["line"], f["code"]): f["message"] for f in findings_of(path)}


def load_paths(path: Path) -> dict[tuple[str, int, str], tuple]:
    """The path shown with each finding: its `related` steps (path, line, column, message)."""
    return {
        (f["path"], f["line"], f["code"]): tuple(
            (r["path"], r["line"], r["column"], r["message"]) for r in f.get("related", ())
        )
        for f in findings_of(path)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--show", action="append", default=[], help="list changed findings of CODE")
    options = parser.parse_args()
    before, after = load(options.before), load(options.after)
    counts_before = Counter(code for _, _, code in before)
    counts_after = Counter(code for _, _, code in after)
    print(f"{'rule':8} {'before':>6} {'after':>6} {'gone':>5} {'new':>5}")
    for code in sorted(set(counts_before) | set(counts_after)):
        gone = sum(1 for key in before if key[2] == code and key not in after)
        new = sum(1 for key in after if key[2] == code and key not in before)
        print(f"{code:8} {counts_before[code]:6} {counts_after[code]:6} {gone:5} {new:5}")
    print(f"{'all':8} {len(before):6} {len(after):6}")
    paths_before, paths_after = load_paths(options.before), load_paths(options.after)
    moved = sorted(
        key for key in paths_before if key in paths_after and paths_before[key] != paths_after[key]
    )
    print(f"findings in both with another path (related): {len(moved)}")
    for code in options.show:
        for label, left, right in (("gone", before, after), ("new", after, before)):
            for key in sorted(k for k in left if k[2] == code and k not in right):
                print(f"{label}: {key[0]}:{key[1]} {key[2]} {left[key][:160]}")
        for key in (k for k in moved if k[2] == code):
            print(f"path: {key[0]}:{key[1]} {key[2]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
