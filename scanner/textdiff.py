"""Unified diffs of fixed sources (kept apart from `fixes`, which needs libcst)."""

from __future__ import annotations

import difflib

NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff in the style of `git diff` (a/ and b/ prefixes).

    A last line without a newline is followed by git's `\\ No newline at end of file` marker, so
    the diff stays line-oriented: `patch`, `git apply` and `aisec server` can apply it.
    """
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=f"a/{path}",
        tofile=f"b/{path}",
    )
    return "".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines)
