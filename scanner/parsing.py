"""Source text into a libcst `Module`, the fastest exact way: libcst's parser without its node
checks.

Why. Every node libcst's native parser builds runs `CSTNode.__post_init__`, which runs the node's
`_validate()`: about a million calls for langchain's 275 parsed files, ~10-15% of the parse. The
checks exist to catch hand-built trees that could not be printed back as valid Python (an empty
`Name`, an operator glued to a word, unbalanced parentheses); a tree the parser built from source
it accepted is printed back as that very source. So for the duration of `parse_module` the nodes
built by *the thread that parses* skip `_validate`, and every other node is checked as before.

Risks, and what each one costs here:
- Threads. The language server scans on one worker thread while its event loop keeps running, and
  a Python thread can take the interpreter between any two of a parse's node constructors. The
  switch is therefore by thread: while a parse runs, `CSTNode.__post_init__` is a function that
  skips the check only for threads inside `parse_module` (the ident check costs nothing
  measurable next to the check it skips); nodes built by any other thread are validated. The
  class attribute is swapped under a lock, and put back when the last parsing thread leaves.
- Failure and re-entrancy. The switch is undone in a `finally`, so a `ParserSyntaxError`, a
  `RecursionError` or the engine's `FileTimeout` (raised from a signal handler in the middle of a
  parse) leaves validation on. A nested parse on the same thread ends its outer one's skipping
  (it takes the thread out of the set): the outer parse then validates its remaining nodes, which
  is slower, never different. An exception landing inside the `finally` itself could leave the
  thread in the set; its next parse takes it out again.
- Fixes. Autofixes (`aisec.fixes`, rules' `replace_node`) build nodes and call `with_changes`
  after the parse returned, so their nodes are validated exactly as before; so is everything a
  plugin builds.
- libcst versions. The switch is used only where `CSTNode.__post_init__` is libcst's own
  one-liner that calls `self._validate()` and nothing else, and libcst has no pure-Python parser
  left to choose (libcst 1.0 could still be told to use it through `is_native()`, and its
  conversion code is Python that builds nodes in the parsing thread too); anywhere else this is
  the plain `libcst.parse_module`. A node class with its own `__post_init__` is simply
  validated.
- libcst validator bugs. A source CPython accepts can make a validator raise on the parser's own
  tree (`() if 0 else(lambda:())` raises a `TypeError` inside `IfExp._validate` in libcst 1.9,
  LibCST issue #1061), which ended the whole run with an internal error; the parse now returns
  the tree, and `aisec.walk`, which rebuilds the first node of each class it meets to learn the
  class's field order, does that under `unvalidated` too. `--fix` still rebuilds the tree with
  validation on (it is the check of the fixed code); there such a file is an error naming it,
  with its findings kept and its text left as it was.

The nodes are also built by `aisec.cstinit`'s constructors, which do what `dataclasses`' do
with fewer lookups, once a process has parsed enough source to repay compiling them.

`tests/test_parsing.py` parses the repository's own sources, the rule examples and generated and
mutated sources both ways and requires equal trees and identical code; so did a one-off run over
the 4,963 `.py` files of the three bench corpora and this repository (no difference).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from types import FunctionType
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    import libcst

_switch = threading.Lock()
_parsing: set[int] = set()  # threads inside `parse_module`, whose new nodes skip `_validate`
_validating: Any = None  # libcst's own `CSTNode.__post_init__`, once found to be the expected one
_checked = False
# Characters a process parses before it compiles `aisec.cstinit`'s constructors (~10-20 ms, repaid
# after ~100 KB of source): a one-file pre-commit run rarely gets there, a full scan does at once.
CONSTRUCTORS_AFTER = 200_000
_parsed = 0


def parse_module(text: str) -> libcst.Module:
    """libcst's tree of `text`, built without validating each node (see the module docstring);
    raises what `libcst.parse_module` raises."""
    import libcst as cst

    _count_parsed(len(text))
    with unvalidated():
        return cst.parse_module(text)


@contextmanager
def unvalidated() -> Iterator[None]:
    """Nodes this thread builds inside the block skip libcst's `_validate()` (every other thread's
    are checked; see the module docstring). For nodes that are the parser's, or rebuilt from a
    tree's own children only to be thrown away (`aisec.walk` learning a type's field order):
    a validator bug (LibCST #1061) must not stop the scan of valid Python there either. Where
    libcst's internals are not the expected ones, nodes are validated as usual."""
    import libcst as cst

    validating = _validating if _checked else _find_validating()
    if validating is None:
        yield
        return
    thread = threading.get_ident()
    try:
        with _switch:
            _parsing.add(thread)
            cst.CSTNode.__post_init__ = _validate_other_threads  # type: ignore[method-assign]
        yield
    finally:
        with _switch:
            _parsing.discard(thread)
            if not _parsing:
                cst.CSTNode.__post_init__ = validating  # type: ignore[method-assign]


def _count_parsed(characters: int) -> None:
    """Install `aisec.cstinit`'s constructors once this process has parsed enough to repay them."""
    global _parsed
    if _parsed < CONSTRUCTORS_AFTER:
        _parsed += characters
        if _parsed >= CONSTRUCTORS_AFTER:
            from . import cstinit

            with _switch:
                cstinit.install()


def _validate_other_threads(self: Any, _thread: Any = threading.get_ident, _skipping: Any = _parsing) -> None:
    """`CSTNode.__post_init__` while a parse runs: a node built by a parsing thread is the
    parser's, and is not checked."""
    if _thread() not in _skipping:
        self._validate()


def _find_validating() -> Any:
    """libcst's `CSTNode.__post_init__` if it is the expected `self._validate()` and libcst parses
    natively, else None (then parses validate as libcst does)."""
    global _validating, _checked
    import libcst as cst

    with _switch:
        if not _checked:
            own = cst.CSTNode.__dict__.get("__post_init__")
            expected = (
                isinstance(own, FunctionType)
                and own.__qualname__ == "CSTNode.__post_init__"
                and own.__code__.co_names == ("_validate",)
                and own.__code__.co_argcount == 1
            )
            _validating = own if expected and _parses_natively() else None
            _checked = True
    return _validating


def _parses_natively() -> bool:
    """Whether `libcst.parse_module` can only use the native parser: a libcst that still has the
    pure-Python one asks `is_native()` (LIBCST_PARSER_TYPE) on every parse."""
    try:
        from libcst._parser import entrypoints
    except ImportError:
        return False
    return not hasattr(entrypoints, "is_native")
