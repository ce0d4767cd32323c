"""Which files a run checks.

Explicitly named files are checked whatever their suffix (pre-commit passes extensionless
scripts tagged `python`), unless `--force-exclude` and an exclude pattern says otherwise.
Directories are expanded to their Python files: inside a git work tree, the files git tracks
plus untracked files it does not ignore (never ignored ones); elsewhere, a walk that prunes
excluded folders and does not follow symlinks. A directory named explicitly is always scanned:
when git ignores the directory itself, it is walked instead (git-ignore rules apply only to what
is found inside a named path).

The scanned tree is untrusted. git runs with every setting that could start a program from the
tree's own `.git/config` overridden on the command line (`GIT_SAFETY`). Symlinked files found
inside a directory that point outside the project are skipped with a warning, never read, and a
path that exists but cannot be read is an error, not an empty scan.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    import subprocess

from .selection import any_path_matches

SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")
ANY_SUFFIX = ("",)  # every file (artifact mode: candidates are recognised by content)


# `-c` settings override the repository's own config, so none of these can run a program that
# the scanned tree's `.git/config` names; the environment keeps git from prompting or paging.
GIT_SAFETY = (
    "-c", "core.fsmonitor=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.untrackedCache=false",
    "-c", "core.sshCommand=false",
    "-c", "core.pager=cat",
    "-c", "core.askPass=false",
    "-c", "credential.helper=",
    "-c", "protocol.allow=never",
    "-c", "diff.external=",
)  # fmt: skip
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_OPTIONAL_LOCKS": "0",
    "GIT_PAGER": "cat",
    "GIT_ASKPASS": "false",
    "SSH_ASKPASS": "false",
}


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (path, why)
    skipped_links: list[str] = field(default_factory=list)  # symlinks pointing outside the project


def display_path(path: Path, cwd: Path) -> str:
    """POSIX path relative to the current directory when below it, else absolute."""
    absolute = path if path.is_absolute() else cwd / path
    text, prefix = str(absolute), os.path.join(str(cwd), "")
    if text.startswith(prefix):  # what `relative_to` says, without a path object per file
        return text[len(prefix) :].replace(os.sep, "/")
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
    return any_path_matches(patterns)(relative)


def _match_paths(cwd: Path, root: Path | None, base: Path) -> Callable[[Path], str]:
    """`match_path(path, cwd, root, base)` for the many files of one directory: a path that
    starts with an anchor's folder loses that prefix (as `relative_to` would strip its parts),
    without building a relative path object per file; any other path asks `match_path`."""
    prefixes = [os.path.join(str(anchor), "") for anchor in (root, base) if anchor is not None]

    def relative(path: Path) -> str:
        text = str(path)
        for prefix in prefixes:
            if text.startswith(prefix):
                return text[len(prefix) :].replace(os.sep, "/")
        return match_path(path, cwd, root, base)

    return relative


def _regular_file(path: Path) -> bool:
    """`path.is_file() and not path.is_symlink()` in one `lstat` for the usual plain file."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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
        try:
            mode = absolute.stat().st_mode
        except FileNotFoundError:
            found.missing.append(raw)
            continue
        except OSError as exc:  # permission denied on a folder above, a symlink loop, ...
            found.unreadable.append((raw, exc.strerror or str(exc)))
            continue
        if stat.S_ISDIR(mode):
            for file in _expand_directory(absolute, excludes, cwd, suffixes, root, found):
                add(file)
        elif stat.S_ISREG(mode):
            if force_exclude and is_excluded(match_path(absolute, cwd, root), excludes):
                continue
            add(absolute)
        else:
            found.unreadable.append((raw, "not a regular file or directory"))
    return found


def _expand_directory(
    directory: Path,
    excludes: list[str],
    cwd: Path,
    suffixes: tuple[str, ...],
    root: Path | None,
    found: Discovery,
) -> list[Path]:
    excluded = any_path_matches(excludes)
    relative = _match_paths(cwd, root, directory)
    listed = _git_files(directory)
    if listed is None:
        listed = _walk(directory, excluded, relative, cwd, found)
    # Symlinks may point anywhere; only targets inside the project (or the named folder) are read.
    boundary = (root or directory).resolve()
    files = []
    for path in listed:
        if not path.name.endswith(suffixes) or excluded(relative(path)):
            continue
        if _regular_file(path):
            files.append(path)
            continue
        if not path.is_file():
            continue
        if path.is_symlink() and not _inside(path.resolve(), boundary):
            found.skipped_links.append(display_path(path, cwd))
            continue
        files.append(path)
    return sorted(files)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def git_command(*args: str) -> list[str]:
    """A git command line that no setting of the repository it runs in can turn into running a
    program (see `GIT_SAFETY`)."""
    return ["git", "--no-pager", *GIT_SAFETY, *args]


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    import subprocess  # only directories are expanded with git (pre-commit names files)

    try:
        return subprocess.run(
            git_command(*args),
            cwd=directory,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            env={**os.environ, **_GIT_ENV},
        )
    except (OSError, subprocess.SubprocessError):
        return None


# What makes git use a repository other than a `.git` found in the folder or above it.
_GIT_LOCATION_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR")


def outside_git(directory: Path) -> bool:
    """True when no git work tree can hold `directory`: neither it nor any folder above it,
    as written or with symlinks resolved (git looks from the latter), has a `.git` entry (a
    folder, or a file as in linked work trees and submodules), and no environment variable
    points git elsewhere. Spares a run outside git the ~10 ms of starting git to hear so."""
    if any(os.environ.get(name) for name in _GIT_LOCATION_ENV):
        return False
    for folder in {directory.absolute(), directory.resolve()}:
        for candidate in (folder, *folder.parents):
            if os.path.lexists(os.path.join(candidate, ".git")):
                return False
    return True


def _git_files(directory: Path) -> list[Path] | None:
    """Tracked plus untracked-not-ignored files under `directory`, or None outside git (and
    when git ignores `directory` itself: a folder named explicitly is walked instead)."""
    if outside_git(directory):
        return None
    completed = _git(directory, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ".")
    if completed is None or completed.returncode != 0:
        return None
    names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    listed = [directory / name for name in names if name]
    if not listed:
        ignored = _git(directory, "check-ignore", "-q", "--no-index", "--", f"{directory.as_posix()}/")
        if ignored is not None and ignored.returncode == 0:
            return None
    return listed


def _walk(
    directory: Path,
    excluded: Callable[[str], bool],
    relative: Callable[[Path], str],
    cwd: Path,
    found: Discovery,
) -> list[Path]:
    files = []

    def unreadable(exc: OSError) -> None:
        found.unreadable.append(
            (display_path(Path(exc.filename or directory), cwd), exc.strerror or str(exc))
        )

    for root, dirs, names in os.walk(directory, onerror=unreadable, followlinks=False):
        root_path = Path(root)
        dirs[:] = sorted(d for d in dirs if not excluded(relative(root_path / d)))
        files.extend(root_path / name for name in names)
    return files
