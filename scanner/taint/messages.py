"""Chat message shapes: the role of a message value and what that role means for a flow.

Owns reading a message (`{"role": ..., "content": ...}`, a `(role, text)` tuple, a bare string)
out of an abstract value, and classifying roles (system/developer and forged assistant turns are
instructions; user turns are user input).

May import: `values`, `vocabulary`, `aisec.hooks` (role names)."""

from __future__ import annotations

from aisec.hooks import INSTRUCTION, USER

from .values import Value, join, join_all, make_container, opaque
from .vocabulary import ASSISTANT_ROLES, INSTRUCTION_ROLES


def role_of(value: Value | None) -> str | None:
    """A message role as written (lower case), from a literal or an enum member."""
    if value is None:
        return None
    if value.const is not None:
        return value.const.lower()
    if value.type_name:
        return value.type_name.rsplit(".", 1)[-1].lower()
    return None


def classify_role(role: str) -> tuple[str, str]:
    """(flow role, description) of a chat message role."""
    if role in INSTRUCTION_ROLES:
        return INSTRUCTION, f"a {role} message"
    if role in ASSISTANT_ROLES:
        return INSTRUCTION, f"an {role} message (a forged model turn)" if role[
            0
        ] in "aeiou" else f"a {role} message (a forged model turn)"
    if role in ("user", "human"):
        return USER, "a user message"
    return USER, f"a `{role}` message"


def message_parts(item: Value) -> tuple[str | None, Value | None]:
    """(role, content) of a message value: a dict with `role`, or a `(role, text)` tuple."""
    if item.keys is not None:
        role = role_of(item.key("role"))
        content = join_all(v for k, v in item.keys if k != "role") if item.keys else None
        if item.key("role") is None and not any(
            k in ("content", "parts", "text", "message") for k, _ in item.keys
        ):
            return None, None
        return role, content
    if item.items is not None and len(item.items) == 2:
        role = role_of(item.items[0])
        if role is not None:
            return role, item.items[1]
    if item.const is not None or item.words:
        return "user", item
    return None, None


def message_kinds(value: Value) -> Value | None:
    """A list of chat messages that keeps changing (`history.append(...)` on every turn of a
    loop, or on an object's state across handlers and helpers), widened to one message per role
    when every element has a constant role: the count and order are lost, what each role may
    carry is kept (so constant roles stay constant). None when an element's role is unknown."""
    if value.items is None or value.keys is not None or not value.items:
        return None
    kinds: dict[str, Value] = {}
    for item in value.items:
        role = item.key("role") if item.keys is not None else None
        if role is None or role.const is None:
            return None
        entries = tuple((key, entry if key == "role" else opaque(entry)) for key, entry in item.keys or ())
        kinds[role.const] = join(kinds.get(role.const), make_container(item.facts, None, entries))
    return make_container(value.facts, tuple(kinds.values()), type_name=value.type_name)
