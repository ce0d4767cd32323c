"""The README's commands are the ones CI runs, and its snippets name nothing made up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
README = (CHECKOUT / "README.md").read_text(encoding="utf-8")
CI = (CHECKOUT / ".ci" / "run").read_text(encoding="utf-8")
TEST_COMMAND = "pip install '.[test]' && pytest"
LINT_COMMAND = "ruff check . && ruff format --check ."


def _console_commands(text: str) -> list[str]:
    return [line[2:].strip() for line in text.splitlines() if line.startswith("$ ")]


def _ci_commands() -> list[str]:
    return [line.strip() for line in CI.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_readme_has_the_test_and_lint_commands() -> None:
    commands = _console_commands(README)
    assert TEST_COMMAND in commands
    assert any(command.endswith(LINT_COMMAND) for command in commands)


def test_ci_runs_the_readme_commands_as_written() -> None:
    lines = _ci_commands()
    assert LINT_COMMAND in lines
    assert "pytest </dev/null" in lines or "pytest" in lines
    (install,) = [line for line in lines if "pip install" in line and "[$EXTRAS]" in line]
    assert " -e " not in install and "--editable" not in install  # a regular install, as the README's
    extras = re.search(r'^EXTRAS="([^"]+)"', CI, re.M)
    assert extras is not None and {"test", "dev"} <= set(extras[1].split(","))


def test_dev_extra_pins_ruff() -> None:
    """`ruff format --check` differs between ruff versions: the lint command must mean one thing."""
    pyproject = (CHECKOUT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^dev = \["ruff==[0-9.]+"\]', pyproject, re.M)


def test_no_made_up_addresses_or_package_names() -> None:
    for name in ("README.md", "docs/output-formats.md"):
        text = (CHECKOUT / name).read_text(encoding="utf-8")
        assert "aisec-dev" not in text, name
        assert not re.search(r"pip install aisec\b", text), f"{name}: aisec is not on a package index"
        hosts = set(re.findall(r"https?://([^/\s`)\"']+)", text))
        assert hosts <= {"json.schemastore.org"}, f"{name} links {sorted(hosts)}"


def test_pip_installs_from_a_git_url(tmp_path: Path) -> None:
    """The README's `pip install "git+URL@REV"`, with a `file://` URL of this checkout at HEAD:
    the package-dir mapping builds from a plain git checkout, and the console script runs."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=CHECKOUT, capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("not a git checkout")
    target = tmp_path / "site"
    url = f"git+{CHECKOUT.as_uri()}@{head.stdout.strip()}"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert (target / "aisec" / "cli.py").is_file() and (target / "aisec" / "plugins" / "formatters").is_dir()
    version = subprocess.run(
        [sys.executable, "-c", "import aisec.cli, sys; sys.exit(aisec.cli.main(['--version']))"],
        env={**os.environ, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert version.returncode == 0 and version.stdout.startswith("aisec "), version.stderr
