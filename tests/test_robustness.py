"""Issue 10 item by item, in-process: plugins that break, config edge cases, spelling evasions,
notebook magics and output escaping. (The whole hostile repository is `test_hostile.py`.)"""

from __future__ import annotations

import json
import textwrap

import pytest
from aisec.hooks import printable
from aisec.notebooks import notebook_code

PICKLE = "import pickle\npickle.loads(b)\n"
RULE = """
import faulthandler, os, signal, time
from aisec.hooks import Rule, hookimpl

class Misbehaving(Rule):
    code = "BAD001"
    name = "misbehaving"
    summary = description = rationale = remediation = "x"
    triggers = ("pickle",)

    def {method}(self, node):
{body}

@hookimpl
def aisec_rules():
    return [Misbehaving]
"""


def _rule(body: str, method: str = "visit_Call") -> str:
    """A plugin module whose one rule runs `body` in `method`."""
    return RULE.format(method=method, body=textwrap.indent(textwrap.dedent(body), " " * 8))


def _project(tree, plugin_body: str | None = None, plugin_source: str | None = None, extra: str = ""):
    files = {".git/HEAD": "", "a.py": PICKLE, "b.py": "import yaml\nyaml.load(s)\n"}
    config = "[tool.aisec]\n" + extra
    if plugin_body is not None or plugin_source is not None:
        files["misbehaving_plugin.py"] = plugin_source or _rule(plugin_body)
        config += 'plugins = ["misbehaving_plugin"]\nextend-exclude = ["misbehaving_plugin.py"]\n'
    files["pyproject.toml"] = config
    return tree(files)


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if not line.startswith("aisec: note:")]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("raise SystemExit(0)", "raised SystemExit: 0"),
        ("self.report(None, 'x')", "node must be a libcst node"),
        ("self.report(node, 42)", "message must be a str"),
        ("self.report(node, 'x', severity='high')", "severity must be a Severity"),
        ("time.sleep(30)", "did not finish within 2 s"),
    ],
    ids=["system-exit", "garbage-node", "garbage-message", "garbage-severity", "slow"],
)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_misbehaving_rule_is_an_error_naming_plugin_rule_and_file(
    tree, run_cli, body, expected, jobs
) -> None:
    root = _project(tree, body, extra="file-timeout-seconds = 2\n" if "sleep" in body else "")
    files = ["a.py", "b.py"] if jobs == "1" else ["."]
    if jobs == "2":  # enough files for the worker pool
        for index in range(30):
            (root / f"extra{index}.py").write_text("x = 1\n")
    result = run_cli(["check", "--no-cache", "--format", "json", "--jobs", jobs, *files], cwd=root)
    assert result.code == 2, result.err
    data = result.json()
    (error,) = data["errors"]
    assert error["path"] == "a.py"
    for part in ("misbehaving_plugin", "BAD001", expected):
        assert part in error["message"]
    # the other rules' findings, in this file and the others, are all there
    assert sorted((f["path"], f["code"]) for f in data["findings"]) == [
        ("a.py", "AIS101"),
        ("b.py", "AIS105"),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from aisec.hooks import hookimpl\n@hookimpl\ndef aisec_rules():\n    return 42\n",
            "expected an iterable",
        ),
        (
            "from aisec.hooks import hookimpl\n@hookimpl\ndef aisec_rules():\n    raise SystemExit(3)\n",
            "SystemExit",
        ),
        (
            "from aisec.hooks import hookimpl\n@hookimpl\ndef aisec_formatters():\n    return [1]\n",
            "expected a mapping",
        ),
        (
            "from aisec.hooks import hookimpl\n@hookimpl\ndef aisec_configure(config):\n    raise SystemExit(0)\n",
            "aisec_configure",
        ),
        ("raise SystemExit(0)\n", "failed to import"),
        (
            "from aisec.hooks import hookimpl\n@hookimpl\ndef aisec_formatters():\n"
            "    def out(report, options):\n        raise SystemExit(0)\n    return {'mine': out}\n",
            "output format 'mine' raised SystemExit",
        ),
        (
            "from aisec.hooks import hookimpl\n@hookimpl\ndef aisec_formatters():\n"
            "    return {'mine': lambda report, options: None}\n",
            "returned NoneType, not text",
        ),
    ],
    ids=[
        "rules-42",
        "rules-exit",
        "formatters-list",
        "configure-exit",
        "import-exit",
        "format-exit",
        "format-none",
    ],
)
def test_misbehaving_plugin_hooks_are_one_line_errors(tree, run_cli, source, expected) -> None:
    root = _project(tree, plugin_source=source)
    result = run_cli(
        ["check", "--no-cache", "--format", "mine" if "mine" in source else "text", "a.py"], cwd=root
    )
    assert result.code == 2
    line = _one_error_line(result.err)
    assert "misbehaving_plugin" in line and expected in line


def test_local_plugins_are_announced(tree, run_cli) -> None:
    root = _project(tree, "pass")
    result = run_cli(["check", "--no-cache", "a.py"], cwd=root)
    assert result.code == 1
    assert "aisec: note: loaded plugin 'misbehaving_plugin' named in" in result.err
    assert "--no-local-plugins" in result.err
    assert run_cli(["check", "-q", "--no-cache", "a.py"], cwd=root).err == ""


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ("file-timeout-seconds = nan", "file-timeout-seconds"),
        ("file-timeout-seconds = inf", "file-timeout-seconds"),
        ("file-timeout-seconds = -1", "file-timeout-seconds"),
        ("[tool.aisec.artifacts]\ntimeout-seconds = nan", "artifacts.timeout-seconds"),
        ("[tool.aisec.artifacts]\nmax-pickle-bytes = -5", "artifacts.max-pickle-bytes"),
        ("[tool.aisec.artifacts]\nroots = [1]", "artifacts.roots"),
        ('[tool.aisec.per-file-ignores]\n"a.py" = [1]', "per-file-ignores"),
        ("[tool.aisec.rule-options.AIS999]\nx = 1", "rule-options.AIS999"),
        ("[tool.aisec.rule-options.AIS107]\nunknown = 1", "rule-options.AIS107.unknown"),
        ('[tool.aisec.rule-options.AIS107]\nallowed-orgs = "acme"', "rule-options.AIS107.allowed-orgs"),
        ("[tool.aisec.rule-options.AIS101]\nanything = true", "rule-options.AIS101.anything"),
        ("artifacts = 3", "artifacts"),
    ],
)
def test_config_edge_cases_are_one_line_errors_naming_the_key(tree, run_cli, config: str, key: str) -> None:
    if not config.startswith("["):
        config = "[tool.aisec]\n" + config
    root = tree({".git/HEAD": "", "a.py": PICKLE, "pyproject.toml": config + "\n"})
    result = run_cli(["check", "--no-cache", "a.py"], cwd=root)
    assert result.code == 2 and result.out == ""
    assert key in _one_error_line(result.err)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--jobs", "0", "a.py"], "--jobs must be between 1 and"),
        (["--jobs", "-1", "a.py"], "--jobs must be between 1 and"),
        (["--jobs", "1000", "a.py"], "--jobs must be between 1 and"),
        (["--artifacts-only", "-"], "--artifacts-only"),
        (["--artifacts-only", "--stdin-filename", "x.pkl"], "--artifacts-only"),
        (["--output", "no/such/folder/report.txt", "a.py"], "no/such/folder/report.txt"),
        (["--output", "folder", "a.py"], "folder"),
        (["--cache-dir", "a.py", "a.py"], "a.py"),
    ],
)
def test_bad_command_lines_are_one_line_errors(tree, run_cli, args: list[str], expected: str) -> None:
    root = tree({".git/HEAD": "", "a.py": PICKLE, "folder/x.txt": ""})
    result = run_cli(["check", *args], cwd=root)
    assert result.code == 2
    assert expected in _one_error_line(result.err)


@pytest.mark.parametrize(
    "source",
    [
        "import \uff50ickle\n\uff50ickle.loads(b)\n",
        "from \uff50ickle import \uff4coads as l\nl(b)\n",
        "import pickle\npickle.\uff4coads(b)\n",
        "import \U0001d429ickle\n\U0001d429ickle.loads(b)\n",  # mathematical bold p
    ],
)
def test_identifiers_normalised_as_python_does(tree, run_cli, source: str) -> None:
    root = tree({".git/HEAD": "", "a.py": source})
    result = run_cli(["check", "--no-cache", "--format", "json", "a.py"], cwd=root)
    assert [f["code"] for f in result.json()["findings"]] == ["AIS101"]


def test_normalised_look_alikes_stay_silent(tree, run_cli) -> None:
    root = tree(
        {
            ".git/HEAD": "",
            # a local function spelled in fullwidth, and the word only inside a string
            "a.py": "def \uff4coads(b):\n    return b\n\uff4coads(b)\nx = '\uff50ickle.loads(b)'\n",
        }
    )
    result = run_cli(["check", "--no-cache", "--format", "json", "a.py"], cwd=root)
    assert result.code == 0 and result.json()["findings"] == []


def _nb(*cells: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": cell} for cell in cells]})


@pytest.mark.parametrize(
    "cells",
    [
        ["%%time\nimport pickle\nobj = pickle.load(f)\n"],
        ["%%capture out\nimport pickle\nobj = pickle.load(f)\n"],
        ["%%python3\nimport pickle\nobj = pickle.load(f)\n"],
        ["import pickle\n%time obj = pickle.load(f)\n"],
        ["import pickle\n%timeit -n 3 -r 1 pickle.load(f)\n"],
        ["import pickle\nhandle = !cat model.pkl\npickle.loads(handle)\n"],
        ["import pickle\nx = %time pickle.loads(b)\n"],
    ],
)
def test_python_inside_magics_is_checked(tree, run_cli, cells: list[str]) -> None:
    root = tree({".git/HEAD": "", "n.ipynb": _nb(*cells)})
    result = run_cli(["check", "--no-cache", "--format", "json", "n.ipynb"], cwd=root)
    assert [f["code"] for f in result.json()["findings"]] == ["AIS101"]


@pytest.mark.parametrize(
    "cells",
    [
        ["%%bash\npython -c 'import pickle; pickle.load(f)'\n"],
        ["%%writefile x.py\nimport pickle\npickle.load(f)\n"],
        ["import pickle\n!python -c 'pickle.load(f)'\n"],
    ],
)
def test_magics_that_run_no_python_stay_silent(tree, run_cli, cells: list[str]) -> None:
    root = tree({".git/HEAD": "", "n.ipynb": _nb(*cells)})
    result = run_cli(["check", "--no-cache", "--format", "json", "n.ipynb"], cwd=root)
    assert result.code == 0 and result.json()["findings"] == []


def test_capture_keeps_its_target_bound() -> None:
    code, _ = notebook_code(_nb("files = !ls\nout = %sx ls\nprint(files, out)\n"))
    assert code.splitlines() == ["files = None", "out = None", "print(files, out)"]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("plain text", "plain text"),
        ("a\x1b[2Jb", "a\\x1b[2Jb"),
        ("x\rNo findings", "x\\x0dNo findings"),
        ("new\nline", "new\\x0aline"),
        ("bidi\u202eevil", "bidi\\u202eevil"),
        ("bad\udcffname", "bad\\udcffname"),
        ("caf\u00e9 \u65e5\u672c", "caf\u00e9 \u65e5\u672c"),
    ],
)
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_github_annotations_escape_terminal_sequences(tree, run_cli) -> None:
    root = tree({".git/HEAD": "", "evil\x1b]0;x\x07.py": PICKLE})
    result = run_cli(["check", "--no-cache", "--format", "github", "."], cwd=root)
    assert result.code == 1 and "\x1b" not in result.out and "\x07" not in result.out
    assert "evil\\x1b]0;x\\x07.py" in result.out


CRASHING = _rule(
    """
    if "SEGFAULT" in node.code:
        faulthandler.disable()  # pytest's handler would print a "Fatal Python error" dump into the log
        os.kill(os.getpid(), signal.SIGSEGV)
    if "EXIT" in node.code:
        os._exit(0)
    if "HANG" in node.code:  # not even the in-process alarm can stop this one
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
    """,
    "visit_Module",
)


def test_pool_survives_dead_and_hung_workers(tree, run_cli) -> None:
    files = {f"f{index}.py": PICKLE for index in range(30)}
    files.update(
        {"segv.py": PICKLE + "# SEGFAULT\n", "exit.py": PICKLE + "# EXIT\n", "hang.py": PICKLE + "# HANG\n"}
    )
    root = _project(tree, plugin_source=CRASHING, extra="file-timeout-seconds = 1\n")
    for name, content in files.items():
        (root / name).write_text(content)
    result = run_cli(["check", "--no-cache", "--format", "json", "--jobs", "2", "."], cwd=root)
    assert result.code == 2
    data = result.json()
    errors = {e["path"]: e["message"] for e in data["errors"]}
    assert sorted(errors) == ["exit.py", "hang.py", "segv.py"]
    assert "crashed the worker process (SIGSEGV)" in errors["segv.py"]
    assert "crashed the worker process (exit code 0)" in errors["exit.py"]
    assert "did not finish within 3 s (worker killed)" in errors["hang.py"]
    # every other file was checked by the replacement workers
    reported = {f["path"] for f in data["findings"] if f["code"] == "AIS101"}
    assert reported == {f"f{index}.py" for index in range(30)} | {"a.py"}
