"""`syntax.plain_literal`: a literal read off its quotes is what `ast.literal_eval` makes of it, and
`const_string` gives what libcst's `evaluated_value` gives."""

from __future__ import annotations

import ast
import warnings

import libcst as cst
import pytest
from aisec.taint.syntax import const_string, plain_literal
from hypothesis import given, settings
from hypothesis import strategies as st

QUOTES = ("'", '"', "'''", '"""')
_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x2FF), max_size=30)


def _spelled(text: str, quote: str) -> str | None:
    """`text` between `quote`s, when that is a valid literal (None: it is not)."""
    spelled = f"{quote}{text}{quote}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an invalid escape the text happened to make
            ast.literal_eval(spelled)
    except (SyntaxError, ValueError):
        return None
    return spelled


@settings(max_examples=300, deadline=None)
@given(text=_TEXT, quote=st.sampled_from(QUOTES))
def test_the_same_text_as_literal_eval(text: str, quote: str) -> None:
    spelled = _spelled(text, quote)
    if spelled is None:
        return
    plain = plain_literal(spelled)
    if plain is not None:
        assert plain == ast.literal_eval(spelled)


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ('"hello"', "hello"),
        ("''", ""),
        ('""""""', ""),
        ("'''it's'''", "it's"),
        ('"""two\nlines"""', "two\nlines"),
        ("\"'''\"", "'''"),
        ("'a\\'b'", None),  # escapes: literal_eval's
        ('"""a\r\nb"""', None),  # compiling makes it a\nb
        ("b'x'", None),  # prefixes: literal_eval's
        ("f'x'", None),
        ("'caf\u00e9'", None),
    ],
)
def test_what_it_reads_and_what_it_leaves(spelled: str, expected: str | None) -> None:
    assert plain_literal(spelled) == expected
    if expected is not None:
        assert ast.literal_eval(spelled) == expected


@pytest.mark.parametrize(
    "source",
    ["'plain'", '"""doc\nstring"""', "'tab\\there'", "b'bytes'", "'a' 'b'", "u'x'", "'\u00e9t\u00e9'", "''"],
)
def test_const_string_agrees_with_libcst(source: str) -> None:
    node = cst.parse_expression(source)
    expected = node.evaluated_value
    if isinstance(expected, bytes):
        expected = expected.decode("latin-1")
    assert const_string(node) == expected
