"""Sink flows: which data reaches which role of a sink call.

Owns selecting a sink's arguments (position, keyword, `**kwargs`, a key path), and classifying
what each carries: instructions, a user turn, template text, a whole message list, a message whose
role the data decides.

May import: the lower layers, never another mixin."""

from __future__ import annotations

from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import Any

import libcst as cst
from aisec.hooks import INPUT, INSTRUCTION, MESSAGE, MESSAGES, TEMPLATE, USER, Sink, SinkArgument

from .messages import classify_role, message_parts, role_of
from .syntax import const_string, dotted, keyword_arg, locate, positional_arg
from .values import Param, Taint, Value, map_facts, read_document, through
from .vocabulary import PLACEHOLDER_ROLES


class SinkFlows:
    """Sink flows (mixed into `ModuleTaint`)."""

    # ----- sink flows -----

    def _safe_sink_call(self, sink: Sink, call: cst.Call) -> bool:
        """Whether an argument of `call` has one of the values that make it safe (`Sink.unless`):
        `yaml.load(text, Loader=yaml.SafeLoader)` is no deserialization sink."""
        for safe in sink.unless:
            arg = keyword_arg(call, safe.keyword)
            if arg is None and safe.position is not None:
                arg = positional_arg(call, safe.position)
            if arg is None:
                continue
            name = self._qualified(arg.value) or dotted(arg.value)
            text = const_string(arg.value)
            if any((name is not None and fnmatchcase(name, value)) or text == value for value in safe.values):
                return True
        return False

    @staticmethod
    def _sink_applies(sink: Sink, call: cst.Call) -> bool:
        """Whether `call` can pass anything the sink reads. A library-wide pattern for one keyword
        (`llama_index.*` with `system_prompt=`) also matches every other call of the library:
        `QA_TEMPLATE.format(query_str=q)` passes no `system_prompt`, so it is no sink call and
        keeps its own meaning (a template rendered to a prompt)."""
        if not sink.arguments or any(arg.star for arg in call.args):
            return True
        return any(
            argument.receiver
            or (argument.keyword is None and argument.position is None)
            or (argument.keyword is not None and keyword_arg(call, argument.keyword) is not None)
            or (argument.position is not None and positional_arg(call, argument.position) is not None)
            for argument in sink.arguments
        )

    def _sink_arguments(
        self, call: cst.Call, args: list, argument: SinkArgument
    ) -> list[tuple[Any, Value, str]]:
        """(node, value, description) of the arguments a SinkArgument names, `path` followed."""
        found: list[tuple[Any, Value, str]] = []
        if argument.receiver:
            record = self._sink_calls.get(id(call))
            receiver = record.receiver if record is not None else None
            if receiver is not None and isinstance(call.func, cst.Attribute):
                found.append((call.func.value, receiver, "the receiver"))
        elif argument.keyword is None and argument.position is None:
            for index, (arg, value) in enumerate(args):
                what = f"`{arg.keyword.value}=`" if arg.keyword is not None else f"argument {index + 1}"
                found.append((arg.value, value, what))
        else:
            hit = None
            if argument.keyword is not None:
                hit = next(
                    (
                        (a, v)
                        for a, v in args
                        if a.keyword is not None and a.keyword.value == argument.keyword
                    ),
                    None,
                )
            if hit is None and argument.position is not None:
                position = 0
                for arg, value in args:
                    if arg.keyword is not None or arg.star == "**":
                        continue
                    if arg.star == "*":
                        break
                    if position == argument.position:
                        hit = (arg, value)
                        break
                    position += 1
            if hit is not None:
                what = f"`{argument.keyword}=`" if argument.keyword else f"argument {argument.position + 1}"  # type: ignore[operator]
                found.append((hit[0].value, hit[1], what))
            elif argument.keyword is not None:
                for arg, value in args:
                    if arg.star == "**":
                        keyed = value.key(argument.keyword)
                        if keyed is not None:
                            found.append((arg.value, keyed, f"`{argument.keyword}=`"))
                        else:  # a `**kwargs` parameter's entry is its callers' (`_spread_params`)
                            facts = frozenset(f for f in value.facts if not self._spread_param(f))
                            if facts:
                                found.append((arg.value, Value(facts), f"`{argument.keyword}=`"))
        if not argument.path:
            return found
        descended = []
        for node, value, what in found:
            current: Value | None = value
            for key in argument.path:
                current = current.key(key) if current is not None else None
            if current is not None:
                current = map_facts(current, read_document)
                descended.append(
                    (locate(node, argument.path), current, f"`{'.'.join(argument.path)}` in {what}")
                )
            elif value.facts and not value.checked:  # a dict from the data: it may set the key
                descended.append((node, Value(value.facts), f"`{'.'.join(argument.path)}` in {what}"))
            elif value.checked and value.all and value.origin is not None:
                # a config object built earlier (`GenerateContentConfig(system_instruction=x)`),
                # checked where it was built: this call is where it is sent
                self._sent_messages.setdefault(id(value.origin), locate(node, argument.path))
        return descended

    def _dispatch(
        self, ctx: FlowContext, role: str, value: Value, node: Any, what: str, template: bool
    ) -> None:
        if not value.all or value.checked:  # a sink's result was checked where it was built
            return
        if role in (MESSAGES, INPUT):
            self._messages(ctx, role, value, node, (), template)
            return
        if role == MESSAGE:
            self._call_message(ctx, value, node, what)
            return
        if template and role == USER:
            role = TEMPLATE
        elif template and role == INSTRUCTION:  # a system template: instructions, and a template too
            self._dispatch(ctx, TEMPLATE, value, node, what, False)
        target = f"{what} of `{ctx.label}`"
        message_role = ctx.argument.message_role if ctx.argument is not None else None
        if message_role:
            target = f"{classify_role(message_role)[1]} ({what}) of `{ctx.label}`"
        elif role == INSTRUCTION:
            target = f"the instructions ({what}) of `{ctx.label}`"
        elif role == TEMPLATE:
            target = f"the template text ({what}) of `{ctx.label}`"
        ctx.add(role, target, node, value.all, message_role)

    # ----- message lists and prompts passed whole into a helper -----

    def _whole_params(self) -> dict[tuple[int, int], list[WholeParam]]:
        """Parameters a function passes whole to a message-list or prompt argument of a sink
        (`def ask(messages): client.chat.completions.create(messages=messages)`), directly or
        through other functions of the module: (function, parameter) -> the sink arguments.

        At the sink the parameter has no structure, so nothing can say which of its messages is
        a system one; each call of the function classifies its own argument (`_whole_flows`)."""
        found: dict[tuple[int, int], list[WholeParam]] | None = getattr(self, "_whole", None)
        if found is not None:
            return found
        found = self._whole = {}
        self._whole_sites: dict[int, list] = {}  # call -> (function, its arguments) of the calls below
        self._whole_sinks: dict[tuple[int, int], Any] = {}  # (call, argument there) -> the helper's sink
        work: list[tuple[tuple[int, int], WholeParam]] = []
        for call_id, record in self._sink_calls.items():
            for sink, label in record.sinks:
                for argument in sink.arguments:
                    if argument.role not in (MESSAGES, INPUT):
                        continue
                    for node, value, what in self._sink_arguments(
                        self._flow_calls[call_id], record.args, argument
                    ):
                        whole = WholeParam(argument.role, argument.template, sink, label, what, node=node)
                        work += [(key, whole) for key in _whole(value)]
                work += self._spread_params(self._flow_calls[call_id], record.args, sink, label)
        for entries in self._foreign_flows.values():  # passed whole to another module's helper
            for entry, _, _, value, node in entries:
                if entry.role in (MESSAGES, INPUT):
                    whole = WholeParam(entry.role, False, entry.sink, entry.target, "", node, entry.steps)
                    work += [(key, whole) for key in _whole(value)]
        while work:
            key, whole = work.pop()
            if whole in found.setdefault(key, []):
                continue
            found[key].append(whole)
            for call, mapping in self._sites.get(key[0], ()):
                self._flow_calls[id(call)] = call
                sites = self._whole_sites.setdefault(id(call), [])
                if not any(mapping is m for _, m in sites):
                    sites.append((key[0], mapping))
                passed = mapping.get(key[1])
                argument = _keyed_argument(passed, whole)
                # once the entry is found, the caller's own argument is what the sink receives whole
                onward = whole if argument is passed else replace(whole, key=None)
                work += [(outer, onward) for outer in _whole(argument)] if argument is not None else []
        return found

    def _spread_param(self, fact: Any) -> bool:
        """A `**kwargs` parameter passed on whole (`create(model=m, **kwargs)`)."""
        return _passed_whole(fact) and self._function_list[fact.func].params[fact.index][1] == "dstar"

    def _spread_params(
        self, call: cst.Call, args: list, sink: Sink, label: str
    ) -> list[tuple[tuple[int, int], WholeParam]]:
        """`def ask(**kwargs): create(model=m, **kwargs)`: a sink keyword the call does not spell is
        an entry of the `**` parameter, so what each caller passes for it reaches the sink, classified
        there (its messages by role; data in `system=` as instructions, in `messages=` as a user turn)."""
        spread = [(arg.value, value) for arg, value in args if arg.star == "**"]
        found = []
        for argument in sink.arguments:
            if argument.keyword is None or argument.path or keyword_arg(call, argument.keyword) is not None:
                continue
            what = f"`{argument.keyword}=`"
            for node, value in spread:
                if value.key(argument.keyword) is None:
                    whole = WholeParam(
                        argument.role, argument.template, sink, label, what, node=node, key=argument.keyword
                    )
                    found += [
                        ((f.func, f.index), replace(whole, argument=argument))
                        for f in value.facts
                        if self._spread_param(f)
                    ]
        return found

    def _whole_flows(self, call: cst.Call, out: list) -> None:
        """Flows of a call of a local function that passes a parameter whole to a message-list
        or prompt argument: this call's argument, classified as that argument (reported here)."""
        whole_params = self._whole_params()
        for func, mapping in self._whole_sites.get(id(call), ()):
            for index, argument in mapping.items():
                for whole in whole_params.get((func, index), ()):
                    value = _keyed_argument(argument, whole)
                    if value is None:
                        continue
                    passed = map_facts(value, lambda f: through(f, call))
                    ctx = FlowContext(out, whole.sink, whole.label, [], whole.argument)
                    known = len(out)
                    self._dispatch(
                        ctx,
                        whole.role,
                        passed,
                        self._argument_of(call, value),
                        whole.what,
                        whole.template,
                    )
                    if whole.node is not None:  # the sink inside the helper is a step of the path
                        for entry in out[known:]:
                            self._whole_sinks.setdefault((id(call), id(entry[2])), whole.node)

    def _argument_of(self, call: cst.Call, value: Value) -> Any:
        """The argument expression of `call` that evaluated to `value` (else the call)."""
        return next((arg.value for arg in call.args if self._values.get(id(arg.value)) is value), call)

    def _call_message(self, ctx: FlowContext, value: Value, node: Any, what: str) -> None:
        """One message given as the call's keywords: its `role=` decides what `value` is."""
        role_value = next(
            (v for a, v in ctx.args if a.keyword is not None and a.keyword.value == "role"), None
        )
        if role_value is not None and any(isinstance(f, (Taint, Param)) for f in role_value.all):
            ctx.add(
                INSTRUCTION,
                f"a message of `{ctx.label}` whose role comes from the data",
                node,
                value.all,
                "?",
            )
            return
        message_role = role_of(role_value) or "user"
        kind, description = classify_role(message_role)
        ctx.add(kind, f"{description} ({what}) of `{ctx.label}`", node, value.all, message_role)

    def _messages(
        self, ctx: FlowContext, role: str, value: Value, node: Any, path: tuple, template: bool
    ) -> None:
        label = ctx.label
        if value.keys is not None and value.items is None and role == INPUT:
            self._message(ctx, value, node, path, template, role)
            return
        # a parameter passed whole (or its list extended): its callers' arguments decide (`_whole_params`)
        facts = frozenset(f for f in value.facts if not _passed_whole(f))
        if facts:
            if value.items is not None or role == MESSAGES:
                ctx.add(
                    INSTRUCTION,
                    f"the message list of `{label}` (the data decides the messages and their roles)",
                    locate(node, path),
                    facts,
                    "?",
                )
            else:
                ctx.add(
                    TEMPLATE if template else USER,
                    f"the prompt of `{label}`",
                    locate(node, path),
                    facts,
                )
        for index, item in enumerate(value.items or ()):
            if role == MESSAGES and item.items and item.items[0].keys is not None:
                # a batch of conversations (`llm.chat([[{"role": ...}, ...], ...])`): each one's roles
                self._messages(ctx, role, item, node, (*path, index), template)
                continue
            self._message(ctx, item, node, (*path, index), template, role)

    def _message(
        self, ctx: FlowContext, item: Value, node: Any, path: tuple, template: bool, role: str
    ) -> None:
        if item.checked and item.all and item.origin is not None:  # a message object built earlier
            self._sent_messages.setdefault(id(item.origin), locate(node, path))
        if item.checked or not item.all:
            return
        label = ctx.label
        message_role, content = message_parts(item)
        if message_role is None and content is None:
            if role == MESSAGES:
                ctx.add(
                    INSTRUCTION,
                    f"a message of `{label}` taken whole from the data (it decides the role)",
                    locate(node, path),
                    item.all,
                    "?",
                )
            else:
                ctx.add(
                    TEMPLATE if template else USER,
                    f"a user message of `{label}`",
                    locate(node, path),
                    item.all,
                    "user",
                )
            return
        role_value = item.key("role") if item.keys is not None else (item.items[0] if item.items else None)
        if role_value is not None and any(isinstance(f, (Taint, Param)) for f in role_value.all):
            ctx.add(
                INSTRUCTION,
                f"a message of `{label}` whose role comes from the data",
                locate(node, path),
                item.all,
                "?",
            )
            return
        if item.keys is not None and item.facts:
            ctx.add(
                INSTRUCTION,
                f"a message of `{label}` whose keys come from the data (it may set the role)",
                locate(node, path),
                item.facts,
                "?",
            )
        kind, description = classify_role(message_role or "user")
        if message_role in PLACEHOLDER_ROLES:
            return
        if kind == USER and template:
            kind, description = TEMPLATE, f"the template text of {description}"
        if content is None or not content.all:
            return
        content_path = (*path, "content") if item.keys is not None else (*path, 1)
        if item.keys is not None:
            key = next((k for k, v in item.keys if k != "role" and v.all), "content")
            content_path = (*path, key)
        facts = content.all
        if item.origin is not None and locate(node, path) is not item.origin:  # built in another statement
            facts = frozenset(
                through(f, item.origin) if isinstance(f, Taint) and not _written_in(item.origin, f.via) else f
                for f in facts
            )
        ctx.add(
            kind, f"{description} of `{label}`", locate(node, content_path), facts, message_role or "user"
        )


def _written_in(node: Any, calls: tuple) -> bool:
    """Whether `node` is written inside one of `calls` (a message built in the `append(...)` that
    is already a step of the path)."""
    stack = [call for call in calls if isinstance(call, cst.CSTNode)]
    while stack:
        current = stack.pop()
        if current is node:
            return True
        stack.extend(current.children)
    return False


@dataclass(frozen=True)
class WholeParam:
    """A sink argument a parameter reaches whole (`_whole_params`)."""

    role: str
    template: bool
    sink: Sink
    label: str
    what: str
    at: Any = None  # for a sink in another module: the call here that passes it on
    steps: tuple = ()  # and the path there (`SinkEntry.steps`)
    node: Any = None  # for a sink of this module: the argument of the sink call the parameter reaches
    key: str | None = None  # the sink's keyword, reached as an entry of a `**kwargs` parameter
    argument: SinkArgument | None = None  # and the sink argument it is


def _keyed_argument(argument: Value | None, whole: WholeParam) -> Value | None:
    """What a call passes for the sink argument: the argument itself, or for a `**kwargs`
    parameter its entry for the sink's keyword (a `**spread` passed on keeps the key unresolved)."""
    if argument is None or whole.key is None:
        return argument
    keyed = argument.key(whole.key)
    if keyed is not None:
        return keyed
    return argument if any(_passed_whole(f) for f in argument.facts) else None


def _whole(value: Value | None) -> list[tuple[int, int]]:
    """The parameters `value` holds whole (`messages`, `messages + [...]`), not spliced into text
    nor encoded, and not inside a list or dict built here."""
    return [(f.func, f.index) for f in value.facts if _passed_whole(f)] if value is not None else []


def _passed_whole(fact: Any) -> bool:
    return isinstance(fact, Param) and not fact.spliced and not fact.encoded


@dataclass
class FlowContext:
    """Collects raw flows of one sink call: (role, target, node, facts, sink, message role)."""

    out: list
    sink: Sink | None
    label: str
    args: list  # the call's (cst.Arg, Value)
    argument: SinkArgument | None = None

    def add(
        self, role: str, target: str, node: Any, facts: frozenset, message_role: str | None = None
    ) -> None:
        if facts:
            self.out.append((role, target, node, facts, self.sink, message_role))
