"""A warm run with findings: a changed dependency still rescans a cached file, whose dependencies
are checked by their path as it was recorded (`cache.dependencies_hold`)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import aisec.run
import aisec.stamps
import pytest
from aisec.engine import file_signature

ROUTE = "from flask import request\nfrom helper import ask\n\nask(request.args['q'])\n"
ASKS_A_MODEL = (
    "import openai\n\ndef ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n"
)
TICK = 0.05  # past the coarse clock tick file timestamps come from


@pytest.fixture(params=["stamps", "content"])
def lookup(request, monkeypatch) -> list[str]:
    """Warm runs look files up by stamp (stamps of files written just now count) or, as a run on
    a few files does, by content; returns the files each run read before looking them up."""
    stamps = request.param == "stamps"
    monkeypatch.setattr(aisec.stamps, "RACY_NS", 0)
    monkeypatch.setattr(aisec.stamps, "MIN_FILES", 1 if stamps else 10**9)
    read: list[str] = []
    real = aisec.stamps.read_stamped

    def recording(path: Path):
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(aisec.run, "read_stamped", recording)
    return read


def _run(run_cli, root: Path, *args: str) -> str:
    result = run_cli(["check", *args, "."], cwd=root)
    assert result.code in (0, 1), result.err
    return result.out


def _findings(run_cli, root: Path, *extra: str) -> list[tuple[str, int, str]]:
    data = json.loads(_run(run_cli, root, "--format", "json", *extra))
    return sorted((f["path"], f["line"], f["code"]) for f in data["findings"])


def _write(path: Path, data: bytes | str) -> None:
    time.sleep(TICK)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def test_file_signature_of_a_string_is_that_of_its_path(tmp_path) -> None:
    file = tmp_path / "model.bin"
    file.write_bytes(b"x" * 7)
    info = file.stat()
    assert file_signature(str(file)) == file_signature(file) == (7, info.st_mtime_ns, info.st_ino)
    assert file_signature(str(tmp_path / "gone.bin")) == (-1, -1, -1)


def test_a_file_with_findings_is_scanned_again_when_a_dependency_changed(tree, run_cli, lookup) -> None:
    root = tree({"route.py": ROUTE, "helper.py": ASKS_A_MODEL, ".git/HEAD": ""})
    cold = _findings(run_cli, root)
    assert ("route.py", 4, "AIS201") in cold
    warm = json.loads(_run(run_cli, root, "--format", "json"))
    assert (
        warm["summary"]["cached"] == 2
        and sorted((f["path"], f["line"], f["code"]) for f in warm["findings"]) == cold
    )
    _write(root / "helper.py", "def ask(q):\n    return q\n")
    assert _findings(run_cli, root) == _findings(run_cli, root, "--no-cache") == []
