"""Unified diffs of fixed sources (kept apart from `fixes`, which needs libcst)."""

from __future__ import annotations

import difflib


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff in the style of `git diff` (a/ and b/ prefixes)."""
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )
