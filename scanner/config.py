"""Reading and validating `[tool.aisec]` (or `aisec.toml`).

Config is read once per run. Every unknown key or bad value is a `ConfigError` whose message
names the file, the key and what is valid, so the CLI can print one line and exit 2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from aisec.hooks import Severity

from .engine import DEFAULT_TIME_BUDGET
from .tomlfile import configures_aisec, toml_parser


class ConfigError(Exception):
    """A configuration problem; the message is one line naming the file and the key."""


DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".aisec_cache",
    "node_modules",
    "site-packages",
    "build",
    "dist",
)


def _str_list(key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"`{key}` must be a list of strings, got {value!r}")
    return list(value)


def _severity(key: str, value: Any) -> Severity:
    valid = [s.value for s in Severity]
    if value not in valid:
        raise ConfigError(f"`{key}` must be one of {', '.join(valid)}, got {value!r}")
    return Severity(value)


def _positive_number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ConfigError(f"`{key}` must be a positive finite number, got {value!r}")
    return value


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"`{key}` must be a positive integer, got {value!r}")
    return value


def _http_url(key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise ConfigError(f"`{key}` must be an http(s) URL, got {value!r}")
    return value


def _table(key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}` must be a table, got {value!r}")
    return value


def _per_file_ignores(key: str, value: Any) -> dict[str, list[str]]:
    table = _table(key, value)
    return {glob: _str_list(f"{key}.{glob!r}", codes) for glob, codes in table.items()}


def _rule_options(key: str, value: Any) -> dict[str, dict[str, Any]]:
    table = _table(key, value)
    return {code: _table(f"{key}.{code}", options) for code, options in table.items()}


def _declarative_rules(key: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ConfigError(f"`{key}` must be an array of tables ([[tool.aisec.rules]])")
    return value


ARTIFACT_KEYS: dict[str, Callable[[str, Any], Any]] = {
    "roots": _str_list,
    "max-pickle-bytes": _positive_int,
    "max-decompressed-bytes": _positive_int,
    "max-opcodes": _positive_int,
    "timeout-seconds": _positive_number,
    "allow": _str_list,
}
TAINT_KEYS: dict[str, Callable[[str, Any], Any]] = {
    "sources": lambda k, v: _list_of(k, v),
    "sinks": lambda k, v: _list_of(k, v),
    "sanitizers": lambda k, v: _list_of(k, v),
}


def _list_of(key: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"`{key}` must be a list, got {value!r}")
    return value


def _subtable(keys: Mapping[str, Callable[[str, Any], Any]]) -> Callable[[str, Any], Any]:
    def validate(key: str, value: Any) -> dict[str, Any]:
        table = _table(key, value)
        return {name: _check_key(keys, f"{key}.{name}", name, item) for name, item in table.items()}

    return validate


def _check_key(keys: Mapping[str, Callable[[str, Any], Any]], full_key: str, name: str, value: Any) -> Any:
    validator = keys.get(name)
    if validator is None:
        raise ConfigError(f"unknown key `{full_key}`; valid keys: {', '.join(sorted(keys))}")
    return validator(full_key, value)


TOP_KEYS: dict[str, Callable[[str, Any], Any]] = {
    "select": _str_list,
    "ignore": _str_list,
    "extend-select": _str_list,
    "per-file-ignores": _per_file_ignores,
    "exclude": _str_list,
    "extend-exclude": _str_list,
    "fail-on": _severity,
    "plugins": _str_list,
    "disable-plugins": _str_list,
    "artifacts": _subtable(ARTIFACT_KEYS),
    "taint": _subtable(TAINT_KEYS),
    "rules": _declarative_rules,
    "rule-options": _rule_options,
    "file-timeout-seconds": _positive_number,
    "rule-docs-url": _http_url,
}


@dataclass
class Config:
    """The effective configuration of one run."""

    root: Path
    path: Path | None = None
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    extend_exclude: list[str] = field(default_factory=list)
    fail_on: Severity = Severity.LOW
    plugins: list[str] = field(default_factory=list)
    disable_plugins: list[str] = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)
    taint: dict[str, Any] = field(default_factory=dict)
    rules: list[dict[str, Any]] = field(default_factory=list)
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_timeout_seconds: float = DEFAULT_TIME_BUDGET
    rule_docs_url: str = ""  # where aisec's docs/rules/ pages are published (SARIF helpUri)
    raw: dict[str, Any] = field(default_factory=dict)
    # The config file's bytes as they were read and parsed: part of the trigger table's key
    # (`fastpath.table_key`), so a table is only ever taken for the config this run loaded.
    source: bytes = field(default=b"", repr=False)

    @property
    def excludes(self) -> list[str]:
        return [*self.exclude, *self.extend_exclude]

    @property
    def display_path(self) -> str:
        return str(self.path) if self.path else "(defaults)"


def find_config_file(start: Path) -> tuple[Path | None, Path]:
    """The nearest `aisec.toml`, or `pyproject.toml` with a `[tool.aisec]` table, searching
    up from `start` and stopping at the repository root. Also returns the project root: the
    config's folder, else the nearest folder with a `pyproject.toml` or `.git`, else `start`."""
    project_root: Path | None = None
    for folder in (start, *start.parents):
        candidate = folder / "aisec.toml"
        if candidate.is_file():
            return candidate, folder
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            project_root = project_root or folder
            if configures_aisec(pyproject.read_bytes()):
                return pyproject, folder
        if (folder / ".git").exists():
            return None, project_root or folder
    return None, project_root or start


def read_source(path: Path) -> bytes:
    """A config file's bytes (ConfigError when it cannot be read)."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None


def read_table(path: Path, source: bytes) -> dict[str, Any]:
    """The aisec table of a config file (whole file for aisec.toml, `[tool.aisec]` otherwise),
    from its bytes `source`, decoded as `Path.read_text` would (UTF-8, universal newlines)."""
    tomllib = toml_parser()
    try:
        text = source.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    if path.name == "aisec.toml":
        return data
    table = data.get("tool", {}).get("aisec", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: `tool.aisec` must be a table")
    return table


def load_config(explicit: Path | None = None, cwd: Path | None = None, start: Path | None = None) -> Config:
    """Find, read and validate the configuration (an explicit `--config` file wins).

    The search starts at `start` (the scanned paths' common folder, `projectroot.scan_start`),
    or at `cwd` for commands that scan nothing."""
    cwd = (cwd or Path.cwd()).resolve()
    if explicit is not None:
        named = explicit if explicit.is_absolute() else cwd / explicit
        if not named.is_file():
            raise ConfigError(f"{explicit}: config file not found (check --config)")
        path, root = named.resolve(), named.resolve().parent
    else:
        path, root = find_config_file(start or cwd)
    source = read_source(path) if path is not None else b""
    config = config_from_table(read_table(path, source) if path is not None else {}, root=root, path=path)
    config.source = source
    return config


def check_rule_options(config: Config, rules: Mapping[str, Any]) -> None:
    """Every `[tool.aisec.rule-options.CODE]` names a known rule, and every key in it is an option
    that rule declares (`Rule.default_options`), with a value of the default's type."""
    for code, options in config.rule_options.items():
        rule = rules.get(code)
        where = f"{config.display_path}: `tool.aisec.rule-options.{code}"
        if rule is None:
            raise ConfigError(f"{where}` names an unknown rule; `aisec rules` lists the codes")
        declared = dict(getattr(rule, "default_options", {}) or {})
        for key, value in options.items():
            if key not in declared:
                valid = ", ".join(sorted(declared)) or "none (the rule takes no options)"
                raise ConfigError(f"{where}.{key}` is not an option of {code}; valid options: {valid}")
            problem = _option_type_problem(declared[key], value)
            if problem:
                raise ConfigError(f"{where}.{key}` must be {problem}, got {value!r}")


def _option_type_problem(default: Any, value: Any) -> str | None:
    """What `value` must be to replace `default`, or None when it fits."""
    if default is None:
        return None
    if isinstance(default, bool):
        return None if isinstance(value, bool) else "true or false"
    if isinstance(default, (int, float)):
        number = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
        return (
            None
            if number and (isinstance(default, float) or isinstance(value, int))
            else f"a finite {type(default).__name__}"
        )
    if isinstance(default, str):
        return None if isinstance(value, str) else "a string"
    if isinstance(default, (list, tuple)):
        kinds = {type(item) for item in default}
        if not isinstance(value, list):
            return "a list"
        if kinds and not all(type(item) in kinds for item in value):
            return f"a list of {' or '.join(sorted(k.__name__ for k in kinds))}"
        return None
    if isinstance(default, Mapping):
        return None if isinstance(value, dict) else "a table"
    return None


def config_from_table(table: Mapping[str, Any], *, root: Path, path: Path | None = None) -> Config:
    """Validate a raw `[tool.aisec]` table into a `Config`."""
    config = Config(root=root, path=path, raw=dict(table))
    where = f"{path}: " if path else ""
    try:
        values = {key: _check_key(TOP_KEYS, f"tool.aisec.{key}", key, v) for key, v in table.items()}
    except ConfigError as exc:
        raise ConfigError(f"{where}{exc}") from None
    for key, value in values.items():
        setattr(config, key.replace("-", "_"), value)
    return config
