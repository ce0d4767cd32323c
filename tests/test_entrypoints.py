"""Entry-point discovery from `entry_points.txt` files, without importlib.metadata's cost."""

from __future__ import annotations

from pathlib import Path

from aisec.entrypoints import find_entry_points


def _dist(base: Path, folder: str, entry_points: str, name: str | None = None) -> None:
    meta = base / folder
    meta.mkdir(parents=True)
    (meta / "entry_points.txt").write_text(entry_points, encoding="utf-8")
    if name is not None:
        (meta / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1\n\nbody\n", encoding="utf-8"
        )


def test_finds_the_group_with_the_projects_own_name(tmp_path: Path) -> None:
    _dist(tmp_path, "acme_rules-1.0.dist-info", "[aisec]\nacme = acme_rules:plugin\n", name="acme-rules")
    _dist(tmp_path, "other-2.0.dist-info", "[console_scripts]\nother = other:main\n")
    (found,) = find_entry_points("aisec", [str(tmp_path)])
    assert (found.name, found.value, found.distribution) == ("acme", "acme_rules:plugin", "acme-rules")


def test_first_distribution_of_a_name_on_the_path_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    _dist(first, "acme_rules-2.0.dist-info", "[aisec]\nacme = new_module\n")
    _dist(second, "acme_rules-1.0.dist-info", "[aisec]\nacme = old_module\n")
    assert [ep.value for ep in find_entry_points("aisec", [str(first), str(second)])] == ["new_module"]


def test_egg_info_and_broken_files(tmp_path: Path) -> None:
    _dist(tmp_path, "legacy.egg-info", "[aisec]\nlegacy = legacy_rules\n")
    _dist(tmp_path, "broken-1.dist-info", "[aisec\nnot ini at all")
    assert [ep.name for ep in find_entry_points("aisec", [str(tmp_path), str(tmp_path / "missing")])] == [
        "legacy"
    ]


def test_load_walks_to_the_attribute(tmp_path: Path, monkeypatch) -> None:
    package = tmp_path / "acme_plugin_mod.py"
    package.write_text("class Holder:\n    plugin = 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    _dist(tmp_path, "acme-1.dist-info", "[aisec]\nacme = acme_plugin_mod:Holder.plugin\n")
    (found,) = find_entry_points("aisec", [str(tmp_path)])
    assert found.load() == 42
