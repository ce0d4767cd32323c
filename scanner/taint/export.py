"""A module's analysis as the summary its importers apply (`project.ModuleSummary`).

Owns reading a finished `ModuleTaint` for what other modules need: per top-level function and
method of a top-level class (`Class.method`, also `client.method` for a module-level instance), the
parameters that reach a sink (followed through the module's own helpers: a placeholder at a sink
is traced back through the recorded call sites to the exported function's parameter), the
parameters and sources its return value carries, the module's constant texts and the names it
re-exports; a class's inherited methods under its own name (`Sub.ask` for `Base.ask` of the same
module) and its bases in other modules (looked up by the caller). Lines are the module's own; columns are not kept (the path shows the line).

May import: the lower layers and `summary` (the summary types).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import libcst as cst

from .mutations import shape_to_json
from .summary import FunctionSummary, ModuleSummary, SinkEntry, SourceEntry
from .syntax import call_name
from .units import inherited
from .values import EMPTY, Instance, Param, Taint


def export_summary(taint: Any, module: str, path: Path, display: str) -> ModuleSummary:
    taint._ensure()
    summary = ModuleSummary(module, path, display, files=(path, *sorted(taint.dependencies)))
    exported = {f.index: f for f in taint._function_list if f.parent is None and f.name != "<lambda>"}
    flows = [
        (flow, roots)
        for call in list(taint._flow_calls.values())  # resolving a call's flows may record more
        for flow in taint._witnessed_flows(call)
        if (roots := [root for root in taint._param_roots(flow[3]) if root[0] in exported])
    ]
    for func in exported.values():
        function = FunctionSummary(func.display, [(name, kind) for name, kind, _ in func.params], func.kind)
        for fact in taint._summaries.get(func.index, EMPTY).all:
            if isinstance(fact, Param) and fact.func == func.index:
                function.returns_params.append((fact.index, fact.spliced, fact.encoded))
            elif isinstance(fact, Param) and func.kind == "method":  # `self.text`, set by `__init__`
                function.returns_state = True
            elif isinstance(fact, Taint) and not fact.cond:
                public = taint._public(fact)
                function.returns_sources.append(
                    SourceEntry(
                        public.tier, public.label, public.description, public.line, fact.spliced, fact.encoded
                    )
                )
        function.guards = sorted(taint._guards.get(func.index, ()))
        function.puts = [
            (index, shape_to_json(added, func.index))
            for index, added in sorted(taint._mutations.get(func.index, {}).items())
        ]
        summary.functions[func.display] = function
    for (func, index), wholes in taint._whole_params().items():  # a message list passed whole
        for whole in wholes if func in exported else ():
            steps = (
                ((display, taint._line(whole.at), 1, "passes to another module of the project"), *whole.steps)
                if whole.at is not None
                else ()
            )
            entry = SinkEntry(index, whole.role, whole.label, whole.sink, None, False, (), steps)
            _keep_shortest(summary.functions[exported[func].display].sinks, entry)
    for (role, target, node, _, sink, message_role, remote), roots in flows:
        for func, index, spliced, encoded, calls in roots:
            steps = tuple((display, taint._line(c), 1, f"passes through `{call_name(c)}()`") for c in calls)
            if remote:  # the sink is in a third module: this call hands the data on
                steps += ((display, taint._line(node), 1, "passes to another module of the project"),)
                steps += tuple(
                    (r.location.path, r.location.line, r.location.column, r.message) for r in remote
                )
            else:
                steps += ((display, taint._line(node), 1, f"sink: {target}"),)
            entry = SinkEntry(index, role, target, sink, message_role, spliced, encoded, steps)
            _keep_shortest(summary.functions[exported[func].display].sinks, entry)
    for name, value in taint._module_env.items():
        if "." not in name and value.words and not value.all:
            summary.constants[name] = value.words
        if "." not in name and isinstance(value.ref, Instance):  # `client = Assistant()`: its methods
            prefix = f"{value.ref.cls.name}."
            for method, function in list(summary.functions.items()):
                if method.startswith(prefix):
                    summary.functions[f"{name}.{method[len(prefix) :]}"] = function
    _inherit(taint, summary)
    for function in summary.functions.values():
        _in_order(function)
    summary.reexports = dict(taint._import_map())  # `from .llm import ask` in `__init__.py`
    # its own budget, a summary it applied (which names its module), or its imports not followed
    reason = taint.incomplete or taint.unfollowed
    if reason is not None:
        summary.incomplete = (
            reason if reason.startswith("`") else f"`{display}` was not fully analysed ({reason})"
        )
    return summary


def _inherit(taint: Any, summary: ModuleSummary) -> None:
    """Each top-level class's inherited methods of the same module under its own name, and its
    bases that name another module (their methods are looked up there, `foreign`)."""
    for node in taint.module.body:
        cls = taint._classes.get(id(node)) if isinstance(node, cst.ClassDef) else None
        if cls is None:
            continue
        for name, found in sorted(inherited(cls, "methods").items()):
            if name not in cls.methods and found.display in summary.functions:
                summary.functions.setdefault(f"{cls.name}.{name}", summary.functions[found.display])
        bases = [taint._project_name(arg.value) for arg in node.bases if arg.keyword is None]
        bases += [b for base in cls.local_bases for b in summary.bases.get(base.name, ())]  # theirs too
        if any(bases):
            summary.bases[cls.name] = list(dict.fromkeys(b for b in bases if b))


def _in_order(function: FunctionSummary) -> None:
    """A function's facts in an order of their own content: they were collected from sets of
    facts and flows, whose order changes from one process to the next (object hashes), so the
    same module gave summaries listed differently (cached records not byte for byte the same,
    and whatever reads them first could differ)."""
    function.returns_params.sort()
    function.returns_sources.sort(
        key=lambda s: (s.tier, s.label, s.description, s.line, s.spliced, s.encoded)
    )
    function.sinks.sort(
        key=lambda e: (e.param, e.role, e.target, e.message_role or "", e.spliced, e.encoded, e.steps)
    )


def _keep_shortest(sinks: list[SinkEntry], entry: SinkEntry) -> None:
    """One entry per parameter and kind of sink, with the shortest path: every path through a
    web of helpers (and around import cycles) would multiply at each module above."""
    key = (entry.param, entry.role, id(entry.sink), entry.message_role, entry.spliced, entry.encoded)
    for number, known in enumerate(sinks):
        if (known.param, known.role, id(known.sink), known.message_role, known.spliced, known.encoded) == key:
            if (len(entry.steps), entry.steps) < (len(known.steps), known.steps):
                sinks[number] = entry
            return
    sinks.append(entry)
