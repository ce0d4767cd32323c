"""Jupyter notebooks: their code cells, joined in order, are checked as one module.

Line numbers count lines of the joined code cells (the JSON contract), and each finding gets
the 1-based position, among all the notebook's cells, of the cell it is in (what a user counts
when scrolling; markdown cells included). IPython magics and shell escapes (`%pip`,
`!ls`, `%%bash` cells) are not Python: they become `pass` at the same indentation, so line
numbers stay put and the rest of the notebook still parses.
"""

from __future__ import annotations

import json
import re

_MAGIC = re.compile(r"^(\s*)(%|!|\?)")


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
        whole_cell_magic = cell_lines[0].lstrip().startswith("%%")
        for line in cell_lines:
            match = _MAGIC.match(line)
            if whole_cell_magic or match:
                indent = match.group(1) if match else ""
                line = f"{indent}pass"
            lines.append(line)
            cell_of_line.append(position)
    return "".join(line + "\n" for line in lines), cell_of_line
