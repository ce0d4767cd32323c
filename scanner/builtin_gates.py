"""Builtin gates: a taint marker alternative only `builtins.X` gives needs `X` read as a name.

The identifier screen (`identifiers`) holds a marker alternative when its tokens are identifiers
of the module. The sinks `builtins.open`, `builtins.getattr`, `builtins.exec`, `eval`, `compile`
and `__import__`, and the source `builtins.input`, have one token, `X`, since `builtins` is spelled
nowhere; so `re.compile(...)`, `model.eval()`, `os.open(...)` or `self.exec(...)` made them hold
(on langchain, AIS301 was parsed for 19 modules, and AIS304 for one, on such attributes alone).

Soundness. A name the engine builds whose first component is `builtins` is made by the name table
(`NameTable.qualified`) or the taint engine from a name that is read, `X` itself: an unbound
`Name` `X` resolves to `builtins.X`, and every other name starts with what an import, a binding
or a base resolves to. An attribute `a.X` is `builtins.X` only when `a` resolves to `builtins`
itself, which some identifier of the module must spell (`import builtins`, `from builtins import
open as o`, `__builtins__`): then no gate applies. The engine carries `builtins.X` on as the type
of a value (`f = open; f(p)`, `h = getattr(o, n); h(x)`), and a call's names add components after
it (`.read`, `.__call__`, an alternate constructor's method), never remove them; the one type the
engine gives without a name being read is `builtins.dict` (`globals()`'s namespace, in
`taint.library`), so `dict` is never gated. Hence: where no `Name` node of the module is `X`
and no identifier contains `builtins`, no name the engine builds for this module's code is
`builtins.X`, and an alternative that only `builtins.X` entries of a marker give cannot hold. A
`Name` in any context counts (a store, `del`), and every occurrence counts: a call with constant
arguments (`open("notes.txt")`, `getattr(self, "x")`) still counts, since its result carries the
name to wherever it flows. Names of another module reach this one only through its project
imports, which the prefilter follows on the text (`engine.FileScanner._through_imports`), as for
every identifier of the screen.

An alternative some other entry of the marker gives too (`*.open`, `io.open`, a parameter source)
is not gated; neither is a pattern with a wildcard in `X` (`builtins.exec*`).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES, Sink, TaintCatalog

BUILTINS = "builtins"
# Builtin types the taint engine gives a value without the code reading the name (`taint.library`).
SYNTHESISED = frozenset({"dict"})


class BuiltinGates:
    """The builtin gates of a catalog's markers, each made when first asked (a one-file run asks
    for a dozen markers; the entries named `builtins.X` are found once)."""

    def __init__(self, catalog: Any, given_by_parameters: frozenset[tuple[str, ...]]) -> None:
        """`given_by_parameters`: the alternatives the catalog's parameter sources give (of every
        tier: counting more of them only gates less)."""
        self._by_parameters = given_by_parameters
        self._builtin = [
            (entry, name)
            for entry in (*catalog.sources, *catalog.sinks)
            if (name := _builtin(entry.pattern)) is not None
        ]
        # the other entries that spell one of those names, with their alternatives: only they
        # can give one of the same alternatives
        gated = {id(entry) for entry, _ in self._builtin}
        spells = re.compile("|".join(sorted({re.escape(name) for _, name in self._builtin}))).search
        self._others = [
            (entry, _tokens(entry))
            for entry in (*catalog.sources, *catalog.sinks)
            if self._builtin and id(entry) not in gated and spells(_spelled(entry))
        ]
        self._gates: dict[str, dict[tuple[str, ...], str]] = {}

    def of(self, marker: str) -> dict[tuple[str, ...], str]:
        """The alternatives of `marker` (a taint source or sink marker) that only entries named
        `builtins.X` give, each with its `X` (empty: none, or not a taint marker)."""
        gates = self._gates.get(marker)
        if gates is None:
            gates = self._gates[marker] = self._make(marker) if self._builtin else {}
        return gates

    def _make(self, marker: str) -> dict[tuple[str, ...], str]:
        found = _marker_entries(marker)
        if found is None:
            return {}
        sinks, wanted = found
        mine = [
            (entry, name)
            for entry, name in self._builtin
            if isinstance(entry, Sink) == sinks and wanted(entry)
        ]
        if not mine:
            return {}
        gates: dict[tuple[str, ...], str] = {}
        ambiguous: set[tuple[str, ...]] = set()
        for entry, name in mine:
            for alternative in _tokens(entry):
                if gates.get(alternative, name) != name:
                    ambiguous.add(alternative)
                gates[alternative] = name
        for entry, alternatives in self._others:
            if isinstance(entry, Sink) == sinks and wanted(entry):
                ambiguous.update(alternatives)
        ambiguous |= self._by_parameters
        return {alternative: name for alternative, name in gates.items() if alternative not in ambiguous}


def reads_builtin(name: str, names_read: set[str], identifiers: str) -> bool:
    """Whether a module may build `builtins.<name>`: a `Name` node of it is `name`
    (`names_read`), or an identifier (`identifiers`, all of them one a line) contains `builtins`."""
    return name in names_read or BUILTINS in identifiers


def _builtin(pattern: str) -> str | None:
    """`X` of a pattern `builtins.X` (an identifier, not a synthesised type); None otherwise."""
    if not pattern.startswith(BUILTINS + "."):
        return None
    name = pattern[len(BUILTINS) + 1 :]
    return name if name.isascii() and name.isidentifier() and name not in SYNTHESISED else None


def _marker_entries(marker: str) -> tuple[bool, Callable[[Any], bool]] | None:
    """Whether a taint marker stands for sinks (or sources), and which of them (None: not a
    taint marker)."""
    if marker == TAINT_SINKS or marker.startswith(TAINT_SINKS + ":"):
        role = marker[len(TAINT_SINKS) + 1 :] or None
        return True, lambda sink: role is None or any(argument.role == role for argument in sink.arguments)
    if marker == TAINT_SOURCES or marker.startswith(TAINT_SOURCES + ":"):
        tier = marker[len(TAINT_SOURCES) + 1 :] or None
        return False, lambda source: tier is None or source.tier == tier
    return None


def _spelled(entry: Any) -> str:
    """The patterns of a source or sink, whose literal runs its token alternatives are."""
    within = getattr(entry, "within", ())
    return " ".join((entry.pattern, *within)) if within else entry.pattern


def _tokens(entry: Any) -> tuple[tuple[str, ...], ...]:
    """The token alternatives one source or sink gives (`TaintCatalog.source_tokens`)."""
    if isinstance(entry, Sink):
        return TaintCatalog(sinks=(entry,)).sink_tokens()
    return TaintCatalog(sources=(entry,)).source_tokens()
