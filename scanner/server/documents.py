"""What the editor shows, frozen at one version: the bytes to scan and where lines map back to.

A Python file is scanned as its buffer text. A notebook (LSP notebook document sync) is scanned
exactly as `aisec check` scans the `.ipynb` file: its cells become nbformat JSON, so the engine
joins the code cells and numbers the findings' cells; `Snapshot.place` maps a finding back to the
cell document it is in and to a line of that cell.
"""

from __future__ import annotations

import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def lsp_lines(text: str) -> list[str]:
    """The lines of `text` as LSP counts them (only `\\n`, `\\r\\n` and `\\r` break a line)."""
    return _LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """Offsets of the first character of each LSP line of `text`."""
    return [0, *(match.end() for match in _LINE_BREAK.finditer(text))]


def source_bytes(text: str) -> bytes:
    """The buffer as the file would be saved: in its declared (PEP 263) encoding when it can be."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data if encoding in ("utf-8", "utf-8-sig") else text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        return data  # the engine reports the undecidable or unencodable source (AIS001)


@dataclass(frozen=True)
class CellSpan:
    """A code cell: its document and its lines in the engine's joined code (1-based, inclusive)."""

    uri: str
    position: int  # 1-based among all cells, markdown included (`Finding.cell`)
    first_line: int
    text: str


@dataclass(frozen=True)
class Place:
    """A finding's place in an editor document: 0-based line, code-point column."""

    uri: str
    line: int
    column: int


@dataclass(frozen=True)
class Snapshot:
    """One version of one editor document (a file, or a whole notebook)."""

    uri: str
    version: int | None
    path: Path
    data: bytes
    texts: dict[str, str]  # document URI -> its text (one entry, or one per code cell)
    cells: tuple[CellSpan, ...] = field(default=())

    @property
    def is_notebook(self) -> bool:
        return self.path.suffix == ".ipynb"

    def place(self, line: int, column: int, cell: int | None = None) -> Place | None:
        """Where a 1-based (line, column) of the scanned source is (in a notebook: in `cell`, or
        the cell that holds the line); None outside the documents."""
        if not self.is_notebook:
            return Place(self.uri, line - 1, column - 1)
        for index, span in enumerate(self.cells):
            following = self.cells[index + 1].first_line if index + 1 < len(self.cells) else None
            inside = span.first_line <= line and (following is None or line < following)
            if span.position == cell or (cell is None and inside):
                return Place(span.uri, line - span.first_line, column - 1)
        return None

    def uris(self) -> list[str]:
        return list(self.texts)


def text_snapshot(uri: str, version: int | None, path: Path, text: str) -> Snapshot:
    return Snapshot(uri, version, path, source_bytes(text), {uri: text})


def notebook_snapshot(
    uri: str, version: int | None, path: Path, cells: Sequence[tuple[str, bool, str]]
) -> Snapshot:
    """`cells`: (document URI, is a code cell, text) in notebook order."""
    from aisec.notebooks import notebook_code

    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {"cell_type": "code" if code else "markdown", "source": text, "metadata": {}}
            for _, code, text in cells
        ],
    }
    serialized = json.dumps(document)
    _, cell_of_line = notebook_code(serialized)
    first_lines: dict[int, int] = {}
    for index, position in enumerate(cell_of_line, start=1):
        first_lines.setdefault(position, index)
    spans = tuple(
        CellSpan(cell_uri, position, first_lines[position], text)
        for position, (cell_uri, code, text) in enumerate(cells, start=1)
        if code and position in first_lines
    )
    texts = {span.uri: span.text for span in spans}
    return Snapshot(uri, version, path, serialized.encode("utf-8"), texts, spans)
