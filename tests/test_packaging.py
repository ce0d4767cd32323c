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


def _modules(folder: Path, nested: tuple[str, ...] = ()) -> set[str]:
    """Module files under `folder`, without the `nested` subpackage folders (in a wheel,
    `aisec/hooks/` sits inside `aisec/`; in the checkout, `hooks/` is a folder of its own)."""
    names = {path.relative_to(folder).as_posix() for path in folder.rglob("*.py")}
    return {name for name in names if "__pycache__" not in name and not name.startswith(nested)}


def test_import_names_resolve_to_the_folders() -> None:
    """The installed packages hold the folders' modules, whether aisec is installed from this
    checkout in editable mode (the folders themselves) or as a regular wheel (copies in
    site-packages, as the README's `pip install '.[test]'` does)."""
    import aisec
    import aisec.hooks
    import aisec.plugins

    nested = ("hooks/", "plugins/")
    for package, folder in ((aisec, "scanner"), (aisec.hooks, "hooks"), (aisec.plugins, "plugins")):
        installed = _modules(Path(package.__file__).parent, nested if package is aisec else ())
        assert installed == _modules(ROOT / folder), f"{package.__name__} is not {folder}/"


def test_entry_point_group_and_console_script() -> None:
    assert PYPROJECT["project"]["scripts"]["aisec"] == "aisec.fastpath:console_main"
