"""The result cache cannot be turned against a scan: entries are signed with a key of this
machine, read without following symlinks and bounded in size; a stale run key re-checks."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest
from aisec.cache import ResultCache, machine_key

PICKLE = "import pickle\n\ndef load(p):\n    return pickle.loads(p)\n"


def _entries(root: Path) -> list[Path]:
    return sorted((root / ".aisec_cache").rglob("*.json"))


def _scan(run_cli, root: Path, *extra: str) -> dict:
    result = run_cli(["check", "--format", "json", *extra, "app.py"], cwd=root)
    data = result.json()
    assert result.code in (0, 1), result.err
    return data


def _warm(run_cli, tree) -> tuple[Path, Path]:
    root = tree({"app.py": PICKLE, ".git/HEAD": ""})
    first = _scan(run_cli, root)
    assert first["summary"]["cached"] == 0 and len(first["findings"]) == 1
    second = _scan(run_cli, root)
    assert second["summary"]["cached"] == 1 and len(second["findings"]) == 1
    (entry,) = _entries(root)
    return root, entry


def _assert_rescanned(run_cli, root: Path) -> None:
    data = _scan(run_cli, root)
    assert data["summary"]["cached"] == 0
    assert [f["code"] for f in data["findings"]] == ["AIS101"]


def test_cache_folder_ignores_itself(tree, run_cli) -> None:
    root, _ = _warm(run_cli, tree)
    assert (root / ".aisec_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (root / ".aisec_cache" / "CACHEDIR.TAG").read_bytes().startswith(b"Signature: 8a477f597d28d172")


def test_hand_edited_entry_is_a_miss(tree, run_cli) -> None:
    root, entry = _warm(run_cli, tree)
    mac, _, payload = entry.read_bytes().partition(b"\n")
    data = json.loads(payload)
    data["findings"] = []
    entry.write_bytes(mac + b"\n" + json.dumps(data).encode())
    _assert_rescanned(run_cli, root)


@pytest.mark.parametrize("keep", [0, 10, 64, 65, 100])
def test_truncated_entry_is_a_miss(tree, run_cli, keep: int) -> None:
    root, entry = _warm(run_cli, tree)
    entry.write_bytes(entry.read_bytes()[:keep])
    _assert_rescanned(run_cli, root)


def test_entry_signed_with_another_key_is_a_miss(tree, run_cli, monkeypatch) -> None:
    """An attacker's cache, committed to the repository, signed with the attacker's own key."""
    monkeypatch.setenv("AISEC_CACHE_KEY", "attacker")
    root, entry = _warm(run_cli, tree)
    forged = ResultCache(root / ".aisec_cache", entry.parent.parent.name, machine_key())
    _, _, payload = entry.read_bytes().partition(b"\n")
    data = json.loads(payload)
    data["findings"] = []
    payload = json.dumps(data).encode()
    entry.write_bytes(forged._mac(entry.parent.name + entry.stem, payload).encode() + b"\n" + payload)
    # well forged: the machine whose key signed it believes it
    assert _scan(run_cli, root)["findings"] == []
    monkeypatch.setenv("AISEC_CACHE_KEY", "the victim's CI secret")
    _assert_rescanned(run_cli, root)
    monkeypatch.delenv("AISEC_CACHE_KEY")  # the machine key file: a different key again
    _assert_rescanned(run_cli, root)


def test_supplied_key_keeps_a_restored_cache_valid(tree, run_cli, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("AISEC_CACHE_KEY", "ci-secret")
    root, _ = _warm(run_cli, tree)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "another-runner"))
    assert _scan(run_cli, root)["summary"]["cached"] == 1


@pytest.mark.parametrize("target", ["/dev/zero", "outside", "fifo", "big"])
def test_symlinked_or_special_entry_is_a_miss(tree, run_cli, tmp_path, target: str) -> None:
    root, entry = _warm(run_cli, tree)
    good = entry.read_bytes()
    entry.unlink()
    if target == "fifo":
        os.mkfifo(entry)
    elif target == "big":  # a sparse file over the entry bound: refused before it is read
        with open(entry, "wb") as handle:
            handle.truncate(64 * 1024 * 1024)
    else:
        if target == "outside":
            outside = tmp_path.parent / f"{tmp_path.name}-outside.json"
            outside.write_bytes(good)  # even a valid entry is not read through a symlink
            target = str(outside)
        entry.symlink_to(target)
    _assert_rescanned(run_cli, root)


def test_symlinked_cache_folder_turns_caching_off(tree, run_cli, tmp_path) -> None:
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    root = tree({"app.py": PICKLE, ".git/HEAD": ""})
    (root / ".aisec_cache").symlink_to(elsewhere)
    for _ in range(2):
        assert _scan(run_cli, root)["summary"]["cached"] == 0
    assert list(elsewhere.iterdir()) == []
    result = run_cli(["check", "-v", "app.py"], cwd=root)
    assert "not a plain folder" in result.err


def test_unusable_key_folder_turns_caching_off(tree, run_cli, tmp_path, monkeypatch) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_folder / "cache"))
    root = tree({"app.py": PICKLE, ".git/HEAD": ""})
    result = run_cli(["check", "-v", "app.py"], cwd=root)
    assert result.code == 1 and "caching is off" in result.err
    assert not (root / ".aisec_cache").exists()


def test_key_file_that_is_not_a_key_turns_caching_off(tree, run_cli, tmp_path, monkeypatch) -> None:
    user_cache = tmp_path / "user"
    (user_cache / "aisec").mkdir(parents=True)
    (user_cache / "aisec" / "key").symlink_to("/dev/zero")
    monkeypatch.setenv("XDG_CACHE_HOME", str(user_cache))
    root = tree({"app.py": PICKLE, ".git/HEAD": ""})
    result = run_cli(["check", "-v", "app.py"], cwd=root)
    assert result.code == 1 and "caching is off" in result.err and "AIS101" in result.out
    quiet = run_cli(["check", "app.py"], cwd=root)
    assert "caching" not in quiet.err


def test_machine_key_is_private(tree, run_cli, tmp_path) -> None:
    _warm(run_cli, tree)
    key = tmp_path / ".user-cache" / "aisec" / "key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_bytes()) == 32


def test_changed_plugin_code_rechecks_unchanged_files(tree, run_cli, tmp_path, monkeypatch) -> None:
    """A plugin whose code changes, with the same name and version, invalidates the cache."""
    plugin = tmp_path / "plugins_here" / "team_rules.py"
    plugin.parent.mkdir()
    source = (
        "from aisec.hooks import Rule, hookimpl\n"
        "class Marker(Rule):\n"
        "    code = 'TEAM001'\n    name = 'marker'\n    summary = 'x'\n"
        "    description = rationale = remediation = 'x'\n"
        "    triggers = ('pickle',)\n"
        "    def visit_Call(self, node):\n        self.report(node, {message!r})\n"
        "@hookimpl\ndef aisec_rules():\n    return [Marker]\n"
    )
    plugin.write_text(source.format(message="first"))
    monkeypatch.syspath_prepend(str(plugin.parent))
    root = tree(
        {
            "app.py": PICKLE,
            ".git/HEAD": "",
            "pyproject.toml": "[tool.aisec]\nplugins = ['team_rules']\n",
        }
    )

    def messages() -> list[str]:
        return sorted(f["message"] for f in _scan(run_cli, root)["findings"] if f["code"] == "TEAM001")

    assert messages() == ["first"]
    sys.modules.pop("team_rules", None)
    plugin.write_text(source.format(message="second"))
    assert messages() == ["second"]
    sys.modules.pop("team_rules", None)


def test_files_the_token_gate_rejects_are_cached_and_follow_their_imports(tree, run_cli) -> None:
    """A rejected file gets an entry too (warm runs skip the gate); one that spells a source
    and imports a project module is re-checked when that module changes."""
    root = tree(
        {
            "plain.py": "def add(a, b):\n    return a + b\n",
            "route.py": "from flask import request\nfrom helper import ask\n\nask(request.args['q'])\n",
            "helper.py": "def ask(q):\n    return q\n",
            ".git/HEAD": "",
        }
    )

    def scan() -> dict:
        result = run_cli(["check", "--format", "json", "plain.py", "route.py"], cwd=root)
        assert result.code in (0, 1), result.err
        return result.json()

    first = scan()
    assert first["summary"]["skipped_by_prefilter"] == 2 and first["summary"]["cached"] == 0
    second = scan()
    assert second["summary"]["cached"] == 2 and second["summary"]["skipped_by_prefilter"] == 2
    (root / "helper.py").write_text(
        "import openai\n\ndef ask(q):\n"
        "    return openai.chat.completions.create(model='m', messages=[{'role': 'system', 'content': q}])\n",
        encoding="utf-8",
    )
    third = scan()
    fresh = run_cli(["check", "--format", "json", "--no-cache", "plain.py", "route.py"], cwd=root).json()
    assert third["summary"]["cached"] == 1
    assert third["findings"] == fresh["findings"] and [f["path"] for f in fresh["findings"]] == ["route.py"]
