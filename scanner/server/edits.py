"""Text edits for code actions: a fix's unified diff, a suppression comment, and positions.

Fixes reach the server as the unified diffs the engine renders for `--format json` (one per
finding, against the scanned text), so the server applies exactly what `aisec check --diff` shows.
"""

from __future__ import annotations

import bisect
import re
import tokenize
from dataclasses import dataclass
from io import StringIO

from aisec.suppressions import find_suppressions
from aisec.textdiff import NO_NEWLINE

from .documents import line_starts

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")
_AISEC_IGNORE = re.compile(r"#\s*aisec\s*:\s*ignore\s*\[[^\]]*", re.IGNORECASE)
REASON_PLACEHOLDER = "<reason>"


@dataclass(frozen=True)
class LineChange:
    """Replace `count` lines of the scanned text from line `first` (0-based) with `text`."""

    first: int
    count: int
    text: str


@dataclass(frozen=True)
class TextChange:
    """Replace characters `start`..`end` (code-point offsets) of a document with `text`."""

    start: int
    end: int
    text: str


def diff_changes(before: str, diff: str) -> list[LineChange] | None:
    """The line changes a unified diff of `before` makes; None when it does not fit `before`."""
    old_lines = before.splitlines(keepends=True)
    changes: list[LineChange] = []
    old = run_start = 0
    removed = 0
    added: list[str] = []
    last: list[str] | None = None
    in_hunks = False

    def flush() -> None:
        nonlocal removed, added
        if removed or added:
            changes.append(LineChange(run_start, removed, "".join(added)))
        removed, added = 0, []

    for line in diff.splitlines(keepends=True):
        header = _HUNK.match(line)
        if header:
            in_hunks = True
            flush()
            start, length = int(header.group(1)), header.group(2)
            old = start if length == "0" else start - 1
            continue
        if not in_hunks:  # the `---`/`+++` file names
            continue
        if line == NO_NEWLINE:
            if last is added and added:
                added[-1] = added[-1][:-1]
            continue
        kind, content = line[:1], line[1:]
        if kind == " ":
            flush()
            last = None
            if old >= len(old_lines) or old_lines[old].rstrip("\r\n") != content.rstrip("\r\n"):
                return None
            old += 1
        elif kind == "-":
            if not (removed or added):
                run_start = old
            if old >= len(old_lines) or old_lines[old].rstrip("\r\n") != content.rstrip("\r\n"):
                return None
            removed += 1
            old += 1
            last = None
        elif kind == "+":
            if not (removed or added):
                run_start = old
            added.append(content)
            last = added
    flush()
    return changes


def to_text_changes(text: str, changes: list[LineChange]) -> list[TextChange]:
    """Line changes of `text` as character ranges of `text`."""
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    result = []
    for change in changes:
        start = offsets[min(change.first, len(offsets) - 1)]
        end = offsets[min(change.first + change.count, len(offsets) - 1)]
        new_text = change.text
        if end == len(text) and text and not text.endswith(("\n", "\r")) and new_text.endswith("\n"):
            new_text = new_text[:-1]  # the text ends without a newline (a notebook cell does)
        result.append(TextChange(start, end, new_text))
    return result


def apply_changes(text: str, changes: list[TextChange]) -> str:
    for change in sorted(changes, key=lambda c: c.start, reverse=True):
        text = text[: change.start] + change.text + text[change.end :]
    return text


def line_column(text: str, offset: int) -> tuple[int, int]:
    """The 0-based LSP line and code-point column of an offset of `text`."""
    starts = line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    return line, offset - starts[line]


def suppression_change(text: str, line: int, code: str) -> TextChange | None:
    """Add `code` to a suppression comment on `line` (0-based) of `text`: into an existing
    `# aisec: ignore[...]` list, before another comment, or at the end of the line. None when
    no comment there would suppress the finding (the line ends inside a string)."""
    starts = line_starts(text)
    if line >= len(starts):
        return None
    line_start = starts[line]
    line_end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = text[line_start:line_end].rstrip("\r\n")
    comment = _comment_column(text, line)
    if comment is not None and (existing := _AISEC_IGNORE.match(content, comment)):
        change = TextChange(line_start + existing.end(), line_start + existing.end(), f",{code}")
    elif comment is not None:
        at = line_start + comment
        change = TextChange(at, at, f"# aisec: ignore[{code}] {REASON_PLACEHOLDER}  ")
    else:
        at = line_start + len(content.rstrip())
        change = TextChange(at, line_start + len(content), f"  # aisec: ignore[{code}] {REASON_PLACEHOLDER}")
    suppression = find_suppressions(apply_changes(text, [change])).get(line + 1)
    return change if suppression is not None and suppression.match(code) else None


def _comment_column(text: str, line: int) -> int | None:
    """The column where a comment starts on `line` (0-based), if the line has one."""
    try:
        for token in tokenize.generate_tokens(StringIO(text).readline):
            if token.start[0] > line + 1:
                break
            if token.type == tokenize.COMMENT and token.start[0] == line + 1:
                return token.start[1]
    except (tokenize.TokenError, SyntaxError):
        return None
    return None
