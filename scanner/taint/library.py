"""Library models: what calls without a summary or catalog entry do with data.

Owns the semantics of builtins, string methods (`join`, `format`, `replace`, ...), container
constructors, getters and mutators. Anything not modelled returns the data of its receiver and
arguments (an opaque object of the call's type).

May import: the lower layers, never another mixin."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from ..names import ELEMENT_STYLERS
from .jinja import AUTOESCAPE, ENVIRONMENTS, JINJA_RENDER, RENDER_METHODS, autoescape_setting, escapes
from .syntax import keyword_arg, positional_arg, var_path
from .units import Class, Function, inherited
from .values import (
    EMPTY,
    MAX_CALLABLES,
    MAX_ITEMS,
    NO_FACTS,
    Callables,
    Instance,
    Partial,
    Value,
    join,
    join_all,
    make_container,
    map_facts,
    mark_encoded,
    opaque,
    readable,
    text_value,
    through,
    unite,
    unite_all,
)
from .vocabulary import (
    CONST_PRESERVING,
    GET_METHODS,
    MARKUP_METHODS,
    MARKUP_TYPES,
    MUTATORS,
    NON_TEXT_METHODS,
    STRING_METHODS_KEEP,
)

# Template renderers that HTML-escape every value they substitute (autoescaping on by default),
# and the parameter that names or holds the template: the values come out escaped, marked with
# the renderer as their encoder; the template's own text comes out as it went in.
AUTOESCAPING_RENDERERS: dict[str, str] = {
    "flask.render_template": "template_name_or_list",
    "flask.templating.render_template": "template_name_or_list",
    "flask.render_template_string": "source",
    "flask.templating.render_template_string": "source",
    # Quart: Flask's API for asyncio (the same Jinja environment, autoescaping on)
    "quart.render_template": "template_name_or_list",
    "quart.templating.render_template": "template_name_or_list",
    "quart.render_template_string": "source",
    "quart.templating.render_template_string": "source",
    "django.shortcuts.render": "template_name",
    "django.template.loader.render_to_string": "template_name",
    "starlette.templating.Jinja2Templates.TemplateResponse": "name",
    "fastapi.templating.Jinja2Templates.TemplateResponse": "name",
    # Bottle's SimpleTemplate escapes `{{x}}` (not `{{!x}}`)
    "bottle.template": "tpl",
}

# Template text that turns escaping off for a value: the `safe` filter, an autoescape block,
# Bottle's `{{!x}}`.
UNESCAPED_IN_TEMPLATE = re.compile(r"\|\s*safe\b|autoescape\s+(?:false|off)\b|\{\{\s*!")


def _document_object(value: Value) -> bool:
    """An object a library class built (`BeautifulSoup(html)`, an element its `find` returned),
    whose `find` returns part of its content, unlike `str.find`."""
    last = (value.type_name or "").rsplit(".", 1)[-1]
    return value.instance and (last[:1].isupper() or last == "find")


class LibraryModels:
    """Models of library calls (mixed into `ModuleTaint`)."""

    def _call_result(
        self, node: cst.Call, func: Any, receiver: Value | None, args: list, names: list
    ) -> Value:
        """What an unknown call returns: string methods and containers by their semantics, any
        other call the data of its receiver and arguments."""
        qualified = names[0] if names else None
        receiver = readable(receiver) if receiver is not None else None
        args = [(arg, readable(value)) for arg, value in args]
        method = func.attr.value if isinstance(func, cst.Attribute) else None
        if (
            method in ELEMENT_STYLERS
            and receiver is not None
            and (receiver.type_name or "").startswith("nicegui.")
        ):
            return receiver  # a styled element is the element
        through_file = self._file_result(node, method, receiver, args, qualified)
        if through_file is not None:
            return through_file
        if isinstance(func, cst.Attribute) and receiver is not None and not self._named_object(func.value):
            method = func.attr.value
            result = self._method(node, method, receiver, args, qualified)
            if result is not None:
                return result
        if qualified in ("builtins.dict",):
            keys = tuple((a.keyword.value, v) for a, v in args if a.keyword is not None)
            base = next((v for a, v in args if a.keyword is None and not a.star), None)
            if base is not None and base.keys is not None:
                keys = tuple({**dict(base.keys), **dict(keys)}.items())
                return make_container(base.facts, None, keys)
            facts = unite_all(v.all for a, v in args if a.keyword is None)
            return make_container(facts, None, keys)
        if qualified in (
            "builtins.list",
            "builtins.tuple",
            "builtins.sorted",
            "builtins.reversed",
            "builtins.set",
            "builtins.frozenset",
        ):
            return args[0][1] if args else make_container(NO_FACTS, ())
        if qualified and qualified.endswith(".MessagesPlaceholder"):  # LangChain: ("placeholder", "{x}")
            name = self._literal(args[0][0].value) if args else None
            if name:
                return make_container(NO_FACTS, (text_value("placeholder"), text_value(f"{{{name}}}")))
        if qualified in ("builtins.str", "builtins.format", "textwrap.dedent", "inspect.cleandoc") and args:
            value = args[0][1]
            const = value.const
            if const is not None and qualified == "textwrap.dedent":
                import textwrap

                const = textwrap.dedent(const)
            return Value(value.all, const=const, words=value.words)
        if qualified == "builtins.globals" and not args:
            return self._module_functions()
        if qualified == "functools.partial" and args and isinstance(args[0][1].ref, (Function, Class)):
            return Value(ref=Partial(args[0][1].ref, tuple(args[1:])))
        if qualified == "functools.partial" and args and self._foreign_function(args[0][0].value):
            return Value(ref=Partial(args[0][0].value, tuple(args[1:])))  # named: looked up when called
        if qualified == "builtins.getattr" and len(args) >= 2:
            methods = self._methods_named(args[0][1], args[1][0].value)
            return Value(ref=methods) if methods is not None else opaque(args[0][1])
        if qualified in ("builtins.next", "builtins.iter") and args:
            return args[0][1].element()
        if qualified in ("builtins.print",):
            return EMPTY
        if qualified in AUTOESCAPING_RENDERERS:
            return self._autoescaped(node, qualified, args)
        if method in RENDER_METHODS and receiver is not None and self._jinja_escapes(func.value):
            return self._escaped_values(receiver, args, JINJA_RENDER)
        facts: frozenset = receiver.all if receiver is not None else NO_FACTS
        words = receiver.words if receiver is not None else 0
        for _, value in args:
            facts = unite(facts, value.all)
            words = max(words, value.words)
        setting = autoescape_setting(node, self._qualified) if qualified in ENVIRONMENTS else None
        keys = ((AUTOESCAPE, Value(const=setting)),) if setting else None  # the environment's attribute
        return Value(facts, keys=keys, words=words, type_name=qualified, instance=qualified is not None)

    def _jinja_escapes(self, maker: Any) -> bool:
        """Whether `maker` (`env.from_string(PAGE)`, `env.get_template("page.html")`, written in
        the render call) makes a template that escapes its values: the environment autoescapes
        and the template text does not turn escaping off (`|safe`)."""
        if not (isinstance(maker, cst.Call) and isinstance(maker.func, cst.Attribute) and maker.args):
            return False
        environment = self._ev_quiet(maker.func.value)
        setting = environment.key(AUTOESCAPE) if environment is not None else None
        first = maker.args[0].value
        template = self._ev_quiet(first)
        text = template.const if template is not None else self._literal(first)
        method = maker.func.attr.value
        if text is None or (method == "from_string" and UNESCAPED_IN_TEMPLATE.search(text)):
            return False
        return setting is not None and escapes(setting.const, method, text)

    def _methods_named(self, owner: Value, name: Any) -> Any:
        """The methods of a local class `getattr(obj, name)` may return: the one a constant names,
        else every public method whose name starts with the constant text the name starts with
        (`getattr(self, f"tool_{call.name}")`), as `Callables`; None when there are none."""
        cls = owner.ref.cls if isinstance(owner.ref, Instance) else owner.ref
        if not isinstance(cls, Class):
            return None
        literal = self._literal(name)
        if literal is not None:
            return cls.method(literal)
        prefix = self._constant_prefix(name)
        found = [
            method
            for method_name, method in inherited(cls, "methods").items()
            if method_name.startswith(prefix) and not method_name.startswith("_")
        ]
        if not found or len(found) > MAX_CALLABLES:
            return None
        return found[0] if len(found) == 1 else Callables(tuple(found))

    def _entries_starting(self, table: Value, key: Any) -> Value | None:
        """The entries of a dict with known keys that a key spelled with a constant prefix
        (`f"tool_{name}"`, `"tool_" + name`) may select, joined; None without a prefix."""
        prefix = self._constant_prefix(key)
        if not prefix:
            return None
        entries = [value for name, value in table.keys or () if name.startswith(prefix)]
        return join_all([Value(table.facts), *entries]) if table.facts else join_all(entries)

    def _module_functions(self) -> Value:
        """`globals()`: the module's functions and classes by name (a dispatch namespace)."""
        env = self._unit.env if self._unit.func is None else self._module_env
        entries = tuple(
            (name, value) for name, value in env.items() if isinstance(value.ref, (Function, Class))
        )
        return make_container(NO_FACTS, None, entries[:MAX_ITEMS], type_name="builtins.dict")

    def _constant_prefix(self, node: Any) -> str:
        """The literal text an f-string or `+` concatenation starts with (`f"tool_{name}"`)."""
        if isinstance(node, cst.FormattedString) and node.parts:
            first = node.parts[0]
            return first.value if isinstance(first, cst.FormattedStringText) else ""
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._literal(node.left) or ""
        return ""

    def _autoescaped(self, node: cst.Call, renderer: str, args: list) -> Value:
        """What an autoescaping renderer returns: its template as given, every value escaped.
        (Django's `render(request, name, context)` takes the template second.)"""
        template_keyword = AUTOESCAPING_RENDERERS[renderer]
        template_position = 1 if renderer.startswith("django.shortcuts") else 0
        template = keyword_arg(node, template_keyword) or positional_arg(node, template_position)
        text = next((v.const for a, v in args if a is template), None) or ""
        if UNESCAPED_IN_TEMPLATE.search(text):  # `{{ body|safe }}` is not escaped
            return Value(unite_all(value.all for _, value in args), type_name=renderer, instance=True)
        template_value = next((value for arg, value in args if arg is template), EMPTY)
        return self._escaped_values(template_value, [(a, v) for a, v in args if a is not template], renderer)

    def _escaped_values(self, template: Value, args: list, renderer: str) -> Value:
        """What an escaping render returns: the template's own data as it is, every value it
        substitutes (`args`) marked as escaped by `renderer`."""
        facts: frozenset = template.all
        for _, value in args:
            facts = unite(facts, map_facts(Value(value.all), lambda f: mark_encoded(f, renderer)).all)
        return Value(facts, type_name=renderer, instance=True)

    def _argument_matches(self, source: Any, call: cst.Call) -> bool:
        """Whether the constant text of an argument `source.matching_arguments` names matches
        one of `source.matching` (a URL that is recognisably a model API's)."""
        for which in source.matching_arguments:
            arg = keyword_arg(call, which) if isinstance(which, str) else positional_arg(call, which)
            if arg is None:
                continue
            text = self._constant_text(arg.value)
            if any(re.search(pattern, text) for pattern in source.matching):
                return True
        return False

    def _constant_text(self, node: Any) -> str:
        """The constant text an expression spells: its value when constant, else the constant
        parts of an f-string or a `+` concatenation, in order (the variable parts left out)."""
        value = self._values.get(id(node))
        if value is not None and value.const is not None:
            return value.const
        if isinstance(node, cst.FormattedString):
            return "".join(
                part.value
                if isinstance(part, cst.FormattedStringText)
                else self._constant_text(part.expression)
                for part in node.parts
            )
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            return self._constant_text(node.left) + self._constant_text(node.right)
        if isinstance(node, cst.ConcatenatedString):
            return self._constant_text(node.left) + self._constant_text(node.right)
        return ""

    def _named_object(self, node: Any) -> bool:
        """A module, class or function the file imports (`shlex` in `shlex.split(text)`), not a
        value: its functions are not string or container methods. A name or attribute path the
        code bound (`st.session_state.messages = []`) is a value."""
        if not isinstance(node, (cst.Name, cst.Attribute)) or self.names.qualified(node) is None:
            return False
        path = var_path(node)
        return self.names.returned_by(node) is None and not (path and self._lookup(path) is not None)

    def _method(
        self, node: cst.Call, method: str, receiver: Value, args: list, qualified: str | None
    ) -> Value | None:
        values = [v for _, v in args]
        if method in MUTATORS:  # what goes in passes through the call (the path shows where it entered)
            entered = [(arg, map_facts(value, lambda fact: through(fact, node))) for arg, value in args]
            self._mutate(node.func.value, method, receiver, entered)
            if method == "setdefault" and len(values) > 1:
                # the default put there, or the object already there (`SESSIONS.setdefault(sid,
                # Chat(...))`: its class), not the container's data (its keys are in it too)
                there = receiver.element()
                kept = Value(type_name=there.type_name, ref=there.ref) if there.ref is not None else None
                return join(values[1], kept)
            return EMPTY
        if method in MARKUP_METHODS and receiver.type_name in MARKUP_TYPES:
            return self._markup_filled(receiver, values)
        if method == "join" and (receiver.const is not None or receiver.words) and values:
            parts = values[0]
            items = list(parts.items or ())
            separator = receiver
            pieces: list[Value] = []
            for index, item in enumerate(items):
                if index:
                    pieces.append(separator)
                pieces.append(opaque(item) if item.items is not None or item.keys is not None else item)
            if parts.facts:
                pieces.append(Value(parts.facts))
            if not pieces:
                return Value(const="")
            return self._splice(pieces)
        if method in ("format", "format_map") and (
            receiver.const is not None or receiver.words or receiver.all
        ):
            if receiver.all and values and not receiver.checked:  # a template object: judged where built
                self._format_string(node, receiver)
            parts = [receiver]
            for value in values:
                parts.append(opaque(value) if value.keys is not None or value.items is not None else value)
            return self._splice(parts)
        if method in ("replace",) and len(values) >= 2:
            return self._splice([receiver, values[1]])
        if method in ("substitute", "safe_substitute"):  # `string.Template(text)`: the text is the template
            if receiver.all and values:
                self._format_string(node, receiver)
            return self._splice([receiver, *(opaque(v) for v in values)])
        if method in NON_TEXT_METHODS and not (method == "find" and _document_object(receiver)):
            return EMPTY
        if method in STRING_METHODS_KEEP and not receiver.slots:
            const = (
                receiver.const.strip() if receiver.const is not None and method in CONST_PRESERVING else None
            )
            return self._refine(Value(receiver.all, const=const, words=receiver.words), node.func.value, node)
        if method in GET_METHODS and (
            receiver.keys is not None or receiver.items is not None or receiver.all
        ):
            key = self._literal(args[0][0].value) if args and args[0][0].keyword is None else None
            default = values[1] if len(values) > 1 else EMPTY
            found = receiver.key(key) if key is not None else None
            if found is None and key is None and args and receiver.keys is not None:
                found = self._entries_starting(receiver, args[0][0].value)
            if found is not None:
                return join(found, default)
            return self._refine(join(receiver.element(), default), node.func.value, node)
        if method in ("items",) and receiver.keys is not None:
            pairs = tuple(make_container(NO_FACTS, (text_value(k), v)) for k, v in receiver.keys)
            return make_container(receiver.facts, pairs)
        if method in ("values",) and receiver.keys is not None:
            return make_container(receiver.facts, tuple(v for _, v in receiver.keys))
        if method in ("keys",) and receiver.keys is not None:
            return make_container(receiver.facts, tuple(text_value(k) for k, _ in receiver.keys))
        return None

    def _mutate(self, target: Any, method: str, receiver: Value, args: list) -> None:
        values = [v for _, v in args]
        if not values:
            return
        if method in ("append", "add", "appendleft"):
            new = make_container(
                receiver.facts,
                (receiver.items or ()) + (values[0],),
                receiver.keys,
                type_name=receiver.type_name,
            )
        elif method == "insert" and len(values) >= 2:
            new = make_container(
                receiver.facts,
                (values[1],) + (receiver.items or ()),
                receiver.keys,
                type_name=receiver.type_name,
            )
        elif method == "extend":
            extra = values[0]
            if extra.items is not None:
                new = make_container(
                    unite(receiver.facts, extra.facts), (receiver.items or ()) + extra.items, receiver.keys
                )
            else:
                new = make_container(
                    unite(receiver.facts, extra.all),
                    receiver.items if receiver.items is not None else (),
                    receiver.keys,
                )
        elif method in ("update", "setdefault", "__setitem__"):
            keys = dict(receiver.keys or ())
            facts = receiver.facts
            if method == "update":
                for arg, value in args:
                    if arg.keyword is not None:
                        keys[arg.keyword.value] = value
                    elif value.keys is not None:
                        keys.update(value.keys)
                        facts = unite(facts, value.facts)
                    else:
                        facts = unite(facts, value.all)
            else:
                name = self._literal(args[0][0].value)
                if name is not None and len(values) > 1:
                    keys[name] = join(keys.get(name), values[1]) if method == "setdefault" else values[1]
                else:
                    facts = unite_all([facts, *(v.all for v in values)])
            new = make_container(facts, receiver.items, tuple(keys.items()), type_name=receiver.type_name)
        else:
            return
        self._store_path(target, new)
