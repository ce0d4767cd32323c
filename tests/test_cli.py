"""The `aisec` command line, in-process: exit codes, the JSON contract, fixes, baselines, discovery."""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aisec import __version__
from aisec.cli import main
from aisec.docs import render_rule
from aisec.pluginmanager import load_plugins

PICKLE = "import pickle\nobj = pickle.loads(blob)\n"
YAML = "import yaml\ncfg = yaml.load(stream)\n"
CLEAN = "import json\n\ndef load(path):\n    return json.load(open(path))\n"

SEVERITIES = {"info", "low", "medium", "high", "critical"}
CONFIDENCES = {"low", "medium", "high"}


def findings(result) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in result.json()["findings"]]


# ----- exit codes -----


def test_clean_directory_exits_0(tree, run_cli) -> None:
    root = tree({"a.py": CLEAN, "pkg/b.py": "x = 1\n"})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 0
    assert "No findings in 2 files." in result.out
    assert result.err == ""


def test_default_path_is_current_directory(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    assert run_cli(["check"], cwd=root).code == 1


def test_findings_exit_1(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 1
    assert "a.py:2:7: AIS101 [high]" in result.out
    assert "Found 1 finding (1 high) in 1 file." in result.out


def test_missing_path_exits_2(tree, run_cli) -> None:
    root = tree({"a.py": CLEAN})
    result = run_cli(["check", "a.py", "nope.py"], cwd=root)
    assert result.code == 2
    assert result.err.strip() == "aisec: error: nope.py: no such file or directory; check the path"


def test_missing_path_is_an_error_in_json(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["check", "--format", "json", "a.py", "nope"], cwd=root)
    assert result.code == 2  # errors win over findings
    data = result.json()
    assert data["errors"] == [{"path": "nope", "message": "no such file or directory; check the path"}]
    assert [f["code"] for f in data["findings"]] == ["AIS101"]


def test_bad_config_exits_2(tree, run_cli) -> None:
    root = tree({"pyproject.toml": "[tool.aisec]\nnope = 1\n", "a.py": PICKLE})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1 and "nope" in result.err


def test_unknown_format_exits_2(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["check", "--format", "yaml", "."], cwd=root)
    assert result.code == 2
    assert "unknown --format 'yaml'" in result.err and "json" in result.err and "text" in result.err
    assert result.out == ""


def test_unsafe_fixes_without_fix_exits_2(tree, run_cli) -> None:
    root = tree({"a.py": YAML})
    result = run_cli(["check", "--unsafe-fixes", "."], cwd=root)
    assert result.code == 2
    assert "--unsafe-fixes" in result.err
    assert (root / "a.py").read_text() == YAML


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--fail-on", "severe", "."],
        ["check", "--jobs", "many", "."],
        ["check", "--no-such-option"],
        ["frobnicate"],
        [],
    ],
)
def test_usage_errors_exit_2_without_raising(tree, run_cli, argv: list[str]) -> None:
    root = tree({"a.py": CLEAN})
    result = run_cli(argv, cwd=root)
    assert result.code == 2
    assert "Traceback" not in result.err


def test_jobs_must_be_positive(tree, run_cli) -> None:
    root = tree({"a.py": CLEAN})
    result = run_cli(["check", "--jobs", "0", "."], cwd=root)
    assert result.code == 2 and "--jobs" in result.err


def test_version(run_cli) -> None:
    result = run_cli(["--version"])
    assert result.code == 0
    assert result.out.strip() == f"aisec {__version__}"


def test_fail_on(tree, run_cli) -> None:
    root = tree({"a.py": "import marshal\ncode = marshal.loads(data)\n"})
    result = run_cli(["check", "--format", "json", "."], cwd=root)
    assert [f["severity"] for f in result.json()["findings"]] == ["medium"]
    assert result.code == 1
    assert run_cli(["check", "--fail-on", "high", "."], cwd=root).code == 0
    assert run_cli(["check", "--fail-on", "medium", "."], cwd=root).code == 1
    assert run_cli(["check", "--fail-on", "info", "."], cwd=root).code == 1


def test_exit_zero(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["check", "--exit-zero", "."], cwd=root)
    assert result.code == 0
    assert "AIS101" in result.out
    # --exit-zero does not hide errors
    assert run_cli(["check", "--exit-zero", "a.py", "missing.py"], cwd=root).code == 2


def test_output_file_and_quiet(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["check", "--format", "json", "--output", "report.json", "."], cwd=root)
    assert result.code == 1 and result.out == "Found 1 finding (1 high) in 1 file.\n"  # the summary stays
    assert run_cli(["check", "-q", "--format", "json", "--output", "r.json", "."], cwd=root).out == ""
    report = json.loads((root / "report.json").read_text())
    assert [f["code"] for f in report["findings"]] == ["AIS101"]
    result = run_cli(["check", "-q", "."], cwd=root)
    assert result.out.splitlines() == [
        "a.py:2:7: AIS101 [high] `pickle.loads` unpickles arbitrary objects: loading untrusted data runs arbitrary code"
    ]


def test_concise_format(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE + YAML})
    result = run_cli(["check", "--format", "concise", "."], cwd=root)
    lines = result.out.splitlines()
    assert [line.split(" ")[0] for line in lines] == ["a.py:2:7:", "a.py:4:7:"]


# ----- JSON contract -----


def _assert_json_contract(data: dict) -> None:
    assert set(data) == {"version", "tool", "findings", "errors", "summary"}
    assert data["version"] == 1 and type(data["version"]) is int
    assert data["tool"] == {"name": "aisec", "version": __version__}
    assert isinstance(data["findings"], list) and isinstance(data["errors"], list)
    for finding in data["findings"]:
        required = {
            "code",
            "name",
            "severity",
            "confidence",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "message",
            "cwe",
            "fix",
            "fingerprint",
            "artifact",
        }
        assert required <= set(finding) and set(finding) - required <= {"cell", "suppressed"}, finding
        for key in ("code", "name", "path", "message", "fingerprint"):
            assert type(finding[key]) is str and finding[key], key
        for key in ("line", "column", "end_line", "end_column"):
            assert type(finding[key]) is int and finding[key] >= 1, key
        assert (finding["end_line"], finding["end_column"]) >= (finding["line"], finding["column"])
        assert finding["severity"] in SEVERITIES
        assert finding["confidence"] in CONFIDENCES
        assert finding["cwe"] is None or (type(finding["cwe"]) is str and finding["cwe"].startswith("CWE-"))
        assert finding["fix"] is None or (
            set(finding["fix"]) == {"applicability", "diff"}
            and finding["fix"]["applicability"] in {"safe", "unsafe"}
            and type(finding["fix"]["diff"]) is str
        )
        assert finding["artifact"] is None or isinstance(finding["artifact"], dict)
        assert "\\" not in finding["path"] and not finding["path"].startswith("./")
    for error in data["errors"]:
        assert set(error) == {"path", "message"}
        assert type(error["path"]) is str and type(error["message"]) is str
    assert set(data["summary"]) == {"files", "parsed", "skipped_by_prefilter", "cached", "findings"}
    for value in data["summary"].values():
        assert type(value) is int and value >= 0


def test_json_contract(tree, run_cli) -> None:
    root = tree(
        {
            "app/model.py": "import pickle\n\n\ndef load(f):\n    return pickle.load(f)\n",
            "app/config.py": "import yaml\n\ncfg = yaml.load(open('c.yaml'), Loader=yaml.FullLoader)\n",
            "app/util.py": CLEAN,
        }
    )
    result = run_cli(["check", "--format", "json", "."], cwd=root)
    assert result.code == 1
    data = result.json()
    _assert_json_contract(data)
    assert data["errors"] == []
    assert data["summary"] == {"files": 3, "parsed": 2, "skipped_by_prefilter": 1, "cached": 0, "findings": 2}
    config, model = data["findings"]
    assert model == {
        "code": "AIS101",
        "name": "pickle-load",
        "severity": "high",
        "confidence": "high",
        "path": "app/model.py",
        "line": 5,
        "column": 12,
        "end_line": 5,
        "end_column": 26,
        "message": model["message"],
        "cwe": "CWE-502",
        "fix": None,
        "fingerprint": model["fingerprint"],
        "artifact": None,
    }
    assert "pickle.load" in model["message"]
    assert config["code"] == "AIS105" and config["path"] == "app/config.py"
    assert config["fix"]["applicability"] == "unsafe"
    assert "+cfg = yaml.safe_load(open('c.yaml'))" in config["fix"]["diff"]
    assert config["fix"]["diff"].startswith("--- a/app/config.py\n+++ b/app/config.py\n")
    assert len({model["fingerprint"], config["fingerprint"]}) == 2


def test_json_contract_with_errors_and_diagnostics(tree, run_cli) -> None:
    root = tree({"bad.py": "from pickle import loads\ndef (:\n", "ok.py": "x = 1  # aisec: ignore[AIS101]\n"})
    result = run_cli(["check", "--format", "json", "--warn-unused-ignores", ".", "gone.py"], cwd=root)
    data = result.json()
    _assert_json_contract(data)
    assert [f["code"] for f in data["findings"]] == ["AIS001", "AIS002"]
    assert data["findings"][0]["cwe"] is None
    assert data["errors"][0]["path"] == "gone.py"


def test_columns_are_one_based_and_end_is_exclusive(tree, run_cli) -> None:
    source = "import pickle\n\nif True:\n    data = pickle.loads(\n        blob)\n"
    root = tree({"a.py": source})
    (finding,) = run_cli(["check", "--format", "json", "."], cwd=root).json()["findings"]
    assert (finding["line"], finding["column"], finding["end_line"], finding["end_column"]) == (4, 12, 5, 14)
    lines = source.splitlines()
    assert lines[3][finding["column"] - 1 :].startswith("pickle.loads(")
    assert lines[4][: finding["end_column"] - 1].endswith("blob)")


def test_non_ascii_columns_count_characters(tree, run_cli) -> None:
    line = "näme = 'ü'; x = pickle.loads(b)"
    root = tree({"a.py": f"import pickle\n{line}\n"})
    (finding,) = run_cli(["check", "--format", "json", "."], cwd=root).json()["findings"]
    assert finding["column"] == line.index("pickle") + 1 == 17
    assert finding["end_column"] == len(line) + 1


def test_paths_are_posix_relative_to_cwd(tree, run_cli) -> None:
    root = tree({"pkg/sub/a.py": PICKLE, "other/b.py": PICKLE})
    result = run_cli(["check", "--format", "json", "pkg", str(root / "other" / "b.py")], cwd=root)
    assert [f["path"] for f in result.json()["findings"]] == ["other/b.py", "pkg/sub/a.py"]
    # below another folder: paths outside the cwd are absolute
    result = run_cli(["check", "--format", "json", "../other"], cwd=root / "pkg")
    assert [f["path"] for f in result.json()["findings"]] == [(root / "other" / "b.py").as_posix()]
    result = run_cli(["check", "--format", "json", "./sub/"], cwd=root / "pkg")
    assert [f["path"] for f in result.json()["findings"]] == ["sub/a.py"]
    # `..` that leads back below the cwd is normalised, and a file named twice is checked once
    result = run_cli(["check", "--format", "json", "../pkg/sub", "sub/a.py"], cwd=root / "pkg")
    assert [f["path"] for f in result.json()["findings"]] == ["sub/a.py"]
    assert result.json()["summary"]["files"] == 1


def test_sort_order_is_deterministic(tree, run_cli) -> None:
    files = {
        "b.py": PICKLE + YAML,
        "a/z.py": "import pickle, yaml\nx = pickle.loads(yaml.load(s))\n",
        "a.py": YAML + PICKLE,
        "a/b.py": PICKLE,
    }
    root = tree(files)
    first = run_cli(["check", "--no-cache", "--format", "json", "b.py", "a", "a.py"], cwd=root).out
    second = run_cli(["check", "--no-cache", "--format", "json", "."], cwd=root).out
    assert first == second
    found = [(f["path"], f["line"], f["column"], f["code"]) for f in json.loads(first)["findings"]]
    assert found == sorted(found)
    assert found[:3] == [("a.py", 2, 7, "AIS105"), ("a.py", 4, 7, "AIS101"), ("a/b.py", 2, 7, "AIS101")]
    assert ("a/z.py", 2, 5, "AIS101") in found and ("a/z.py", 2, 18, "AIS105") in found


# ----- stdin -----


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:
    _stdin(monkeypatch, PICKLE)
    result = run_cli(["check", "--format", "json", "--stdin-filename", "x.py", "-"])
    assert result.code == 1
    assert findings(result) == [("x.py", 2, "AIS101")]
    assert result.json()["summary"]["files"] == 1
    _stdin(monkeypatch, CLEAN)
    assert run_cli(["check", "--stdin-filename", "x.py", "-"]).code == 0


def test_stdin_filename_alone_reads_stdin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:
    _stdin(monkeypatch, YAML)
    result = run_cli(["check", "--format", "json", "--stdin-filename", "src/x.py"])
    assert findings(result) == [("src/x.py", 2, "AIS105")]


def test_stdin_cannot_mix_with_paths(tree, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:
    root = tree({"a.py": CLEAN})
    _stdin(monkeypatch, PICKLE)
    result = run_cli(["check", "a.py", "-"], cwd=root)
    assert result.code == 2 and "stdin" in result.err


def test_stdin_fix_prints_fixed_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:
    _stdin(monkeypatch, YAML)
    result = run_cli(["check", "--fix", "--unsafe-fixes", "--stdin-filename", "x.py", "-"])
    assert result.out == "import yaml\ncfg = yaml.safe_load(stream)\n"
    assert result.code == 0


def test_stdin_respects_per_file_ignores(tree, monkeypatch: pytest.MonkeyPatch, run_cli) -> None:
    root = tree({"pyproject.toml": '[tool.aisec]\nper-file-ignores = {"tests/*" = ["AIS101"]}\n'})
    _stdin(monkeypatch, PICKLE)
    assert run_cli(["check", "--stdin-filename", "tests/t.py", "-"], cwd=root).code == 0
    _stdin(monkeypatch, PICKLE)
    assert run_cli(["check", "--stdin-filename", "src/t.py", "-"], cwd=root).code == 1


# ----- fixes -----

FIXABLE = (
    "import yaml  # config loading\n"
    "\n"
    "# read the pipeline\n"
    "cfg = yaml.load(stream)  # keep me\n"
    "more = yaml.load(\n"
    "    open('x.yaml'),\n"
    "    Loader=yaml.FullLoader,\n"
    ")  # the file\n"
)


def test_diff_needs_unsafe_fixes_for_unsafe_fix(tree, run_cli) -> None:
    root = tree({"a.py": FIXABLE})
    result = run_cli(["check", "--diff", "a.py"], cwd=root)
    assert "@@" not in result.out and "+++" not in result.out
    assert (root / "a.py").read_text() == FIXABLE


def test_diff_prints_unified_diff_and_changes_nothing(tree, run_cli) -> None:
    root = tree({"a.py": FIXABLE})
    result = run_cli(["check", "--diff", "--unsafe-fixes", "a.py"], cwd=root)
    assert result.out.startswith("--- a/a.py\n+++ b/a.py\n@@ ")
    assert "\n-cfg = yaml.load(stream)  # keep me\n" in result.out
    assert "\n+cfg = yaml.safe_load(stream)  # keep me\n" in result.out
    assert "+more = yaml.safe_load(" in result.out
    assert "AIS105" not in result.out  # only the diff
    assert (root / "a.py").read_text() == FIXABLE
    assert result.code == 1  # nothing changed: the findings are still in the file
    assert run_cli(["check", "--diff", "--unsafe-fixes", "--exit-zero", "a.py"], cwd=root).code == 0


def test_fix_keeps_comment_inside_the_call(tree, run_cli) -> None:
    source = "import yaml\ncfg = yaml.load(\n    stream,  # the stream\n    Loader=yaml.Loader,\n)\n"
    root = tree({"a.py": source})
    run_cli(["check", "--fix", "--unsafe-fixes", "a.py"], cwd=root)
    fixed = (root / "a.py").read_text()
    assert "yaml.safe_load(" in fixed
    assert "# the stream" in fixed


def test_fix_without_unsafe_changes_nothing(tree, run_cli) -> None:
    root = tree({"a.py": FIXABLE})
    result = run_cli(["check", "--fix", "a.py"], cwd=root)
    assert (root / "a.py").read_text() == FIXABLE
    assert result.code == 1


def test_fix_unsafe_rewrites_file(tree, run_cli) -> None:
    root = tree({"a.py": FIXABLE, "b.py": PICKLE})
    result = run_cli(["check", "--fix", "--unsafe-fixes", "--format", "json", "."], cwd=root)
    fixed = (root / "a.py").read_text()
    ast.parse(fixed)
    assert "yaml.load" not in fixed
    assert fixed.count("yaml.safe_load(") == 2
    for comment in ("# config loading", "# read the pipeline", "# keep me", "# the file"):
        assert comment in fixed
    assert "cfg = yaml.safe_load(stream)  # keep me\n" in fixed
    assert "FullLoader" not in fixed
    assert "Fixed 2 findings." in result.err
    # what remains is the unfixable pickle finding
    assert findings(result) == [("b.py", 2, "AIS101")]
    assert result.code == 1
    assert run_cli(["check", "a.py"], cwd=root).code == 0


def test_fix_keeps_declared_encoding(tree, run_cli) -> None:
    source = "# -*- coding: latin-1 -*-\nimport yaml\nname = 'café'\ncfg = yaml.load(s)\n"
    root = tree({"a.py": source.encode("latin-1")})
    assert run_cli(["check", "--fix", "--unsafe-fixes", "a.py"], cwd=root).code == 0
    assert (root / "a.py").read_bytes() == source.replace("yaml.load", "yaml.safe_load").encode("latin-1")


def test_suppressed_finding_is_not_fixed(tree, run_cli) -> None:
    source = "import yaml\ncfg = yaml.load(s)  # aisec: ignore[AIS105] trusted\n"
    root = tree({"a.py": source})
    run_cli(["check", "--fix", "--unsafe-fixes", "a.py"], cwd=root)
    assert (root / "a.py").read_text() == source


# ----- rules / explain -----


def test_rules_lists_builtin_rules(run_cli) -> None:
    result = run_cli(["rules"])
    assert result.code == 0
    rows = {line.split()[0]: line.split() for line in result.out.splitlines()[1:]}
    assert rows["AIS101"][1:3] == ["pickle-load", "high"]
    assert rows["AIS101"][-1] == "aisec.model_loading"
    assert rows["AIS105"][1] == "yaml-unsafe-load"
    assert rows["AIS001"][-1] == "aisec.core"
    assert result.out.splitlines()[0].split() == ["CODE", "NAME", "SEVERITY", "STATE", "PLUGIN"]


def test_explain(run_cli) -> None:
    rule = load_plugins(entry_points=False).rules["AIS101"]
    result = run_cli(["explain", "AIS101"])
    assert result.code == 0
    assert result.out == render_rule(rule) + "\n"
    assert result.out.startswith("# AIS101 `pickle-load`")
    assert run_cli(["explain", "ais105"]).out.startswith("# AIS105 `yaml-unsafe-load`")
    missing = run_cli(["explain", "AIS999"])
    assert missing.code == 2 and "AIS999" in missing.err


# ----- baseline -----


def test_baseline(tree, run_cli) -> None:
    root = tree({"app.py": PICKLE, "cfg.py": YAML})
    result = run_cli(["baseline", "-o", "b.json"], cwd=root)
    assert result.code == 0 and "Wrote 2 findings to b.json." in result.err
    baseline = json.loads((root / "b.json").read_text())
    assert len(baseline["findings"]) == 2
    assert all(set(entry) >= {"fingerprint", "code", "path"} for entry in baseline["findings"])
    assert "line" not in json.dumps(baseline)

    result = run_cli(["check", "--baseline", "b.json", "."], cwd=root)
    assert result.code == 0, result.out

    # moving code keeps the old finding baselined
    (root / "app.py").write_text("import os\n\n\n# a comment\n" + PICKLE + "\n")
    (root / "cfg.py").write_text("import yaml\n\n\ndef f():\n    cfg = yaml.load(stream)\n")
    assert run_cli(["check", "--baseline", "b.json", "."], cwd=root).code == 0

    # a new finding is reported, and only it
    (root / "app.py").write_text(PICKLE + "other = pickle.load(f)\n")
    result = run_cli(["check", "--format", "json", "--baseline", "b.json", "."], cwd=root)
    assert result.code == 1
    assert findings(result) == [("app.py", 3, "AIS101")]


def test_baseline_same_statement_twice(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    run_cli(["baseline", "-o", "b.json"], cwd=root)
    (root / "a.py").write_text(PICKLE + "obj = pickle.loads(blob)\n")
    result = run_cli(["check", "--format", "json", "--baseline", "b.json", "."], cwd=root)
    assert len(result.json()["findings"]) == 1


def test_bad_baseline_exits_2(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE, "b.json": "{not json"})
    result = run_cli(["check", "--baseline", "missing.json", "."], cwd=root)
    assert result.code == 2 and "aisec baseline -o missing.json" in result.err
    result = run_cli(["check", "--baseline", "b.json", "."], cwd=root)
    assert result.code == 2 and "not an aisec baseline" in result.err
    assert len(result.err.splitlines()) == 1


# ----- discovery -----

requires_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@requires_git
def test_git_discovery(tree, run_cli) -> None:
    root = tree(
        {
            ".gitignore": "ignored.py\nscratch/\n",
            "tracked.py": PICKLE,
            "untracked.py": PICKLE,
            "ignored.py": PICKLE,
            "scratch/notes.py": PICKLE,
            "pkg/inner.py": PICKLE,
            "build/gen.py": PICKLE,
        }
    )
    _git(root, "init", "-q")
    _git(root, "add", "tracked.py", ".gitignore", "build/gen.py")
    result = run_cli(["check", "--format", "json", "."], cwd=root)
    assert sorted({path for path, _, _ in findings(result)}) == ["pkg/inner.py", "tracked.py", "untracked.py"]
    # a subfolder of the work tree
    result = run_cli(["check", "--format", "json", "."], cwd=root / "pkg")
    assert findings(result) == [("inner.py", 2, "AIS101")]
    # a file named explicitly is checked even if git ignores it
    result = run_cli(["check", "--format", "json", "ignored.py"], cwd=root)
    assert findings(result) == [("ignored.py", 2, "AIS101")]


@requires_git
def test_git_is_asked_wherever_it_could_find_a_work_tree(tree, tmp_path_factory, monkeypatch) -> None:
    """`outside_git` spares starting git only where no `.git` can be found: a folder reached
    through a symlink, a linked work tree's `.git` file and `GIT_DIR` all still ask git."""
    from aisec.discovery import _git_files, outside_git

    root = tree({".gitignore": "ignored.py\n", "sub/kept.py": PICKLE, "sub/ignored.py": PICKLE})
    _git(root, "init", "-q")
    plain = tmp_path_factory.mktemp("plain")
    (plain / "a.py").write_text(PICKLE, encoding="utf-8")
    link = plain / "linked"
    link.symlink_to(root / "sub")
    assert outside_git(plain)
    assert not outside_git(root / "sub") and not outside_git(link)
    assert sorted(path.name for path in _git_files(link) or []) == ["kept.py"]  # git's answer
    _git(root, "add", ".gitignore")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "first")
    other = tmp_path_factory.mktemp("worktrees") / "other"
    _git(root, "worktree", "add", "-q", str(other))
    assert (other / ".git").is_file() and not outside_git(other)
    monkeypatch.setenv("GIT_DIR", str(root / ".git"))
    assert not outside_git(plain)


def test_walk_skips_default_and_configured_excludes(tree, run_cli) -> None:
    root = tree(
        {
            "a.py": PICKLE,
            "stub.pyi": PICKLE,
            "notes.txt": PICKLE,
            ".venv/lib/x.py": PICKLE,
            "node_modules/y.py": PICKLE,
            "src/__pycache__/z.py": PICKLE,
            "src/m.py": PICKLE,
        }
    )
    result = run_cli(["check", "--format", "json", "."], cwd=root)
    assert sorted({p for p, _, _ in findings(result)}) == ["a.py", "src/m.py", "stub.pyi"]
    # an explicitly named file is checked whatever its suffix
    result = run_cli(["check", "--format", "json", "notes.txt"], cwd=root)
    assert findings(result) == [("notes.txt", 2, "AIS101")]


def test_force_exclude(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nextend-exclude = ["generated"]\n',
            "generated/x.py": PICKLE,
            "app.py": PICKLE,
        }
    )
    # named explicitly, an excluded file is checked ...
    assert findings(run_cli(["check", "--format", "json", "generated/x.py"], cwd=root)) == [
        ("generated/x.py", 2, "AIS101")
    ]
    # ... unless --force-exclude (pre-commit passes every staged file)
    result = run_cli(["check", "--format", "json", "--force-exclude", "generated/x.py", "app.py"], cwd=root)
    assert findings(result) == [("app.py", 2, "AIS101")]
    result = run_cli(["check", "--force-exclude", "./generated/x.py"], cwd=root)
    assert result.code == 0
    result = run_cli(["check", "--force-exclude", str(root / "generated" / "x.py")], cwd=root)
    assert result.code == 0


def test_excludes_are_relative_to_project_root(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": (
                "[tool.aisec]\n"
                'extend-exclude = ["src/generated"]\n'
                'per-file-ignores = {"src/tests/*" = ["AIS101"]}\n'
            ),
            "src/generated/x.py": PICKLE,
            "src/tests/test_a.py": PICKLE,
            "src/app.py": PICKLE,
        }
    )
    expected = [("app.py", 2, "AIS101")]
    assert findings(run_cli(["check", "--format", "json", "."], cwd=root / "src")) == expected
    result = run_cli(["check", "--format", "json", "--force-exclude", "generated/x.py"], cwd=root / "src")
    assert findings(result) == []
    result = run_cli(["check", "--format", "json", "test_a.py"], cwd=root / "src" / "tests")
    assert findings(result) == []


def test_main_returns_int_for_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--help"]) == 0
    assert "--fail-on" in capsys.readouterr().out


def test_colour_and_code_frame_only_when_asked(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    plain = run_cli(["check", "a.py"], cwd=root)
    assert "\x1b[" not in plain.out and "^" not in plain.out  # not a TTY, NO_COLOR set
    coloured = run_cli(["check", "--color", "always", "a.py"], cwd=root)
    assert "\x1b[" in coloured.out and "^" not in coloured.out  # colour alone adds no frame
    framed = run_cli(["check", "--color", "always", "--show-source", "a.py"], cwd=root)
    assert "2 | obj = pickle.loads(blob)" in framed.out
    assert "^" * len("pickle.loads(blob)") in framed.out
    run_cli(["check", "--color", "always", "--output", "r.txt", "a.py"], cwd=root)
    assert "\x1b[" not in (root / "r.txt").read_text()


def test_baseline_with_missing_path_exits_2(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["baseline", "-o", "b.json", "a.py", "nope.py"], cwd=root)
    assert result.code == 2 and "nope.py" in result.err


def test_folders_above_a_named_directory_do_not_exclude_it(tmp_path, run_cli) -> None:
    """`aisec check /x/site-packages/pkg` from elsewhere: only paths below the named directory
    (or the project root) are matched against excludes such as `site-packages`."""
    outside = tmp_path / "x" / "site-packages" / "pkg"
    outside.mkdir(parents=True)
    (outside / "m.py").write_text("import pickle\npickle.loads(b)\n", encoding="utf-8")
    elsewhere = tmp_path / "work"
    (elsewhere / ".git").mkdir(parents=True)
    result = run_cli(["check", "--no-cache", "--format", "json", str(outside)], cwd=elsewhere)
    assert [f["code"] for f in result.json()["findings"]] == ["AIS101"]
