"""Where a run's project is: found from the scanned paths, not from the current folder.

Like black and ruff, aisec looks for its configuration (and so the project root, which anchors
excludes, per-file ignores, the torch requirement, config plugins, the cache and baseline
paths) starting at the common ancestor of the paths it is asked to check, or at the folder of
`--stdin-filename` for source on stdin. Running `aisec check /repo/src` from `/`, from
`/repo/src/pkg` or from another repository therefore behaves as running it in `/repo`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence


def scan_start(paths: Sequence[str], cwd: Path, stdin_filename: str | None = None) -> Path:
    """The folder the config search starts from: the deepest folder holding every scanned path
    (a named file counts as its folder; a path that does not exist, as its parent)."""
    if list(paths) == ["-"] or not paths:
        named = Path(stdin_filename) if stdin_filename else None
        if named is None:
            return cwd
        return Path(os.path.normpath(cwd / named)).parent
    folders = []
    for raw in paths:
        absolute = Path(os.path.normpath(cwd / raw))
        folders.append(str(absolute if absolute.is_dir() else absolute.parent))
    return Path(os.path.commonpath(folders))


def repository_root(project_root: Path) -> Path:
    """The work tree of the git repository holding the project (the folder with `.git` at or
    above it), else the project root: what code scanning resolves relative paths against."""
    for folder in (project_root, *project_root.parents):
        if (folder / ".git").exists():
            return folder
    return project_root


def identity_path(path: str, cwd: Path, root: Path) -> str:
    """A reported path as the project sees it: POSIX and relative to the project root when below
    it (else as shown). Fingerprints and baselines use it, so they match from any folder."""
    absolute = Path(path) if Path(path).is_absolute() else cwd / path
    try:
        return Path(os.path.normpath(absolute)).relative_to(root).as_posix()
    except ValueError:
        return Path(path).as_posix()
