"""What the import graph reads off each project module's text, kept between runs by the file's stamp.

A big project's graph reads every module it reaches (transformers: 2,544 files, ~3 s) for its
imports, whether it spells a catalog source or sink, the tokens it spells, its outline and its
bytes' digest: after one file changed, all of that would be read again, although only the one
file changed. `ModuleFacts` keeps those facts in one signed record of the result cache (kind
`graph`), as the stamp index (`stamps.py`, the model followed here) keeps results: each module
file's absolute path maps to its stamp (`stamps.stamp_of`, taken from the open file before its
bytes were read) and to the facts worked out of the bytes read after it. A fact is given back
only while the file's `stat` equals that stamp (looked at once per file and run), so an edit, a
`touch`, a file replaced by another of the same size and mtime (another inode or ctime) or moved
in is read again. Guards, as the stamp index's:
- A stamp that is not older than `stamps.RACY_NS` when taken is not recorded (a write within the
  file system's timestamp granularity could leave it as it was); where ctime is no change time
  (`stamps.CTIME_IS_CHANGE_TIME`) nothing is recorded.
- The record is signed with the machine key under the run key (which covers the catalog and the
  plugins); its key also holds the project root and the catalog's source and sink tokens (which
  decide what a module "spells"). A forged, planted or copied record is not trusted.
- A fact is recorded only from bytes read from disk, never from a text a caller handed in (an
  editor's unsaved buffer): such a text is read as before, for this run only.
- Entries of files that no longer exist are dropped when the record is written.

The record also keeps the graph's *layout*: the file of each module the graph found
(`ImportGraph.file_of`: tens of thousands of names asked, worked out of hundreds of folders'
listings) and each module's edges (the project modules it imports: those of its imports that
are one), under the stamps of every folder the graph listed (each taken before its folder was
listed, with the same guards as a file's: a name found to be none is told by those folders too)
and, for the edges, of the module's file. They are given back only while every one of those
folders' `stat` equals its stamp (looked at once per run; a file or folder created, removed or
renamed in one of them moves its modification time), and a module's edges only while its file's
does too: a walk of the graph then reads neither the imports nor the folders of a module that
did not change. A folder holding a symlink is not recorded (its target may change without its
folder), nor one that could not be listed whole; then nothing of the layout is. Processes merge
their layouts when their stamps agree, and the last one's replaces the record's when they do not.

Who writes: each process that worked out new facts merges them into the record as it finishes:
the main process at the end of its run (`save`, from `run`), a worker process of the pool as it
exits (`multiprocessing`'s exit finalizers). Two processes may race: the last write wins and
the other's new entries are worked out again next time; no entry is ever wrong, as each stands
for the bytes its own stamp was taken before.

May import: the standard library, `sha`, and lazily `stamps` (the stamp and its guards).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from ..sha import sha256

KIND = "graph"  # the record's kind in the result cache
FORMAT = 2  # 2: {"entries": {path: entry}, "layout": {"folders": {...}, "files": {...}, "edges": {...}}}
MISSING = object()  # `ModuleFacts.get`: no valid recorded fact

Entry = list  # [stamp, {fact name: value}]
# {"folders": {folder: its stamp}, "files": {module: its file below the root},
#  "edges": {module: [its file's stamp, the project modules it imports, space-separated]}}
Layout = dict
LAYOUT_PARTS = ("folders", "files", "edges")


def read_stamped_bytes(path: Path) -> tuple[bytes, list[int] | None]:
    """A module file's bytes and the stamp taken from the open file before they were read (None:
    too recent to be recorded, or stamps cannot be trusted here). Raises OSError."""
    from .. import stamps

    now = time.time_ns()
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read()
    if not stamps.CTIME_IS_CHANGE_TIME or max(info.st_mtime_ns, info.st_ctime_ns) >= now - stamps.RACY_NS:
        return data, None
    return data, stamps.stamp_of(info)


def folder_stamp(folder: str) -> list[int] | None:
    """A folder's stamp, taken before it is listed (None: too recent to be recorded, stamps
    cannot be trusted here, or it cannot be looked at)."""
    from .. import stamps

    now = time.time_ns()
    try:
        info = os.stat(folder)
    except OSError:
        return None
    if not stamps.CTIME_IS_CHANGE_TIME or max(info.st_mtime_ns, info.st_ctime_ns) >= now - stamps.RACY_NS:
        return None
    return stamps.stamp_of(info)


def decoded(data: bytes) -> str:
    """A module's text as `graph.read_text` reads it (UTF-8, a BOM dropped, `\\r\\n` and `\\r`
    made `\\n` as universal newlines do); "" when it is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


class ModuleFacts:
    """The recorded facts of one project's module files (read on first use: a warm run, which
    builds no graph, does not read the record)."""

    def __init__(
        self,
        store: Any,
        root: Path,
        catalog_tokens: Callable[[], Any],
        new_layout: Callable[[], Layout | None] = lambda: None,
    ) -> None:
        """`store`: the result cache (`get_record`/`put_record`), None: nothing is kept.
        `catalog_tokens()`: what decides the facts besides the bytes (part of the record's key;
        asked when the record is first read). `new_layout()`: the layout this process worked
        out, when it has more than the record and can be recorded (else None; asked at `save`)."""
        self.store = store
        self.root = root
        self._tokens = catalog_tokens
        self._new_layout = new_layout
        self._key: str | None = None
        self._recorded: dict[str, Entry] | None = None
        self._recorded_layout: Layout | None = None
        self._layout_held: Layout | None = None  # the recorded layout, once its folders were looked at
        self._current: dict[str, Entry] = {}
        self._holds: dict[str, bool] = {}  # path -> its stat equals its entry's stamp (this run)
        self._now: dict[str, list[int] | None] = {}  # path -> its stamp as looked at (once per run)
        self._put: set[str] = set()  # paths whose entry this process made
        self._asked: int | None = None  # the process `_in_a_worker` looked at

    def key(self) -> str:
        if self._key is None:
            import json  # not in a run without a cache (a one-file pre-commit run imports no `json`)

            payload = json.dumps([FORMAT, str(self.root), self._tokens()], sort_keys=True, default=list)
            self._key = sha256(payload.encode("utf-8", "surrogateescape")).hexdigest()
        return self._key

    def _entries(self) -> dict[str, Entry]:
        if self._recorded is None:
            raw = self.store.get_record(KIND, self.key()) if self.store is not None else None
            self._recorded, self._recorded_layout = _parts(raw)
            self._current = dict(self._recorded)
        return self._current

    def layout(self) -> Layout:
        """The recorded layout while every one of its folders still has its stamp (each looked at
        once per run), else an empty one."""
        if self._layout_held is None:
            self._entries()
            recorded = self._recorded_layout
            self._layout_held = {part: {} for part in LAYOUT_PARTS}
            if recorded is not None and all(
                _holds(folder, stamp) for folder, stamp in recorded["folders"].items()
            ):
                self._layout_held = recorded
        return self._layout_held

    def get(self, path: Path, fact: str) -> Any:
        """The recorded `fact` of the file at `path` (absolute), MISSING unless the file's `stat`
        still equals the stamp it was recorded under."""
        if self.store is None:
            return MISSING
        shown = str(path)
        entry = self._entries().get(shown)
        try:
            stamp, facts = entry  # type: ignore[misc]
            value = facts[fact]
        except (TypeError, ValueError, KeyError):
            return MISSING
        holds = self._holds.get(shown)
        if holds is None:
            holds = self._holds[shown] = self._stamp_now(shown) == stamp
        return value if holds else MISSING

    def entry_stamp(self, path: Path) -> list[int] | None:
        """The stamp of the entry `get` just gave a fact of (None: it gave none)."""
        shown = str(path)
        return self._current[shown][0] if self._holds.get(shown) and shown in self._current else None

    def still(self, path: Path, stamp: Any) -> bool:
        """Whether the file's `stat` (looked at once per run) equals `stamp`."""
        return stamp is not None and self._stamp_now(str(path)) == stamp

    def _stamp_now(self, shown: str) -> list[int] | None:
        if shown not in self._now:
            from ..stamps import stamp_of

            try:
                self._now[shown] = stamp_of(os.stat(shown))
            except OSError:
                self._now[shown] = None
        return self._now[shown]

    def put(self, path: Path, stamp: list[int] | None, fact: str, value: Any) -> None:
        """Record `fact` (JSON: what reads back is what was put) of the bytes of `path` read
        after `stamp` was taken; nothing for a stamp too recent to be recorded (None): an entry
        recorded before stays, but cannot hold again (the file's ctime moved), and is replaced
        once the file is read with a stamp that can be recorded."""
        if self.store is None:
            return
        if stamp is None:  # a recorded entry does not hold (the file changed): it stays unused
            return
        shown = str(path)
        entries = self._entries()
        self._put.add(shown)
        self._in_a_worker()
        entry = entries.get(shown)
        if (
            not isinstance(entry, list)
            or len(entry) != 2
            or entry[0] != stamp
            or not isinstance(entry[1], dict)
        ):
            entry = entries[shown] = [list(stamp), {}]
        elif entry is self._recorded.get(shown):  # type: ignore[union-attr]
            entry = entries[shown] = [entry[0], dict(entry[1])]  # the recorded one stays as read
        entry[1][fact] = value
        self._holds[shown] = True

    def _in_a_worker(self) -> None:
        """In a worker process of the pool (`parallel`), save when it exits: the run's end
        (`save` from `run`) is the main process's; a worker's facts would be lost."""
        if self._asked == os.getpid() or "multiprocessing" not in sys.modules:
            return
        import multiprocessing
        from multiprocessing.util import Finalize

        self._asked = os.getpid()
        if multiprocessing.parent_process() is not None:
            Finalize(None, self.save, exitpriority=0)

    def save(self) -> None:
        """Merge this process's new entries and layout into the record (another process's
        entries of files this one did not read stay; entries of files that are gone are
        dropped; layouts are merged when their folders' stamps agree, else this one's stays)."""
        if self.store is None or self._recorded is None:
            return
        mine = self._new_layout()
        if not self._put and mine is None:
            return
        latest = self.store.get_record(KIND, self.key())
        entries, layout = _parts(latest) if latest is not None else (self._recorded, self._recorded_layout)
        merged: dict[str, Entry] = {}
        for shown, entry in entries.items():
            if shown not in self._put and os.path.lexists(shown):
                merged[shown] = entry
        merged.update({shown: self._current[shown] for shown in self._put if shown in self._current})
        if mine is not None:
            agree = layout is not None and all(
                layout["folders"].get(folder, stamp) == stamp for folder, stamp in mine["folders"].items()
            )
            layout = {part: {**layout[part], **mine[part]} for part in LAYOUT_PARTS} if agree else mine
        self.store.put_record(KIND, self.key(), {"entries": merged, "layout": layout})
        # another process's entries may stand for other stamps than those this one looked at
        self._holds = {shown: True for shown in self._put}
        self._recorded, self._current, self._put = merged, dict(merged), set()
        self._recorded_layout, self._layout_held = layout, None  # its folders not all looked at


def _parts(raw: Any) -> tuple[dict[str, Entry], Layout | None]:
    """The entries and the layout of a record as read (anything else: none)."""
    entries = raw.get("entries") if isinstance(raw, dict) else None
    layout = raw.get("layout") if isinstance(raw, dict) else None
    if not (isinstance(layout, dict) and all(isinstance(layout.get(part), dict) for part in LAYOUT_PARTS)):
        layout = None
    return (entries if isinstance(entries, dict) else {}), layout


def _holds(folder: str, stamp: Any) -> bool:
    """Whether the folder's `stat` still equals the stamp it was listed under."""
    from ..stamps import stamp_of

    try:
        return stamp_of(os.stat(folder)) == stamp
    except (OSError, TypeError, ValueError):
        return False
