"""Finding the `aisec` entry points of installed plugins, cheaply.

`importlib.metadata.entry_points()` parses the metadata of every installed distribution on
each call (tens of milliseconds in a big virtualenv, on every pre-commit run). The entry
points themselves live in `entry_points.txt` next to each distribution's metadata; reading only
those files, and parsing only the ones that mention the group, finds the same plugins. As with
importlib.metadata, the first distribution of a name on `sys.path` wins.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from dataclasses import dataclass
from typing import Any, Iterable

_METADATA_DIR = re.compile(r"^(?P<name>[^-]+)(-[^-]*)?\.(dist-info|egg-info)$")


@dataclass(frozen=True)
class PluginEntryPoint:
    name: str
    value: str  # "module" or "module:attribute"
    distribution: str

    def load(self) -> Any:
        """Import the module (and walk to the attribute) the entry point names."""
        module_name, _, attribute = self.value.partition(":")
        target: Any = importlib.import_module(module_name.strip())
        for part in filter(None, attribute.strip().split(".")):
            target = getattr(target, part)
        return target


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def find_entry_points(group: str, paths: Iterable[str] | None = None) -> list[PluginEntryPoint]:
    """Entry points of `group` from every distribution on `paths` (default: `sys.path`)."""
    found: list[PluginEntryPoint] = []
    seen: set[str] = set()
    marker = f"[{group}]"
    for base in sys.path if paths is None else paths:
        try:
            entries = sorted(os.listdir(base or "."))
        except OSError:
            continue
        for entry in entries:
            match = _METADATA_DIR.match(entry)
            if match is None:
                continue
            distribution = _normalise(match.group("name"))
            if distribution in seen:
                continue
            seen.add(distribution)
            try:
                with open(os.path.join(base or ".", entry, "entry_points.txt"), encoding="utf-8") as handle:
                    text = handle.read()
            except OSError:
                continue
            if marker not in text:
                continue
            folder = os.path.join(base or ".", entry)
            found.extend(_parse(text, group, _project_name(folder) or match.group("name")))
    return sorted(found, key=lambda ep: ep.name)


def _project_name(folder: str) -> str | None:
    """The distribution's own spelling of its name (`Name:` in METADATA or PKG-INFO)."""
    for filename in ("METADATA", "PKG-INFO"):
        try:
            with open(os.path.join(folder, filename), encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("Name:"):
                        return line[5:].strip()
                    if not line.strip():
                        break  # end of the headers
        except OSError:
            continue
    return None


def _parse(text: str, group: str, distribution: str) -> list[PluginEntryPoint]:
    import configparser  # only a distribution that declares an aisec plugin pays for it (~2 ms)

    parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # names are case-sensitive
    try:
        parser.read_string(text)
    except configparser.Error:
        return []
    if not parser.has_section(group):
        return []
    return [PluginEntryPoint(name, value.strip(), distribution) for name, value in parser.items(group)]
