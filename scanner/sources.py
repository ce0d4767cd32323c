"""The source lines a report shows (`Report.sources`), made only when a formatter asks for them.

A warm run takes most results from the cache: splitting every file with findings into lines
(2,550 files in transformers) cost it about a quarter of a second, for JSON, SARIF or GitHub
output that never shows a line. So a cached result carries how to make its lines
(`FileResult.source`) and `SourceLines` makes them on first access: from the bytes the result was
looked up with (exactly the lines a split at lookup time gave).
"""

from __future__ import annotations

from typing import Callable, Iterator, Mapping

LinesSource = Callable[[], "list[str] | None"]  # None: no lines to show


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
