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

from typing import Any

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES

BUILTINS = "builtins"
# Builtin types the taint engine gives a value without the code reading the name (`taint.library`).
SYNTHESISED = frozenset({"dict"})


def builtin_gates(catalog: Any, marker: str) -> dict[tuple[str, ...], str]:
    """The alternatives of `marker` (a taint source or sink marker) that only entries named
    `builtins.X` give, each with its `X` (empty: none, or not a taint marker)."""
    from aisec.hooks import TaintCatalog

    entries = _entries(catalog, marker)
    if entries is None:
        return {}
    sources, parameter_sources, sinks = entries
    gated_sources = [s for s in sources if _builtin(s.pattern) is not None]
    gated_sinks = [s for s in sinks if _builtin(s.pattern) is not None]
    if not gated_sources and not gated_sinks:
        return {}
    others = TaintCatalog(
        sources=tuple(s for s in sources if _builtin(s.pattern) is None),
        parameter_sources=tuple(parameter_sources),
        sinks=tuple(s for s in sinks if _builtin(s.pattern) is None),
    )
    given_elsewhere = {*others.source_tokens(), *others.sink_tokens()}
    gates: dict[tuple[str, ...], str] = {}
    ambiguous: set[tuple[str, ...]] = set()
    for entry in (*gated_sources, *gated_sinks):
        name = _builtin(entry.pattern)
        assert name is not None
        alone = TaintCatalog(sources=(entry,)) if entry in gated_sources else TaintCatalog(sinks=(entry,))
        for alternative in (*alone.source_tokens(), *alone.sink_tokens()):
            if alternative in given_elsewhere or gates.get(alternative, name) != name:
                ambiguous.add(alternative)
            gates[alternative] = name
    return {alternative: name for alternative, name in gates.items() if alternative not in ambiguous}


def reads_builtin(name: str, names_read: set[str], identifiers: str) -> bool:
    """Whether a module may build `builtins.<name>`: a `Name` node of it is `name`
    (`names_read`), or an identifier (`identifiers`, all of them one a line) contains `builtins`."""
    return name in names_read or BUILTINS in identifiers


def _builtin(pattern: str) -> str | None:
    """`X` of a pattern `builtins.X` (an identifier, not a synthesised type); None otherwise."""
    root, dot, name = pattern.partition(".")
    if root != BUILTINS or not dot or not (name.isascii() and name.isidentifier()) or name in SYNTHESISED:
        return None
    return name


def _entries(catalog: Any, marker: str) -> tuple[list[Any], list[Any], list[Any]] | None:
    """(sources, parameter sources, sinks) a marker stands for; None: not a taint marker."""
    if marker == TAINT_SINKS or marker.startswith(TAINT_SINKS + ":"):
        role = marker[len(TAINT_SINKS) + 1 :] or None
        sinks = [s for s in catalog.sinks if role is None or any(a.role == role for a in s.arguments)]
        return [], [], sinks
    if marker == TAINT_SOURCES or marker.startswith(TAINT_SOURCES + ":"):
        tier = marker[len(TAINT_SOURCES) + 1 :] or None
        sources = [s for s in catalog.sources if tier is None or s.tier == tier]
        parameters = [p for p in catalog.parameter_sources if tier is None or p.tier == tier]
        return sources, parameters, []
    return None
