"""What the taint engine costs, per 1,000 lines, on files that contain LLM calls, next to parsing.

    python bench/taint_cost.py                          # the repo's LLM apps and rule examples
    python bench/taint_cost.py --path /some/src/tree    # any folders or files, added to those
    python bench/taint_cost.py --package langchain_community --sys-path /tmp/pkgs

"Files that contain LLM calls" are the files the AIS2xx prefilter lets through (a source token and
a sink token of the merged taint catalog) in which the analysis found at least one call of a
catalog sink. For each such file, in one warm process, the best of `--repeat` runs of:

- `ast.parse` (reference) and `libcst.parse_module` (the parse every rule pays);
- the taint analysis as the rules use it: build it (`ModuleTaint`, which includes the names
  table it reads) and ask `sink_flows` for every call, facts and their lines included;
- `aisec check` of the file with AIS201-AIS204 only, end to end in-process (`FileScanner`:
  decode, prefilter, parse, one traversal, the analysis, findings).

Times are summed over the files and reported per 1,000 lines (blank lines and comments counted:
lines as `wc -l` counts them). The table is printed (Markdown) and written to
bench/results/taint-<date>.md.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import importlib.util
import platform
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results"
DEFAULT_PATHS = (REPO / "tests" / "data" / "llm_apps", REPO / "examples")


def best_of(repeat: int, function: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def python_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_file() and path.suffix == ".py":
            found.append(path)
        elif path.is_dir():
            found += sorted(p for p in path.rglob("*.py") if "__pycache__" not in p.parts)
    return found


def rule_examples() -> list[tuple[str, str]]:
    """(name, source) of the AIS2xx rules' own examples: small, but every SDK shape."""
    from aisec.pluginmanager import load_plugins

    rules = load_plugins(entry_points=False).rules
    return [
        (f"{code}-{kind}-{index}", example.code)
        for code, rule in sorted(rules.items())
        if code.startswith("AIS2")
        for kind in ("invalid", "valid")
        for index, example in enumerate(rule.examples(kind))
    ]


def measure(sources: list[tuple[str, str]], repeat: int) -> dict[str, Any]:
    import libcst as cst
    from aisec.engine import FileScanner
    from aisec.names import NameTable
    from aisec.pluginmanager import load_plugins
    from aisec.prefilter import rules_for_text
    from aisec.project import Project
    from aisec.taint import ModuleTaint
    from aisec.taintconfig import build_catalog

    registry = load_plugins(entry_points=False)
    catalog = build_catalog(registry.taint_catalogs, {})
    expansions = catalog.trigger_expansions()
    rules = [rule for code, rule in sorted(registry.rules.items()) if code.startswith("AIS2")]
    scanner = FileScanner(
        rules,
        rule_plugins={rule.code: "bench" for rule in rules},
        options={},
        project=Project(REPO),
        taint_catalog=catalog,
    )

    class Calls(cst.CSTVisitor):
        def __init__(self) -> None:
            self.calls: list[Any] = []

        def visit_Call(self, node: Any) -> None:
            self.calls.append(node)

    totals = {"files": 0, "lines": 0, "ast": 0.0, "parse": 0.0, "taint": 0.0, "check": 0.0, "findings": 0}
    seen = {"candidates": 0, "prefiltered": 0, "errors": 0}
    worst: list[tuple[float, str, int]] = []
    for name, text in sources:
        seen["candidates"] += 1
        if not rules_for_text(text, rules, expansions):
            continue
        seen["prefiltered"] += 1
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(text)
            module = cst.parse_module(text)
        except Exception:
            seen["errors"] += 1
            continue
        probe = ModuleTaint(module, NameTable(module), catalog)
        probe._ensure()
        if not probe._sink_calls:  # no LLM call in this file
            continue
        visitor = Calls()
        module.visit(visitor)

        def analyse(module: Any = module, calls: list[Any] = visitor.calls) -> None:
            taint = ModuleTaint(module, NameTable(module), catalog)
            for call in calls:
                for flow in taint.sink_flows(call):
                    flow.fact.where()

        data = text.encode("utf-8")
        lines = text.count("\n") + 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_ast = best_of(repeat, lambda text=text: ast.parse(text))
        t_parse = best_of(repeat, lambda text=text: cst.parse_module(text))
        t_taint = best_of(repeat, analyse)
        result = scanner.scan_bytes(name, data)
        t_check = best_of(repeat, lambda name=name, data=data: scanner.scan_bytes(name, data))
        totals["files"] += 1
        totals["lines"] += lines
        totals["ast"] += t_ast
        totals["parse"] += t_parse
        totals["taint"] += t_taint
        totals["check"] += t_check
        totals["findings"] += len(result.findings)
        worst.append((t_taint / t_parse if t_parse else 0.0, name, lines))
    worst.sort(reverse=True)
    return {**totals, **seen, "worst": worst[:5]}


def table(label: str, result: dict[str, Any]) -> str:
    kloc = result["lines"] / 1000 or 1

    def per(key: str) -> str:
        return f"{1000 * result[key] / kloc:.1f}"

    ratio = result["taint"] / result["parse"] if result["parse"] else 0.0
    rows = [
        f"### {label}",
        "",
        f"{result['files']} files with LLM calls, {result['lines']:,} lines "
        f"(of {result['candidates']} files, {result['prefiltered']} passed the AIS2xx prefilter); "
        f"{result['findings']} findings.",
        "",
        "| step | ms per 1,000 lines | x libcst parse |",
        "|---|---:|---:|",
        f"| `ast.parse` (reference) | {per('ast')} | {result['ast'] / result['parse']:.2f} |",
        f"| `libcst.parse_module` | {per('parse')} | 1.00 |",
        f"| taint analysis (names table, fixpoint, every `sink_flows`, lines) | {per('taint')} | {ratio:.2f} |",
        f"| `aisec check` with AIS201-AIS204, in-process, end to end | {per('check')} | {result['check'] / result['parse']:.2f} |",
        "",
    ]
    if result["worst"]:
        rows += ["Highest analysis/parse ratios:", ""]
        rows += [f"- {name} ({lines} lines): {ratio:.2f}x" for ratio, name, lines in result["worst"]]
        rows.append("")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--path", action="append", type=Path, default=[], help="extra folders or files")
    parser.add_argument("--package", action="append", default=[], help="an installed package's sources")
    parser.add_argument("--sys-path", action="append", default=[], help="where to find --package")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    sys.path[:0] = args.sys_path

    corpora: list[tuple[str, list[tuple[str, str]]]] = []
    local = [
        (str(p.relative_to(REPO)), p.read_text(encoding="utf-8")) for p in python_files(list(DEFAULT_PATHS))
    ]
    corpora.append(("repo LLM apps and examples + AIS2xx rule examples", local + rule_examples()))
    if args.path:
        files = python_files(args.path)
        corpora.append(
            (", ".join(map(str, args.path)), [(str(p), p.read_text("utf-8", "replace")) for p in files])
        )
    for package in args.package:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"package {package!r} not found (use --sys-path)")
        root = Path(next(iter(spec.submodule_search_locations)))
        files = python_files([root])
        corpora.append(
            (
                f"package `{package}`",
                [(str(p.relative_to(root.parent)), p.read_text("utf-8", "replace")) for p in files],
            )
        )

    header = [
        f"# Taint engine cost ({dt.datetime.now():%Y-%m-%d %H:%M})",
        "",
        f"Python {platform.python_version()}, {platform.machine()}, best of {args.repeat} runs per file, one process.",
        "",
    ]
    sections = [table(label, measure(sources, args.repeat)) for label, sources in corpora]
    report = "\n".join(header + sections)
    print(report)
    if not args.no_write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"taint-{dt.datetime.now():%Y%m%d-%H%M%S}.md").write_text(report + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
