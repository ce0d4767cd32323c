"""Findings and errors as LSP diagnostics, grouped by the document they belong to.

Severity: critical and high are errors, medium a warning, low information and info a hint. The
rule code links to its documentation page (`codeDescription`); `data` carries what the code
actions need to find the finding again (its fingerprint and whether it has a fix).
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from aisec.hooks import Finding, Severity
from lsprotocol import types

from .documents import Place, Snapshot, lsp_lines

SOURCE = "aisec"
_BUILTIN_CODE = re.compile(r"^AIS[0-9]{3,4}$")

SEVERITIES: Mapping[Severity, types.DiagnosticSeverity] = {
    Severity.CRITICAL: types.DiagnosticSeverity.Error,
    Severity.HIGH: types.DiagnosticSeverity.Error,
    Severity.MEDIUM: types.DiagnosticSeverity.Warning,
    Severity.LOW: types.DiagnosticSeverity.Information,
    Severity.INFO: types.DiagnosticSeverity.Hint,
}


def rule_page_url(code: str, rule: Any, docs_url: str) -> str | None:
    """The rule's documentation page: its own `help_uri`, else, for a built-in code, its page under
    the project's `rule-docs-url` (the same link SARIF's `helpUri` gives). Without a configured
    URL there is no link: hover shows the rule's documentation either way."""
    help_uri = getattr(rule, "help_uri", None)
    if help_uri:
        return str(help_uri)
    if docs_url and _BUILTIN_CODE.match(code):
        return f"{docs_url.rstrip('/')}/{code}.md"
    return None


class Converter:
    """Turns 1-based, code-point positions of one snapshot into client positions."""

    def __init__(self, snapshot: Snapshot, codec: Any) -> None:
        self.snapshot = snapshot
        self.codec = codec
        self._lines = {uri: lsp_lines(text) for uri, text in snapshot.texts.items()}

    def position(self, uri: str, line: int, column: int) -> types.Position:
        lines = self._lines.get(uri) or [""]
        line = min(max(line, 0), len(lines) - 1)
        return self.codec.position_to_client_units(lines, types.Position(line, max(column, 0)))

    def range(self, start: Place, end_line: int, end_column: int) -> types.Range:
        """From `start` to a 1-based end in the same document (clamped to the start)."""
        end = self.position(start.uri, start.line + end_line, end_column)
        begin = self.position(start.uri, start.line, start.column)
        if (end.line, end.character) < (begin.line, begin.character):
            end = begin
        return types.Range(begin, end)

    def finding(
        self, finding: Finding, rules: Mapping[str, Any], docs_url: str = ""
    ) -> tuple[str, types.Diagnostic] | None:
        """The diagnostic of a finding and the URI it belongs to (None when it is elsewhere)."""
        location = finding.location
        line, column, end_line, end_column = (
            location.line,
            location.column,
            location.end_line,
            location.end_column,
        )
        message = finding.message
        artifact = finding.artifact
        if artifact:  # a problem in a model file: shown where the code loads it
            origin = artifact.get("referenced_from") or {}
            line, column = int(origin.get("line", 1)), int(origin.get("column", 1))
            end_line, end_column = line, column
            member = f" ({artifact['member']})" if artifact.get("member") else ""
            message = f"{location.path}{member}: {message}"
        place = self.snapshot.place(line, column, finding.cell)
        if place is None:
            return None
        span = self.range(place, end_line - line, end_column - 1)
        if span.start == span.end:  # a point: mark the rest of the line instead
            span = types.Range(span.start, self.position(place.uri, place.line, 1 << 30))
        rule = rules.get(finding.code)
        url = rule_page_url(finding.code, rule, docs_url)
        data = {
            "fingerprint": finding.fingerprint,
            "fix": str(finding.fix.applicability) if finding.fix else None,
        }
        return place.uri, types.Diagnostic(
            range=span,
            message=message,
            severity=SEVERITIES.get(finding.severity, types.DiagnosticSeverity.Warning),
            code=finding.code,
            code_description=types.CodeDescription(href=url) if url else None,
            source=SOURCE,
            related_information=self._related(finding) or None,
            data=data,
        )

    def _related(self, finding: Finding) -> list[types.DiagnosticRelatedInformation]:
        """A taint flow's source, helper calls and sink (the finding's `related` locations)."""
        related = []
        for step in finding.related:
            where = step.location
            place = self.snapshot.place(where.line, where.column)
            if place is None or where.path != finding.location.path:
                continue
            related.append(
                types.DiagnosticRelatedInformation(
                    location=types.Location(
                        place.uri, self.range(place, where.end_line - where.line, where.end_column - 1)
                    ),
                    message=step.message,
                )
            )
        return related

    def error(self, message: str) -> tuple[str, types.Diagnostic]:
        """A problem that is not a finding (config, plugin, internal): on the document's first line."""
        uri = next(iter(self.snapshot.texts), self.snapshot.uri)
        start = types.Position(0, 0)
        return uri, types.Diagnostic(
            range=types.Range(start, self.position(uri, 0, 1 << 30)),
            message=f"aisec: {message}",
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
        )


def by_document(
    snapshot: Snapshot, pairs: Iterable[tuple[str, types.Diagnostic] | None]
) -> dict[str, list[types.Diagnostic]]:
    """Diagnostics per document URI; every document of the snapshot gets a (maybe empty) list."""
    grouped: dict[str, list[types.Diagnostic]] = {uri: [] for uri in snapshot.uris()}
    for pair in pairs:
        if pair is not None:
            grouped.setdefault(pair[0], []).append(pair[1])
    return grouped
