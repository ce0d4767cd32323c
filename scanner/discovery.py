"""Which files a run checks.

Explicitly named files are checked whatever their suffix (pre-commit passes extensionless
scripts tagged `python`), unless `--force-exclude` and an exclude pattern says otherwise.
Directories are expanded to their Python files: inside a git work tree, the files git tracks
plus untracked files it does not ignore (never ignored ones); elsewhere, a walk that prunes
excluded folders and does not follow symlinks.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .selection import path_matches

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
ANY_SUFFIX = ("",)  # every file (artifact mode: candidates are recognised by content)


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def display_path(path: Path, cwd: Path) -> str:
    """POSIX path relative to the current directory when below it, else absolute."""
    absolute = path if path.is_absolute() else cwd / path
    try:
        return absolute.relative_to(cwd).as_posix()
    except ValueError:
        return absolute.as_posix()


def match_path(path: Path, cwd: Path, root: Path | None, base: Path | None = None) -> str:
    """The path that exclude and per-file-ignores patterns see: POSIX, relative to the project
    root (the config's folder) when below it, so the patterns mean the same from any folder.
    Outside the project, relative to `base` (the directory the user named) when below it, so
    the folders above a named directory (`/x/site-packages/pkg`) never exclude its files."""
    absolute = path if path.is_absolute() else cwd / path
    for anchor in (root, base):
        if anchor is not None:
            try:
                return absolute.relative_to(anchor).as_posix()
            except ValueError:
                pass
    return display_path(absolute, cwd)


def is_excluded(relative: str, patterns: Iterable[str]) -> bool:
    return any(path_matches(relative, pattern) for pattern in patterns)


def discover(
    paths: Iterable[str],
    excludes: list[str],
    *,
    cwd: Path,
    force_exclude: bool = False,
    suffixes: tuple[str, ...] = SOURCE_SUFFIXES,
    root: Path | None = None,
) -> Discovery:
    found = Discovery()
    seen: set[Path] = set()

    def add(path: Path) -> None:
        key = path.resolve() if path.is_symlink() else path
        if key not in seen:
            seen.add(key)
            found.files.append(path)

    for raw in paths:
        path = Path(raw)
        # Lexically normalised (`pkg/../other` -> `other`), so paths display relative to the cwd
        # when they are below it and a file named twice is checked once.
        absolute = Path(os.path.normpath(path if path.is_absolute() else cwd / path))
        if absolute.is_dir():
            for file in _expand_directory(absolute, excludes, cwd, suffixes, root):
                add(file)
        elif absolute.is_file():
            if force_exclude and is_excluded(match_path(absolute, cwd, root), excludes):
                continue
            add(absolute)
        else:
            found.missing.append(raw)
    return found


def _expand_directory(
    directory: Path, excludes: list[str], cwd: Path, suffixes: tuple[str, ...], root: Path | None = None
) -> list[Path]:
    listed = _git_files(directory)
    if listed is None:
        listed = _walk(directory, excludes, cwd, root)
    files = []
    for path in listed:
        if not path.name.endswith(suffixes):
            continue
        relative = match_path(path, cwd, root, base=directory)
        if is_excluded(relative, excludes) or not path.is_file():
            continue
        files.append(path)
    return sorted(files)


def _git_files(directory: Path) -> list[Path] | None:
    """Tracked plus untracked-not-ignored files under `directory`, or None outside git."""
    try:
        completed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            cwd=directory,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if completed.returncode != 0:
        return None
    names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [directory / name for name in names if name]


def _walk(directory: Path, excludes: list[str], cwd: Path, project_root: Path | None = None) -> list[Path]:
    files = []
    for root, dirs, names in os.walk(directory, followlinks=False):
        root_path = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not is_excluded(match_path(root_path / d, cwd, project_root, base=directory), excludes)
        )
        files.extend(root_path / name for name in names)
    return files
