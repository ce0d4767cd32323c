"""SARIF, GitHub annotations and GitLab Code Quality as CI sees them: paths relative to the
repository root from any folder, each result's own severity, notebook cells, rule links."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

NOTEBOOK = json.dumps(
    {
        "cells": [
            {"cell_type": "markdown", "source": ["# notes\n"], "metadata": {}},
            {
                "cell_type": "code",
                "source": ["import yaml\n"],
                "metadata": {},
                "outputs": [],
                "execution_count": 1,
            },
            {
                "cell_type": "code",
                "source": ["x = 1\n", "cfg = yaml.load(text)\n"],
                "metadata": {},
                "outputs": [],
                "execution_count": 2,
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
)
FILES = {
    # torch>=2.6 makes an omitted weights_only a low finding next to critical/high ones
    "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\ndependencies = ["torch>=2.6"]\n',
    "src/app.py": "import pickle\nimport torch\n\nobj = pickle.loads(blob)\nm = torch.load(path)\n",
    "notebooks/explore.ipynb": NOTEBOOK,
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", FILES)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def report(run_cli, fmt: str, cwd: Path, *args: str) -> Any:
    out = cwd / f"report.{fmt}"
    result = run_cli(["check", "--no-cache", "--format", fmt, "--output", str(out), *args], cwd=cwd)
    assert result.code == 1, result.err
    text = out.read_text(encoding="utf-8")
    out.unlink()
    return text


@pytest.mark.parametrize("where", [".", "src", "notebooks"])
def test_paths_are_relative_to_the_repository_root_from_any_folder(run_cli, repo: Path, where: str) -> None:
    cwd = repo / where
    target = str(repo) if where != "." else "."
    sarif = json.loads(report(run_cli, "sarif", cwd, target))
    run = sarif["runs"][0]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
    assert uris == ["notebooks/explore.ipynb", "src/app.py", "src/app.py"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == repo.resolve().as_uri() + "/"
    gitlab = json.loads(report(run_cli, "gitlab", cwd, target))
    assert sorted(i["location"]["path"] for i in gitlab) == uris
    github = report(run_cli, "github", cwd, target)
    assert sorted(line.split("file=")[1].split(",")[0] for line in github.splitlines()) == uris


def test_a_subproject_reports_repository_paths(run_cli, tmp_path: Path) -> None:
    """A monorepo: the project (its pyproject.toml) is a folder of the repository."""
    root = write_tree(tmp_path / "mono", {f"services/api/{name}": text for name, text in FILES.items()})
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    sarif = json.loads(report(run_cli, "sarif", root, "services/api"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert uris == {"services/api/src/app.py", "services/api/notebooks/explore.ipynb"}


def test_each_result_carries_its_own_security_severity(run_cli, repo: Path) -> None:
    sarif = json.loads(report(run_cli, "sarif", repo, "src"))
    run = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert set(by_rule) == {"AIS101", "AIS102"}  # rule ids are the codes, unchanged
    lowered = by_rule["AIS102"]
    # The rule's default is high (8.0); this torch.load is less severe because the project pins
    # torch>=2.6, where weights_only=True is the default.
    assert rules["AIS102"]["properties"]["security-severity"] == "8.0"
    assert lowered["properties"]["severity"] in ("low", "info") and lowered["level"] == "note"
    assert float(lowered["properties"]["security-severity"]) < 4.0  # GitHub shows Low, not High
    assert by_rule["AIS101"]["properties"]["security-severity"] == "8.0"
    bands = {
        "critical": (9.0, 10.0),
        "high": (7.0, 8.9),
        "medium": (4.0, 6.9),
        "low": (0.1, 3.9),
        "info": (0.1, 3.9),
    }
    for result in run["results"]:  # GitHub's bands: >9.0 critical ... 0.1-3.9 low
        low, high = bands[result["properties"]["severity"]]
        assert low <= float(result["properties"]["security-severity"]) <= high


def test_notebook_findings_name_cell_and_line_and_are_not_fixable(run_cli, repo: Path) -> None:
    data = json.loads(run_cli(["check", "--no-cache", "--format", "json", "notebooks"], cwd=repo).out)
    (finding,) = data["findings"]
    assert (finding["code"], finding["cell"], finding["cell_line"], finding["fix"]) == ("AIS105", 3, 2, None)
    text = run_cli(["check", "--no-cache", "notebooks"], cwd=repo).out
    assert "[*]" not in text and "fixable" not in text and "(cell 3, line 2)" in text
    sarif = json.loads(report(run_cli, "sarif", repo, "notebooks"))
    (result,) = sarif["runs"][0]["results"]
    assert result["message"]["text"].endswith("(cell 3, line 2)")
    assert result["properties"]["cell"] == 3 and result["properties"]["cellLine"] == 2
    assert "fix" not in result["properties"]
    (issue,) = json.loads(report(run_cli, "gitlab", repo, "notebooks"))
    assert issue["description"].endswith("(cell 3, line 2)")
    assert report(run_cli, "github", repo, "notebooks").rstrip().endswith("(cell 3, line 2)")


def test_rule_links_only_where_configured(run_cli, repo: Path) -> None:
    def rule_of(*args: str) -> dict[str, Any]:
        sarif = json.loads(report(run_cli, "sarif", repo, "src", *args))
        return next(r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "AIS101")

    assert "helpUri" not in rule_of()
    base = "https://git.example.org/team/aisec/-/blob/v0.1.0/docs/rules/"
    assert rule_of("--rule-docs-url", base)["helpUri"] == base + "AIS101.md"
    (repo / "pyproject.toml").write_text(
        FILES["pyproject.toml"] + f'\n[tool.aisec]\nrule-docs-url = "{base}"\n'
    )
    assert rule_of()["helpUri"] == base + "AIS101.md"


def test_rule_docs_url_must_be_a_url(run_cli, repo: Path) -> None:
    result = run_cli(["check", "--rule-docs-url", "docs/rules", "src"], cwd=repo)
    assert result.code == 2 and "--rule-docs-url must be an http(s) URL" in result.err
    (repo / "pyproject.toml").write_text('[tool.aisec]\nrule-docs-url = "docs/rules"\n')
    result = run_cli(["check", "src"], cwd=repo)
    assert result.code == 2 and "rule-docs-url" in result.err
