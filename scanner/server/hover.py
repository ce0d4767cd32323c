"""Hover on an aisec diagnostic: the rule's documentation, the text `aisec explain CODE` prints."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from aisec.docs import render_rule
from lsprotocol import types

from .diagnostics import SOURCE


def _contains(span: types.Range, position: types.Position) -> bool:
    start, end = span.start, span.end
    return (start.line, start.character) <= (position.line, position.character) <= (end.line, end.character)


def rule_hover(
    diagnostics: Sequence[types.Diagnostic], rules: Mapping[str, Any], position: types.Position
) -> types.Hover | None:
    """The documentation of each rule with a diagnostic under the cursor (None when there is none)."""
    codes: list[str] = []
    spans: list[types.Range] = []
    for diagnostic in diagnostics:
        code = diagnostic.code
        if (
            diagnostic.source == SOURCE
            and isinstance(code, str)
            and code in rules
            and code not in codes
            and _contains(diagnostic.range, position)
        ):
            codes.append(code)
            spans.append(diagnostic.range)
    if not codes:
        return None
    pages = "\n\n---\n\n".join(render_rule(rules[code]) for code in codes)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=pages),
        range=spans[0] if len(spans) == 1 else None,
    )
