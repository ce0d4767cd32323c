"""Property tests: whatever bytes a file holds, `aisec check` ends with exit 0, 1 or 2, never
with a traceback or an internal error.

Three kinds of input: random bytes, random streams of Python tokens (with the words rules look
for, so libcst and the rules run), and real files mutated (bytes cut, repeated, inserted). Most
examples run in-process through `aisec.cli.main` (fast); a few go through the console script.
The number of examples is bounded for the test suite; set AISEC_FUZZ_EXAMPLES (e.g. 2000) for a
longer run.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aisec.cli import main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = int(os.environ.get("AISEC_FUZZ_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="AISEC_FUZZ_EXAMPLES" not in os.environ,  # the suite is repeatable
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REAL_FILES = sorted((REPO / "examples" / "vulnerable_app").glob("*.py"))

TOKENS = [
    *["import", "from", "as", "def", "class", "return", "if", "elif", "else", "for", "while", "with", "try", "except", "lambda", "yield", "await", "async", "pass"],
    *["pickle", "torch", "yaml", "numpy", "joblib", "load", "loads", "safe_load", "weights_only", "True", "False", "None", "self", "open", "f", "p", "x"],
    *["openai", "client", "chat", "completions", "create", "messages", "system", "content", "request", "args", "eval", "exec"],
    "(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "==", "+", "*", "**", "-", "/", "%", "@", "->", ":=",
    " or ", " and ", " not ", "'s'", '"""doc"""', "f'{x}'", "b'\\x80'", "0", "1.5", "\n", "\n    ", "\t", "#",
    "%%time\n", "%time ", "!ls", "x = !ls\n", "\\\n", "\uff50ickle", "\u202e", "\x1b[2J", "\r", ";", "\\",
]  # fmt: skip


def _check(folder: Path, name: str, data: bytes, *extra: str) -> None:
    target = folder / name
    target.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--no-cache", "--format", "json", *extra, str(target)])
    assert code in (0, 1, 2), (code, data[:200])
    assert "Traceback" not in err.getvalue() and "internal error" not in err.getvalue(), err.getvalue()
    report = json.loads(out.getvalue())
    assert report["summary"]["files"] == 1


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the project root
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


@SETTINGS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".py", ".ipynb", ".pyi"]))
def test_random_bytes(folder: Path, data: bytes, suffix: str) -> None:
    _check(folder, f"random{suffix}", data)


@SETTINGS
@given(tokens=st.lists(st.sampled_from(TOKENS), max_size=120))
def test_random_token_streams(folder: Path, tokens: list[str]) -> None:
    _check(folder, "tokens.py", "".join(tokens).encode("utf-8"))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(REAL_FILES)).read_bytes())
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(data)))
        end = draw(st.integers(start, min(len(data), start + 200)))
        action = draw(st.sampled_from(["cut", "repeat", "insert", "replace"]))
        if action == "cut":
            del data[start:end]
        elif action == "repeat":
            data[start:start] = data[start:end] * draw(st.integers(1, 5))
        else:
            noise = draw(st.binary(min_size=1, max_size=20) | st.sampled_from([t.encode() for t in TOKENS]))
            data[start : end if action == "replace" else start] = noise
    return bytes(data)


@SETTINGS
@given(data=mutated())
def test_mutated_real_files(folder: Path, data: bytes) -> None:
    _check(folder, "mutated.py", data)


@SETTINGS
@given(cells=st.lists(st.lists(st.sampled_from(TOKENS), max_size=30).map("".join), max_size=4))
def test_random_notebooks(folder: Path, cells: list[str]) -> None:
    notebook = {"cells": [{"cell_type": "code", "source": cell} for cell in cells]}
    _check(folder, "nb.ipynb", json.dumps(notebook).encode())


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=mutated())
def test_mutated_files_through_the_console_script(folder: Path, data: bytes) -> None:
    target = folder / "mutated.py"
    target.write_bytes(data)
    completed = subprocess.run(
        [str(Path(sys.executable).with_name("aisec")), "check", "--no-cache", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=folder,
    )
    assert completed.returncode in (0, 1, 2)
    assert "Traceback" not in completed.stderr and "internal error" not in completed.stderr
