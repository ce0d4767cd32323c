"""The taint facts of one module: the fixpoint over its units, and the `TaintFacts` protocol.

Owns the order of the analysis (module body, then every function, in rounds until summaries,
`self` attributes and globals stop changing) and the answers rules get (`origin`, `origins`,
`sink_flows`). The transfer functions, call handling, sink classification and fact resolution are
mixins, one module each; `ModuleTaint` is where they meet.

May import: every module of the package (it is the top layer); nothing imports it but `__init__`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import libcst as cst
from aisec.hooks import (
    INPUT,
    MESSAGES,
    Location,
    ParameterSource,
    RelatedLocation,
    Sink,
    SinkFlow,
    TaintCatalog,
    TaintFact,
)

from .calls import CallTransfer
from .catalog import CatalogIndex
from .definitions import Definitions
from .expressions import ExpressionTransfer, with_round_writes
from .facts import FactsForRules, SourceLines
from .files import FileContents
from .foreign import ProjectCalls
from .graphs import GraphRuns
from .guards import Narrowing
from .library import LibraryModels
from .messages import message_kinds
from .sinks import FlowContext, SinkFlows
from .statements import StatementTransfer
from .summaries import Summaries
from .syntax import count_statements, dotted
from .templates import Templates
from .units import Class, Function, SinkCall, Unit, inherited
from .values import (
    EMPTY,
    NO_FACTS,
    Instance,
    Param,
    Partial,
    Taint,
    Value,
    collect,
    join,
    limit_depth,
    mark_encoded,
    mark_spliced,
    witness_steps,
)

if TYPE_CHECKING:
    from .project import ProjectModules

MAX_ROUNDS = 6  # fixpoint rounds over summaries, `self` attributes and globals
MAX_ANALYSES = 8  # times one function is analysed within a round (recursion widens meanwhile)
MAX_NESTED = 4  # callees analysed on demand inside one another in the first round (`_analyse_on_demand`)
CALLEES_ON_DEMAND = True  # False: the first round in definition order (the differential tests' reference)
SKIP_REPEATED_ROUND = True  # False: the round `_round_repeats` proves a repeat runs (the tests' reference)
STEPS_PER_STATEMENT = 200  # the analysis budget: statements evaluated per statement of the file,
STEPS_BASE = 20_000  # plus a base; the fixpoint normally needs a few per statement


class AnalysisBudgetExceeded(Exception):
    """The file needs more evaluation steps than its budget (see `ModuleTaint.incomplete`)."""


class ModuleTaint(
    StatementTransfer,
    Narrowing,
    Definitions,
    Summaries,
    ExpressionTransfer,
    CallTransfer,
    LibraryModels,
    Templates,
    SinkFlows,
    FactsForRules,
    ProjectCalls,
    FileContents,
    GraphRuns,
):
    """The taint facts of one module: implements `aisec.hooks.TaintFacts`."""

    def __init__(
        self,
        module: cst.Module,
        names: Any,
        catalog: TaintCatalog,
        *,
        project: ProjectModules | None = None,
        module_name: str | None = None,
        path: Path | None = None,
        node_lines: Callable[[Any], int | None] | None = None,
    ) -> None:
        """`project` (with this module's dotted `module_name` and `path`) resolves calls of the
        project's functions in other modules to their summaries. `node_lines`: the start lines of
        the module's nodes as the engine can tell them without generating the whole module (None
        where it cannot: `_line`)."""
        self.module = module
        self.node_lines = node_lines
        self.names = names
        self.catalog = catalog
        self.project = project
        self.module_name = module_name
        self.path = path
        self.dependencies: set[Path] = set()  # files of the summaries this module's analysis used
        self._imports_from: dict[str, str] | None = None
        self._imports_for_types: dict[str, str] | None = None  # under `if TYPE_CHECKING:`
        self._follows_imports: bool | None = None  # `project.allows` this module, asked once
        self._annotated_aliases: dict | None = None  # `Dep = Annotated[...]` aliases, read once
        self._done = False
        self.incomplete: str | None = None  # why the analysis stopped early (None: it did not)
        # the first call into the project read as a library call, its imports not followed
        # (a summary says so; a checked file's notice is the engine's, `ProjectModules.unfollowed`)
        self.unfollowed: str | None = None

    # ----- the TaintFacts protocol -----

    def origin(self, expr: Any, tiers: Iterable[str] | None = None) -> TaintFact | None:
        wanted = set(tiers) if tiers is not None else None
        for fact in self.origins(expr):
            if wanted is None or fact.tier in wanted:
                return fact
        return None

    def origins(self, expr: Any) -> tuple[TaintFact, ...]:
        self._ensure()
        value = self._values.get(id(expr))
        if value is None:
            return ()
        return self._publics(self._concrete(value.all))

    def is_untrusted(self, expr: Any, tiers: Iterable[str] | None = None) -> bool:
        return self.origin(expr, tiers) is not None

    def sink_flows(self, call: Any) -> tuple[SinkFlow, ...]:
        self._ensure()
        cached = self._flow_cache.get(id(call))
        if cached is not None:
            return cached
        flows: dict[tuple, tuple] = {}  # one flow per key: the first raw flow's, the canonical path
        entries = self._entry_flows()  # resolves every call's flows: where message objects are sent
        sent = self._sent_messages.get(id(call))
        resolved = self._resolved_flows(call)
        for rank, (role, target, node, _, sink, message_role, remote, entering) in enumerate(resolved):
            for fact, entry in entering:
                if entry is None:  # data passed in by a caller is reported at that call
                    public = self._public(fact)
                    if sent is not None:  # a message object: built here, sent by another statement
                        public = replace(public, steps=(*public.steps, call))
                    helper_sink = sent or (
                        self._whole_sinks.get((id(call), id(node))) if not remote else None
                    )
                    flow = SinkFlow(public, role, target, node, sink, message_role, remote, helper_sink)
                    self._keep(flows, (role, target, id(node), public), flow, public.steps, rank)
        for rank, flow in enumerate(entries.get(id(call), ()), len(resolved)):
            key = (flow.role, flow.target, id(flow.node), flow.fact)
            self._keep(flows, key, flow, flow.fact.steps, rank)
        result = self._in_report_order(flows.values())
        self._flow_cache[id(call)] = result
        return result

    def _raw_flows(self, call: Any) -> list[tuple]:
        """(role, target, node, facts, sink, message role, path in another module) of a call,
        placeholders unresolved."""
        raw: list[tuple[str, str, Any, frozenset, Sink | None, str | None]] = []
        record = self._sink_calls.get(id(call))
        if record is not None:
            for sink, label in record.sinks:
                for argument in sink.arguments:
                    for node, value, what in self._sink_arguments(call, record.args, argument):
                        if argument.reads_files:  # a command line runs the files it names
                            value = self._with_contents(value)
                        ctx = FlowContext(raw, sink, label, record.args, argument)
                        self._dispatch(ctx, argument.role, value, node, what, argument.template)
        self._whole_flows(call, raw)
        for slot, value, node in self._binds.get(id(call), ()):
            facts = value.all
            if slot.role == MESSAGES:
                ctx = FlowContext(raw, None, slot.target, [])
                self._dispatch(ctx, MESSAGES, value, node, slot.target, False)
                continue
            if slot.spliced:
                facts = collect([mark_spliced(f) for f in facts])
            if facts:
                raw.append((slot.role, slot.target, node, facts, None, None))
        flows = [(*entry, ()) for entry in raw]
        for entry, summary, name, value, node in self._foreign_flows.get(id(call), ()):
            remote = tuple(
                RelatedLocation(Location(path, line, column, line, column), message)
                for path, line, column, message in entry.steps
            )
            via = f"`{summary.name}.{name}()`"
            if entry.role in (MESSAGES, INPUT):  # a message list passed whole: classify it here
                parts: list = []
                base, _, inner = entry.target.partition(", in `")
                self._dispatch(FlowContext(parts, entry.sink, base, []), entry.role, value, node, "", False)
                rest = f", in `{inner}" if inner else ""
                flows += [(part[0], _in_order(part[1] + rest, via), *part[2:], remote) for part in parts]
                continue
            facts = value.all
            if entry.spliced:
                facts = collect([mark_spliced(f) for f in facts])
            for encoder in entry.encoded:
                facts = collect([mark_encoded(f, encoder) for f in facts])
            target = _in_order(entry.target, via)
            flows.append((entry.role, target, node, facts, entry.sink, entry.message_role, remote))
        return flows

    # ----- building -----

    def _ensure(self) -> None:
        if self._done:
            return
        self._done = True
        index = CatalogIndex.of(self.catalog)
        self._sources, self._sinks, self._sanitizers = index.sources, index.sinks, index.sanitizers
        self._decorator_sources, self._registrars = index.decorators, index.registrars
        self._strings: dict[int, str | None] = {}
        self._changes: dict[Any, int] = {}
        self._round_number = 0
        self._imports = self._module_imports()
        self._qualified_cache: dict[int, str | None] = {}
        self._functions: dict[int, Function] = {}
        self._function_list: list[Function] = []
        self._classes: dict[int, Class] = {}
        self._summaries: dict[int, Value] = {}
        self._guards: dict[int, frozenset[int]] = {}  # function -> parameters its true result vouches for
        self._mutations: dict[int, dict[int, Value]] = {}  # function -> what it puts into its parameters
        self._class_attrs: dict[tuple[Any, str], Value] = {}  # (class node id or shared store, name)
        self._sites: dict[int, list[tuple[cst.Call, dict[int, Value]]]] = {}  # call, arguments (per round)
        self._last_sites: dict[int, list[tuple[cst.Call, dict[int, Value]]]] = {}
        self._files: dict[Any, frozenset] = {}  # file -> data written into it (`files`)
        self._closures: dict[int, dict] = {}
        self._registered: dict[int, list[ParameterSource]] = {}
        self._graph_nodes: dict[int, Function] = {}  # the module's state-graph nodes (`graphs`)
        self._argparse_typed: set[str] = set()
        self._lines: SourceLines | None = None  # `_line`: made at the first question
        self._descriptions: dict[int, str] = {}
        self._node_line: dict[int, int] = {}  # `_line`'s answers
        self._met: dict[int, int] = {}  # call -> the order the analysis first met it (`_step_rank`)
        self._flow_cache: dict[int, tuple[SinkFlow, ...]] = {}
        self._entries: dict[int, list[SinkFlow]] | None = None
        self._resolved: dict[int, list[tuple]] = {}  # call -> its raw flows, facts resolved
        self._owners: dict[int, Function | None] = {}  # call -> the function it is in
        self._module_env: dict = {}
        self._callers: dict[int, set[int]] = {}
        self._on_demand = False  # `_analyse_on_demand`: only inside the first round's functions
        self._building: list[Class] = []  # classes whose body is evaluated for the first time
        statements = count_statements(self.module)
        self._steps, self._budget = 0, STEPS_BASE + STEPS_PER_STATEMENT * statements
        try:
            with self.names.detached(), witness_steps(self._description, self._step_rank):
                for number in range(MAX_ROUNDS):
                    if not self._round(first=number == 0) or not self._function_list:
                        break
                    if SKIP_REPEATED_ROUND and number + 1 < MAX_ROUNDS and self._round_repeats():
                        self._steps += self._steps - self._round_start  # as the repeat would have
                        for name, ordered in (self._next_order or {}).items():
                            setattr(self, name, ordered)  # what the repeat records, in its order
                        self._last_sites = self._sites
                        break
        except AnalysisBudgetExceeded:
            # what was found so far stays; the engine reports the file as not fully analysed
            self.incomplete = (
                f"the dataflow analysis stopped after {self._budget:,} steps "
                f"(the budget of a file with {statements:,} statements)"
            )
        except Exception:
            # fail once, for the rule that asked; later questions get "nothing known"
            self._values, self._sink_calls, self._binds, self._sites = {}, {}, {}, {}
            self._flow_calls, self._foreign_flows = {}, {}
            raise

    def _round(self, *, first: bool = False) -> bool:
        """One pass over every unit; True when summaries, attributes or globals changed."""
        before = (
            dict(self._summaries),
            dict(self._class_attrs),
            dict(self._module_env),
            dict(self._guards),
            dict(self._mutations),
            {k: list(v) for k, v in self._registered.items()},
            dict(self._files),
            len(self._graph_nodes),
        )
        self._values: dict[int, Value] = {}
        self._sink_calls: dict[int, SinkCall] = {}
        self._flow_calls: dict[int, cst.Call] = {}  # calls with sink records, bindings or foreign flows
        self._foreign_flows: dict[int, list] = {}  # call -> (SinkEntry, summary, function, facts, node)
        self._binds: dict[int, list] = {}
        self._sent_messages: dict[int, Any] = {}  # message object's constructor -> where it is sent
        self._last_sites = self._sites  # the last round's: a caller analysed after its callee
        self._sites = {}
        self._round_attrs: dict[tuple[int, str], Value] = {}
        self._stack: list = []
        self._reads: dict[tuple[str, Any], Any] = {}  # `_read`: what the round read of earlier rounds' state
        self._attribute_reads: list[tuple] = []  # `_class_attribute`: key, this round's writes, value, reader
        self._passed_reads: list[tuple] = []  # `_passed_object` from the last round's sites: reader, function
        self._trace: list[int] = []  # the functions in the order their analyses started
        self._unrepeatable = False  # the round did something `_round_repeats` cannot vouch for
        # what `_round_repeats` needs to vouch for a round whose units ran in another order than
        # the next round's (`_reorderable`): a callee analysed on demand inside its caller, a
        # read of call sites this round recorded so far, a call evaluated by two units, the unit
        # that first wrote each `self` attribute and whether another one wrote it too
        self._nested = False
        self._read_round_sites = False
        self._owner_moved = False
        self._attribute_writers: dict[Any, Function | None] = {}
        self._mixed_writers: set = set()  # attributes two units wrote
        self._next_order: dict[str, Any] | None = None  # `_in_next_round_order`, for the skip
        self._round_start = self._steps
        unit = Unit(None, {}, [])
        self._unit = unit
        self._block(self.module.body)
        self._module_env = unit.env
        self._analyse_functions(first=first)
        self._class_attrs = {
            key: self._widen(key, self._class_attrs.get(key), value)
            for key, value in self._round_attrs.items()
        }
        after = (
            self._summaries,
            self._class_attrs,
            self._module_env,
            self._guards,
            self._mutations,
            self._registered,
            self._files,
            len(self._graph_nodes),
        )
        return before != after

    def _analyse_functions(self, *, first: bool = False) -> None:
        """Every function, callees before callers (as far as the calls seen so far tell), and a
        function again when a callee's summary changed: the result does not depend on the order
        in which functions are defined, and a chain of helpers converges within one round. In
        the `first` round no call has been seen yet: a caller's call of a top-level function or
        method that was not analysed yet analyses that callee first (`_apply`), so the caller
        reads its summary instead of being analysed again once the callee's is known."""
        self._work = deque(self._callee_first())
        self._waiting = {func.index for func in self._work}
        self._times_analysed = {}
        self._analysing = []
        self._listed = len(self._function_list)
        self._on_demand = first and CALLEES_ON_DEMAND
        try:
            while self._work:
                func = self._work.popleft()
                if func.index in self._waiting:  # not analysed on demand since it was queued
                    self._analyse_queued(func)
        finally:
            self._on_demand = False

    def _analyse_queued(self, func: Function) -> None:
        """Analyse `func`, queue the functions its body defined, and queue its callers again
        when its summary or what it puts into its parameters changed."""
        self._waiting.discard(func.index)
        self._trace.append(func.index)
        self._nested = self._nested or bool(self._analysing)  # a callee inside its caller
        self._times_analysed[func.index] = self._times_analysed.get(func.index, 0) + 1
        old = (self._summaries.get(func.index), self._mutations.get(func.index))
        self._analysing.append(func.index)
        try:
            self._analyse_function(func)
        finally:
            self._analysing.pop()
        for new in self._function_list[self._listed :]:  # nested functions defined by that body
            self._work.append(new)
            self._waiting.add(new.index)
        self._listed = len(self._function_list)
        if (self._summaries.get(func.index), self._mutations.get(func.index)) == old:
            return
        for caller in sorted(self._callers.get(func.index, ())):
            if caller not in self._waiting and self._times_analysed.get(caller, 0) < MAX_ANALYSES:
                self._work.append(self._function_list[caller])
                self._waiting.add(caller)

    def _read(self, kind: str, key: Any, value: Any) -> Any:
        """`value`, what the unit being analysed reads of the state one round leaves to the next
        (a summary, a `self` attribute, a closure, ...): noted, for `_round_repeats`."""
        seen = self._reads.setdefault((kind, key), value)
        if not _same(seen, value):  # read before and after it changed
            self._unrepeatable = True
        return value

    def _round_repeats(self) -> bool:
        """Whether the next round would repeat the one just run exactly (so it need not run):
        every function was analysed once, none inside another (on demand), in the order the next
        round takes (`_callee_first`); no summary or attribute was widened; everything the units
        read of the state rounds pass on already held its final value (`_read`); no class's body
        read the class while it was first defined; and the next round fits in the budget. Then
        each unit of the next round starts from what it started from in this one, by induction
        in that order, and ends the same: same values, sink calls, call sites, summaries."""
        if self._unrepeatable or 2 * self._steps - self._round_start > self._budget:
            return False
        order = [func.index for func in self._callee_first()]
        self._next_order = None
        if self._nested or self._trace != order:
            if not self._reorderable(order):
                return False
            self._next_order = self._in_next_round_order(order)
            if self._next_order is None:
                return False
        finals: dict[str, Callable[[Any], Any]] = {
            "summary": lambda key: self._summaries.get(key, EMPTY),
            "mutations": lambda key: self._mutations.get(key, {}),
            "guards": lambda key: self._guards.get(key, ()),
            "attrs": lambda _: self._class_attrs,
            "constants": lambda cls: cls.constants,
            "closure": lambda key: self._closures.get(key),
            "initial": lambda func: func.initial,
            "passed": lambda key: _passed_type(self._sites.get(key[0], ()), key[1]),
            "files": lambda key: self._files.get(key, NO_FACTS),
            "argparse": lambda _: frozenset(self._argparse_typed),
            "graph": lambda _: tuple(self._graph_nodes.values()),
        }
        if not all(_same(finals[kind](key), value) for (kind, key), value in self._reads.items()):
            return False
        return all(  # the next round joins the same writes to the final attributes
            _same(with_round_writes(self._class_attrs.get(key), current), value)
            for key, current, value, _ in self._attribute_reads
        )

    def _reorderable(self, order: list[int]) -> bool:
        """Whether a round whose units ran in another order than the next round's (`order`:
        callee first, none on demand) may still be vouched for: every function was analysed
        exactly once, no call was evaluated by two units, no state that grows within a round
        by any unit's writes (registered parameter sources, files written, graph nodes,
        argparse options, shared stores) was touched, no `self` attribute was written by two
        units (their writes would be joined in another order), and every read of what this
        round's units recorded so far sees the same in the next round's order: no read of this
        round's call sites (`_passed_object`); a parameter's type from the last round's sites
        only where each of this round's sites of that function is recorded after the reader
        in `order`; a `self` attribute this round wrote only by its writer, or after its writer
        wrote all of it and came before the reader in `order`. Each unit then starts the
        next round from what it started from in this one and ends the same (`_round_repeats`
        checks the reads of earlier rounds' state as for a round in order)."""
        if len(self._trace) != len(order) or set(self._trace) != set(order):
            return False
        if (
            self._read_round_sites
            or self._owner_moved
            or self._mixed_writers
            or ("attrs", None) in self._reads
        ):
            return False
        if self._registered or self._files or self._graph_nodes or self._argparse_typed:
            return False
        rank = {index: position for position, index in enumerate(order)}

        def place(func: Function | None) -> int:
            return -1 if func is None else rank[func.index]

        owners = self._owners
        for reader, func in self._passed_reads:
            if any(
                id(call) not in owners or place(owners[id(call)]) <= place(reader)
                for call, _ in self._sites.get(func, ())
            ):
                return False
        for key, current, _, reader in self._attribute_reads:
            if key not in self._round_attrs:
                continue
            writer = self._attribute_writers[key]
            if writer is not reader and (
                place(writer) >= place(reader) or not _same(current, self._round_attrs[key])
            ):
                return False
        return True

    def _in_next_round_order(self, order: list[int]) -> dict[str, Any] | None:
        """What the round recorded in the order the next round records it (None: the unit of
        some entry is unknown): the module body's entries first, then each function's in
        `order`, each unit's in the order it made them (the order of its own evaluation). The
        records rules read in order: sink calls, flow calls, bindings, other modules' flows, the
        call sites of each function, the `self` attributes."""
        rank = {index: position for position, index in enumerate(order)}
        owners = self._owners

        def place(call_id: int) -> int:
            owner = owners[call_id]
            return -1 if owner is None else rank[owner.index]

        def writer(key: Any) -> int:
            owner = self._attribute_writers[key]
            return -1 if owner is None else rank[owner.index]

        try:
            ordered: dict[str, Any] = {
                name: {key: table[key] for key in sorted(table, key=place)}
                for name, table in (
                    ("_sink_calls", self._sink_calls),
                    ("_flow_calls", self._flow_calls),
                    ("_binds", self._binds),
                    ("_foreign_flows", self._foreign_flows),
                )
            }
            ordered["_sites"] = {
                func: sorted(sites, key=lambda site: place(id(site[0])))
                for func, sites in self._sites.items()
            }
            for name in ("_round_attrs", "_class_attrs"):
                table = getattr(self, name)
                ordered[name] = {key: table[key] for key in sorted(table, key=writer)}
        except KeyError:
            return None
        return ordered

    def _analyse_on_demand(self, callee: Function) -> None:
        """In the first round, a function's call of a top-level function or method nobody has
        analysed yet: analyse the callee now, before the caller reads its summary. Not a nested
        function (its enclosing body is still being evaluated, so its closure is not complete
        yet), not a callee on the stack of analyses (recursion), and at most `MAX_NESTED` deep."""
        if (
            self._on_demand
            and callee.parent is None
            and self._unit.func is not None
            and callee.index not in self._times_analysed
            and len(self._analysing) < MAX_NESTED
        ):
            self._analyse_queued(callee)

    def _callee_first(self) -> list[Function]:
        """The module's functions in post-order of the calls recorded so far (callees first)."""
        callees: dict[int, list[int]] = {}
        for callee, callers in self._callers.items():
            for caller in callers:
                callees.setdefault(caller, []).append(callee)
        order: list[Function] = []
        visited: set[int] = set()
        for root in self._function_list:
            if root.index in visited:
                continue
            visited.add(root.index)
            stack = [(root.index, iter(sorted(callees.get(root.index, ()))))]
            while stack:
                index, pending = stack[-1]
                child = next((c for c in pending if c not in visited), None)
                if child is None:
                    stack.pop()
                    order.append(self._function_list[index])
                    continue
                visited.add(child)
                stack.append((child, iter(sorted(callees.get(child, ())))))
        return order

    def _step(self) -> None:
        """Count one statement evaluated; stop when the file's budget is spent."""
        self._steps += 1
        if self._steps > self._budget:
            raise AnalysisBudgetExceeded

    def _widen(self, key: Any, old: Value | None, new: Value) -> Value:
        """Summaries and `self` attributes that keep changing (a recursive builder nests one level
        deeper each round) lose their structure from the second change on: their facts are a
        finite set, so the rounds converge."""
        new = limit_depth(new)
        if old is None or old == new:
            return new
        changes = self._changes[key] = self._changes.get(key, 0) + 1
        if changes < 2:
            return new
        self._unrepeatable = True
        joined = join(old, new)
        kinds = message_kinds(joined)
        if kinds is not None:  # a growing chat history keeps its constant roles
            return kinds
        return Value(
            joined.all, words=joined.words, slots=joined.slots, type_name=joined.type_name, ref=joined.ref
        )

    def _module_imports(self) -> tuple[str, ...]:
        found: list[str] = []
        for statement in self.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Import):
                    found += [dotted(alias.name) or "" for alias in small.names]
                elif isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
                    found.append(dotted(small.module) or "")
        return tuple(found)

    # ----- names -----

    def _qualified(self, node: Any) -> str | None:
        key = id(node)
        if key in self._qualified_cache:
            result = self._qualified_cache[key]
        else:
            try:
                result = self.names.qualified(node)
            except RecursionError:
                result = None
            self._qualified_cache[key] = result
        # the fallback reads the environment, which changes between rounds: never cached
        return result if result is not None else self._qualified_fallback(node)

    def _held_type(self, instance: Value, attr: str) -> Value | None:
        """What a local class's attribute holds, when it is a library object: set by the module
        (`self.llm = Settings.llm`), passed to the constructor (`Deps(frame=pd.read_csv(p))`) or
        declared (`frame: pd.DataFrame` in a dataclass)."""
        cls = instance.ref.cls
        for held in (self._class_attribute(cls, attr), instance.key(attr)):
            if held is not None and held.type_name and not isinstance(held.ref, Instance):
                return held
        declared = inherited(cls, "field_type_names").get(attr)
        return Value(type_name=declared) if declared else None

    def _qualified_fallback(self, node: Any) -> str | None:
        """Names the alias table cannot resolve: typed parameters, `with ... as x`, call results
        bound to a name or used at once (`build_parser().parse_args()`, the call evaluated
        before its attribute), and `self.method` of a class deriving from an imported base."""
        attrs: list[str] = []
        root = node
        while type(root) is cst.Attribute:
            attrs.append(root.attr.value)
            root = root.value
        if type(root) is cst.Name:
            value = self._lookup(root.value)
        elif type(root) is cst.Call and attrs:
            value = self._values.get(id(root))
        else:
            return None
        while value is not None and attrs:  # `ctx.deps.http.get`: through what each step holds
            keyed = value.key(attrs[-1])
            if keyed is not None and (keyed.type_name or isinstance(keyed.ref, Instance)):
                value, attrs = keyed, attrs[:-1]
                continue
            held = self._held_type(value, attrs[-1]) if isinstance(value.ref, Instance) else None
            if held is None or value.type_name:
                break
            value, attrs = held, attrs[:-1]
        rest = ".".join(reversed(attrs))
        if value is not None and not value.type_name and value.ref is None:
            value = self._passed_object(value) or value
        if value is not None and value.type_name:
            return f"{value.type_name}.{rest}" if rest else value.type_name
        cls = value.ref if value is not None and isinstance(value.ref, Class) else None
        if cls is not None and len(attrs) == 1 and cls.method(attrs[0]) is None:
            # `Headline.with_instructions(...)`: a class method the local class inherits
            for base in cls.all_bases():
                return f"{base}.{rest}"
        if value is not None and isinstance(value.ref, Instance) and rest:
            for base in value.ref.cls.all_bases():
                return f"{base}.{rest}"
            # `self.request.POST` after `self.request = request` (a typed parameter)
            stored = self._class_attribute(value.ref.cls, attrs[-1]) if len(attrs) > 1 else None
            if stored is not None and stored.type_name:
                return f"{stored.type_name}.{'.'.join(reversed(attrs[:-1]))}"
        return None

    def _passed_object(self, value: Value) -> Value | None:
        """The library object a helper's parameter holds when every call of the module passes
        one of the same type (`show(st.container(), text)`, `render(ui.html(""), text)` into an
        unannotated `def show(box, text)`): the parameter's methods are that type's. The calls
        are this round's, or the last round's for a helper analysed before its callers."""
        params = [f for f in value.facts if isinstance(f, Param)]
        if len(params) != 1 or value.facts != frozenset(params) or params[0].key is not None:
            return None
        param = params[0]
        sites = self._sites.get(param.func)
        if sites:
            self._read_round_sites = True  # another order of the units sees other sites here
            return _passed_type(sites, param.index)
        passed = _passed_type(self._last_sites.get(param.func, ()), param.index)
        self._passed_reads.append((self._unit.func, param.func))
        return self._read("passed", (param.func, param.index), passed)


def _same(a: Any, b: Any) -> bool:
    """`a == b`, and equal in what equality leaves out too: the calls a fact went through (`via`,
    shown with a finding) and the expression that built a message (`Value.origin`)."""
    return a is b or (type(a) is type(b) and a == b and _same_paths(a, b))


def _same_paths(a: Any, b: Any) -> bool:
    """For `a == b`: whether their facts went through the same calls, their messages were built
    by the same expressions."""
    if a is b:
        return True
    if isinstance(a, Value):
        return (
            a.origin is b.origin
            and _same_paths(a.facts, b.facts)
            and _same_paths(a.items or (), b.items or ())
            and _same_paths(a.keys or (), b.keys or ())
            and _same_paths(a.ref, b.ref)
        )
    if isinstance(a, (Taint, Param)):
        return a.via == b.via
    if isinstance(a, frozenset):  # each fact against its equal in `b`
        equals = {fact: fact for fact in b}
        return all(_same_paths(fact, equals[fact]) for fact in a)
    if isinstance(a, dict):
        return all(_same_paths(value, b[key]) for key, value in a.items())
    if isinstance(a, (tuple, list)):
        return all(_same_paths(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Partial):
        return _same_paths(a.args, b.args)
    return True


def _passed_type(sites: Iterable[tuple[cst.Call, dict[int, Value]]], index: int) -> Value | None:
    """The library type every call in `sites` passes as parameter `index` (None: not one type)."""
    types = set()
    for _, mapping in sites:
        argument = mapping.get(index)
        if argument is None or not argument.type_name or argument.ref is not None or argument.facts:
            return None
        types.add(argument.type_name)
    return Value(type_name=types.pop()) if len(types) == 1 else None


def _in_order(target: str, via: str) -> str:
    """`target` reached through the call `via` first: `..., in `app.service.answer()` →
    `app.llm.ask()``, the calls in order, once each (a cycle of calls names a call once)."""
    if via in target:
        return target
    base, _, inner = target.partition(", in `")
    return f"{base}, in {via}" + (f" → `{inner}" if inner else "")
