"""An import cycle summarised again after an edit: which members must be analysed again.

Owns the cycle's cache record (per member: the key of its own bytes and of what it imports from
outside the cycle, and its settled summary) and, from the members' previous summaries, which
members an edit invalidates. The summaries are held in the record itself, written whole in one
signed write: an edit to one member of a cycle of a hundred reads and writes one record, not a
hundred (a cycle too big for one record keeps each member's summary in its own record, under
the key `member_keys` gives). A member's summary lists the files of the
summaries its analysis applied (`ModuleSummary.files`), so the previous summaries say who used
whom: the "use graph". A changed member is analysed again from its outline, and so is every
member on a cycle of uses through it (their previous summaries may hold a flow that only went
round that cycle, which a fresh analysis from the outlines would not find). A member whose new
summary differs from its previous one in anything a caller reads (flows, paths, lines,
constants) invalidates, the same way, the members that used it. The others keep their previous
summaries: nothing they were computed from has changed.

May import: the standard library, `summary` and `..sha`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..sha import sha256
from .summary import ModuleSummary, summary_from_json, summary_to_json


def cycle_record_key(component: tuple[str, ...]) -> str:
    """Where a cycle's record is kept: by its members' names (a cycle that grew, shrank or broke
    is another cycle, summarised from scratch)."""
    return sha256(("cycle\0" + "\0".join(component)).encode()).hexdigest()


def member_keys(component: tuple[str, ...], own: dict[str, str]) -> dict[str, str]:
    """The key each member's summary is stored under: its name and every member's own key (its
    bytes and the keys of what it imports from outside the cycle), so an edit to any member, or
    below the cycle, gives every member a new key (and the modules above them)."""
    shared = sha256("".join(own[m] for m in component).encode()).hexdigest()
    return {m: sha256(f"{m}\0{shared}".encode()).hexdigest() for m in component}


def cycle_record(own: dict[str, str], summaries: dict[str, Any] | None) -> dict[str, Any]:
    """The record of a settled cycle: its members' own keys, and their summaries as JSON (None:
    each is in its own record, under the key `member_keys` gives)."""
    return {"own": own} if summaries is None else {"own": own, "summaries": summaries}


@dataclass
class PreviousCycle:
    """A cycle as it last settled: its members' own keys, their summaries, and the JSON those
    were read from (written back as read for a member whose summary is kept)."""

    own: dict[str, str]
    summaries: dict[str, ModuleSummary]
    raw: dict[str, Any]

    def holds(self, own: dict[str, str], found: dict[str, ModuleSummary | None]) -> bool:
        """Whether the record already says exactly this: no member's own key changed and every
        summary is the one read (none was analysed again)."""
        return own == self.own and all(found[m] is s for m, s in self.summaries.items())


def previous_summaries(
    record: Any, component: tuple[str, ...], read: Callable[[str], Any], catalog: Any
) -> PreviousCycle | None:
    """Every member as the cycle last settled (its record holds the own keys, and the summaries
    or, for a cycle too big for one record, the summaries are read under the keys the own keys
    give, never under keys a record names); None when the record does not cover exactly these
    members, or a summary is missing, unreadable, of another module, or incomplete (then the
    cycle is summarised from scratch)."""
    try:
        own = {str(m): str(key) for m, key in record["own"].items()}
        inline = record.get("summaries")
    except (KeyError, TypeError, AttributeError):
        return None
    if sorted(own) != list(component) or not isinstance(inline, (dict, type(None))):
        return None
    keys = member_keys(component, own)
    raw = {m: inline.get(m) if inline is not None else read(keys[m]) for m in component}
    summaries: dict[str, ModuleSummary] = {}
    for member in component:
        summary = summary_from_json(raw[member], catalog) if raw[member] is not None else None
        if summary is None or summary.name != member or summary.incomplete is not None:
            return None
        summaries[member] = summary
    return PreviousCycle(own, summaries, raw)


class UseGraph:
    """Who used whom among a cycle's members, as their previous summaries say."""

    def __init__(self, summaries: dict[str, ModuleSummary], file_of: Callable[[str], Path | None]) -> None:
        member_of = {file_of(m): m for m in summaries}
        self.uses: dict[str, set[str]] = {
            m: {member_of[f] for f in s.files if f in member_of} - {m} for m, s in summaries.items()
        }
        self.users: dict[str, set[str]] = {m: set() for m in summaries}
        for member, used in self.uses.items():
            for other in used:
                self.users[other].add(member)

    def group(self, member: str) -> set[str]:
        """The member and every member on a cycle of uses through it (analysed again together)."""
        return {member} | (_closure(member, self.users) & _closure(member, self.uses))


def differs(made: ModuleSummary | None, previous: ModuleSummary | None, catalog: Any) -> bool:
    """Whether a caller could read anything different in `made` than in `previous`."""
    if made is None or previous is None:
        return made is not previous
    return summary_to_json(made, catalog) != summary_to_json(previous, catalog)


def _closure(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen, work = {start}, [start]
    while work:
        for nxt in edges.get(work.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                work.append(nxt)
    return seen
