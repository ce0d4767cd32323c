"""Across modules: the project's own functions, classes and methods as summaries that other modules apply.

Owns making every module's summary once per run, bottom-up over the project's import graph
(`graph.ImportGraph`, which it extends: modules, imports, components, reach): what its callers need
(`ModuleSummary`): per top-level function and method, which parameters reach which sink roles
(through the module's own helpers, and through the summaries of the modules it imports), which
parameters and which sources its return value carries, which parameters a true result checked
(a guard); the module's constant texts (prompt constants); and the names its `__init__`
re-exports. A module spelling no catalog source or sink is read as its outline (constants and
re-exports) and analysed only when a caller passes data into it (`complete`). An import cycle is
summarised as one, with a worklist and a cost bound (`CYCLE_COST`); a module whose imports reach
more than `graph.MAX_REACH` such modules is not followed into them. Both bounds are reported (AIS005), never silent.
Summaries are cached (`store`), keyed by a module's bytes and the keys of what it imports.
A caller's `ModuleTaint` applies these at its call sites (`foreign`), so a flow that crosses files
is reported once, in the caller, at the argument that carries the data, with the path through the
other files. The prefilter asks `import_tokens` for the catalog tokens a file reaches through its
imports (a route module that only calls `llm.ask(...)` holds no sink token itself): those of the
functions it can reach by a name it spells, as the analysis looks them up.

May import: the lower layers, `graph`, and lazily `summary` (the summary types), `cycles`, `values`,
`module` and `export` (analysing a module is building a `ModuleTaint`): a run whose files import no
project module (a one-file pre-commit run of a model-loading file asks only `import_tokens`) does
not pay ~3.5 ms for the summary layers. The engine and `module` import this module.
"""

from __future__ import annotations

import ast
import re
import time
from contextlib import nullcontext
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

from ..prefilter import searchable
from ..sha import sha256
from .graph import ImportGraph, import_statements, read_text, without_bom

if TYPE_CHECKING:
    from ..positions import Lines
    from .cycles import PreviousCycle
    from .summary import ModuleSummary

MAX_BYTES = 1_000_000  # a larger module is not summarised (its callers see an unknown function)
MAX_REEXPORTS = 8  # `__init__` re-export hops followed
CYCLE_COST = 3  # module analyses per member an import cycle may spend until its summaries settle
MAX_COMPLETING = 8  # outlined modules analysed inside one another's analysis (deeper: read as outlines)
CLAIM_WAIT = 60.0  # seconds a process waits for summaries another one claimed, then makes them itself
CLAIM_POLL = (0.002, 0.05)  # seconds between looks at claims held elsewhere: first, at most
SPARE_READ = 0.05  # seconds a worker waiting for claims reads its spare files' imports, then looks again
MAX_KEPT_TEXT = 16_000_000  # bytes of source whose parsed trees an import cycle's analyses keep (`_parse`)

_DEFINES = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]", re.M)
_WORD = re.compile(r"\w+")


class ProjectModules(ImportGraph):
    """The project's modules below `root`, summarised on first use (once per run and process)."""

    def __init__(
        self, root: Path, catalog: Any, store: Any = None, off_the_clock: Callable[[], Any] = nullcontext
    ) -> None:
        """`store` keeps summaries between runs (`get_record`/`put_record`, see `cache`).
        `off_the_clock()` is held while other modules are read and summarised: their cost is not
        the checked file's (`engine.budget_paused`); it is bounded by their own budgets."""
        super().__init__(root, catalog, off_the_clock, store)
        self.store = store
        self._keys: dict[str, str | None] = {}
        self._own: dict[str, str] = {}  # a cycle member's own bytes and outside imports (`_component_keys`)
        self._bytes: dict[str, str] = {}  # a module's bytes' digest, as its key took it (`_component_keys`)
        self._deps: dict[str, str] = {}  # what an importer's key takes of a module (`_dependency_digest`)
        self._raw: dict[str, tuple[ModuleSummary, Any]] = {}  # a summary and its JSON (`_summarise`)
        self._summaries: dict[str, ModuleSummary | None] = {}
        self._prefixes: dict[str, int | None] = {}  # `_module_prefix`
        self._current: dict[str, ModuleSummary | None] = {}  # the component being summarised
        self._outlined: set[str] = set()  # modules whose summary is their outline (not analysed)
        self._progress: dict[tuple[str, ...], tuple] = {}  # cycles under way (`_resumed`)
        self._previous_cycles: dict[tuple[str, ...], PreviousCycle] = {}  # as read by `_resumed`
        # outlined modules analysed on demand, at a nesting budget (`complete`)
        self._exact: dict[str, tuple[ModuleSummary | None, int]] = {}  # no bound hit: (it, depth used)
        self._completed: dict[tuple[str, int], ModuleSummary | None] = {}
        self._completing: list[list] = []  # [module, budget, a bound was hit below, depth used]
        self._statement_lines: dict[Path, tuple[bytes, Lines | None]] = {}  # `_lines_of`
        self._kept: dict[Path, tuple[bytes, Any, Any, int]] | None = None  # `_parse`, in a cycle only
        self.spare: list[Path] | None = None  # files whose imports to settle while waiting (`_spare_time`)
        self._spare_order: list[tuple[str, ...]] = []  # their imports' components, bottom-up
        self._spare_seen: set[tuple[str, ...]] = set()
        self._spare_read = 0  # files of `spare` whose imports are in `_spare_order`
        self._spare_from = 0  # components of `_spare_order` before this one are settled
        self._spare_blocker: dict[tuple[str, ...], str] = {}  # a module a component waits for
        self._spare_keys: dict[tuple[str, ...], dict[str, str | None]] = {}  # `_component_keys`
        self._speculating = False  # settling a spare component: never wait (`_settle_all`)

    # ----- what a caller asks -----

    def resolve(self, qualified: str) -> tuple[ModuleSummary, str] | None:
        """(summary, attribute) for `pkg.llm.ask` (attribute `ask`) or a method, `pkg.llm.Assistant.ask`
        or `pkg.llm.client.ask` (attribute `Assistant.ask`, `client.ask`): the module is the
        prefix that is a project module, `__init__` re-exports followed."""
        for _ in range(MAX_REEXPORTS):
            parts = qualified.split(".")
            head = self._module_prefix(qualified, parts)
            summary = self.summary(".".join(parts[:head])) if head is not None else None
            if summary is None:
                return None
            attr = ".".join(parts[head:])
            target = summary.reexports.get(parts[head])
            if target is None or target == f"{summary.name}.{parts[head]}":
                return summary, attr
            qualified = ".".join([target, *parts[head + 1 :]])
        return None

    def _module_prefix(self, qualified: str, parts: list[str]) -> int | None:
        """How many leading parts of `qualified` (split into `parts`) name a project module: all
        but the last, or all but the last two (a method), else None. Asked for every call a
        module makes, round after round, so kept per name (`file_of` keeps its answers too)."""
        if qualified not in self._prefixes:
            self._prefixes[qualified] = next(
                (n for n in (len(parts) - 1, len(parts) - 2) if n > 0 and self.file_of(".".join(parts[:n]))),
                None,
            )
        return self._prefixes[qualified]

    def import_tokens(self, path: str, text: str, searched: str | None = None) -> tuple[str, set[Path]]:
        """Catalog tokens the file reaches through project imports (the sink patterns and source
        descriptions of the summaries it imports, for the prefilter), and those summaries' files.
        Only what the file can reach by name counts: the analysis looks a call up in a summary
        by the name the call spells (`llm.ask`, `from llm import ask as a`, `assistant.ask`,
        `self.ask` in a subclass, `getattr(llm, "ask")`), or by the name a re-export it spells
        leads to, or runs a dunder unspelled (`Assistant(q)` runs `__init__`). So a function or
        method adds its tokens only when its name (the last part, `ask` of `Assistant.ask`) is a
        word of the file's text (anywhere, strings and comments too; `searched` is the text as
        the token gate reads it: escapes decoded, NFKC-normalised), is what a spelled re-export
        leads to, or is a dunder of a class it names (`_reachable` says which summaries count,
        `_reached_by_name` which functions). A file whose imports
        reach too far, or whose summaries are incomplete, gets the tokens the modules below
        spell: it is then analysed and reported as not fully analysed (AIS005), never skipped
        silently."""
        tokens: list[str] = []
        files: set[Path] = set()
        name = self.module_name(path)
        # the text asked about may be an editor's unsaved buffer: its imports are not memoised
        imported = self._imported(name, Path(path).name == "__init__.py", text)
        if self._reach_of(imported, name) is None:
            for module in imported:
                file = self.file_of(module)
                if file is not None and module != name:
                    tokens += self._tokens_below(module)
                    files.add(file)
            return " ".join(tokens), files
        spelled = frozenset(_WORD.findall(searchable(text) if searched is None else searched))
        named = set(spelled)
        reachable = self._reachable(text, imported, name, spelled, named)
        reached = partial(_reached_by_name, frozenset(named))
        for summary in reachable:
            from .summary import summary_tokens  # loaded only for a file importing a project module

            files.update(summary.files)
            if summary.incomplete is not None:
                tokens += summary_tokens(summary) + self._tokens_below(summary.name)
            else:
                tokens += summary_tokens(summary, reached)
        return " ".join(tokens), files

    def _reachable(
        self, text: str, imported: list[str], own: str | None, spelled: frozenset[str], named: set[str]
    ) -> list[ModuleSummary]:
        """The summaries a file's calls may be looked up in: those of the modules it imports and
        of the package a plain `import a.b` binds (`a`); of a module below one of them whose name
        it spells (`import pkg` then `pkg.llm.ask(q)`: the analysis resolves a dotted name
        through any module of the project); of what a re-export it spells leads to (`from pkg
        import query` with `from .llm import ask as query` in `pkg/__init__.py`: the name it
        leads to, `ask`, joins `named`); and of the modules their classes' bases are in
        (`_with_bases`, the methods they inherit)."""
        queue = [*imported, *_bound_packages(text)]
        seen: set[str] = set()
        found: dict[str, ModuleSummary] = {}
        while queue:
            module = queue.pop(0)
            if module in seen or module == own or self.file_of(module) is None:
                continue
            seen.add(module)
            for summary in self._with_bases(self.summary(module)):
                if summary.name in found:
                    continue
                found[summary.name] = summary
                queue += [f"{summary.name}.{word}" for word in sorted(self.below(summary.name) & spelled)]
                for alias, target in summary.reexports.items():
                    if _identifier(alias) not in spelled:
                        continue
                    hit = self.resolve(target) if self.file_of(target) is None else None
                    if hit is not None:
                        named.update(_identifier(part) for part in hit[1].split("."))
                        queue.append(hit[0].name)
                    else:
                        queue.append(target)  # a module, or none of the project's
        for summary in self._name_bases(list(found.values()), named):
            found.setdefault(summary.name, summary)
        return list(found.values())

    def _name_bases(self, summaries: list[ModuleSummary], named: set[str]) -> list[ModuleSummary]:
        """Add to `named` the bases of the classes it names (in the modules the file reaches),
        and theirs: the analysis looks an unspelled dunder of a class up in its bases (`Sub(q)`
        runs `Base.__init__`). Returns the summaries those bases are in."""
        queue = [
            base
            for summary in summaries
            for cls, bases in summary.bases.items()
            if _identifier(cls) in named
            for base in bases
        ]
        seen: set[str] = set()
        found: list[ModuleSummary] = []
        while queue:
            base = queue.pop()
            hit = self.resolve(base) if base not in seen else None
            seen.add(base)
            if hit is not None:
                named.update(_identifier(part) for part in hit[1].split("."))
                queue += hit[0].bases.get(hit[1], ())
                found.append(hit[0])
        return found

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

    def unfollowed(self, path: str, text: str) -> str | None:
        """Why a checked file may miss flows through the project (AIS005): its imports are not
        followed (`allows`) and one of them reaches a module spelling a catalog source or sink
        (its calls are then library calls). None otherwise.
        Decided by the texts alone, like the reach bound itself, so the same whether or not the
        file is parsed and analysed: the prefilter drops such a file's taint rules (they could
        only find what its own text admits) without losing the notice. (The engine asks it of
        a file that spells a source, as the prefilter and the fast path read it: where a flow
        through the project would start.) A cached result holding the notice records no other
        file: the notice turns on the whole graph, and a module's edit that brings the file
        under the bound again leaves it saying that it may miss flows until it is checked again,
        never the reverse."""
        if self.follows(path):
            return None
        name = self.module_name(path)
        imported = [m for m in self._imports_of(name, Path(path), text) if m != name and self.file_of(m)]
        reaching = next((m for m in imported if self.reaches_any(m)), None)
        if reaching is None:
            return None
        return (
            f"its imports reach more than {self.max_reach:,} project modules with sources or sinks, "
            f"so its calls into them (`{reaching}` first) are read as library calls"
        )

    def follows(self, path: str) -> bool:
        """Whether a checked file's calls into the project are followed (`allows`, as its
        analysis asks it)."""
        return self.allows(self.module_name(path), Path(path).absolute())

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
            self._settle_all(self._unsettled(module))
        return self._summaries.get(module)

    def complete(self, summary: ModuleSummary, caller: str | None) -> ModuleSummary:
        """The analysed summary of a module read as its outline (it spells no catalog source or
        sink), asked only when `caller` passes data into one of its names: its sanitizer and
        guard helpers then clear that data as they would within one module. Stay their outline
        (their functions pass data through: a finding may stay, none is lost): a module in the
        caller's import cycle, one whose analysis is incomplete, and past `MAX_COMPLETING`
        analyses nested in one another, or back to one under way, what is asked. The result is
        a function of the module and the nesting budget left, never of the order in which files
        asked: an analysis no bound cut short is reused where its depth fits the budget."""
        module = summary.name
        if not summary.outlined or module in self._current or self._same_cycle(module, caller):
            return summary
        budget = self._completing[-1][1] - 1 if self._completing else MAX_COMPLETING
        exact = self._exact.get(module)
        if exact is not None and exact[1] <= budget:
            self._used(exact[1], limited=False)
            return exact[0] or summary
        if (module, budget) in self._completed:
            self._used(budget, limited=True)
            return self._completed[(module, budget)] or summary
        if budget <= 0 or any(frame[0] == module for frame in self._completing):
            self._used(0, limited=True)
            return summary
        frame = [module, budget, False, 1]
        self._completing.append(frame)
        try:
            with self.off_the_clock():
                found = self._analysed(module, frame)
        finally:
            self._completing.pop()
        if frame[2]:
            self._completed[(module, budget)] = found
        else:
            self._exact[module] = (found, frame[3])
        self._used(frame[3], limited=frame[2])
        return found or summary

    def _used(self, depth: int, *, limited: bool) -> None:
        """Tell the analysis under way (if any) what a nested one used: its depth, and whether a
        bound cut it short (then every analysis under way holds for its own budget only)."""
        if self._completing:
            self._completing[-1][3] = max(self._completing[-1][3], depth + 1)
        for frame in self._completing if limited else ():
            frame[2] = True

    def _same_cycle(self, module: str, caller: str | None) -> bool:
        if caller is None or self.file_of(caller) is None:
            return False
        with self.off_the_clock():
            self._components(caller)
        return module in self._component_of.get(caller, ())

    def _analysed(self, module: str, frame: list) -> ModuleSummary | None:
        """An outlined module's analysis at the nesting budget `frame[1]` (cached under its
        summary key and that budget: read back, it counts as cut short, its depth unknown),
        None when incomplete."""
        from .summary import summary_from_json, summary_to_json

        key = self._keys.get(module)
        record = f"{key}:analysed:{frame[1]}" if key is not None and self.store is not None else None
        cached = self.store.get_record("summary", record) if record is not None else None
        found = summary_from_json(cached, self.catalog) if cached is not None else None
        path = self.file_of(module)
        if found is not None:
            frame[2] = True
        elif path is not None:
            found = self._analyse(module, path, read_text(path))
            if found is not None and record is not None:
                self.store.put_record("summary", record, summary_to_json(found, self.catalog))
        return found if found is not None and found.incomplete is None else None

    # ----- summarising, bottom-up -----

    def _unsettled(self, start: str) -> list[tuple[str, ...]]:
        """The components below `start` (its own included) whose summaries are not made yet,
        those it imports first. A module whose imports reach too far is not followed into."""
        return self._imports_first(
            [self._component_of[start]],
            set(),
            lambda component: all(m in self._summaries or m in self._current for m in component),
        )

    def _imports_first(
        self,
        starts: list[tuple[str, ...]],
        seen: set[tuple[str, ...]],
        made: Callable[[tuple[str, ...]], bool] = lambda component: False,
    ) -> list[tuple[str, ...]]:
        """`starts` and the components they import, and theirs, each after those it imports (a
        depth-first post-order, iterative); not those in `seen` (which it adds to) or `made`,
        nor into a module whose imports reach too far (`_below`)."""
        order: list[tuple[str, ...]] = []
        work = [(component, False) for component in starts]
        while work:
            component, expanded = work.pop()
            if expanded:
                order.append(component)
                continue
            if component in seen or made(component):
                continue
            seen.add(component)
            work.append((component, True))
            work.extend((below, False) for below in self._below(component) if below not in seen)
        return order

    def _below(self, component: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        """The components that `component`'s members import, in their import order (repeats
        included); not those of a member whose imports reach too far (it is not followed)."""
        for member in component:
            if self._reach.get(member, frozenset()) is None:
                continue
            for name in self._edges(member):
                below = self._component_of.get(name)
                if below is not None and below != component:
                    yield below

    def _settle_all(self, order: list[tuple[str, ...]]) -> None:
        """Settle the components of `order` (`_unsettled`: each after those it imports), sharing
        the work with the other processes that summarise the same project into the same store
        (the pool's workers, which all start from the project's core modules): a component is
        summarised under a claim on its key (`cache.ResultCache.take_claim`); one that another
        process holds a claim on is left for later, and the next component whose imports are all
        settled is taken instead. Once the other process lets go, the component is settled here
        as any other, and `_summarise` finds the signed records it wrote (a claim never skips
        a summary: without a record, this process makes it). Only when every component left is
        claimed elsewhere or waits for one that is does this process wait, `CLAIM_WAIT` seconds
        at most (then it summarises the first itself), the file's clock stopped meanwhile; a
        pool worker settles other components the run's files import meanwhile, one at a time,
        looking at its own list again after each (`_spare_time`).

        No two processes wait for each other: a process holds one claim per component it is
        settling, and settling a component asks only for summaries of components below it (the
        modules its members import, transitively: `_relevant`, the analysis' `resolve` and
        `complete`), which are settled first or within. The components are the strongly
        connected components of one import graph, the same in every process (decided by the
        texts alone), so a chain of processes each waiting for a claim another holds goes
        strictly down that acyclic graph and ends at a process that waits for nobody. Spare
        work waits for nobody: it takes a component only when every module its members import
        is settled here (so it asks for nothing unsettled and takes no further claim), and
        should it ask for one all the same, what another process holds a claim on is made
        here at once, never waited for. (A module's analysis under `complete`, `_analysed`,
        takes no claim: two processes may analyse the same outlined module; its record is
        written by both, the same.)"""
        take = getattr(self.store, "take_claim", None)
        if take is None:  # no store (`--no-cache`): nothing to share
            for component in order:
                self._settle(component, None)
            return
        pending = list(order)
        open_ = set(pending)
        keyed: dict[tuple[str, ...], dict[str, str | None]] = {}
        waited_since: float | None = None
        pause = CLAIM_POLL[0]
        while pending:
            chosen: tuple[tuple[str, ...], str | None] | None = None
            first_held: tuple[str, ...] | None = None
            for component in pending:
                if self._settled(component):
                    chosen = component, None
                    break
                if any(below in open_ for below in self._below(component)):
                    continue
                if component not in keyed:
                    keyed[component] = self._component_keys(component)
                key = keyed[component][component[0]]
                if key is None or take("summary", key):
                    chosen = component, key
                    break
                first_held = first_held or component
            if chosen is None:
                assert first_held is not None  # the first pending component's imports are settled
                now = time.monotonic()
                waited_since = now if waited_since is None else waited_since
                if self._speculating or now - waited_since >= CLAIM_WAIT:
                    # spare work never waits; held too long (a hung or a foreign claim): made here
                    chosen = first_held, None
                elif self._spare_time():  # other work done meanwhile: look again
                    continue
                else:
                    time.sleep(pause)
                    pause = min(pause * 2, CLAIM_POLL[1])
                    continue
            component, key = chosen
            pending.remove(component)
            open_.discard(component)
            waited_since, pause = None, CLAIM_POLL[0]
            try:
                self._settle(component, keyed.get(component))
            finally:
                if key is not None:
                    self.store.release_claim("summary", key)

    def _spare_time(self) -> bool:
        """In a pool worker (`spare` set) whose summaries wait for claims held elsewhere: settle
        one other component the run's files import (`spare`, those of the first files first,
        each after those it imports), one that no other process holds a claim on and whose
        imports are all settled here, so that settling it asks for nothing unsettled and never
        waits. Nearly every module a run's files import is summarised in a cold run, by
        whoever asks first: the other processes read the records this one writes instead of
        waiting idle, then making them. Whether it did spare work: settled one, or read the
        imports of more spare files (`SPARE_READ` seconds at most; then the caller looks at its
        own list again). Only where no summary is under way (a top-level `summary`: its trees,
        outlines and nesting budgets are not another component's), and never within spare work."""
        if self.spare is None or self._speculating or self._current or self._completing:
            return False
        start, until = self._spare_from, time.monotonic() + SPARE_READ
        while True:
            for index in range(start, len(self._spare_order)):
                component = self._spare_order[index]
                if self._settled(component):
                    if index == self._spare_from:
                        self._spare_from += 1
                    continue
                if not self._imports_settled(component):
                    continue
                if component not in self._spare_keys:
                    self._spare_keys[component] = self._component_keys(component)
                keys = self._spare_keys[component]
                key = keys[component[0]]
                if key is not None and not self.store.take_claim("summary", key):
                    continue
                self._speculating = True
                try:
                    self._settle(component, keys)
                finally:
                    self._speculating = False
                    if key is not None:
                        self.store.release_claim("summary", key)
                return True
            if self._spare_read >= len(self.spare):
                return False
            if time.monotonic() > until:
                return True
            start = len(self._spare_order)  # those before were looked at
            self._read_spare(self.spare[self._spare_read])
            self._spare_read += 1

    def _read_spare(self, path: Path) -> None:
        """Add the components a spare file imports, and theirs, to `_spare_order` (each after
        those it imports; as `_unsettled` follows them), if it spells a catalog source or sink:
        only such a file asks for its imports' summaries (the prefilter's `import_tokens`, the
        analysis). Not the file's own: a file no other imports is checked, never summarised."""
        module = self.module_name(path)
        file = self.file_of(module) if module is not None else None
        if module is None or file is None or not self._mentions(file):
            return
        self._components(module)
        self._spare_order += self._imports_first(
            list(self._below(self._component_of[module])), self._spare_seen
        )

    def _imports_settled(self, component: tuple[str, ...]) -> bool:
        """Whether every module the component's members import is settled here (all of them,
        followed or not: `_relevant` asks for their summaries). The last one found unsettled
        is looked at first the next time."""
        blocker = self._spare_blocker.get(component)
        if blocker is not None and not self._settled(self._component_of[blocker]):
            return False
        for member in component:
            for name in self._edges(member):
                below = self._component_of[name]
                if below != component and not self._settled(below):
                    self._spare_blocker[component] = name
                    return False
        return True

    def _settled(self, component: tuple[str, ...]) -> bool:
        return any(m in self._summaries or m in self._current for m in component)

    def _settle(self, component: tuple[str, ...], keys: dict[str, str | None] | None) -> None:
        """Summarise a component: one module at once, an import cycle by `_iterate`. `keys`:
        its members' keys, when `_component_keys` made them already."""
        if self._settled(component):
            return
        keys = keys or self._component_keys(component)
        # while it is made, a module's summary is its outline (to a question its analysis asks)
        self._current.update({m: self._outline_of(m) for m in component})
        outer = self._kept  # a cycle's trees are its own (a cycle below, summarised meanwhile: its own)
        try:
            if len(component) == 1:  # a module importing itself is no cycle: its names are its own
                found = {component[0]: self._summarise(component[0], keys[component[0]], store=True)}
            else:
                self._kept = {}
                found = self._iterate(component, keys)
        finally:
            self._kept = outer
            for module in component:
                self._current.pop(module, None)
        self._summaries.update(found)
        previous = self._previous_cycles.pop(component, None)
        if self.store is None:
            return
        as_json = {m: self._json_of(m, s, previous) for m, s in found.items() if s is not None}
        self._deps.update(dict.fromkeys(component, self._dependency_digest(component, found, as_json)))
        if len(component) > 1:
            self._store_cycle(component, keys, found, previous, as_json)

    def _json_of(self, module: str, summary: ModuleSummary, previous: PreviousCycle | None) -> Any:
        """A settled summary's JSON: as read from the cache or written to it when that is this
        very summary (no second encoding), else encoded now."""
        from .summary import summary_to_json

        raw = self._raw.pop(module, None)
        if raw is not None and raw[0] is summary:
            return raw[1]
        if previous is not None and previous.summaries.get(module) is summary:
            return previous.raw[module]
        return summary_to_json(summary, self.catalog)

    def _dependency_digest(
        self, component: tuple[str, ...], found: dict[str, ModuleSummary | None], as_json: dict[str, Any]
    ) -> str:
        """What an importer's summary key takes of a settled component (its members share one):
        all that an importer's analysis can read of it, and nothing else, so that an edit that
        leaves it unchanged (a comment, a function body whose flows stay the same) leaves every
        key above unchanged too, and the summaries above are read from the cache instead of
        analysed again ("early cut-off"). Per member: its summary as JSON (flows, paths and
        lines, constants, re-exports, bases), or its bytes where its summary is its outline or
        none (an importer may analyse an outlined module itself, `complete`); the catalog tokens
        it spells and the modules it imports (which decide the reach bound, `allows`, and the
        tokens the prefilter admits, `_tokens_below`); and, for what the component imports from
        outside, their digests in turn (anything an importer reads two imports down)."""
        import json

        digest = sha256(b"dependency")
        for member in component:
            summary, path = found.get(member), self.file_of(member)
            if summary is None or summary.outlined or member not in as_json:
                part = f"bytes {self._bytes.get(member, '')}"
            else:
                part = json.dumps(as_json[member], sort_keys=True, separators=(",", ":"))
            spelled = sorted(set(self._spelled(path))) if path is not None else []
            digest.update(f"\0{member}\0{part}\0{spelled}\0{sorted(self._edges(member))}".encode())
        members = set(component)
        for name in sorted({n for m in component for n in self._edges(m) if n not in members}):
            digest.update(f"\0{name}\0{self._deps.get(name, '')}".encode())
        return digest.hexdigest()

    def dependency_digest(self, path: str, *, settle: bool = False) -> str | None:
        """The `_dependency_digest` of the project module at `path` (an absolute path, as a
        result records its dependencies) as this run settled it; with `settle`, settled first.
        None: not a project module, or not settled (a result then depends on its bytes). Not
        settled either, when asked because its `stat` changed (`settle`), is a module that
        defines no function or class: its summary is its outline, whose digest takes its bytes,
        so an edit changes it anyway (transformers' `__init__.py`: settling it for nothing read
        the summaries of the modules it imports, ~0.1 s); a touch then re-checks its importers."""
        module = self.module_name(path)
        file = self.file_of(module) if module is not None and self.store is not None else None
        if file is None or file.absolute() != Path(path).absolute():
            return None
        if settle and module not in self._summaries:
            if not _DEFINES.search(read_text(file)):
                return None
            self.summary(module)
        return self._deps.get(module)

    def _store_cycle(
        self,
        component: tuple[str, ...],
        keys: dict[str, str | None],
        found: dict[str, ModuleSummary | None],
        previous: PreviousCycle | None,
        as_json: dict[str, Any],
    ) -> None:
        """Keep a settled cycle for the next run: one record with every member's summary (not
        written again when it says exactly this already: a run that resumed the cycle and
        analysed nothing). A cycle that did not settle, or whose record would be too big, keeps
        each member's summary in its own record (an unsettled cycle has no cycle record: the
        next run iterates it again, reading those)."""
        from .cycles import cycle_record, cycle_record_key

        own = {m: self._own[m] for m in component}
        settled = all(keys.values()) and all(s and not s.incomplete for s in found.values())
        if settled and previous is not None and previous.holds(own, found):
            return
        if settled and self.store.put_record(
            "summary", cycle_record_key(component), cycle_record(own, as_json)
        ):
            return
        for module, summary in as_json.items():
            if keys[module] is not None:
                self.store.put_record("summary", keys[module], summary)
        if settled:
            self.store.put_record("summary", cycle_record_key(component), cycle_record(own, None))

    def _iterate(self, component: tuple[str, ...], keys: dict[str, str | None]) -> dict:
        """An import cycle's summaries, with a worklist in the cycle's own callee-first order
        (`_cycle_order`, the same whichever module was asked for): each member is analysed
        with the summaries made so far, and a member whose flows changed queues the members
        importing it again, until the worklist is empty or `CYCLE_COST` analyses per member are
        spent; then every member's summary says it is incomplete (AIS005 where a caller uses
        it), never silently partial. A cycle that settled before starts from its previous
        summaries (`_resumed`): only what an edit invalidates is analysed again; should that
        not settle within the bound, the cycle is summarised from scratch, as if never cached."""
        from .cycles import differs
        from .summary import interface

        order = self._cycle_order(component)
        rank = {m: n for n, m in enumerate(order)}
        importers: dict[str, list[str]] = {m: [] for m in component}
        for member in component:
            for name in self._edges(member):
                if name in importers:
                    importers[name].append(member)
        # progress survives an interruption (the checked file's time budget): the next file resumes
        if component not in self._progress:
            self._progress[component] = self._resumed(component)
        found, queue, spent, previous_run = self._progress[component]
        self._current.update(found)
        while queue and spent[0] < CYCLE_COST * len(component):
            # in sweeps along the order: what a change queues behind the sweep waits for the next one
            module = min([m for m in queue if rank[m] > spent[1]] or queue, key=rank.__getitem__)
            spent[1] = rank[module]
            made = self._summarise(module, keys[module], store=False)
            queue.discard(module)
            spent[0] += 1
            previous = self._current[module]
            found[module] = self._current[module] = made
            unread = previous_run[1] if previous_run is not None else {}  # previous summaries kept
            if module in unread and differs(made, unread.pop(module), self.catalog):
                outlined = {m for m in importers[module] if m in unread and unread[m].outlined}
                for user in (previous_run[0].users[module] | outlined) & set(unread):  # read what changed
                    self._invalidate(previous_run[0].group(user), found, queue)
            if interface(made) != interface(previous):
                queue.update(
                    m for m in importers[module] if m not in unread and self._may_use(m, found.get(m), module)
                )
        del self._progress[component]
        if queue and previous_run is not None:  # from scratch, as if never cached
            self._current.update({m: self._outline_of(m) for m in component})
            self._progress[component] = ({}, set(component), [0, -1], None)
            return self._iterate(component, keys)
        if queue:
            reason = (
                f"an import cycle of {len(component)} modules ({', '.join(component[:3])}, ...) "
                f"that did not settle within {CYCLE_COST * len(component):,} module analyses"
            )
            for module, summary in found.items():
                if summary is not None and summary.incomplete is None:
                    found[module] = replace(summary, incomplete=f"`{summary.display}` is in {reason}")
        return found

    def _resumed(self, component: tuple[str, ...]) -> tuple:
        """Where the worklist starts: (summaries, queue, [analyses spent, sweep position],
        previous run). From scratch, every member is its outline and queued; after an edit to a
        cycle that settled before, the members keep their previous summaries and only the
        changed ones, with the members on a cycle of uses through them (`cycles.UseGraph`),
        start again from their outlines. The previous run (its use graph and the summaries not
        analysed again yet) lets a member whose summary turns out different invalidate those
        that used it."""
        from .cycles import UseGraph, cycle_record_key, previous_summaries

        cold: tuple = ({}, set(component), [0, -1], None)
        record = self.store.get_record("summary", cycle_record_key(component)) if self.store else None
        previous = (
            previous_summaries(record, component, partial(self.store.get_record, "summary"), self.catalog)
            if record is not None
            else None
        )
        if previous is None:
            return cold
        self._previous_cycles[component] = previous
        graph = UseGraph(previous.summaries, self.file_of)
        found: dict[str, ModuleSummary | None] = dict(previous.summaries)
        queue: set[str] = set()
        for member in component:
            if previous.own[member] != self._own.get(member):
                self._invalidate(graph.group(member), found, queue)
        return found, queue, [0, -1], (graph, dict(previous.summaries))

    def _invalidate(self, members: set[str], found: dict, queue: set[str]) -> None:
        """Start `members` again from their outlines (unless already queued)."""
        for member in members - queue:
            found[member] = self._current[member] = self._outline_of(member)
            queue.add(member)

    def _may_use(self, importer: str, summary: ModuleSummary | None, module: str) -> bool:
        """Whether `importer`'s summary may change with `module`'s: it was not analysed yet, or
        was read as its outline (the change may make it worth analysing), or its analysis
        looked `module` up (a summary lists the files of those it applied)."""
        if summary is None or summary.outlined or importer in self._outlined:
            return True
        return self.file_of(module) in summary.files

    def _component_keys(self, component: tuple[str, ...]) -> dict[str, str | None]:
        """What each member's summary depends on: the bytes of the component's modules and what
        an importer can read of the modules they import (`_dependency_digest`: a change two
        imports down that changes what is read there changes every key above; one that does not
        changes none). Each member's own part (its bytes and the digests of what it imports
        from outside the component) is kept too (`_own`): an edited cycle starts again from the
        members whose own part changed (`_resumed`)."""
        from .cycles import member_keys

        members = set(component)
        for member in component:
            path = self.file_of(member)
            try:
                digest = self.recorded(path, "sha256", _hex_digest) if path is not None else _hex_digest(b"")
            except OSError:
                return dict.fromkeys(component)
            self._bytes[member] = digest
            own = sha256(f"{member}\0".encode() + bytes.fromhex(digest))
            for name in sorted({n for n in self._edges(member) if n not in members}):
                own.update(f"\0{name}\0{self._deps.get(name, '')}".encode())
            self._own[member] = own.hexdigest()
        keys = member_keys(component, self._own)
        self._keys.update(keys)
        return keys

    def _summarise(self, module: str, key: str | None, *, store: bool) -> ModuleSummary | None:
        from .summary import summary_from_json, summary_to_json

        path = self.file_of(module)
        if path is None:
            return None
        try:
            data = path.read_bytes()
            text = without_bom(data.decode("utf-8"))
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
                self._raw[module] = (summary, cached)
                return summary
        summary = self._analyse(module, path, text)
        if store and key is not None and self.store is not None and summary is not None:
            as_json = summary_to_json(summary, self.catalog)
            self._raw[module] = (summary, as_json)
            self.store.put_record("summary", key, as_json)
        return summary

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
        """The outline of a module's file (recorded between runs while its stamp holds)."""
        path = self.file_of(module)
        if path is None:
            return None
        parts = self.text_fact(path, f"outline {module}", partial(self._outline_parts, module, path))
        return self._outlined_summary(module, path, parts)

    def _outline(self, module: str, path: Path, text: str) -> ModuleSummary | None:
        """What a module offers without analysing it: its constant texts and re-exports."""
        return self._outlined_summary(module, path, self._outline_parts(module, path, text))

    def _outlined_summary(self, module: str, path: Path, parts: list | None) -> ModuleSummary | None:
        from .summary import ModuleSummary

        if parts is None:
            return None
        constants, reexports = parts
        return ModuleSummary(
            module,
            path,
            self._display(path),
            files=(path,),
            outlined=True,
            constants=dict(constants),
            reexports=dict(reexports),
        )

    def _outline_parts(self, module: str, path: Path, text: str) -> list | None:
        """[constant texts' word counts, re-exports] of a module's text (None: it does not parse),
        as JSON reads them back (`recorded`)."""
        from .values import count_words

        tree = self._parsed(path, text)
        if tree is None:
            return None
        constants: dict[str, int] = {}
        reexports: dict[str, str] = {}
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
                        constants[target.id] = words
            elif isinstance(statement, ast.ImportFrom):
                base = self.absolute(module, statement.level, statement.module or "", is_package)
                for alias in statement.names if base else ():
                    if alias.name != "*":
                        reexports[alias.asname or alias.name] = f"{base}.{alias.name}"
        return [constants, reexports]

    def _parsed(self, path: Path, text: str) -> ast.Module | None:
        """CPython's tree of a module's text (None: it does not parse); the first lines of its
        statements are kept for its analyses (`_lines_of`), which may follow in this run."""
        from ..positions import statement_lines

        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            self._statement_lines[path] = (_digest(text), None)
            return None
        try:
            lines = statement_lines(tree.body)
        except RecursionError:
            lines = None
        self._statement_lines[path] = (_digest(text), lines)
        return tree

    def _lines_of(self, path: Path, text: str) -> Lines | None:
        """The first lines of the statements of `text` (`positions.statement_lines`), from the
        outline made of the same text when there was one (a module of an import cycle is read
        as its outline and then analysed, maybe more than once), else from CPython's parse."""
        known = self._statement_lines.get(path)
        if known is None or known[0] != _digest(text):
            self._parsed(path, text)
            known = self._statement_lines[path]
        return known[1]

    def _analyse(self, module: str, path: Path, text: str) -> ModuleSummary | None:
        """Analyse the module and export its summary (None: not Python, or nesting too deep).
        The lines of its nodes (in the summary's paths, and comparing paths) are read off the
        code of the statements that hold them (`positions.Positions.start_line`, as for a
        scanned file), not off a code-generation pass over the whole module; exactly the same
        lines (`tests/test_taint_lines.py`)."""
        import libcst as cst

        from ..names import NameTable
        from .export import export_summary
        from .module import ModuleTaint

        try:
            tree, positions = self._parse(path, text)
            taint = ModuleTaint(
                tree,
                NameTable(tree),
                self.catalog,
                project=self,
                module_name=module,
                path=path,
                node_lines=positions.start_line if positions is not None else None,
            )
            return export_summary(taint, module, path, self._display(path))
        except (cst.ParserSyntaxError, RecursionError):
            return None

    def _parse(self, path: Path, text: str) -> tuple[Any, Any]:
        """The module's libcst tree and the `positions.Positions` its nodes' lines are read off
        (None: CPython does not parse it). While an import cycle is summarised (`_settle`) its
        members are analysed again as the summaries they import change; a member's tree (and
        what its `Positions` generated) is then parsed once and kept for the same text, until
        the cycle settles, within `MAX_KEPT_TEXT` bytes of source (first come: an analysis reads
        the tree only, never changes it, so a kept tree gives the same summary as a new one)."""
        from ..parsing import parse_module
        from ..positions import Positions

        digest = _digest(text)
        kept = self._kept.get(path) if self._kept is not None else None
        if kept is not None and kept[0] == digest:
            return kept[1], kept[2]
        tree = parse_module(text)
        lines = self._lines_of(path, text)
        positions = Positions(tree, text, lines) if lines is not None else None
        if self._kept is not None and len(text) + sum(k[3] for k in self._kept.values()) <= MAX_KEPT_TEXT:
            self._kept[path] = (digest, tree, positions, len(text))
        return tree, positions

    def _display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def _hex_digest(data: bytes) -> str:
    return sha256(data).hexdigest()


def _digest(text: str) -> bytes:
    """What identifies a text kept apart from it (`_statement_lines`: not the texts themselves)."""
    return sha256(text.encode("utf-8", "surrogatepass")).digest()


def _reached_by_name(named: frozenset[str], function: str) -> bool:
    """Whether a summary's function is reached by the names a file spells (`named`): a function
    or method by its own name (`ask` of `ask` and of `Assistant.ask`); a class's dunder, which
    runs without being spelled (`__init__`, `__call__`, `__enter__`, an operator...), by its
    class's name (`Assistant(q)`, a subclass's through `ProjectModules._name_bases`). A module's
    own `__getattr__` counts only spelled, as the analysis reads it: it looks a module's name up
    in its summary and never asks `__getattr__` for one the module lacks (`pkg.anything(q)` is
    an unknown function with the prefilter on or off). Compared as Python compares identifiers
    (NFKC)."""
    owner, _, last = _identifier(function).rpartition(".")
    if owner and last.startswith("__") and last.endswith("__"):
        return owner.rpartition(".")[2] in named
    return last in named


def _identifier(name: str) -> str:
    """A name as Python compares identifiers (NFKC-normalised), as the file's words are read: a
    summary keeps its module's names as written."""
    if name.isascii():
        return name
    import unicodedata

    return unicodedata.normalize("NFKC", name)


def _bound_packages(text: str) -> list[str]:
    """The top packages plain imports of submodules bind (`a` of `import a.b.c`): the modules
    below them are reached by name (`_reachable`)."""
    return [
        part.strip().partition(".")[0]
        for *_, plain in import_statements(text)
        for part in plain.split(",")
        if "." in part.split(" as ")[0]
    ]
