"""A warm run with findings: its output, code frames included, is byte for byte a cold run's,
although a cached result's lines are made only when a formatter asks for them and a file whose
stamp holds is not read at all (`aisec.sources`, `aisec.stamps`); a changed file or dependency is
still scanned again, and lines are never shown of other bytes than the findings are of."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import aisec.cache
import aisec.run
import aisec.stamps
import pytest
from aisec.engine import file_signature
from aisec.run import CheckOptions, open_session, run_check
from test_cross_module import REACHING_TOO_FAR
from test_stamps import recorded_reads

# latin-1 (declared): the lines must be decoded with the recorded encoding
PICKLE = b"# -*- coding: latin-1 -*-\nimport pickle\n\ndef load(p):\n    return pickle.loads(p)  # caf\xe9\n"
MOVED = b"# -*- coding: latin-1 -*-\nimport pickle\ndef load(p):\n    return pickle.loads(p)  # na\xefve\n"  # as long
CLEAN = "def load(p):\n    return len(p)\n"
ROUTE = "from flask import request\nfrom helper import ask\n\nask(request.args['q'])\n"
ASKS_A_MODEL = (
    "import openai\n\ndef ask(q):\n"
    "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n"
)
TICK = 0.05  # past the coarse clock tick file timestamps come from
FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


@pytest.fixture(params=["stamps", "content"])
def lookup(request, monkeypatch) -> list[str]:
    """Warm runs look files up by stamp (stamps of files written just now count) or, as a run on
    a few files does, by content; returns the files each run read before looking them up."""
    return recorded_reads(monkeypatch, min_files=1 if request.param == "stamps" else 10**9)


def _run(run_cli, root: Path, *args: str) -> str:
    result = run_cli(["check", *args, "."], cwd=root)
    assert result.code in (0, 1), result.err
    return result.out


def _outputs(run_cli, root: Path, *extra: str) -> dict[str, str]:
    """Every format's output of one state of the tree (JSON without its count of cached files)."""
    outputs = {}
    for name in FORMATS:
        out = _run(run_cli, root, "--format", name, "--show-source", *extra)
        if name == "json":
            data = json.loads(out)
            del data["summary"]["cached"]
            out = json.dumps(data)
        outputs[name] = out
    return outputs


def _findings(run_cli, root: Path, *extra: str) -> list[tuple[str, int, str]]:
    data = json.loads(_run(run_cli, root, "--format", "json", *extra))
    return sorted((f["path"], f["line"], f["code"]) for f in data["findings"])


def _write(path: Path, data: bytes | str) -> None:
    time.sleep(TICK)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


def _report(root: Path):
    options = CheckOptions(paths=["."])
    return run_check(open_session(options, root), options, root).report


def test_file_signature_of_a_string_is_that_of_its_path(tmp_path) -> None:
    file = tmp_path / "model.bin"
    file.write_bytes(b"x" * 7)
    info = file.stat()
    assert file_signature(str(file)) == file_signature(file) == (7, info.st_mtime_ns, info.st_ino)
    assert file_signature(str(tmp_path / "gone.bin")) == (-1, -1, -1)


def test_a_warm_run_shows_what_a_cold_one_does_in_every_format(tree, run_cli, lookup) -> None:
    root = tree({"bad.py": PICKLE, "app.py": CLEAN, ".git/HEAD": ""})
    cold = _outputs(run_cli, root)
    assert "caf\u00e9" in cold["text"] and "return pickle.loads(p)" in cold["text"]  # a code frame
    lookup.clear()
    warm = _outputs(run_cli, root)
    # looked up by its stamp, bad.py is not read to be looked up (its lines are read for the frame)
    assert lookup == ([] if aisec.stamps.MIN_FILES == 1 else ["app.py", "bad.py"] * len(FORMATS))
    assert warm == cold == _outputs(run_cli, root, "--no-cache")


def test_a_finding_without_a_code_frame_cold_has_none_warm(tree, run_cli, lookup, monkeypatch) -> None:
    """A file the prefilter screened out is not split into lines: its notice (AIS005, imports
    reaching too far) shows no code frame cold, and so none warm either, while a parsed file's
    finding keeps its frame in both."""
    from aisec.taint import graph

    monkeypatch.setattr(graph, "MAX_REACH", 1)
    root = tree({**REACHING_TOO_FAR, "bad.py": PICKLE})
    cold = _outputs(run_cli, root)
    assert "app/unused.py:1:1: AIS005" in cold["text"] and "return pickle.loads(p)" in cold["text"]
    assert "from flask import request" not in cold["text"]  # app/unused.py's first line: no frame
    assert _outputs(run_cli, root) == cold == _outputs(run_cli, root, "--no-cache")


def test_a_formatter_reading_sources_gets_the_lines_of_a_cold_run(tree, lookup) -> None:
    root = tree({"bad.py": PICKLE, "app.py": CLEAN, ".git/HEAD": ""})
    cold = _report(root).sources
    warm = _report(root)
    assert warm.summary.cached == 2
    expected = {"bad.py": PICKLE.decode("latin-1").splitlines()}
    assert dict(cold) == expected
    assert list(warm.sources) == ["bad.py"] and len(warm.sources) == 1 and "app.py" not in warm.sources
    assert (
        warm.sources["bad.py"] == expected["bad.py"]
        and warm.source_line("bad.py", 2) == expected["bad.py"][1]
    )


def test_a_file_edited_after_its_lookup_shows_no_lines_of_its_new_bytes(tree, lookup) -> None:
    """Looked up by content, the lines are those of the bytes looked up (as before they were made
    lazily); looked up by stamp, the file is read when the lines are asked for, and shows none
    once it changed: never lines the findings are not of."""
    root = tree({"bad.py": PICKLE, "app.py": CLEAN, ".git/HEAD": ""})
    _report(root)
    warm = _report(root)
    assert warm.summary.cached == 2
    _write(root / "bad.py", MOVED)
    if aisec.stamps.MIN_FILES == 1:
        assert warm.source_line("bad.py", 2) is None and dict(warm.sources) == {}
    else:
        assert warm.sources["bad.py"] == PICKLE.decode("latin-1").splitlines()


def test_a_file_with_findings_edited_between_runs_is_read_again(tree, run_cli, lookup) -> None:
    """Same size, its modification time put back: the change time still moved."""
    root = tree({"bad.py": PICKLE, "app.py": CLEAN, ".git/HEAD": ""})
    assert _findings(run_cli, root) == [("bad.py", 5, "AIS101")]
    bad = root / "bad.py"
    before = bad.stat()
    _write(bad, MOVED)  # the same length, the finding one line higher
    os.utime(bad, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (bad.stat().st_size, bad.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    lookup.clear()
    warm = _outputs(run_cli, root)
    assert "bad.py" in lookup  # read to be looked up
    assert warm == _outputs(run_cli, root, "--no-cache")
    assert "4 |     return pickle.loads(p)  # na\u00efve" in warm["text"]


def test_a_file_with_findings_is_scanned_again_when_a_dependency_changed(tree, run_cli, lookup) -> None:
    """Two results depend on helper.py (looked at once per run), one also on other.py."""
    root = tree(
        {
            "route.py": ROUTE,
            "both.py": ROUTE.replace("from helper import ask\n", "from helper import ask\nimport other\n"),
            "helper.py": ASKS_A_MODEL,
            "other.py": "def noop():\n    return None\n",
            ".git/HEAD": "",
        }
    )
    cold = _findings(run_cli, root)
    assert ("route.py", 4, "AIS201") in cold and ("both.py", 5, "AIS201") in cold
    lookup.clear()
    warm = json.loads(_run(run_cli, root, "--format", "json"))
    assert warm["summary"]["cached"] == 4
    # by stamp, not even the results that share a dependency read their files
    assert sorted(lookup) == (
        [] if aisec.stamps.MIN_FILES == 1 else ["both.py", "helper.py", "other.py", "route.py"]
    )
    assert sorted((f["path"], f["line"], f["code"]) for f in warm["findings"]) == cold
    _write(root / "other.py", "def noop():\n    return 1\n")
    warm = json.loads(_run(run_cli, root, "--format", "json"))
    assert warm["summary"]["cached"] == 2  # other.py and both.py scanned again
    assert sorted((f["path"], f["line"], f["code"]) for f in warm["findings"]) == cold
    _write(root / "helper.py", "def ask(q):\n    return q\n")
    assert _findings(run_cli, root) == _findings(run_cli, root, "--no-cache") == []


def test_an_index_too_big_with_findings_keeps_the_entries_without(tree, run_cli, monkeypatch) -> None:
    """The index is one cache entry: rather than none, the entries of clean files are recorded."""
    monkeypatch.setattr(aisec.stamps, "RACY_NS", 0)
    monkeypatch.setattr(aisec.stamps, "MIN_FILES", 1)
    root = tree({"bad.py": PICKLE, "app.py": CLEAN, ".git/HEAD": ""})
    _run(run_cli, root, "--format", "json")
    (index,) = (root / ".aisec_cache").rglob("stamps/*/*.json")
    record = json.loads(index.read_bytes().partition(b"\n")[2])
    assert sorted(record["files"]) == ["app.py", "bad.py"]
    clean = len(json.dumps({**record, "files": {"app.py": record["files"]["app.py"]}}).encode())
    monkeypatch.setattr(aisec.cache, "MAX_ENTRY_BYTES", clean + 65)
    _run(run_cli, root, "--format", "json")
    assert sorted(json.loads(index.read_bytes().partition(b"\n")[2])["files"]) == ["app.py"]
    read: list[str] = []
    real = aisec.stamps.read_stamped
    monkeypatch.setattr(aisec.run, "read_stamped", lambda path: read.append(path.name) or real(path))
    assert _findings(run_cli, root) == [("bad.py", 5, "AIS101")] and "app.py" not in read and "bad.py" in read
