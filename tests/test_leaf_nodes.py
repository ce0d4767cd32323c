"""The analysis compares some node classes by identity (`type(node) is cst.Name`, see
`aisec.taint.syntax`): the same answer as `isinstance` only while libcst subclasses none of them."""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst
import pytest

SCANNER = Path(__file__).resolve().parent.parent / "scanner"
_COMPARED = re.compile(r"type\([^()]*\) (?:is|in) \(?((?:cst\.\w+(?:, )?)+)")


def compared_by_identity() -> set[str]:
    found: set[str] = set()
    for path in (SCANNER / "names.py", *sorted((SCANNER / "taint").glob("*.py"))):
        for match in _COMPARED.finditer(path.read_text(encoding="utf-8")):
            found.update(name.removeprefix("cst.") for name in match.group(1).split(", ") if name)
    return found


def test_the_scan_finds_the_comparisons() -> None:
    assert {"Name", "Attribute", "Call", "SimpleStatementLine", "Not"} <= compared_by_identity()


@pytest.mark.parametrize("name", sorted(compared_by_identity()))
def test_no_libcst_class_compared_by_identity_has_subclasses(name: str) -> None:
    node_class = getattr(cst, name)
    assert issubclass(node_class, cst.CSTNode)
    assert node_class.__subclasses__() == []
