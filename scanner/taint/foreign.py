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

import re
from typing import Any

import libcst as cst

from .mutations import shape_from_json
from .syntax import argument_node, dotted, var_path
from .units import Function
from .values import EMPTY, Instance, Param, Site, Taint, Value, collect, mark_encoded, mark_spliced, through

_LOCATED = re.compile(r"\(\S+:\d+\)$")
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
MAX_BASES = 8  # base classes in other modules followed up to an inherited method


class ProjectCalls:
    """Calls into other modules of the project (mixed into `ModuleTaint`)."""

    def _import_map(self) -> dict[str, str]:
        """Local name -> absolute qualified name of the module's top-level `from ... import`s."""
        if self._imports_from is None:
            self._imports_from = self._from_imports(self.module.body)
        return self._imports_from

    def _type_imports(self) -> dict[str, str]:
        """The same for the `from ... import`s under a top-level `if TYPE_CHECKING:`: only
        annotations name them (`_project_type`), so calls never resolve through them (following
        them everywhere summarised 5% more of langchain-core's modules)."""
        if self._imports_for_types is None:
            blocks = [
                statement
                for statement in self.module.body
                if isinstance(statement, cst.If)
                and (dotted(statement.test) or "").rsplit(".", 1)[-1] == "TYPE_CHECKING"
            ]
            self._imports_for_types = self._from_imports([s for b in blocks for s in b.body.body])
        return self._imports_for_types

    def _from_imports(self, statements: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        project = self.project
        is_package = self.path is not None and self.path.name == "__init__.py"
        for statement in statements:
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
        return found

    def _project_name(self, node: Any) -> str | None:
        """The absolute name of a project import a name or attribute refers to."""
        qualified = self._qualified(node)
        if qualified:
            return self._imported_name(qualified) or qualified
        written = dotted(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        return self._imported_name(written) if written else None

    def _imported_name(self, name: str) -> str | None:
        """`name` made absolute through the module's project `from ... import`s (None: its head is
        not one, or a local binding shadows it). The alias table names a relatively imported
        class by its local name (`Validator.matches` for `Validator().matches` after `from
        .validation import Validator`, a type name): only these imports make it absolute."""
        head, _, rest = name.partition(".")
        if self._lookup(head) is not None:  # a local binding shadows the import
            return None
        base = self._import_map().get(head)
        return f"{base}.{rest}" if base and rest else base

    def _foreign(self, node: Any, name: str | None = None) -> tuple[Any, str] | None:
        """The summary and attribute a name or attribute (or `name`, when given) refers to."""
        if self.project is None:
            return None
        if self._follows_imports is None:
            self._follows_imports = self.path is None or self.project.allows(self.module_name, self.path)
        name = (self._imported_name(name) or name) if name else self._project_name(node)
        if not self._follows_imports:
            if name and self.unfollowed is None and self._reaches_flows(name):
                self.unfollowed = (
                    f"its imports reach more than {self.project.max_reach} project modules with "
                    f"sources or sinks, so `{name}` was read as a library call"
                )
            return None
        found = self.project.resolve(name) if name else None
        if found is not None:
            self.dependencies.update(found[0].files)
            if found[0].incomplete is not None and self.incomplete is None:
                self.incomplete = found[0].incomplete  # the flows through it may be missed here
        return found

    def _reaches_flows(self, name: str) -> bool:
        """Whether a name of the project's, not followed, could have carried a flow: the module
        it names is or imports one that spells a catalog source or sink."""
        while "." in name:
            name = name.rpartition(".")[0]
            if self.project.file_of(name) is not None:
                return self.project.reach(name) != frozenset()
        return False

    def _project_type(self, annotation: Any) -> str | None:
        """The absolute name of a project class an annotation names through the module's project
        imports, those under `if TYPE_CHECKING:` too (`Assistant`, `"Assistant"`,
        `llm.Assistant`; None: not one)."""
        written = dotted(annotation) if isinstance(annotation, (cst.Name, cst.Attribute)) else None
        if isinstance(annotation, cst.SimpleString):
            text = annotation.evaluated_value
            written = text if isinstance(text, str) and _DOTTED.fullmatch(text) else None
        if not written or self.project is None:
            return None
        head, _, rest = written.partition(".")
        base = self._type_imports().get(head) if self._lookup(head) is None else None
        if base is not None:
            return f"{base}.{rest}" if rest else base
        return self._imported_name(written)

    def _foreign_words(self, node: Any) -> int:
        """Constant instruction words of a prompt constant imported from another module."""
        found = self._foreign(node)
        return found[0].constants.get(found[1], 0) if found is not None else 0

    def _foreign_function(self, node: Any) -> bool:
        """Whether an expression names a function of another project module."""
        found = self._foreign(node)
        return found is not None and found[1] in found[0].functions

    def _foreign_callee(
        self, call: cst.Call, args: list, receiver: Value | None, target: Any = None
    ) -> tuple | None:
        """(summary, name, function summary, whether the call constructs the class, whether a
        method is called unbound, through its class) of the
        project function, class or method of another module a call names (None: not one). A
        method is found through the receiver's type too (`self.assistant.ask(q)`). `target` names
        the callee instead of the call's own expression (a `functools.partial` of it). A module read
        as its outline is analysed when the call passes data into it (`ProjectModules.complete`):
        its sanitizer and guard helpers then count."""
        target = call.func if target is None else target
        typed: list[str] = []
        if receiver is not None and isinstance(target, cst.Attribute):
            attr = target.attr.value
            if receiver.type_name:  # a call's result, or a name annotated with the class
                typed.append(f"{receiver.type_name}.{attr}")
            if isinstance(receiver.ref, Instance):  # a local class deriving from a project class
                typed += [f"{base}.{attr}" for base in receiver.ref.cls.all_bases()]
        # `Base.send(self, x)`: a method named through an imported class as written, not through
        # a type, and given an object first takes it as its first parameter
        spelled = var_path(target.value) if isinstance(target, cst.Attribute) else None
        first = next((value for arg, value in args if arg.keyword is None and not arg.star), None)
        unbound = (
            spelled is not None
            and first is not None
            and isinstance(first.ref, Instance)
            and self._imported_name(spelled) is not None
        )
        found = self._foreign(target) or next(
            (hit for name in typed if (hit := self._foreign(target, name))), None
        )
        if found is None:
            return None
        summary, name = found
        carried = [*args, (None, receiver)] if receiver is not None else args
        summary = self._read_whole(summary, carried)
        constructed = name not in summary.functions and (
            f"{name}.__init__" in summary.functions or name in summary.bases
        )
        wanted, owner = (f"{name}.__init__" if constructed else name), summary
        for _ in range(MAX_BASES):
            function = owner.functions.get(wanted)
            if function is not None:
                if constructed:
                    return summary, name, function, True, False
                return owner, wanted, function, False, unbound and function.kind == "method"
            cls, _, method = wanted.rpartition(".")
            found = next(
                (
                    hit
                    for base in owner.bases.get(cls, ())
                    if (hit := self._foreign(target, f"{base}.{method}"))
                ),
                None,
            )
            if found is None:
                break
            owner, wanted = self._read_whole(found[0], carried), found[1]  # inherited from another module
        return (summary, name, None, True, False) if constructed else None

    def _read_whole(self, summary: Any, args: list) -> Any:
        """The summary, analysed if it was read as its outline and the call passes data into it
        (an argument or the object a method is called on). A call passing none reads the
        outline, whatever was analysed before: the result does not depend on the order of calls."""
        if summary.outlined and any(isinstance(f, (Taint, Param)) for _, v in args for f in v.all):
            summary = self.project.complete(summary, self.module_name)
            self.dependencies.update(summary.files)
        return summary

    def _foreign_vouched(self, call: cst.Call, receiver: Value | None) -> list[Any]:
        """The arguments a guard helper of another module checked when it returns true."""
        args = [(arg, self._values.get(id(arg.value), EMPTY)) for arg in call.args]
        found = self._foreign_callee(call, args, receiver)
        if found is None or found[3] or found[2] is None:
            return []
        function = found[2]
        bound = function.kind in ("method", "class") and not found[4]
        return [argument_node(args, function.params, index, bound) for index in function.guards]

    def _apply_foreign(
        self, call: cst.Call, args: list, receiver: Value | None = None, target: Any = None
    ) -> Value | None:
        """The value a project function, class or method of another module returns here (None:
        not one); `target`: the expression naming it, when not the call's own."""
        found = self._foreign_callee(call, args, receiver, target)
        if found is None:
            return None
        summary, name, function, constructed, unbound = found
        if function is None:  # a class without `__init__` of its own or its bases'
            return _instance(summary, name, args, call)
        shape = Function(-1, call, name, (), params=[(p, kind, None) for p, kind in function.params])
        binds = (function.kind in ("method", "class") and not unbound) or constructed
        bound = (receiver or Value()) if binds else None
        mapping = self._bind_arguments(shape, args, bound)
        for index, put in function.puts:  # `add_system(messages, q)`: `messages` holds `q` now
            added = shape_from_json(put, -1)
            self._put_into_argument(args, function.params, index, bound is not None, added, -1, mapping, call)
        for entry in function.sinks:
            argument = mapping.get(entry.param)
            if argument is not None and argument.all:
                node = argument_node(args, function.params, entry.param, bound is not None) or call
                self._foreign_flows.setdefault(id(call), []).append((entry, summary, name, argument, node))
                self._flow_calls[id(call)] = call
        facts: list = []
        for index, spliced, encoded in function.returns_params:
            argument = mapping.get(index)
            for fact in argument.all if argument is not None else ():
                for encoder in encoded:
                    fact = mark_encoded(fact, encoder)
                facts.append(mark_spliced(fact) if spliced else fact)
        for source in function.returns_sources:
            located = _LOCATED.search(source.description)  # a source of a third module says where
            text = (
                source.description if located else f"{source.description} ({summary.display}:{source.line})"
            )
            site = Site(source.tier, source.label, call, text)
            facts.append(Taint(site, source.spliced, source.encoded))
        if constructed:
            return _instance(summary, name, args, call)
        if function.returns_state and receiver is not None:  # what the object was given
            facts += receiver.all
        return Value(collect([through(fact, call) for fact in facts]))


def _instance(summary: Any, name: str, args: list, call: cst.Call) -> Value:
    """An instance of a class of another module: its methods are looked up by its type, and it
    carries the data its constructor was given (a method returning `self.text` hands it back)."""
    facts = collect([through(fact, call) for _, value in args for fact in value.all])
    return Value(facts, type_name=f"{summary.name}.{name}", instance=True)
