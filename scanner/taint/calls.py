"""Call handling: what a call returns, and what it is for the catalog.

Owns dispatching a call: to a local function's summary or class constructor, to the catalog
(sanitizers, sinks recorded for rules, sources), to registrars that make a function's parameters
sources, and otherwise to the library models (`library`).

May import: the lower layers and `catalog`, never another mixin."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

import libcst as cst
from aisec.hooks import CAST, GUARD

from .syntax import dotted, keyword_arg, positional_arg, var_path
from .units import Class, Function, SinkCall
from .values import (
    EMPTY,
    MAX_CALLABLES,
    NO_FACTS,
    Callables,
    Instance,
    Param,
    Partial,
    Site,
    Taint,
    Value,
    chosen_file,
    collect_slots,
    encode,
    join,
    join_all,
    make_container,
    replace,
)
from .vocabulary import (
    CALLBACK_RUNNERS,
    ESCAPING_FORMATTERS,
    FUNCTION_SCHEDULERS,
    PATH_TYPES,
    SINKS_RETURNING_THE_DATA,
    TASK_SCHEDULERS,
    TASK_SENDERS,
    THREAD_STARTERS,
    alternate_constructor_method,
    rendered_key,
)


class CallTransfer:
    """Call handling (mixed into `ModuleTaint`)."""

    # ----- calls -----

    def _call_names(self, call: cst.Call) -> list[str]:
        """The names a call is matched by: qualified, else as written; a method of what a
        class's alternate constructor returned (`db = SQLDatabase.from_uri(u)`; `db.run(q)`) is
        also the class's method; calling an object that a call returned (`pipe = pipeline(...)`;
        `pipe(x)`) adds `<its type>.__call__`, as does calling what a call returns at once
        (`dspy.Predict(Sig)(q=x)` is `dspy.Predict.__call__`, not the constructor)."""
        qualified = self._qualified(call.func)
        if qualified is None and type(call.func) is cst.Call:
            inner = self._call_names(call.func)
            return [f"{inner[0]}.__call__"] if inner else []
        written = None if qualified else dotted(call.func)
        names = [qualified] if qualified else ([written] if written else [])
        constructed = alternate_constructor_method(qualified)
        if constructed is not None:
            names.append(constructed)
        if (
            not names
            and isinstance(call.func, cst.Attribute)
            and isinstance(call.func.value, cst.BinaryOperation)
        ):
            names = [self._operation_name(call.func.value, call.func.attr.value)]
        value = self._bound_value(call.func)
        if value is not None and value.instance and value.type_name:
            names.append(f"{value.type_name}.__call__")
        return names

    def _operation_name(self, operation: cst.BinaryOperation, method: str) -> str:
        """A method called on an operation's result: a pipe (`(prompt | model).invoke()`)
        returns what its last step returns, and an output parser at the end
        (`(prompt | model | StrOutputParser()).invoke()`) only reshapes what the step before it
        returns; a path joined by `/` is a `Path`; anything else is matched by `*.` patterns only."""
        last = self._pipe_last(operation)
        if last:
            return f"{last}.{method}"
        value = self._values.get(id(operation))
        if value is not None and value.type_name in PATH_TYPES:  # `(root / name).read_text()`
            return f"{value.type_name}.{method}"
        return f"(...).{method}"

    def _pipe_last(self, operation: Any, resolved: bool = False) -> str:
        """The step whose result a pipe (`prompt | model | StrOutputParser()`) returns: the last
        one, before any output parser; "" for no pipe, or (`resolved`) for a step whose qualified
        name is unknown (`a | b` of two sets)."""
        if not _is_pipe(operation):
            return ""
        last = self._pipe_step(operation.right, resolved)
        while last.endswith("OutputParser"):
            if not _is_pipe(operation.left):  # `llm | parser`; a template's (`prompt | parser`) is no model's
                first = self._values.get(id(operation.left))
                return "" if first is None or first.slots else self._pipe_step(operation.left, resolved)
            operation = operation.left
            last = self._pipe_step(operation.right, resolved)
        return last

    def _pipe_step(self, step: Any, resolved: bool = False) -> str:
        """A step's name: qualified (a step built in place, `StrOutputParser()`, by its class),
        else as written unless `resolved`."""
        qualified = self._qualified(step.func if isinstance(step, cst.Call) else step)
        return qualified or ("" if resolved else dotted(step) or "")

    def _bound_value(self, node: Any) -> Value | None:
        """What a name or `self.x` is bound to, without evaluating anything."""
        if type(node) is cst.Name:
            return self._lookup(node.value)
        path = var_path(node)
        if path is None:
            return None
        value = self._unit.env.get(path)
        if value is None and type(node) is cst.Attribute and type(node.value) is cst.Name:
            owner = self._lookup(node.value.value)
            if owner is not None and isinstance(owner.ref, Instance):
                value = self._class_attribute(owner.ref.cls, node.attr.value)
        return value

    def _call(self, node: cst.Call) -> Value:
        unit_func = self._unit.func
        if self._owners.setdefault(id(node), unit_func) is not unit_func:  # evaluated by two units
            self._owners[id(node)] = unit_func
            self._owner_moved = True
        self._met.setdefault(id(node), len(self._met))  # the order calls are first met (`_step_rank`)
        func = node.func
        receiver: Value | None = None
        callee: Value | None
        if type(func) is cst.Attribute:
            receiver = self._ev(func.value)
            callee = self._member(receiver, func)
        else:
            callee = self._ev(func)
        args = [(arg, self._ev(arg.value)) for arg in node.args]
        if type(func) is cst.Attribute and _is_super(func.value) and self._lookup("super") is None:
            inherited = self._super_call(func.attr.value, args, node)
            if inherited is not None:
                return inherited
        called = (
            callee.ref.cls.method("__call__")
            if callee is not None and isinstance(callee.ref, Instance)
            else None
        )
        if called is not None:  # `summarise = Summariser(); summarise(text)` runs its `__call__`
            return self._call_local(called, args, callee, node)
        if callee is not None and callee.ref is not None and not isinstance(callee.ref, Instance):
            if isinstance(callee.ref, Class) and callee.ref.method("__init__") is None:
                # `class Briefer(Agent): ...`: `Briefer(instructions=x)` is the library's constructor
                self._record_sinks(callee.ref.all_bases(), node, args, receiver)
            return self._call_ref(callee.ref, args, receiver, node)
        foreign = self._apply_foreign(node, args, receiver) if callee is None or callee.ref is None else None
        if foreign is not None:
            return foreign
        names = self._call_names(node)
        queued = self._queued(func, receiver, args, node)
        if queued is not None:
            return queued
        called_back = self._call_back(node, args, names)
        if called_back is not None:
            return called_back
        ran = self._graph_run(node, names, args)
        if ran is not None:
            return ran
        self._graph_node(names, args)
        self._register(names, args)
        if names and names[0].endswith("ArgumentParser.add_argument"):
            self._note_argparse(node)
        if names and names[0] in ESCAPING_FORMATTERS:  # `format_html(fmt, *args)`
            self._record_sinks(names, node, args, receiver)  # the format string is HTML as written
            return self._escaping_format(node, names[0], args)
        sanitizers = self._sanitizers.match(names)
        if any(s.kind in (CAST, GUARD) for s in sanitizers):
            return EMPTY
        if sanitizers:  # an encoder: the data, marked (structure kept for `json.dumps({...})`)
            position = sanitizers[0].argument if isinstance(sanitizers[0].argument, int) else 0
            arg = positional_arg(node, position)
            value = self._values.get(id(arg.value), EMPTY) if arg is not None else EMPTY
            return encode(value, names[0])
        typed = keyword_arg(node, "type")  # `request.args.get("n", type=int)`
        if typed is not None:
            cast = self._qualified(typed.value)
            if cast and any(s.kind == CAST for s in self._sanitizers.match([cast])):
                return EMPTY
        matched = self._record_sinks(names, node, args, receiver)
        source_fact = self._source_call(node, names, args, receiver)
        if source_fact is not None:  # what a source returns is the source (an LLM call may be both)
            if receiver is not None and receiver.slots:  # `chain.invoke({...})` fills its slots too
                self._bind(node, receiver, args)
            parsed = names[0].endswith("parse_args")
            clean = self._read("argparse", None, frozenset(self._argparse_typed)) if parsed else NO_FACTS
            return Value(frozenset({source_fact}), type_name=names[0], clean_attrs=clean, instance=True)
        result = self._call_result(node, func, receiver, args, names)
        if matched:
            # A sink's result is checked where it was built: a message object is not checked again
            # in a message list, and reading a response (`.choices[0].message.content`) yields
            # model output, not the prompt's data (model output is the LLM_OUTPUT tier's business).
            sinks = [sink for sink, _ in matched]
            slots = self._template_slots(node, sinks, args, matched[0][0].label or matched[0][1])
            return Value(
                result.all,
                slots=tuple(dict.fromkeys(slots + collect_slots([v for _, v in args]))),
                checked=names[0] not in SINKS_RETURNING_THE_DATA,
                type_name=names[0] if names else None,
                ref=result.ref,  # `getattr(tools, name)` is still the methods it may return
                instance=True,
                origin=node,
            )
        key = rendered_key(receiver.type_name) if receiver is not None else None
        if key is not None and type(func) is cst.Attribute and func.attr.value in ("run", "run_async"):
            return make_container(
                NO_FACTS, None, ((key, self._rendered(self._read_template(receiver), args)),)
            )
        if receiver is not None and receiver.slots:
            if type(func) is cst.Attribute and func.attr.value in ("format", "aformat"):
                return self._rendered(receiver, args)  # a string: judged where it is sent
            # filling a template's slots (reported here); `.partial()` returns a template still,
            # anything else a filled prompt or a chain's output
            self._bind(node, receiver, args)
            if type(func) is cst.Attribute and func.attr.value == "partial":
                return replace(result, slots=receiver.slots, checked=True)
            return Value(result.all, checked=True, type_name=result.type_name, instance=True)
        slots = collect_slots([v for _, v in args])  # `LLMChain(llm=llm, prompt=prompt)`
        return replace(result, slots=slots) if slots else result

    def _record_sinks(self, names: list[str], node: cst.Call, args: list, receiver: Value | None) -> list:
        """The catalog sinks a call of one of `names` is, recorded for its flows."""
        matched = [
            m
            for m in self._sinks.match_names(names)
            if self._sink_applies(m[0], node) and not self._safe_sink_call(m[0], node)
        ]
        if matched:
            self._flow_calls[id(node)] = node
            self._sink_calls[id(node)] = SinkCall(
                [(sink, sink.label or name) for sink, name in matched], args, receiver
            )
        return matched

    def _call_ref(self, ref: Any, args: list, receiver: Value | None, node: cst.Call) -> Value:
        """A call of what a value refers to: a local function or class, each of several
        (`HANDLERS[name](**args)`), or a `functools.partial` of one."""
        if isinstance(ref, Callables):
            return join_all(self._call_local(each, args, None, node) for each in ref.refs)
        if isinstance(ref, Partial) and not isinstance(ref.func, (Function, Class)):
            return self._apply_foreign(node, [*ref.args, *args], None, ref.func) or EMPTY
        if isinstance(ref, Partial):
            return self._call_local(ref.func, [*ref.args, *args], None, node)
        return self._call_local(ref, args, receiver, node)

    def _super_call(self, method: str, args: list, node: cst.Call) -> Value | None:
        """`super().send(x)` in a method: `send` of the class's bases (of this module, else of
        another module of the project), bound to the method's own object (None: not found)."""
        cls, func = self._unit.cls, self._unit.func
        if cls is None or func is None or not func.params:
            return None
        this = self._unit.env.get(func.params[0][0])
        if this is None or not isinstance(this.ref, Instance):
            this = Value(ref=Instance(cls))
        for base in cls.local_bases:
            found = base.method(method)
            if found is not None:
                return self._call_local(found, args, this, node)
        return self._apply_foreign(node, args, this)

    def _call_back(self, node: cst.Call, args: list, names: list[str]) -> Value | None:
        """A library call that runs a local function it is given, with the other arguments
        (`asyncio.to_thread(run_sql, sql)`, `executor.submit(fn, x)`, `tasks.add_task(fn, x)`,
        `Thread(target=fn, args=(x,))`, `map(fn, items)`): the function is called with them."""
        last = (names[0] if names else "").rsplit(".", 1)[-1]
        positional = [i for i, (arg, _) in enumerate(args) if arg.keyword is None and not arg.star]
        if last in CALLBACK_RUNNERS and len(positional) > CALLBACK_RUNNERS[last]:
            at = positional[CALLBACK_RUNNERS[last]]
            if _callable(args[at][1]):
                return self._call_ref(args[at][1].ref, args[at + 1 :], None, node)
            return self._library_call_back(node, args[at][0].value, args[at + 1 :])
        if last == "map" and len(positional) >= 2 and _callable(args[positional[0]][1]):
            elements = [(args[i][0], args[i][1].element()) for i in positional[1:]]
            return make_container(
                NO_FACTS, (self._call_ref(args[positional[0]][1].ref, elements, None, node),)
            )
        if last in THREAD_STARTERS:
            target = next((v for a, v in args if a.keyword is not None and a.keyword.value == "target"), None)
            if target is not None and _callable(target):
                given = next(
                    (a for a, _ in args if a.keyword is not None and a.keyword.value == "args"), None
                )
                items = (
                    given.value.elements
                    if given is not None and isinstance(given.value, (cst.Tuple, cst.List))
                    else ()
                )
                passed = [
                    (cst.Arg(value=item.value), self._values.get(id(item.value), EMPTY)) for item in items
                ]
                self._call_ref(target.ref, passed, None, node)
        return None

    def _library_call_back(self, node: cst.Call, target: Any, args: list) -> Value | None:
        """A library function or method a runner calls with the arguments after it
        (`await asyncio.to_thread(llm.generate, prompts, params)`, `loop.run_in_executor(None,
        client.chat, ...)`): its sinks and sources, as if it were called here (None: it is
        neither, or a source judged by a static path argument, which the runner's own arguments
        would misplace)."""
        qualified = self._qualified(target)
        if not qualified:
            return None
        names = [qualified]
        if any(s.static_argument is not None for s in self._sources.match(names)):
            return None
        receiver = self._values.get(id(target.value)) if isinstance(target, cst.Attribute) else None
        matched = self._record_sinks(names, node, args, receiver)
        source_fact = self._source_call(node, names, args, receiver)
        if source_fact is not None:
            return Value(frozenset({source_fact}), type_name=qualified, instance=True)
        if matched:
            data = join_all(value for _, value in args)
            return Value(data.all, checked=True, type_name=qualified, instance=True, origin=node)
        return None

    def _queued(self, func: Any, receiver: Value | None, args: list, node: cst.Call) -> Value | None:
        """A call of a local function queued for later by a task queue or a scheduler, with the
        arguments it will get: `summarize.delay(x)`, `task.apply_async(args=(x,))`,
        `scheduler.add_job(fn, args=[x])`, `pool.apply_async(fn, args=(x,))`."""
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        if receiver is not None and isinstance(receiver.ref, Function):
            if method in TASK_SENDERS:
                return self._call_ref(receiver.ref, args, None, node)
            if method in TASK_SCHEDULERS:
                return self._call_ref(receiver.ref, _spread(args), None, node)
        first = next((value for arg, value in args if arg.keyword is None and not arg.star), None)
        if method in FUNCTION_SCHEDULERS and first is not None and _callable(first):
            return self._call_ref(first.ref, _spread(args), None, node)
        return None

    def _escaping_format(self, node: cst.Call, name: str, args: list) -> Value:
        """What an escaping formatter returns: every argument but the format string encoded by it
        (the formatter's name is the encoder, an HTML neutraliser). Data in the format string is
        reported at the formatter (a sink), and its result is checked there, as a sink's is."""
        fmt = positional_arg(node, ESCAPING_FORMATTERS[name])
        fmt = fmt or keyword_arg(node, "format_string")
        substituted = join_all([value for arg, value in args if arg is not fmt])
        written = self._values.get(id(fmt.value), EMPTY) if fmt is not None else EMPTY
        if written.all:  # reported where the format string is (a sink's result, checked there)
            return replace(join(written, Value(substituted.all)), checked=True)
        return encode(Value(substituted.all), name)  # text now, not a structure

    def _call_local(self, ref: Function | Class, args: list, receiver: Value | None, node: cst.Call) -> Value:
        """A call of a function or class of this module. A method called through an attribute
        is bound to its receiver; one taken from a dispatch table or a variable
        (`handler = self.on_message`) was bound to an instance of its class."""
        if isinstance(ref, Class):
            return self._construct(ref, args, node)
        bound: Value | None = None
        if ref.kind in ("method", "class"):
            if ref.kind == "method" and receiver is not None and isinstance(receiver.ref, Class):
                pass  # `Base.send(self, x)`: called through the class, the object is the first argument
            elif receiver is not None and isinstance(node.func, cst.Attribute):
                bound = receiver
            elif ref.cls is not None:
                bound = Value(ref=Instance(ref.cls) if ref.kind == "method" else ref.cls)
        return self._apply(ref, args, bound, node)

    def _register(self, names: list[str], args: list) -> None:
        """Functions passed to a registrar (`gr.Interface(fn=chat)`) get its parameter sources."""
        for source in self._registrars.match(names):
            for _, value in args:
                func, registered_as = value.ref, source
                if isinstance(func, Partial):  # the framework passes only what the partial leaves
                    func, registered_as = func.func, _left_by_partial(func, source)
                if not isinstance(func, Function) or registered_as is None:
                    continue
                registered = self._registered.setdefault(func.index, [])
                if not any(s is registered_as or s == registered_as for s in registered):
                    registered.append(registered_as)
                    func.initial = self._initial_parameters(func)

    def _member(self, receiver: Value, func: cst.Attribute) -> Value | None:
        """A method of a local class, looked up through the receiver."""
        attr = func.attr.value
        if isinstance(receiver.ref, Instance):
            method = receiver.ref.cls.method(attr)
            if method is not None and isinstance(func.value, cst.Name) and func.value.value == "self":
                return Value(ref=self._overridable(receiver.ref.cls, method, attr))
            return Value(ref=method) if method is not None else None
        if isinstance(receiver.ref, Class):
            method = receiver.ref.method(attr)
            return Value(ref=method) if method is not None else None
        keyed = receiver.key(attr)
        return keyed if keyed is not None and keyed.ref is not None else None

    def _overridable(self, cls: Any, method: Function, attr: str) -> Any:
        """What `self.<attr>()` in a method of `cls` may run: the method it finds, or the override
        of a local subclass whose instance runs the inherited method (`Reviewer.run` calling
        `self.guidance()` runs `CustomReviewer.guidance` for a `CustomReviewer`)."""
        overrides = [
            sub.methods[attr]
            for sub in self._classes.values()
            if sub is not cls and attr in sub.methods and _derives(sub, cls)
        ]
        if not overrides or len(overrides) >= MAX_CALLABLES:
            return method
        return Callables((method, *overrides))

    def _source_call(
        self, node: cst.Call, names: list[str], args: list, receiver: Value | None
    ) -> Taint | None:
        for source in self._scoped(self._sources.match(names), node):
            if source.kind == "attribute":
                continue
            cond: frozenset = NO_FACTS
            if source.static_argument is not None:
                if source.static_argument == "self":
                    value = receiver
                elif isinstance(source.static_argument, int):
                    arg = positional_arg(node, source.static_argument)
                    value = self._values.get(id(arg.value)) if arg is not None else None
                else:
                    arg = keyword_arg(node, source.static_argument)
                    value = self._values.get(id(arg.value)) if arg is not None else None
                chosen = chosen_file(value) if value is not None else None
                if chosen is None and (
                    value is None or not any(isinstance(f, (Taint, Param)) for f in value.all)
                ):
                    continue  # a constant path, or one that only names a file (`FileName`)
                if not any(isinstance(f, Taint) for f in value.all) and (chosen is None or chosen.cond):
                    cond = frozenset((f.func, f.index) for f in value.all if isinstance(f, Param))
                    cond |= chosen.cond if chosen is not None else NO_FACTS
            return Taint(Site(source.tier, source.label, node), cond=cond)
        return None

    def _scoped(self, sources: tuple | list, call: cst.Call | None = None) -> tuple | list:
        """`sources` whose `within` (and, for a call, `matching`) holds here, those with either
        first (they are the more specific reading of the same call)."""
        if any(source.matching for source in sources):
            matched = [
                s for s in sources if s.matching and call is not None and self._argument_matches(s, call)
            ]
            sources = matched + [s for s in sources if not s.matching]
        scoped = [source for source in sources if source.within]
        if not scoped:
            return sources
        cls, func = self._unit.cls, self._unit.func
        while cls is None and func is not None:  # a function nested in a method
            cls, func = func.cls, func.parent
        bases = cls.all_bases() if cls is not None else ()
        held = [s for s in scoped if any(fnmatchcase(base, p) for base in bases for p in s.within)]
        return held + [source for source in sources if not source.within]

    def _source_fact(self, node: Any, name: str, kind: str) -> Taint | None:
        for source in self._scoped(self._sources.match([name])):
            if source.kind in (kind, "any"):
                return Taint(Site(source.tier, source.label, node))
        return None

    def _note_argparse(self, node: cst.Call) -> None:
        """argparse options with `type=int`, `choices=` or a flag action never hold free text."""
        typed = False
        for arg in node.args:
            if arg.keyword is None:
                continue
            name = arg.keyword.value
            if name == "choices":
                typed = True
            elif name == "type":
                cast = self._qualified(arg.value)
                typed = typed or bool(cast and any(s.kind == CAST for s in self._sanitizers.match([cast])))
            elif name == "action" and self._literal(arg.value) in (
                "store_true",
                "store_false",
                "count",
                "store_const",
            ):
                typed = True
        if not typed:
            return
        dest = next(
            (self._literal(a.value) for a in node.args if a.keyword and a.keyword.value == "dest"), None
        )
        if dest is None:
            flags = [self._literal(a.value) for a in node.args if a.keyword is None]
            longs = [f for f in flags if f and f.startswith("--")]
            chosen = longs[0] if longs else (flags[0] if flags and flags[0] else None)
            if chosen:
                dest = chosen.lstrip("-").replace("-", "_")
        if dest:
            self._argparse_typed.add(dest)


def _callable(value: Value) -> bool:
    return isinstance(value.ref, (Function, Class, Callables, Partial))


def _spread(args: list) -> list:
    """The arguments a scheduler passes on from its `args=` sequence and `kwargs=` mapping, as
    `*args` and `**kwargs` of a direct call."""
    spread = []
    for arg, value in args:
        keyword = arg.keyword.value if arg.keyword is not None else None
        if keyword in ("args", "kwargs"):
            spread.append((cst.Arg(value=arg.value, star="*" if keyword == "args" else "**"), value))
    return spread


def _is_super(node: Any) -> bool:
    return type(node) is cst.Call and type(node.func) is cst.Name and node.func.value == "super"


def _is_pipe(node: Any) -> bool:
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr)


def _left_by_partial(partial: Partial, source: Any) -> Any:
    """`btn.click(functools.partial(summarise, 60), ...)`: the parameter source for the parameters
    the partial leaves to the caller (None when it binds them all)."""
    func = partial.func
    if not isinstance(func, Function):
        return None
    positional = [name for name, kind, _ in func.params if kind == "pos"]
    bound = {arg.keyword.value for arg, _ in partial.args if arg.keyword is not None}
    bound |= set(positional[: sum(1 for arg, _ in partial.args if arg.keyword is None and not arg.star)])
    left = tuple(
        name
        for name, kind, _ in func.params
        if name not in bound and kind in ("pos", "kw") and (not source.params or name in source.params)
    )
    return replace(source, params=left) if left else None


def _derives(sub: Any, cls: Any) -> bool:
    """Whether local class `sub` derives from local class `cls`, directly or not."""
    pending, seen = list(sub.local_bases), set()
    while pending:
        base = pending.pop()
        if base is cls:
            return True
        if id(base) not in seen:
            seen.add(id(base))
            pending.extend(base.local_bases)
    return False
