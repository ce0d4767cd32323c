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

The text is searched as Python reads identifiers: NFKC-normalised when it is not ASCII, so
`torch.load` spelled with fullwidth letters (which Python runs as `torch.load`) passes it.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

from aisec.hooks import Rule

MARKER_PREFIX = "@taint:"


def searchable(text: str) -> str:
    """The text as triggers are searched in: NFKC-normalised when it is not ASCII."""
    if text.isascii():
        return text
    import unicodedata  # only non-ASCII files pay for it (most pre-commit runs never do)

    return unicodedata.normalize("NFKC", text)


def rules_for_text(
    text: str,
    rules: Iterable[type[Rule]],
    expansions: Mapping[str, Sequence[tuple[str, ...]]] | None = None,
) -> list[type[Rule]]:
    """The rules that could fire in `text`: some trigger occurs (rules without triggers always
    qualify) and every trigger group has an entry that occurs."""
    text = searchable(text)
    # Rules share markers and alternatives share tokens (hundreds of them per catalog): each
    # marker and each token is looked up once per text.
    markers: dict[str, bool] = {}
    tokens: dict[str, bool] = {}
    return [
        rule
        for rule in rules
        if (not rule.triggers or _any_in(rule.triggers, text, expansions, markers, tokens))
        and all(_any_in(group, text, expansions, markers, tokens) for group in rule.trigger_groups)
    ]


def spells_marker(
    text: str, markers: Sequence[str], expansions: Mapping[str, Sequence[tuple[str, ...]]] | None
) -> bool:
    """Whether `text` (already `searchable`) satisfies one of `markers` as the token gate reads
    them: each token is looked up once, however many alternatives share it."""
    return _any_in(markers, text, expansions, {}, {})


def _any_in(
    needles: Sequence[str],
    text: str,
    expansions: Mapping[str, Sequence[tuple[str, ...]]] | None,
    markers: dict[str, bool],
    tokens: dict[str, bool],
) -> bool:
    for needle in needles:
        if needle.startswith(MARKER_PREFIX):
            hit = markers.get(needle)
            if hit is None:
                alternatives = expansions.get(needle, ()) if expansions is not None else ()
                hit = markers[needle] = any(
                    all(_occurs(token, text, tokens) for token in alternative) for alternative in alternatives
                )
            if hit:
                return True
        elif needle in text:
            return True
    return False


def _occurs(token: str, text: str, seen: dict[str, bool]) -> bool:
    hit = seen.get(token)
    if hit is None:
        hit = seen[token] = token in text
    return hit
