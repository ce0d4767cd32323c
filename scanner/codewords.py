"""The words of a module's code: its text without comments and string literals, read by a small
lexer that gives up when unsure, so the word screen can spare `ast.parse` files that mention a
trigger only in docstrings, comments and messages.

The `ast` screens (`aisec.screen`, `aisec.identifiers`) read identifiers, and one kind of string:
the name argument of `getattr(object, "name")`. In library code the callee names they look for
(`from_pretrained`, `load`) are everywhere in docstrings and error messages: on transformers, the
word screen (`identifiers.WordScreen`), reading every word of the text, let 1,057 files through
to `ast.parse` and most of them were screened out after it.

`code_words(text)` is a superset of every `[A-Za-z0-9_]` word that can be part of an identifier the
`ast` of `text` holds, or of a string a `getattr` call there reads; None when the lexer cannot
tell. It reads the text as CPython's tokenizer does, for every text CPython parses:

- a comment runs from `#` (outside a string) to the end of its line; its words are dropped;
- a string literal (prefix `r`, `u`, `b`, `br`, `rb` in any case, or none, not glued to a word
  character before it) runs to the first closing quote that no backslash escapes (an odd run of
  backslashes before it), a one-quote string on one line unless a backslash continues it; its
  words are dropped, except where `getattr` may read it (below);
- an f-string (`f`, `fr`, `rf`) keeps all its words (its replacement fields are code). CPython
  3.12 lets a field hold the f-string's own quote (`f"{d["k"]}"`), so the first closing quote may
  not end it; the lexer gives up on a `#` or backslash inside a field, on a quote there that
  opens no plain string ending before the f-string does (`f"{d['k']}"` is read: a string
  holding no quote, brace, `#`, backslash or, one-quote, line break), and on fields left open,
  and where none of these occurs the first closing quote ends the f-string under every
  version's rules;
- any other quote (an unknown prefix such as 3.14's `t"..."`, a prefix glued to a name, an
  unterminated string) makes it give up.

`getattr`'s name argument is its second positional argument: after a comma, perhaps inside
parentheses. A string literal whose previous code character (skipping spaces, line
continuations, comments and `(`) is a comma, or that follows such a literal (implicit
concatenation: `"lo" "ads"` is one constant), keeps its words, its words once concatenated with
the literals before it, and those of its value where a backslash may change it
(`"lo\\x61ds"`, read with `ast.literal_eval`).

The code's words are taken as the text's are (`prefilter.searchable`: NFKC-normalised, as Python
reads identifiers); the kept strings' words also as written (a `getattr` name is not normalised).
`tests/test_codewords.py` checks the superset against `ast` on real and generated sources, and an
attacker's set of hiding places.
"""

from __future__ import annotations

import ast
import re

from .prefilter import searchable, words_of

_BODIES = (  # unrolled loops (linear, no backtracking): a body cannot cross a closing quote
    r"'''[^'\\]*(?:(?:\\[\s\S]|'(?!''))[^'\\]*)*'''",
    r'"""[^"\\]*(?:(?:\\[\s\S]|"(?!""))[^"\\]*)*"""',
    r"'[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'",
    r'"[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"',
)
# comment | string (its prefix read before it) | any other quote (give up). Every alternative
# starts with the literal `#` or a quote, and no group wraps them, so the regex engine skips code
# at the speed of a character search (`re` reads a first-character set only off literals: with the
# alternatives in named groups it tried a match at every character, 3.8x the time on transformers).
# The kind of a match is told by its text: `#` starts a comment, a lone quote is no string.
_TOKEN = re.compile(rf"#[^\r\n]*|{'|'.join(_BODIES)}|'|\"")
_PLAIN_PREFIXES = frozenset({"", "r", "u", "b", "br", "rb"})
_F_PREFIXES = frozenset({"f", "fr", "rf"})
_FIELD_MARKS = re.compile(r"\{\{|\}\}|[{}'\"#\\]")
_INNER_FORBIDDEN = re.compile(r"[{}'\"#\\]")  # what a string inside a field may not hold
_SKIPPED_BEFORE = " \t\f\r\n\\("  # between `getattr(x,` and its name argument


def code_words(text: str) -> set[str] | None:
    """The words `text`'s identifiers and `getattr` names can be made of (a superset), or None
    when the lexer cannot tell (see the module docstring)."""
    code: list[str] = []
    kept: list[str] = []  # strings `getattr` may read, as written
    run: list[str] = []  # the literals of a kept implicit concatenation so far
    last = ""  # the previous code character that decides whether a string is kept
    position = 0
    for match in _TOKEN.finditer(text):
        start = match.start()
        literal = match.group()
        kind = "comment" if literal[0] == "#" else "string" if len(literal) > 1 else None
        prefix = _prefix(text, start) if kind == "string" else ""
        if prefix is None:
            return None
        if start > position:
            between = text[position : start - len(prefix)]
            code.append(between)
            significant = between.rstrip(_SKIPPED_BEFORE)
            if significant:
                last = significant[-1]
                run = []
        position = match.end()
        if kind == "comment":
            continue
        if kind is None:
            return None  # a quote that starts no string: not Python this lexer reads
        lower = prefix.lower()
        if lower in _F_PREFIXES:
            if not _fields_closed(literal):
                return None
            code.append(f" {literal} ")
            last, run = '"', []
            continue
        if lower not in _PLAIN_PREFIXES:
            return None  # `t"..."` and other prefixes this lexer does not know
        if last == "," or run:
            quotes = 3 if literal[:3] in ('"""', "'''") else 1
            value = _value(prefix + literal) if "\\" in literal else literal[quotes:-quotes]
            if value is None:
                return None
            run.append(value)
            kept.extend((literal, value, "".join(run)))
        last = '"'
    code.append(text[position:])
    code.extend(kept)
    words = words_of(searchable("\n".join(code)))
    words.update(words_of("\n".join(kept)))
    return words


def _prefix(text: str, start: int) -> str | None:
    """The word characters glued before the quote at `start` (a string prefix, or not Python);
    None when there are more than two (no prefix is longer)."""
    begin = start
    while begin > 0 and start - begin <= 2 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        begin -= 1
    return None if start - begin > 2 else text[begin:start]


def _fields_closed(literal: str) -> bool:
    """Whether an f-string (up to the first closing quote) holds only replacement fields the
    lexer can read: none left open, no `#` or backslash inside one, and a quote inside one only
    where a plain string starts that ends before the f-string does (`_inner_string_end`)."""
    depth = 0
    end = len(literal) - _quotes(literal)  # where the f-string's closing quote starts
    mark = _FIELD_MARKS.search(literal)
    while mark is not None:
        found = mark.group()
        resume = mark.end()
        if depth == 0:
            if found == "{":
                depth = 1
            elif found == "}":
                return False  # a lone `}`: not Python
        elif found in ("{", "{{"):
            depth += len(found)
        elif found in ("}", "}}"):
            depth -= len(found)
            if depth < 0:
                return False
        elif found in "'\"":
            resume = _inner_string_end(literal, mark.start(), end)
            if resume < 0:
                return False
        else:
            return False
        mark = _FIELD_MARKS.search(literal, resume)
    return depth == 0


def _quotes(literal: str) -> int:
    """How many quote characters open (and close) a string literal: 3 or 1."""
    return 3 if literal[:3] in ('"""', "'''") else 1


def _inner_string_end(literal: str, start: int, end: int) -> int:
    """Where the string that a quote at `start` inside a field opens ends (`f"{d['k']}"`), when it
    ends before `end` and holds no quote, brace, `#`, backslash or (one-quote) line break; -1
    otherwise. Such a string ends at its first closing quote under every version's rules (3.12
    lets a field hold any string, even the f-string's own quote: that quote would have ended
    the f-string's match first, leaving a string that does not end here), and it cannot be a
    format spec's text read as a string (a spec ends at a brace). Its words stay code words
    with the f-string's (a `getattr` in a field may read it)."""
    quote = literal[start] * (3 if literal.startswith(literal[start] * 3, start) else 1)
    close = literal.find(quote, start + len(quote), end)
    if close < 0:
        return -1
    body = literal[start + len(quote) : close]
    if _INNER_FORBIDDEN.search(body) or (len(quote) == 1 and ("\n" in body or "\r" in body)):
        return -1
    return close + len(quote)


def _value(literal: str) -> str | None:
    """A string literal's value where a backslash may change it; None when it does not read as
    one (then nothing can be told)."""
    try:
        value = ast.literal_eval(literal)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else literal
