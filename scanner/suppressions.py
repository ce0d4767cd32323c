"""Inline suppressions: `# aisec: ignore[AIS101,AIS202] reason` and `# noqa: AIS101`.

Only comments with codes count: a bare `# noqa` or `# aisec: ignore` does not silence a
security finding. A suppression applies to the reported line, to the first or last line of the
reported statement, or from a comment-only line directly above the statement. Comments are
found with `tokenize`, so text inside strings never suppresses anything.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Container

from aisec.hooks import Severity

from .regexes import compiled

_QUICK = re.compile(r"aisec\s*:\s*ignore|noqa", re.IGNORECASE)
# A suppression comment and its codes, compiled when a file first spells one: most never do (`_QUICK`).
DIRECTIVE = r"#\s*(?:aisec\s*:\s*ignore\s*\[(?P<codes>[^\]]*)\]|noqa\s*:\s*(?P<noqa>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))"
_CODE = r"[A-Za-z]+[0-9]*"


@dataclass
class Suppression:
    """One suppression comment and which of its codes silenced something."""

    line: int
    codes: tuple[str, ...]
    own_line: bool  # the comment is alone on its line (so it may cover the next statement)
    used: set[str] = field(default_factory=set)

    def match(self, code: str) -> str | None:
        """The listed code (or code prefix) that covers `code`, if any."""
        for listed in self.codes:
            if code.startswith(listed):
                return listed
        return None


def find_suppressions(text: str, relevant: Container[str] | None = None) -> dict[int, Suppression]:
    """Suppression comments by line number (empty when the file has none: the common case).

    `relevant` holds every prefix of every code that can matter (the run's known codes): when no
    directive-looking text anywhere in the file (comment or not) lists one, no comment can, and
    the file is not tokenized (library code is full of `# noqa: E501`).
    """
    if not _QUICK.search(text):
        return {}
    if relevant is not None and not any(
        code.upper() in relevant
        for match in compiled(DIRECTIVE, re.IGNORECASE).finditer(text)
        for code in compiled(_CODE).findall(match.group("codes") or match.group("noqa") or "")
    ):
        return {}
    found: dict[int, Suppression] = {}
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    for token in tokens:
        if token.type != tokenize.COMMENT:
            continue
        match = compiled(DIRECTIVE, re.IGNORECASE).search(token.string)
        if not match:
            continue
        raw = match.group("codes") if match.group("codes") is not None else match.group("noqa")
        codes = tuple(code.upper() for code in compiled(_CODE).findall(raw or ""))
        if not codes:
            continue
        line = token.start[0]
        own_line = token.line[: token.start[1]].strip() == ""
        found[line] = Suppression(line, codes, own_line)
    return found


# Findings no inline comment can hide: a model file that runs code when loaded (AIS401 at high or
# critical) must be fixed or allowlisted by name, since the comment sits on the load line and
# would keep hiding the file whatever its content becomes.
UNSUPPRESSIBLE = {"AIS401": (Severity.HIGH, Severity.CRITICAL)}


def suppression_for(
    suppressions: dict[int, Suppression],
    code: str,
    line: int,
    statement_start: int,
    statement_end: int,
    severity: Severity | None = None,
) -> Suppression | None:
    """The suppression that covers a finding of `code` (at `severity`), marking the code as used."""
    if not suppressions or severity in UNSUPPRESSIBLE.get(code, ()):
        return None
    candidates = [line, statement_start, statement_end]
    above = suppressions.get(statement_start - 1)
    for candidate in candidates:
        suppression = suppressions.get(candidate)
        if suppression is not None:
            listed = suppression.match(code)
            if listed:
                suppression.used.add(listed)
                return suppression
    if above is not None and above.own_line:
        listed = above.match(code)
        if listed:
            above.used.add(listed)
            return above
    return None
