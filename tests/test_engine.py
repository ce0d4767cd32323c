"""The per-file engine through real runs: decoding, parse failures, raising plugins, the
prefilter's promise not to import libcst, and parallel runs."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from aisec.engine import FileScanner
from aisec.pluginmanager import load_plugins
from aisec.project import Project

PICKLE = "import pickle\nobj = pickle.loads(blob)\n"


def check_json(run_cli, root: Path, *args: str) -> tuple[int, dict]:
    result = run_cli(["check", "--no-cache", "--format", "json", *args], cwd=root)
    return result.code, result.json()


def by_path(data: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for finding in data["findings"]:
        found.setdefault(finding["path"], []).append(finding)
    return found


def test_undecodable_file_is_ais001_and_the_rest_is_scanned(tree, run_cli) -> None:
    root = tree(
        {
            "bad.py": b"import pickle\nname = '\xff\xfe caf\xe9'\nobj = pickle.loads(b)\n",
            "good.py": PICKLE,
        }
    )
    code, data = check_json(run_cli, root, ".")
    found = by_path(data)
    (bad,) = found["bad.py"]
    assert bad["code"] == "AIS001" and bad["severity"] == "low"
    assert bad["line"] == 2
    assert "utf-8" in bad["message"].lower() and "encoding" in bad["message"]
    assert [f["code"] for f in found["good.py"]] == ["AIS101"]
    assert data["errors"] == []
    assert code == 1


def test_undecodable_trigger_free_file_is_reported_too(tree, run_cli) -> None:
    root = tree({"bad.py": b"x = '\xff'\n"})
    _, data = check_json(run_cli, root, ".")
    assert [f["code"] for f in data["findings"]] == ["AIS001"]


def test_nul_bytes_are_ais001(tree, run_cli) -> None:
    root = tree({"blob.py": b"import pickle\x00\x01\x02\nobj = pickle.loads(b)\n", "good.py": PICKLE})
    _, data = check_json(run_cli, root, ".")
    found = by_path(data)
    (blob,) = found["blob.py"]
    assert blob["code"] == "AIS001" and "NUL" in blob["message"]
    assert [f["code"] for f in found["good.py"]] == ["AIS101"]


def test_unknown_declared_encoding_is_ais001(tree, run_cli) -> None:
    root = tree({"a.py": b"# -*- coding: klingon -*-\nimport pickle\n"})
    _, data = check_json(run_cli, root, ".")
    (finding,) = data["findings"]
    assert finding["code"] == "AIS001" and "encoding" in finding["message"]


def test_a_broken_file_no_rule_could_fire_in_is_skipped(tree, run_cli) -> None:
    # `pickle` is there, but no word any call of a pickle rule needs (`load`, `loads`, ...): no
    # Python could run a pickle load from it, so it is not parsed, and its syntax error is not aisec's
    root = tree({"broken.py": "import pickle\n\ndef f(:\n    pass\n", "good.py": PICKLE})
    _, data = check_json(run_cli, root, ".")
    found = by_path(data)
    assert "broken.py" not in found
    assert data["summary"]["skipped_by_prefilter"] == 1


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("from pickle import loads\n\ndef f(:\n    pass\n", 3),
        ("from pickle import loads\nx = (1,\ny = 2\n", 2),
        ("import pickle\nobj = pickle.loads(b)\nx = $\n", 3),
        ("from pickle import loads\n\n\nprint 'hello'\n", 4),
        ("from pickle import loads\nif x\n    pass\n", 2),
    ],
)
def test_syntax_error_is_ais001_at_the_right_line(tree, run_cli, source: str, line: int) -> None:
    root = tree({"broken.py": source, "good.py": PICKLE})
    code, data = check_json(run_cli, root, ".")
    found = by_path(data)
    (broken,) = found["broken.py"]
    assert broken["code"] == "AIS001"
    assert "syntax error" in broken["message"]
    assert broken["line"] == line
    assert [f["code"] for f in found["good.py"]] == ["AIS101"]
    assert code == 1 and data["errors"] == []


def test_grammar_newer_than_the_running_python_is_still_scanned(tree, run_cli) -> None:
    # PEP 695 (3.12) and PEP 701 (3.12) syntax: libcst parses it whatever Python runs aisec.
    source = (
        "import pickle\n"
        "type Alias = list[int]\n"
        'label = f"{"nested"}"\n'
        "def f[T](x: T) -> T:\n"
        "    return pickle.loads(x)\n"
    )
    root = tree({"new.py": source})
    _, data = check_json(run_cli, root, ".")
    assert [(f["code"], f["line"]) for f in data["findings"]] == [("AIS101", 5)]


def test_syntax_error_in_trigger_free_file_is_not_parsed(tree, run_cli) -> None:
    # The prefilter decides first: a file no rule can fire on is not parsed at all.
    root = tree({"broken.py": "def f(:\n"})
    _, data = check_json(run_cli, root, ".")
    assert data["findings"] == [] and data["summary"]["skipped_by_prefilter"] == 1


@pytest.mark.parametrize(
    "expression",
    [
        "(" * 5000 + ")" * 5000,
        "[" * 3000 + "]" * 3000,
        "-" * 20000 + "1",
        "not " * 20000 + "1",
        "1" + " + 1" * 20000,
        "lambda: " * 8000 + "1",
        "f" + "()" * 10000,
        "a" + ".b" * 20000,
        "[" * 199 + "]" * 199,
    ],
    ids=["parens", "lists", "minus", "not", "plus", "lambda", "calls", "attributes", "lists-199"],
)
def test_deep_nesting_is_ais001_not_a_crash(tree, run_cli, expression: str) -> None:
    # Inside a call the screen keeps (a file without one is not parsed by libcst at all).
    root = tree({"deep.py": f"import pickle\nx = pickle.loads({expression})\n", "good.py": PICKLE})
    # In a subprocess: a native stack overflow would kill the test run itself.
    completed = subprocess.run(
        [sys.executable, "-m", "aisec", "check", "--no-cache", "--format", "json", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 1, completed.stderr[-2000:]
    found = by_path(json.loads(completed.stdout))
    (deep,) = found["deep.py"]
    if expression == "[" * 199 + "]" * 199:
        # CPython parses it, and the engine's traversal does not recurse per libcst level:
        # the file is checked like any other.
        assert deep["code"] == "AIS101"
    else:
        assert deep["code"] == "AIS001" and "nesting too deep" in deep["message"]
    assert [f["code"] for f in found["good.py"]] == ["AIS101"]
    assert "Traceback" not in completed.stderr


def test_latin1_file_with_coding_cookie_is_decoded(tree, run_cli) -> None:
    source = "# -*- coding: latin-1 -*-\nimport pickle\nname = 'café'\nobj = pickle.loads(b)\n"
    root = tree({"a.py": source.encode("latin-1")})
    _, data = check_json(run_cli, root, ".")
    (finding,) = data["findings"]
    assert (finding["code"], finding["line"], finding["column"]) == ("AIS101", 4, 7)


def test_utf8_bom_is_accepted(tree, run_cli) -> None:
    root = tree({"a.py": b"\xef\xbb\xbf" + PICKLE.encode()})
    _, data = check_json(run_cli, root, ".")
    (finding,) = data["findings"]
    assert (finding["code"], finding["line"], finding["column"]) == ("AIS101", 2, 7)


def test_crlf_line_endings(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE.replace("\n", "\r\n").encode()})
    _, data = check_json(run_cli, root, ".")
    assert [(f["code"], f["line"]) for f in data["findings"]] == [("AIS101", 2)]


RAISING_PLUGIN = """
    from aisec.hooks import Rule, hookimpl


    class Explodes(Rule):
        code = "BOOM001"
        name = "explodes"
        triggers = ("pickle",)

        def visit_Name(self, node):
            pass

        def {method}:
            raise ValueError("kaboom")


    @hookimpl
    def aisec_rules():
        return [Explodes]
"""


@pytest.mark.parametrize(
    "method",
    ["visit_Call(self, node)", "leave_Module(self, node)", "__init__(self, context)"],
    ids=["visit", "leave", "init"],
)
def test_raising_rule_becomes_an_error_and_the_run_goes_on(tree, run_cli, method: str) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nplugins = ["exploding_plugin"]\n',
            "exploding_plugin.py": RAISING_PLUGIN.replace("{method}", method),
            "app/a.py": PICKLE,
            "app/b.py": "import yaml\ncfg = yaml.load(s)\n",
            "app/c.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "--no-cache", "--format", "json", "app"], cwd=root)
    assert result.code == 2
    data = result.json()
    assert [(f["path"], f["code"]) for f in data["findings"]] == [
        ("app/a.py", "AIS101"),
        ("app/b.py", "AIS105"),
    ]
    (error,) = data["errors"]
    assert error["path"] == "app/a.py"
    for part in ("exploding_plugin", "BOOM001", "ValueError", "kaboom"):
        assert part in error["message"]
    assert "Traceback" not in result.err
    assert "app/a.py" in result.err and "BOOM001" in result.err
    # ... and in text format the error is one line on stderr
    result = run_cli(["check", "--no-cache", "app"], cwd=root)
    assert result.code == 2
    (note, error_line) = result.err.splitlines()  # the local plugin is announced, then the error
    assert note.startswith("aisec: note: loaded plugin 'exploding_plugin'") and "BOOM001" in error_line
    # the same in worker processes
    result = run_cli(["check", "--no-cache", "--format", "json", "--jobs", "2", "app"], cwd=root)
    assert result.code == 2 and len(result.json()["errors"]) == 1


def _libcst_imported(root: Path, *args: str) -> tuple[int, str]:
    code = textwrap.dedent(
        f"""
        import sys
        from aisec.cli import main
        status = main(["check", *{list(args)!r}])
        print("LIBCST", "libcst" in sys.modules, status)
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    line = [line for line in completed.stdout.splitlines() if line.startswith("LIBCST")]
    assert line, completed.stdout + completed.stderr
    _, imported, status = line[0].split()
    return int(status), imported


@pytest.mark.parametrize("cache", [[], ["--no-cache"]], ids=["cache", "no-cache"])
def test_trigger_free_file_does_not_import_libcst(tree, cache: list[str]) -> None:
    root = tree({"app.py": "import json\n\ndef load(p):\n    return json.load(open(p))\n"})
    assert _libcst_imported(root, *cache, "app.py") == (0, "False")
    # the second run (cache warm, if any) neither
    assert _libcst_imported(root, *cache, "app.py") == (0, "False")


def test_file_with_trigger_is_parsed(tree, run_cli) -> None:
    # `np.load` passes both the token gate and the call screen (tests/test_screen.py has a
    # file that passes the first only); the rules then find nothing to report.
    root = tree({"app.py": "import numpy as np\narr = np.load('missing.npy')\n", "other.py": "y = 2\n"})
    assert _libcst_imported(root, "--no-cache", "app.py") == (0, "True")
    _, data = check_json(run_cli, root, ".")
    assert data["summary"] == {"files": 2, "parsed": 1, "skipped_by_prefilter": 1, "cached": 0, "findings": 0}


def test_no_prefilter_parses_everything(tree, run_cli) -> None:
    root = tree({"a.py": "x = 1\n", "b.py": "y = 2\n"})
    _, data = check_json(run_cli, root, "--no-prefilter", ".")
    assert data["summary"]["parsed"] == 2 and data["summary"]["skipped_by_prefilter"] == 0


def test_parallel_run_matches_serial(tree, run_cli) -> None:
    files = {}
    for index in range(40):
        body = [PICKLE if index % 3 == 0 else "import json\n"]
        if index % 4 == 0:
            body.append("import yaml\ncfg = yaml.load(s)\n")
        if index % 7 == 0:
            body.append("def broken(:\n")
        files[f"pkg{index % 5}/mod{index}.py"] = "".join(body)
    root = tree(files)
    serial = run_cli(["check", "--no-cache", "--format", "json", "--jobs", "1", "."], cwd=root)
    parallel = run_cli(["check", "--no-cache", "--format", "json", "--jobs", "2", "."], cwd=root)
    assert serial.code == parallel.code == 1
    assert serial.out == parallel.out
    data = serial.json()
    assert data["summary"]["files"] == 40
    assert {f["code"] for f in data["findings"]} == {"AIS001", "AIS101", "AIS105"}


def test_dispatch_tables_are_built_once_per_rule_class() -> None:
    registry = load_plugins(entry_points=False)
    rules = [registry.rules["AIS101"], registry.rules["AIS105"]]
    scanner = FileScanner(rules, rule_plugins=registry.rule_plugins, options={}, project=Project(Path(".")))
    first = scanner.scan_bytes("a.py", PICKLE.encode())
    tables = {rule: scanner.tables_for(rule) for rule in rules}
    second = scanner.scan_bytes("b.py", b"import yaml\ncfg = yaml.load(s)\n")
    assert [f.code for f in first.findings] == ["AIS101"]
    assert [f.code for f in second.findings] == ["AIS105"]
    assert all(scanner.tables_for(rule) is tables[rule] for rule in rules)
