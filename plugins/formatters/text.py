"""Human output, ruff-like: `path:line:col: CODE [severity] message`, with a code frame on a
terminal. `concise` is the one-line-per-finding variant editors parse. Every string that comes
from the scanned files (paths, messages naming pickle globals, source lines) goes through
`printable`, so control characters and terminal escapes in them cannot forge the output."""

from __future__ import annotations

from collections import Counter

from aisec.hooks import Applicability, Finding, FormatOptions, Report, Severity, printable

_SEVERITY_COLOURS = {
    Severity.CRITICAL: "\x1b[1;31m",
    Severity.HIGH: "\x1b[31m",
    Severity.MEDIUM: "\x1b[33m",
    Severity.LOW: "\x1b[36m",
    Severity.INFO: "\x1b[2m",
}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _paint(text: str, style: str, color: bool) -> str:
    return f"{style}{text}{_RESET}" if color else text


def _headline(finding: Finding, color: bool) -> str:
    loc = finding.location
    where = _paint(f"{printable(loc.path)}:{loc.line}:{loc.column}:", _BOLD, color)
    code = _paint(finding.code, _SEVERITY_COLOURS[finding.severity], color)
    fixable = " [*]" if finding.fix is not None else ""
    suppressed = " (suppressed)" if finding.suppressed else ""
    cell = f" ({cell_label(finding)})" if finding.cell is not None else ""
    return f"{where} {code} [{finding.severity}]{fixable} {printable(finding.message)}{cell}{suppressed}"


def cell_label(finding: Finding) -> str:
    """`cell 3, line 2` for a notebook finding (`cell 3` when the line in the cell is unknown)."""
    if finding.cell_line is None:
        return f"cell {finding.cell}"
    return f"cell {finding.cell}, line {finding.cell_line}"


def _frame(finding: Finding, report: Report, color: bool) -> list[str]:
    loc = finding.location
    text = report.source_line(loc.path, loc.line)
    if text is None:
        return []
    gutter = " " * len(str(loc.line))
    end = loc.end_column if loc.end_line == loc.line else len(text) + 1
    # columns of the escaped line: an escape is wider than the character it stands for
    start = len(printable(text[: loc.column - 1])) + 1
    width = max(1, len(printable(text[loc.column - 1 : end - 1])))
    marker = " " * (start - 1) + "^" * width
    return [
        f"{gutter} |",
        f"{loc.line} | {printable(text)}",
        f"{gutter} | {_paint(marker, _SEVERITY_COLOURS[finding.severity], color)}",
        "",
    ]


def _via(finding: Finding) -> list[str]:
    """The flow's path under the frame: each source and helper call (the sink is the finding)."""
    loc = finding.location
    return [
        f"  via {printable(r.location.path)}:{r.location.line}:{r.location.column}: {printable(r.message)}"
        for r in finding.related
        if (r.location.path, r.location.line, r.location.column) != (loc.path, loc.line, loc.column)
    ]


def _summary(report: Report) -> str:
    active = [f for f in report.findings if not f.suppressed]
    files = report.summary.files
    if not active:
        return f"No findings in {files} file{'s' if files != 1 else ''}."
    by_severity = Counter(f.severity for f in active)
    parts = ", ".join(f"{by_severity[s]} {s}" for s in sorted(by_severity, reverse=True))
    line = f"Found {len(active)} finding{'s' if len(active) != 1 else ''} ({parts}) in {files} file{'s' if files != 1 else ''}."
    return line + _fix_hint(active)


def _fix_hint(active: list[Finding]) -> str:
    """What `--fix` would do, counting safe and unsafe fixes apart (most security fixes change
    behaviour, so they are unsafe and `--fix` alone applies none of them)."""
    safe = sum(1 for f in active if f.fix is not None and f.fix.applicability == Applicability.SAFE)
    unsafe = sum(1 for f in active if f.fix is not None and f.fix.applicability == Applicability.UNSAFE)
    if safe and unsafe:
        return f" {safe} fixable with --fix, {unsafe} more with --fix --unsafe-fixes; see them with --diff --unsafe-fixes."
    if safe:
        return f" {safe} fixable with --fix; see them with --diff."
    if unsafe:
        return f" {unsafe} fixable with --fix --unsafe-fixes (no safe fixes); see them with --diff --unsafe-fixes."
    return ""


def format_text(report: Report, options: FormatOptions) -> str:
    lines: list[str] = []
    for finding in report.findings:
        lines.append(_headline(finding, options.color))
        frame = _frame(finding, report, options.color) if options.show_source else []
        via = _via(finding)
        if frame and via:  # the path goes between the frame and its blank separator line
            frame = [*frame[:-1], *via, frame[-1]]
        lines.extend(frame or via)
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def format_concise(report: Report, options: FormatOptions) -> str:
    lines = [_headline(finding, False) for finding in report.findings]
    return "".join(line + "\n" for line in lines)
