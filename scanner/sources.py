"""The source lines a report shows (`Report.sources`), made only when a formatter asks for them.

A warm run takes most results from the cache: splitting every file with findings into lines
(2,550 files in transformers) cost it about a quarter of a second, for JSON, SARIF or GitHub
output that never shows a line. So a cached result carries how to make its lines
(`FileResult.source`) and `SourceLines` makes them on first access: from the bytes the result was
looked up with (exactly the lines a split at lookup time gave), or, for a file the stamp index
vouched for without reading it, from a read at formatting time that still has that stamp
(`stamped_lines`): a file changed since shows no lines rather than lines its findings are not of.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Iterator, Mapping

from .engine import MAX_SOURCE_BYTES

LinesSource = Callable[[], "list[str] | None"]  # None: no lines to show (the file is gone or changed)


class SourceLines(Mapping[str, list[str]]):
    """`Report.sources`, a `Mapping[str, list[str]]` as formatter plugins know it: each file's
    lines, kept as given or made by its `LinesSource` on first access (once). A file whose lines
    cannot be made is not in the mapping, as a file whose result kept no lines never was."""

    def __init__(self) -> None:
        self._entries: dict[str, list[str] | LinesSource | None] = {}

    def add(self, path: str, lines: list[str] | LinesSource) -> None:
        self._entries[path] = lines

    def __getitem__(self, path: str) -> list[str]:
        entry = self._entries[path]
        if callable(entry):
            entry = self._entries[path] = entry()
        if entry is None:
            raise KeyError(path)
        return entry

    def __iter__(self) -> Iterator[str]:
        return iter([path for path in list(self._entries) if path in self])

    def __len__(self) -> int:
        return sum(1 for _ in self)


def split_lines(data: bytes, encoding: str) -> LinesSource:
    """The lines of `data` (a file's bytes as the cache looked its result up), when asked."""
    return lambda: data.decode(encoding, "replace").splitlines()


def stamped_lines(path: Path, stamp: list[int], encoding: str) -> LinesSource:
    """The lines of the file at `path` when asked, if it still has `stamp` (the stamp the index
    vouched for its result with: then these are the bytes its findings are of); None when it
    changed, is gone or cannot be read."""

    def read() -> list[str] | None:
        from .stamps import stamp_of

        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_SOURCE_BYTES + 1)
                # after the read: a write before or during it moved the change time past the
                # stamp (recorded only once it was older than the timestamp granularity)
                if stamp_of(os.fstat(handle.fileno())) != stamp:
                    return None
        except OSError:
            return None
        return data.decode(encoding, "replace").splitlines()

    return read
