"""One aisec session per project, found from each document's path as `aisec check` finds it.

A project's config, plugins and taint catalog load once, on its first document, and stay loaded
until a config or requirements file changes (`forget`). A project whose config or plugins fail to
load is remembered as that failure, so every document of it shows the same one-line error, and the
server keeps serving the other projects.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aisec.config import ConfigError, find_config_file
from aisec.discovery import is_excluded, match_path
from aisec.engine import FileScanner
from aisec.pluginmanager import PluginError
from aisec.run import CheckOptions, Session, UsageError, build_scanner, open_cache, open_session

# Files whose change re-reads the projects: the config, and what rules read from the project
# (the torch requirement of AIS102).
WATCHED = ("**/pyproject.toml", "**/aisec.toml", "**/requirements*.txt")


class ProjectError(Exception):
    """The project's config or plugins could not be loaded (the message says how to fix it)."""


@dataclass
class Project:
    """A loaded session and the scanners built from it (built once, used for every buffer)."""

    session: Session
    scanner: FileScanner
    cache: Any
    cwd: Path
    _fix_scanner: FileScanner | None = field(default=None, repr=False)

    @property
    def rules(self) -> dict[str, Any]:
        return self.session.registry.rules

    def excluded(self, path: Path) -> bool:
        """Whether the config excludes the file (as `aisec check --force-exclude` would)."""
        config = self.session.config
        return is_excluded(match_path(path, self.cwd, config.root), config.excludes)

    def fix_scanner(self) -> FileScanner:
        """A scanner that also renders each fix as a diff (for code actions only: it costs more)."""
        if self._fix_scanner is None:
            options = CheckOptions(want_fix_diffs=True)
            self._fix_scanner = build_scanner(self.session, options, self.cwd)
        return self._fix_scanner


class Projects:
    """The projects of the open documents, keyed by project root (thread-safe)."""

    def __init__(self, cwd: Path, *, use_cache: bool = True) -> None:
        self.cwd = cwd
        self.use_cache = use_cache
        self._lock = threading.Lock()
        self._projects: dict[Path, Project | ProjectError] = {}

    def for_path(self, path: Path) -> Project:
        """The project of a file (ProjectError when its config or plugins do not load)."""
        _, root = find_config_file(path.parent)
        with self._lock:
            known = self._projects.get(root)
            if known is None:
                known = self._projects[root] = self._open(root)
        if isinstance(known, ProjectError):
            raise known
        return known

    def forget(self) -> None:
        """Drop every loaded project: the next scan re-reads config and plugins."""
        with self._lock:
            self._projects.clear()

    def _open(self, root: Path) -> Project | ProjectError:
        options = CheckOptions(use_cache=self.use_cache)
        try:
            session = open_session(options, root)
            return Project(
                session, build_scanner(session, options, self.cwd), open_cache(session, options), self.cwd
            )
        except (ConfigError, PluginError, UsageError) as exc:
            return ProjectError(str(exc))
        except Exception as exc:  # a plugin that raises while loading: an error, never a dead server
            return ProjectError(f"loading the project at {root} failed: {type(exc).__name__}: {exc}")
