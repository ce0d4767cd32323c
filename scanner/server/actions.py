"""Code actions: apply a finding's fix, suppress it with a comment, fix all safe findings.

Safe fixes are preferred quick fixes; unsafe ones say so in their title and are never preferred
(they can change behaviour: review them). Edits are computed from a scan of the same snapshot
the request is about, so a fix is never applied to text it was not made for.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from aisec.engine import FileResult
from aisec.hooks import Applicability
from aisec.textdiff import unified_diff
from lsprotocol import types

from .analysis import Analysis
from .diagnostics import SOURCE, Converter
from .documents import Snapshot
from .edits import LineChange, TextChange, diff_changes, line_column, suppression_change, to_text_changes

FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.{SOURCE}"
FixScan = Callable[[Snapshot, "Applicability | None"], "FileResult | None"]


def code_actions(
    analysis: Analysis,
    params: types.CodeActionParams,
    converter: Converter,
    fix_scan: FixScan,
) -> list[types.CodeAction]:
    """The actions for the aisec diagnostics of a request, then "fix all safe" when there is any."""
    snapshot = analysis.snapshot
    wanted = params.context.only
    actions: list[types.CodeAction] = []
    if _wants(wanted, types.CodeActionKind.QuickFix):
        for diagnostic in params.context.diagnostics:
            if diagnostic.source != SOURCE or not isinstance(diagnostic.code, str):
                continue
            data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
            if data.get("fix"):
                fix = _fix_action(snapshot, diagnostic, data, converter, fix_scan)
                if fix is not None:
                    actions.append(fix)
            suppress = _suppress_action(snapshot, params.text_document.uri, diagnostic, converter)
            if suppress is not None:
                actions.append(suppress)
    safe = any(f.fix is not None and f.fix.applicability == Applicability.SAFE for f in analysis.findings)
    if safe and _wants(wanted, FIX_ALL_KIND) and not snapshot.is_notebook:
        fix_all = _fix_all_action(snapshot, converter, fix_scan)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _wants(only: Iterable[str] | None, kind: str) -> bool:
    return only is None or any(kind == k or kind.startswith(f"{k}.") for k in only)


def _fix_action(
    snapshot: Snapshot,
    diagnostic: types.Diagnostic,
    data: dict[str, Any],
    converter: Converter,
    fix_scan: FixScan,
) -> types.CodeAction | None:
    result = fix_scan(snapshot, None)
    if result is None:
        return None
    finding = next((f for f in result.findings if f.fingerprint == data.get("fingerprint")), None)
    if finding is None or finding.fix is None or not finding.fix.diff:
        return None
    edit = _edit(snapshot, diff_changes(_scanned_text(snapshot), finding.fix.diff), converter)
    if edit is None:
        return None
    safe = finding.fix.applicability == Applicability.SAFE
    title = (
        f"aisec: fix {finding.code}"
        if safe
        else f"aisec: apply unsafe fix for {finding.code} (may change behaviour: review it)"
    )
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=edit,
        is_preferred=safe,
    )


def _suppress_action(
    snapshot: Snapshot, uri: str, diagnostic: types.Diagnostic, converter: Converter
) -> types.CodeAction | None:
    text = snapshot.texts.get(uri)
    if text is None:
        return None
    code = str(diagnostic.code)
    # the reported line, else the finding's last line (the first may end inside a string)
    change = suppression_change(text, diagnostic.range.start.line, code) or suppression_change(
        text, diagnostic.range.end.line, code
    )
    if change is None:
        return None
    return types.CodeAction(
        title=f"aisec: suppress {code} on this line (give a reason)",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=types.WorkspaceEdit(changes={uri: [_text_edit(uri, text, change, converter)]}),
    )


def _fix_all_action(snapshot: Snapshot, converter: Converter, fix_scan: FixScan) -> types.CodeAction | None:
    result = fix_scan(snapshot, Applicability.SAFE)
    if result is None or result.fixed_source is None:
        return None
    before = _scanned_text(snapshot)
    edit = _edit(snapshot, diff_changes(before, unified_diff("file", before, result.fixed_source)), converter)
    if edit is None:
        return None
    return types.CodeAction(title="aisec: fix all safe findings", kind=FIX_ALL_KIND, edit=edit)


def _scanned_text(snapshot: Snapshot) -> str:
    """The source the engine scanned: the buffer, or a notebook's joined code cells."""
    if not snapshot.is_notebook:
        return next(iter(snapshot.texts.values()))
    from aisec.notebooks import notebook_code

    return notebook_code(snapshot.data.decode("utf-8"))[0]


def _edit(
    snapshot: Snapshot, changes: list[LineChange] | None, converter: Converter
) -> types.WorkspaceEdit | None:
    """The changes as edits of the snapshot's documents (None when one cannot be placed)."""
    if not changes:
        return None
    edits: dict[str, list[types.TextEdit]] = {}
    for change in changes:
        placed = _place(snapshot, change)
        if placed is None:
            return None
        uri, local = placed
        text = snapshot.texts[uri]
        for text_change in to_text_changes(text, [local]):
            edits.setdefault(uri, []).append(_text_edit(uri, text, text_change, converter))
    return types.WorkspaceEdit(changes=edits)


def _place(snapshot: Snapshot, change: LineChange) -> tuple[str, LineChange] | None:
    """The document and local lines of a change of the scanned text (one cell of a notebook)."""
    if not snapshot.is_notebook:
        return snapshot.uri, change
    spans = snapshot.cells
    for index, span in enumerate(spans):
        start = span.first_line - 1
        end = spans[index + 1].first_line - 1 if index + 1 < len(spans) else None
        if start <= change.first and (end is None or change.first + change.count <= end):
            if change.count == 0 and end is not None and change.first == end:
                continue  # an insertion at a cell boundary belongs to the next cell
            return span.uri, LineChange(change.first - start, change.count, change.text)
    return None


def _text_edit(uri: str, text: str, change: TextChange, converter: Converter) -> types.TextEdit:
    start_line, start_column = line_column(text, change.start)
    end_line, end_column = line_column(text, change.end)
    return types.TextEdit(
        range=types.Range(
            converter.position(uri, start_line, start_column), converter.position(uri, end_line, end_column)
        ),
        new_text=change.text,
    )
