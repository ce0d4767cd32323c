"""A repository built to attack the scanner itself (issue 10), scanned by the real console script.

The tree holds every hostile case at once: a `.git/config` and hooks that run programs, modules
that shadow what aisec imports, a committed and forged result cache (one entry symlinked to
`/dev/zero`), a parser-crashing boolean chain, a 4 MB list literal, a 2 GiB sparse `.py`, a
line libcst cannot parse, fullwidth identifiers, notebooks with magics and a broken one, file
names with terminal escapes and newlines, symlinks to outside the project, an explicitly named
git-ignored folder and a symlink loop. The run must end in time, without a traceback, in bounded
memory, without running or importing anything from the tree, and with the expected findings and
errors.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aisec.cache import ResultCache, machine_key
from conftest import write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

AISEC = Path(sys.executable).with_name("aisec")
PICKLE = "import pickle\n\ndef load(b):\n    return pickle.loads(b)\n"
TIMEOUT = 120  # seconds; the run takes a few
MAX_RSS_MB = 500
SHADOWING = ("pickle", "yaml", "torch", "json", "libcst", "pluggy", "sitecustomize", "usercustomize")


def _marker_code(marker: Path, name: str) -> str:
    return f"open({str(marker / name)!r}, 'w').close()\n"


def _notebook(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": cell} for cell in cells]})


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


# Runs aisec as its child and writes the child's peak RSS (KiB) to a file. A process forked from
# the large test process would count the test process's memory in its own peak (Linux keeps the
# high-water mark across exec), so the measurement is made one small process away.
LAUNCHER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as handle:
    handle.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def run_aisec(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str, float]:
    """Run the console script; (exit code, stdout, stderr, peak RSS in MB of the aisec process)."""
    rss_file = cwd.parent / "rss.txt"
    with open(cwd.parent / "out.txt", "w+b") as out, open(cwd.parent / "err.txt", "w+b") as err:
        command = [sys.executable, "-c", LAUNCHER, str(rss_file), str(AISEC), *args]
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True)
        try:
            code = process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the launcher and aisec with it
            process.wait()
            pytest.fail(f"aisec {' '.join(args)} did not finish within {TIMEOUT} s")
        out.seek(0)
        err.seek(0)
        return code, out.read().decode(), err.read().decode(), int(rss_file.read_text()) / 1024


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict:
    base = tmp_path_factory.mktemp("hostile")
    root, markers, outside = base / "repo", base / "markers", base / "outside"
    for folder in (root, markers, outside):
        folder.mkdir()
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(base / "user-cache"),
        "NO_COLOR": "1",
        "PYTHONPATH": "",  # nothing from the test run's path leaks in
    }
    env.pop("AISEC_CACHE_KEY", None)
    files: dict[str, str | bytes] = {
        "app.py": PICKLE,
        "forged.py": PICKLE.replace("b)", "data)"),
        "zeroed.py": PICKLE.replace("b)", "blob)"),
        "clean.py": "def add(a, b):\n    return a + b\n",
        "boolchain.py": "import pickle\nx = " + " or ".join(["a"] * 9000) + "\npickle.loads(b)\n",
        # (a rule could fire: with no `loads` in it, the word screen would skip it unread)
        "biglist.py": "import pickle\nx = [" + ",".join(["1"] * 2_000_000) + "]\npickle.loads(b)\n",
        "libcst_only.py": "import pickle\n(_x): int = 0\npickle.loads(b)\n",
        "fullwidth.py": "import \uff50ickle\n\uff50ickle.loads(b)\n",
        "notebook.ipynb": _notebook(
            "%%time\nimport pickle\nobj = pickle.load(f)\n",
            "%time y = pickle.loads(b)\nfiles = !ls\nprint(files)\n",
        ),
        "broken.ipynb": '{"cells": [',
        "escape\x1b[2J.py": PICKLE,
        "newline\nNo findings in 1 file.\n.py": PICKLE,
        "named_ignored/hidden.py": PICKLE,
        "pkg/__init__.py": "",
        ".gitignore": "named_ignored/\n",
        "pyproject.toml": "[project]\nname = 'victim'\n",
    }
    for name in SHADOWING:  # anything importing from the tree leaves a marker
        files[f"{name}.py"] = _marker_code(markers, f"imported-{name}")
    write_tree(root, files)
    (root / os.fsdecode(b"undecodable\xff.py")).write_text(PICKLE)
    (outside / "secret.py").write_text(PICKLE)
    (outside / "target.py").write_text("import yaml\nyaml.load(s)\n")
    (root / "secret_link.py").symlink_to(outside / "secret.py")
    (root / "loop").symlink_to(root / "loop")

    _git(root, "init", "-q")
    _git(root, "add", "-A")
    with open(root / "sparse.py", "wb") as handle:  # untracked (git would hash all of it)
        handle.truncate(2 * 1024**3)
    hook = f"#!/bin/sh\n{sys.executable} -c {_marker_code(markers, 'hook')!r}\n"
    for name in ("pre-commit", "post-checkout", "fsmonitor-watchman", "post-index-change"):
        path = root / ".git" / "hooks" / name
        path.write_text(hook)
        path.chmod(0o755)
    touch = f"touch {markers}/git-config"
    with open(root / ".git" / "config", "a") as config:
        config.write(
            f'[core]\n\tfsmonitor = "{touch}; echo"\n\thooksPath = .git/hooks\n'
            f'\tpager = "{touch}"\n\tsshCommand = "{touch}"\n\taskPass = "{touch}"\n'
            f'[alias]\n\tls-files = "!{touch}"\n[diff]\n\texternal = "{touch}"\n'
        )

    # The attacker's committed cache: made on the attacker's machine, findings removed, signed
    # with the attacker's key; another entry is a symlink to /dev/zero.
    attacker = {**env, "AISEC_CACHE_KEY": "attacker", "XDG_CACHE_HOME": str(base / "attacker-cache")}
    cached_args = ["check", "--format", "json", "app.py", "forged.py", "zeroed.py"]
    code, out, err, _ = run_aisec(cached_args, root, attacker)
    assert code == 1, err
    (key_folder,) = (root / ".aisec_cache" / "v3").iterdir()
    forger = ResultCache(root / ".aisec_cache", key_folder.name, _secret("attacker"))
    for entry in key_folder.rglob("*.json"):
        _, _, payload = entry.read_bytes().partition(b"\n")
        data = json.loads(payload)
        if data["path"] == "zeroed.py":
            entry.unlink()
            entry.symlink_to("/dev/zero")
            continue
        data["findings"] = []
        payload = json.dumps(data).encode()
        entry.write_bytes(forger._mac(entry.parent.name + entry.stem, payload).encode() + b"\n" + payload)
    # well forged: the attacker's own machine believes it (and /dev/zero is a miss there too)
    believed = json.loads(run_aisec(cached_args, root, attacker)[1])
    assert [f["path"] for f in believed["findings"]] == ["zeroed.py"]

    code, out, err, rss = run_aisec(
        ["check", "--format", "json", "--jobs", "2", "--fail-on", "high", ".", "named_ignored", "loop"],
        root,
        env,
    )
    text = run_aisec(["check", "--no-cache", "."], root, env)
    return {
        "root": root,
        "markers": markers,
        "outside": outside,
        "env": env,
        "code": code,
        "data": json.loads(out),
        "err": err,
        "rss": rss,
        "text": text,
    }


def _secret(value: str) -> bytes:
    os.environ["AISEC_CACHE_KEY"] = value
    try:
        return machine_key()
    finally:
        del os.environ["AISEC_CACHE_KEY"]


def _codes(data: dict) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for finding in data["findings"]:
        found.setdefault(finding["path"], []).append((finding["code"], finding["severity"]))
    return found


def test_nothing_from_the_tree_runs_or_is_imported(hostile: dict) -> None:
    assert sorted(p.name for p in hostile["markers"].iterdir()) == []


def test_no_traceback_and_bounded_memory(hostile: dict) -> None:
    for stream in (hostile["err"], hostile["text"][1], hostile["text"][2]):
        assert "Traceback" not in stream and "internal error" not in stream
    assert 20 < hostile["rss"] < MAX_RSS_MB, f"peak RSS {hostile['rss']:.0f} MB"


def test_every_hostile_file_is_reported(hostile: dict) -> None:
    found = _codes(hostile["data"])
    high = [("AIS001", "high")]
    assert found["boolchain.py"] == high
    assert found["biglist.py"] == high
    assert found["sparse.py"] == high
    assert found["libcst_only.py"] == high
    assert found["fullwidth.py"] == [("AIS101", "high")]
    assert found["app.py"] == [("AIS101", "high")]
    # the forged and the /dev/zero cache entries decided nothing
    assert found["forged.py"] == [("AIS101", "high")]
    assert found["zeroed.py"] == [("AIS101", "high")]
    assert found["notebook.ipynb"] == [("AIS101", "high"), ("AIS101", "high")]
    assert found["broken.ipynb"] == [("AIS001", "low")]
    assert found["named_ignored/hidden.py"] == [("AIS101", "high")]
    assert found["escape\x1b[2J.py"] == [("AIS101", "high")]
    assert found["newline\nNo findings in 1 file.\n.py"] == [("AIS101", "high")]
    assert found[os.fsdecode(b"undecodable\xff.py")] == [("AIS101", "high")]
    assert "secret_link.py" not in found and "clean.py" not in found


def test_errors_and_warnings(hostile: dict) -> None:
    assert hostile["code"] == 2  # the symlink loop named on the command line cannot be read
    assert [(e["path"], e["message"].split(":")[0]) for e in hostile["data"]["errors"]] == [
        ("loop", "cannot read")
    ]
    assert "secret_link.py: skipped: a symlink to a file outside the project" in hostile["err"]


def test_text_output_cannot_be_forged(hostile: dict) -> None:
    code, out, err, _ = hostile["text"]
    assert code == 1
    assert "\x1b" not in out and "\x1b" not in err
    assert "escape\\x1b[2J.py:4:12: AIS101" in out
    assert "newline\\x0aNo findings in 1 file.\\x0a.py:4:12: AIS101" in out
    assert out.count("No findings") == 1  # only inside the escaped file name
    assert out.splitlines()[-1].startswith("Found ")


def test_fix_never_writes_outside_the_project(hostile: dict) -> None:
    root, outside = hostile["root"], hostile["outside"]
    link = root / "fix_link.py"
    link.symlink_to(outside / "target.py")
    try:
        code, out, err, _ = run_aisec(
            ["check", "--fix", "--unsafe-fixes", "--no-cache", "fix_link.py"], root, hostile["env"]
        )
    finally:
        link.unlink()
    assert (outside / "target.py").read_text() == "import yaml\nyaml.load(s)\n"
    assert code == 1 and "AIS105" in out and "not fixed: a symlink to a file outside the project" in err


def test_local_plugins_can_be_refused(hostile: dict) -> None:
    root = hostile["root"]
    pyproject = root / "pyproject.toml"
    original = pyproject.read_text()
    (root / "team_plugin.py").write_text(_marker_code(hostile["markers"], "local-plugin"))
    pyproject.write_text(original + "\n[tool.aisec]\nplugins = ['team_plugin']\n")
    try:
        for args, env in (
            (["check", "--no-local-plugins", "app.py"], hostile["env"]),
            (["check", "app.py"], {**hostile["env"], "AISEC_NO_LOCAL_PLUGINS": "1"}),
        ):
            code, out, err, _ = run_aisec(args, root, env)
            assert code == 2 and out == ""
            assert err.count("\n") == 1 and "'team_plugin'" in err and "refused" in err
        assert not (hostile["markers"] / "local-plugin").exists()
    finally:
        pyproject.write_text(original)
        (root / "team_plugin.py").unlink()


def test_zero_checked_files_is_said(hostile: dict) -> None:
    empty = hostile["root"] / "docs_only"
    empty.mkdir()
    (empty / "README.md").write_text("# nothing to check\n")
    code, out, err, _ = run_aisec(["check", "docs_only"], hostile["root"], hostile["env"])
    assert code == 0 and "no files were checked" in err and "No findings in 0 files" in out
