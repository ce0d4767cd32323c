"""The plugin manager: registration, collisions, disabling, validation (through the CLI)."""

from __future__ import annotations

import pytest
from aisec.hooks import Rule
from aisec.pluginmanager import BUILTIN_PLUGINS, PluginError, load_plugins


def rule_plugin(code: str, name: str = "team-rule", extra: str = "") -> str:
    return f"""
        from aisec.hooks import Rule, hookimpl


        class TeamRule(Rule):
            code = {code!r}
            name = {name!r}
            triggers = ("acme",)
            {extra}

            def visit_Call(self, node):
                if self.names.qualified(node.func) == "acme.danger":
                    self.report(node, "acme.danger is dangerous")


        @hookimpl
        def aisec_rules():
            return [TeamRule]
    """


def config(*plugins: str, disable: tuple[str, ...] = ()) -> str:
    listed = ", ".join(f'"{p}"' for p in plugins)
    disabled = ", ".join(f'"{p}"' for p in disable)
    return f"[tool.aisec]\nplugins = [{listed}]\ndisable-plugins = [{disabled}]\n"


def test_config_plugin_rule_fires(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("team_rules"),
            "team_rules.py": rule_plugin("TEAM001"),
            "app.py": "import acme\nacme.danger()\nacme.safe()\n",
        }
    )
    result = run_cli(["check", "--format", "json", "app.py"], cwd=root)
    assert [(f["code"], f["line"]) for f in result.json()["findings"]] == [("TEAM001", 2)]
    rules = run_cli(["rules"], cwd=root)
    (row,) = [line.split() for line in rules.out.splitlines() if line.startswith("TEAM001")]
    assert row[-1] == "team_rules"
    assert "team_rules (config `plugins`)" in run_cli(["config"], cwd=root).out


def test_config_plugins_come_only_from_config(tree, run_cli) -> None:
    # A module in the scanned project is never imported unless the config names it.
    root = tree(
        {
            "team_rules.py": rule_plugin("TEAM001") + "\nraise SystemExit('imported!')\n",
            "app.py": "import acme\nacme.danger()\n",
        }
    )
    result = run_cli(["check", "app.py"], cwd=root)
    assert result.code == 0 and "TEAM001" not in result.out


def test_two_plugins_with_one_rule_code(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("plug_a", "plug_b"),
            "plug_a.py": rule_plugin("DUP001", "first"),
            "plug_b.py": rule_plugin("DUP001", "second"),
            "app.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "DUP001" in result.err and "'plug_a'" in result.err and "'plug_b'" in result.err


def test_plugin_rule_code_colliding_with_builtin(tree, run_cli) -> None:
    root = tree({"pyproject.toml": config("plug_a"), "plug_a.py": rule_plugin("AIS101", "mine")})
    result = run_cli(["rules"], cwd=root)
    assert result.code == 2
    assert "AIS101" in result.err and "aisec.model_loading" in result.err and "plug_a" in result.err


def test_misspelled_hook_is_refused(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("typo_plugin"),
            "typo_plugin.py": """
                from aisec.hooks import hookimpl


                @hookimpl
                def aisec_rulez():
                    return []
            """,
            "app.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "typo_plugin" in result.err and "aisec_rulez" in result.err


def test_hook_with_wrong_arguments_is_refused(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("bad_args"),
            "bad_args.py": """
                from aisec.hooks import hookimpl


                @hookimpl
                def aisec_configure(config, extra):
                    pass
            """,
        }
    )
    result = run_cli(["rules"], cwd=root)
    assert result.code == 2 and "bad_args" in result.err


def test_config_plugin_that_fails_to_import(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("broken_plugin"),
            "broken_plugin.py": "import no_such_module_anywhere\n",
            "app.py": "x = 1\n",
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert len(result.err.splitlines()) == 1
    assert "broken_plugin" in result.err and "no_such_module_anywhere" in result.err
    assert "Traceback" not in result.err


def test_missing_config_plugin(tree, run_cli) -> None:
    root = tree({"pyproject.toml": config("not_there")})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2 and "not_there" in result.err and len(result.err.splitlines()) == 1


def test_plugin_raising_at_registration(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("raiser"),
            "raiser.py": """
                from aisec.hooks import hookimpl


                @hookimpl
                def aisec_rules():
                    raise RuntimeError("no rules today")
            """,
        }
    )
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert "raiser" in result.err and "no rules today" in result.err and "aisec_rules" in result.err


def test_plugin_returning_a_non_rule(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("odd"),
            "odd.py": "from aisec.hooks import hookimpl\n\n@hookimpl\ndef aisec_rules():\n    return ['AIS900']\n",
        }
    )
    result = run_cli(["rules"], cwd=root)
    assert result.code == 2 and "odd" in result.err and "Rule" in result.err


@pytest.mark.parametrize(
    ("code", "name", "complaint"),
    [
        ("bad", "bad-rule", "code 'bad'"),
        ("AIS1", "bad-rule", "code 'AIS1'"),
        ("acme001", "bad-rule", "code 'acme001'"),
        ("ACME001", "Bad_Rule", "name 'Bad_Rule'"),
    ],
)
def test_rule_with_bad_metadata_is_refused(tree, run_cli, code: str, name: str, complaint: str) -> None:
    root = tree({"pyproject.toml": config("badmeta"), "badmeta.py": rule_plugin(code, name)})
    result = run_cli(["rules"], cwd=root)
    assert result.code == 2
    assert "badmeta" in result.err and complaint in result.err and "TeamRule" in result.err
    assert len(result.err.splitlines()) == 1


def test_rule_with_string_triggers_is_refused(tree, run_cli) -> None:
    root = tree(
        {"pyproject.toml": config("strtrig"), "strtrig.py": rule_plugin("ACME001", extra='triggers = "acme"')}
    )
    result = run_cli(["rules"], cwd=root)
    assert result.code == 2 and "triggers" in result.err


def test_disable_builtin_rule_plugin(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("team_rules", disable=("aisec.model_loading",)),
            "team_rules.py": rule_plugin("TEAM001"),
            "app.py": "import pickle\npickle.loads(b)\n",
        }
    )
    rules = run_cli(["rules"], cwd=root)
    assert rules.code == 0
    codes = [line.split()[0] for line in rules.out.splitlines()[1:]]
    assert "AIS101" not in codes and "AIS105" not in codes
    assert "TEAM001" in codes and "AIS001" in codes
    assert run_cli(["check", "app.py"], cwd=root).code == 0
    assert "aisec.model_loading" not in run_cli(["config"], cwd=root).out


def test_disabling_a_config_plugin_skips_its_import(tree, run_cli) -> None:
    root = tree(
        {
            "pyproject.toml": config("broken_plugin", disable=("broken_plugin",)),
            "broken_plugin.py": "raise ImportError('should not be imported')\n",
            "app.py": "import pickle\npickle.loads(b)\n",
        }
    )
    assert run_cli(["check", "app.py"], cwd=root).code == 1


@pytest.mark.parametrize("essential", ["aisec.core", "aisec.formatters"])
def test_disabling_essential_plugin_is_refused(tree, run_cli, essential: str) -> None:
    root = tree({"pyproject.toml": config(disable=(essential,)), "app.py": "x = 1\n"})
    result = run_cli(["check", "."], cwd=root)
    assert result.code == 2
    assert essential in result.err and len(result.err.splitlines()) == 1


def test_no_enabled_rule_is_an_error(tree, run_cli) -> None:
    root = tree({"app.py": "x = 1\n"})
    result = run_cli(["check", "--select", "AIS0", "."], cwd=root)  # the scanner's own diagnostics only
    assert result.code == 2 and "no rule is enabled" in result.err


def test_load_plugins_directly() -> None:
    registry = load_plugins(entry_points=False)
    assert set(BUILTIN_PLUGINS) <= set(registry.plugin_sources)
    assert registry.rule_plugins["AIS101"] == "aisec.model_loading"
    assert registry.rule_plugins["AIS001"] == "aisec.core"
    assert {"text", "json", "concise"} <= set(registry.formatters)
    assert all(isinstance(rule, type) and issubclass(rule, Rule) for rule in registry.rules.values())
    with pytest.raises(PluginError, match=r"aisec\.core"):
        load_plugins(disabled=["aisec.core"], entry_points=False)
