"""GitHub Actions annotations: one workflow command per finding, nothing else on stdout.

    ::error file=PATH,line=L,endLine=L2,col=C,endColumn=C2,title=aisec (CODE)::MESSAGE

`file` is relative to the repository root (`FormatOptions.root`), as GitHub expects, whichever
folder aisec ran in. `col`/`endColumn` are given only when the finding starts and ends on one
line (GitHub ignores them otherwise). A notebook finding names its cell and the line in it. Messages escape `%`, CR and LF; property values also escape `:` and `,`.
GitHub shows at most 10 annotations of each level per step and 50 per job; the log keeps
every line, and the exit code is what fails the job.
"""

from __future__ import annotations

from aisec.hooks import Finding, FormatOptions, Report, ScanError, Severity, printable

from .text import cell_label

COMMANDS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after `::`); other control characters and terminal
    escapes are shown as `\x1b` and the like, so a scanned file cannot forge the log."""
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def escape_property(text: str) -> str:
    """Escape a property value (`file=`, `title=`, ...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: list[tuple[str, object]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{kind} {props}::{escape_data(message)}" if props else f"::{kind}::{escape_data(message)}"


def repository_path(path: str, options: FormatOptions) -> str:
    """The path relative to the repository root, or as reported when it is outside."""
    relative = options.root_relative(path)
    return path if relative is None else relative


def annotation(finding: Finding, options: FormatOptions) -> str:
    loc = finding.location
    line = max(1, loc.line)
    end_line = max(line, loc.end_line)
    path = repository_path(loc.path, options)
    properties: list[tuple[str, object]] = [("file", path), ("line", line), ("endLine", end_line)]
    if end_line == line:
        column = max(1, loc.column)
        properties += [("col", column), ("endColumn", max(column, loc.end_column))]
    properties.append(("title", f"aisec ({finding.code})"))
    # The log shows only the message, so it names the place and the rule too (as ruff does).
    message = f"{path}:{line}:{max(1, loc.column)}: {finding.code} [{finding.severity}] {finding.message}"
    if finding.cell is not None:
        message += f" ({cell_label(finding)})"
    kind = COMMANDS[finding.severity]
    if finding.suppressed:  # only present with --show-suppressed
        kind, message = "notice", message + " (suppressed)"
    return _command(kind, properties, message)


def error_annotation(error: ScanError, options: FormatOptions) -> str:
    properties: list[tuple[str, object]] = (
        [("file", repository_path(error.path, options))] if error.path else []
    )
    return _command("error", properties, error.message)


def format_github(report: Report, options: FormatOptions) -> str:
    lines = [annotation(finding, options) for finding in report.findings]
    lines += [error_annotation(error, options) for error in report.errors]
    return "".join(line + "\n" for line in lines)
