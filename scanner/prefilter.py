"""The textual prefilter: which rules could fire in a file, decided before any parsing.

A rule's `triggers` are substrings whose absence proves the rule cannot fire (every way to
reach `yaml.load` spells `yaml`, even `from yaml import load as l`). When no enabled rule can
fire, the file is done without importing or running libcst, which keeps a pre-commit run on an
unrelated file in the tens of milliseconds.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from aisec.hooks import Rule


def rules_for_text(text: str, rules: Iterable[type[Rule]]) -> list[type[Rule]]:
    """The rules whose triggers occur in `text` (rules without triggers always qualify)."""
    return [rule for rule in rules if not rule.triggers or _any_in(rule.triggers, text)]


def _any_in(needles: Sequence[str], text: str) -> bool:
    return any(needle in text for needle in needles)
