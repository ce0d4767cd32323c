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
from .values import NO_FACTS, Param, Taint, along, keyed_entry, mark_encoded, mark_spliced

_BROKEN = object()  # `_resolve`: the path left the call chain (an object's state carried it)


class FactsForRules:
    """Facts handed to rules (mixed into `ModuleTaint`)."""

    # ----- facts for rules -----

    def _concrete(self, facts: Iterable[Any]) -> set[Taint]:
        """Untrusted facts with parameter placeholders resolved through the module's call sites."""
        return {fact for fact, _ in self._entering(facts)}

    def _entering(self, facts: Iterable[Any], call: Any = None) -> set[tuple[Taint, Any]]:
        """(concrete fact, where it entered) of the facts reaching `call`: `None` for a fact of
        the function holding `call`, else (call, function index, parameter index) of the
        outermost call of this module that passed it down to there, argument to parameter (the
        call where a user can stop it). Data kept in an object's state enters where it is used."""
        result: set[tuple[Taint, Any]] = set()
        owner = self._owners.get(id(call)) if call is not None else None
        self._resolve(facts, result, set(), False, (), (), None, owner if call is not None else _BROKEN)
        return result

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
        out: set,
        seen: set,
        spliced: bool,
        encoded: tuple,
        tail: tuple = (),
        entry: Any = None,
        owner: Any = _BROKEN,
    ) -> None:
        """Concrete facts, with where they entered, into `out`. `tail` is the rest of the path
        after the fact: the call a placeholder was resolved through, the helpers it passed inside
        that function, and so on."""
        for fact in facts:
            if isinstance(fact, Taint):
                fact = along(fact, tail)
                if fact.cond and not self._holds(fact.cond, set()):
                    continue
                if encoded:
                    for encoder in encoded:
                        fact = mark_encoded(fact, encoder)
                if spliced:
                    fact = mark_spliced(fact)
                out.add((replace(fact, cond=NO_FACTS) if fact.cond else fact, entry))
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
                (*flow, self._entering(flow[3], call)) for flow in self._raw_flows(call)
            ]
        return found

    def _entry_flows(self) -> dict[int, list[SinkFlow]]:
        """Flows into a sink inside a helper of this module, keyed by the call that passed the
        data in (as a flow into another module is reported at the caller's argument), the
        helper's sink on the path. One finding per flow: a source reaching one sink through
        several calls is reported at the first; the arguments of one call reaching one sink
        share a node (the first argument), so they make one finding naming every source."""
        if self._entries is not None:
            return self._entries
        found: dict[tuple, tuple] = {}
        self._whole_params()  # records the calls that pass a message list on: flow calls too
        for call in list(self._flow_calls.values()):
            for role, target, node, _, sink, message_role, remote, entering in self._resolved_flows(call):
                for fact, entry in entering:
                    if entry is None:
                        continue
                    site, func_index, param = entry
                    public = self._public(fact)
                    order = (self._line(site), param)
                    key = (public, id(node), role, target)
                    if key not in found or order < found[key][0]:
                        details = (target, node, sink, message_role, remote, call)
                        found[key] = (
                            order,
                            site,
                            self._function_list[func_index],
                            param,
                            public,
                            role,
                            details,
                        )
        firsts: dict[tuple[int, int], tuple] = {}  # (call, sink node) -> (parameter, argument)
        for _, site, func, param, _, _, (_, node, *_) in found.values():
            current = firsts.get((id(site), id(node)))
            if current is None or param < current[0]:
                firsts[(id(site), id(node))] = (param, argument_at(site, func, param))
        self._entries = {}
        for _, site, func, _, public, role, (target, node, sink, message_role, remote, call) in sorted(
            found.values(), key=lambda item: item[0]
        ):
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
        for fact in facts:
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
        pass for nodes outside a first set); a module nobody asks about costs no pass."""
        if self.node_lines is not None:  # the engine's, from the code of the node's statement
            line = self.node_lines(node)
            if line is not None:
                return line
        lines = self._lines
        if lines is None:
            lines = self._lines = source_lines(self.module)
        return lines.line(node) or 0


_SEVERITY_ORDER = {REMOTE: 0, INDIRECT: 1, CLI: 2, LLM_OUTPUT: 3}


def severity_key(fact: TaintFact) -> tuple:
    return (_SEVERITY_ORDER.get(fact.tier, 9), not fact.spliced, fact.line, fact.description)


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
