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

    def __init__(self, root: Path, catalog: Any) -> None:
        self.root = root.resolve()
        self.catalog = catalog
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
        importer = self.module_name(path)
        is_package = Path(path).name == "__init__.py"
        tokens: list[str] = []
        files: set[Path] = set()
        for dots_module, names, plain in _IMPORT.findall(text):
            modules = []
            if plain:
                modules = [part.split(" as ")[0].strip() for part in plain.split(",")]
            else:
                dots = len(dots_module) - len(dots_module.lstrip("."))
                base = self.absolute(importer, dots, dots_module.lstrip("."), is_package)
                if base is None:
                    continue
                modules = [base] + [
                    f"{base}.{n.split(' as ')[0].strip()}" for n in names.split(",") if n.strip()
                ]
            for module in modules:
                summary = self.summary(module) if module else None
                if summary is not None:
                    tokens += summary_tokens(summary)
                    files.update(summary.files)
        return " ".join(tokens), files

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

    def _summarise(self, module: str, path: Path) -> ModuleSummary | None:
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
