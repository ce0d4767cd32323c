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

May import: the lower layers, `summary` (the summary types), and `module` and `export` lazily
(analysing a module is building a `ModuleTaint`); the engine and `module` import this module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES

from ..prefilter import searchable, spells_marker
from ..sha import sha256
from .summary import ModuleSummary, summary_from_json, summary_to_json, summary_tokens
from .values import count_words

MAX_BYTES = 1_000_000  # a larger module is not summarised (its callers see an unknown function)
MAX_REEXPORTS = 8  # `__init__` re-export hops followed
MAX_FANOUT = 8  # project modules mentioning a source or sink that one module may import and still be
# followed into (an application's route imports a few helpers; a library's modules import dozens)
HORIZON = (
    1  # a file sees its imports' summaries; theirs see their own imports' outlines (constants, re-exports)
)

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([^)#\n]*)|import[ \t]+([^#\n]+))", re.M
)


class ProjectModules:
    """The project's modules below `root`, summarised on first use (once per run and process)."""

    def __init__(self, root: Path, catalog: Any, store: Any = None) -> None:
        """`store` keeps summaries between runs (`get_record`/`put_record`, see `cache`)."""
        self.root = root.resolve()
        self.catalog = catalog
        self.store = store
        self._keys: dict[str, str | None] = {}
        self._summaries: dict[tuple[str, int], ModuleSummary | None] = {}
        self._files: dict[str, Path | None] = {}
        self._expansions: Any = None
        self._mentions_memo: dict[Path, bool] = {}
        self._allows_memo: dict[Path, bool] = {}
        self._imports_memo: dict[Path, list[str]] = {}

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

    def resolve(self, qualified: str, horizon: int = HORIZON) -> tuple[ModuleSummary, str] | None:
        """(summary, attribute) for `pkg.llm.ask`: the longest prefix that is a project module,
        `__init__` re-exports followed."""
        for _ in range(MAX_REEXPORTS):
            head, _, attr = qualified.rpartition(".")
            if not head:
                return None
            summary = self.summary(head, horizon)
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
        name = self.module_name(path)
        if not self.allows(name, Path(path), text):
            return "", files
        # the text asked about may be an editor's unsaved buffer: its imports are not memoised
        for module in self._imported(name, Path(path).name == "__init__.py", text):
            summary = self.summary(module)
            if summary is not None:
                tokens += summary_tokens(summary)
                files.update(summary.files)
        return " ".join(tokens), files

    def _imports_of(self, module: str | None, path: Path, text: str) -> list[str]:
        """`_imported` of one file, worked out once per file (several questions read its imports)."""
        path = path.absolute()
        if path not in self._imports_memo:
            self._imports_memo[path] = self._imported(module, path.name == "__init__.py", text)
        return self._imports_memo[path]

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

    def summary(self, module: str, horizon: int = HORIZON) -> ModuleSummary | None:
        """The module's summary as seen from `horizon` levels of imports above it: its analysis
        reads its own imports' summaries at `horizon - 1`; at 0 (or when neither the module nor
        what it imports mentions a catalog source or sink) only its outline (constants, re-exports).
        Results therefore do not depend on the order in which files ask."""
        key = (module, horizon)
        if key in self._summaries:
            return self._summaries[key]
        self._summaries[key] = None  # an import cycle sees "unknown" while this one is built
        path = self.file_of(module)
        summary = self._summarise(module, path, horizon) if path is not None else None
        self._summaries[key] = summary
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
        digest = sha256(f"{module}\0".encode() + data)
        text = data.decode("utf-8", "replace")
        for imported in self._imports_of(module, path, text):
            inner = self._key(imported) if self.file_of(imported) is not None else None
            digest.update(f"\0{imported}\0{inner or ''}".encode())
        self._keys[module] = key = digest.hexdigest()
        return key

    def _summarise(self, module: str, path: Path, horizon: int) -> ModuleSummary | None:
        try:
            data = path.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        if len(data) > MAX_BYTES:
            return None
        if (
            horizon <= 0
            or not self.allows(module, path, text)
            or not self._relevant(module, path, text, horizon)
        ):
            return self._outline(module, path, text)
        key = self._key(module) if self.store is not None else None
        if key is not None:
            cached = self.store.get_record("summary", f"{horizon}:{key}")
            summary = summary_from_json(cached, self.catalog) if cached is not None else None
            if summary is not None:
                return summary
        summary = self._analyse(module, path, text, horizon)
        if key is not None and summary is not None:
            self.store.put_record("summary", f"{horizon}:{key}", summary_to_json(summary, self.catalog))
        return summary

    def allows(self, module: str | None, path: Path, text: str | None = None) -> bool:
        """Whether a module's project imports are followed: at most `MAX_FANOUT` of the modules
        it imports mention a catalog source or sink (decided by the texts alone, so the same
        in every run and worker). Otherwise its calls into the project count as library calls."""
        path = path.absolute()
        if path not in self._allows_memo:
            text = _read_text(path) if text is None else text
            relevant = {
                name
                for name in self._imports_of(module, path, text)
                if (file := self.file_of(name)) is not None and self._mentions(file)
            }
            self._allows_memo[path] = len(relevant) <= MAX_FANOUT
        return self._allows_memo[path]

    def mentions_source(self, text: str) -> bool:
        """Whether a text spells a catalog source: where a flow into another module can start
        (the prefilter follows a file's imports only then)."""
        return self._spells(text, (TAINT_SOURCES,))

    def _mentions(self, path: Path, text: str | None = None) -> bool:
        """Whether a file spells a catalog source or sink (the prefilter's tokens)."""
        if path not in self._mentions_memo:
            text = _read_text(path) if text is None else text
            self._mentions_memo[path] = self._spells(text, (TAINT_SINKS, TAINT_SOURCES))
        return self._mentions_memo[path]

    def _spells(self, text: str, markers: tuple[str, ...]) -> bool:
        """Whether `text` holds all the tokens of one alternative of one of the prefilter markers."""
        if self._expansions is None:
            self._expansions = self.catalog.trigger_expansions()
        return spells_marker(searchable(text), markers, self._expansions)  # as the token gate reads

    def _relevant(self, module: str, path: Path, text: str, horizon: int) -> bool:
        """Whether analysing the module can find more than its outline: it spells a catalog
        source or sink, or imports a module whose summary has flows."""
        if self._mentions(path, text):
            return True
        for imported in self._imports_of(module, path, text):
            summary = self.summary(imported, horizon - 1) if self.file_of(imported) else None
            if summary is not None and any(f.sinks or f.returns_sources for f in summary.functions.values()):
                return True
        return False

    def _outline(self, module: str, path: Path, text: str) -> ModuleSummary | None:
        """What a module offers without analysing it: its constant texts and re-exports."""
        import ast

        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        summary = ModuleSummary(module, path, self._display(path), files=(path,))
        is_package = path.name == "__init__.py"
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                target, value = statement.targets[0], statement.value
                if (
                    isinstance(target, ast.Name)
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    words = count_words(value.value)
                    if words:
                        summary.constants[target.id] = words
            elif isinstance(statement, ast.ImportFrom):
                base = self.absolute(module, statement.level, statement.module or "", is_package)
                for alias in statement.names if base else ():
                    if alias.name != "*":
                        summary.reexports[alias.asname or alias.name] = f"{base}.{alias.name}"
        return summary

    def _analyse(self, module: str, path: Path, text: str, horizon: int) -> ModuleSummary | None:
        """Analyse the module and export its summary (None: not Python, or nesting too deep)."""
        import libcst as cst

        from ..names import NameTable
        from .export import export_summary
        from .module import ModuleTaint

        try:
            tree = cst.parse_module(text)
            taint = ModuleTaint(
                tree,
                NameTable(tree),
                self.catalog,
                project=self,
                module_name=module,
                path=path,
                imports_horizon=horizon - 1,
            )
            return export_summary(taint, module, path, self._display(path))
        except (cst.ParserSyntaxError, RecursionError):
            return None

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""
