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

    from .tokenindex import TokenIndex

    # a marker's alternatives by key token: (key, the other tokens of each alternative), or None
    Groups = tuple[tuple[str, tuple[tuple[str, ...], ...]], ...] | None

MARKER_PREFIX = "@taint:"
WORDS_FROM = 16_000  # characters: a shorter text is searched as it is (as fast, and no `re` import)


def searchable(text: str) -> str:
    """The text as triggers are searched in: NFKC-normalised when it is not ASCII, and followed
    by its string escapes decoded when it has any (`_with_decoded_escapes`)."""
    text = _with_decoded_escapes(text)
    if text.isascii():
        return text
    import unicodedata  # only non-ASCII files pay for it (most pre-commit runs never do)

    return unicodedata.normalize("NFKC", text)


_ESCAPE_START = r"\\(?:[xuU0-7]|N\{)"  # what `_ESCAPE` can match first: one pass over the text
_ESCAPE = r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|N\{[^}\n]{1,80}\}|[0-7]{1,3})"


def _with_decoded_escapes(text: str) -> str:
    """`text`, then (when it spells a character escape) a copy with every `\\x73`, `\\u0073`,
    `\\N{LATIN SMALL LETTER S}` and octal escape replaced by its character. The engine reads a
    string literal's value (`getattr(os, "sy\\x73tem")` is `os.system`, `getattr(pickle,
    "lo\\141ds")` is `pickle.loads`), so a trigger hidden in an escape must still be found; the
    copy only adds text, so nothing the raw text spells is lost. Escapes outside strings decode
    to text that is never code: a superset, as a prefilter must be."""
    if "\\" not in text:
        return text
    import re  # already loaded by `site` (the fast path imports nothing for it)

    if re.search(_ESCAPE_START, text) is None:
        return text

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
    of them per catalog): each marker and each token is looked up once, and a marker's
    alternatives are walked in groups sharing a key token (`grouped`), so a key most files lack
    rules out every alternative of its group with one lookup. Marker tokens are
    `[A-Za-z0-9_]` words (`aisec.hooks.taint._pattern_tokens`), so one occurs in the text exactly
    when it occurs in the text's distinct words, one per line: the same answer from a fifth of
    the characters, and a token that is a whole word is one set lookup. With a run's `index`
    (`aisec.tokenindex.TokenIndex`), the tokens it holds are not searched at all: the text's
    tokens are read off its words at once, and each is one set lookup."""

    def __init__(
        self,
        text: str,
        expansions: Mapping[str, Sequence[tuple[str, ...]]] | None,
        index: TokenIndex | None = None,
    ) -> None:
        self.text = text
        self.expansions = expansions
        self.markers: dict[str, bool] = {}
        self.tokens: dict[str, bool] = {}
        self.words: set[str] | None = None
        self.joined = ""
        self.index = index
        self.present: set[str] | None = None  # the tokens of `index` in the text, made once

    def any_in(self, needles: Sequence[str]) -> bool:
        for needle in needles:
            if needle.startswith(MARKER_PREFIX):
                hit = self.markers.get(needle)
                if hit is None:
                    hit = self.markers[needle] = self._holds(needle)
                if hit:
                    return True
            else:  # a substring search, cached (rules share plain triggers too)
                hit = self.tokens.get(needle)
                if hit is None:
                    hit = self.occurs(needle)
                if hit:
                    return True
        return False

    def _holds(self, marker: str) -> bool:
        """Whether all the tokens of one alternative of `marker` occur (an empty one always holds)."""
        if self.expansions is None:
            return False
        groups = grouped(self.expansions, marker)
        if groups is None:
            return True
        if self.index is not None:
            return self._held_in_index(groups)
        tokens, occurs = self.tokens, self.occurs
        for key, rests in groups:
            hit = tokens.get(key)
            if hit is None:
                hit = occurs(key)
            if not hit:
                continue
            for rest in rests:
                for token in rest:
                    hit = tokens.get(token)
                    if hit is None:
                        hit = occurs(token)
                    if not hit:
                        break
                else:
                    return True
        return False

    def _held_in_index(self, groups: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]) -> bool:
        """`_holds` with a run's index: a token it indexes occurs exactly when it is `in_index`,
        one set lookup without a call (a file asks hundreds); the others as `occurs` says."""
        present, indexed, occurs = self.in_index(), self.index.tokens, self.occurs
        for key, rests in groups:
            if key in present or (key not in indexed and occurs(key)):
                for rest in rests:
                    for token in rest:
                        if token not in present and (token in indexed or not occurs(token)):
                            break
                    else:
                        return True
        return False

    def in_index(self) -> set[str]:
        """The tokens of the run's index that occur in the text (made once)."""
        if self.present is None:
            self.present = self.index.present(self.word_set())
        return self.present

    def occurs(self, token: str) -> bool:
        hit = self.tokens.get(token)
        if hit is None:
            if self.index is not None and token in self.index.tokens:
                hit = token in self.in_index()
            elif len(self.text) < WORDS_FROM or not is_word(token):  # searched as it is
                hit = token in self.text
            else:
                hit = token in self.word_set() or token in self.joined
            self.tokens[token] = hit
        return hit

    def word_set(self) -> set[str]:
        """The text's distinct `[A-Za-z0-9_]` words (made once)."""
        if self.words is None:
            self.words = words_of(self.text)
            self.joined = "\n".join(self.words)
        return self.words


# Each byte as itself when it can be part of a `[A-Za-z0-9_]` word, else a space.
_SPACED = bytes(byte if chr(byte).isalnum() or byte == 95 else 32 for byte in range(128)) + b" " * 128


def words_of(text: str) -> set[str]:
    """The distinct `[A-Za-z0-9_]` words of `text`: its UTF-8 bytes with every byte that cannot
    be part of one made a space (a multi-byte character's bytes are all >= 128), then split.
    A fifth faster than `re.findall`, and no `re` import for the pre-commit fast path."""
    return set(text.encode("utf-8", "surrogatepass").translate(_SPACED).decode("ascii").split())


def is_word(token: str) -> bool:
    """Whether `token` is one `[A-Za-z0-9_]` word."""
    return token.isascii() and token.replace("_", "a").isalnum()


_GROUPED: dict[int, tuple[object, dict[str, Groups]]] = {}  # id(expansions) -> (them, marker -> groups)
_ASKED: dict[tuple[int, str], int] = {}  # (id(expansions), marker) -> texts asked before grouping
GROUP_AFTER = 8  # texts: a run that asks about fewer walks the alternatives one by one


def grouped(expansions: Mapping[str, Sequence[tuple[str, ...]]], marker: str, *, now: bool = False) -> Groups:
    """`marker`'s alternatives as (key, the other tokens of each alternative with that key)
    groups, or None when an alternative is empty (it always holds). The keys are a small set of
    tokens every alternative has one of, chosen greedily (`_covering_keys`): a file that spells
    none of a marker's alternatives, most files for most markers, is told so after one lookup per
    key instead of one per alternative (transformers: the gate 3.7 -> 2.8 s against keys that
    were each alternative's longest token). The same verdict as checking every alternative in
    turn: an alternative holds exactly when its key and its other tokens occur, whichever of its
    tokens is the key. Made once per expansions mapping (a run's, never changed after its first
    use) and marker, after `GROUP_AFTER` texts asked (or at once with `now`): making them costs
    about 10 ms over a catalog's markers, more than a pre-commit run of one or two files saves,
    so until then each alternative is its own group, keyed by its first token."""
    entry = _GROUPED.get(id(expansions))
    if entry is None or entry[0] is not expansions:
        if len(_GROUPED) > 8:  # runs in one process (tests, the language server) each bring theirs
            _GROUPED.clear()
            _ASKED.clear()
        entry = _GROUPED[id(expansions)] = (expansions, {})
    markers = entry[1]
    if marker in markers:
        return markers[marker]
    alternatives = [tuple(alternative) for alternative in expansions.get(marker, ())]
    if not all(alternatives):
        markers[marker] = None
        return None
    asked = (id(expansions), marker)
    _ASKED[asked] = _ASKED.get(asked, 0) + 1
    if not now and _ASKED[asked] <= GROUP_AFTER:
        return tuple((alternative[0], (alternative[1:],)) for alternative in alternatives)
    markers[marker] = _covering_keys(alternatives)
    return markers[marker]


def adopt_groups(expansions: Mapping[str, Sequence[tuple[str, ...]]], groups: Mapping[str, Groups]) -> None:
    """Take `groups` (`grouped` of `expansions`' markers, made by an earlier run: the fast
    path's trigger table) as those of `expansions`, so a one-file run does not make them again
    (about 1 ms of a pre-commit run's 20)."""
    entry = _GROUPED.get(id(expansions))
    if entry is None or entry[0] is not expansions:
        entry = _GROUPED[id(expansions)] = (expansions, {})
    entry[1].update(groups)


def key_groups(alternatives: Sequence[tuple[str, ...]]) -> list[tuple[str, list[tuple[str, ...]]]]:
    """Non-empty `alternatives` grouped by a key token each of them has: the token that most of
    the alternatives not yet grouped have (ties: the longer, then the smaller token), taken in
    turn until every one is grouped (the greedy set cover, with counts brought up to date
    lazily). An alternative that needs its key cannot hold where the key is missing."""
    import heapq

    holders: dict[str, list[int]] = {}
    for index, alternative in enumerate(alternatives):
        for token in dict.fromkeys(alternative):
            holders.setdefault(token, []).append(index)
    done = [False] * len(alternatives)
    heap = [(-len(held), -len(token), token) for token, held in holders.items()]
    heapq.heapify(heap)
    groups: list[tuple[str, list[tuple[str, ...]]]] = []
    while heap:
        count, length, token = heapq.heappop(heap)
        live = [index for index in holders[token] if not done[index]]
        if len(live) < -count:  # some were grouped under another key since: count again
            holders[token] = live
            if live:
                heapq.heappush(heap, (-len(live), length, token))
            continue
        for index in live:
            done[index] = True
        groups.append((token, [alternatives[index] for index in live]))
    return groups


def _covering_keys(
    alternatives: list[tuple[str, ...]],
) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """`key_groups` as (key, the other tokens of each alternative): a group whose key suffices (an
    empty rest) is decided by the key alone, so the shortest rests come first."""
    groups = []
    for key, members in key_groups(alternatives):
        rests: dict[tuple[str, ...], None] = {}
        for alternative in members:
            rest = list(alternative)
            rest.remove(key)
            rests[tuple(rest)] = None
        groups.append((key, tuple(sorted(rests, key=len))))
    return tuple(groups)
