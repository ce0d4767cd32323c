"""Across modules: the project's own functions as summaries that other modules apply.

Owns finding the project's modules (a dotted name to a file below the project root or its `src/`,
packages through `__init__.py`), analysing an imported module once per run and exporting what its
callers need (`ModuleSummary`): per top-level function, which parameters reach which sink roles
(through the module's own helpers too), which parameters and which sources its return value
carries; the module's constant texts (prompt constants); and the names its `__init__` re-exports.
A caller's `ModuleTaint` applies these at its call sites (`calls`), so a flow that crosses files
is reported once, in the caller, at the argument that carries the data, with the path into the
other file. The prefilter asks `import_tokens` for the catalog tokens a file reaches through its
imports (a route module that only calls `llm.ask(...)` holds no sink token itself).

May import: the lower layers and `module` (lazily: analysing a module is building a
`ModuleTaint`); nothing else of the engine imports this module but `module` and the engine.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_BYTES = 1_000_000  # a larger module is not summarised (its callers see an unknown function)
MAX_REEXPORTS = 8  # `__init__` re-export hops followed
MAX_IMPORT_DEPTH = 6  # imports of imports summarised (deeper: an unknown function)

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([^)#\n]*)|import[ \t]+([^#\n]+))", re.M
)


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
    steps: tuple[tuple[int, int, str], ...]  # (line, column, message) in the function's module


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
    returns_params: list[tuple[int, bool, tuple[str, ...]]] = field(default_factory=list)
    returns_sources: list[SourceEntry] = field(default_factory=list)
    sinks: list[SinkEntry] = field(default_factory=list)


@dataclass
class ModuleSummary:
    name: str
    path: Path
    display: str  # the path as findings show it (relative to the project root)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    constants: dict[str, int] = field(default_factory=dict)  # name -> constant instruction words
    reexports: dict[str, str] = field(default_factory=dict)  # name -> absolute qualified name
    files: tuple[Path, ...] = ()  # this module's file and those of the summaries it used


class ProjectModules:
    """The project's modules below `root`, summarised on first use (once per run and process)."""

    def __init__(self, root: Path, catalog: Any, store: Any = None) -> None:
        """`store` keeps summaries between runs (`get_record`/`put_record`, see `cache`)."""
        self.root = root.resolve()
        self.catalog = catalog
        self.store = store
        self._keys: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._files: dict[str, Path | None] = {}
        self._depth = 0  # summaries being built inside one another (imports of imports)

    # ----- names and files -----

    def module_name(self, path: str | Path) -> str | None:
        """`app.routes` for `<root>/app/routes.py` (or `<root>/src/app/routes.py`), `app` for its
        `__init__.py`; None outside the project."""
        try:
            relative = Path(path).resolve().relative_to(self.root)
        except (ValueError, OSError):
            return None
        parts = list(relative.with_suffix("").parts)
        if parts and parts[0] == "src" and len(parts) > 1:
            parts = parts[1:]
        if parts and parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts or not all(part.isidentifier() for part in parts):
            return None
        return ".".join(parts)

    def file_of(self, module: str) -> Path | None:
        if module not in self._files:
            found = None
            parts = module.split(".")
            for base in (self.root, self.root / "src"):
                for candidate in (
                    base.joinpath(*parts).with_suffix(".py"),
                    base.joinpath(*parts, "__init__.py"),
                ):
                    if candidate.is_file():
                        found = candidate
                        break
                if found is not None:
                    break
            self._files[module] = found
        return self._files[module]

    def absolute(self, importer: str | None, dots: int, module: str, is_package: bool) -> str | None:
        """`from ..llm import ask` in `importer`: the absolute module name (None: above the root)."""
        if not dots:
            return module
        if importer is None:
            return None
        parts = importer.split(".") if importer else []
        if not is_package:
            parts = parts[:-1]
        if dots > 1:
            if dots - 1 > len(parts):
                return None
            parts = parts[: len(parts) - (dots - 1)]
        return ".".join([*parts, *([module] if module else [])]) or None

    # ----- what a caller asks -----

    def resolve(self, qualified: str) -> tuple[ModuleSummary, str] | None:
        """(summary, attribute) for `pkg.llm.ask`: the longest prefix that is a project module,
        `__init__` re-exports followed."""
        for _ in range(MAX_REEXPORTS):
            head, _, attr = qualified.rpartition(".")
            if not head:
                return None
            summary = self.summary(head)
            if summary is None:
                return None
            target = summary.reexports.get(attr)
            if target is None or target == qualified:
                return summary, attr
            qualified = target
        return None

    def import_tokens(self, path: str, text: str) -> tuple[str, set[Path]]:
        """Catalog tokens the file reaches through project imports (the sink patterns and source
        descriptions of the summaries it imports, for the prefilter), and those summaries' files."""
        tokens: list[str] = []
        files: set[Path] = set()
        for module in self._imported(self.module_name(path), Path(path).name == "__init__.py", text):
            summary = self.summary(module)
            if summary is not None:
                tokens += summary_tokens(summary)
                files.update(summary.files)
        return " ".join(tokens), files

    def _imported(self, importer: str | None, is_package: bool, text: str) -> list[str]:
        """Absolute names of what a module's text imports (`from a import b` gives `a` and `a.b`:
        `b` may be a module), as far as a pattern over its import lines tells."""
        found: list[str] = []
        for dots_module, names, plain in _IMPORT.findall(text):
            if plain:
                found += [part.split(" as ")[0].strip() for part in plain.split(",")]
                continue
            dots = len(dots_module) - len(dots_module.lstrip("."))
            base = self.absolute(importer, dots, dots_module.lstrip("."), is_package)
            if base is not None:
                found += [
                    base,
                    *(f"{base}.{n.split(' as ')[0].strip()}" for n in names.split(",") if n.strip()),
                ]
        return [name for name in dict.fromkeys(found) if name]

    def summary(self, module: str) -> ModuleSummary | None:
        if module in self._summaries:
            return self._summaries[module]
        self._summaries[module] = None  # an import cycle sees "unknown" while this one is built
        path = self.file_of(module)
        if path is not None and self._depth >= MAX_IMPORT_DEPTH:
            del self._summaries[module]  # asked again from a shallower import, it is summarised
            return None
        if path is None:
            return None
        self._depth += 1
        try:
            summary = self._summarise(module, path)
        finally:
            self._depth -= 1
        self._summaries[module] = summary
        return summary

    def _key(self, module: str) -> str | None:
        """What a module's summary depends on: its name, its bytes, and the keys of the project
        modules it imports (a changed helper changes the key of every module above it)."""
        if module in self._keys:
            return self._keys[module]
        self._keys[module] = None  # an import cycle: the module's own bytes still count
        path = self.file_of(module)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(f"{module}\0".encode() + data)
        text = data.decode("utf-8", "replace")
        for imported in self._imported(module, path.name == "__init__.py", text):
            inner = self._key(imported) if self.file_of(imported) is not None else None
            digest.update(f"\0{imported}\0{inner or ''}".encode())
        self._keys[module] = key = digest.hexdigest()
        return key

    def _summarise(self, module: str, path: Path) -> ModuleSummary | None:
        key = self._key(module) if self.store is not None else None
        if key is not None:
            cached = self.store.get_record("summary", key)
            summary = summary_from_json(cached, self.catalog) if cached is not None else None
            if summary is not None:
                return summary
        summary = self._analyse(module, path)
        if key is not None and summary is not None:
            self.store.put_record("summary", key, summary_to_json(summary, self.catalog))
        return summary

    def _analyse(self, module: str, path: Path) -> ModuleSummary | None:
        """Analyse the module's file and export its summary (None: unreadable, too large or not Python)."""
        import libcst as cst

        from ..names import NameTable
        from .export import export_summary
        from .module import ModuleTaint

        try:
            data = path.read_bytes()
            if len(data) > MAX_BYTES:
                return None
            tree = cst.parse_module(data.decode("utf-8-sig"))
            taint = ModuleTaint(
                tree, NameTable(tree), self.catalog, project=self, module_name=module, path=path
            )
            return export_summary(taint, module, path, self._display(path))
        except (OSError, UnicodeDecodeError, cst.ParserSyntaxError, RecursionError):
            return None

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def summary_tokens(summary: ModuleSummary) -> list[str]:
    tokens: list[str] = []
    for function in summary.functions.values():
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
        "functions": {
            name: {
                "params": function.params,
                "returns_params": [[i, s, list(e)] for i, s, e in function.returns_params],
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


def summary_from_json(raw: Any, catalog: Any) -> ModuleSummary | None:
    """The summary `summary_to_json` wrote; None when the record does not read back."""
    try:
        sinks = catalog.sinks
        summary = ModuleSummary(
            raw["name"],
            Path(raw["path"]),
            raw["display"],
            constants={str(k): int(v) for k, v in raw["constants"].items()},
            reexports={str(k): str(v) for k, v in raw["reexports"].items()},
            files=tuple(Path(f) for f in raw["files"]),
        )
        for name, data in raw["functions"].items():
            summary.functions[name] = FunctionSummary(
                name,
                [(str(p), str(k)) for p, k in data["params"]],
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
                        tuple((int(line), int(column), str(text)) for line, column, text in steps),
                    )
                    for param, role, target, sink, message_role, spliced, encoded, steps in data["sinks"]
                ],
            )
        return summary
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None
