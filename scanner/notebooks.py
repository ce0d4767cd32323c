"""Jupyter notebooks: their code cells, joined in order, are checked as one module.

Line numbers count lines of the joined code cells (the JSON contract), and each finding gets
the 1-based position, among all the notebook's cells, of the cell it is in (what a user counts
when scrolling; markdown cells included). IPython magics and shell escapes (`%pip`,
`!ls`, `%%bash` cells) are not Python: they become `pass` at the same indentation, so line
numbers stay put and the rest of the notebook still parses.

Magics that run Python are checked as the Python they run: the body of a `%%time`,
`%%timeit`, `%%capture`, `%%prun`, `%%debug` or `%%python3` cell, and the statement after a line
magic such as `%time x = pickle.load(f)` or `%timeit -n 3 f()`. A shell or magic capture
(`files = !ls`, `out = %sx ls`) becomes `files = None`, so the name stays bound.
"""

from __future__ import annotations

import json
import re

_MAGIC = re.compile(r"^(\s*)(%|!|\?)")
# Cell magics whose body is Python that IPython runs.
_PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3"})
# `%time stmt`: line magics that run the rest of the line as Python (options first).
_PYTHON_LINE_MAGIC = re.compile(
    r"^(\s*)%(?:time|timeit|prun|debug)\b((?:\s+-\w+(?:\s+\d+)?)*)\s+(?P<code>\S.*)$"
)
# `x = !ls`, `x = %sx ls`, `x = %time f()`: an assignment whose value is a shell escape or a magic.
_CAPTURE = re.compile(r"^(?P<target>\s*[\w.]+(?:\s*,\s*[\w.]+)*\s*=)\s*(?P<escape>!|%)(?P<rest>.*)$")


class NotebookError(ValueError):
    """The notebook is not valid JSON or has no usable `cells` list."""


def notebook_code(text: str) -> tuple[str, list[int]]:
    """The joined code of a notebook's code cells and, for each line, its cell number."""
    try:
        notebook = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"not valid notebook JSON: {exc}") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookError("no `cells` list: not a Jupyter notebook (nbformat 4)")
    lines: list[str] = []
    cell_of_line: list[int] = []
    for position, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        text_of_cell = "".join(source) if isinstance(source, list) else str(source)
        cell_lines = text_of_cell.splitlines() or [""]
        first = cell_lines[0].strip()
        cell_magic = first[2:].split(maxsplit=1)[0] if first.startswith("%%") and len(first) > 2 else None
        python_body = cell_magic in _PYTHON_CELL_MAGICS
        for index, line in enumerate(cell_lines):
            if cell_magic is not None and (index == 0 or not python_body):
                line = "pass"
            else:
                line = _python_line(line)
            lines.append(line)
            cell_of_line.append(position)
    return "".join(line + "\n" for line in lines), cell_of_line


def _python_line(line: str) -> str:
    """The Python a notebook line runs (`pass` for a magic or shell escape that runs none)."""
    wrapped = _PYTHON_LINE_MAGIC.match(line)
    if wrapped:
        return f"{wrapped.group(1)}{wrapped.group('code')}"
    capture = _CAPTURE.match(line)
    if capture:
        inner = (
            _PYTHON_LINE_MAGIC.match("%" + capture.group("rest")) if capture.group("escape") == "%" else None
        )
        return f"{capture.group('target')} {inner.group('code') if inner else 'None'}"
    match = _MAGIC.match(line)
    if match:
        return f"{match.group(1)}pass"
    return line
