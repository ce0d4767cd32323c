"""Catalog matching: which sources, sinks, sanitizers and parameter sources a name matches.

Owns the pattern index (`Patterns`, by last name part, memoised per name tuple) and the per-run
index of a merged `TaintCatalog` (`CatalogIndex`). This is the boundary between the generic flow
engine and the language/library configuration: everything else asks `CatalogIndex` and never reads
catalog patterns itself.

May import: `aisec.hooks` (the catalog types), `aisec.globs` (fnmatch without regexes) and the standard
library; nothing else of the engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from aisec.hooks import TaintCatalog

from ..globs import glob_matches


class Patterns:
    """Entries keyed by fnmatch patterns, looked up by name; indexed by the last name part."""

    def __init__(self, entries: Iterable[tuple[str, Any]]) -> None:
        self._by_last: dict[str, list[tuple[str, Any]]] = {}
        self._wild: list[tuple[str, Any]] = []
        self._memo: dict[tuple[str, ...], list[tuple[Any, str]]] = {}
        self._entries: dict[tuple[str, ...], tuple[Any, ...]] = {}  # `match`
        by_last, wild = self._by_last, self._wild
        for pattern, entry in entries:  # made for ~3,000 entries once per process: kept plain
            last = pattern.rpartition(".")[2]
            if "*" in last or "?" in last or "[" in last:
                wild.append((pattern, entry))
            elif last in by_last:
                by_last[last].append((pattern, entry))
            else:
                by_last[last] = [(pattern, entry)]

    def match(self, names: Iterable[str]) -> tuple[Any, ...]:
        """The entries `names` match, each once (memoised like `match_names`)."""
        key = tuple(names)
        found = self._entries.get(key)
        if found is None:
            found = self._entries[key] = tuple(entry for entry, _ in self.match_names(key))
        return found

    def match_names(self, names: Iterable[str]) -> list[tuple[Any, str]]:
        """(entry, the name that matched it), each entry once."""
        key = tuple(names)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._match(key)
        return found

    def _match(self, names: tuple[str, ...]) -> list[tuple[Any, str]]:
        found: list[tuple[Any, str]] = []
        for name in names:
            last = name.rsplit(".", 1)[-1]
            for pattern, entry in (*self._by_last.get(last, ()), *self._wild):
                if glob_matches(name, pattern) and not any(entry is f for f, _ in found):
                    found.append((entry, name))
        return found


@dataclass(frozen=True)
class CatalogIndex:
    """A catalog's patterns, indexed once per run (every file of the run shares it)."""

    sources: Patterns
    sinks: Patterns
    sanitizers: Patterns
    decorators: Patterns
    registrars: Patterns

    @staticmethod
    def of(catalog: TaintCatalog) -> CatalogIndex:
        cached = _INDEXES.get(id(catalog))
        if cached is not None and cached[0] is catalog:
            return cached[1]
        index = CatalogIndex(
            Patterns((s.pattern, s) for s in catalog.sources),
            Patterns((s.pattern, s) for s in catalog.sinks),
            Patterns((s.pattern, s) for s in catalog.sanitizers),
            Patterns((p, ps) for ps in catalog.parameter_sources for p in ps.decorators),
            Patterns((p, ps) for ps in catalog.parameter_sources for p in ps.registrars),
        )
        _INDEXES[id(catalog)] = (catalog, index)
        return index


_INDEXES: dict[int, tuple[TaintCatalog, CatalogIndex]] = {}
