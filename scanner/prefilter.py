"""The textual prefilter: which rules could fire in a file, decided before any parsing.

A rule's `triggers` are substrings whose absence proves the rule cannot fire (every way to
reach `yaml.load` spells `yaml`, even `from yaml import load as l`). When no enabled rule can
fire, the file is done without importing or running libcst, which keeps a pre-commit run on an
unrelated file in the tens of milliseconds.

`trigger_groups` add conjunctions: every group must have one of its substrings in the text (a
taint rule needs a source *and* a sink in the same module). Group entries may be markers
(`aisec.hooks.TAINT_SOURCES`) that `expansions` replace by the tokens of the run's taint catalog;
an expansion containing "" (a pattern with no literal part) always matches.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from aisec.hooks import Rule


def rules_for_text(
    text: str,
    rules: Iterable[type[Rule]],
    expansions: Mapping[str, Sequence[str]] | None = None,
) -> list[type[Rule]]:
    """The rules whose triggers occur in `text` (rules without triggers always qualify)."""
    return [
        rule
        for rule in rules
        if (not rule.triggers or _any_in(rule.triggers, text))
        and all(_group_in(group, text, expansions) for group in rule.trigger_groups)
    ]


def _any_in(needles: Sequence[str], text: str) -> bool:
    return any(needle in text for needle in needles)


def _group_in(group: Sequence[str], text: str, expansions: Mapping[str, Sequence[str]] | None) -> bool:
    for entry in group:
        if expansions is not None and entry in expansions:
            if any(token in text for token in expansions[entry]):  # "" is in every text
                return True
        elif entry.startswith("@taint:"):
            continue  # a marker without a catalog: nothing can match it
        elif entry in text:
            return True
    return False
