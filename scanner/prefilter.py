"""The textual prefilter: which rules could fire in a file, decided before any parsing.

A rule's `triggers` are substrings whose absence proves the rule cannot fire (every way to
reach `yaml.load` spells `yaml`, even `from yaml import load as l`). When no enabled rule can
fire, the file is done without importing or running libcst, which keeps a pre-commit run on an
unrelated file in the tens of milliseconds.

`trigger_groups` add conjunctions: every group must have one of its substrings in the text too
(a taint rule needs a source *and* a sink in the same module). Entries of `triggers` and groups
may be markers (`aisec.hooks.TAINT_SOURCES`, `TAINT_SINKS`) that `expansions` replace by the
tokens of the run's merged taint catalog: alternatives, each a tuple of substrings that must all
occur (every literal part of a qualified-name pattern: `*.chat.completions.create` needs `chat`,
`completions` and `create`); an empty tuple always matches. Without expansions a marker matches
nothing.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from aisec.hooks import Rule

MARKER_PREFIX = "@taint:"


def rules_for_text(
    text: str,
    rules: Iterable[type[Rule]],
    expansions: Mapping[str, Sequence[tuple[str, ...]]] | None = None,
) -> list[type[Rule]]:
    """The rules that could fire in `text`: some trigger occurs (rules without triggers always
    qualify) and every trigger group has an entry that occurs."""
    return [
        rule
        for rule in rules
        if (not rule.triggers or _any_in(rule.triggers, text, expansions))
        and all(_any_in(group, text, expansions) for group in rule.trigger_groups)
    ]


def _any_in(
    needles: Sequence[str], text: str, expansions: Mapping[str, Sequence[tuple[str, ...]]] | None
) -> bool:
    for needle in needles:
        if needle.startswith(MARKER_PREFIX):
            alternatives = expansions.get(needle, ()) if expansions is not None else ()
            if any(all(token in text for token in alternative) for alternative in alternatives):
                return True
        elif needle in text:
            return True
    return False
