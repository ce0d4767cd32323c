"""Every package folder ships: the package-dir mapping lists packages by hand."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def _import_name(folder: Path) -> str:
    """The import name of a source folder under the package-dir mapping."""
    for package, directory in sorted(SETUPTOOLS["package-dir"].items(), key=lambda kv: -len(kv[1])):
        base = ROOT / directory
        if folder == base or base in folder.parents:
            rest = folder.relative_to(base).parts
            return ".".join((package, *rest))
    raise AssertionError(f"{folder} is under no package-dir entry")


def test_package_dir_mapping() -> None:
    assert SETUPTOOLS["package-dir"] == {
        "aisec": "scanner",
        "aisec.hooks": "hooks",
        "aisec.plugins": "plugins",
    }


def test_every_package_folder_is_listed() -> None:
    listed = set(SETUPTOOLS["packages"])
    found = set()
    for top in ("scanner", "hooks", "plugins"):
        for init in (ROOT / top).rglob("__init__.py"):
            if "__pycache__" in init.parts:
                continue
            found.add(_import_name(init.parent))
    missing = sorted(found - listed)
    assert missing == [], f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
    stale = sorted(listed - found)
    assert stale == [], f"listed in [tool.setuptools] packages but no such folder: {stale}"


def test_import_names_resolve_to_the_folders() -> None:
    import aisec
    import aisec.hooks
    import aisec.plugins

    assert Path(aisec.__file__).parent == ROOT / "scanner"
    assert Path(aisec.hooks.__file__).parent == ROOT / "hooks"
    assert Path(aisec.plugins.__file__).parent == ROOT / "plugins"


def test_entry_point_group_and_console_script() -> None:
    assert PYPROJECT["project"]["scripts"]["aisec"] == "aisec.cli:console_main"
