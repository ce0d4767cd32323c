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

import hashlib
import re
from pathlib import Path
from typing import Any

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES

from ..prefilter import searchable
from .summary import ModuleSummary, interface, summary_from_json, summary_to_json, summary_tokens
from .values import count_words

MAX_BYTES = 1_000_000  # a larger module is not summarised (its callers see an unknown function)
MAX_REEXPORTS = 8  # `__init__` re-export hops followed
MAX_CYCLE_ROUNDS = 3  # rounds over an import cycle's modules until their summaries stop changing
MAX_REACH = 1000  # project modules spelling a source or sink that one module's imports may reach,
# directly or through theirs, and still be followed (more: calls into them are library calls, and a
# scanned file that makes one is reported as not fully analysed, AIS005)

_DEFINES = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]", re.M)
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
        self.max_reach = MAX_REACH
        self._keys: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._current: dict[str, ModuleSummary | None] = {}  # the component being summarised
        self._component_of: dict[str, tuple[str, ...]] = {}
        self._reach: dict[str, frozenset[str] | None] = {}
        self._files: dict[str, Path | None] = {}
        self._expansions: Any = None
        self._mentions_memo: dict[Path, bool] = {}
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

    def resolve(self, qualified: str) -> tuple[ModuleSummary, str] | None:
        """(summary, attribute) for `pkg.llm.ask` (attribute `ask`) or a method, `pkg.llm.Assistant.ask`
        or `pkg.llm.client.ask` (attribute `Assistant.ask`, `client.ask`): the module is the
        prefix that is a project module, `__init__` re-exports followed."""
        for _ in range(MAX_REEXPORTS):
            parts = qualified.split(".")
            head = next(
                (n for n in (len(parts) - 1, len(parts) - 2) if n > 0 and self.file_of(".".join(parts[:n]))),
                None,
            )
            summary = self.summary(".".join(parts[:head])) if head is not None else None
            if summary is None:
                return None
            attr = ".".join(parts[head:])
            target = summary.reexports.get(parts[head])
            if target is None or target == f"{summary.name}.{parts[head]}":
                return summary, attr
            qualified = ".".join([target, *parts[head + 1 :]])
        return None

    def import_tokens(self, path: str, text: str) -> tuple[str, set[Path]]:
        """Catalog tokens the file reaches through project imports (the sink patterns and source
        descriptions of the summaries it imports, for the prefilter), and those summaries' files.
        A file whose imports reach too far gets the tokens its imports spell instead: it is then
        analysed and reported as not fully analysed, never skipped silently."""
        tokens: list[str] = []
        files: set[Path] = set()
        name = self.module_name(path)
        # the text asked about may be an editor's unsaved buffer: its imports are not memoised
        imported = self._imported(name, Path(path).name == "__init__.py", text)
        wide = self._reach_of(imported, name) is None
        for module in imported:
            file = self.file_of(module)
            if file is None or module == name:
                continue
            if wide:
                tokens += self._spelled(file)
                files.add(file)
                continue
            summary = self.summary(module)
            if summary is not None:
                tokens += summary_tokens(summary)
                files.update(summary.files)
        return " ".join(tokens), files

    def allows(self, module: str | None, path: Path, text: str | None = None) -> bool:
        """Whether a module's project imports are followed: they reach (directly or through
        theirs) at most `MAX_REACH` project modules that spell a catalog source or sink (decided
        by the texts alone, so the same in every run and worker). Otherwise its calls into the
        project count as library calls, and a scanned file says so (AIS005)."""
        if module is not None and self.file_of(module) is not None:
            return self.reach(module) is not None
        text = _read_text(path) if text is None else text
        return self._reach_of(self._imports_of(module, path, text), module) is not None

    def reach(self, module: str) -> frozenset[str] | None:
        """The project modules spelling a catalog source or sink that `module` is or imports,
        directly or not (None: more than `MAX_REACH`)."""
        if module not in self._reach:
            self._components(module)
        return self._reach.get(module, frozenset())

    def summary(self, module: str) -> ModuleSummary | None:
        """The module's summary: computed bottom-up over the import graph (what it imports is
        summarised first; an import cycle is iterated as one, `MAX_CYCLE_ROUNDS` at most), so the
        result does not depend on the order in which files ask."""
        if module in self._summaries:
            return self._summaries[module]
        if module in self._current:  # a member of the import cycle being summarised
            return self._current[module]
        if self.file_of(module) is None:
            return None
        self._components(module)
        for component in self._unsettled(module):
            self._settle(component)
        return self._summaries.get(module)

    # ----- the import graph -----

    def _edges(self, module: str) -> list[str]:
        """The project modules `module` imports (itself excluded: a self-import adds nothing)."""
        path = self.file_of(module)
        if path is None:
            return []
        imported = self._imports_of(module, path, _read_text(path))
        return [name for name in imported if name != module and self.file_of(name) is not None]

    def _components(self, start: str) -> None:
        """Tarjan's strongly connected components of the import graph below `start` (iterative:
        a chain of hundreds of modules is no recursion), each with what it reaches
        (`_reach`), in the order they complete: every component after those it imports."""
        if start in self._component_of:
            return
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        work = [(start, iter(self._edges(start)))]
        index[start] = low[start] = 0
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            child = next(pending, None)
            if child is not None:
                if child in self._component_of:
                    continue
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(self._edges(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] != index[node]:
                continue
            members: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == node:
                    break
            self._close(tuple(sorted(members)))

    def _close(self, component: tuple[str, ...]) -> None:
        """Record a finished component and what it reaches (its imports' components are closed)."""
        reached: set[str] | None = {m for m in component if self._mentions(self.file_of(m))}
        for member in component:
            self._component_of[member] = component
        for member in component:
            for name in self._edges(member):
                if name in component or reached is None:
                    continue
                below = self._reach.get(name, frozenset())
                reached = None if below is None else reached | below
                if reached is not None and len(reached) > self.max_reach:
                    reached = None
        for member in component:
            self._reach[member] = frozenset(reached) if reached is not None else None

    def _unsettled(self, start: str) -> list[tuple[str, ...]]:
        """The components below `start` (its own included) whose summaries are not made yet,
        those it imports first. A module whose imports reach too far is not followed into."""
        order: list[tuple[str, ...]] = []
        seen: set[tuple[str, ...]] = set()
        work = [(self._component_of[start], False)]
        while work:
            component, expanded = work.pop()
            if expanded:
                order.append(component)
                continue
            if component in seen or all(m in self._summaries or m in self._current for m in component):
                continue
            seen.add(component)
            work.append((component, True))
            for member in component:
                if self._reach.get(member, frozenset()) is None:
                    continue
                for name in self._edges(member):
                    below = self._component_of.get(name)
                    if below is not None and below != component and below not in seen:
                        work.append((below, False))
        return order

    def _settle(self, component: tuple[str, ...]) -> None:
        """Summarise a component: one module at once; an import cycle (or a module importing
        itself) in rounds from its outlines until the summaries stop changing."""
        if any(m in self._summaries or m in self._current for m in component):
            return
        keys = self._component_keys(component)
        # while it is made, a module's summary is its outline (to a question its analysis asks)
        self._current.update({m: self._outline_of(m) for m in component})
        try:
            if len(component) == 1:  # a module importing itself is no cycle: its names are its own
                found = {component[0]: self._summarise(component[0], keys[component[0]], store=True)}
            else:  # round 1 from the outlines; then the members importing one whose flows changed
                found, dirty = {}, component
                for _ in range(MAX_CYCLE_ROUNDS):
                    made = {m: self._summarise(m, keys[m], store=False) for m in dirty}
                    changed = {m for m in made if interface(made[m]) != interface(self._current[m])}
                    found.update(made)
                    self._current.update(made)
                    dirty = tuple(m for m in component if any(e in changed for e in self._edges(m)))
                    if not dirty:
                        break
        finally:
            for module in component:
                self._current.pop(module, None)
        self._summaries.update(found)
        for module in component if len(component) > 1 and self.store is not None else ():
            summary, key = found[module], keys[module]
            if key is not None and summary is not None:
                self.store.put_record("summary", key, summary_to_json(summary, self.catalog))

    def _component_keys(self, component: tuple[str, ...]) -> dict[str, str | None]:
        """What each member's summary depends on: the bytes of the component's modules and the
        keys of the modules they import (a change two imports down changes every key above)."""
        digest = hashlib.sha256()
        for member in component:
            path = self.file_of(member)
            try:
                data = path.read_bytes() if path is not None else b""
            except OSError:
                return dict.fromkeys(component)
            digest.update(f"{member}\0".encode() + hashlib.sha256(data).digest())
        below = sorted({name for m in component for name in self._edges(m) if name not in component})
        for name in below:
            digest.update(f"\0{name}\0{self._keys.get(name) or ''}".encode())
        shared = digest.hexdigest()
        keys = {m: hashlib.sha256(f"{m}\0{shared}".encode()).hexdigest() for m in component}
        self._keys.update(keys)
        return keys

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

    def _reach_of(self, imported: list[str], own: str | None) -> frozenset[str] | None:
        """What a file's imports reach together (None: more than `MAX_REACH` modules)."""
        reached: frozenset[str] = frozenset()
        for name in imported:
            if name == own or self.file_of(name) is None:
                continue
            below = self.reach(name)
            if below is None:
                return None
            reached |= below
            if len(reached) > self.max_reach:
                return None
        return reached

    def _summarise(self, module: str, key: str | None, *, store: bool) -> ModuleSummary | None:
        path = self.file_of(module)
        if path is None:
            return None
        try:
            data = path.read_bytes()
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
        if len(data) > MAX_BYTES:
            return None
        if not self._relevant(module, path, text):
            return self._outline(module, path, text)
        if key is not None and self.store is not None:
            cached = self.store.get_record("summary", key)
            summary = summary_from_json(cached, self.catalog) if cached is not None else None
            if summary is not None:
                return summary
        summary = self._analyse(module, path, text)
        if store and key is not None and self.store is not None and summary is not None:
            self.store.put_record("summary", key, summary_to_json(summary, self.catalog))
        return summary

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
        text = searchable(text)  # NFKC spellings count, as for the token gate
        return any(
            all(token in text for token in alternative)
            for marker in markers
            for alternative in self._expansions.get(marker, ())
        )

    def _spelled(self, path: Path) -> list[str]:
        """The catalog tokens a file spells (of the source and sink alternatives it holds)."""
        if self._expansions is None:
            self._expansions = self.catalog.trigger_expansions()
        text = searchable(_read_text(path))
        return [
            token
            for marker in (TAINT_SINKS, TAINT_SOURCES)
            for alternative in self._expansions.get(marker, ())
            if all(token in text for token in alternative)
            for token in alternative
        ]

    def _relevant(self, module: str, path: Path, text: str) -> bool:
        """Whether analysing the module can find more than its outline: it spells a catalog
        source or sink, or it defines functions and imports a module whose summary has flows."""
        if self._mentions(path, text):
            return True
        if not _DEFINES.search(text):
            return False
        for imported in self._imports_of(module, path, text):
            summary = self.summary(imported) if imported != module and self.file_of(imported) else None
            if summary is not None and any(f.sinks or f.returns_sources for f in summary.functions.values()):
                return True
        return False

    def _outline_of(self, module: str) -> ModuleSummary | None:
        path = self.file_of(module)
        return self._outline(module, path, _read_text(path)) if path is not None else None

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

    def _analyse(self, module: str, path: Path, text: str) -> ModuleSummary | None:
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
