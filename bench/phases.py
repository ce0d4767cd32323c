"""Where a cold scan's CPU time goes, by phase: one `aisec check` run in this process, with the
engine's steps timed (each phase's own time, nested phases subtracted).

    python bench/phases.py ~/.cache/aisec-bench/project/langchain       # --jobs 1 --no-cache
    /tmp/aisec-before/bin/python bench/phases.py PATH                   # another install's engine

Phases: the token gate, the word screen (inside `scan_bytes`' own time when an install has none)
and its code-word lexer, the `ast` parse guard, the call and identifier screens, the project
imports the prefilter follows, `libcst.parse_module`, the name table, the taint fixpoint, the rest
of the rule walk. cProfile overstates the taint engine (many small Python calls); this does not.
The table is printed (Markdown) with the total and the load average; findings are not compared
(bench/run.py does).
"""

from __future__ import annotations

import functools
import io
import os
import sys
import time
from collections import Counter
from contextlib import redirect_stdout
from typing import Any

PHASES = (  # (module, owner attribute or "", function, label)
    ("libcst", "", "parse_module", "libcst.parse_module"),
    ("aisec.engine", "_PythonParse", "of_tree", "ast parse guard (screens)"),
    ("aisec.engine", "_PythonParse", "of", "ast parse guard (no screen)"),
    ("aisec.engine", "", "rules_for_text", "token gate"),
    ("aisec.identifiers", "WordScreen", "select", "word screen"),
    ("aisec.codewords", "", "code_words", "code-word lexer (word screen)"),
    ("aisec.screen", "CallScreen", "select", "call screen"),
    ("aisec.identifiers", "IdentifierScreen", "select", "identifier screen"),
    ("aisec.engine", "FileScanner", "_through_imports", "project imports (prefilter)"),
    ("aisec.taint.module", "ModuleTaint", "_ensure", "taint fixpoint"),
    ("aisec.names", "", "NameTable", "name table"),
    ("aisec.engine", "FileScanner", "_run_rules", "rule walk and the rest of a parsed file"),
    ("aisec.engine", "FileScanner", "scan_bytes", "rest of scan_bytes"),
)


def main(argv: list[str]) -> int:
    import importlib

    own: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    stack: list[float] = []

    def timed(function: Any, label: str) -> Any:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            stack.append(0.0)
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - start
                inner = stack.pop()
                own[label] += spent - inner
                calls[label] += 1
                if stack:
                    stack[-1] += spent

        return wrapper

    for module_name, owner_name, name, label in PHASES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner = getattr(module, owner_name, None) if owner_name else module
        if owner is not None and hasattr(owner, name):
            setattr(owner, name, timed(getattr(owner, name), label))

    from aisec.cli import main as aisec_main

    start = time.process_time()
    with redirect_stdout(io.StringIO()):
        try:
            aisec_main(["check", "--jobs", "1", "--no-cache", "--format", "json", *argv])
        except SystemExit:
            pass
    total = time.process_time() - start
    print(f"load average {os.getloadavg()[0]:.2f}; total CPU {total:.2f} s\n")
    print("| phase | CPU | share | calls |\n| --- | ---: | ---: | ---: |")
    for label, spent in own.most_common():
        print(f"| {label} | {spent:.2f} s | {100 * spent / total:.1f}% | {calls[label]:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
