"""`aisec check examples/vulnerable_app`, the README's quick start, against the app's README.

`examples/vulnerable_app/README.md` is the single source of truth: its "Expected findings" table
lists every finding (file, line, code) and its "Safe look-alikes" table the lines that must stay
silent. Rows of rules that are not registered yet (`aisec rules`) are skipped, so the table can
list the whole catalog before every rule exists. The `# issue: CODE` / `# safe:` comments in the
sources must agree with the tables, so line numbers cannot drift unnoticed; `# issue: CODE at
FILE` marks the code that loads a model file reported at FILE (line 1).

The app's model files are never committed: the test copies the app and writes them with
`examples/make_models.py`, as the README tells a reader to, then scans the copy.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tokenize
from functools import cache
from pathlib import Path
from typing import Any

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
APP = CHECKOUT / "examples" / "vulnerable_app"
README = APP / "README.md"
MAKE_MODELS = CHECKOUT / "examples" / "make_models.py"

_ROW = re.compile(r"^\|(?P<cells>.*)\|\s*$")
_MARKER = re.compile(r"#\s*(?P<kind>issue|safe):\s*(?P<rest>.*)$")  # a real comment token
_AT = re.compile(r"^(?P<codes>\S+) at (?P<file>\S+)")  # `# issue: AIS401 at models/ranker.pt`
_CODE = re.compile(r"^[A-Z]+[0-9]+$")

Expected = tuple[str, int, str]  # (file relative to the app, line, code)
Safe = tuple[str, int]


@cache
def workspace() -> Path:
    """A folder holding `examples/vulnerable_app`: a copy of the app, with the model files that
    `examples/make_models.py` writes (the README's first step)."""
    base = Path(tempfile.mkdtemp(prefix="aisec-example-"))
    atexit.register(shutil.rmtree, base, True)
    copy = base / "examples" / "vulnerable_app"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("models", "__pycache__"))
    made = subprocess.run(
        [sys.executable, str(MAKE_MODELS), str(copy / "models")], capture_output=True, text=True, timeout=60
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return base


def _aisec(*args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "FORCE_COLOR"}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "aisec", *args],
        cwd=workspace(),
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _tables(text: str) -> dict[str, list[list[str]]]:
    """Markdown tables under each `## heading`: heading -> rows of cells (header and rule dropped)."""
    tables: dict[str, list[list[str]]] = {}
    heading = ""
    rows: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            continue
        match = _ROW.match(line.strip())
        if match and heading:
            rows = tables.setdefault(heading, [])
            rows.append([cell.strip() for cell in match["cells"].split("|")])
    return {name: rows[2:] for name, rows in tables.items()}  # drop header + `| --- |` rule


def _file(cell: str) -> str:
    name = cell.strip("`")
    app = workspace() / "examples" / "vulnerable_app"
    assert (app / name).is_file(), (
        f"README names {name!r}, which is not a file of the app (or made by {MAKE_MODELS.name})"
    )
    return name


@cache
def readme_expected() -> frozenset[Expected]:
    rows = _tables(README.read_text(encoding="utf-8"))["Expected findings"]
    expected = set()
    for cells in rows:
        file, line, code = _file(cells[0]), int(cells[1]), cells[2]
        assert _CODE.match(code), f"bad code {code!r} in README row {cells}"
        expected.add((file, line, code))
    assert len(expected) == len(rows), "duplicate rows in the README's expected findings"
    return frozenset(expected)


@cache
def readme_safe() -> frozenset[Safe]:
    rows = _tables(README.read_text(encoding="utf-8"))["Safe look-alikes (no finding)"]
    return frozenset((_file(cells[0]), int(cells[1])) for cells in rows)


@cache
def registered_codes() -> frozenset[str]:
    result = _aisec("rules")
    assert result.returncode == 0, result.stdout + result.stderr
    codes = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    return frozenset(code for code in codes if _CODE.match(code))


@cache
def scan() -> dict[str, Any]:
    result = _aisec("check", "--format", "json", "examples/vulnerable_app")
    assert result.returncode == 1, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return json.loads(result.stdout)


def found() -> set[Expected]:
    prefix = "examples/vulnerable_app/"
    findings = set()
    for finding in scan()["findings"]:
        path = finding["path"]
        assert path.startswith(prefix), path
        findings.add((path[len(prefix) :], finding["line"], finding["code"]))
    return findings


def test_readme_tables_are_parsed() -> None:
    assert len(readme_expected()) >= 10
    assert len(readme_safe()) >= 10
    assert {"AIS101", "AIS105"} <= {code for _, _, code in readme_expected()}
    # the whole product: model loading, prompt injection, model output, malicious model files
    families = {code[:4] for _, _, code in readme_expected()}
    assert {"AIS1", "AIS2", "AIS3", "AIS4"} <= families
    assert {"AIS201", "AIS202", "AIS301", "AIS302", "AIS303", "AIS401"} <= {
        c for _, _, c in readme_expected()
    }
    assert not {(file, line) for file, line, _ in readme_expected()} & readme_safe()


def test_readme_agrees_with_source_comments() -> None:
    issues: set[Expected] = set()
    safe: set[Safe] = set()
    for path in sorted(APP.glob("*.py")):
        with path.open("rb") as source:
            comments = [t for t in tokenize.tokenize(source.readline) if t.type == tokenize.COMMENT]
        for token in comments:
            number = token.start[0]
            match = _MARKER.match(token.string)
            if match is None:
                continue
            if match["kind"] == "safe":
                safe.add((path.name, number))
                continue
            codes = re.findall(r"\b[A-Z]+[0-9]{3}\b", match["rest"].split(" ", 1)[0])
            assert codes, f"{path.name}:{number}: `# issue:` comment must start with a code"
            at = _AT.match(match["rest"])
            if at is not None:  # the finding is located in the model file the line loads
                issues.update((at["file"], 1, code) for code in codes)
            else:
                issues.update((path.name, number, code) for code in codes)
    assert issues == set(readme_expected()), "README expected findings vs `# issue:` comments"
    assert safe == set(readme_safe()), "README safe look-alikes vs `# safe:` comments"


def test_text_run_exits_1_and_prints_findings() -> None:
    result = _aisec("check", "examples/vulnerable_app")
    assert result.returncode == 1, result.stdout + result.stderr
    for file, line, code in readme_expected():
        if code in registered_codes():
            assert re.search(
                rf"^examples/vulnerable_app/{re.escape(file)}:{line}:\d+: {code} ", result.stdout, re.M
            ), f"{file}:{line} {code} not printed\n{result.stdout}"


def test_every_expected_finding_of_a_registered_rule_is_reported() -> None:
    registered = registered_codes()
    assert {"AIS101", "AIS105"} <= registered
    wanted = {row for row in readme_expected() if row[2] in registered}
    missing = wanted - found()
    assert not missing, f"expected by the README but not reported: {sorted(missing)}"


def test_nothing_else_is_reported() -> None:
    """A registered rule reporting a line the README does not list is either a false positive or
    a README to update."""
    extra = found() - readme_expected()
    assert not extra, f"reported but not in the README's expected findings: {sorted(extra)}"
    assert scan()["errors"] == []


def test_look_alikes_are_silent() -> None:
    noisy = {(file, line, code) for file, line, code in found() if (file, line) in readme_safe()}
    assert not noisy, f"safe look-alikes reported: {sorted(noisy)}"


@pytest.mark.parametrize("name", sorted(p.name for p in APP.glob("*.py")))
def test_each_file_parses(name: str) -> None:
    compile((APP / name).read_text(encoding="utf-8"), name, "exec")


def test_readme_quick_start_output_is_real() -> None:
    """Every line the main README's quick start shows (one finding of each family and the
    summary) is a line `aisec check examples/vulnerable_app` prints."""
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ aisec check examples/vulnerable_app\n", 1)[1].split("```", 1)[0]
    shown = [line for line in block.splitlines() if line.strip() and line != "..."]
    assert {"AIS1", "AIS2", "AIS3", "AIS4"} <= {m[:4] for m in re.findall(r": (AIS\d{3}) \[", block)}
    printed = _aisec("check", "examples/vulnerable_app").stdout.splitlines()
    missing = [line for line in shown if line not in printed]
    assert not missing, "README quick start lines not printed:\n" + "\n".join(missing)
