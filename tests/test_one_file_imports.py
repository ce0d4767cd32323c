"""What a one-file pre-commit run that parses does not import: each of these cost a full-path
run a millisecond or more (`json` for baselines only, libcst's metadata providers and the
`subprocess` they bring, the archive codecs, the artifact inspectors, the pool; `string`,
libcst's position provider and position types, `unicodedata` for ASCII code and the
`utf-8-sig` codec, each under a millisecond), and none is
needed to check one file whose code names no model file. Run through the console script, in a
fresh interpreter, with no cache, as pre-commit runs it: the fast path declines the file (it
spells triggers) and hands the full path its table's facts."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

NOT_NEEDED = (
    "json",
    "subprocess",
    "selectors",
    "shutil",
    "bz2",
    "lzma",
    "zlib",
    "packaging.version",
    "libcst.metadata.scope_provider",
    "libcst.metadata.type_inference_provider",
    "fickling",
    "multiprocessing",
    "importlib.metadata",
    "string",
    "libcst.metadata.position_provider",
    "libcst._position",
    "unicodedata",
    "encodings.utf_8_sig",
)

SCRIPT = textwrap.dedent(
    """
    import atexit, sys

    names = sys.argv[1].split(",")
    atexit.register(lambda: print(sorted(n for n in names if n in sys.modules), file=sys.stderr))
    from aisec.fastpath import console_main

    sys.argv = ["aisec", "check", "--no-cache", "app.py"]
    console_main()
    """
)

SOURCES = {
    "taint": (
        "from fastapi import FastAPI\nfrom openai import OpenAI\n\napp = FastAPI()\nclient = OpenAI()\n\n\n"
        "@app.get('/ask')\ndef ask(question: str):\n    return client.chat.completions.create(\n"
        "        model='m', messages=[{'role': 'system', 'content': question}]\n    )\n"
    ),
    "calls": "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n",
}


def run_console(home, modules: str, *, cache: bool = False) -> subprocess.CompletedProcess:
    """`aisec check app.py` in `home` through the console script, in a fresh interpreter whose
    cache folder is below `home`; its stderr ends with which of `modules` (comma-separated) it
    imported. `cache`: with the result cache (a first run then writes the trigger table)."""
    script = SCRIPT.replace('"--no-cache", "app.py"', '"app.py"') if cache else SCRIPT
    return subprocess.run(
        [sys.executable, "-c", script, modules],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=home,
        env={"AISEC_FAST_PATH": "explain", "PATH": "", "HOME": str(home)},
    )


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_a_one_file_run_that_parses_imports_none_of_these(tmp_path, kind) -> None:
    (tmp_path / "app.py").write_text(SOURCES[kind])
    for _ in range(3):  # the first runs on the machine make its key, then the method and trigger tables
        done = run_console(tmp_path, ",".join(NOT_NEEDED))
    assert done.returncode == 1, done.stderr  # it found something: the file was parsed
    assert "app.py: a rule's triggers occur" in done.stderr  # declined as in pre-commit
    assert done.stderr.splitlines()[-1] == "[]"


def test_the_first_run_on_a_trigger_free_file_imports_no_libcst(tmp_path) -> None:
    """The first run of a key (after an install or a config change) declines in the fast path and
    writes the trigger table from the full path; for a file no rule parses, that table leaves the
    walk's field orders out rather than import libcst to learn them (`triggertable._walk_orders`)."""
    (tmp_path / "app.py").write_text("def mean(values):\n    return sum(values) / len(values)\n")
    done = run_console(tmp_path, "libcst", cache=True)
    assert done.returncode == 0, done.stderr
    assert "declined" in done.stderr  # no table yet: the full path ran and wrote it
    assert list((tmp_path / ".cache" / "aisec" / "triggers").glob("*.table"))
    assert done.stderr.splitlines()[-1] == "[]"


def test_the_first_run_that_parses_keeps_the_walk_orders(tmp_path) -> None:
    """The table a first run writes after parsing a file holds the walk's field orders (the next
    runs take them instead of learning them); the one a trigger-free first run writes holds none."""
    import libcst as cst
    from aisec.walkorders import class_key

    kept = class_key(cst.FunctionDef).encode()  # a class of the writer's sample, as the table names it
    for kind, source, holds in (("calls", SOURCES["calls"], True), ("plain", "x = 1\n", False)):
        home = tmp_path / kind
        home.mkdir()
        (home / "app.py").write_text(source)
        done = run_console(home, "libcst", cache=True)
        assert done.returncode == (1 if holds else 0), done.stderr
        (table,) = (home / ".cache" / "aisec" / "triggers").glob("*.table")
        assert (kept in table.read_bytes()) is holds, kind
