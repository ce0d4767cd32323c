"""Tail gates: the last part of a catalog name must be spelled where a name can end.

The identifier screen (`identifiers`) holds a marker alternative when its tokens are identifiers
of the module, wherever they occur. But the last component of a name the engine builds comes
from few places, and a token spelled only elsewhere cannot end one. On langchain, a local
variable `extra` made `*.extra` (Django's `QuerySet.extra`) hold for AIS302 in 25 modules, and
`re.compile`, `model.eval()` or `os.open` made the `exec` and `path` sinks (`builtins.compile`,
`eval`, `open`) hold.

Where a name ends. Names are built when code is read: the name table (`NameTable.qualified`)
resolves a `Name` to the path of an import (`import a.b.c`, `from a import c`: the last part is
an import's name), to the value of the expression it was bound to (resolved the same way), or,
unbound, to `builtins.<the name>` or, after `from M import *`, to `M.<the name>` (the `Name`
itself ends it); an attribute adds its `attr`; `getattr(o, "name")` adds the string; a call
takes its callee's value. The taint engine adds a call's name as written (its last
attribute; a bare `Name` has no dot, so it matches no pattern with one), `.__call__`, a pipe's
or path's method (an attribute), an alternate constructor's method (the same call's attribute),
bases of local classes (resolved as above), a value's type followed by attributes read on it, or
alone. A type is a name resolved as above, the type of a parameter source (`django.http.
HttpRequest`, which the code need not spell: a tail that is a component of one is not gated),
`builtins.dict`, which the engine gives `globals()`'s namespace, or `pathlib.Path` for a path
joined with `/` (`SYNTHESISED`: never gated). So in a name the engine builds for this module's
code, the last component is: an attribute name, a component of an import's path or name, a
`getattr` string (`identifiers.ATTRIBUTE`, `IMPORT`), `X` of `builtins.X` for a `Name` `X` read
(`NAME`, any context) where the name table finds no binding of `X` (`aisec.shadowing`: not a
parameter `input` of the function it is in) and, in a module with an absolute star import, `X`
of `M.X` for any `Name` `X`, `__call__`, a parameter-source type's component, or a synthesised type's. A type that comes from another module's summary reaches this
one through its project imports, which the prefilter follows on the text
(`engine.FileScanner._through_imports`), as for every identifier of the screen.

The gate. For an entry whose pattern ends in a literal part `X` (not `__call__`, at least two
parts), a name it matches ends in `X`: the module must spell `X` as an attribute, import or
`getattr` string, or (when `builtins.X` matches the pattern and `X` is a builtin, or the module
has an absolute star import, `identifiers.IdentifierKinds.star_import`) as a `Name`. For
`builtins.X` itself, only a `Name` `X` will do, unless some identifier contains `builtins`
(`import builtins`, `__builtins__`: then an attribute can end it too). An alternative of a marker
holds when one of the entries giving it can end a name; an alternative a parameter source gives,
or an entry whose last part has a wildcard, is not gated. A call with constant arguments counts
like any other read: its value carries its name on (`done = exec("pass"); done(x)` is an `exec`
call to the engine).
"""

from __future__ import annotations

import builtins
from fnmatch import fnmatchcase
from typing import Any, Callable

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES, TEMPLATE, Sink
from aisec.hooks.taint import INTRINSIC_TEMPLATE_TOKENS, entry_tokens

BUILTINS = "builtins"
BUILTIN_NAMES = frozenset(dir(builtins))
# The last parts of the types the taint engine gives a value without the code spelling them:
# `globals()`'s namespace (`taint.library`) and a path joined with `/` (`taint.vocabulary.PATH_TYPES`,
# not imported here: the screen runs without the taint engine)
SYNTHESISED = frozenset({"dict", "Path", "PurePath", "PosixPath", "WindowsPath"})
# What may end a name whose last part is `X`: a `Name` `X` read (a builtin only), `X` spelled as
# an attribute, import or `getattr` string, or either
NAME_ONLY, SPELLED, NAME_OR_SPELLED = range(3)
Tail = tuple[str, int]  # (X, one of the three)
# Per alternative, each entry giving it: (a sink?, its roles or its tier, its tail or None)
TailIndex = dict[tuple[str, ...], tuple[tuple[bool, tuple[str, ...], "Tail | None"], ...]]


def tail_index(catalog: Any, exempt: frozenset[tuple[str, ...]]) -> TailIndex:
    """Every alternative the catalog's sources and sinks give but `exempt` (those parameter
    sources give: never gated), with the entries giving it: plain data, kept with the screen's
    other catalog facts (`identifiers.catalog_facts`)."""
    types = tuple(source.type for source in catalog.parameter_sources if source.type)
    index: dict[tuple[str, ...], list[tuple[bool, tuple[str, ...], Tail | None]]] = {}
    for entry in (*catalog.sources, *catalog.sinks):
        sink = isinstance(entry, Sink)
        keys = tuple(dict.fromkeys(a.role for a in entry.arguments)) if sink else (entry.tier,)
        tail = _tail(entry.pattern, types)
        for alternative in entry_tokens(entry):
            if alternative not in exempt:
                index.setdefault(alternative, []).append((sink, keys, tail))
    for alternative in INTRINSIC_TEMPLATE_TOKENS:  # the engine's own sinks: no name ends them
        index.setdefault(alternative, []).append((True, (TEMPLATE,), None))
    return {alternative: tuple(entries) for alternative, entries in index.items()}


class TailGates:
    """The tail gates of a catalog's markers: per alternative, the tails one of which the module
    must be able to end a name with (`tail_index`; made when a module first asks)."""

    def __init__(self, index: TailIndex) -> None:
        self._index = index
        self._gates: dict[tuple[str, tuple[str, ...]], tuple[Tail, ...] | None] = {}

    def tails(self, marker: str, alternative: tuple[str, ...]) -> tuple[Tail, ...] | None:
        """The tails one of which a module must spell for `alternative` of `marker` to hold
        (None: not gated)."""
        key = (marker, alternative)
        if key in self._gates:
            return self._gates[key]
        found: tuple[Tail, ...] | None = None
        wanted = _marker_entries(marker)
        if wanted is not None:
            tails: list[Tail] = []
            for sink, keys, tail in self._index.get(alternative, ()):
                if wanted(sink, keys):
                    if tail is None:
                        break
                    tails.append(tail)
            else:
                found = tuple(dict.fromkeys(tails)) if tails else None
        self._gates[key] = found
        return found


def _tail(pattern: str, types: tuple[str, ...]) -> Tail | None:
    """What must end a name `pattern` matches (None: anything may). `types`: the parameter-source
    types, whose parts may end a name without the code spelling them."""
    root, dot, last = pattern.rpartition(".")
    if not dot or last == "__call__" or not (last.isascii() and last.isidentifier()):
        return None
    if last in SYNTHESISED or any(last in given for given in types):
        return None
    if root == BUILTINS:
        return (last, NAME_ONLY)
    if last in BUILTIN_NAMES and fnmatchcase(f"{BUILTINS}.{last}", pattern):
        return (last, NAME_OR_SPELLED)
    return (last, SPELLED)


def can_end(
    tails: tuple[Tail, ...],
    name_ends: Callable[[str], bool],
    spelled: Callable[[str], bool],
    identifiers: str,
) -> bool:
    """Whether a module can end a name with one of `tails`: `name_ends`, whether a `Name` of a
    word is read where it can end a name (unbound: `builtins.X`; after a star import: `M.X`);
    `spelled`, whether a word is an attribute, import or `getattr` string component of it;
    `identifiers`, all of them one a line (`builtins` in one lets anything end `builtins.X`)."""
    for name, where in tails:
        if where != SPELLED and name_ends(name):
            return True
        if (where != NAME_ONLY or BUILTINS in identifiers) and spelled(name):
            return True
    return False


def _marker_entries(marker: str) -> Callable[[bool, tuple[str, ...]], bool] | None:
    """Which catalog sources or sinks (a sink?, its roles or tier) a taint marker stands for
    (None: not a taint marker)."""
    if marker == TAINT_SINKS or marker.startswith(TAINT_SINKS + ":"):
        role = marker[len(TAINT_SINKS) + 1 :] or None
        return lambda sink, roles: sink and (role is None or role in roles)
    if marker == TAINT_SOURCES or marker.startswith(TAINT_SOURCES + ":"):
        tier = marker[len(TAINT_SOURCES) + 1 :] or None
        return lambda sink, tiers: not sink and (tier is None or tier in tiers)
    return None
