"""The run's token index answers as a substring search of the text (`aisec.tokenindex`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from aisec import engine, tokenindex
from aisec.engine import FileScanner
from aisec.pluginmanager import load_plugins
from aisec.prefilter import MARKER_PREFIX, TextLookup, rules_for_text, searchable, words_of
from aisec.project import Project
from aisec.testing import default_catalog
from aisec.tokenindex import TokenIndex
from hypothesis import given, settings
from hypothesis import strategies as st

# Few letters, so tokens are prefixes, suffixes and overlaps of each other and of the words.
_TOKENS = st.lists(st.text("abc_1", min_size=1, max_size=6), max_size=14)
_TEXTS = st.lists(st.text("abc_1 .\n(é\uff41", max_size=40), min_size=1, max_size=6)


def _searched(tokens: list[str], text: str) -> set[str]:
    return {token for token in tokens if token in text}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(_TOKENS, _TEXTS, st.booleans())
def test_present_is_every_token_the_text_holds(tokens: list[str], texts: list[str], few: bool) -> None:
    # one index for several texts: words read for an earlier text are answered from memory;
    # `few`: the memory is full at once, so every word is read again for each text
    original = tokenindex.MAX_WORDS
    tokenindex.MAX_WORDS = 0 if few else original
    try:
        index = TokenIndex(tokens)
        for text in (*texts, *texts):
            assert index.present(words_of(text)) == _searched(tokens, text), text
    finally:
        tokenindex.MAX_WORDS = original


def test_present_on_real_sources_and_the_real_catalog() -> None:
    catalog = default_catalog()
    expansions = catalog.trigger_expansions()
    tokens = {token for alternatives in expansions.values() for alt in alternatives for token in alt}
    index = TokenIndex(tokens)
    # every catalog token is a word; `%` (printf-style format strings, the engine's own sink) is
    # left to the text search
    assert tokens - index.tokens == {"%"}
    tokens = set(index.tokens)
    sources = sorted(Path(engine.__file__).parent.rglob("*.py"))[:60]
    assert len(sources) >= 40
    for path in sources:
        text = searchable(path.read_text(encoding="utf-8"))
        assert index.present(words_of(text)) == _searched(sorted(tokens), text), path


def test_tokens_that_are_not_words_are_left_to_the_text_search() -> None:
    index = TokenIndex(["text/html", "a.b", "é", "", "ok", "x" * (tokenindex.MAX_TOKEN + 1)])
    assert index.tokens == {"ok"}
    lookup = TextLookup("say text/html, a.b and ok", {}, index)
    assert lookup.any_in(("text/html",)) and lookup.any_in(("a.b",)) and lookup.any_in(("ok",))
    assert not lookup.any_in(("é",)) and not lookup.any_in(("html/text",))


def test_an_empty_index_finds_nothing() -> None:
    assert TokenIndex([]).present({"any", "words"}) == set()


def test_a_word_longer_than_every_token_holds_each_at_every_position() -> None:
    index = TokenIndex(["ab", "abab", "ba", "bab", "b"])
    assert index.present({"xabababx"}) == {"ab", "abab", "ba", "bab", "b"}
    assert index.present({"aab"}) == {"ab", "b"}
    assert index.present({"a" * 10_000}) == set()  # a long word is read once, linearly


def test_the_gate_with_the_index_keeps_the_same_rules_on_every_rule_example() -> None:
    registry = load_plugins(entry_points=False)
    rules = list(registry.rules.values())
    expansions = default_catalog().trigger_expansions()
    needles = {n for rule in rules for n in (*rule.triggers, *(t for g in rule.trigger_groups for t in g))}
    needles.update(token for alternatives in expansions.values() for alt in alternatives for token in alt)
    index = TokenIndex(n for n in needles if not n.startswith(MARKER_PREFIX))
    texts = [
        example.code for rule in rules for kind in ("valid", "invalid") for example in rule.examples(kind)
    ]
    assert len(texts) > 300
    for text in texts:
        with_index = rules_for_text(text, rules, expansions, TextLookup(searchable(text), expansions, index))
        assert with_index == rules_for_text(text, rules, expansions), text


def test_a_run_gates_with_its_index_after_a_few_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "INDEX_AFTER", 5)
    rules = list(load_plugins(entry_points=False).rules.values())
    scanner = FileScanner(
        rules, rule_plugins={}, options={}, project=Project(Path.cwd()), taint_catalog=default_catalog()
    )
    indexed = []

    def gate(text: str, candidates: list, expansions: object, found: TextLookup) -> list:
        verdict = rules_for_text(text, candidates, expansions, found)
        assert verdict == rules_for_text(text, candidates, expansions), text  # the substring search
        indexed.append(found.index is not None)
        return verdict

    monkeypatch.setattr(engine, "rules_for_text", gate)
    monkeypatch.setattr(FileScanner, "_scan_text", lambda self, *args: None)  # the gate is what is tested
    texts = [example.code for rule in rules for example in rule.examples("invalid")]
    for text in texts:
        scanner.scan_bytes("example.py", text.encode("utf-8"))
    assert indexed == [False] * 5 + [True] * (len(texts) - 5)


def test_a_marker_mixing_indexed_and_unindexed_tokens() -> None:
    # `_held_in_index`: a key or token the index cannot hold (not a word) is searched in the text
    marker = f"{MARKER_PREFIX}m"
    expansions = {marker: [("x.c", "chat"), ("chat", "y.z"), ("zz",)]}
    index = TokenIndex(["chat", "zz"])
    for text, holds in (("x.chat", True), ("chat(y.z)", True), ("x.cat chat", True), ("chat x.d y", False)):
        found = TextLookup(searchable(text), expansions, index)
        assert found.any_in((marker,)) is holds, text
        assert TextLookup(searchable(text), expansions).any_in((marker,)) is holds, text
