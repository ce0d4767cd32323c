"""The stamp index decides that a file is unchanged from its stat alone: these tests try to make
it believe a changed file is unchanged (same mtime, same size, a symlink, a forged index, a
changed dependency) and check that the file is scanned again."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import aisec.run
import aisec.stamps
import pytest

PICKLE = "import pickle\n\ndef load(p):\n    return pickle.loads(p)\n"
CLEAN = "def load(p):\n    return len(p)\n# no loads here\n".ljust(len(PICKLE) - 1, "-") + "\n"  # as long
TICK = 0.05  # past the coarse clock tick file timestamps come from (at most 10 ms on Linux)


@pytest.fixture
def stamping(monkeypatch) -> list[str]:
    """Stamps of files written just now count (the tests sleep past a clock tick before each
    write); returns the files each run read."""
    return recorded_reads(monkeypatch, min_files=1)


def recorded_reads(monkeypatch, min_files: int) -> list[str]:
    """Stamps of files written just now count, a run of `min_files` files or more uses the stamp
    index; returns the names of the files each run reads to look them up."""
    monkeypatch.setattr(aisec.stamps, "RACY_NS", 0)
    monkeypatch.setattr(aisec.stamps, "MIN_FILES", min_files)
    read: list[str] = []
    real = aisec.stamps.read_stamped

    def recording(path: Path):
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(aisec.run, "read_stamped", recording)
    return read


def _scan(run_cli, root: Path, *extra: str) -> dict:
    result = run_cli(["check", "--format", "json", *extra, "."], cwd=root)
    assert result.code in (0, 1), result.err
    return result.json()


def _codes(data: dict) -> list[tuple[str, str]]:
    return sorted((f["path"], f["code"]) for f in data["findings"])


def _index(root: Path) -> Path:
    (found,) = (root / ".aisec_cache").rglob("stamps/*/*.json")
    return found


def _write(path: Path, text: str) -> None:
    time.sleep(TICK)
    path.write_text(text, encoding="utf-8")


def test_a_warm_run_reads_no_unchanged_file(tree, run_cli, stamping) -> None:
    root = tree({"app.py": CLEAN, "bad.py": PICKLE, ".git/HEAD": ""})
    cold = _scan(run_cli, root)
    stamping.clear()
    warm = _scan(run_cli, root)
    assert stamping == []  # not even bad.py: JSON shows no lines (tests/test_warm_sources.py)
    assert warm["summary"]["cached"] == 2 and _codes(warm) == _codes(cold) == [("bad.py", "AIS101")]
    _, _, payload = _index(root).read_bytes().partition(b"\n")
    assert sorted(json.loads(payload)["files"]) == [
        "app.py",
        "bad.py",
    ]  # results with findings are indexed too


def test_new_content_with_the_old_mtime_and_size_is_scanned(tree, run_cli, stamping) -> None:
    root = tree({"app.py": CLEAN, ".git/HEAD": ""})
    assert _codes(_scan(run_cli, root)) == []
    app = root / "app.py"
    before = app.stat()
    _write(app, PICKLE)
    os.utime(app, ns=(before.st_atime_ns, before.st_mtime_ns))  # as `touch -d` or a restore would
    assert (app.stat().st_size, app.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert _codes(_scan(run_cli, root)) == [("app.py", "AIS101")]  # its ctime moved


def test_a_file_replaced_by_a_symlink_is_scanned(tree, run_cli, stamping) -> None:
    root = tree({"app.py": CLEAN, "lib/other.py": PICKLE, ".git/HEAD": ""})
    assert _codes(_scan(run_cli, root)) == [("lib/other.py", "AIS101")]
    app = root / "app.py"
    before = app.stat()
    time.sleep(TICK)
    app.unlink()
    app.symlink_to(root / "lib" / "other.py")
    os.utime(root / "lib" / "other.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _codes(_scan(run_cli, root)) == [("app.py", "AIS101")]  # (a file is checked once)


def test_a_forged_index_is_not_trusted(tree, run_cli, stamping) -> None:
    """The index says the changed file has its new stamp and a clean result, but its signature
    is of the old payload."""
    root = tree({"app.py": CLEAN, ".git/HEAD": ""})
    _scan(run_cli, root)
    index = _index(root)
    mac, _, payload = index.read_bytes().partition(b"\n")
    _write(root / "app.py", PICKLE)
    record = json.loads(payload)
    info = (root / "app.py").stat()
    record["files"]["app.py"][0] = [
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
    ]
    index.write_bytes(mac + b"\n" + json.dumps(record).encode())
    assert _codes(_scan(run_cli, root)) == [("app.py", "AIS101")]


def test_a_changed_dependency_rescans_a_file_whose_stamp_holds(tree, run_cli, stamping) -> None:
    root = tree(
        {
            "route.py": "from flask import request\nfrom helper import ask\n\nask(request.args['q'])\n",
            "helper.py": "def ask(q):\n    return q\n",
            ".git/HEAD": "",
        }
    )
    assert _codes(_scan(run_cli, root)) == []
    stamping.clear()
    assert _scan(run_cli, root)["summary"]["cached"] == 2 and stamping == []
    _write(
        root / "helper.py",
        "import openai\n\ndef ask(q):\n"
        "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
    )
    warm = _scan(run_cli, root)
    assert _codes(warm) == _codes(_scan(run_cli, root, "--no-cache"))
    assert ("route.py", "AIS201") in _codes(warm)


def test_a_file_written_just_now_gets_no_stamp(tree, run_cli, monkeypatch) -> None:
    """Without the test's shortcut: a stamp younger than RACY_NS could be left as it is by a
    write in the same timestamp tick, so the file is looked up by content until it ages."""
    monkeypatch.setattr(aisec.stamps, "MIN_FILES", 1)
    root = tree({"app.py": CLEAN, ".git/HEAD": ""})
    _scan(run_cli, root)
    assert _scan(run_cli, root)["summary"]["cached"] == 1  # by content
    assert not list((root / ".aisec_cache").rglob("stamps/*/*.json"))  # no stamp to record


@pytest.mark.parametrize("setting", ["MIN_FILES", "CTIME_IS_CHANGE_TIME"])
def test_a_run_on_a_few_files_or_without_change_times_does_without_the_index(
    tree, run_cli, stamping, monkeypatch, setting: str
) -> None:
    root = tree({"app.py": CLEAN, ".git/HEAD": ""})
    monkeypatch.setattr(aisec.stamps, setting, 2 if setting == "MIN_FILES" else False)
    _scan(run_cli, root)
    assert not list((root / ".aisec_cache").rglob("stamps/*/*.json"))
    stamping.clear()
    assert _scan(run_cli, root)["summary"]["cached"] == 1 and stamping == ["app.py"]  # by content


def _indexed(root: Path) -> list[str]:
    _, _, payload = _index(root).read_bytes().partition(b"\n")
    return sorted(json.loads(payload)["files"])


def test_a_deleted_files_entry_leaves_the_index(tree, run_cli, stamping) -> None:
    """Files come and go: the entry of one that is gone is dropped at the end of the next run,
    so the index (loaded whole by every warm run) does not grow without end."""
    root = tree({"app.py": CLEAN, "old.py": CLEAN, "pkg/util.py": CLEAN, ".git/HEAD": ""})
    _scan(run_cli, root)
    assert _indexed(root) == ["app.py", "old.py", "pkg/util.py"]
    (root / "old.py").unlink()
    (root / "pkg" / "util.py").unlink()
    (root / "pkg").rmdir()
    assert _scan(run_cli, root)["summary"]["files"] == 1
    assert _indexed(root) == ["app.py"]


def test_a_run_on_one_folder_keeps_the_entries_of_files_elsewhere(tree, run_cli, stamping) -> None:
    """A file this run did not check but that still exists keeps its entry (a later run over
    the whole repository still skips reading it); a gone one is dropped all the same."""
    root = tree({"top.py": CLEAN, "gone.py": CLEAN, "sub/a.py": CLEAN, ".git/HEAD": ""})
    _scan(run_cli, root)
    (root / "gone.py").unlink()
    result = run_cli(["check", "--format", "json", "sub"], cwd=root)
    assert result.code == 0, result.err
    assert _indexed(root) == ["sub/a.py", "top.py"]
    stamping.clear()
    assert _scan(run_cli, root)["summary"]["cached"] == 2 and stamping == []


def test_an_edited_files_entry_is_renewed_and_the_others_kept_as_they_were(tree, run_cli, stamping) -> None:
    """A warm run keeps the entries its files' results came from as they are and renews the
    entry of a file it read again, so the next run reads neither."""
    root = tree({"app.py": CLEAN, "bad.py": PICKLE, ".git/HEAD": ""})
    _scan(run_cli, root)
    before = json.loads(_index(root).read_bytes().partition(b"\n")[2])["files"]
    _write(root / "bad.py", CLEAN)
    stamping.clear()
    assert _codes(_scan(run_cli, root)) == [] and set(stamping) == {"bad.py"}  # looked up, then scanned
    after = json.loads(_index(root).read_bytes().partition(b"\n")[2])["files"]
    assert after["app.py"] == before["app.py"] and after["bad.py"][0] != before["bad.py"][0]
    stamping.clear()
    assert _scan(run_cli, root)["summary"]["cached"] == 2 and stamping == []
