"""Which of a run's gate tokens occur in a text, read off the text's distinct words.

The token gate (`prefilter.TextLookup`) asks, per file, a few hundred `[A-Za-z0-9_]` tokens (the
rules' plain triggers and the taint catalog's pattern parts) whether they occur as substrings. Each
was one substring search of the whole text, or of its distinct words one per line: on transformers
680,000 searches reading 4.2 billion characters, 3 s of a 21 s cold scan.

A word token occurs in a text exactly when it occurs inside one of the text's maximal
`[A-Za-z0-9_]` runs (`prefilter.words_of`): an occurrence holds only word characters, so no run
boundary falls inside it. And a token `t` occurs in a word at position `i` exactly when `t` is a
prefix of the longest token starting there (both are prefixes of the word from `i`, and the
longest is at least as long as `t`). So a word's tokens are the token prefixes of the longest
tokens at each of its positions, which one regex over a trie of the tokens finds (a lookahead at
every position, greedy, so the longest alternative wins). Words repeat from file to file (75,000
distinct words in transformers' 2,951 files), so each word is read once per run, and a file's
tokens are the union over those of its words that hold any: set operations on its word set.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

MAX_WORDS = 200_000  # distinct words remembered per run (~15 MB); later ones are read per file
MAX_TOKEN = 100  # characters: a longer token (no catalog has one) is searched as before


class TokenIndex:
    """The word tokens of one run, and what each word read so far holds of them."""

    def __init__(self, tokens: Iterable[str]) -> None:
        """`tokens`: `[A-Za-z0-9_]` words (`prefilter.is_word`); others are not indexed."""
        from .prefilter import is_word

        self.tokens = frozenset(token for token in tokens if is_word(token) and len(token) <= MAX_TOKEN)
        self._longest = _longest_at_each_position(self.tokens)
        # per token: the tokens that are prefixes of it, itself included (shortest first)
        self._prefixes = {
            token: tuple(token[:end] for end in range(1, len(token) + 1) if token[:end] in self.tokens)
            for token in self.tokens
        }
        self._seen: set[str] = set()  # words read, whether or not they hold a token
        self._held: dict[str, tuple[str, ...]] = {}  # a word of `_seen` that holds tokens -> them

    def present(self, words: set[str]) -> set[str]:
        """The tokens that occur in a text whose distinct `[A-Za-z0-9_]` words are `words`."""
        new = words.difference(self._seen)
        extra: list[tuple[str, ...]] = []
        if new:
            remember = len(self._seen) + len(new) <= MAX_WORDS
            for word in new:
                held = self._read(word)
                if held:
                    if remember:
                        self._held[word] = held
                    else:
                        extra.append(held)
            if remember:
                self._seen |= new
        return set().union(*map(self._held.__getitem__, words & self._held.keys()), *extra)

    def _read(self, word: str) -> tuple[str, ...]:
        longest = self._longest(word)
        if not longest:
            return ()
        if len(longest) == 1:
            return self._prefixes[longest[0]]
        return tuple({token for found in longest for token in self._prefixes[found]})


def _longest_at_each_position(tokens: Iterable[str]) -> Callable[[str], list[str]]:
    """`findall(word)`: the longest token starting at each position of `word` where one does.
    One regex: a zero-width lookahead (tried at every position) holding the tokens' trie, whose
    branches differ in their first character and whose optional continuations are greedy, so the
    first match at a position is its longest token."""
    trie: dict[str, Any] = {}
    for token in tokens:
        node = trie
        for character in token:
            node = node.setdefault(character, {})
        node[""] = {}  # a token ends here

    def pattern(node: dict[str, Any]) -> str:
        branches = [
            re.escape(character) + pattern(child) for character, child in sorted(node.items()) if character
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{'|'.join(branches)})"
        return f"{body}?" if "" in node else body

    if not trie:
        return lambda word: []
    return re.compile(f"(?=({pattern(trie)}))").findall
