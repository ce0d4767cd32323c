"""Configuration: real pyproject.toml / aisec.toml files, read the way a run reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from aisec.config import ConfigError, find_config_file, load_config
from aisec.hooks import Severity
from hypothesis import given, settings
from hypothesis import strategies as st

PICKLE = "import pickle\nobj = pickle.loads(blob)\n"
YAML = "import yaml\ncfg = yaml.load(text)\n"


def codes(result) -> list[str]:
    return [f["code"] for f in result.json()["findings"]]


# ----- validation (load_config) -----


def test_unknown_key_names_key_and_lists_valid_keys(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\nselectt = ["AIS1"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    message = str(info.value)
    assert "tool.aisec.selectt" in message
    assert "pyproject.toml" in message
    for valid in ("select", "ignore", "extend-select", "per-file-ignores", "fail-on", "plugins", "rules"):
        assert valid in message
    assert "\n" not in message


def test_unknown_nested_key_lists_the_subtable_keys(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.aisec.artifacts]\nmax-opcode = 10\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert "tool.aisec.artifacts.max-opcode" in str(info.value)
    assert "max-opcodes" in str(info.value)


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('select = "AIS1"', "tool.aisec.select"),
        ("ignore = [101]", "tool.aisec.ignore"),
        ('fail-on = "severe"', "tool.aisec.fail-on"),
        ("fail-on = 3", "tool.aisec.fail-on"),
        ('per-file-ignores = {"a.py" = "AIS101"}', "tool.aisec.per-file-ignores"),
        ('per-file-ignores = ["a.py"]', "tool.aisec.per-file-ignores"),
        ('plugins = "x"', "tool.aisec.plugins"),
        ("artifacts = {max-opcodes = -1}", "tool.aisec.artifacts.max-opcodes"),
        ("artifacts = {max-pickle-bytes = true}", "tool.aisec.artifacts.max-pickle-bytes"),
        ('artifacts = {timeout-seconds = "1"}', "tool.aisec.artifacts.timeout-seconds"),
        ('rules = {code = "ACME001"}', "tool.aisec.rules"),
        ('rule-options = {AIS101 = "x"}', "tool.aisec.rule-options.AIS101"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, body: str, key: str) -> None:
    (tmp_path / "pyproject.toml").write_text(f"[tool.aisec]\n{body}\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=tmp_path)
    assert f"`{key}" in str(info.value)


def test_valid_config_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.aisec]\n"
        'select = ["AIS1"]\n'
        'ignore = ["AIS105"]\n'
        'fail-on = "high"\n'
        'extend-exclude = ["generated"]\n'
        'per-file-ignores = {"tests/*" = ["AIS101"]}\n'
        "[tool.aisec.artifacts]\n"
        "max-opcodes = 1000\n"
        "timeout-seconds = 2.5\n"
    )
    config = load_config(cwd=tmp_path)
    assert config.path == tmp_path / "pyproject.toml"
    assert config.root == tmp_path
    assert config.select == ["AIS1"]
    assert config.ignore == ["AIS105"]
    assert config.fail_on is Severity.HIGH
    assert "generated" in config.excludes and ".git" in config.excludes
    assert config.per_file_ignores == {"tests/*": ["AIS101"]}
    assert config.artifacts == {"max-opcodes": 1000, "timeout-seconds": 2.5}


# ----- finding the config file -----


def test_config_found_from_subfolder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\nfail-on = "high"\n')
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    config = load_config(cwd=sub)
    assert config.fail_on is Severity.HIGH
    assert config.root == tmp_path


@pytest.mark.parametrize(
    "text",
    [
        '[tool]\naisec = { fail-on = "critical" }\n',
        '[tool]\naisec.fail-on = "critical"\n',
        'tool.aisec.fail-on = "critical"\n',
    ],
)
def test_aisec_table_in_other_toml_spellings_is_found(tmp_path: Path, text: str) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    assert load_config(cwd=tmp_path).fail_on is Severity.CRITICAL


def test_pyproject_mentioning_aisec_elsewhere_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["aisec"]\n')
    path, root = find_config_file(tmp_path)
    assert path is None and root == tmp_path


def test_pyproject_without_aisec_table_is_skipped_but_marks_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\nfail-on = "critical"\n')
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "pyproject.toml").write_text('[project]\nname = "inner"\n')
    path, root = find_config_file(inner)
    assert path == tmp_path / "pyproject.toml"
    assert root == tmp_path


def test_aisec_toml_wins_over_pyproject_in_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\nfail-on = "critical"\n')
    (tmp_path / "aisec.toml").write_text('fail-on = "medium"\n')
    config = load_config(cwd=tmp_path)
    assert config.path == tmp_path / "aisec.toml"
    assert config.fail_on is Severity.MEDIUM


def test_nearer_config_wins(tmp_path: Path) -> None:
    (tmp_path / "aisec.toml").write_text('fail-on = "medium"\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "pyproject.toml").write_text('[tool.aisec]\nfail-on = "critical"\n')
    assert load_config(cwd=sub).fail_on is Severity.CRITICAL


def test_aisec_toml_unknown_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "aisec.toml").write_text("[tool.aisec]\nselect = []\n")
    with pytest.raises(ConfigError, match=r"tool\.aisec\.tool"):
        load_config(cwd=tmp_path)


def test_explicit_config_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\nfail-on = "critical"\n')
    other = tmp_path / "conf" / "strict.toml"
    other.parent.mkdir()
    other.write_text('[tool.aisec]\nfail-on = "info"\n')
    assert load_config(other, cwd=tmp_path).fail_on is Severity.INFO


def test_explicit_missing_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml", cwd=tmp_path)


def test_discovery_stops_at_git_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\nfail-on = "critical"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    sub = repo / "src"
    sub.mkdir()
    path, root = find_config_file(sub)
    assert path is None
    assert root == repo
    assert load_config(cwd=sub).fail_on is Severity.LOW


# ----- through the CLI -----


def test_broken_toml_is_one_line_exit_2(tree, run_cli) -> None:
    root = tree({"pyproject.toml": '[tool.aisec\nselect = ["AIS1"]\n', "a.py": PICKLE})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert "pyproject.toml" in lines[0] and "invalid TOML" in lines[0]
    assert "Traceback" not in result.err
    assert result.out == ""


def test_bad_config_value_via_cli_is_one_line(tree, run_cli) -> None:
    root = tree({"pyproject.toml": '[tool.aisec]\nfail-on = "severe"\n', "a.py": PICKLE})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "fail-on" in result.err and "critical" in result.err


@pytest.mark.parametrize("key", ["select", "ignore", "extend-select"])
def test_unknown_code_in_config_selection_exits_2(tree, run_cli, key: str) -> None:
    root = tree({"pyproject.toml": f'[tool.aisec]\n{key} = ["XYZ9"]\n', "a.py": PICKLE})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert "XYZ9" in result.err and key in result.err
    assert len(result.err.splitlines()) == 1


def test_unknown_code_on_command_line_exits_2(tree, run_cli) -> None:
    root = tree({"a.py": PICKLE})
    result = run_cli(["check", "--select", "AIS9", "."], cwd=root)
    assert result.code == 2
    assert "AIS9" in result.err


def test_select_and_ignore_from_config(tree, run_cli) -> None:
    root = tree({"pyproject.toml": '[tool.aisec]\nignore = ["AIS105"]\n', "a.py": PICKLE + YAML})
    assert codes(run_cli(["check", "--format", "json", "."], cwd=root)) == ["AIS101"]
    # The command line's --select replaces the config's select; ignore still applies.
    result = run_cli(["check", "--format", "json", "--select", "AIS105", "."], cwd=root)
    assert result.code == 2 and "no rule is enabled" in result.err
    result = run_cli(["check", "--format", "json", "--extend-select", "AIS105", "."], cwd=root)
    assert codes(result) == ["AIS101"]  # ignore AIS105 is as long as extend-select AIS105: ignore wins


def test_fail_on_from_config(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nfail-on = "critical"\n',
            "a.py": PICKLE,
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 0
    assert "AIS101" in result.out  # still reported, only not failing
    assert run_cli(["check", "--fail-on", "high", "."], cwd=root).code == 1


def test_per_file_ignores(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nper-file-ignores = {"tests/*" = ["AIS101"], "legacy.py" = ["AIS1"]}\n',
            "tests/test_x.py": PICKLE + YAML,
            "legacy.py": PICKLE + YAML,
            "app.py": PICKLE,
        }
    )
    found = run_cli(["check", "--format", "json", "."], cwd=root).json()["findings"]
    assert sorted((f["path"], f["code"]) for f in found) == [
        ("app.py", "AIS101"),
        ("tests/test_x.py", "AIS105"),
    ]


def test_extend_exclude(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": '[tool.aisec]\nextend-exclude = ["generated"]\n',
            "generated/a.py": PICKLE,
            "b.py": PICKLE,
        }
    )
    found = run_cli(["check", "--format", "json", "."], cwd=root).json()["findings"]
    assert [f["path"] for f in found] == ["b.py"]


def test_declarative_rule_fires_and_look_alikes_do_not(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": """
                [tool.aisec]
                [[tool.aisec.rules]]
                code = "ACME001"
                call = "acme.models.load_artifact"
                message = "Use acme.models.load_safetensors"
                severity = "high"
                unless = { kwarg = "verify", equals = true }
            """,
            "bad.py": """
                from acme import models
                from acme.models import load_artifact as la
                m = models.load_artifact("m.bin")
                n = la("n.bin", verify=False)
            """,
            "good.py": """
                import acme.models
                from mylib import load_artifact

                def helper(models):
                    return models.load_artifact("x")

                a = acme.models.load_artifact("m.bin", verify=True)
                b = load_artifact("m.bin")
                c = acme.models.load_safetensors("m.bin")
            """,
        }
    )
    result = run_cli(["check", "--format", "json", "."], cwd=root)
    found = [(f["path"], f["line"], f["code"], f["severity"]) for f in result.json()["findings"]]
    assert found == [("bad.py", 3, "ACME001", "high"), ("bad.py", 4, "ACME001", "high")]
    assert result.json()["findings"][0]["message"] == "Use acme.models.load_safetensors"
    assert result.code == 1
    rules = run_cli(["rules"], cwd=root)
    assert "ACME001" in rules.out


def test_declarative_rule_bad_keys(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": '[[tool.aisec.rules]]\ncode = "ACME001"\ncall = "a.b"\nmessage = "m"\nseverity = "hgh"\n',
            "a.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2 and "tool.aisec.rules[0]" in result.err
    (root / "pyproject.toml").write_text(
        '[[tool.aisec.rules]]\ncode = "ACME001"\ncall = "a.b"\nmesage = "m"\n'
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2 and "mesage" in result.err


def test_declarative_rule_cannot_take_a_builtin_code(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": '[[tool.aisec.rules]]\ncode = "AIS101"\ncall = "a.b"\nmessage = "m"\n',
            "a.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2 and "AIS101" in result.err and "aisec.model_loading" in result.err


def test_config_command_says_why_rules_are_off(tree, run_cli) -> None:
    root = tree({"pyproject.toml": '[tool.aisec]\nignore = ["AIS105"]\n'})
    result = run_cli(["config"], cwd=root)
    assert result.code == 0
    lines = {line.split()[0]: line for line in result.out.splitlines() if line.startswith("  AIS")}
    assert "off" in lines["AIS105"] and "ignored" in lines["AIS105"]
    assert "on" in lines["AIS101"] and "default" in lines["AIS101"]
    assert str(root / "pyproject.toml") in result.out

    (root / "pyproject.toml").write_text('[tool.aisec]\nselect = ["AIS101"]\n')
    result = run_cli(["config"], cwd=root)
    lines = {line.split()[0]: line for line in result.out.splitlines() if line.startswith("  AIS")}
    assert "off" in lines["AIS105"] and "not selected" in lines["AIS105"]
    assert "on" in lines["AIS101"] and "selected" in lines["AIS101"]


def _path_matches_by_runs(path: str, pattern: str) -> bool:
    """The definition `aisec.selection.path_matches` implements: the pattern (a glob) matches the
    whole path, one of its parts, or a leading or trailing run of its parts."""
    import fnmatch

    pattern = pattern.rstrip("/")
    parts = path.split("/")
    runs = [path, *parts]
    runs += ["/".join(parts[index:]) for index in range(len(parts))]
    runs += ["/".join(parts[: index + 1]) for index in range(len(parts))]
    return any(fnmatch.fnmatchcase(run, pattern) for run in runs)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.text(alphabet="ab./", max_size=10),
    st.text(alphabet="ab./", max_size=6),
)
def test_plain_exclude_patterns_match_as_the_glob_definition(path: str, pattern: str) -> None:
    # plain patterns (the default excludes) take a shortcut without the joins: same answers
    from aisec.selection import path_matches

    assert path_matches(path, pattern) == _path_matches_by_runs(path, pattern), (path, pattern)
    assert path_matches(path, pattern + "*") == _path_matches_by_runs(path, pattern + "*")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.text(alphabet="ab./", max_size=10),
    st.lists(st.text(alphabet="ab./*", max_size=5), max_size=4),
)
def test_a_set_of_exclude_patterns_matches_as_each_pattern_does(path: str, patterns: list[str]) -> None:
    # discovery matches every file against all excludes at once: plain names become one set
    from aisec.selection import any_path_matches, path_matches

    assert any_path_matches(patterns)(path) == any(path_matches(path, p) for p in patterns), (path, patterns)
