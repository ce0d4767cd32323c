"""Which rules are on: select / extend-select / ignore by code prefix, and path patterns.

As in flake8, the longest matching prefix decides; on a tie, ignore wins.
"""

from __future__ import annotations

from .globs import glob_matcher

TYPE_CHECKING = False  # imported by the pre-commit fast path, which loads neither `typing` nor the hooks
if TYPE_CHECKING:
    from typing import Iterable

    from aisec.hooks import Rule

_GLOB_CHARACTERS = frozenset("*?[")


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
    if _GLOB_CHARACTERS.isdisjoint(pattern):
        return _plain_path_matches(path, pattern)
    matches = glob_matcher(pattern)
    if matches(path):
        return True
    parts = path.split("/")
    if any(matches(part) for part in parts):
        return True
    for index in range(len(parts)):
        if matches("/".join(parts[index:])) or matches("/".join(parts[: index + 1])):
            return True
    return False


def _plain_path_matches(path: str, pattern: str) -> bool:
    """`path_matches` for a pattern without wildcards, where matching is equality: a trailing
    run of parts equals it exactly when the path ends with it at a `/` (or is it), a leading run
    when the path starts with it followed by `/`, and a single part only a pattern without `/`.
    The same answers without the joins of every run (the default excludes are all plain, and a
    warm scan of transformers matched them 56,652 times: 0.4 s of its 0.9)."""
    if path == pattern or path.endswith("/" + pattern) or path.startswith(pattern + "/"):
        return True
    return "/" not in pattern and pattern in path.split("/")
