"""The import graph reads a module's imports from the lines that spell `import` only
(`taint.graph.import_statements`): the same statements as the pattern over the whole text."""

from __future__ import annotations

from pathlib import Path

from aisec import engine
from aisec.taint.graph import _IMPORT, import_statements
from hypothesis import given, settings
from hypothesis import strategies as st

# Pieces of import statements and of look-alikes: bracketed names over several lines, backslash
# continuations, comments, `import` inside words and strings, indented and `\r\n` lines.
_PIECES = [
    "from",
    "import",
    "reimport",
    "imports",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\\\n",
    "(",
    ")",
    ",",
    ".",
    "..",
    "a",
    "b.c",
    " as ",
    "#",
    "# import x",
    "'import y'",
    "é",
]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_import_statements_are_the_patterns_matches(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert import_statements(text) == _IMPORT.findall(text)


def test_import_statements_on_real_sources() -> None:
    sources = sorted(Path(engine.__file__).parent.rglob("*.py"))
    assert len(sources) > 40
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert import_statements(text) == _IMPORT.findall(text), path
    statements = import_statements("import os\nfrom . import (a,\n  b)  # x\nx = 1\n  import sys as s\n")
    assert statements == [("", "", "", "os"), (".", "a,\n  b", "", ""), ("", "", "", "sys as s")]
