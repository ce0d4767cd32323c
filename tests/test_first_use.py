"""What the first checked file of a process sets up, made cheaper, against the plain way of
computing the same: the taint engine's template field names (`_string.formatter_parser`
instead of importing `string` for `string.Formatter().parse`), the catalog's pattern index
(`taint.catalog.Patterns`, built once per process from ~3,000 catalog entries), and the
identifier screen's URL gates, shape gates and typed-source alternatives taken from the signed
trigger table (`identifiers.catalog_facts`; the table's own checks are `test_table_facts`),
and the table's parts written with repeated values shared (`fastpath.shared_values`)."""

from __future__ import annotations

import dataclasses
import marshal
import string
from pathlib import Path
from typing import Any

import pytest
from aisec import fastpath, identifiers, names
from aisec.function_shapes import shaped_markers
from aisec.globs import glob_matches
from aisec.identifiers import IdentifierScreen
from aisec.taint import graph
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
    for asked in [
        ("flask.request.args",),
        ("fastapi.Request", "x.request.json"),
        ("input",),
        ("nothing.here",),
    ]:
        assert set(index.match_names(asked)) == plain_matches(entries, asked)


def _screen_view(screen: IdentifierScreen, catalog: Any) -> tuple[Any, ...]:
    """Every catalog fact the identifier screen reads of `catalog`, per marker."""
    return (
        screen._typed_sources,
        {marker: screen.url_gates(marker) for marker in identifiers._gated_markers(catalog)},
        {marker: screen.shape_gates(marker) for marker in shaped_markers(catalog)},
    )


def _fresh(catalog: Any) -> Any:
    return dataclasses.replace(catalog)  # an equal catalog object: its facts are its own


def test_screen_gates_from_the_trigger_table_are_the_computed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table keeps each marker's URL and shape gates and the typed sources' alternatives
    (`catalog_facts`, through `marshal`); a screen on adopted facts reads the same and works
    none of them out again."""
    catalog = default_catalog()
    assert identifiers._gated_markers(catalog) and shaped_markers(catalog)  # both kinds exist
    written = marshal.loads(marshal.dumps(identifiers.catalog_facts(_fresh(catalog))))
    assert {identifiers.TYPED, identifiers.URL_GATES, identifiers.SHAPE_GATES} <= set(written)
    computed = _fresh(catalog)
    expected = _screen_view(IdentifierScreen((), None, computed), computed)
    adopted = _fresh(catalog)
    identifiers.adopt_catalog_facts(adopted, written)
    for name in ("_url_gates", "shape_gates", "_typed_sources"):
        monkeypatch.setattr(identifiers, name, _refuse)
    assert _screen_view(IdentifierScreen((), None, adopted), adopted) == expected
    assert any(gates for gates in expected[1].values()) and any(gates for gates in expected[2].values())


def test_a_table_without_the_gates_has_them_computed() -> None:
    """A table written before these facts were kept: each is worked out when first asked."""
    catalog = default_catalog()
    computed = _fresh(catalog)
    expected = _screen_view(IdentifierScreen((), None, computed), computed)
    older = {
        key: value
        for key, value in identifiers.catalog_facts(_fresh(catalog)).items()
        if key not in (identifiers.TYPED, identifiers.URL_GATES, identifiers.SHAPE_GATES)
    }
    adopted = _fresh(catalog)
    identifiers.adopt_catalog_facts(adopted, older)
    assert _screen_view(IdentifierScreen((), None, adopted), adopted) == expected


def _refuse(*args: Any) -> Any:
    raise AssertionError("worked out again although the table had it")


def _strictly_equal(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (`True` is not `1`, `-0.0` not `0.0`)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return repr(a) == repr(b)
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            any(_strictly_equal(k, j) and _strictly_equal(v, b[j]) for j in b if j == k) for k, v in a.items()
        )
    if isinstance(a, (tuple, list)):
        return len(a) == len(b) and all(_strictly_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, frozenset):
        return len(a) == len(b) and all(any(_strictly_equal(x, y) for y in b) for x in a)
    return bool(a == b)


LEAVES = st.one_of(
    st.sampled_from(["tok", "request", "flask", ""]),
    st.sampled_from([0, 1, 2, True, False, None, 0.0, -0.0, 1.0, 2**70, b"x"]),
)
TABLE_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(tuple),
        st.lists(inner, max_size=4),
        st.frozensets(
            st.one_of(st.sampled_from(["tok", "request", ""]), st.sampled_from([0, 1, True, None])),
            max_size=3,
        ),
        st.dictionaries(st.sampled_from(["a", "b", 1, True, ("x", 1)]), inner, max_size=3),
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=st.lists(TABLE_VALUES, min_size=2, max_size=6).map(tuple))
def test_shared_values_read_back_as_written(value: Any) -> None:
    """The trigger table's parts are written with repeated values shared (`shared_values`):
    what `marshal` reads back is the same value with the same types everywhere (`(True,)` is
    not `(1,)`), and no list or dict is shared (a reader may change one)."""
    written = fastpath.shared_values(value, {})
    read = marshal.loads(marshal.dumps(written))
    assert _strictly_equal(read, value)
    containers = [id(x) for x in _walk(read) if isinstance(x, (list, dict))]
    assert len(containers) == len(set(containers))


def test_shared_values_share_equal_tuples_and_strings() -> None:
    def entry() -> tuple[Any, ...]:  # equal values, new objects each time (as a table build makes them)
        role, tail = "".join(["instr", "uction"]), "".join(["cre", "ate"])
        return tuple(
            [tuple([True, tuple([role]), tuple([tail, 2])]), tuple([False, tuple(["remote"]), None])]
        )

    entries = {f"alt{i}": entry() for i in range(50)}
    assert entries["alt0"] is not entries["alt1"] and entries["alt0"][0][1][0] is not entries["alt1"][0][1][0]
    shared = fastpath.shared_values(entries, {})
    first, *others = shared.values()
    assert all(other is first for other in others)
    assert len(marshal.dumps(shared)) < len(marshal.dumps(entries)) / 3
    assert fastpath.shared_values(((1,), (True,)), {})[1] == (True,)
    assert fastpath.shared_values(((1,), (True,)), {})[1][0] is True


def _walk(value: Any) -> list[Any]:
    found = [value]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _walk(key) + _walk(item)
    elif isinstance(value, (tuple, list, frozenset)):
        for item in value:
            found += _walk(item)
    return found


BYTES = [
    b"",
    b"x = 1\n",
    b"\xef\xbb\xbfx = 1\r\ny = 2\r",
    b"\xef\xbb\xbf\xef\xbb\xbfdouble\n",
    b"mid \xef\xbb\xbf bom\n",
    b"\xef\xbb\xbf",
    b"caf\xc3\xa9\n",
    b"\xef\xbb\xbfbad \xff\n",
    b"bad \xc3\n",
]


@pytest.mark.parametrize("data", BYTES)
def test_project_files_read_as_the_utf_8_sig_codec_reads_them(tmp_path: Path, data: bytes) -> None:
    """`taint.graph.read_text` (text mode: line breaks made `\\n`) and `without_bom` (bytes
    decoded) give what `utf-8-sig` gives, or fail where it fails."""
    path = tmp_path / "m.py"
    path.write_bytes(data)
    try:
        expected_text: str | None = path.read_text(encoding="utf-8-sig")
        expected_decoded: str | None = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        expected_text = expected_decoded = None
    assert graph.read_text(path) == (expected_text if expected_text is not None else "")
    try:
        decoded: str | None = graph.without_bom(data.decode("utf-8"))
    except UnicodeDecodeError:
        decoded = None
    assert decoded == expected_decoded


def test_non_ascii_names_are_still_normalised() -> None:
    fullwidth = "".join(chr(0xFEE0 + ord(c)) for c in "torch")  # what NFKC makes `torch`
    assert names.identifier(fullwidth) == "torch" and names.identifier("torch") == "torch"
