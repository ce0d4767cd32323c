"""Writing the pre-commit fast path's trigger table (`fastpath`) from a loaded session.

The full path calls `save` when the fast path found no valid table for the run's key. What the
table says is taken from the session itself: the enabled rules the engine would give files to
(`engine.has_visitors`), their prefilter triggers, the merged taint catalog's marker expansions
(every marker's, with the tokens of the catalog's patterns: a run the fast path declines takes
them instead of working them out again) and the exclude patterns. It also records why the fast
path must never answer for this key (a rule without triggers, plugins the CLI announces on
stderr), and the state of every source file of aisec and of the loaded plugins, so that an edit
to any of them invalidates it.
"""

from __future__ import annotations

import keyword
import os
import sys
from typing import Any

from aisec.hooks import TAINT_SOURCES, Severity
from aisec.hooks.taint import pattern_tokens_known

from .cache import CacheUnavailable, code_files, machine_key
from .engine import MAX_SOURCE_BYTES, _reads_taint, has_visitors
from .fastpath import BODY, KNOWN, TableKey, dump_table, file_state, write_private
from .identifiers import catalog_facts
from .prefilter import MARKER_PREFIX, grouped, is_word
from .run import Session

LOCAL_PLUGIN_SOURCE = "config `plugins`"  # `pluginmanager` records config plugins so
MAX_TABLES = 32


def build(session: Session, walk_orders: bool = False) -> dict[str, Any]:
    """The table for this session (plain data: marshal writes it); with the walk's field orders
    when the run parsed a file (`_walk_orders`)."""
    rules = [rule for rule in session.enabled if has_visitors(rule)]
    catalog = session.taint_catalog
    expansions = catalog.trigger_expansions() if catalog is not None else {}
    plugins = session.registry.manager.get_plugins()
    files = code_files([sys.modules["aisec"], sys.modules["aisec.hooks"], *plugins])
    watched = sorted({*files, *(os.path.dirname(path) for path in files)})
    why_not = _why_not(session, rules)
    source_marker = TAINT_SOURCES if any(_reads_taint(rule) for rule in rules) else ""
    gates = [(tuple(rule.triggers), tuple(tuple(group) for group in rule.trigger_groups)) for rule in rules]
    used = {source_marker} | {
        needle for triggers, groups in gates for needle in (*triggers, *sum(groups, ()))
    }
    expansions = {marker: tuple(map(tuple, alternatives)) for marker, alternatives in expansions.items()}
    return {
        "fast": why_not is None,
        "why_not": why_not or "",
        "rules": tuple(gates),
        BODY: {
            "expansions": {marker: expansions[marker] for marker in used if marker in expansions},
            "groups": {
                marker: grouped(expansions, marker, now=True) for marker in used if marker in expansions
            },
        },
        # every marker's expansions, the tokens of the catalog's patterns, the identifier
        # screen's catalog facts and the walk's field orders: what a run the fast path declines
        # takes instead of working them out again (`run.adopt_known`)
        KNOWN: {
            "expansions": expansions,
            "pattern_tokens": pattern_tokens_known(),
            "identifiers": catalog_facts(catalog) if catalog is not None else {},
            "walk": _walk_orders() if walk_orders else {},
        },
        "source_marker": source_marker,
        "gate_tokens": _gate_tokens([triggers for triggers, _ in gates] + [(source_marker,)], expansions),
        "excludes": tuple(session.config.excludes),
        "severities": tuple(severity.value for severity in Severity),
        "max_source_bytes": MAX_SOURCE_BYTES,
        "files": tuple((path, file_state(path)) for path in watched),
    }


def _walk_orders() -> dict[str, Any]:
    """The field orders the walk learnt in this run and from its sample (`aisec.walk.learnt`):
    the table is written once per key, and only a run that parsed a file asks, so a run whose
    files need no libcst (a trigger-free file, the first run after an install or a config
    change) does not import it for this alone (~130 ms); a later run learns them per process."""
    from .walk import learn_sample, learnt

    learn_sample()
    return learnt()


def _gate_tokens(
    triggers: list[tuple[str, ...]], expansions: dict[str, tuple[tuple[str, ...], ...]]
) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """Substrings of which a text must contain one for any of `triggers` to hit: each plain
    trigger, and one token (the rarest, `_rarity`) of each alternative of each marker, as
    (those that are `[A-Za-z0-9_]` words, the others). A text with none of them passes no gate,
    which the fast path checks with a few hundred substring searches instead of the prefilter's
    walk over every alternative. None when a trigger or an alternative is empty (it always
    matches)."""
    tokens: dict[str, None] = {}
    for needle in (needle for group in triggers for needle in group):
        if not needle:
            return None  # "" occurs in every text
        if not needle.startswith(MARKER_PREFIX):
            tokens[needle] = None
            continue
        for alternative in expansions.get(needle, ()):
            if not alternative:
                return None
            tokens[max(alternative, key=_rarity)] = None
    words = tuple(token for token in tokens if is_word(token))
    return words, tuple(token for token in tokens if token not in words)


_COMMON = frozenset((*keyword.kwlist, "self", "cls"))


def _rarity(token: str) -> tuple[bool, int]:
    """How unlikely `token` is in a file no rule cares about, as a gate token: any token of an
    alternative is a sound one (the alternative needs them all), so a dunder, a keyword, `self`
    or `cls` (`__init__` of `('__init__', 'pyramid', 'request')`, in most classes) comes last,
    then the longer the better (a short token is part of many words)."""
    return not (token in _COMMON or (token.startswith("__") and token.endswith("__"))), len(token)


def _why_not(session: Session, rules: list[Any]) -> str | None:
    """Why no run with this key may take the fast path, or None."""
    untriggered = [rule.code for rule in rules if not rule.triggers]
    if untriggered:
        return f"rule {untriggered[0]} has no prefilter triggers (it sees every file)"
    if LOCAL_PLUGIN_SOURCE in session.registry.plugin_sources.values():
        return "a plugin named in the project's config (the CLI announces it on stderr)"
    return None


def save(key: TableKey, session: Session, walk_orders: bool = False) -> None:
    """Write the table for `key` (atomically; a cache folder that cannot be written only costs
    the next run its speed)."""
    try:
        secret = key.secret if key.secret is not None else machine_key()
    except CacheUnavailable:
        return
    write_private(key.path, dump_table(key, secret, build(session, walk_orders)))
    try:
        _prune(os.path.dirname(key.path))
    except OSError:
        return


def _prune(folder: str) -> None:
    """Keep the `MAX_TABLES` newest tables: every package installed into an environment makes
    a new key, and the old tables would otherwise pile up."""
    tables = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".table") and entry.is_file(follow_symlinks=False):
            tables.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.path))
    for _, path in sorted(tables, reverse=True)[MAX_TABLES:]:
        try:
            os.unlink(path)
        except OSError:
            pass  # another run pruned it first
