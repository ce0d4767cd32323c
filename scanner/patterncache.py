"""Compiled regular expressions, kept across runs in the method cache's table (`aisec.methodcache`).

Why. Python caches compiled patterns per process only (`re._cache`), so every run parses and
assembles again each pattern its modules compile: ~60-80 patterns, ~3.5-5 ms of a one-file
pre-commit run that parses (1.3 ms of them inside `import libcst`), ~1.7 ms of a warm run.

How. `installed(cache)` puts a stand-in for `re._compiler.compile` (the step below
`re._compile`'s per-process cache, looked up there as a module attribute) into that module for
the block. The stand-in is Python 3.11's `compile` line for line, so that nothing else changes
(not the frames a parser warning is attributed to), with one step added: a `str` pattern whose
parse cannot warn (`_may_warn`) is looked up by `(pattern, flags)` in the table before parsing,
and what it was assembled into (final flags, code, group count, group names) is given to
`_sre.compile` exactly as `compile` gives it; one not in the table is parsed, assembled, and its
assembly added. Patterns from the same arguments compare equal (`Pattern.__eq__` compares flags,
pattern and code), which `tests/test_patterncache.py` checks for every pattern aisec, its
plugins and libcst compile and for generated ones. Trust is the table's: it is signed with the
machine key, private and made by this interpreter (`methodcache.load`).

Used only where `re._compiler.compile`'s bytecode is Python 3.11's (`_KNOWN_COMPILE`) and so is
that of the parser functions that warn (`_KNOWN_PARSER`): the warnings `_may_warn` screens out
are 3.11's parser's.
"""

from __future__ import annotations

import _sre
import marshal
from contextlib import contextmanager
from re import _compiler, _parser  # type: ignore[attr-defined]

from .methodcache import _shape_digest, load
from .sha import sha256

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Iterator

    from .methodcache import MethodCache

_KNOWN_COMPILE = {"cd0a8c53af9dcc797b2e0c9ee83ed863"}  # `methodcache._shape_digest` of 3.11's
# `_parser_digest` of 3.11's parser: the functions that warn (`_WARNED` is about their warnings)
_KNOWN_PARSER = {"e116d658431628e3d51adbdf3c4c17fd"}
# What 3.11's parser warns about, as text (a parse reads characters one by one or as a backslash
# and the next one): a nested set (`[[`), set operations (`--`, `&&`, `~~`, `||`), conditional
# group references (`(?(`); a bytes pattern's non-ASCII group names (bytes are never stored).
_WARNED = ("[[", "--", "&&", "~~", "||", "(?(")
# A scanned project's config can make a run compile patterns (globs, rule patterns): a long one is
# compiled every time, not stored, so that it cannot crowd the table past its bounds
MAX_PATTERN = 4096
_ASSEMBLY = (int, list, int, dict, tuple)  # final flags, code, groups - 1, group index, index group


def _may_warn(pattern: str) -> bool:
    return any(text in pattern for text in _WARNED)


def _parser_digest() -> str:
    """A digest of the bytecode of the parser functions that can warn (~50 us)."""
    code = _parser._parse.__code__.co_code + _parser.Tokenizer.checkgroupname.__code__.co_code
    return sha256(code).hexdigest()[:32]


class PatternCache:
    """The stand-in for `re._compiler.compile`, storing into a `MethodCache`'s table."""

    def __init__(self, table: MethodCache) -> None:
        self.table = table

    def compile(self, p: Any, flags: int = 0) -> Any:
        """`re._compiler.compile` (Python 3.11), looking a pattern's assembly up first."""
        if _compiler.isstring(p):
            pattern = p
            storable = type(p) is str and type(flags) is int and len(p) <= MAX_PATTERN and not _may_warn(p)
            key = (None, p, flags) if storable else None
            assembled = self.stored(key) if key is not None else None
            if assembled is not None:
                try:
                    return _sre.compile(pattern, *assembled)
                except (RuntimeError, TypeError, ValueError, OverflowError):  # code `_sre` rejects
                    pass
            p = _parser.parse(p, flags)
        else:
            pattern = key = None

        code = _compiler._code(p, flags)

        if flags & _compiler.SRE_FLAG_DEBUG:
            print()
            _compiler.dis(code)

        # map in either direction
        groupindex = p.state.groupdict
        indexgroup = [None] * p.state.groups
        for k, i in groupindex.items():
            indexgroup[i] = k

        compiled = _sre.compile(
            pattern, flags | p.state.flags, code, p.state.groups - 1, groupindex, tuple(indexgroup)
        )
        if key is not None and not flags & _compiler.SRE_FLAG_DEBUG:
            self.store(key, (flags | p.state.flags, code, p.state.groups - 1, groupindex, tuple(indexgroup)))
        return compiled

    def store(self, key: tuple[Any, ...], assembled: tuple[Any, ...]) -> None:
        """Keep what `_sre.compile` was given. The code's opcodes are `int` subclasses (named
        constants), which `marshal` cannot write: `_sre.compile` reads each as the number it is."""
        final_flags, code, groups, groupindex, indexgroup = assembled
        try:
            plain = (int(final_flags), [int(word) for word in code], int(groups), groupindex, indexgroup)
            stored = marshal.dumps(plain)
        except (TypeError, ValueError):  # a part `marshal` cannot write: compiled, not kept
            return
        self.table.used[key] = self.table.compiled[key] = stored

    def stored(self, key: tuple[Any, ...]) -> tuple[Any, ...] | None:
        """The assembly stored for `key`, if it has the shape `_sre.compile` takes."""
        table = self.table
        if table.known is None:
            table.known = load(table.path, table.secret)
        stored = table.known.get(key)
        if stored is None:
            return None
        try:
            assembled = marshal.loads(stored)
        except (EOFError, ValueError, TypeError):
            return None
        if type(assembled) is not tuple or tuple(map(type, assembled)) != _ASSEMBLY:
            return None
        table.used[key] = stored
        return assembled


@contextmanager
def installed(table: MethodCache) -> Iterator[PatternCache | None]:
    """Patterns compiled inside the block reuse (and add to) `table`'s assemblies; nothing is
    changed where `re._compiler.compile` is not the one the stand-in copies."""
    original = vars(_compiler).get("compile")
    if (
        getattr(original, "__code__", None) is None
        or _shape_digest(original.__code__) not in _KNOWN_COMPILE
        or _parser_digest() not in _KNOWN_PARSER
    ):
        yield None
        return
    cache = PatternCache(table)
    _compiler.compile = cache.compile
    try:
        yield cache
    finally:
        _compiler.compile = original
