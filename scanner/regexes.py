"""Regular expressions compiled on first use, once per process.

Why. A module-level `re.compile` runs at import, and aisec imports every rule module on each run:
a one-file pre-commit run compiled about twenty patterns it never used (hub ids, launcher settings,
suppression directives, f-string cuts, ...). Modules keep their patterns as text and call
`compiled(PATTERN)` where they match; the first call compiles, later ones are a dict lookup.
`re`'s own cache would do the same until it fills (512 patterns, then it drops the oldest); this
one never drops, and it can say what a run compiled (`tests/test_startup_laziness.py`).
"""

from __future__ import annotations

import re

_COMPILED: dict[tuple[str, int], re.Pattern[str]] = {}


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, made once per process."""
    key = (pattern, flags)
    found = _COMPILED.get(key)
    if found is None:
        found = _COMPILED[key] = re.compile(pattern, flags)
    return found


def is_compiled(pattern: str, flags: int = 0) -> bool:
    """Whether this process has compiled `pattern` through `compiled`."""
    return (pattern, flags) in _COMPILED
