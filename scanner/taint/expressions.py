"""Expression transfer functions: the abstract value of each expression.

Owns names and attributes (including sources read as attributes), subscripts, literals, f-strings
and splicing (data next to constant instruction words), operators, containers and
comprehensions. Every evaluated node's value is recorded in `_values` for rules to ask about.
Calls are evaluated by `calls`.

May import: the lower layers, never another mixin."""

from __future__ import annotations

from typing import Any, Sequence

import libcst as cst
from aisec.hooks import INDIRECT, LLM_OUTPUT

from .syntax import const_string, dotted, element_path, var_path
from .units import Class, declared_field_type, inherited
from .values import (
    EMPTY,
    NO_FACTS,
    PROJECT_VALUE,
    SPLICE_WORDS,
    FileName,
    Instance,
    Param,
    Taint,
    Value,
    collect,
    encode,
    join,
    make_container,
    map_facts,
    mark_encoded,
    mark_spliced,
    opaque,
    readable,
    replace,
    text_value,
    unite,
    unite_all,
)
from .vocabulary import (
    MARKUP_TYPES,
    OUTPUT_SCHEMA_KEYWORDS,
    PATH_TYPES,
    SHARED_STORES,
    imported_constant_words,
)


class ExpressionTransfer:
    """Expression transfer functions (mixed into `ModuleTaint`)."""

    # ----- expressions -----

    def _ev(self, node: Any) -> Value:
        """The value of `node`, recorded for rules to ask about (`EXPRESSIONS` evaluates each type;
        about 300,000 calls on a langchain scan, so no other call in between)."""
        handler = EXPRESSIONS.get(type(node))
        try:
            value = handler(self, node) if handler is not None else EMPTY
        except RecursionError:
            value = EMPTY
        self._values[id(node)] = value
        return value

    def _literal(self, node: Any) -> str | None:
        """`const_string`, cached: evaluating a literal parses it, and every round asks again."""
        if not isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            return None
        key = id(node)
        if key in self._strings:
            return self._strings[key]
        text = self._strings[key] = const_string(node)
        return text

    def _string(self, node: Any) -> Value:
        text = self._literal(node)
        if type(node) is cst.ConcatenatedString:
            left, right = self._ev(node.left), self._ev(node.right)
            if text is None:  # an f-string among the parts
                return self._splice([left, right])
        return text_value(text) if text is not None else EMPTY

    def _binary_expr(self, node: cst.BinaryOperation) -> Value:
        return self._binary(node.operator, self._ev(node.left), self._ev(node.right), node)

    def _boolean(self, node: cst.BooleanOperation) -> Value:
        return join(self._ev(node.left), self._ev(node.right))

    def _unary(self, node: cst.UnaryOperation) -> Value:
        inner = self._ev(node.expression)
        return EMPTY if isinstance(node.operator, cst.Not) else opaque(inner)

    def _comparison(self, node: cst.Comparison) -> Value:
        self._ev(node.left)
        for comparison in node.comparisons:
            self._ev(comparison.comparator)
        return EMPTY

    def _if_expression(self, node: cst.IfExp) -> Value:
        true_env, false_env = self._narrow(node.test, self._unit.env)
        saved = self._unit.env
        self._unit.env = true_env
        body = self._ev(node.body)
        self._unit.env = false_env
        orelse = self._ev(node.orelse)
        self._unit.env = saved
        return join(body, orelse)

    def _named(self, node: cst.NamedExpr) -> Value:
        value = self._ev(node.value)
        self._assign(node.target, value)
        return value

    def _yield(self, node: cst.Yield) -> Value:
        """What a generator yields is what it returns, item by item (`"\\n".join(build(q))`,
        `async for chunk in stream_text()`, a `@contextmanager`'s `with ... as value`)."""
        if node.value is None:
            return EMPTY
        if isinstance(node.value, cst.From):
            value = self._ev(node.value.item).element()
        else:
            value = self._ev(node.value)
        if self._unit.func is not None:
            yields = self._unit.yields
            yields[id(node)] = join(yields.get(id(node)), value)
        return EMPTY

    def _name(self, node: cst.Name) -> Value:
        name = node.value
        if name in ("True", "False", "None", "__name__"):
            return EMPTY
        if name == "__file__":
            return PROJECT_VALUE
        value = self._lookup(name)
        if value is not None:
            return value
        qualified = self._qualified(node)
        if qualified in SHARED_STORES:
            shared = self._shared_store(qualified)
            if shared is not None:
                return shared
        if qualified:
            fact = self._source_fact(node, qualified, "attribute")
            if fact is not None:
                return Value(frozenset({fact}), type_name=qualified)
            return Value(
                type_name=qualified, words=self._foreign_words(node) or imported_constant_words(qualified)
            )
        words = self._foreign_words(node)  # `from .prompts import SYSTEM`
        if words:
            return Value(words=words)
        fact = self._source_fact(node, name, "attribute")  # a name nothing binds, as written
        return Value(frozenset({fact})) if fact is not None else EMPTY

    def _attribute(self, node: cst.Attribute) -> Value:
        path = var_path(node)
        if path:
            value = self._unit.env.get(path)
            if value is None:
                for env in self._unit.outer:
                    value = env.get(path)
                    if value is not None:
                        break
            if value is not None:
                self._ev(node.value)
                return value
        qualified = self._qualified(node)
        base = readable(self._ev(node.value))
        attr = node.attr.value
        if qualified:
            fact = self._source_fact(node, qualified, "attribute")
            if fact is not None:
                return Value(frozenset({fact}), type_name=qualified)
        elif base.type_name is None:
            written = dotted(node)
            if written:
                fact = self._source_fact(node, written, "attribute")
                if fact is not None:
                    return Value(frozenset({fact}))
        schema = self._output_schema(base)
        if schema is not None and declared_field_type(schema, attr) is False:
            return Value(type_name=inherited(schema, "field_type_names").get(attr))
        if isinstance(base.ref, Instance):
            cls = base.ref.cls
            if attr == "cleaned_data" and base.facts:
                self._read_constants(cls)
                split = _form_fields(cls, base.facts)
                if split is not None:
                    return split
            field_type = declared_field_type(cls, attr)
            if field_type is False:  # no text, but its declared library type names calls on it
                return Value(type_name=inherited(cls, "field_type_names").get(attr))
            keyed = base.key(attr)
            if keyed is not None:
                return keyed
            if field_type and base.facts:  # a declared field of an instance built from data
                nested = inherited(cls, "field_classes").get(attr)  # a nested model: its fields typed too
                own = Value(  # not its other fields
                    base.facts,
                    words=base.words,
                    type_name=qualified,
                    ref=Instance(nested) if nested is not None else None,
                )
                stored = self._class_attribute(cls, attr)  # and what the module writes into it
                return join(own, stored) if stored is not None else own
            stored = self._class_attribute(cls, attr)
            if stored is not None:
                return stored
            method = cls.method(attr)
            if method is not None:
                return Value(ref=method)
            return opaque(base, type_name=qualified) if base.all else Value(type_name=qualified)
        if isinstance(base.ref, Class):
            constant = self._read("constants", base.ref, base.ref.constants).get(attr)
            if constant is not None:
                return constant
            method = base.ref.method(attr)
            if method is not None:
                return Value(ref=method)
            return Value(type_name=qualified)
        keyed = base.key(attr)
        if keyed is not None:
            return keyed
        if attr in base.clean_attrs:
            return EMPTY
        if not base.all:
            words = 0
            if base.ref is None and not base.instance:
                words = self._foreign_words(node) or imported_constant_words(qualified)
            return Value(type_name=qualified, words=words)
        return opaque(base, type_name=qualified)

    def _output_schema(self, value: Value) -> Class | None:
        """The module's class a model was told to answer with, when `value` is only such answers
        (`create(response_model=Grade)`, `parse(response_format=Grade)`, `responses.parse(
        text_format=Grade)`, `llm.with_structured_output(Grade).invoke()`, a pydantic-ai
        `Agent(output_type=Grade)`'s run): the SDK validated the reply against it, so a field it
        declares as an enum, a `Literal`, a number or a flag holds no text the model chose."""
        schemas = set()
        for fact in value.all:
            if not isinstance(fact, Taint) or fact.site.tier != LLM_OUTPUT:
                return None
            schema = self._schema_of(fact.site.node)
            if schema is None:
                return None
            schemas.add(schema)
        return schemas.pop() if len(schemas) == 1 else None

    def _schema_of(self, call: Any) -> Class | None:
        """The output class named by a model call, by the structured-output runnable it is called
        on, or by the constructor of the agent it is called on (when that is known)."""
        if not isinstance(call, cst.Call):
            return None
        named = [arg for arg in call.args if arg.keyword is not None]
        if isinstance(call.func, cst.Attribute):
            receiver = call.func.value
            if isinstance(receiver, cst.Call) and (dotted(receiver.func) or "").endswith(
                ".with_structured_output"
            ):
                named += receiver.args[:1]
            bound = self._values.get(id(receiver))
            if bound is not None and isinstance(bound.origin, cst.Call):
                named += [arg for arg in bound.origin.args if arg.keyword is not None]
        for arg in named:
            if arg.keyword is None or arg.keyword.value in OUTPUT_SCHEMA_KEYWORDS:
                found = self._values.get(id(arg.value))
                if found is not None and isinstance(found.ref, Class) and not found.ref.is_enum:
                    return found.ref
        return None

    def _read_constants(self, cls: Class) -> None:
        """The class-body constants of `cls` and of its local bases, noted as read (`_read`)."""
        self._read("constants", cls, cls.constants)
        for base in cls.local_bases:
            self._read_constants(base)

    def _class_attribute(self, cls: Class, attr: str) -> Value | None:
        key = (id(cls.node), attr)
        current = self._round_attrs.get(key)
        value = with_round_writes(self._class_attrs.get(key), current)
        self._attribute_reads.append((key, current, value, self._unit.func))  # for `_round_repeats`
        if value is None:
            value = self._read("constants", cls, cls.constants).get(attr)
        if value is None:
            for base in cls.local_bases:
                value = self._class_attribute(base, attr)
                if value is not None:
                    break
        return value

    def _subscript(self, node: cst.Subscript) -> Value:
        base = readable(self._ev(node.value))
        checked = self._unit.env.get(element_path(node) or "")  # `argv[0]` after a guard on it
        if checked is not None:
            return checked
        key: Any = None
        for element in node.slice:
            inner = element.slice
            if isinstance(inner, cst.Index):
                self._ev(inner.value)
                key = self._literal(inner.value)
                if key is None and isinstance(inner.value, cst.Integer):
                    key = int(inner.value.value, 0)
                elif (
                    key is None
                    and isinstance(inner.value, cst.UnaryOperation)
                    and isinstance(inner.value.expression, cst.Integer)
                ):
                    key = -int(inner.value.expression.value, 0)
            else:
                for part in (inner.lower, inner.upper, inner.step):
                    if part is not None:
                        self._ev(part)
                return self._refine(
                    make_container(base.facts, base.items[:] if base.items is not None else None),
                    node.value,
                    node,
                )
        if len(node.slice) != 1:
            key = None
        if isinstance(key, str) and base.keys is not None:
            found = base.key(key)
            if found is not None:
                return found
        if isinstance(key, str) and base.keys is None and base.items is None:
            # `state["persona"]` of a parameter: that entry of what each caller passes
            return self._refine(Value(collect([_entry_of(f, key) for f in base.facts])), node.value, node)
        if isinstance(key, int) and base.items is not None and -len(base.items) <= key < len(base.items):
            return join(base.items[key], Value(base.facts)) if base.facts else base.items[key]
        if key is None and len(node.slice) == 1 and base.keys is not None:
            index = getattr(node.slice[0].slice, "value", None)
            entries = self._entries_starting(base, index)  # `TOOLS[f"tool_{name}"]`
            if entries is not None:
                return self._refine(entries, node.value, node)
        return self._refine(base.element(), node.value, node)

    def _refine(self, value: Value, inner: Any, outer: Any) -> Value:
        """`request.form` -> `request.form["bio"]`: name the source by the expression that reads it."""
        if not value.facts:
            return value
        changed = False
        facts = []
        for fact in value.facts:
            if isinstance(fact, Taint) and fact.site.node is inner and fact.site.text is None:
                fact = replace(fact, site=replace(fact.site, node=outer))
                changed = True
            facts.append(fact)
        return replace(value, facts=collect(facts)) if changed else value

    def _fstring(self, node: cst.FormattedString) -> Value:
        parts: list[Value] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(text_value(part.value))
            elif isinstance(part, cst.FormattedStringExpression):
                value = self._ev(part.expression)
                if part.conversion == "r":
                    value = map_facts(value, lambda f: mark_encoded(f, "repr"))
                parts.append(opaque(value) if value.items is not None or value.keys is not None else value)
        return self._splice(parts)

    def _splice(self, parts: Sequence[Value]) -> Value:
        """Strings joined into one: data next to enough constant words becomes `spliced`."""
        facts: frozenset = NO_FACTS
        words = 0
        consts: list[str] | None = []
        for part in parts:
            facts = unite(facts, part.all)
            words += part.words
            if consts is not None and part.const is not None:
                consts.append(part.const)
            else:
                consts = None
        if facts and words >= SPLICE_WORDS:
            facts = collect([mark_spliced(f) for f in facts])
        return Value(facts, const="".join(consts) if consts is not None else None, words=words)

    def _markup_filled(self, markup: Value, operands: Sequence[Value]) -> Value:
        """A `Markup` formatted, concatenated or joined with `operands`: markupsafe escapes each
        of them, so their data is HTML-escaped; the `Markup`'s own text is kept as it was (a
        `Markup(output)` was judged where it was built)."""
        escaped = [encode(Value(operand.all), "markupsafe.Markup.escape") for operand in operands]
        own = readable(markup)
        return Value(
            unite_all([own.all, *(value.all for value in escaped)]),
            type_name=markup.type_name,
            instance=True,
        )

    def _binary(self, operator: Any, left: Value, right: Value, node: Any) -> Value:
        if isinstance(operator, (cst.Modulo, cst.ModuloAssign, cst.Add, cst.AddAssign)):
            if left.type_name in MARKUP_TYPES:  # `Markup("<p>%s</p>") % x`, `Markup("<b>") + x`
                return self._markup_filled(left, [right])
            if isinstance(operator, cst.Add) and right.type_name in MARKUP_TYPES:  # `Markup.__radd__`
                return self._markup_filled(right, [left])
        if isinstance(operator, (cst.Add, cst.AddAssign)):
            if left.items is None and right.items is not None:
                # `(fields + ["", ""])[:3]`: the known elements follow an unknown number of others
                return Value(unite(left.all, right.all))
            if left.items is not None or right.items is not None:
                items = left.items + (right.items or ())  # type: ignore[operator]
                return make_container(unite(left.facts, right.facts), items)
            return self._splice([left, right])
        if isinstance(operator, cst.Modulo) and left.all and not left.checked and _formatted_with(right):
            self._format_string(node, left)  # the data is the printf-style format string
        if isinstance(operator, (cst.Modulo, cst.ModuloAssign)) and (left.const is not None or left.words):
            return self._splice([left, *(right.items if right.items is not None else (right,))])
        if isinstance(operator, (cst.BitOr, cst.BitOrAssign)):
            keys = None
            if left.keys is not None and right.keys is not None:
                keys = tuple({**dict(left.keys), **dict(right.keys)}.items())
            # a pipe bound to a name (`chain = llm | StrOutputParser()`) is called as the step
            # whose result it returns, as `(llm | StrOutputParser()).invoke(...)` written in place
            last = self._pipe_last(node, resolved=True) if isinstance(operator, cst.BitOr) else ""
            return make_container(
                unite(left.facts, right.facts) if keys is not None else unite(left.all, right.all),
                None,
                keys,
                slots=tuple(dict.fromkeys(left.slots + right.slots)),
                type_name=last or None,
            )
        if isinstance(operator, cst.Divide) and right.const is not None and _path_like(left):
            joined = self._joined(node.left, left, right.const, right.all, "pathlib.Path")
            if joined is not None:
                return joined
        if isinstance(operator, cst.Divide) and _path_typed(left):  # `root / name`: still a `Path`
            return Value(unite(left.all, right.all), type_name="pathlib.Path", instance=True)
        return Value(unite(left.all, right.all))

    def _sequence(self, elements: Sequence[Any]) -> Value:
        items: list[Value] = []
        facts: frozenset = NO_FACTS
        for element in elements:
            value = self._ev(element.value)
            if isinstance(element, cst.StarredElement):
                if value.items is not None:
                    items.extend(value.items)
                    facts = unite(facts, value.facts)
                else:
                    facts = unite(facts, value.all)
            else:
                items.append(value)
        return make_container(facts, tuple(items))

    def _dict(self, node: cst.Dict) -> Value:
        keys: dict[str, Value] = {}
        facts: frozenset = NO_FACTS
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                value = self._ev(element.value)
                if value.keys is not None:
                    keys.update(value.keys)
                    facts = unite(facts, value.facts)
                else:
                    facts = unite(facts, value.all)
                continue
            key_value = self._ev(element.key)
            value = self._ev(element.value)
            name = self._literal(element.key)
            if name is not None:
                keys[name] = value
            else:
                facts = unite_all([facts, key_value.all, value.all])
        return make_container(facts, None, tuple(keys.items()), origin=node if "role" in keys else None)

    def _comprehension(self, node: Any, elt: Any) -> Value:
        saved = self._unit.env
        self._unit.env = dict(saved)
        try:
            clause = node.for_in
            while clause is not None:
                iterable = self._ev(clause.iter)
                self._assign(clause.target, iterable.element())
                for condition in clause.ifs:
                    self._unit.env, _ = self._narrow(condition.test, self._unit.env)
                clause = clause.inner_for_in
            if elt is None:
                key, value = self._ev(node.key), self._ev(node.value)
                return Value(unite(key.all, value.all))
            return make_container(NO_FACTS, (self._ev(elt),))
        finally:
            self._unit.env = saved


EXPRESSIONS: dict[type, Any] = {
    cst.SimpleString: ExpressionTransfer._string,
    cst.ConcatenatedString: ExpressionTransfer._string,
    cst.FormattedString: ExpressionTransfer._fstring,
    cst.Name: ExpressionTransfer._name,
    cst.Attribute: ExpressionTransfer._attribute,
    cst.Subscript: ExpressionTransfer._subscript,
    cst.Call: lambda self, node: self._call(node),
    cst.BinaryOperation: ExpressionTransfer._binary_expr,
    cst.BooleanOperation: ExpressionTransfer._boolean,
    cst.UnaryOperation: ExpressionTransfer._unary,
    cst.Comparison: ExpressionTransfer._comparison,
    cst.IfExp: ExpressionTransfer._if_expression,
    cst.List: lambda self, node: self._sequence(node.elements),
    cst.Tuple: lambda self, node: self._sequence(node.elements),
    cst.Set: lambda self, node: self._sequence(node.elements),
    cst.Dict: ExpressionTransfer._dict,
    cst.ListComp: lambda self, node: self._comprehension(node, node.elt),
    cst.SetComp: lambda self, node: self._comprehension(node, node.elt),
    cst.GeneratorExp: lambda self, node: self._comprehension(node, node.elt),
    cst.DictComp: lambda self, node: self._comprehension(node, None),
    cst.Await: lambda self, node: self._ev(node.expression),
    cst.NamedExpr: ExpressionTransfer._named,
    cst.Yield: ExpressionTransfer._yield,
    cst.StarredElement: lambda self, node: self._ev(node.value),
    cst.Lambda: lambda self, node: self._define_lambda(node),
}
"""How each expression type is evaluated (others hold no data: numbers, ...)."""


def _formatted_with(right: Value) -> bool:
    """`left % right` formats a string: `right` is a tuple, a dict or text (a number, the
    usual right operand of arithmetic `%`, is none of these)."""
    return right.items is not None or right.keys is not None or right.const is not None or bool(right.all)


def _path_like(value: Value) -> bool:
    """A `Path` object or a value naming a file: `/` joins it with a constant part."""
    return value.type_name in PATH_TYPES or any(isinstance(f, FileName) for f in value.all)


_PATH_METHODS = frozenset(
    {"resolve", "absolute", "expanduser", "parent", "joinpath", "with_name", "with_suffix"}
)


def _path_typed(value: Value) -> bool:
    """A `Path` object, also one a path method returned (`Path(root).resolve()`)."""
    name = value.type_name or ""
    return _path_like(value) or any(name == f"{path}.{m}" for path in PATH_TYPES for m in _PATH_METHODS)


def _entry_of(fact: Any, key: str) -> Any:
    """A parameter's placeholder narrowed to one entry of it (once: deeper entries keep the first)."""
    if isinstance(fact, Param) and fact.key is None and not fact.spliced and not fact.encoded:
        return replace(fact, key=key)
    return fact


_FILE_FIELDS = frozenset({"django.forms.FileField", "django.forms.ImageField"})
_FORM_BASES = (
    "django.forms.Form",
    "django.forms.ModelForm",
    "django.forms.forms.Form",
    "django.forms.models.ModelForm",
)


def with_round_writes(stored: Value | None, current: Value | None) -> Value | None:
    """A `self` attribute as a read sees it: what the earlier rounds stored, joined with what
    this round wrote so far."""
    if current is None:
        return stored
    return join(stored, current) if stored is not None else current


def _form_fields(cls: Class, facts: frozenset) -> Value | None:
    """`form.cleaned_data` of a local Django form built from the request's data and files
    (`ReplyForm(request.POST, request.FILES)`): a declared file field holds the uploaded file
    (the files' indirect content), any other declared field the posted data; a name the class
    does not declare (a `ModelForm`'s model fields) may hold either. None for another class,
    or a form built from data of one tier only."""
    if not any(base in _FORM_BASES for base in cls.all_bases()):
        return None
    tainted = [f for f in facts if isinstance(f, Taint)]
    uploaded = frozenset(f for f in tainted if f.site.tier == INDIRECT)
    posted = frozenset(f for f in facts if f not in uploaded)
    if not uploaded or not any(isinstance(f, Taint) for f in posted):
        return None
    keys = tuple(
        (name, Value(uploaded if value.type_name in _FILE_FIELDS else posted))
        for name, value in inherited(cls, "constants").items()
        if value.type_name and value.type_name.startswith("django.forms.")
    )
    return make_container(facts, None, keys)
