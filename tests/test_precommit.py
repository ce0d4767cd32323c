"""The real `aisec` pre-commit hook, run by the real pre-commit in a temporary git repository.

These tests go through `.pre-commit-hooks.yaml` exactly as a user's pre-commit does: pre-commit
clones the hook repository, builds an isolated virtualenv, `pip install`s aisec into it (with its
dependencies, from the package index) and calls the manifest's `entry` on the staged files. They do
not use `repo: local`, which would bypass the manifest.

Two hook repositories are used:

* the working tree (`working_tree_repo`): a snapshot commit of this checkout's files as they are on
  disk, tracked and untracked-but-not-ignored, uncommitted changes included, made in a throwaway
  clone (the checkout itself is never written to). Most tests run it through a
  `.pre-commit-config.yaml` pinning that snapshot (`repo: SNAPSHOT`, `rev: SHA`) and
  `pre-commit run`, so they test the code being worked on. (Not `pre-commit try-repo`: it keeps
  its store in a temporary folder, so every call built a new hook environment, ~8 s each.)
* the checkout at its `HEAD` (`test_config_with_checkout_head`): a `.pre-commit-config.yaml` whose
  `repo` is the checkout's absolute path and whose `rev` is `git rev-parse HEAD`, as a user pins a
  release. That test therefore checks the last *committed* state of the checkout, by design: it is
  the contract a user's config relies on.

`PRE_COMMIT_HOME` is one temporary folder per test session, so each hook environment is built once
(about 20-60 s, network included) and reused by every test of the session.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
VULNERABLE = "import pickle\nobj = pickle.loads(data)\n"
CLEAN = "import json\nobj = json.loads(data)\n"
TIMEOUT = 900  # building a hook environment downloads aisec's dependencies


def _pre_commit_command() -> list[str] | None:
    """pre-commit of this interpreter's environment (found without PATH), else the one on PATH."""
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    found = shutil.which("pre-commit")
    return [found] if found else None


PRE_COMMIT = _pre_commit_command()
_missing = [name for name, ok in (("git", shutil.which("git")), ("pre-commit", PRE_COMMIT)) if not ok]
if _missing and os.environ.get("CI") != "true":
    pytest.skip(f"needs {' and '.join(_missing)} (installed by '.[test]')", allow_module_level=True)
# Under CI=true a missing tool is not a reason to skip: the tests below then fail.


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for git and pre-commit: no GIT_* leaking in from an outer git hook, no
    user or system git config (hooks, signing, templates), no colour."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_TERMINAL_PROMPT="0",
        NO_COLOR="1",
        PRE_COMMIT_COLOR="never",
    )
    env.pop("FORCE_COLOR", None)
    if extra:
        env.update(extra)
    return env


def _git(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> str:
    completed = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=_clean_env(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, f"git {' '.join(args)} failed:\n{completed.stdout}{completed.stderr}"
    return completed.stdout.strip()


class Run(NamedTuple):
    code: int
    output: str


class UserRepo:
    """A temporary git repository standing for a user's project."""

    def __init__(self, root: Path, pre_commit_home: Path) -> None:
        self.root = root
        self.home = pre_commit_home
        _git("init", "-q", cwd=root)
        _git("config", "user.name", "aisec tests", cwd=root)
        _git("config", "user.email", "tests@aisec.invalid", cwd=root)
        _git("config", "commit.gpgsign", "false", cwd=root)

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def stage(self, *relative: str) -> None:
        _git("add", "--", *relative, cwd=self.root)

    def pre_commit(self, *args: str) -> Run:
        assert PRE_COMMIT is not None, "pre-commit is not installed (it comes with '.[test]')"
        completed = subprocess.run(
            [*PRE_COMMIT, *args],
            cwd=self.root,
            env=_clean_env({"PRE_COMMIT_HOME": str(self.home)}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=TIMEOUT,
        )
        return Run(completed.returncode, completed.stdout)

    def run_hook(self, repo: HookRepo, *args: str, hook: str = "aisec") -> Run:
        """`pre-commit run` of one hook of `repo` on the staged files, through a config pinning it."""
        self.write_config(repo, hook=hook)
        return self.run(*args)

    def write_config(self, repo: HookRepo, args: list[str] | None = None, hook: str = "aisec") -> None:
        entry = f"    -   id: {hook}\n"
        if args is not None:
            entry += f"        args: [{', '.join(args)}]\n"
        self.write(
            ".pre-commit-config.yaml",
            f"repos:\n-   repo: {repo.path.as_posix()}\n    rev: {repo.rev}\n    hooks:\n{entry}",
        )
        self.stage(".pre-commit-config.yaml")

    def run(self, *args: str) -> Run:
        return self.pre_commit("run", "--color", "never", *args)


class HookRepo(NamedTuple):
    path: Path
    rev: str


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def working_tree_repo(tmp_path_factory: pytest.TempPathFactory) -> HookRepo:
    """A commit of the checkout's working tree (tracked and untracked-not-ignored files, as on
    disk) in a throwaway clone; the checkout's own index and objects are left alone."""
    snapshot = tmp_path_factory.mktemp("hook-repo")
    _git("clone", "-q", "--no-checkout", str(CHECKOUT), str(snapshot), cwd=snapshot.parent)
    outside = {"GIT_DIR": str(snapshot / ".git"), "GIT_WORK_TREE": str(CHECKOUT)}
    _git("add", "-A", cwd=CHECKOUT, env=outside)
    _git(
        "-c", "user.name=aisec tests", "-c", "user.email=tests@aisec.invalid", "-c", "commit.gpgsign=false",
        "commit", "-q", "--allow-empty", "-m", "working tree snapshot",
        cwd=CHECKOUT, env=outside,
    )  # fmt: skip
    return HookRepo(snapshot, _git("rev-parse", "HEAD", cwd=snapshot))


@pytest.fixture
def user_repo(tmp_path: Path, pre_commit_home: Path) -> UserRepo:
    root = tmp_path / "project"
    root.mkdir()
    return UserRepo(root, pre_commit_home)


def test_manifest_is_valid() -> None:
    assert PRE_COMMIT is not None
    completed = subprocess.run(
        [*PRE_COMMIT, "validate-manifest", str(CHECKOUT / ".pre-commit-hooks.yaml")],
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_hook_blocks_vulnerable_file_then_passes_clean_one(
    user_repo: UserRepo, working_tree_repo: HookRepo
) -> None:
    user_repo.write("src/service/loader.py", VULNERABLE)
    user_repo.stage("src/service/loader.py")

    failed = user_repo.run_hook(working_tree_repo)

    assert failed.code == 1, failed.output
    assert "aisec" in failed.output and "Failed" in failed.output, failed.output
    assert "src/service/loader.py:2:7: AIS101" in failed.output, failed.output

    user_repo.write("src/service/loader.py", CLEAN)
    user_repo.stage("src/service/loader.py")

    passed = user_repo.run_hook(working_tree_repo)

    assert passed.code == 0, passed.output
    assert "Passed" in passed.output, passed.output
    assert "AIS101" not in passed.output


def test_hook_checks_only_python_files(user_repo: UserRepo, working_tree_repo: HookRepo) -> None:
    """`types_or: [python, pyi]`: a text file that mentions pickle.loads is not passed; an
    executable extensionless script with a python shebang and a stub are."""
    user_repo.write("NOTES.md", "Never call `pickle.loads(data)` on uploads.\n")
    user_repo.write("bin/restore", "#!/usr/bin/env python3\n" + VULNERABLE).chmod(
        0o755
    )  # identify: shebang + x
    user_repo.write("typings/store.pyi", "import pickle\nx = pickle.loads(b'')\n")
    user_repo.stage("NOTES.md", "bin/restore", "typings/store.pyi")

    result = user_repo.run_hook(working_tree_repo)

    assert result.code == 1, result.output
    assert "bin/restore:3:7: AIS101" in result.output, result.output
    assert "typings/store.pyi:2:5: AIS101" in result.output, result.output
    assert "NOTES.md" not in result.output, result.output


def test_artifacts_hook_catches_renamed_pickle_and_reports_lfs_pointer(
    user_repo: UserRepo, working_tree_repo: HookRepo
) -> None:
    """`aisec-artifacts` sees every staged non-Python file and recognises model files by content:
    a pickle renamed to `.bin` is inspected, a Git-LFS pointer (text) is reported, a file with
    no artifact signature (a sentencepiece model) is skipped silently."""
    weights = user_repo.root / "weights"
    weights.mkdir()
    (weights / "model.bin").write_bytes(b"cos\ngetpid\n(tR.")  # harmless os.getpid payload
    user_repo.write(
        "weights/big.pt",
        "version https://git-lfs.github.com/spec/v1\noid sha256:" + "a" * 64 + "\nsize 123\n",
    )
    (weights / "tok.model").write_bytes(bytes(range(7, 200)))
    user_repo.write("README.md", "weights live in weights/\n")
    user_repo.stage("weights/model.bin", "weights/big.pt", "weights/tok.model", "README.md")

    result = user_repo.run_hook(working_tree_repo, hook="aisec-artifacts")

    assert result.code == 1, result.output
    assert "weights/model.bin:1:1: AIS401" in result.output, result.output
    assert "weights/big.pt:1:1: AIS403 [info]" in result.output, result.output
    assert "tok.model" not in result.output and "README.md" not in result.output, result.output


def test_force_exclude_drops_excluded_file_passed_by_name(
    user_repo: UserRepo, working_tree_repo: HookRepo
) -> None:
    """pre-commit names every staged file on the command line; `--force-exclude` in the manifest's
    entry makes `[tool.aisec] extend-exclude` apply to them anyway."""
    user_repo.write("pyproject.toml", '[tool.aisec]\nextend-exclude = ["legacy"]\n')
    user_repo.write("legacy/old_loader.py", VULNERABLE)
    user_repo.write("app.py", CLEAN)
    user_repo.stage("pyproject.toml", "legacy/old_loader.py", "app.py")

    result = user_repo.run_hook(working_tree_repo, "--verbose")

    assert result.code == 0, result.output
    assert "AIS101" not in result.output, result.output
    assert "legacy/old_loader.py" not in result.output, result.output

    # The same file outside the excluded folder is reported: the exclude did the work.
    user_repo.write("current/loader.py", VULNERABLE)
    user_repo.stage("current/loader.py")

    blocked = user_repo.run_hook(working_tree_repo)

    assert blocked.code == 1, blocked.output
    assert "current/loader.py:2:7: AIS101" in blocked.output, blocked.output
    assert "legacy/old_loader.py" not in blocked.output, blocked.output


def test_fix_args_rewrite_file(user_repo: UserRepo, working_tree_repo: HookRepo) -> None:
    """Hook args `[--fix, --unsafe-fixes]`: AIS105 is rewritten to yaml.safe_load, and pre-commit
    fails the hook because it modified a file (aisec itself exits 0 when everything was fixed)."""
    user_repo.write_config(working_tree_repo, args=["--fix", "--unsafe-fixes"])
    path = user_repo.write("settings.py", "import yaml\n\ncfg = yaml.load(s)\n")
    user_repo.stage("settings.py")

    result = user_repo.run()

    assert result.code == 1, result.output
    assert "files were modified by this hook" in result.output, result.output
    assert path.read_text(encoding="utf-8") == "import yaml\n\ncfg = yaml.safe_load(s)\n"

    user_repo.stage("settings.py")
    again = user_repo.run()

    assert again.code == 0, again.output


def _require_committed_manifest() -> None:
    """Tests that pin `rev: <HEAD sha>` see the last commit: skip (fail under CI) without a
    committed hook manifest."""
    try:
        _git("cat-file", "-e", "HEAD:.pre-commit-hooks.yaml", cwd=CHECKOUT)
    except AssertionError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(".pre-commit-hooks.yaml is not committed yet; this test checks HEAD")


def test_config_with_checkout_head(user_repo: UserRepo) -> None:
    """A `.pre-commit-config.yaml` pinning this checkout's path at `rev: <HEAD sha>`: this checks
    the last COMMITTED state of the checkout (uncommitted edits are not seen here; the tests
    above, on the working tree's snapshot, cover those)."""
    head = _git("rev-parse", "HEAD", cwd=CHECKOUT)
    _require_committed_manifest()
    user_repo.write_config(HookRepo(CHECKOUT, head))
    user_repo.write("model.py", VULNERABLE)
    user_repo.stage("model.py")

    failed = user_repo.run()

    assert failed.code == 1, failed.output
    assert "model.py:2:7: AIS101" in failed.output, failed.output

    user_repo.write("model.py", CLEAN)
    user_repo.stage("model.py")
    passed = user_repo.run()

    assert passed.code == 0, passed.output


def test_excluded_malicious_fixture_passes_both_hooks(
    user_repo: UserRepo, working_tree_repo: HookRepo
) -> None:
    """A test suite's intentional malicious pickle (harmless os.getpid payload), loaded by a test:
    excluded by path, neither hook reports it (tests/test_artifact_paths.py shows that without
    the exclusion both do, on the same files and arguments)."""
    fixtures = user_repo.root / "tests" / "fixtures"
    fixtures.mkdir(parents=True)
    (fixtures / "evil.pkl").write_bytes(b"cos\ngetpid\n(tR.")
    user_repo.write(
        "tests/test_loader.py",
        'import torch\n\nmodel = torch.load("tests/fixtures/evil.pkl", weights_only=True)\n',
    )
    user_repo.write("pyproject.toml", '[tool.aisec]\nextend-exclude = ["tests/fixtures"]\n')
    user_repo.stage("tests/fixtures/evil.pkl", "tests/test_loader.py", "pyproject.toml")
    for hook in ("aisec", "aisec-artifacts"):
        result = user_repo.run_hook(working_tree_repo, hook=hook)
        assert result.code == 0, result.output
        assert "AIS401" not in result.output, result.output


def test_readme_configuration_command_resolves(user_repo: UserRepo) -> None:
    """The README's command that prints a `.pre-commit-config.yaml` (repo: the clone's origin or
    the clone itself, rev: its tag or commit), run as written in this checkout, gives a config
    that pre-commit installs and runs: the hooks block a vulnerable file."""
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    (command,) = [line[2:] for line in readme.splitlines() if line.startswith("$ printf 'repos:")]
    origin = subprocess.run(
        ["git", "remote", "get-url", "origin"], cwd=CHECKOUT, env=_clean_env(), capture_output=True, text=True
    )
    if origin.returncode == 0 and not Path(origin.stdout.strip()).exists():
        pytest.skip("this checkout's origin is a network URL; the command would fetch from it")
    _require_committed_manifest()
    printed = subprocess.run(
        ["bash", "-c", command], cwd=CHECKOUT, env=_clean_env(), capture_output=True, text=True, timeout=60
    )
    assert printed.returncode == 0, printed.stderr
    assert "rev: " in printed.stdout and "id: aisec-artifacts" in printed.stdout
    user_repo.write(".pre-commit-config.yaml", printed.stdout)
    user_repo.write("model.py", VULNERABLE)
    user_repo.stage(".pre-commit-config.yaml", "model.py")

    result = user_repo.run()

    assert result.code == 1, result.output
    assert "model.py:2:7: AIS101" in result.output, result.output
