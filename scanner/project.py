"""Facts about the scanned project, read lazily from its metadata files.

Rules ask, for example, whether the project guarantees torch >= 2.6 (where `torch.load`
defaults to `weights_only=True`). Declarations are read from `pyproject.toml` (PEP 621
dependencies and optional dependencies, Poetry) and `requirements*.txt` in the project root,
once per run and only when a rule asks.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from .regexes import compiled

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

_POETRY_CARET = r"^\^\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$"  # compiled (`compiled`) when a
_POETRY_TILDE = r"^~\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$"  # project declares a Poetry constraint
_NAME_SEPARATORS = re.compile(r"[-_.]+")


def canonical_name(name: str) -> str:
    """A distribution name normalised as PEP 503 says (`packaging.utils.canonicalize_name`, whose
    module costs a one-file pre-commit run 6 ms of imports)."""
    return _NAME_SEPARATORS.sub("-", name).lower()


class Project:
    """The `ProjectInfo` of `aisec.hooks`: requirement declarations of the project root."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def requirement(self, distribution: str) -> SpecifierSet | None:
        """The combined declared specifier for `distribution`, or None if it is not declared."""
        return self._requirements.get(canonical_name(distribution))

    def requires_at_least(self, distribution: str, minimum: str) -> bool:
        """True when every version the declarations admit is >= `minimum`. `packaging.version`
        (about 2 ms of imports and its version pattern) only when `distribution` is declared."""
        spec = self.requirement(distribution)
        if spec is None:
            return False
        from packaging.version import Version

        return lower_bound_at_least(spec, Version(minimum))

    @cached_property
    def _requirements(self) -> dict[str, SpecifierSet]:
        combined: dict[str, SpecifierSet] = {}
        for name, spec in self._declarations():
            key = canonical_name(name)
            combined[key] = combined[key] & spec if key in combined else spec
        return combined

    def _declarations(self) -> Iterator[tuple[str, SpecifierSet]]:
        pyproject = self.root / "pyproject.toml"
        if pyproject.is_file():
            from .tomlfile import toml_parser

            tomllib = toml_parser()
            try:
                data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError):
                data = {}
            yield from _pep621(data.get("project", {}))
            yield from _poetry(data.get("tool", {}).get("poetry", {}))
        for path in sorted(self.root.glob("requirements*.txt")):
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            yield from _parse_lines(lines)


def lower_bound_at_least(spec: SpecifierSet, minimum: Version) -> bool:
    """Does `spec` exclude every version below `minimum`? (`>2.5` admits 2.5.1, so no.)"""
    from packaging.version import InvalidVersion, Version

    for item in spec:
        version_text = item.version.rstrip(".*")
        try:
            version = Version(version_text)
        except InvalidVersion:
            continue
        if item.operator in (">=", "==", "~=", "===") and version >= minimum:
            return True
        if item.operator == ">" and version >= minimum:
            return True
    return False


def _parse_lines(lines: Any) -> Iterator[tuple[str, SpecifierSet]]:
    from packaging.requirements import InvalidRequirement, Requirement

    for line in lines:
        if not isinstance(line, str):
            continue
        text = line.split(" #", 1)[0].strip()
        if not text or text.startswith(("#", "-")):
            continue
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        yield requirement.name, requirement.specifier


def _pep621(project: Any) -> Iterator[tuple[str, SpecifierSet]]:
    if not isinstance(project, dict):
        return
    yield from _parse_lines(project.get("dependencies", []) or [])
    optional = project.get("optional-dependencies", {})
    if isinstance(optional, dict):
        for group in optional.values():
            yield from _parse_lines(group if isinstance(group, list) else [])


def _poetry(poetry: Any) -> Iterator[tuple[str, SpecifierSet]]:
    if not isinstance(poetry, dict):
        return
    tables = [poetry.get("dependencies", {})]
    for group in (poetry.get("group", {}) or {}).values():
        if isinstance(group, dict):
            tables.append(group.get("dependencies", {}))
    for table in tables:
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            constraint = value.get("version") if isinstance(value, dict) else value
            spec = _poetry_constraint(constraint)
            if spec is not None:
                yield name, spec


def _poetry_constraint(constraint: Any) -> SpecifierSet | None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not isinstance(constraint, str):
        return None
    text = constraint.strip()
    if text in ("", "*"):
        return SpecifierSet()
    parts = []
    for piece in text.split(","):
        piece = piece.strip()
        caret, tilde = compiled(_POETRY_CARET).match(piece), compiled(_POETRY_TILDE).match(piece)
        if caret or tilde:
            nums = [int(n) for n in (caret or tilde).groups() if n is not None]
            lower = ".".join(map(str, nums))
            if caret:
                index = next((i for i, n in enumerate(nums) if n != 0), len(nums) - 1)
            else:
                index = min(1, len(nums) - 1) if len(nums) > 1 else 0
            upper = nums[: index + 1]
            upper[-1] += 1
            parts.append(f">={lower},<{'.'.join(map(str, upper))}")
        elif piece[0].isdigit():
            parts.append(f"=={piece}")
        else:
            parts.append(piece)
    try:
        return SpecifierSet(",".join(parts))
    except InvalidSpecifier:
        return None
