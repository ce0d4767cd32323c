"""Facts handed to rules: internal facts turned into `aisec.hooks.TaintFact`s.

Owns resolving parameter placeholders through the recorded call sites (and conditional sources),
the public description and line of a source, and the order in which facts are reported.

May import: the lower layers, never another mixin."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

import libcst as cst
from aisec.hooks import CLI, INDIRECT, LLM_OUTPUT, REMOTE, SinkFlow, TaintFact

from ..positions import code_start
from .syntax import argument_node
from .values import (
    NO_FACTS,
    Param,
    Taint,
    along,
    keyed_entry,
    mark_encoded,
    mark_spliced,
    precedes,
    witness_steps,
)

_BROKEN = object()  # `_resolve`: the path left the call chain (an object's state carried it)


class FactsForRules:
    """Facts handed to rules (mixed into `ModuleTaint`)."""

    # ----- facts for rules -----

    def _concrete(self, facts: Iterable[Any]) -> list[Taint]:
        """Untrusted facts with parameter placeholders resolved through the module's call sites
        (equal facts entering at two places: the canonical path, `values.precedes`)."""
        kept: dict[Taint, tuple] = {}
        for fact, _ in self._entering(facts):
            self._keep(kept, fact, fact, fact.via)
        return [fact for fact, *_ in kept.values()]

    def _entering(self, facts: Iterable[Any], call: Any = None) -> list[tuple[Taint, Any]]:
        """(concrete fact, where it entered) of the facts reaching `call`: `None` for a fact of
        the function holding `call`, else (call, function index, parameter index) of the
        outermost call of this module that passed it down to there, argument to parameter (the
        call where a user can stop it). Data kept in an object's state enters where it is used.
        A fact reaching one place by two paths keeps the canonical one (`values.precedes`)."""
        result: dict[tuple[Taint, Any], tuple] = {}
        owner = self._owners.get(id(call)) if call is not None else None
        self._resolve(facts, result, set(), False, (), (), None, owner if call is not None else _BROKEN)
        return [item for item, *_ in result.values()]

    def _step_rank(self, node: Any) -> tuple[int, int]:
        """Between two steps with the same code: the one the analysis met first (it evaluates a
        module in a fixed order: statements in order, callees before their callers), else (a
        step that is no call it evaluated: a message dict) the one on the earlier line. Never a
        node's address or hash, which change from process to process; no line where it can be
        helped (a module's first line costs a pass over its code)."""
        met = self._met.get(id(node))
        return (0, met) if met is not None else (1, self._line(node))

    def _first_path(self, steps: tuple, other: tuple) -> bool:
        """Whether path `steps` is the canonical one over `other` (`values.precedes`)."""
        if steps == other:
            return False
        with witness_steps(self._description, self._step_rank):
            return precedes(steps, other)

    def _keep(self, kept: dict, key: Any, item: Any, steps: tuple, rank: int = 0) -> None:
        """`kept[key] = (item, steps, rank)` unless the item kept under an equal key has a lower
        `rank` (it came from an earlier flow), or the same and a path (`steps`) that comes first:
        which of two equal facts is kept never depends on the order they came in."""
        old = kept.get(key)
        if old is None or rank < old[2] or (rank == old[2] and self._first_path(steps, old[1])):
            kept[key] = (item, steps, rank)

    def _publics(self, facts: Iterable[Taint]) -> tuple[TaintFact, ...]:
        """The public facts of concrete `facts`, most severe first (`severity_key`); equal ones
        (two sites read at one line) keep the canonical path."""
        kept: dict[TaintFact, tuple] = {}
        for fact in facts:
            public = self._public(fact)
            self._keep(kept, public, public, public.steps)
        return tuple(sorted((public for public, *_ in kept.values()), key=severity_key))

    @staticmethod
    def _in_report_order(flows: Iterable[tuple]) -> tuple[SinkFlow, ...]:
        """The flows `_keep` kept, most severe source first, then in the order of the raw flows
        they came from (two flows of one raw flow differ in their facts: `severity_key` orders
        them, never the order they were found in, which follows set order)."""
        return tuple(
            flow for flow, *_ in sorted(flows, key=lambda kept: (severity_key(kept[0].fact), kept[2]))
        )

    def _passed_to(self, func: int, owner: Any) -> bool:
        """Whether a parameter of function `func` is one of `owner`'s (or of a function `owner`
        is nested in): the data came down the call chain, not through an object's state."""
        while owner is not None and owner is not _BROKEN:
            if owner.index == func:
                return True
            owner = owner.parent
        return False

    def _resolve(
        self,
        facts: Iterable[Any],
        out: dict,
        seen: set,
        spliced: bool,
        encoded: tuple,
        tail: tuple = (),
        entry: Any = None,
        owner: Any = _BROKEN,
    ) -> None:
        """Concrete facts, with where they entered, into `out` (`_keep`). `tail` is the rest of
        the path after the fact: the call a placeholder was resolved through, the helpers it
        passed inside that function, and so on. Placeholders are followed in a fixed order
        (`placeholders_last`: each is followed once, so the first path to it is the one kept)."""
        for fact in placeholders_last(facts):
            if isinstance(fact, Taint):
                fact = along(fact, tail)
                if fact.cond and not self._holds(fact.cond, set()):
                    continue
                if encoded:
                    for encoder in encoded:
                        fact = mark_encoded(fact, encoder)
                if spliced:
                    fact = mark_spliced(fact)
                item = (replace(fact, cond=NO_FACTS) if fact.cond else fact, entry)
                self._keep(out, item, item, fact.via)
                continue
            if not isinstance(fact, Param):
                continue
            key = (fact.func, fact.index, fact.key, spliced or fact.spliced, encoded + fact.encoded)
            if key in seen:
                continue
            seen.add(key)
            for call, mapping in self._sites.get(fact.func, ()):
                argument = mapping.get(fact.index)
                if argument is not None:
                    argument = keyed_entry(argument, fact.key)
                    flags = (spliced or fact.spliced, encoded + fact.encoded)
                    path = (call, *fact.via, *tail)
                    if self._passed_to(fact.func, owner):
                        self._resolve(
                            argument.all,
                            out,
                            seen,
                            *flags,
                            path,
                            (call, fact.func, fact.index),
                            self._owners.get(id(call)),
                        )
                    else:
                        self._resolve(argument.all, out, seen, *flags, path, entry, _BROKEN)

    def _resolved_flows(self, call: Any) -> list[tuple]:
        """The raw flows of `call`, each with its facts resolved (`_entering`): computed once,
        for the call's own flows and for the calls its data entered by."""
        found = self._resolved.get(id(call))
        if found is None:
            found = self._resolved[id(call)] = [
                (*flow, self._entering(flow[3], call)) for flow in self._witnessed_flows(call)
            ]
        return found

    def _witnessed_flows(self, call: Any) -> list[tuple]:
        """`_raw_flows` of `call` with this module's order on steps (`witness_steps`): raw flows
        are gathered after the analysis, when facts still meet (`values.collect`, `unite`)."""
        with witness_steps(self._description, self._step_rank):
            return self._raw_flows(call)

    def _entry_flows(self) -> dict[int, list[SinkFlow]]:
        """Flows into a sink inside a helper of this module, keyed by the call that passed the
        data in (as a flow into another module is reported at the caller's argument), the
        helper's sink on the path. One finding per flow: a source reaching one sink through
        several calls is reported at the first; the arguments of one call reaching one sink
        share a node (the first argument), so they make one finding naming every source."""
        if self._entries is not None:
            return self._entries
        found: dict[tuple, tuple] = {}
        ranks: dict[tuple, int] = {}  # the raw flow that found a key first (the old report order)
        self._whole_params()  # records the calls that pass a message list on: flow calls too
        resolved = [
            (call, flow) for call in list(self._flow_calls.values()) for flow in self._resolved_flows(call)
        ]
        for rank, (call, (role, target, node, _, sink, message_role, remote, entering)) in enumerate(
            resolved
        ):
            for fact, entry in entering:
                if entry is None:
                    continue
                site, func_index, param = entry
                public = self._public(fact)
                order = (self._line(site), param, rank)
                key = (public, id(node), role, target)
                ranks.setdefault(key, rank)
                if (
                    key not in found
                    or order < found[key][0]
                    or (order == found[key][0] and self._first_path(public.steps, found[key][4].steps))
                ):
                    details = (target, node, sink, message_role, remote, call)
                    found[key] = (order, site, self._function_list[func_index], param, public, role, details)
        firsts: dict[tuple[int, int], tuple] = {}  # (call, sink node) -> (parameter, argument)
        for _, site, func, param, _, _, (_, node, *_) in found.values():
            current = firsts.get((id(site), id(node)))
            if current is None or param < current[0]:
                firsts[(id(site), id(node))] = (param, argument_at(site, func, param))
        self._entries = {}
        ordered = sorted(
            found.items(), key=lambda kept: (kept[1][0][:2], ranks[kept[0]], severity_key(kept[0][0]))
        )
        for _, (_, site, func, _, public, role, (target, node, sink, message_role, remote, call)) in ordered:
            # a message object the helper builds and sends by another statement: both on the path
            sent = self._sent_messages.get(id(call)) if not remote else None
            self._entries.setdefault(id(site), []).append(
                SinkFlow(
                    replace(public, steps=(*public.steps, call)) if sent is not None else public,
                    role,
                    f"{target}, in `{func.display}()`",
                    firsts[(id(site), id(node))][1],
                    sink,
                    message_role,
                    remote,
                    sink_node=None if remote else (sent or node),
                )
            )
        return self._entries

    def _param_roots(self, facts: Iterable[Any], seen: set | None = None, tail: tuple = ()) -> list[tuple]:
        """(function, parameter, spliced, encoded, path) of every parameter placeholder in
        `facts`, and of the parameters it was passed from within the module (`path`: the calls
        from the parameter to here, in order): which parameters of which functions reach here."""
        seen = set() if seen is None else seen
        found: list[tuple] = []
        for fact in placeholders_last(facts):
            if not isinstance(fact, Param) or (fact.func, fact.index) in seen:
                continue
            seen.add((fact.func, fact.index))
            path = (*fact.via, *tail)
            found.append((fact.func, fact.index, fact.spliced, fact.encoded, path))
            for call, mapping in self._sites.get(fact.func, ()):
                argument = mapping.get(fact.index)
                if argument is not None:
                    inner = self._param_roots(argument.all, seen, (call, *path))
                    found += [(f, i, s or fact.spliced, e + fact.encoded, c) for f, i, s, e, c in inner]
        return found

    def _holds(self, cond: frozenset, seen: set) -> bool:
        """Whether a source conditional on parameters (`open(path)` in a helper) holds: some call
        in the module passes a non-static value. A function the module never calls gets the
        benefit of the doubt (its callers elsewhere mostly pass the project's own paths). A path
        to a file the module wrote data into (an upload saved to a temporary file) holds too. Data
        that is itself conditional counts when its own condition holds, never by way of the
        condition being decided (a loader reading a path out of the file it loads)."""
        for func, index in cond:
            if (func, index) in seen:
                continue
            deeper = seen | {(func, index)}
            for _, mapping in self._sites.get(func, ()):
                argument = mapping.get(index)
                if argument is None or not argument.all:
                    continue
                if self._holds_written_data(argument) or any(
                    isinstance(f, Taint) and (not f.cond or self._holds(f.cond, deeper)) for f in argument.all
                ):
                    return True
                inner = frozenset((f.func, f.index) for f in argument.all if isinstance(f, Param))
                if inner and self._holds(inner, deeper):
                    return True
        return False

    def _public(self, fact: Taint) -> TaintFact:
        site = fact.site
        return TaintFact(
            tier=site.tier,
            description=site.text or self._description(site.node),
            line=self._line(site.node),
            label=site.label,
            spliced=fact.spliced,
            encoded=fact.encoded,
            node=site.node,
            steps=fact.via,
        )

    def _description(self, node: Any) -> str:
        text = self._descriptions.get(id(node))
        if text is None:
            try:
                text = " ".join(self.module.code_for_node(node).split())
            except Exception:  # a node of another tree: describe it by type
                text = type(node).__name__
            if len(text) > 80:
                text = text[:77] + "..."
            self._descriptions[id(node)] = text
        return text

    def _line(self, node: Any) -> int:
        """The start line of `node`: the engine's `node_lines` (`positions.Positions.start_line`:
        the same line from the code of the statement holding the node) when it can tell, else
        the first question makes one code-generation pass over the module (`source_lines`),
        every later one reads its answer (no pass per node, which was quadratic, and no second
        pass for nodes outside a first set); a module nobody asks about costs no pass. Each
        node's answer is kept (paths may compare their steps' lines: `_step_rank`)."""
        line = self._node_line.get(id(node))
        if line is None:
            line = self._node_line[id(node)] = self._start_line(node)
        return line

    def _start_line(self, node: Any) -> int:
        if self.node_lines is not None:  # the engine's, from the code of the node's statement
            line = self.node_lines(node)
            if line is not None:
                return line
        lines = self._lines
        if lines is None:
            lines = self._lines = source_lines(self.module)
        return lines.line(node) or 0


def placeholders_last(facts: Iterable[Any]) -> list:
    """`facts` with the parameter placeholders last, in an order of their own fields (a set's
    order follows hashes, which change from process to process): where a placeholder is
    followed once, the first path to it must not depend on that order."""
    others, params = [], []
    for fact in facts:
        (params if isinstance(fact, Param) else others).append(fact)
    if len(params) > 1:
        params.sort(key=lambda p: (p.func, p.index, p.key or "", p.spliced, p.encoded))
    return others + params


_SEVERITY_ORDER = {REMOTE: 0, INDIRECT: 1, CLI: 2, LLM_OUTPUT: 3}


def severity_key(fact: TaintFact) -> tuple:
    """Most severe first; then a total order on the compared fields (no two unequal facts tie,
    so no order depends on where they came from)."""
    return (
        _SEVERITY_ORDER.get(fact.tier, 9),
        not fact.spliced,
        fact.line,
        fact.description,
        fact.tier,
        fact.label,
        fact.encoded,
    )


def source_lines(module: cst.Module) -> SourceLines:
    """The start lines of the module's nodes, from one code-generation pass (position metadata
    would cost several times a parse; this costs a fraction of one)."""
    return SourceLines(module)


class SourceLines:
    """1-based start lines of a module's nodes: the line of the first token of a node's code that
    is not whitespace or a comment. The pass records where each node's code starts among the
    generated tokens; a line is worked out only for a node asked about."""

    def __init__(self, module: cst.Module) -> None:
        self._starts: dict[int, int] = {}  # id(node) -> index of its first token
        self._tokens: list[str] = []
        self._newlines: list[int] = []  # line breaks in the tokens before each index (`code_start`)
        self._fixed: dict[int, int] | None = None  # the metadata fallback's lines
        try:
            from libcst._nodes.internal import CodegenState
        except ImportError:  # pragma: no cover - libcst moved its internals: fall back to metadata
            from libcst.metadata.position_provider import PositionProvider
            from libcst.metadata.wrapper import MetadataWrapper

            positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
            self._fixed = {id(node): span.start.line for node, span in positions.items()}
            return
        starts = self._starts
        record = starts.setdefault  # a node generated twice (a shared node) starts at its first place

        class _Recorder(CodegenState):  # type: ignore[misc]
            def before_codegen(self, node: Any) -> None:
                record(id(node), len(self.tokens))

        state = _Recorder(default_indent=module.default_indent, default_newline=module.default_newline)
        module._codegen(state)
        self._tokens = state.tokens

    def line(self, node: Any) -> int | None:
        """The start line of `node` (None: not a node of this module)."""
        if self._fixed is not None:  # pragma: no cover - see __init__
            return self._fixed.get(id(node))
        index = self._starts.get(id(node))
        if index is None:
            return None
        return 1 + code_start(self._tokens, self._newlines, index)[1]


def argument_at(call: cst.Call, func: Any, index: int) -> Any:
    """The expression `call` passes to parameter `index` of `func` (the call itself when it is
    spread from `*args`/`**kwargs` or left to a default)."""
    params = [(name, kind) for name, kind, _ in func.params]
    if func.kind in ("method", "class"):  # `self`/`cls` is bound, not passed
        params, index = params[1:], index - 1
    if index < 0:
        return call
    return argument_node([(arg, None) for arg in call.args], params, index) or call
