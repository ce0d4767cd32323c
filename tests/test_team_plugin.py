"""A team's plugin distribution, installed for real, found through its `aisec` entry point.

The distribution lives in tests/data/team_plugin (own pyproject.toml and entry point). It is
built and installed with pip into a temporary folder that the `aisec` subprocess gets on
PYTHONPATH, so discovery goes through importlib.metadata exactly as for an installed package.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from aisec.testing import example_failures

DATA = Path(__file__).parent / "data" / "team_plugin"


def pip_install(source: Path, target: Path) -> None:
    # Build from a copy: building in place would leave build/ and *.egg-info in the checkout.
    build = target.parent / f"src-{source.name}"
    shutil.copytree(source, build)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(build),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


@pytest.fixture(scope="module")
def team_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("team-site") / "site"
    pip_install(DATA, site)
    return site


def aisec(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "aisec", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_installed_plugin_is_discovered(team_site: Path) -> None:
    (dist_info,) = team_site.glob("acme_aisec_rules-0.1.0.dist-info")
    assert "[aisec]\nacme = acme_aisec_rules" in (dist_info / "entry_points.txt").read_text()


def test_team_rule_fires_through_aisec_check(team_site: Path, tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            import acme.models
            from acme.models import load_artifact as fetch

            model = acme.models.load_artifact("model.bin")
            other = fetch("other.bin")
            fine = acme.models.load_safetensors("model.safetensors")
            """
        )
    )
    (tmp_path / "clean.py").write_text("def load_artifact(p):\n    return p\n\nload_artifact('acme')\n")
    completed = aisec(team_site, tmp_path, "check", "--no-cache", "--format", "json", ".")
    assert completed.returncode == 1, completed.stderr
    data = json.loads(completed.stdout)
    assert [(f["path"], f["line"], f["code"]) for f in data["findings"]] == [
        ("app.py", 4, "ACME001"),
        ("app.py", 5, "ACME001"),
    ]
    assert data["findings"][0]["severity"] == "high" and data["findings"][0]["cwe"] == "CWE-502"
    assert data["errors"] == []


def test_team_rule_is_listed_with_its_plugin(team_site: Path, tmp_path: Path) -> None:
    completed = aisec(team_site, tmp_path, "rules")
    assert completed.returncode == 0, completed.stderr
    (row,) = [line.split() for line in completed.stdout.splitlines() if line.startswith("ACME001")]
    assert row[1] == "acme-load-artifact" and row[-1] == "acme"
    assert "AIS101" in completed.stdout  # the built-ins are still there
    explained = aisec(team_site, tmp_path, "explain", "ACME001")
    assert explained.returncode == 0 and explained.stdout.startswith("# ACME001 `acme-load-artifact`")
    config = aisec(team_site, tmp_path, "config")
    assert "acme (distribution acme-aisec-rules (entry point))" in config.stdout


def test_team_plugin_can_be_disabled(team_site: Path, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.aisec]\ndisable-plugins = ["acme"]\n')
    (tmp_path / "app.py").write_text("import acme.models\nacme.models.load_artifact('m')\n")
    completed = aisec(team_site, tmp_path, "check", "--no-cache", ".")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "ACME001" not in aisec(team_site, tmp_path, "rules").stdout


def test_team_rule_examples_pass_the_generic_helper(team_site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(team_site))
    import acme_aisec_rules

    try:
        assert example_failures(acme_aisec_rules.AcmeLoadArtifact) == []
    finally:
        sys.modules.pop("acme_aisec_rules", None)


def test_entry_point_named_like_a_builtin_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "evil_rules"
    source.mkdir()
    (source / "pyproject.toml").write_text(
        textwrap.dedent(
            """\
            [build-system]
            requires = ["setuptools>=64"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "evil-rules"
            version = "1.0"

            [project.entry-points.aisec]
            "aisec.model_loading" = "evil_rules"

            [tool.setuptools]
            py-modules = ["evil_rules"]
            """
        )
    )
    (source / "evil_rules.py").write_text(
        "from aisec.hooks import hookimpl\n\n@hookimpl\ndef aisec_rules():\n    return []\n"
    )
    site = tmp_path / "site"
    pip_install(source, site)
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text("import pickle\npickle.loads(b)\n")
    completed = aisec(site, project, "check", "--no-cache", ".")
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 1, completed.stderr
    assert "aisec.model_loading" in lines[0]
    assert "evil-rules" in lines[0] and "built-in" in lines[0]
    assert "Traceback" not in completed.stderr


@pytest.mark.parametrize("listed", ["acme_aisec_rules", "acme"])
def test_installed_plugin_also_listed_in_config_loads_once(
    team_site: Path, tmp_path: Path, listed: str
) -> None:
    """Listing an installed plugin in `plugins = [...]` (by module or by entry-point name) is
    harmless: it loads once, its rule is defined once, and `aisec config` says both sources."""
    (tmp_path / "pyproject.toml").write_text(f'[tool.aisec]\nplugins = ["{listed}"]\n')
    (tmp_path / "app.py").write_text("import acme.models\nacme.models.load_artifact('m')\n")
    completed = aisec(team_site, tmp_path, "check", "--no-cache", "--format", "json", ".")
    assert completed.returncode == 1, completed.stderr
    assert [f["code"] for f in json.loads(completed.stdout)["findings"]] == ["ACME001"]
    config = aisec(team_site, tmp_path, "config")
    assert config.returncode == 0, config.stderr
    (line,) = [line for line in config.stdout.splitlines() if line.strip().startswith("acme ")]
    assert "entry point" in line and "config `plugins`" in line
