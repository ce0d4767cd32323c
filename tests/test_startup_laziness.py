"""What a one-file run rarely needs is loaded on first use, and still loaded when a run needs it.

The output formats other than text are imported when a run first renders one, and regular
expressions most files never reach are compiled when a file first needs them. Each case runs
the real command in a fresh interpreter (what is loaded is per process) and checks both ways:
not loaded after a run that does not need it, and loaded, with the run's findings or report,
after one that does. A third-party plugin's formatter and rule still work beside them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_plugins import rule_plugin

PROBE = textwrap.dedent(
    """
    import json, sys
    from aisec.cli import main

    code = main(sys.argv[1:])
    import re
    from aisec import literals, regexes, suppressions
    from aisec.plugins.llm_output import code_execution
    from aisec.plugins.model_loading import unpinned_hub_download

    lazy = {
        "directive": (suppressions.DIRECTIVE, re.IGNORECASE),
        "hub ids": (unpinned_hub_download.HUB_ID, 0),
        "launcher settings": (code_execution.LAUNCHER_SETTING, 0),
        "f-string cuts": (literals.CUTS, 0),
    }
    print(json.dumps({
        "code": code,
        "shutil": "shutil" in sys.modules,
        "summaries": sorted(m for m in ("aisec.taint.summary", "aisec.taint.values") if m in sys.modules),
        "formats": sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("aisec.plugins.formatters.")),
        "compiled": sorted(name for name, pattern in lazy.items() if regexes.is_compiled(*pattern)),
    }), file=sys.stderr)
    """
)

PLAIN = "import pickle\n\n\ndef restore(blob):\n    return pickle.loads(blob)\n"
SUPPRESSED = "import pickle\n\n\ndef restore(blob):\n    return pickle.loads(blob)  # aisec: ignore[AIS101] signed blobs\n"
HUB = 'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("acme/secret-model")\n'
LAUNCHER = textwrap.dedent(
    """
    import subprocess

    from openai import OpenAI

    client = OpenAI()
    reply = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    subprocess.run(["env", "LANG=C", "bash", "-c", reply.choices[0].message.content])
    """
)


def probe(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[dict, str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "check", "--no-cache", *args],
        cwd=root,
        env={**os.environ, "XDG_CACHE_HOME": str(root / ".user-cache"), "NO_COLOR": "1", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stderr.splitlines()[-1]), done.stdout


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    for name, text in {
        "plain.py": PLAIN,
        "suppressed.py": SUPPRESSED,
        "hub.py": HUB,
        "launch.py": LAUNCHER,
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_a_plain_run_loads_none_of_it(root: Path) -> None:
    state, out = probe(root, "plain.py")
    assert state == {"code": 1, "shutil": False, "summaries": [], "formats": ["text"], "compiled": []}, state
    assert "AIS101" in out


def test_the_project_index_loads_the_summary_layers_only_for_a_project_import(root: Path) -> None:
    """A file that spells a taint source and imports asks the project index which project
    modules it imports (`taint.project.import_tokens`): with none, the summary layers stay
    unloaded; importing a project module that reaches a sink loads them and finds the flow."""
    (root / "store.py").write_text(
        "import pickle\n\n\ndef restore(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n"
        "\n\nname = input()\n",
        encoding="utf-8",
    )
    state, out = probe(root, "store.py")
    assert (state["code"], state["summaries"]) == (1, []) and "AIS101" in out, (state, out)
    (root / "helpers.py").write_text(
        "import os\n\n\ndef run(command):\n    os.system(command)\n", encoding="utf-8"
    )
    (root / "chat.py").write_text(
        "import openai\nfrom helpers import run\n\n"
        "reply = openai.OpenAI().chat.completions.create(model='m', messages=[])\n"
        "run(reply.choices[0].message.content)\n",
        encoding="utf-8",
    )
    state, out = probe(root, "chat.py")
    assert state["summaries"] == ["aisec.taint.summary", "aisec.taint.values"], state
    assert state["code"] == 1 and "AIS301" in out, (state, out)


def test_each_is_loaded_when_a_file_needs_it(root: Path) -> None:
    state, out = probe(root, "suppressed.py")
    assert (state["code"], state["compiled"]) == (0, ["directive"]), state
    state, out = probe(root, "hub.py")
    assert (state["code"], state["compiled"]) == (1, ["hub ids"]) and "AIS107" in out, state
    state, out = probe(root, "launch.py")
    assert state["code"] == 1 and "AIS301" in out, (state, out)
    assert "launcher settings" in state["compiled"] and "f-string cuts" not in state["compiled"], state


@pytest.mark.parametrize("name", ["json", "sarif", "github", "gitlab"])
def test_an_output_format_is_imported_when_a_run_renders_it(root: Path, name: str) -> None:
    from aisec.plugins import formatters

    state, out = probe(root, "--format", name, "plain.py")
    assert state["code"] == 1 and name in {f.replace("_format", "") for f in state["formats"]}, state
    assert "AIS101" in out
    registered = formatters.aisec_formatters()[name]
    module = {"json": "json_format"}.get(name, name)
    direct = getattr(__import__(f"aisec.plugins.formatters.{module}", fromlist=["x"]), f"format_{name}")
    assert registered.__name__ == direct.__name__


def test_a_third_party_formatter_and_rule_beside_them(
    root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = tmp_path_factory.mktemp("site")
    plugin = textwrap.dedent(rule_plugin("TEAM001")) + textwrap.dedent(
        """
        @hookimpl
        def aisec_formatters():
            return {"team": lambda report, options: f"team saw {len(report.findings)} finding(s)\\n"}
        """
    )
    (site / "team_plugin.py").write_text(plugin, encoding="utf-8")
    (site / "team_plugin-1.0.dist-info").mkdir()
    (site / "team_plugin-1.0.dist-info" / "entry_points.txt").write_text(
        "[aisec]\nteam = team_plugin\n", encoding="utf-8"
    )
    (root / "acme_use.py").write_text("import acme\nacme.danger()\n", encoding="utf-8")
    env = {"PYTHONPATH": str(site)}
    state, out = probe(root, "--format", "team", "acme_use.py", "plain.py", env=env)
    assert state["code"] == 1 and out == "team saw 2 finding(s)\n", (state, out)
    assert state["formats"] == ["text"], state
    state, out = probe(root, "--format", "sarif", "acme_use.py", env=env)
    assert state["code"] == 1 and [r["ruleId"] for r in json.loads(out)["runs"][0]["results"]] == ["TEAM001"]


def test_a_pattern_is_compiled_once_per_pattern_and_flags() -> None:
    from aisec import regexes

    pattern = r"lazy-(?P<x>probe)\d*"
    assert not regexes.is_compiled(pattern, re.IGNORECASE)
    folded = regexes.compiled(pattern, re.IGNORECASE)
    assert regexes.compiled(pattern, re.IGNORECASE) is folded and folded.match("LAZY-Probe7")
    assert regexes.is_compiled(pattern, re.IGNORECASE) and not regexes.is_compiled(pattern)
    assert regexes.compiled(pattern).match("LAZY-Probe7") is None


@pytest.mark.parametrize("columns", [None, "120", "0", "-5", "wide"])
def test_the_help_width_is_the_one_shutil_works_out(
    monkeypatch: pytest.MonkeyPatch, columns: str | None
) -> None:
    """`cli.terminal_columns` stands in for `shutil.get_terminal_size().columns` (not imported
    by a run): the same number with `COLUMNS` set, unset and invalid, and stdout no terminal."""
    import shutil

    from aisec.cli import terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.delenv("LINES", raising=False)
    assert terminal_columns() == shutil.get_terminal_size().columns
