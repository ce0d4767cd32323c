"""`fnmatch.fnmatchcase` for names and paths, without a regular expression for most patterns.

`fnmatchcase` translates each pattern it has not seen into a regex and compiles it: the taint
catalog alone matches a one-file run's names against 100-odd patterns (`openai.OpenAI`,
`*.chat.completions.create`, `langchain*.BaseLLM`), about 10 ms of compiling in a pre-commit run
that parses. A pattern whose only wildcard is `*` is matched with string operations instead: no
`*` is equality; otherwise the text before the first `*` must start the name, the text after the
last must end it, and the pieces between must follow in order in the rest (the leftmost place
for each piece leaves the most room to the next, so a greedy search finds a match whenever one
exists). Patterns with `?` or `[` still go to `fnmatchcase`. Same answers (a property test
compares them).
"""

from __future__ import annotations

TYPE_CHECKING = False  # the pre-commit fast path imports this module (through `selection`)
if TYPE_CHECKING:
    from typing import Callable

_MATCHERS: dict[str, Callable[[str], bool]] = {}


def glob_matches(name: str, pattern: str) -> bool:
    """`fnmatch.fnmatchcase(name, pattern)`."""
    matches = _MATCHERS.get(pattern)
    if matches is None:
        if len(_MATCHERS) > 4096:  # a long-lived process (the language server) meets many configs
            _MATCHERS.clear()
        matches = _MATCHERS[pattern] = glob_matcher(pattern)
    return matches(name)


def glob_matcher(pattern: str) -> Callable[[str], bool]:
    """A function answering `fnmatch.fnmatchcase(name, pattern)` for any name."""
    if "?" in pattern or "[" in pattern:
        import fnmatch

        return lambda name: fnmatch.fnmatchcase(name, pattern)
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return pattern.__eq__
    first, middle, last = pieces[0], pieces[1:-1], pieces[-1]
    least = len(first) + len(last)

    def matches(name: str) -> bool:
        if len(name) < least or not name.startswith(first) or not name.endswith(last):
            return False
        start, end = len(first), len(name) - len(last)
        for piece in middle:
            found = name.find(piece, start, end)
            if found < 0:
                return False
            start = found + len(piece)
        return True

    return matches
