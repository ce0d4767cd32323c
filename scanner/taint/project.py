"""Across modules: the project's own functions, classes and methods as summaries that other modules apply.

Owns finding the project's modules (a dotted name to a file below the project root or its `src/`,
packages through `__init__.py`), the import graph between them (its strongly connected
components, and which modules spelling a catalog source or sink each one reaches), and making
every module's summary once per run, bottom-up over that graph: what its callers need
(`ModuleSummary`): per top-level function and method, which parameters reach which sink roles
(through the module's own helpers, and through the summaries of the modules it imports), which
parameters and which sources its return value carries; the module's constant texts (prompt
constants); and the names its `__init__` re-exports. An import cycle is summarised as one, with a
worklist and a cost bound (`CYCLE_COST`); a module whose imports reach more than `MAX_REACH`
such modules is not followed into them. Both bounds are reported (AIS005), never silent.
Summaries are cached (`store`), keyed by a module's bytes and the keys of what it imports.
A caller's `ModuleTaint` applies these at its call sites (`foreign`), so a flow that crosses files
is reported once, in the caller, at the argument that carries the data, with the path through the
other files. The prefilter asks `import_tokens` for the catalog tokens a file reaches through its
imports (a route module that only calls `llm.ask(...)` holds no sink token itself).

May import: the lower layers, `summary` (the summary types), and `module` and `export` lazily
(analysing a module is building a `ModuleTaint`); the engine and `module` import this module.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES

from ..prefilter import searchable, spells_marker
from ..sha import sha256
from .summary import ModuleSummary, interface, summary_from_json, summary_to_json, summary_tokens
from .values import count_words

MAX_BYTES = 1_000_000  # a larger module is not summarised (its callers see an unknown function)
MAX_REEXPORTS = 8  # `__init__` re-export hops followed
MAX_TOKEN_FILES = 16  # modules whose catalog tokens admit a file whose cross-module analysis is partial
CYCLE_COST = 3  # module analyses per member an import cycle may spend until its summaries settle
MAX_REACH = 1000  # project modules spelling a source or sink that one module's imports may reach,
# directly or through theirs, and still be followed (more: calls into them are library calls, and a
# scanned file that makes one is reported as not fully analysed, AIS005)
MAX_COMPLETING = 8  # outlined modules analysed inside one another's analysis (deeper: read as outlines)

_DEFINES = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]", re.M)
_IMPORT = re.compile(  # `from a import (b,\n c)` and backslash continuations: every line's names
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|((?:[^#\n\\]|\\\n)*))"
    r"|import[ \t]+([^#\n]+))",
    re.M,
)
_COMMENT = re.compile(r"#[^\n]*")


class ProjectModules:
    """The project's modules below `root`, summarised on first use (once per run and process)."""

    def __init__(
        self, root: Path, catalog: Any, store: Any = None, off_the_clock: Callable[[], Any] = nullcontext
    ) -> None:
        """`store` keeps summaries between runs (`get_record`/`put_record`, see `cache`).
        `off_the_clock()` is held while other modules are read and summarised: their cost is not
        the checked file's (`engine.budget_paused`); it is bounded by their own budgets."""
        self.off_the_clock = off_the_clock
        self.root = root.resolve()
        self.catalog = catalog
        self.store = store
        self.max_reach = MAX_REACH
        self._keys: dict[str, str | None] = {}
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._current: dict[str, ModuleSummary | None] = {}  # the component being summarised
        self._component_of: dict[str, tuple[str, ...]] = {}
        self._edges_memo: dict[str, list[str]] = {}
        self._outlined: set[str] = set()  # modules whose summary is their outline (not analysed)
        self._progress: dict[tuple[str, ...], tuple[dict, set[str], list[int]]] = {}  # cycles under way
        self._reach: dict[str, frozenset[str] | None] = {}
        self._files: dict[str, Path | None] = {}
        self._expansions: Any = None
        self._mentions_memo: dict[Path, bool] = {}
        self._imports_memo: dict[Path, list[str]] = {}
        self._completed: dict[str, ModuleSummary | None] = {}  # outlined modules analysed on demand
        self._completing: list[str] = []

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
        A file whose imports reach too far, or whose summaries are incomplete, gets the tokens
        the modules below spell: it is then analysed and reported as not fully analysed (AIS005),
        never skipped silently."""
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
                tokens += self._tokens_below(module)
                files.add(file)
                continue
            for summary in self._with_bases(self.summary(module)):
                tokens += summary_tokens(summary)
                tokens += self._tokens_below(summary.name) if summary.incomplete else []
                files.update(summary.files)
        return " ".join(tokens), files

    def _with_bases(self, summary: ModuleSummary | None) -> list[ModuleSummary]:
        """A summary and those of the modules its classes' bases are defined in, and theirs (the
        methods its classes inherit), `MAX_REEXPORTS` deep."""
        found = [summary] if summary is not None else []
        for current in found:
            if len(found) > MAX_REEXPORTS:
                break
            for base in (b for bases in current.bases.values() for b in bases):
                hit = self.resolve(base)
                if hit is not None and all(hit[0] is not known for known in found):
                    found.append(hit[0])
        return found

    def allows(self, module: str | None, path: Path, text: str | None = None) -> bool:
        """Whether a module's project imports are followed: they reach (directly or through
        theirs) at most `MAX_REACH` project modules that spell a catalog source or sink (decided
        by the texts alone, so the same in every run and worker). Otherwise its calls into the
        project count as library calls, and a scanned file says so (AIS005)."""
        if module is not None and self.file_of(module) is not None:
            return self.reach(module) is not None
        return self._reach_of(self._imports_of(module, path, text), module) is not None

    def reach(self, module: str) -> frozenset[str] | None:
        """The project modules spelling a catalog source or sink that `module` is or imports,
        directly or not (None: more than `MAX_REACH`)."""
        if module not in self._reach:
            with self.off_the_clock():
                self._components(module)
        return self._reach.get(module, frozenset())

    def summary(self, module: str) -> ModuleSummary | None:
        """The module's summary: computed bottom-up over the import graph (what it imports is
        summarised first; an import cycle is iterated as one, `CYCLE_COST` analyses a member at most), so the
        result does not depend on the order in which files ask."""
        if module in self._summaries:
            return self._summaries[module]
        if module in self._current:  # a member of the import cycle being summarised
            return self._current[module]
        if self.file_of(module) is None:
            return None
        with self.off_the_clock():
            self._components(module)
            for component in self._unsettled(module):
                self._settle(component)
        return self._summaries.get(module)

    def complete(self, summary: ModuleSummary) -> ModuleSummary:
        """The analysed summary of a module read as its outline (it spells no catalog source or
        sink), asked only when a caller passes data into one of its names: its sanitizer and
        guard helpers then clear that data as they would within one module. A module being
        summarised or completed already, one past `MAX_COMPLETING` nested completions, and one
        whose analysis is incomplete stay their outline: their functions pass data through
        (a finding may stay; none is lost)."""
        module = summary.name
        if not summary.outlined:
            return summary
        if module not in self._completed:
            if (
                module in self._current
                or module in self._completing
                or len(self._completing) >= MAX_COMPLETING
            ):
                return summary
            self._completing.append(module)
            try:
                with self.off_the_clock():
                    self._completed[module] = self._analysed(module)
            finally:
                self._completing.pop()
        return self._completed[module] or summary

    def _analysed(self, module: str) -> ModuleSummary | None:
        """An outlined module's analysis (cached under its summary key), None when incomplete."""
        key = self._keys.get(module)
        record = f"{key}:analysed" if key is not None and self.store is not None else None
        cached = self.store.get_record("summary", record) if record is not None else None
        found = summary_from_json(cached, self.catalog) if cached is not None else None
        path = self.file_of(module)
        if found is None and path is not None:
            found = self._analyse(module, path, _read_text(path))
            if found is not None and record is not None:
                self.store.put_record("summary", record, summary_to_json(found, self.catalog))
        return found if found is not None and found.incomplete is None else None

    # ----- the import graph -----

    def _edges(self, module: str) -> list[str]:
        """The project modules `module` imports (itself excluded: a self-import adds nothing)."""
        if module not in self._edges_memo:
            path = self.file_of(module)
            imported = self._imports_of(module, path, None) if path is not None else []
            self._edges_memo[module] = [n for n in imported if n != module and self.file_of(n) is not None]
        return self._edges_memo[module]

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
        """Summarise a component: one module at once, an import cycle by `_iterate`."""
        if any(m in self._summaries or m in self._current for m in component):
            return
        keys = self._component_keys(component)
        # while it is made, a module's summary is its outline (to a question its analysis asks)
        self._current.update({m: self._outline_of(m) for m in component})
        try:
            if len(component) == 1:  # a module importing itself is no cycle: its names are its own
                found = {component[0]: self._summarise(component[0], keys[component[0]], store=True)}
            else:
                found = self._iterate(component, keys)
        finally:
            for module in component:
                self._current.pop(module, None)
        self._summaries.update(found)
        for module in component if len(component) > 1 and self.store is not None else ():
            summary, key = found[module], keys[module]
            if key is not None and summary is not None:
                self.store.put_record("summary", key, summary_to_json(summary, self.catalog))

    def _iterate(self, component: tuple[str, ...], keys: dict[str, str | None]) -> dict:
        """An import cycle's summaries, with a worklist in the cycle's own callee-first order
        (`_cycle_order`, the same whichever module was asked for): each member is analysed
        with the summaries made so far, and a member whose flows changed queues the members
        importing it again, until the worklist is empty or `CYCLE_COST` analyses per member are
        spent; then every member's summary says it is incomplete (AIS005 where a caller uses
        it), never silently partial."""
        order = self._cycle_order(component)
        rank = {m: n for n, m in enumerate(order)}
        importers: dict[str, list[str]] = {m: [] for m in component}
        for member in component:
            for name in self._edges(member):
                if name in importers:
                    importers[name].append(member)
        # progress survives an interruption (the checked file's time budget): the next file resumes
        found, queue, spent = self._progress.setdefault(component, ({}, set(component), [0]))
        self._current.update(found)
        while queue and spent[0] < CYCLE_COST * len(component):
            module = min(queue, key=rank.__getitem__)
            made = self._summarise(module, keys[module], store=False)
            queue.discard(module)
            spent[0] += 1
            previous = self._current[module]
            found[module] = self._current[module] = made
            if interface(made) != interface(previous):
                queue.update(m for m in importers[module] if self._may_use(m, found.get(m), module))
        del self._progress[component]
        if queue:
            reason = (
                f"an import cycle of {len(component)} modules ({', '.join(component[:3])}, ...) "
                f"that did not settle within {CYCLE_COST * len(component):,} module analyses"
            )
            for module, summary in found.items():
                if summary is not None and summary.incomplete is None:
                    found[module] = replace(summary, incomplete=f"`{summary.display}` is in {reason}")
        return found

    def _may_use(self, importer: str, summary: ModuleSummary | None, module: str) -> bool:
        """Whether `importer`'s summary may change with `module`'s: it was not analysed yet, or
        was read as its outline (the change may make it worth analysing), or its analysis
        looked `module` up (a summary lists the files of those it applied)."""
        if summary is None or importer in self._outlined:
            return True
        return self.file_of(module) in summary.files

    def _cycle_order(self, component: tuple[str, ...]) -> list[str]:
        """The members of an import cycle in post-order of a depth-first walk of its imports from
        its members in name order: what a member imports comes first, as far as a cycle allows."""
        members, order, seen = set(component), [], set()
        for root in component:  # sorted
            if root in seen:
                continue
            seen.add(root)
            work = [(root, iter(sorted(self._edges(root))))]
            while work:
                node, pending = work[-1]
                child = next((c for c in pending if c in members and c not in seen), None)
                if child is None:
                    work.pop()
                    order.append(node)
                    continue
                seen.add(child)
                work.append((child, iter(sorted(self._edges(child)))))
        return order

    def _component_keys(self, component: tuple[str, ...]) -> dict[str, str | None]:
        """What each member's summary depends on: the bytes of the component's modules and the
        keys of the modules they import (a change two imports down changes every key above)."""
        digest = sha256()
        for member in component:
            path = self.file_of(member)
            try:
                data = path.read_bytes() if path is not None else b""
            except OSError:
                return dict.fromkeys(component)
            digest.update(f"{member}\0".encode() + sha256(data).digest())
        below = sorted({name for m in component for name in self._edges(m) if name not in component})
        for name in below:
            digest.update(f"\0{name}\0{self._keys.get(name) or ''}".encode())
        shared = digest.hexdigest()
        keys = {m: sha256(f"{m}\0{shared}".encode()).hexdigest() for m in component}
        self._keys.update(keys)
        return keys

    def _imports_of(self, module: str | None, path: Path, text: str | None) -> list[str]:
        """`_imported` of one file, worked out once per file (several questions read its imports)."""
        path = path.absolute()
        if path not in self._imports_memo:
            text = _read_text(path) if text is None else text
            self._imports_memo[path] = self._imported(module, path.name == "__init__.py", text)
        return self._imports_memo[path]

    def _imported(self, importer: str | None, is_package: bool, text: str) -> list[str]:
        """Absolute names of what a module's text imports (`from a import b` gives `a` and `a.b`:
        `b` may be a module), as far as a pattern over its import lines tells."""
        found: list[str] = []
        for dots_module, bracketed, names, plain in _IMPORT.findall(text):
            names = _COMMENT.sub("", bracketed or names).replace("\\\n", " ")
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
            self._outlined.add(module)
            return self._outline(module, path, text)
        self._outlined.discard(module)
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
        return spells_marker(searchable(text), markers, self._expansions)  # as the token gate reads

    def _tokens_below(self, module: str) -> list[str]:
        """The catalog tokens spelled by the first `MAX_TOKEN_FILES` modules (breadth first)
        that `module` is or imports: enough to admit the taint rules the prefilter dropped."""
        tokens: list[str] = []
        queue, seen, spelling = [module], {module}, 0
        while queue and spelling < MAX_TOKEN_FILES:
            name = queue.pop(0)
            file = self.file_of(name)
            if file is not None and self._mentions(file):
                tokens += self._spelled(file)
                spelling += 1
            fresh = [n for n in self._edges(name) if n not in seen]
            seen.update(fresh)
            queue += fresh
        return tokens

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
        source or sink, or calls a module whose summary has flows; and it defines a function or
        class (an `__init__.py` that only imports and re-exports is its outline)."""
        if not _DEFINES.search(text):
            return False
        if self._mentions(path, text):
            return True
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
        summary = ModuleSummary(module, path, self._display(path), files=(path,), outlined=True)
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
