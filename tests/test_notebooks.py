"""Jupyter notebooks: code cells joined in order, magics neutralised, cell numbers reported."""

from __future__ import annotations

import json

from aisec.notebooks import NotebookError, notebook_code


def _notebook(*cells: tuple[str, str | list[str]]) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": kind, "source": source, "metadata": {}} for kind, source in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


NOTEBOOK = _notebook(
    ("markdown", ["# Load the model\n"]),
    ("code", ["%pip install torch\n", "import pickle\n"]),
    ("code", "!ls models\nmodel = pickle.loads(blob)\n"),
    ("code", ["%%bash\n", "echo pickle.loads\n"]),
    ("code", ["import json\n", "cfg = json.loads(text)\n"]),
)


def test_code_cells_are_joined_with_magics_as_pass() -> None:
    code, cells = notebook_code(NOTEBOOK)
    assert code.splitlines() == [
        "pass",
        "import pickle",
        "pass",
        "model = pickle.loads(blob)",
        "pass",
        "pass",
        "import json",
        "cfg = json.loads(text)",
    ]
    assert cells == [2, 2, 3, 3, 4, 4, 5, 5]


def test_broken_notebooks_raise() -> None:
    for text in ("{not json", json.dumps({"cells": "nope"}), json.dumps([1, 2])):
        try:
            notebook_code(text)
        except NotebookError:
            continue
        raise AssertionError(f"no error for {text!r}")


def test_finding_in_a_notebook_has_line_and_cell(tree, run_cli) -> None:
    root = tree({"analysis.ipynb": NOTEBOOK})
    result = run_cli(["check", "--format", "json", "--no-cache", "."], cwd=root)
    assert result.code == 1
    findings = result.json()["findings"]
    assert [(f["code"], f["path"], f["line"], f["column"], f["cell"]) for f in findings] == [
        ("AIS101", "analysis.ipynb", 4, 9, 3)
    ]


def test_text_output_names_the_cell(tree, run_cli) -> None:
    root = tree({"analysis.ipynb": NOTEBOOK})
    result = run_cli(["check", "--no-cache", "analysis.ipynb"], cwd=root)
    assert "analysis.ipynb:4:9: AIS101" in result.out
    assert "(cell 3, line 2)" in result.out


def test_broken_notebook_is_ais001_and_the_rest_is_scanned(tree, run_cli) -> None:
    root = tree({"broken.ipynb": "{not json", "b.py": "import pickle\npickle.loads(x)\n"})
    result = run_cli(["check", "--format", "json", "--no-cache", "."], cwd=root)
    codes = sorted((f["code"], f["path"]) for f in result.json()["findings"])
    assert codes == [("AIS001", "broken.ipynb"), ("AIS101", "b.py")]


def test_fix_never_rewrites_a_notebook(tree, run_cli) -> None:
    notebook = _notebook(("code", ["import yaml\n", "cfg = yaml.load(s)\n"]))
    root = tree({"n.ipynb": notebook})
    result = run_cli(["check", "--fix", "--unsafe-fixes", "--no-cache", "n.ipynb"], cwd=root)
    assert (root / "n.ipynb").read_text(encoding="utf-8") == notebook
    assert result.code == 1


def test_notebook_without_triggers_is_not_parsed(tree, run_cli) -> None:
    root = tree({"plain.ipynb": _notebook(("code", "x = 1\n"))})
    summary = run_cli(["check", "--format", "json", "--no-cache", "."], cwd=root).json()["summary"]
    assert summary == {"files": 1, "parsed": 0, "skipped_by_prefilter": 1, "cached": 0, "findings": 0}
