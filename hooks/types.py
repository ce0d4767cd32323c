"""Value types shared by the engine, built-in plugins and team plugins.

Plain dataclasses and enums only: importing this module must stay cheap, because every run
imports it before it knows whether any file needs parsing.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, Mapping


class _Ordered(str, enum.Enum):
    """A string enum whose members compare by declaration order (info < low < ...)."""

    def _rank(self) -> int:
        # declaration order, as `list(type(self)).index(self)` but without iterating the enum
        return type(self)._member_names_.index(self._name_)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._rank() < other._rank()

    def __le__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._rank() <= other._rank()

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._rank() > other._rank()

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return NotImplemented
        return self._rank() >= other._rank()

    def __str__(self) -> str:
        return self.value


class Severity(_Ordered):
    """How bad a finding is if it is real. `--fail-on` compares against this."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Confidence(_Ordered):
    """How sure the rule is that the finding is real (maps to SARIF `precision`)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Applicability(str, enum.Enum):
    """Whether `--fix` may apply a fix on its own (safe) or needs `--unsafe-fixes`."""

    SAFE = "safe"
    UNSAFE = "unsafe"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Fix:
    """A source edit proposed by a rule: replace CST nodes (by identity) with new nodes.

    Rules normally get one from `self.fixes` (see `FixHelper`) instead of building it.
    """

    edits: tuple[tuple[Any, Any], ...]
    applicability: Applicability = Applicability.UNSAFE
    title: str = ""


@dataclass(frozen=True)
class FixInfo:
    """What an output format shows of a fix: its safety and its unified diff."""

    applicability: Applicability
    diff: str


@dataclass(frozen=True)
class Location:
    """A span in a file. Lines and columns are 1-based; `end_column` is one past the end."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class RelatedLocation:
    """A place on a finding's path, with what happens there: a flow's source, each call it
    passes through, the sink (JSON `related`, SARIF `relatedLocations` and `codeFlows`)."""

    location: Location
    message: str


@dataclass(frozen=True)
class Finding:
    """One reported problem, as every output format sees it (the JSON contract's fields)."""

    code: str
    name: str
    severity: Severity
    confidence: Confidence
    location: Location
    message: str
    cwe: str | None = None
    fix: FixInfo | None = None
    fingerprint: str = ""
    artifact: Mapping[str, Any] | None = None
    cell: int | None = None
    suppressed: bool = False
    related: tuple[RelatedLocation, ...] = ()  # in flow order: source(s), steps, sink
    cell_line: int | None = None  # notebooks: the line within `cell` (1-based)

    @property
    def path(self) -> str:
        return self.location.path

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.location.path, self.location.line, self.location.column, self.code)


@dataclass(frozen=True)
class ScanError:
    """A file or plugin problem that is not a finding: it makes the run exit 2."""

    path: str
    message: str


@dataclass(frozen=True)
class Example:
    """A rule example: a snippet plus the rule options and extra files it needs.

    `files` maps relative paths to text, written next to the snippet before it is checked
    (for rules that look at the project, e.g. a `pyproject.toml` pinning torch).
    `expect` is the number of findings an invalid example must produce (default: at least one).
    """

    code: str
    options: Mapping[str, Any] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)
    expect: int | None = None
    filename: str = "example.py"


@dataclass
class Summary:
    """Counts reported in the JSON `summary` object."""

    files: int = 0
    parsed: int = 0
    skipped_by_prefilter: int = 0
    cached: int = 0
    findings: int = 0


@dataclass(frozen=True)
class FormatOptions:
    """How to render: colour, code frames (text formats), the working directory, and `root`: the
    folder CI formats give paths relative to (the git work tree holding the project, else the
    project root), because code scanning resolves relative paths against the repository root.
    `rule_docs_url`, when set, is the base URL of the rule pages (`<url>AIS101.md`)."""

    color: bool = False
    show_source: bool = False
    cwd: str = "."
    root: str = ""
    rule_docs_url: str = ""

    def root_relative(self, path: str) -> str | None:
        """`path` (as reported: relative to `cwd`, or absolute) as a POSIX path relative to
        `root`, or None when it is outside `root`."""
        base = PurePath(self.root or self.cwd)
        absolute = PurePath(path) if PurePath(path).is_absolute() else PurePath(self.cwd) / path
        normal = PurePath(os.path.normpath(absolute))  # lexical, as the reported paths are
        try:
            return normal.relative_to(base).as_posix()
        except ValueError:
            return None


@dataclass
class Report:
    """Everything a formatter needs: sorted findings, errors, counts and source lines.

    `sources` maps a file with findings to its lines, as a read-only `Mapping` (not always a
    `dict`): `aisec check` makes a cached file's lines only when a formatter first asks for them
    (`aisec.sources.SourceLines`), so a format that shows no lines does not pay for them."""

    findings: list[Finding]
    errors: list[ScanError]
    summary: Summary
    tool_version: str
    rules: Mapping[str, Any] = field(default_factory=dict)
    sources: Mapping[str, list[str]] = field(default_factory=dict)

    def source_line(self, path: str, line: int) -> str | None:
        """The text of `line` (1-based) in `path`, if the engine kept the file's source."""
        lines = self.sources.get(path)
        if lines is None or not 1 <= line <= len(lines):
            return None
        return lines[line - 1]


def printable(text: str) -> str:
    """`text` safe to print on a terminal or in a CI log: control characters (ESC, CR, BEL, ...),
    bidirectional overrides, line separators and lone surrogates (undecodable file names) are
    shown as escapes (`\\x1b`, `\\u202e`, `\\udcff`), so a scanned file cannot forge output (a fake
    "No findings", a cleared screen). Human-facing formats apply it to every reported string."""
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() or char == " " else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
