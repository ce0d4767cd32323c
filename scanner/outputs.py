"""Where `aisec check` writes its report: one or more outputs, each a format and a target.

`--format F --output FILE` (the original pair, a contract) is one output; every
`--output-format F[:FILE]` adds another, so that a CI job can upload SARIF and show text in one
run. At most one output goes to stdout. `--statistics` replaces the findings of the text formats
by one line per rule, as ruff's does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from aisec.hooks import Report

TEXT_FORMATS = ("text", "concise")


class OutputError(Exception):
    """A bad output specification (a usage error, exit 2)."""


@dataclass(frozen=True)
class Output:
    format: str
    file: Path | None  # None: stdout

    @property
    def is_text(self) -> bool:
        return self.format in TEXT_FORMATS


def parse_output_format(spec: str) -> Output:
    """`FORMAT` (stdout) or `FORMAT:FILE`."""
    name, sep, file = spec.partition(":")
    if not name or (sep and not file):
        raise OutputError(f"--output-format {spec!r}: expected FORMAT or FORMAT:FILE")
    return Output(name, Path(file) if file else None)


def plan_outputs(
    format_name: str | None, output: Path | None, extra: Sequence[str], available: Sequence[str]
) -> list[Output]:
    """The run's outputs: the `--format/--output` pair (when given, or when nothing else is) and
    every `--output-format`; checked for unknown formats, two stdout outputs and one file twice."""
    outputs = [parse_output_format(spec) for spec in extra]
    if format_name is not None or output is not None or not outputs:
        outputs.insert(0, Output(format_name or "text", output))
    for item in outputs:
        if item.format not in available:
            raise OutputError(f"unknown --format {item.format!r}; available: {', '.join(sorted(available))}")
    if sum(1 for item in outputs if item.file is None) > 1:
        raise OutputError("only one output can go to stdout; give the others a file (FORMAT:FILE)")
    files = [item.file.resolve() for item in outputs if item.file is not None]
    if len(files) != len(set(files)):
        raise OutputError("two outputs name the same file")
    return outputs


def statistics(report: Report) -> list[str]:
    """One line per rule with findings: count, code, `[*]` when any is fixable, name."""
    active = [f for f in report.findings if not f.suppressed]
    counts = Counter(f.code for f in active)
    names = {f.code: f.name for f in active}
    fixable = {f.code for f in active if f.fix is not None}
    width = max((len(str(n)) for n in counts.values()), default=1)
    code_width = max((len(code) for code in counts), default=1)
    lines = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mark = "[*]" if code in fixable else "[ ]"
        lines.append(f"{count:>{width}}  {code:<{code_width}}  {mark} {names[code]}")
    return lines
