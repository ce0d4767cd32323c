"""Whether a module's string constants can spell a text: the URL evidence of sources with `matching`.

A catalog source with `matching` (`requests.post` to a model API: `Source.matching` holds the URL
patterns) is a source only where the constant text of its URL argument matches one of them
(`taint.library._argument_matches`). Its name tokens (`requests`, `post`) are everywhere in library
code, so without this the identifier screen admits every module that posts anything. Here the
screen asks whether the module's strings can spell the pattern's *anchor*: the longest run of
plain characters (`[A-Za-z0-9._:/-]`) every match contains (`api.openai.com`, `:11434`,
`/v1/chat/completions`).

Soundness. The constant text the engine matches is built only from this module's string literals:
their values (`SimpleString`, bytes as latin-1), the raw text parts of f-strings (libcst keeps
their escapes and doubled braces as written), the names the engine makes dict keys of (keyword
arguments of `dict()`, `globals()`, a request model's fields: every identifier of the module
counts), and the engine's own constant `placeholder`; `+`,
implicit concatenation, f-strings, `%`, `.format`, `.join`, `.replace` and summaries concatenate
whole such texts, and `strip`/`lstrip`/`rstrip`/`textwrap.dedent` remove only whitespace (dedent:
at line starts). An anchor holds no whitespace, quote, brace or backslash, so an occurrence of it
in such a text is, within one piece, or else a suffix of one piece (with its trailing whitespace
removed), whole pieces (stripped), and a prefix of one piece (its leading whitespace removed):
`ModuleStrings.spell` checks exactly that. f-strings are read from their source text, cut at
quotes and braces (each raw part is one of the cuts, or the anchor cannot cross it), plus the
values of the plain strings concatenated with them. `tests/test_literals.py` compares the engine's
findings with and without the screen on spellings of each kind.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import tokenize
from typing import Iterable

try:  # the regular-expression parser: public in effect, private in name since 3.11
    from re import _constants as _sre_constants
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from .regexes import compiled

# Compiled on first use (`compiled`): a pre-commit run on a file without URLs or f-strings needs none.
PLAIN = r"[A-Za-z0-9._:/-]+"  # anchor characters: never whitespace, quotes, braces, `\`
CUTS = r"[{}'\"]"  # where an f-string's source text is cut into its parts
LINE = r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z"  # lines as the tokenizer counts them

ENGINE_CONSTANTS = ("placeholder",)  # constant text the taint engine makes itself (MessagesPlaceholder)


@functools.cache
def anchor(pattern: str) -> str | None:
    """The longest plain text every match of `pattern` contains (None: none, or the pattern is
    case-insensitive or cannot be read). Cached: the catalog's raw-POST sources share their URL
    patterns, and reading one costs a regular-expression parse."""
    try:
        parsed = _sre_parse.parse(pattern)
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    runs: list[str] = []
    run: list[str] = []
    for op, value in parsed:  # top-level items are all mandatory, in order
        if op is _sre_constants.LITERAL:
            run.append(chr(value))
            continue
        runs.append("".join(run))
        run = []
    runs.append("".join(run))
    plain = [part for text in runs for part in compiled(PLAIN).findall(text)]
    return max(plain, key=len) if plain else None


def anchors(patterns: Iterable[str]) -> tuple[str, ...] | None:
    """One anchor per pattern (None: some pattern has none, so no module can be ruled out)."""
    found = []
    for pattern in patterns:
        text = anchor(pattern)
        if text is None:
            return None
        found.append(text)
    return tuple(dict.fromkeys(found))


class ModuleStrings:
    """The string constants of one module (its `ast` tree and text), and what they can spell."""

    def __init__(self, tree: ast.AST, text: str, identifiers: Iterable[str] = ()) -> None:
        """`identifiers`: every identifier of the module (`identifiers.module_identifiers`, both sets)."""
        pieces: set[str] = {*ENGINE_CONSTANTS, *identifiers}
        self._everything = False  # a text could not be read: it may spell anything
        lines: list[str] | None = None
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant):
                if isinstance(node.value, str):
                    pieces.add(node.value)
                elif isinstance(node.value, bytes):
                    pieces.add(node.value.decode("latin-1"))
            elif isinstance(node, ast.JoinedStr):
                if lines is None:
                    lines = compiled(LINE).findall(text)
                source = _segment(lines, node)
                pieces.update(compiled(CUTS).split(source))
                if "\\" in source:  # plain strings concatenated with it: their values
                    values = _plain_values(source)
                    if values is None:
                        self._everything = True
                    pieces.update(values or ())
        self._joined = "\0".join(pieces)
        self._wholes = {piece.strip() for piece in pieces}
        self._pieces = pieces
        self._ends: tuple[set[str], set[str]] | None = None
        self._length = 0

    def spell(self, text: str) -> bool:
        """Whether a concatenation of the module's string constants can contain `text` (plain
        characters only: see the module docstring)."""
        if self._everything or text in self._joined:
            return True
        suffixes, prefixes = self._edges(len(text))
        reached = [i for i in range(1, len(text)) if text[:i] in suffixes]
        seen = set(reached)
        while reached:
            start = reached.pop()
            if text[start:] in prefixes:
                return True
            for end in range(start + 1, len(text)):
                if end not in seen and text[start:end] in self._wholes:
                    seen.add(end)
                    reached.append(end)
        return False

    def _edges(self, length: int) -> tuple[set[str], set[str]]:
        """(suffixes of right-stripped pieces, prefixes of left-stripped pieces), up to `length`."""
        if self._ends is None or length > self._length:
            suffixes: set[str] = set()
            prefixes: set[str] = set()
            for piece in self._pieces:
                right, left = piece.rstrip(), piece.lstrip()
                for size in range(1, min(length, len(piece)) + 1):
                    suffixes.add(right[-size:])
                    prefixes.add(left[:size])
            self._ends, self._length = (suffixes, prefixes), length
        return self._ends


def _segment(lines: list[str], node: ast.expr) -> str:
    """The source text of `node` (`ast` columns count UTF-8 bytes)."""
    first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    end = node.end_col_offset if node.end_col_offset is not None else None
    if first >= len(lines):
        return ""
    if first == last:
        return lines[first].encode("utf-8", "replace")[node.col_offset : end].decode("utf-8", "replace")
    head = lines[first].encode("utf-8", "replace")[node.col_offset :].decode("utf-8", "replace")
    tail = (
        lines[last].encode("utf-8", "replace")[:end].decode("utf-8", "replace") if last < len(lines) else ""
    )
    return head + "".join(lines[first + 1 : last]) + tail


def _plain_values(source: str) -> list[str] | None:
    """The values of the plain (not f-) string literals in an expression's source text (None:
    it could not be read)."""
    values: list[str] = []
    try:  # in parentheses, as the expression stands: continuation lines are not indented blocks
        for token in tokenize.generate_tokens(io.StringIO(f"({source})").readline):
            if token.type == tokenize.STRING and "f" not in token.string.split("'")[0].split('"')[0].lower():
                value = ast.literal_eval(token.string)
                values.append(value.decode("latin-1") if isinstance(value, bytes) else value)
    except (tokenize.TokenError, SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return values
