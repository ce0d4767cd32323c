"""A module's analysis as the summary its importers apply (`project.ModuleSummary`).

Owns reading a finished `ModuleTaint` for what other modules need: per top-level function, the
parameters that reach a sink (followed through the module's own helpers: a placeholder at a sink
is traced back through the recorded call sites to the exported function's parameter), the
parameters and sources its return value carries, the module's constant texts and the names it
re-exports. Lines are the module's own; columns are not kept (the path shows the line).

May import: the lower layers and `summary` (the summary types).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .summary import FunctionSummary, ModuleSummary, SinkEntry, SourceEntry
from .syntax import call_name
from .values import EMPTY, Param, Taint


def export_summary(taint: Any, module: str, path: Path, display: str) -> ModuleSummary:
    taint._ensure()
    summary = ModuleSummary(module, path, display, files=(path, *sorted(taint.dependencies)))
    exported = {f.index: f for f in taint._function_list if f.parent is None and f.cls is None}
    for func in exported.values():
        function = FunctionSummary(func.name, [(name, kind) for name, kind, _ in func.params])
        for fact in taint._summaries.get(func.index, EMPTY).all:
            if isinstance(fact, Param) and fact.func == func.index:
                function.returns_params.append((fact.index, fact.spliced, fact.encoded))
            elif isinstance(fact, Taint) and not fact.cond:
                public = taint._public(fact)
                function.returns_sources.append(
                    SourceEntry(
                        public.tier, public.label, public.description, public.line, fact.spliced, fact.encoded
                    )
                )
        summary.functions[func.name] = function
    for (func, index), wholes in taint._whole_params().items():  # a message list passed whole
        for whole in wholes if func in exported else ():
            entry = SinkEntry(index, whole.role, whole.label, whole.sink, None, False, (), ())
            sinks = summary.functions[exported[func].name].sinks
            if entry not in sinks:
                sinks.append(entry)
    for call in list(taint._flow_calls.values()):
        for role, target, node, facts, sink, message_role, remote in taint._raw_flows(call):
            for func, index, spliced, encoded, calls in taint._param_roots(facts):
                if func not in exported:
                    continue
                steps = tuple((taint._line(c), 1, f"passes through `{call_name(c)}()`") for c in calls)
                steps += tuple((r.location.line, r.location.column, r.message) for r in remote)
                if not remote:
                    steps += ((taint._line(node), 1, f"sink: {target}"),)
                entry = SinkEntry(index, role, target, sink, message_role, spliced, encoded, steps)
                sinks = summary.functions[exported[func].name].sinks
                if entry not in sinks:
                    sinks.append(entry)
    for name, value in taint._module_env.items():
        if "." not in name and value.words and not value.all:
            summary.constants[name] = value.words
    summary.reexports = dict(taint._import_map())  # `from .llm import ask` in `__init__.py`
    return summary
