"""File stamps: a warm run knows that a file is unchanged from its `stat`, without reading it.

A stamp is the (device, inode, size, mtime_ns, ctime_ns) of a file as it was opened, taken
before its bytes were read. The stamp index, one signed record of the result cache (so per run
key; a forged, planted or copied index is not trusted), maps each checked file's path to its
stamp and to the result of the bytes read after it, when that result has no error (nor a fix).
When a file's `stat` still equals its stamp, those are its bytes, by the test
git makes of its index: every write moves mtime and ctime, ctime cannot be set back by the
file's owner (`touch -d` and `os.utime` move it too), and a copied, moved-in or replaced file,
or a symlink to another file, has another inode.

Guards that keep it exact:
- A stamp that is not older than `RACY_NS` when it is taken is not recorded: a write that
  follows the read within the file system's timestamp granularity (up to 2 s on FAT) could leave
  the stamp as it was ("racy git"). Such a file is read and looked up by content until it ages.
- A result with findings is in the index too, but its file is not read for its lines unless a
  formatter asks for them (`sources.stamped_lines`): that read checks the stamp again after it,
  so lines are shown only of the bytes the findings are of (a file changed since shows none).
- The index is one signed record of at most the cache's entry size (`MAX_ENTRY_BYTES`): when the
  entries with findings would make it larger, only those without are kept (`save`), rather than
  none being recorded.
- The other files a result depends on are checked as for a cached result (`dependencies_hold`),
  each once per run (the first look decides for every result that depends on it). The record
  holds each distinct dependency (its path, signature and digest) once, in a table the entries
  point into: langchain's 1,435 results name 57,000 dependencies, 2,500 distinct ones, and
  written out in each entry they took the index to the entry size's edge.

Entries of files that no longer exist are dropped when the run ends (`StampIndex.save`), so the
index of a repository where files come and go does not grow without end; an entry of a file
that still exists but was not part of this run (a run on one folder) stays.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Callable

from .engine import MAX_SOURCE_BYTES, FileResult
from .sources import stamped_lines

RACY_NS = 2_000_000_000
# Fewer files than this are simply read: a pre-commit run on a few files of a big project would
# spend more on loading the whole index (about 5 us an entry) than it saves (a read and a hash).
MIN_FILES = 24
# POSIX ctime is the time of the last change; Windows' is the creation time, which an edit that
# restores the modification time would leave as it was: there, every file is read.
CTIME_IS_CHANGE_TIME = os.name == "posix"
RECORD = ("stamps", "index")  # (kind, key) of the index in the result cache

Stamp = list[int]


def read_stamped(path: Path) -> tuple[bytes, Stamp | None]:
    """The file's bytes, read no further than one byte past MAX_SOURCE_BYTES (a 2 GiB sparse
    `.py` is not read whole to find out it is too big), and its stamp, taken from the open file
    before reading; None when the stamp is too recent to be recorded."""
    now = time.time_ns()
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read(MAX_SOURCE_BYTES + 1)
    if max(info.st_mtime_ns, info.st_ctime_ns) >= now - RACY_NS:
        return data, None
    return data, stamp_of(info)


def stamp_of(info: os.stat_result) -> Stamp:
    """The stamp of a file's `stat` (as `read_stamped` takes it)."""
    return [info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def open_index(cache: Any, files: int) -> StampIndex | None:
    """The stamp index of `cache` for a run that checks `files` source files, when it pays."""
    if cache is None or files < MIN_FILES or not CTIME_IS_CHANGE_TIME:
        return None
    return StampIndex(cache)


class StampIndex:
    """The stamps of one run key's cache: read once at the start of a run, written back at its
    end when an entry was added, changed or dropped. An entry: [stamp, the result as the cache
    stores it (`cache.result_to_json`)]."""

    def __init__(self, cache: Any) -> None:
        from .cache import dependencies_hold  # a run without a cache does not import it

        self.cache = cache
        self._holds = dependencies_hold
        recorded = cache.get_record(*RECORD)
        table = recorded.get("dependencies") if isinstance(recorded, dict) else None
        files = recorded.get("files") if isinstance(recorded, dict) else None
        valid = isinstance(table, list) and isinstance(files, dict)
        # an entry read back names its dependencies by their place in the table
        self._table: list[Any] = table if valid else []
        self.recorded: dict[str, Any] = files if valid else {}
        self.current = dict(self.recorded)
        self._checked: set[str] = set()  # the files of this run (`update`)
        self._vouched: set[str] = set()  # the files whose entry gave their result (`unchanged`)
        self._signatures: dict[str, tuple[int, int, int]] = {}  # of dependencies (`dependencies_hold`)
        self._held: dict[int, tuple | bool] = {}  # table row -> whether it holds (its new signature)

    def unchanged(
        self, path: Path, shown: str, same_digest: Callable[[str, str], bool] | None = None
    ) -> FileResult | None:
        """The result of a file whose `stat` still equals its recorded stamp; None when the file
        must be read. `same_digest`: as `cache.dependencies_hold` takes it (an entry that holds
        by a dependency's digest is recorded again with the new signatures)."""
        from .cache import renewed_json, result_from_json

        entry = self.current.get(shown)
        if entry is None:
            return None
        try:
            info = os.stat(path)
            stamp, raw = entry
            if stamp_of(info) != stamp:
                return None
            renewed: dict[str, tuple] = {}
            dependencies = raw["dependencies"]
            if isinstance(dependencies, list):  # read back: rows of the table
                if not all(self._row_holds(row, same_digest, renewed) for row in dependencies):
                    return None
                raw = {
                    **raw,
                    "dependencies": {self._table[row][0]: self._table[row][1:] for row in dependencies},
                }
            elif not self._holds(dependencies, self._signatures, same_digest, renewed):
                return None
            result = result_from_json(raw)
            framed = raw["framed"] is True
        except (OSError, ValueError, TypeError, KeyError, AttributeError, IndexError):
            return None
        if renewed:  # the entry again, with the signatures its dependencies have now
            result.dependencies.update(renewed)
            self.current[shown] = [stamp, {**raw, "dependencies": renewed_json(raw["dependencies"], renewed)}]
        result.stamp = stamp
        self._vouched.add(shown)
        if result.findings and framed:
            result.source = stamped_lines(path, stamp, result.encoding)
        return result

    def _row_holds(self, row: int, same_digest: Callable[[str, str], bool] | None, renewed: dict) -> bool:
        """Whether the table's `row` (a dependency as recorded) holds, decided once per run; its
        new signature goes to `renewed` when it holds by its digest."""
        if row not in self._held:
            path, *signature = self._table[row]
            found: dict[str, tuple] = {}
            holds = self._holds({path: signature}, self._signatures, same_digest, found)
            self._held[row] = found.get(path, holds)
        held = self._held[row]
        if isinstance(held, tuple):
            renewed[self._table[row][0]] = held
        return held is not False

    def update(self, result: FileResult) -> None:
        """Record `result` under its file's stamp, or drop the file's entry when the result has
        no stamp, an error or a fix."""
        from .cache import result_to_json

        shown = result.path
        self._checked.add(shown)
        if shown in self._vouched:  # its entry stays as it is (not made again: 0.1 s on transformers)
            return
        if result.stamp is None or result.errors or result.fixed_source is not None:
            self.current.pop(shown, None)
            return
        self.current[shown] = [list(result.stamp), result_to_json(result)]

    def save(self, cwd: Path) -> None:
        """Write the index back when it changed, without the entries of files this run did not
        check that are gone (`cwd`: where the run's shown paths are relative to). Only those
        entries cost a `stat` here: none on a run over the whole repository."""
        for shown in [shown for shown in self.current if shown not in self._checked]:
            if not os.path.lexists(os.path.join(cwd, shown)):
                del self.current[shown]
        if self.current == self.recorded:
            return
        if not self.cache.put_record(*RECORD, self._record(self.current)):  # too big with the findings
            clean = {shown: entry for shown, entry in self.current.items() if not entry[1]["findings"]}
            if clean != self.recorded:
                self.cache.put_record(*RECORD, self._record(clean))

    def _record(self, entries: dict[str, Any]) -> dict[str, Any]:
        """The index as it is stored: each distinct dependency once, in a table; each entry's
        result naming its dependencies by their rows."""
        rows: dict[tuple, int] = {}
        files: dict[str, Any] = {}
        for shown, (stamp, raw) in entries.items():
            dependencies = raw["dependencies"]
            known = (
                (tuple(self._table[row]) for row in dependencies)
                if isinstance(dependencies, list)
                else ((path, *signature) for path, signature in dependencies.items())
            )
            files[shown] = [stamp, {**raw, "dependencies": [rows.setdefault(d, len(rows)) for d in known]}]
        return {"dependencies": [list(dependency) for dependency in rows], "files": files}
