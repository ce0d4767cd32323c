"""The project's import graph: which modules there are, what each imports, and what it reaches.

Owns finding the project's modules (a dotted name to a file below the project root or its `src/`,
packages through `__init__.py`; relative imports made absolute), reading a module's imports from
its text (a pattern over its import lines, bracketed and continued ones included: no parse), the
graph's strongly connected components (Tarjan's, iterative: import cycles of hundreds of
modules are no recursion) in the order they complete, the order of a cycle's members, and which
project modules that spell a catalog source or sink each module reaches (bounded by
`MAX_REACH`, decided by the texts alone so the same in every run and worker; a process's first
question walks only until it can tell, so a run that checks one file does not read the whole
graph to say a module is over the bound), with the catalog
tokens those spell (for the prefilter). It knows nothing of summaries: `project.ProjectModules`
builds them over this graph.

May import: the standard library, `prefilter` (the token gate's reading of a text), `tokenindex` and
`hooks`, and `graphrecord` (the facts it reads off each module, kept between runs).
"""

from __future__ import annotations

import os
import re
from contextlib import nullcontext
from functools import partial
from pathlib import Path
from typing import Any, Callable

from aisec.hooks import TAINT_SINKS, TAINT_SOURCES

from ..prefilter import TextLookup, searchable
from ..tokenindex import TokenIndex
from .graphrecord import LAYOUT_PARTS, MISSING, Layout, ModuleFacts, decoded, folder_stamp, read_stamped_bytes

INDEX_AFTER = 32  # module texts read before the catalog's `TokenIndex` is made (~20 ms to make)
MAX_TOKEN_FILES = 16  # modules whose catalog tokens admit a file whose cross-module analysis is partial
MAX_REACH = 1000  # project modules spelling a source or sink that one module's imports may reach,
# directly or through theirs, and still be followed (more: calls into them are library calls, and a
# scanned file that makes one is reported as not fully analysed, AIS005)

_IMPORT = re.compile(  # `from a import (b,\n c)` and backslash continuations: every line's names
    r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(?:\(([^)]*)\)|((?:[^#\n\\]|\\\n)*))"
    r"|import[ \t]+([^#\n]+))",
    re.M,
)
_COMMENT = re.compile(r"#[^\n]*")
_UNKNOWN: Any = object()  # `_beyond_bound`: a module whose reach is not known yet


class ImportGraph:
    """The project's modules below `root` and the imports between them (memoised per run)."""

    def __init__(
        self, root: Path, catalog: Any, off_the_clock: Callable[[], Any] = nullcontext, store: Any = None
    ) -> None:
        """`off_the_clock()` is held while other modules are read (`engine.budget_paused`).
        `store` (the result cache) keeps what is read off each module between runs (`record`)."""
        self.root = root.resolve()
        self.catalog = catalog
        self.off_the_clock = off_the_clock
        self.max_reach = MAX_REACH
        self._component_of: dict[str, tuple[str, ...]] = {}
        self._edges_memo: dict[str, list[str]] = {}
        self._reach: dict[str, frozenset[str] | None] = {}
        self._walked = False  # whether the graph was walked before (`_beyond_bound`)
        self._files: dict[str, Path | None] = {}
        self._listings: dict[str, frozenset[str] | None] = {}  # folder -> its regular files' names
        self._folders: dict[str, frozenset[str]] = {}  # folder -> the names of its sub-folders
        self._gone: set[str] = set()  # folders that are none (`_no_folder`)
        self._unsure: set[str] = set()  # folders whose listing may lack sub-folders (`_no_folder`)
        self._root_text = str(self.root)
        self._package_folders: dict[str | None, tuple[str, str]] = {}  # `_folders_of`
        self._names_below: dict[str | None, frozenset[str]] = {}  # package -> the names `below` it
        self._unlisted: set[str | None] = set()  # packages `below` found to be none (not listed)
        self._below_root = os.path.join(self._root_text, "")
        self._expansions: Any = None
        self._index: TokenIndex | None = None  # the catalog's tokens, once `INDEX_AFTER` texts were read
        self._read_texts = 0
        self._mentions_memo: dict[Path, bool] = {}
        self._spelled_memo: dict[Path, list[str]] = {}
        self._imports_memo: dict[Path, list[str]] = {}
        self._scanned: dict[str, list[int] | None] = {}  # folder listed -> its stamp (`_regular_files`)
        self._recorded_files: dict[str, str] | None = None  # `file_of`'s recorded answers (`_components`)
        self._recorded_edges: dict[str, Any] = {}  # module -> [its file's stamp, its edges] (`_edges_of`)
        self._new_edges: dict[str, list] = {}  # what this process worked out (`_new_layout`)
        self._import_stamps: dict[Path, list[int] | None] = {}  # `_imports_of`: the stamp read under
        self.record = ModuleFacts(store, self.root, self._catalog_tokens, self._new_layout)

    def _catalog_expansions(self) -> Any:
        """The catalog's token alternatives per prefilter marker (`trigger_expansions`), once per run."""
        if self._expansions is None:
            self._expansions = self.catalog.trigger_expansions()
        return self._expansions

    def _catalog_tokens(self) -> list[Any]:
        """The sink and source markers' token alternatives: what a module "spells" (`_mentions`,
        `_spelled_in`), and so what decides the recorded facts besides a module's bytes."""
        return [self._catalog_expansions().get(marker, ()) for marker in (TAINT_SINKS, TAINT_SOURCES)]

    def recorded(self, path: Path, fact: str, work: Callable[[bytes], Any]) -> Any:
        """`work(data)` of a module file's bytes: recorded while the file's stamp holds (`record`),
        else worked out of the bytes read after the stamp was taken, and recorded. `work`'s
        value must read back from JSON as it is. Raises OSError when the file cannot be read."""
        return self.recorded_stamped(path, fact, work)[0]

    def text_fact(self, path: Path, fact: str, work: Callable[[str], Any]) -> Any:
        """`recorded` of a module's text as `read_text` reads it ("" when it cannot be read)."""
        return self.text_fact_stamped(path, fact, work)[0]

    def recorded_stamped(
        self, path: Path, fact: str, work: Callable[[bytes], Any]
    ) -> tuple[Any, list[int] | None]:
        """`recorded`, with the stamp of the bytes the value is of (None: too recent)."""
        path = path if path.is_absolute() else path.absolute()
        known = self.record.get(path, fact)
        if known is not MISSING:
            return known, self.record.entry_stamp(path)
        data, stamp = read_stamped_bytes(path)
        value = work(data)
        self.record.put(path, stamp, fact, value)
        return value, stamp

    def text_fact_stamped(
        self, path: Path, fact: str, work: Callable[[str], Any]
    ) -> tuple[Any, list[int] | None]:
        """`text_fact`, with the stamp of the bytes the value is of (None: too recent or unread)."""
        try:
            return self.recorded_stamped(path, fact, lambda data: work(decoded(data)))
        except OSError:
            return work(""), None

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
        """`<root>/a/b.py` or `<root>/a/b/__init__.py` for `a.b` (then the same below `src/`).
        Looked up in each folder's listing, read once per run: a big project's graph asks tens
        of thousands of names (`from a import b` gives `a` and `a.b`), most of them no module,
        and those are told at once by `below` (transformers: 6,123 of 8,667 distinct names)."""
        try:
            return self._files[module]
        except KeyError:
            pass
        found = None
        prefix, dot, last = module.rpartition(".")
        package = prefix if dot else None
        recorded = self._recorded_files.get(module) if self._recorded_files is not None else None
        if recorded is not None:
            found = Path(self._root_text, recorded)
        elif _dotted_identifiers(module) and last in self.below(package):  # `x.*`: no folder listed
            for folder in self._folders_of(package):
                if f"{last}.py" in self._regular_files(folder):
                    found = Path(folder, f"{last}.py")
                    break
                if last in self._folders[folder]:
                    subfolder = os.path.join(folder, last)
                    if "__init__.py" in self._regular_files(subfolder):
                        found = Path(subfolder, "__init__.py")
                        break
        self._files[module] = found
        return found

    def _folders_of(self, package: str | None) -> tuple[str, str]:
        """The folders below the root and below `src/` that would hold the modules of `package`
        (dotted identifiers, `below` tells; None: the top level), worked out once per package
        (`from a.b import C, D` asks for `a.b.C` and `a.b.D`)."""
        if package not in self._package_folders:
            parts = package.split(".") if package is not None else []
            self._package_folders[package] = (
                os.path.join(self._root_text, *parts),
                os.path.join(self._root_text, "src", *parts),
            )
        return self._package_folders[package]

    def below(self, package: str | None) -> frozenset[str]:
        """The names directly below `package` (None: the top level) that `file_of` may find a
        module for (`b` of `a.b`): the identifiers among its folder's `.py` files and
        sub-folders, below the root and below `src/` (`_names_in`). Empty for a package whose
        parts are not all identifiers: `import x./etc.y` (no Python, but a line the import
        pattern reads) must not name a folder outside the project (`os.path.join`). Worked out
        part by part from its parent when that is known (the usual case), else from the top
        level down, and no further than the first part that is no folder below its parent, as
        the parent's listing tells (`_may_hold`), without a look at the folders below: most
        packages a big project's graph asks for are none (`torch.nn` of `import
        torch.nn.functional`, `a.b.c` of `from a.b.c import D` where `a/b/c.py` is a module). A
        name of thousands of parts (a line a scanned file controls) is no recursion, and costs
        no more than the project's folders are deep."""
        names = self._names_below.get(package)
        if names is not None or package is None:
            return self._names_in(None) if names is None else names
        parent, dot, _ = package.rpartition(".")
        known = parent if dot and parent in self._names_below else None  # usually its parent
        names = frozenset()
        if known not in self._unlisted:
            names = self._names_in(known)
            for part in package[len(known) + 1 :].split(".") if known is not None else package.split("."):
                if not (part.isidentifier() and self._may_hold(known, part)):
                    names = frozenset()
                    break
                known = part if known is None else f"{known}.{part}"
                names = self._names_in(known)
        if package not in self._names_below:
            self._unlisted.add(package)
            self._names_below[package] = names
        return names

    def _names_in(self, package: str | None) -> frozenset[str]:
        """`below` of a package whose parent's folders may hold its folders (`_may_hold`), listed
        once: its parent's folders are listed before its own, so `_no_folder` looks one folder
        up, no further."""
        if package not in self._names_below:
            names: set[str] = set()
            for folder in self._folders_of(package):
                names.update(name[:-3] for name in self._regular_files(folder) if name.endswith(".py"))
                names.update(self._folders[folder])
            self._names_below[package] = frozenset(name for name in names if name.isidentifier())
        return self._names_below[package]

    def _may_hold(self, package: str | None, name: str) -> bool:
        """Whether the folders of `package` (`_names_in` listed them) may hold a sub-folder
        `name`: one of them does, or could not be listed whole (`_no_folder`: a folder without
        read permission may still hold folders that can be listed)."""
        return any(
            name in self._folders[folder] or folder in self._unsure for folder in self._folders_of(package)
        )

    def _regular_files(self, folder: str) -> frozenset[str]:
        """The names of `folder`'s regular files (symlinks followed, as `Path.is_file`), and of
        its sub-folders in `_folders`; empty for a folder that cannot be listed."""
        if folder not in self._listings:
            files: set[str] = set()
            folders: set[str] = set()
            if self._no_folder(folder):
                self._gone.add(folder)
            else:
                stamp = folder_stamp(folder)  # before the listing: a change after it moves the stamp
                try:
                    with os.scandir(folder) as entries:
                        for entry in entries:
                            try:
                                if entry.is_symlink():  # its target may change, its folder not
                                    stamp = None
                                if entry.is_file():
                                    files.add(entry.name)
                                elif entry.is_dir():
                                    folders.add(entry.name)
                            except OSError:
                                self._unsure.add(folder)
                except (FileNotFoundError, NotADirectoryError):
                    self._gone.add(folder)
                except OSError:
                    self._unsure.add(folder)
                self._scanned[folder] = None if folder in self._unsure or folder in self._gone else stamp
            self._listings[folder] = frozenset(files)
            self._folders[folder] = frozenset(folders)
        return self._listings[folder] or frozenset()

    def _no_folder(self, folder: str) -> bool:
        """Whether `folder` (below the root) is no folder, as its parent's listing tells without
        asking the file system: most folders a big project's graph asks for are none (`from
        a.b import C` asks for `a/b/C/` and `src/a/b/C/`: transformers, 5,145 of 5,728). Only
        from a parent that is none itself, or was listed whole (not when the listing failed
        for another reason than its absence, as an unreadable folder's sub-folders may still
        be listed, nor when an entry's type could not be told)."""
        parent, name = os.path.split(folder)
        if name in ("", ".", "..") or not (parent == self._root_text or parent.startswith(self._below_root)):
            return False
        self._regular_files(parent)
        if parent in self._gone:
            return True
        return parent not in self._unsure and name not in self._folders[parent]

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

    def _new_layout(self) -> Layout | None:
        """What this process's `file_of` answers and the folders they were read from add to the
        recorded layout (`graphrecord`), with the recorded layout they were given from; None
        when they add nothing, or cannot be recorded (a folder too recent, holding a symlink
        or not listed whole; one whose stamp moved since the recorded layout was looked at)."""
        held = (
            self.record.layout() if self._recorded_files is not None else {part: {} for part in LAYOUT_PARTS}
        )
        folders = dict(held["folders"])
        for folder, stamp in self._scanned.items():
            if stamp is None or folders.setdefault(folder, stamp) != stamp:
                return None
        files = {  # the modules found (a name that is none is worked out again: edges ask for none)
            name: str(path)[len(self._root_text) + 1 :]
            for name, path in self._files.items()
            if path is not None and name not in held["files"]
        }
        edges = {module: new for module, new in self._new_edges.items() if held["edges"].get(module) != new}
        if not files and not edges and len(folders) == len(held["folders"]):
            return None
        return {"folders": folders, "files": {**held["files"], **files}, "edges": {**held["edges"], **edges}}

    def reach(self, module: str) -> frozenset[str] | None:
        """The project modules spelling a catalog source or sink that `module` is or imports,
        directly or not (None: more than `MAX_REACH`)."""
        if module not in self._reach:
            with self.off_the_clock():
                first, self._walked = not self._walked, True
                if not (first and self._beyond_bound(module)):
                    self._components(module)
        return self._reach.get(module, frozenset())

    def reaches_any(self, module: str) -> bool:
        """Whether `module` is or imports a project module spelling a catalog source or sink
        (its `reach` is not empty), told by a walk that stops at the first such module, unless
        its reach is known already."""
        known = self._reach.get(module, _UNKNOWN)
        if known is not _UNKNOWN:
            return known != frozenset()
        with self.off_the_clock():
            return self._reaches_more_than(module, 0)

    def _beyond_bound(self, start: str) -> bool:
        """Whether `start`'s imports reach more than `max_reach` modules that spell a catalog
        source or sink (then its reach is None whatever the rest of the graph holds: `_close`
        counts the same modules), told by a walk that stops as soon as they do. Asked for the
        first module a process wants the reach of, instead of Tarjan's walk, which reads every
        module below it: a run that checks one changed file asks once (transformers'
        `__init__.py` reaches 2,544 modules, 2,317 of them spelling one: the walk stops after
        about 1,100). Later questions take Tarjan's walk, whose components answer every
        question after it: a walk that stops learns nothing of the modules below, so walking
        with a bound every time would read the same modules again for each module a big run
        asks about."""
        if not self._reaches_more_than(start, self.max_reach):
            return False
        self._reach[start] = None
        return True

    def _reaches_more_than(self, start: str, bound: int) -> bool:
        """Whether the modules spelling a catalog source or sink that `start` is or imports,
        directly or not, are more than `bound` (a module whose reach is known counts with all it
        reaches), walking no further than it takes to tell."""
        self._load_layout()
        found: set[str] = set()
        seen, work = {start}, [start]
        while work:
            module = work.pop()
            known = self._reach.get(module, _UNKNOWN)
            if known is None:
                return True
            if known is not _UNKNOWN:  # a component closed before: what it reaches, counted whole
                found |= known
            else:
                path = self.file_of(module)
                if path is not None and self._mentions(path):
                    found.add(module)
                for child in self._edges(module):
                    if child not in seen:
                        seen.add(child)
                        work.append(child)
            if len(found) > bound:
                return True
        return False

    def _load_layout(self) -> None:
        """Read the recorded layout (`file_of`'s and `_edges`' answers) before the first walk of
        the graph; not before: a run that walks no graph does not read the record."""
        if self._recorded_files is None:
            layout = self.record.layout()
            self._recorded_files, self._recorded_edges = layout["files"], layout["edges"]

    def _edges(self, module: str) -> list[str]:
        """The project modules `module` imports (itself excluded: a self-import adds nothing)."""
        if module not in self._edges_memo:
            path = self.file_of(module)
            self._edges_memo[module] = self._edges_of(module, path) if path is not None else []
        return self._edges_memo[module]

    def _edges_of(self, module: str, path: Path) -> list[str]:
        """`_edges` as the recorded layout has them while the module's file still has the stamp
        they were worked out under, else worked out of its imports (and kept for the layout);
        of its imports too when this run read them already (maybe of a text a caller handed in,
        an editor's buffer: the run's graph has them, as it would without a record)."""
        recorded = self._recorded_edges.get(module)
        held = isinstance(recorded, list) and len(recorded) == 2 and isinstance(recorded[1], str)
        read = path.absolute() in self._imports_memo
        if held and not read and self.record.still(path, recorded[0]):  # type: ignore[index]
            return recorded[1].split()  # type: ignore[index]  # module names: dotted identifiers
        imported = self._imports_of(module, path, None)
        edges = [n for n in imported if n != module and self.file_of(n) is not None]
        stamp = self._import_stamps.get(path.absolute())
        if stamp is not None:
            self._new_edges[module] = [stamp, " ".join(edges)]
        return edges

    def _components(self, start: str) -> None:
        """Tarjan's strongly connected components of the import graph below `start` (iterative:
        a chain of hundreds of modules is no recursion), each with what it reaches
        (`_reach`), in the order they complete: every component after those it imports."""
        if start in self._component_of:
            return
        self._load_layout()
        self._walked = True
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
        """Record a finished component and what it reaches (its imports' components are closed).
        The members of a component share one set, and a set many edges lead to is added once
        (transformers: 2,544 modules whose imports lead to the same few hundred-module sets)."""
        for member in component:
            self._component_of[member] = component
        members = set(component)  # not the tuple: a cycle of hundreds of members has thousands of edges
        below = [
            self._reach.get(n, frozenset()) for m in component for n in self._edges(m) if n not in members
        ]
        reached: frozenset[str] | None = None  # an import reaches too far: so does the component
        if all(found is not None for found in below):
            distinct = {id(found): found for found in below}
            mentioning = {m for m in component if self._mentions(self.file_of(m))}
            reached = frozenset(mentioning.union(*distinct.values()))
            if len(reached) > self.max_reach:
                reached = None
        for member in component:
            self._reach[member] = reached

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

    def _imports_of(self, module: str | None, path: Path, text: str | None) -> list[str]:
        """`_imported` of one file, worked out once per file (several questions read its imports)."""
        path = path.absolute()
        if path not in self._imports_memo:
            is_package = path.name == "__init__.py"
            if text is not None:  # maybe an editor's buffer: not the file's bytes
                self._imports_memo[path] = self._imported(module, is_package, text)
            else:
                work = partial(self._imports_kept, module, is_package)
                kept, self._import_stamps[path] = self.text_fact_stamped(path, f"imports {module}", work)
                self._imports_memo[path] = _names_kept(kept)
        return self._imports_memo[path]

    def _imports_kept(self, importer: str | None, is_package: bool, text: str) -> str | list[str]:
        """`_imported` as the record keeps it: one string, the names joined by `#` (no name
        holds one: the import pattern leaves comments out), which reads back from JSON far
        faster than thousands of strings (transformers: 54,957 names, the record read each run
        that walks the graph); the list itself should a name hold a `#` or be empty."""
        names = self._imported(importer, is_package, text)
        return "#".join(names) if all(name and "#" not in name for name in names) else names

    def _imported(self, importer: str | None, is_package: bool, text: str) -> list[str]:
        """Absolute names of what a module's text imports (`from a import b` gives `a` and `a.b`:
        `b` may be a module), as far as a pattern over its import lines tells."""
        found: list[str] = []
        for dots_module, bracketed, names, plain in import_statements(text):
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

    def _mentions(self, path: Path, text: str | None = None) -> bool:
        """Whether a file spells a catalog source or sink (the prefilter's tokens)."""
        if path not in self._mentions_memo:
            markers = (TAINT_SINKS, TAINT_SOURCES)
            self._mentions_memo[path] = (
                self._spells(text, markers)
                if text is not None
                else self.text_fact(path, "mentions", partial(self._spells, markers=markers))
            )
        return self._mentions_memo[path]

    def _spells(self, text: str, markers: tuple[str, ...]) -> bool:
        """Whether `text` holds all the tokens of one alternative of one of the prefilter markers."""
        return self._lookup(text).any_in(markers)  # as the token gate reads

    def _lookup(self, text: str) -> TextLookup:
        """The token gate's reading of a module's text; with the catalog's `TokenIndex` once the
        run has read `INDEX_AFTER` texts (the same answers: a big project's graph reads every
        module, ~1.5 ms each on transformers without it)."""
        self._read_texts += 1
        if self._index is None and self._read_texts > INDEX_AFTER:
            self._index = TokenIndex(
                token
                for alternatives in self._catalog_tokens()
                for alternative in alternatives
                for token in alternative
            )
        return TextLookup(searchable(text), self._catalog_expansions(), self._index)

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
        """The catalog tokens a file spells (of the source and sink alternatives it holds), once
        per file: the modules below one import overlap with those below the next. Each token is
        looked up once (`TextLookup`: the same answer as a substring search, from the file's
        distinct words), not once per alternative that holds it (thousands of alternatives:
        a file in a big import cycle cost 19 s)."""
        if path not in self._spelled_memo:
            self._spelled_memo[path] = self.text_fact(path, "spelled", self._spelled_in)
        return self._spelled_memo[path]

    def _spelled_in(self, text: str) -> list[str]:
        lookup = self._lookup(text)
        return [
            token
            for alternatives in self._catalog_tokens()
            for alternative in alternatives
            if all(lookup.occurs(token) for token in alternative)
            for token in alternative
        ]


def _names_kept(kept: Any) -> list[str]:
    """The names `_imports_kept` kept."""
    if isinstance(kept, str):
        return kept.split("#") if kept else []
    return kept if isinstance(kept, list) else []


def _dotted_identifiers(name: str) -> bool:
    """Whether each part of a dotted name is an identifier (what a module's name is made of)."""
    return all(part.isidentifier() for part in name.split("."))


def import_statements(text: str) -> list[tuple[str, ...]]:
    """`_IMPORT.findall(text)`, trying only the lines that spell `import` (a third of the time on
    transformers, where a file has thousands of lines and dozens of imports). Every match starts
    at the start of a line that spells `import` after it (no branch lets a line break come before
    the keyword), and a search resumes where its last match ended, so matching at those line
    starts in order, skipping the ones a match covered, finds the same matches."""
    found: list[tuple[str, ...]] = []
    end = 0
    find, match = text.find, _IMPORT.match
    at = find("import")
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if start >= end:
            statement = match(text, start)
            if statement is not None:
                found.append(statement.groups(""))
                end = statement.end()
        at = find("import", max(at + 1, end))
    return found


def read_text(path: Path) -> str:
    """The text of a project file as Python reads it (UTF-8, a BOM dropped, line breaks made
    `\n`); "" when it cannot be read."""
    try:
        return without_bom(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""


def without_bom(text: str) -> str:
    """`text` (decoded as UTF-8) as the `utf-8-sig` codec would have given it, a leading BOM
    dropped, without importing that codec's module (about 0.2 ms of a process's first file)."""
    return text[1:] if text.startswith("\ufeff") else text
