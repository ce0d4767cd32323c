"""Which rules are on: select / extend-select / ignore by code prefix, and path patterns.

As in flake8, the longest matching prefix decides; on a tie, ignore wins.
"""

from __future__ import annotations

import fnmatch
from typing import Iterable

from aisec.hooks import Rule


def _longest(code: str, prefixes: Iterable[str]) -> int:
    best = -1
    for prefix in prefixes:
        if prefix == "ALL":
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def is_enabled(
    rule: type[Rule], select: list[str] | None, extend_select: list[str], ignore: list[str]
) -> tuple[bool, str]:
    """Whether the rule is on, and the reason (shown by `aisec config`)."""
    code = rule.code
    if select is None:
        base = 0 if rule.enabled_by_default else -1
        base_reason = "on by default" if rule.enabled_by_default else "off by default"
    else:
        base = _longest(code, select)
        base_reason = "selected" if base >= 0 else "not selected"
    extra = _longest(code, extend_select)
    chosen = max(base, extra)
    reason = "extend-select" if extra > base else base_reason
    ignored = _longest(code, ignore)
    if ignored >= 0 and ignored >= chosen:
        return False, "ignored"
    return chosen >= 0, reason


def matching_codes(codes: Iterable[str], prefixes: Iterable[str]) -> set[str]:
    prefixes = list(prefixes)
    return {code for code in codes if _longest(code, prefixes) >= 0}


def unknown_prefixes(prefixes: Iterable[str], codes: Iterable[str]) -> list[str]:
    codes = list(codes)
    return [p for p in prefixes if p != "ALL" and not any(c.startswith(p) for c in codes)]


def path_matches(path: str, pattern: str) -> bool:
    """Glob match of a POSIX relative path: the whole path, or any trailing part of it, or
    any leading folder (so `tests`, `tests/*` and `*_test.py` all do what users expect)."""
    pattern = pattern.rstrip("/")
    if fnmatch.fnmatchcase(path, pattern):
        return True
    parts = path.split("/")
    if any(fnmatch.fnmatchcase(part, pattern) for part in parts):
        return True
    for index in range(len(parts)):
        if fnmatch.fnmatchcase("/".join(parts[index:]), pattern):
            return True
        if fnmatch.fnmatchcase("/".join(parts[: index + 1]), pattern):
            return True
    return False
