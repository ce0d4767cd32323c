"""Calls of the project's own functions in other modules, and their constants.

Owns naming what a module imports from the project (absolute and relative imports, top level),
looking the name up in the project's summaries (`project.ProjectModules`), and applying a
summary at a call: the returned value carries the arguments of the parameters it returns and
the sources it returns; arguments of parameters that reach a sink in the other module are
recorded as flows of this call (`_foreign_flows`), with the path inside the other module.

May import: the lower layers (`values`, `syntax`, `units`), never another mixin (the project and its
summaries come in as `self.project`).
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from .syntax import argument_node, dotted
from .units import Function
from .values import Site, Taint, Value, mark_encoded, mark_spliced, through


class ProjectCalls:
    """Calls into other modules of the project (mixed into `ModuleTaint`)."""

    def _import_map(self) -> dict[str, str]:
        """Local name -> absolute qualified name of the module's top-level `from ... import`s."""
        if self._imports_from is not None:
            return self._imports_from
        found: dict[str, str] = {}
        project = self.project
        is_package = self.path is not None and self.path.name == "__init__.py"
        for statement in self.module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if not isinstance(small, cst.ImportFrom) or isinstance(small.names, cst.ImportStar):
                    continue
                module = dotted(small.module) if small.module is not None else ""
                base = project.absolute(self.module_name, len(small.relative), module or "", is_package)
                for alias in small.names if base else ():
                    local = dotted(alias.asname.name if alias.asname is not None else alias.name)
                    if local:
                        found[local] = f"{base}.{dotted(alias.name)}"
        self._imports_from = found
        return found

    def _project_name(self, node: Any) -> str | None:
        """The absolute name of a project import a name or attribute refers to."""
        qualified = self._qualified(node)
        if qualified:
            return qualified
        written = dotted(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        if not written:
            return None
        head, _, rest = written.partition(".")
        if self._lookup(head) is not None:  # a local binding shadows the import
            return None
        base = self._import_map().get(head)
        return f"{base}.{rest}" if base and rest else base

    def _foreign(self, node: Any) -> tuple[Any, str] | None:
        if self.project is None:
            return None
        if self._follows_imports is None:
            self._follows_imports = self.path is None or self.project.allows(self.module_name, self.path)
        if not self._follows_imports:
            return None
        name = self._project_name(node)
        horizon = self.imports_horizon
        found = None
        if name:
            found = self.project.resolve(name) if horizon is None else self.project.resolve(name, horizon)
        if found is not None:
            self.dependencies.update(found[0].files)
        return found

    def _foreign_words(self, node: Any) -> int:
        """Constant instruction words of a prompt constant imported from another module."""
        found = self._foreign(node)
        return found[0].constants.get(found[1], 0) if found is not None else 0

    def _apply_foreign(self, call: cst.Call, args: list) -> Value | None:
        """The value a project function of another module returns here (None: not one)."""
        found = self._foreign(call.func)
        if found is None or found[1] not in found[0].functions:
            return None
        summary, name = found
        function = summary.functions[name]
        shape = Function(-1, call, name, (), params=[(p, kind, None) for p, kind in function.params])
        mapping = self._bind_arguments(shape, args, None)
        for entry in function.sinks:
            argument = mapping.get(entry.param)
            if argument is not None and argument.all:
                node = argument_node(args, function.params, entry.param) or call
                self._foreign_flows.setdefault(id(call), []).append((entry, summary, name, argument, node))
                self._flow_calls[id(call)] = call
        facts: set = set()
        for index, spliced, encoded in function.returns_params:
            argument = mapping.get(index)
            for fact in argument.all if argument is not None else ():
                for encoder in encoded:
                    fact = mark_encoded(fact, encoder)
                facts.add(mark_spliced(fact) if spliced else fact)
        for source in function.returns_sources:
            text = f"{source.description} ({summary.display}:{source.line})"
            site = Site(source.tier, source.label, call, text)
            facts.add(Taint(site, source.spliced, source.encoded))
        return Value(frozenset(through(fact, call) for fact in facts))
