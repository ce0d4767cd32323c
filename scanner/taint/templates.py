"""Prompt templates: the `{name}` slots a template sink builds, and the calls that fill them.

Owns reading slots out of template text and message lists, and binding a call's arguments
(`prompt.format(x=...)`, `chain.invoke({"x": ...})`) to them; the bindings become flows (`sinks`).

May import: the lower layers, never another mixin."""

from __future__ import annotations

import libcst as cst
from aisec.hooks import INPUT, INSTRUCTION, MESSAGES, TEMPLATE, USER

from .messages import classify_role, message_parts
from .syntax import dotted, keyword_arg, locate, template_names
from .values import SPLICE_WORDS, Param, Slot, Taint, Value, collect, count_words, mark_spliced, replace
from .vocabulary import JINJA_TEMPLATE_SINKS, PLACEHOLDER_ROLES

ANY_SLOT = "*"  # the slot of a template whose text is unknown: every variable name fills it


class Templates:
    """Prompt templates (mixed into `ModuleTaint`)."""

    # ----- templates -----

    def _template_slots(self, node: cst.Call, sinks: list, args: list, label: str) -> tuple:
        """Slots of the prompt templates this sink call builds (`{name}` in its template text)."""
        slots: list[Slot] = []
        jinja = False
        fmt = keyword_arg(node, "template_format")
        if fmt is not None and self._literal(fmt.value) in ("jinja2", "mustache"):
            jinja = True
        if any(sink.pattern in JINJA_TEMPLATE_SINKS for sink in sinks):
            jinja = True
        for sink in sinks:
            for argument in sink.arguments:
                if not argument.template and argument.role != TEMPLATE:
                    continue
                for _, value, _ in self._sink_arguments(node, args, argument):
                    slots += self._slots_of(value, argument.role, label, jinja)
        return tuple(slots)

    def _slots_of(self, value: Value, role: str, label: str, jinja: bool) -> list[Slot]:
        if role in (MESSAGES, INPUT):
            slots: list[Slot] = []
            for item in value.items or ():
                message_role, content = message_parts(item)
                if message_role is None and content is None:
                    continue
                if message_role in PLACEHOLDER_ROLES and content is not None and content.const:
                    for name in template_names(content.const, False):
                        slots.append(
                            Slot(name, MESSAGES, False, f"the `{name}` messages placeholder of `{label}`")
                        )
                    continue
                kind = classify_role(message_role)[0] if message_role else USER
                for part in (
                    content.items if content is not None and content.items is not None else (content,)
                ):
                    if part is not None and part.const:
                        slots += self._text_slots(part.const, kind, label, jinja, message_role or "user")
                    elif part is not None and part.words and not part.all:
                        slots.append(self._chosen_text_slot(part, kind, label, message_role or "user"))
            return slots
        kind = INSTRUCTION if role == INSTRUCTION else USER
        if value.const:
            return self._text_slots(value.const, kind, label, jinja, role)
        if any(isinstance(f, (Taint, Param)) for f in value.all):
            return []  # data used as the template: AIS203's business, its words are not ours
        if value.all:  # application text around a checked name (`"Rewrite:\n{" + name + "}"`)
            return [self._chosen_text_slot(value, kind, label, role)]
        # Application text aisec cannot read (an entry of a dict of templates): a prompt template
        # exists to put instruction text around its variables, so whatever fills it is spliced.
        where = "system" if kind == INSTRUCTION else "user"
        return [Slot(ANY_SLOT, kind, True, f"a variable of a {where} prompt template (`{label}`)")]

    @staticmethod
    def _chosen_text_slot(part: Value, role: str, label: str, where: str) -> Slot:
        """Constant text aisec cannot name, one of several (`REPLY_TEMPLATES[style]`,
        `TEMPLATES.get(kind, DEFAULT)`): its variables are unknown, so every name fills it, and
        it keeps the instruction words of its wordiest choice (a choice of bare `{q}` slots has
        none, so filling it is the user channel, not a splice)."""
        kind = "system" if role == INSTRUCTION else ("user" if where in (USER, TEMPLATE) else where)
        spliced = part.words >= SPLICE_WORDS
        return Slot(ANY_SLOT, role, spliced, f"a variable of a {kind} prompt template (`{label}`)")

    def _text_slots(self, text: str, role: str, label: str, jinja: bool, where: str) -> list[Slot]:
        spliced = count_words(text) >= SPLICE_WORDS
        kind = "system" if role == INSTRUCTION else ("user" if where in (USER, TEMPLATE) else where)
        return [
            Slot(name, role, spliced, f"the `{{{name}}}` variable of a {kind} prompt template (`{label}`)")
            for name in template_names(text, jinja)
        ]

    def _bind(self, node: cst.Call, receiver: Value, args: list) -> None:
        """A call on a template (`prompt.format_messages(x=...)`, `chain.invoke({"x": ...})`)
        fills slots: each binding is a flow of this call."""
        bindings = self._bindings(receiver, args)
        if bindings:
            self._binds[id(node)] = bindings
            self._flow_calls[id(node)] = node

    def _format_string(self, node: cst.Call | cst.BinaryOperation, receiver: Value) -> None:
        """`text.format(...)` (or printf-style `text % (...)`, `text % {...}`) with data as
        `text`: the data is the template (it chooses which arguments, and which of their
        attributes or keys, are expanded): a TEMPLATE flow of this call or operation."""
        if isinstance(node, cst.BinaryOperation):
            target, template = "the format string of `%`", node.left
            self._owners[id(node)] = self._unit.func  # a call's owner is recorded by `_call`
        else:
            target, template = f"the format string of `{dotted(node.func) or 'str.format'}`", node.func.value
        slot = Slot("", TEMPLATE, False, target)
        self._binds.setdefault(id(node), []).append((slot, receiver, template))
        self._flow_calls[id(node)] = node

    def _rendered(self, receiver: Value, args: list) -> Value:
        """`prompt.format(x=...)` renders the template to a string and sends nothing: the text
        carries the data it was filled with (spliced where the template has instruction words
        around the slot, or is instruction text), judged where the text goes."""
        facts: list = []
        for slot, value, _ in self._bindings(receiver, args):
            spliced = slot.spliced or slot.role == INSTRUCTION
            facts += [mark_spliced(f) if spliced else f for f in value.all]
        return Value(collect(facts))

    @staticmethod
    def _read_template(receiver: Value) -> Value:
        """A template object known by its type alone (`-> PromptBuilder`, one of a dict of
        builders): its text is the application's, unread, so whatever fills it is spliced."""
        if receiver.slots:
            return receiver
        label = receiver.type_name
        return replace(
            receiver, slots=(Slot(ANY_SLOT, USER, True, f"a variable of a user prompt template (`{label}`)"),)
        )

    def _bindings(self, receiver: Value, args: list) -> list:
        """(slot, value, argument node) of each slot of `receiver` an argument fills."""
        by_name: dict[str, list[Slot]] = {}
        for slot in receiver.slots:
            by_name.setdefault(slot.name, []).append(slot)
        bindings: list = []
        unread = by_name.get(ANY_SLOT, [])
        for arg, value in args:
            if arg.keyword is not None and (arg.keyword.value in by_name or unread):
                slots = by_name.get(arg.keyword.value, unread)
                bindings += [(slot, value, arg.value) for slot in slots]
            elif arg.keyword is None and value.keys is not None:
                for name, inner in value.keys:
                    for slot in by_name.get(name, unread):
                        bindings.append((slot, inner, locate(arg.value, (name,))))
                if value.facts:  # entries under keys aisec cannot read (`{name: text}`): any slot
                    for slots in by_name.values():
                        bindings += [(slot, Value(value.facts), arg.value) for slot in slots]
            elif arg.keyword is None and arg.star == "**" and value.all:
                for slots in by_name.values():
                    bindings += [(slot, Value(value.facts), arg.value) for slot in slots]
        positional = [(a, v) for a, v in args if a.keyword is None and not a.star]
        if not bindings and len(by_name) == 1 and len(positional) == 1 and positional[0][1].keys is None:
            arg, value = positional[0]
            bindings += [(slot, value, arg.value) for slot in next(iter(by_name.values()))]
        return bindings
