"""A module's summary: what its importers need to know about it, and its JSON form for the cache.

Owns the summary types (`ModuleSummary` of `FunctionSummary`s with their `SinkEntry`s and
`SourceEntry`s), the catalog tokens a summary stands for (the prefilter's), and the JSON a
summary is cached as (catalog sinks by index: the cache's run key covers the catalog).

May import: the standard library and `mutations` (the JSON form of what a function puts into
its parameters).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from .mutations import shape_from_json


@dataclass(frozen=True)
class SinkEntry:
    """A parameter of an exported function that reaches a sink inside its module."""

    param: int
    role: str
    target: str
    sink: Any  # the catalog `Sink` (None: a template slot)
    message_role: str | None
    spliced: bool
    encoded: tuple[str, ...]
    steps: tuple[tuple[str, int, int, str], ...]  # (path, line, column, message), across modules


@dataclass(frozen=True)
class SourceEntry:
    """A source an exported function returns."""

    tier: str
    label: str
    description: str
    line: int
    spliced: bool
    encoded: tuple[str, ...]


@dataclass
class FunctionSummary:
    name: str
    params: list[tuple[str, str]]  # (name, kind): pos / kw / star / dstar
    kind: str = "function"  # function | method | static | class (a method's first parameter is bound)
    returns_params: list[tuple[int, bool, tuple[str, ...]]] = field(default_factory=list)
    returns_sources: list[SourceEntry] = field(default_factory=list)
    sinks: list[SinkEntry] = field(default_factory=list)
    guards: list[int] = field(default_factory=list)  # parameters a true result vouches for (a guard)
    returns_state: bool = False  # a method returning what its object was given (`self.text`)
    puts: list[tuple[int, Any]] = field(default_factory=list)  # (parameter, what goes into it: `mutations`)


@dataclass
class ModuleSummary:
    name: str
    path: Path
    display: str  # the path as findings show it (relative to the project root)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    constants: dict[str, int] = field(default_factory=dict)  # name -> constant instruction words
    reexports: dict[str, str] = field(default_factory=dict)  # name -> absolute qualified name
    bases: dict[str, list[str]] = field(default_factory=dict)  # class -> its bases' qualified names
    files: tuple[Path, ...] = ()  # this module's file and those of the summaries it used
    incomplete: str | None = None  # why the summary may miss flows (an importer reports AIS005)
    outlined: bool = False  # constants and re-exports only (`ProjectModules.complete` analyses it)


def interface(summary: ModuleSummary | None) -> Any:
    """What of a summary can change an importer's analysis: the functions that carry a flow,
    the constants and the re-exports (an import cycle is iterated until these stop changing)."""
    if summary is None:
        return None
    flowing = {
        name: (
            frozenset(f.returns_params),
            frozenset((s.tier, s.label, s.spliced, s.encoded) for s in f.returns_sources),
            # not the path or the wording: a flow around a cycle of calls grows them each round
            frozenset((e.param, e.role, id(e.sink), e.message_role, e.spliced, e.encoded) for e in f.sinks),
            frozenset(f.guards),
            f.returns_state,
            json.dumps(f.puts, sort_keys=True),
        )
        for name, f in summary.functions.items()
        if f.returns_params or f.returns_sources or f.sinks or f.guards or f.returns_state or f.puts
    }
    return flowing, summary.constants, summary.reexports, summary.bases


def summary_tokens(summary: ModuleSummary, named: Callable[[str], bool] | None = None) -> list[str]:
    """The catalog tokens a summary stands for (the prefilter's): the sink patterns and source
    descriptions of its functions, or only of those whose name (`ask`, `Assistant.ask`) `named`
    accepts."""
    tokens: list[str] = []
    for name, function in summary.functions.items():
        if named is not None and not named(name):
            continue
        for entry in function.sinks:
            if entry.sink is not None:
                tokens += entry.sink.pattern.replace("*", " ").split(".")
        for source in function.returns_sources:
            tokens += re.findall(r"\w+", source.description)
    return tokens


def summary_to_json(summary: ModuleSummary, catalog: Any) -> dict[str, Any]:
    """A summary as JSON; catalog sinks by their index (the run key covers the catalog)."""
    index = {id(sink): number for number, sink in enumerate(catalog.sinks)}
    return {
        "name": summary.name,
        "path": str(summary.path),
        "display": summary.display,
        "files": [str(f) for f in summary.files],
        "constants": summary.constants,
        "reexports": summary.reexports,
        "bases": summary.bases,
        "incomplete": summary.incomplete,
        "outlined": summary.outlined,
        "functions": {
            name: {
                "params": function.params,
                "kind": function.kind,
                "returns_params": [[i, s, list(e)] for i, s, e in function.returns_params],
                "guards": function.guards,
                "returns_state": function.returns_state,
                "puts": function.puts,
                "returns_sources": [
                    [s.tier, s.label, s.description, s.line, s.spliced, list(s.encoded)]
                    for s in function.returns_sources
                ],
                "sinks": [
                    [
                        e.param,
                        e.role,
                        e.target,
                        index.get(id(e.sink)) if e.sink is not None else None,
                        e.message_role,
                        e.spliced,
                        list(e.encoded),
                        [list(step) for step in e.steps],
                    ]
                    for e in function.sinks
                ],
            }
            for name, function in summary.functions.items()
        },
    }


@lru_cache(maxsize=16384)
def _path(text: str) -> Path:
    """A summary's file as a `Path`, made once per distinct file of a process (`Path` is
    immutable, so summaries share it): the files a summary applied repeat across a cycle's
    record, and making each one was most of reading it back (langchain's 124-module cycle
    lists 3,640 files, about 150 distinct: 17 ms of its 23 ms)."""
    return Path(text)


def summary_from_json(raw: Any, catalog: Any) -> ModuleSummary | None:
    """The summary `summary_to_json` wrote; None when the record does not read back."""
    try:
        sinks = catalog.sinks
        if not isinstance(raw["files"], list):  # a string would read as one file per character
            return None
        summary = ModuleSummary(
            raw["name"],
            _path(raw["path"]),
            raw["display"],
            constants={str(k): int(v) for k, v in raw["constants"].items()},
            reexports={str(k): str(v) for k, v in raw["reexports"].items()},
            bases={str(k): [str(b) for b in v] for k, v in raw["bases"].items()},
            files=tuple(map(_path, raw["files"])),
            incomplete=None if raw["incomplete"] is None else str(raw["incomplete"]),
            outlined=bool(raw["outlined"]),
        )
        for name, data in raw["functions"].items():
            summary.functions[name] = FunctionSummary(
                name,
                [(str(p), str(k)) for p, k in data["params"]],
                str(data["kind"]),
                [(int(i), bool(s), tuple(e)) for i, s, e in data["returns_params"]],
                [
                    SourceEntry(t, lb, d, int(ln), bool(s), tuple(e))
                    for t, lb, d, ln, s, e in data["returns_sources"]
                ],
                [
                    SinkEntry(
                        int(param),
                        role,
                        target,
                        sinks[sink] if sink is not None else None,
                        message_role,
                        bool(spliced),
                        tuple(encoded),
                        tuple(
                            (str(at), int(line), int(column), str(text)) for at, line, column, text in steps
                        ),
                    )
                    for param, role, target, sink, message_role, spliced, encoded, steps in data["sinks"]
                ],
                [int(i) for i in data["guards"]],
                bool(data["returns_state"]),
                [(int(index), shape) for index, shape in data["puts"]],
            )
            for _, shape in summary.functions[name].puts:
                shape_from_json(shape, -1)  # a record that does not read back is not used
        return summary
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError):
        return None
