"""The project is found from the scanned paths, not from the current folder (like black and ruff).

Real `aisec` processes on a real project (a git repository with a `pyproject.toml`), run from the
project root, from a subfolder, from another repository with its own config, and from `/`: the
same configuration, per-file ignores, torch requirement, config plugin, fingerprints and cache
folder, and nothing written outside the project.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

PYPROJECT = """
[project]
name = "shop"
version = "1.0"
dependencies = ["torch>=2.6"]

[tool.aisec]
plugins = ["shop_rules"]
per-file-ignores = { "tests/*" = ["AIS101"] }
extend-exclude = ["scratch"]
"""
SHOP_RULES = """
from aisec.hooks import Rule, Severity, hookimpl


class NoLegacyLoader(Rule):
    code = "SHOP001"
    name = "shop-legacy-loader"
    summary = "shop.legacy.load_model unpickles"
    severity = Severity.MEDIUM
    triggers = ("shop",)
    qualified_names = ("shop.legacy.load_model",)
    description = "Calls of shop.legacy.load_model."
    rationale = "It unpickles."
    remediation = "Use shop.models.load."
    invalid = ["import shop.legacy\\nshop.legacy.load_model(p)\\n"]
    valid = ["import shop.models\\nshop.models.load(p)\\n"]

    def visit_Call(self, node):
        if self.names.qualified(node.func) == "shop.legacy.load_model":
            self.report(node, "shop.legacy.load_model unpickles; use shop.models.load")


@hookimpl
def aisec_rules():
    return [NoLegacyLoader]
"""
FILES = {
    "pyproject.toml": PYPROJECT,
    "shop_rules.py": SHOP_RULES,
    "src/app.py": """
        import pickle
        import shop.legacy
        import torch

        model = pickle.loads(blob)
        legacy = shop.legacy.load_model(path)
        weights = torch.load(path)
    """,
    "tests/test_app.py": "import pickle\npickle.loads(b)\n",
    "scratch/notes.py": "import pickle\npickle.loads(b)\n",
}
OTHER_REPO = {
    "pyproject.toml": '[tool.aisec]\nselect = ["AIS105"]\nfail-on = "critical"\n',
    "x.py": "import yaml\nyaml.load(s)\n",
}


def aisec(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("FORCE_COLOR", "PYTHONPATH")}
    env["NO_COLOR"] = "1"
    return subprocess.run(
        [sys.executable, "-m", "aisec", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


def git_repo(root: Path, files: dict[str, str]) -> Path:
    write_tree(root, files)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return git_repo(tmp_path / "shop", FILES)


def rows(result: subprocess.CompletedProcess[str], root: Path, cwd: Path) -> list[tuple[Any, ...]]:
    """(path relative to the project root, line, code, severity, fingerprint) of a JSON run."""
    assert result.returncode == 1, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["errors"] == []
    found = []
    for f in data["findings"]:
        absolute = Path(os.path.normpath(cwd / f["path"]))
        found.append(
            (absolute.relative_to(root).as_posix(), f["line"], f["code"], f["severity"], f["fingerprint"])
        )
    return found


def test_same_result_from_root_subfolder_another_repo_and_slash(shop: Path, tmp_path: Path) -> None:
    other = git_repo(tmp_path / "other", OTHER_REPO)
    at_root = rows(aisec("check", "--format", "json", ".", cwd=shop), shop, shop)
    # per-file-ignores (tests/*), extend-exclude (scratch), the config plugin and the torch>=2.6
    # requirement (AIS102 info: weights_only=True is torch's default there) all come from the
    # shop's pyproject.toml
    assert [(path, line, code, severity) for path, line, code, severity, _ in at_root] == [
        ("src/app.py", 5, "AIS101", "high"),
        ("src/app.py", 6, "SHOP001", "medium"),
        ("src/app.py", 7, "AIS102", "info"),
    ]
    for cwd in (shop / "src", other, Path("/")):
        result = aisec("check", "--format", "json", str(shop), cwd=cwd)
        assert rows(result, shop, cwd) == at_root, f"from {cwd}"


def test_config_is_found_from_the_common_folder_of_several_paths(shop: Path, tmp_path: Path) -> None:
    other = git_repo(tmp_path / "other", OTHER_REPO)
    result = aisec("check", "--format", "json", str(shop / "src" / "app.py"), str(shop / "tests"), cwd=other)
    assert [f["code"] for f in json.loads(result.stdout)["findings"]] == ["AIS101", "SHOP001", "AIS102"]


def test_stdin_filename_finds_the_project(shop: Path, tmp_path: Path) -> None:
    source = "import pickle\npickle.loads(b)\n"
    ignored = aisec(
        "check", "--stdin-filename", str(shop / "tests" / "test_new.py"), "-", cwd=Path("/"), stdin=source
    )
    assert ignored.returncode == 0, ignored.stdout + ignored.stderr  # per-file-ignores of the shop
    reported = aisec(
        "check", "--stdin-filename", str(shop / "src" / "new.py"), "-", cwd=tmp_path, stdin=source
    )
    assert reported.returncode == 1 and "AIS101" in reported.stdout


def test_cache_lives_in_the_project_and_nothing_is_written_elsewhere(shop: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    slash_cache = Path("/.aisec_cache")
    had_slash_cache = slash_cache.exists()
    cached = []
    for cwd in (elsewhere, Path("/"), elsewhere):
        result = aisec("check", "--format", "json", str(shop), cwd=cwd)
        cached.append(json.loads(result.stdout)["summary"]["cached"])
    assert cached[0] == 0 and cached[2] >= 1, cached  # the project's cache serves any folder
    assert (shop / ".aisec_cache").is_dir()
    assert list(elsewhere.iterdir()) == []
    assert slash_cache.exists() == had_slash_cache


def test_no_project_above_the_files_caches_in_the_scanned_folder_not_the_cwd(tmp_path: Path) -> None:
    loose = write_tree(tmp_path / "loose", {"a.py": "import pickle\npickle.loads(b)\n"})
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    assert aisec("check", str(loose), cwd=cwd).returncode == 1
    assert list(cwd.iterdir()) == []


def test_baseline_matches_from_any_folder(shop: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    written = aisec("baseline", str(shop), "-o", str(baseline), cwd=Path("/"))
    assert written.returncode == 0, written.stderr
    entries = json.loads(baseline.read_text())["findings"]
    assert sorted(e["path"] for e in entries) == ["src/app.py"] * 3  # relative to the project root
    for cwd in (shop, shop / "src", tmp_path):
        target = "." if cwd == shop else str(shop)
        result = aisec("check", "--baseline", str(baseline), target, cwd=cwd)
        assert result.returncode == 0, f"from {cwd}: {result.stdout}{result.stderr}"
    (shop / "src" / "app.py").write_text(
        (shop / "src" / "app.py").read_text() + "again = pickle.loads(other)\n", encoding="utf-8"
    )
    new = aisec("check", "--format", "json", "--baseline", str(baseline), ".", cwd=shop / "src")
    assert [(f["path"], f["code"]) for f in json.loads(new.stdout)["findings"]] == [("app.py", "AIS101")]


def test_config_command_shows_the_project_of_the_given_paths(shop: Path, tmp_path: Path) -> None:
    result = aisec("config", str(shop / "src"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"config file: {shop / 'pyproject.toml'}" in result.stdout
    assert f"project root: {shop}" in result.stdout
