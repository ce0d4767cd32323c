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

TYPE_CHECKING = False  # imported by the pre-commit fast path, which loads neither `typing` nor the hooks
if TYPE_CHECKING:
    from typing import Iterable, Mapping, Sequence

    from aisec.hooks import Rule

MARKER_PREFIX = "@taint:"
_WORD_RUN = r"[A-Za-z0-9_]+"  # compiled on first use (the fast path does not import `re` for nothing)
WORDS_FROM = 16_000  # characters: a shorter text is searched as it is (as fast, and no `re` import)


def searchable(text: str) -> str:
    """The text as triggers are searched in: NFKC-normalised when it is not ASCII, and followed
    by its string escapes decoded when it has any (`_with_decoded_escapes`)."""
    text = _with_decoded_escapes(text)
    if text.isascii():
        return text
    import unicodedata  # only non-ASCII files pay for it (most pre-commit runs never do)

    return unicodedata.normalize("NFKC", text)


_ESCAPE_STARTS = ("\\x", "\\u", "\\U", "\\N{", *(f"\\{digit}" for digit in "01234567"))
_ESCAPE = r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}\n]{1,80}\}|[0-7]{1,3})"


def _with_decoded_escapes(text: str) -> str:
    """`text`, then (when it spells a character escape) a copy with every `\\x73`, `\\u0073`,
    `\\N{LATIN SMALL LETTER S}` and octal escape replaced by its character. The engine reads a
    string literal's value (`getattr(os, "sy\\x73tem")` is `os.system`, `getattr(pickle,
    "lo\\141ds")` is `pickle.loads`), so a trigger hidden in an escape must still be found; the
    copy only adds text, so nothing the raw text spells is lost. Escapes outside strings decode
    to text that is never code: a superset, as a prefilter must be."""
    if not any(start in text for start in _ESCAPE_STARTS):
        return text
    import re

    def decoded(match: re.Match[str]) -> str:
        escape = match.group()
        if escape[1] == "N":
            import unicodedata

            try:
                return unicodedata.lookup(escape[3:-1])
            except KeyError:
                return escape
        code = int(escape[2:], 16) if escape[1] in "xuU" else int(escape[1:], 8)
        return chr(code) if code <= 0x10FFFF else escape

    return text + "\n" + re.sub(_ESCAPE, decoded, text)


def rules_for_text(
    text: str,
    rules: Iterable[type[Rule]],
    expansions: Mapping[str, Sequence[tuple[str, ...]]] | None = None,
    found: TextLookup | None = None,
) -> list[type[Rule]]:
    """The rules that could fire in `text`: some trigger occurs (rules without triggers always
    qualify) and every trigger group has an entry that occurs. `found`: the `TextLookup` of
    `text`, when the caller asks it more (its words, for `aisec.identifiers.WordScreen`)."""
    found = found if found is not None else TextLookup(searchable(text), expansions)
    return [
        rule
        for rule in rules
        if (not rule.triggers or found.any_in(rule.triggers))
        and all(found.any_in(group) for group in rule.trigger_groups)
    ]


def spells_marker(
    text: str, markers: Sequence[str], expansions: Mapping[str, Sequence[tuple[str, ...]]] | None
) -> bool:
    """Whether `text` (already `searchable`) satisfies one of `markers` as the token gate reads them."""
    return TextLookup(text, expansions).any_in(markers)


class TextLookup:
    """Triggers looked up in one (`searchable`) text. Rules share markers and alternatives share tokens (hundreds
    of them per catalog): each marker and each token is looked up once. Marker tokens are
    `[A-Za-z0-9_]` words (`aisec.hooks.taint._pattern_tokens`), so one occurs in the text exactly
    when it occurs in the text's distinct words, one per line: the same answer from a fifth of
    the characters, and a token that is a whole word is one set lookup."""

    def __init__(self, text: str, expansions: Mapping[str, Sequence[tuple[str, ...]]] | None) -> None:
        self.text = text
        self.expansions = expansions
        self.markers: dict[str, bool] = {}
        self.tokens: dict[str, bool] = {}
        self.words: set[str] | None = None
        self.joined = ""

    def any_in(self, needles: Sequence[str]) -> bool:
        for needle in needles:
            if needle.startswith(MARKER_PREFIX):
                hit = self.markers.get(needle)
                if hit is None:
                    alternatives = self.expansions.get(needle, ()) if self.expansions is not None else ()
                    hit = self.markers[needle] = any(
                        all(self.occurs(token) for token in alternative) for alternative in alternatives
                    )
                if hit:
                    return True
            elif needle in self.text:
                return True
        return False

    def occurs(self, token: str) -> bool:
        hit = self.tokens.get(token)
        if hit is None:
            if len(self.text) < WORDS_FROM or not _is_word(token):  # searched as it is
                hit = token in self.text
            else:
                hit = token in self.word_set() or token in self.joined
            self.tokens[token] = hit
        return hit

    def word_set(self) -> set[str]:
        """The text's distinct `[A-Za-z0-9_]` words (made once)."""
        if self.words is None:
            import re

            self.words = set(re.findall(_WORD_RUN, self.text))
            self.joined = "\n".join(self.words)
        return self.words


def _is_word(token: str) -> bool:
    """Whether `token` is one `[A-Za-z0-9_]` word (what `_WORD_RUN` matches whole)."""
    return token.isascii() and token.replace("_", "a").isalnum()
