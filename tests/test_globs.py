"""`aisec.globs` answers exactly as `fnmatch.fnmatchcase`, for every pattern shape."""

from __future__ import annotations

import fnmatch

import pytest
from aisec.globs import glob_matcher, glob_matches
from hypothesis import given, settings
from hypothesis import strategies as st

NAMES = st.text(st.sampled_from("ab.*?[]\n"), max_size=12)
PATTERNS = st.text(st.sampled_from("ab.**?[]!\n"), max_size=8)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(name=NAMES, pattern=PATTERNS)
def test_the_same_answer_as_fnmatchcase(name: str, pattern: str) -> None:
    expected = fnmatch.fnmatchcase(name, pattern)
    assert glob_matcher(pattern)(name) == expected
    assert glob_matches(name, pattern) == expected


@pytest.mark.parametrize(
    ("name", "pattern", "expected"),
    [
        ("openai.OpenAI", "openai.OpenAI", True),
        ("openai.OpenAIX", "openai.OpenAI", False),
        ("x.chat.completions.create", "*.chat.completions.create", True),
        (".chat.completions.create", "*.chat.completions.create", True),
        ("chat.completions.create", "*.chat.completions.create", False),
        ("langchain_core.BaseLLM", "langchain*.BaseLLM", True),
        ("langchain.BaseLLMs", "langchain*.BaseLLM", False),
        ("ab", "a*ba", False),  # the first and last pieces must not overlap
        ("aba", "a*ba", True),
        ("aba", "a*b*ba", False),
        ("abba", "a*b*ba", True),
        ("abbba", "a*b*ba", True),
        ("email.parser.BytesParser.parsebytes", "email.parser.*.parse*", True),
        ("email.parser.parse", "email.parser.*.parse*", False),
        ("a\nb", "a*b", True),  # `*` matches a newline too
    ],
)
def test_shapes(name: str, pattern: str, expected: bool) -> None:
    assert fnmatch.fnmatchcase(name, pattern) == expected
    assert glob_matches(name, pattern) == expected
