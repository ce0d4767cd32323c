"""What the first checked file of a process sets up, made cheaper, against the plain way of
computing the same: the taint engine's template field names (`_string.formatter_parser`
instead of importing `string` for `string.Formatter().parse`) and the catalog's pattern index
(`taint.catalog.Patterns`, built once per process from ~3,000 catalog entries)."""

from __future__ import annotations

import string

from aisec.globs import glob_matches
from aisec.taint.catalog import Patterns
from aisec.taint.syntax import template_names
from aisec.testing import default_catalog
from hypothesis import given, settings
from hypothesis import strategies as st

TEMPLATE_PIECES = [
    "{",
    "}",
    "{{",
    "}}",
    "{a}",
    "{b.c}",
    "{d[0]}",
    "{0}",
    "{e!r}",
    "{f:>{w}}",
    "x",
    " ",
    "é",
    ":",
]


def plain_template_names(text: str) -> list[str] | None:
    """`template_names` as written with `string.Formatter` (None: it raises ValueError)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    except ValueError:
        return None
    return list(dict.fromkeys(name.split(".", 1)[0].split("[", 1)[0] for name in names))


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(TEMPLATE_PIECES), max_size=12))
def test_template_names_are_those_string_formatter_gives(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = plain_template_names(text)
    if expected is not None:  # a malformed template falls back to a regex in both
        assert template_names(text, jinja=False) == expected


def test_template_names_examples() -> None:
    assert template_names("Hi {user.name}, {items[0]} and {user} {{literal}}", jinja=False) == [
        "user",
        "items",
    ]
    assert template_names("broken {", jinja=False) == []  # ValueError: the regex fallback


PATTERN_PARTS = ["openai", "chat", "create", "*", "load?", "[ab]x", "torch", "x"]


def plain_matches(entries: list[tuple[str, int]], names: tuple[str, ...]) -> set[tuple[int, str]]:
    """Each entry once, with the first name (in order) that matches its pattern."""
    found: dict[int, str] = {}
    for name in names:
        for pattern, entry in entries:
            if entry not in found and glob_matches(name, pattern):
                found[entry] = name
    return {(entry, name) for entry, name in found.items()}


@settings(max_examples=150, deadline=None)
@given(
    patterns=st.lists(st.lists(st.sampled_from(PATTERN_PARTS), min_size=1, max_size=3), max_size=12),
    names=st.lists(
        st.lists(st.sampled_from([*PATTERN_PARTS[:3], "torch", "loadx", "ax"]), min_size=1, max_size=3),
        max_size=3,
    ),
)
def test_pattern_index_matches_as_a_plain_scan(patterns: list[list[str]], names: list[list[str]]) -> None:
    entries = [(".".join(parts), index) for index, parts in enumerate(patterns)]
    asked = tuple(".".join(parts) for parts in names)
    got = Patterns(entries).match_names(asked)
    assert len({entry for entry, _ in got}) == len(got)  # each entry once
    assert set(got) == plain_matches(entries, asked)


def test_pattern_index_of_the_default_catalog() -> None:
    catalog = default_catalog()
    entries = [(source.pattern, index) for index, source in enumerate(catalog.sources)]
    index = Patterns(entries)
    for names in [
        ("flask.request.args",),
        ("fastapi.Request", "x.request.json"),
        ("input",),
        ("nothing.here",),
    ]:
        assert set(index.match_names(names)) == plain_matches(entries, names)
