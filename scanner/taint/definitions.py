"""Definitions: functions and classes as they are defined, and the parameters that are sources.

Owns building `Function` and `Class` records, reading annotations (which parameters may hold text,
which carry a type), and matching parameter sources (route decorators, registrars, handler names,
base classes) to a function's parameters.

May import: the lower layers and `catalog`, never another mixin."""

from __future__ import annotations

from typing import Any

import libcst as cst
from aisec.hooks import ParameterSource

from ..globs import glob_matches
from .registries import registrations
from .syntax import dotted
from .units import Class, Function, Unit, inherited
from .values import Instance, Site, Taint, Value, make_container, replace
from .vocabulary import (
    ANNOTATED,
    CONTEXT_WRAPPERS,
    ENUM_BASES,
    FLASK_CONVERTER,
    LITERAL_TYPES,
    NON_TEXT_TYPES,
    STARLETTE_CONVERTER,
    WRAPPER_TYPES,
)


class Definitions:
    """Function and class definitions (mixed into `ModuleTaint`)."""

    # ----- definitions -----

    def _define_function(self, node: cst.FunctionDef) -> None:
        func = self._functions.get(id(node))
        if func is None:
            func = self._new_function(node)
        self._unit.env[node.name.value] = Value(ref=func)
        if self._unit.func is not None:
            self._closures[func.index] = self._unit.env  # read when the nested function runs
        for decorator in node.decorators:
            self._register_in_table(func, decorator.decorator)

    def _register_in_table(self, func: Function, decorator: Any) -> None:
        """A decorator of this module that stores the function in a table of this scope
        (`REGISTRY[fn.__name__] = fn`, `TOOLS[name] = fn` in a factory, `TOOLS.append(fn)`): the
        table now holds the function, so a lookup in it calls the function (a dispatch table)."""
        call = decorator if isinstance(decorator, cst.Call) else None
        target = self._lookup(dotted(call.func if call is not None else decorator) or "")
        if target is None or not isinstance(target.ref, Function) or isinstance(target.ref.node, cst.Lambda):
            return
        env = self._unit.env
        for registration in registrations(target.ref.node):
            table = env.get(registration.table)
            if table is None or isinstance(table.ref, (Function, Class)):
                continue
            entry = Value(ref=func)
            if not registration.keyed:
                env[registration.table] = make_container(
                    table.facts, (*(table.items or ()), entry), table.keys, type_name=table.type_name
                )
                continue
            name = (
                self._factory_argument(target.ref.node, call, registration.key)
                if registration.key
                else func.name
            )
            keys = dict(table.keys or ())
            keys[name if name is not None else func.name] = entry
            env[registration.table] = make_container(
                table.facts, table.items, tuple(keys.items()), type_name=table.type_name
            )

    def _factory_argument(self, factory: cst.FunctionDef, call: cst.Call | None, param: str) -> str | None:
        """The constant a decorator factory's call passes as `param` (`@register("shell")`)."""
        if call is None:
            return None
        params = [p.name.value for p in factory.params.params]
        for position, arg in enumerate(call.args):
            named = (
                arg.keyword.value
                if arg.keyword is not None
                else (params[position] if position < len(params) else None)
            )
            if named == param:
                return self._literal(arg.value)
        return None

    def _define_lambda(self, node: cst.Lambda) -> Value:
        """A lambda is a function of its own (`{"sh": lambda c: os.system(c)}`, `key=lambda x: ...`):
        summarised like a def, its body the value it returns."""
        func = self._functions.get(id(node))
        if func is None:
            func = self._new_function(node)
        if self._unit.func is not None:
            self._closures[func.index] = self._unit.env
        return Value(ref=func)

    def _new_function(self, node: cst.FunctionDef | cst.Lambda) -> Function:
        lambda_ = isinstance(node, cst.Lambda)
        cls = self._unit.cls if self._unit.func is None and not lambda_ else None
        func = Function(
            len(self._function_list),
            node,
            "<lambda>" if lambda_ else node.name.value,
            (*self._stack, node),
            cls=cls,
            parent=self._unit.func,
        )
        decorators = []
        for decorator in () if lambda_ else node.decorators:
            expr = decorator.decorator
            target = expr.func if isinstance(expr, cst.Call) else expr
            name = self._qualified(target)
            decorators.append((expr, name, dotted(target)))
            if name == "builtins.staticmethod":
                func.kind = "static"
            elif name == "builtins.classmethod":
                func.kind = "class"
        func.decorators = decorators
        if cls is not None and func.kind == "function":
            func.kind = "method"
        params = node.params
        for param in (*params.posonly_params, *params.params):
            func.params.append((param.name.value, "pos", param))
        if isinstance(params.star_arg, cst.Param):
            func.params.append((params.star_arg.name.value, "star", params.star_arg))
        for param in params.kwonly_params:
            func.params.append((param.name.value, "kw", param))
        if isinstance(params.star_kwarg, cst.Param):
            func.params.append((params.star_kwarg.name.value, "dstar", params.star_kwarg))
        self._functions[id(node)] = func
        self._function_list.append(func)
        if cls is not None:
            cls.methods.setdefault(func.name, func)
        func.initial = self._initial_parameters(func)
        return func

    def _initial_parameters(self, func: Function) -> dict[int, Value]:
        """Parameter values every call starts from: types from annotations, and sources."""
        initial: dict[int, Value] = {}
        excluded_by_route: set[str] = set()
        for expr, _, _ in func.decorators:
            if isinstance(expr, cst.Call) and expr.args:
                route = self._literal(expr.args[0].value)
                if route:
                    excluded_by_route |= {name for _, name in FLASK_CONVERTER.findall(route)}
                    excluded_by_route |= {name for name, _ in STARLETTE_CONVERTER.findall(route)}
        matches = self._parameter_sources(func)
        func.dependencies = {}
        for index, (name, kind, param) in enumerate(func.params):
            if index == 0 and func.kind in ("method", "class") and kind == "pos":
                cls = func.cls
                initial[index] = Value(ref=Instance(cls) if func.kind == "method" else cls)
                continue
            annotation = self._param_annotation(param)
            text, type_name, local = self._annotation(annotation)
            base = Value(type_name=type_name, ref=Instance(local) if local is not None else None)
            dependency = self._dependency(param) if matches else None
            if dependency is not None:  # resolved from the request like the handler's own
                func.dependencies[index] = dependency
                registered = self._registered.setdefault(dependency.index, [])
                added = [s for s in matches if not any(s is r for r in registered)]
                if added:
                    registered.extend(added)
                    dependency.initial = self._initial_parameters(dependency)
            facts: set = set()
            typed = False  # a request object (its attributes are the data), not data itself
            for source in matches:
                if (source.params and name not in source.params) or name in ("self", "cls"):
                    continue
                if not text or name in excluded_by_route or self._annotated(param, type_name, source.exclude):
                    continue
                if source.annotated and not self._annotated(param, type_name, source.annotated):
                    continue
                if source.type:
                    base, typed = replace(base, type_name=source.type), True
                    continue
                label = source.label or "request data"
                facts.add(Taint(Site(source.tier, label, param, f"parameter `{name}` of `{func.display}()`")))
            if not text:
                base = Value(type_name=type_name)
            elif type_name in CONTEXT_WRAPPERS and not facts:
                base = self._context_wrapper(annotation, type_name)
            elif facts and not typed:
                fields = self._typed_fields(func, param, local, matches) if local is not None else ()
                base = make_container(
                    frozenset(facts), None, fields or None, type_name=base.type_name, ref=base.ref
                )
            initial[index] = base
        return initial

    def _param_annotation(self, param: cst.Param) -> Any:
        """A parameter's annotation, with a module-level alias of an `Annotated[...]` read as
        written in place (`SessionDep = Annotated[AsyncSession, Depends(get_session)]`, then
        `session: SessionDep`: FastAPI injects it, as it does the `Annotated` written inline)."""
        annotation = param.annotation.annotation if param.annotation is not None else None
        if not isinstance(annotation, cst.Name):
            return annotation
        if self._annotated_aliases is None:
            self._annotated_aliases = self._module_annotated_aliases()
        return self._annotated_aliases.get(annotation.value, annotation)

    def _module_annotated_aliases(self) -> dict[str, cst.Subscript]:
        """Module-level names bound once to an `Annotated[...]` (plain or `TypeAlias` assignment)."""
        aliases: dict[str, cst.Subscript] = {}
        bound: dict[str, int] = {}
        for statement in self.module.body:
            for small in (
                getattr(statement, "body", ()) if isinstance(statement, cst.SimpleStatementLine) else ()
            ):
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    target, value = small.targets[0].target, small.value
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    target, value = small.target, small.value
                else:
                    continue
                if not isinstance(target, cst.Name):
                    continue
                bound[target.value] = bound.get(target.value, 0) + 1
                if isinstance(value, cst.Subscript) and self._qualified(value.value) in ANNOTATED:
                    aliases[target.value] = value
        return {name: value for name, value in aliases.items() if bound[name] == 1}

    def _context_wrapper(self, annotation: Any, type_name: str) -> Value:
        """`ctx: RunContext[Deps]`: a run context whose dependencies attribute (`ctx.deps`) is an
        instance of the module's class `Deps`."""
        inner = annotation.slice[0].slice if isinstance(annotation, cst.Subscript) else None
        local = self._annotation(inner.value)[2] if isinstance(inner, cst.Index) else None
        if local is None:
            return Value(type_name=type_name)
        held = ((CONTEXT_WRAPPERS[type_name], Value(ref=Instance(local))),)
        return make_container(frozenset(), None, held, type_name=type_name)

    def _typed_fields(
        self, func: Function, param: cst.Param, cls: Class, matches: list[ParameterSource]
    ) -> tuple:
        """A request model's fields whose declared type a parameter source names by type
        (`audio: UploadFile` in a form dataclass is an uploaded document, as an `UploadFile`
        parameter is; a field of an excluded type is not request data)."""
        fields = []
        for attr, type_name in inherited(cls, "field_type_names").items():
            named = [
                s for s in matches if not s.type and any(glob_matches(type_name, p) for p in s.annotated)
            ]
            excluded = any(glob_matches(type_name, p) for s in matches for p in s.exclude)
            if not named and not excluded:
                continue
            where = f"`{param.name.value}.{attr}` of `{func.display}()`"
            facts = frozenset(Taint(Site(s.tier, s.label or "request data", param, where)) for s in named)
            fields.append((attr, Value(facts, type_name=type_name)))
        return tuple(fields)

    def _dependency(self, param: cst.Param) -> Function | None:
        """The local function a handler parameter is injected from (FastAPI `Depends(fn)` or
        `Security(fn)`, as the default or inside `Annotated[...]`)."""
        candidates = [param.default]
        annotation = self._param_annotation(param)
        if isinstance(annotation, cst.Subscript):
            candidates += [getattr(element.slice, "value", None) for element in annotation.slice]
        for candidate in candidates:
            if not isinstance(candidate, cst.Call) or not candidate.args:
                continue
            if (self._qualified(candidate.func) or "").rsplit(".", 1)[-1] not in ("Depends", "Security"):
                continue
            target = candidate.args[0].value
            found = self._lookup(target.value) if isinstance(target, cst.Name) else None
            if found is not None and isinstance(found.ref, Function):
                return found.ref
        return None

    def _annotated(self, param: cst.Param, type_name: str | None, patterns: tuple[str, ...]) -> bool:
        """Whether the annotation or the default call (`Depends(get_db)`) matches one of
        `patterns` (a source's `exclude` or `annotated`)."""
        if not patterns:
            return False
        annotation = self._param_annotation(param)
        candidates = [annotation] if type_name is None else []
        if isinstance(param.default, cst.Call):
            candidates.append(param.default.func)
        if isinstance(annotation, cst.Subscript):  # Annotated[Session, Depends(get_db)]
            for element in annotation.slice:
                value = getattr(element.slice, "value", None)
                candidates.append(value.func if isinstance(value, cst.Call) else value)
        names = [type_name] if type_name else []
        names += [self._qualified(c) or dotted(c) for c in candidates if c is not None]
        return any(glob_matches(name, pattern) for name in names if name for pattern in patterns)

    def _annotation(self, annotation: Any) -> tuple[bool, str | None, Class | None]:
        """(may hold text, qualified type, local class) of a parameter annotation."""
        if annotation is None:
            return True, None, None
        if type(annotation) is cst.BinaryOperation and type(annotation.operator) is cst.BitOr:
            parts = [annotation.left, annotation.right]
            results = [
                self._annotation(p) for p in parts if not (isinstance(p, cst.Name) and p.value == "None")
            ]
            if not results:
                return True, None, None
            return any(r[0] for r in results), results[0][1], results[0][2]
        if isinstance(annotation, cst.Subscript):
            outer = self._qualified(annotation.value)
            if outer in LITERAL_TYPES:
                return False, None, None
            if outer in WRAPPER_TYPES or outer == "typing.Union":
                inner = [getattr(e.slice, "value", None) for e in annotation.slice]
                inner = [i for i in inner if not (isinstance(i, cst.Name) and i.value == "None")]
                if outer in ANNOTATED:
                    inner = inner[:1]
                results = [self._annotation(i) for i in inner]
                if not results:
                    return True, None, None
                return any(r[0] for r in results), results[0][1], results[0][2]
            return True, outer, None
        if isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
            return True, self._project_type(annotation), None  # `bot: "Assistant"`
        if isinstance(annotation, cst.Name):
            local = self._lookup(annotation.value)
            if local is not None and isinstance(local.ref, Class):
                return not local.ref.is_enum, None, local.ref
        name = self._qualified(annotation) or self._project_type(annotation)
        if name is None:
            return True, None, None
        if name in NON_TEXT_TYPES:
            return False, name, None
        return True, name, None

    def _parameter_sources(self, func: Function) -> list[ParameterSource]:
        found: list[ParameterSource] = []
        by_decorator: list[ParameterSource] = []
        for _, name, written in func.decorators:
            by_decorator += self._decorator_sources.match([n for n in (name, written) if n])
        registered = self._registered.get(func.index, [])
        bases = func.cls.all_bases() if func.cls is not None else ()
        catalog = self.catalog.parameter_sources
        # and the sources narrowed to what a `functools.partial` leaves (`_register`)
        narrowed = [s for s in registered if not any(s is c for c in catalog)]
        for source in (*catalog, *narrowed):
            if (source.decorators or source.registrars) and not any(
                s is source for s in (*by_decorator, *registered)
            ):
                continue
            if source.functions and not any(glob_matches(func.name, p) for p in source.functions):
                continue
            if source.signature and tuple(name for name, _, _ in func.params) != source.signature:
                continue
            if source.base_classes and not any(
                glob_matches(base, p) for base in bases for p in source.base_classes
            ):
                continue
            if source.requires_import and not any(
                imported == p or imported.startswith(p + ".") or glob_matches(imported, p)
                for imported in self._imports
                for p in source.requires_import
            ):
                continue
            found.append(source)
        return found

    def _define_class(self, node: cst.ClassDef) -> None:
        cls = self._classes.get(id(node))
        first = cls is None
        if cls is None:
            bases, local_bases = [], []
            for arg in node.bases:
                if isinstance(arg.value, cst.Name):
                    local = self._lookup(arg.value.value)
                    if local is not None and isinstance(local.ref, Class):
                        local_bases.append(local.ref)
                        continue
                name = self._qualified(arg.value)
                if name is None and self.project is not None:  # `from .base import Base`
                    name = self._project_name(arg.value)
                if name:
                    bases.append(name)
            cls = Class(node, node.name.value, tuple(bases), tuple(local_bases))
            cls.is_enum = any(b in ENUM_BASES for b in cls.all_bases()) or any(b.is_enum for b in local_bases)
            self._classes[id(node)] = cls
        self._unit.env[node.name.value] = Value(ref=cls)
        outer = self._unit
        self._unit = Unit(None, {}, [outer.env, *outer.outer], cls=cls)
        self.names.enter_statement(node)
        self._stack.append(node)
        try:
            self._class_body(cls, node, first)
            cls.constants = self._unit.env
            if first:
                for statement in getattr(node.body, "body", ()):
                    if not isinstance(statement, cst.SimpleStatementLine):
                        continue
                    for small in statement.body:
                        if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                            text, type_name, local = self._annotation(small.annotation.annotation)
                            cls.field_types[small.target.value] = text
                            if local is not None:
                                cls.field_classes[small.target.value] = local
                            if type_name is not None:
                                cls.field_type_names[small.target.value] = type_name
        finally:
            self._stack.pop()
            self.names.leave_statement(node)
            self._unit = outer

    def _class_body(self, cls: Class, node: cst.ClassDef, first: bool) -> None:
        """Evaluate a class's body; the first time, with the class noted as being defined (its
        methods and fields are not all known yet: `ModuleTaint._round_repeats`)."""
        if not first:
            self._suite(node.body)
            return
        self._building.append(cls)
        try:
            self._suite(node.body)
        finally:
            self._building.pop()
