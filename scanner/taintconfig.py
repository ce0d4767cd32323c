"""The run's taint catalog: the engine's own sanitizers, plugins' catalogs and `[tool.aisec.taint]`.

Kept apart from the analysis (`aisec.taint`) because every run builds the catalog, also runs
where no file is parsed: this module must not import libcst.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from aisec.hooks import (
    CAST,
    ENCODER,
    GUARD,
    INSTRUCTION,
    REMOTE,
    ParameterSource,
    SafeArgument,
    Sanitizer,
    Sink,
    SinkArgument,
    Source,
    TaintCatalog,
)
from aisec.hooks.taint import ROLES, SANITIZER_KINDS, SOURCE_KINDS, TIERS

from .config import ConfigError
from .regexes import compiled

# ----- the engine's own catalog: standard-library sanitizers -----

_CASTS = (
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.complex",
    "builtins.len",
    "builtins.round",
    "builtins.abs",
    "builtins.ord",
    "builtins.hash",
    "builtins.id",
    "builtins.isinstance",
    "builtins.issubclass",
    "builtins.callable",
    "builtins.hasattr",
    "builtins.type",
    "builtins.range",
    "uuid.UUID",
    "decimal.Decimal",
    "fractions.Fraction",
    "datetime.date.fromisoformat",
    "datetime.datetime.fromisoformat",
    "datetime.datetime.strptime",
    "datetime.time.fromisoformat",
    "ipaddress.ip_address",
    "ipaddress.ip_network",
    "math.*",
)
_ENCODERS = (
    "json.dumps",
    "orjson.dumps",
    "ujson.dumps",
    "builtins.repr",
    "html.escape",
    "markupsafe.escape",
    "markupsafe.Markup.escape",
    "django.utils.html.escape",
    "django.utils.html.conditional_escape",
    "xml.sax.saxutils.escape",
    "xml.sax.saxutils.quoteattr",
    "urllib.parse.quote",
    "urllib.parse.quote_plus",
    "urllib.parse.urlencode",
    "base64.b64encode",
    "base64.urlsafe_b64encode",
    "shlex.quote",
    "bleach.clean",
    "nh3.clean",
)
_GUARDS = (
    Sanitizer("re.fullmatch", GUARD, 1),
    Sanitizer("regex.fullmatch", GUARD, 1),
    Sanitizer("re.compile.fullmatch", GUARD, 0),
    Sanitizer("regex.compile.fullmatch", GUARD, 0),
    *(
        Sanitizer(f"*.{method}", GUARD, "self")
        for method in ("isdigit", "isdecimal", "isnumeric", "isalnum", "isalpha", "isidentifier")
    ),
)
ENGINE_CATALOG = TaintCatalog(
    sanitizers=(
        *(Sanitizer(p, CAST) for p in _CASTS),
        *(Sanitizer(p, ENCODER) for p in _ENCODERS),
        *_GUARDS,
    )
)
"""Sanitizers every run has: casts, encoders/escapers and `fullmatch`-style guards."""


# ----- [tool.aisec.taint] -----

_PATTERN = r"^[A-Za-z0-9_.*?\[\]!]+$"  # compiled (`compiled`) when a config has taint entries
_SOURCE_KEYS = ("pattern", "tier", "kind", "label", "static-argument")
_PARAMETER_KEYS = (
    "tier",
    "decorators",
    "registrars",
    "functions",
    "base-classes",
    "requires-import",
    "params",
    "exclude",
    "signature",
    "type",
    "label",
)
_ARGUMENT_KEYS = ("role", "keyword", "position", "path", "template", "message-role")
_SINK_KEYS = ("pattern", "label", "arguments", "unless", *_ARGUMENT_KEYS)
_SAFE_KEYS = ("keyword", "position", "values")
_SANITIZER_KEYS = ("pattern", "kind", "argument")


def catalog_from_config(table: Mapping[str, Any], key: str = "tool.aisec.taint") -> TaintCatalog:
    """Build a catalog from `[tool.aisec.taint]`; a bad entry is a `ConfigError` naming its key.

    ```toml
    [tool.aisec.taint]
    # a string is a qualified-name pattern: a remote source (call or attribute), a sink whose
    # every argument is instruction context, a cast-like sanitizer
    sources = ["acme.web.get_param", {pattern = "acme.queue.receive", tier = "indirect"},
               {decorators = ["acme.api.route"], params = ["payload"]}]
    sinks = ["acme.llm.set_system_prompt",
             {pattern = "acme.llm.ask", keyword = "system", position = 1, role = "instruction"}]
    sanitizers = ["acme.text.clean_prompt", {pattern = "acme.text.is_slug", kind = "guard"}]
    ```
    """
    sources: list[Source] = []
    parameters: list[ParameterSource] = []
    sinks: list[Sink] = []
    sanitizers: list[Sanitizer] = []
    for name, value in table.items():
        if name not in ("sources", "sinks", "sanitizers"):
            raise ConfigError(f"unknown key `{key}.{name}`; valid keys: sanitizers, sinks, sources")
        if not isinstance(value, list):
            raise ConfigError(f"`{key}.{name}` must be a list of strings or tables, got {value!r}")
        for index, entry in enumerate(value):
            where = f"{key}.{name}[{index}]"
            if name == "sources":
                parsed = _parse_source(where, entry)
                (parameters if isinstance(parsed, ParameterSource) else sources).append(parsed)  # type: ignore[arg-type]
            elif name == "sinks":
                sinks.append(_parse_sink(where, entry))
            else:
                sanitizers.append(_parse_sanitizer(where, entry))
    return TaintCatalog(tuple(sources), tuple(parameters), tuple(sinks), tuple(sanitizers))


def build_catalog(
    plugin_catalogs: Iterable[TaintCatalog | None], config_table: Mapping[str, Any]
) -> TaintCatalog:
    """The run's catalog: the engine's sanitizers, every plugin's catalog, then the config's."""
    return TaintCatalog.merge([ENGINE_CATALOG, *plugin_catalogs, catalog_from_config(config_table)])


def _pattern(where: str, value: Any) -> str:
    if not isinstance(value, str) or not compiled(_PATTERN).match(value):
        raise ConfigError(f"`{where}` must be a qualified-name pattern such as 'acme.llm.ask', got {value!r}")
    return value


def _table(where: str, entry: Any, keys: Sequence[str]) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"`{where}` must be a string or a table, got {entry!r}")
    for name in entry:
        if name not in keys:
            raise ConfigError(f"unknown key `{where}.{name}`; valid keys: {', '.join(sorted(keys))}")
    return entry


def _choice(where: str, value: Any, valid: Sequence[str]) -> str:
    if value not in valid:
        raise ConfigError(f"`{where}` must be one of {', '.join(valid)}, got {value!r}")
    return value


def _patterns(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"`{where}` must be a list of qualified-name patterns, got {value!r}")
    return tuple(_pattern(f"{where}[{i}]", item) for i, item in enumerate(value))


def _text(where: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"`{where}` must be a string, got {value!r}")
    return value


def _position_or_name(where: str, value: Any, names: str) -> int | str:
    if isinstance(value, bool) or not (
        (isinstance(value, int) and value >= 0) or (isinstance(value, str) and value.isidentifier())
    ):
        raise ConfigError(f"`{where}` must be a 0-based position or {names}, got {value!r}")
    return value


def _parse_source(where: str, entry: Any) -> Source | ParameterSource:
    if isinstance(entry, str):
        return Source(_pattern(where, entry))
    if isinstance(entry, Mapping) and "pattern" not in entry:
        return _parse_parameter_source(where, entry)
    table = _table(where, entry, _SOURCE_KEYS)
    static = table.get("static-argument")
    return Source(
        _pattern(f"{where}.pattern", table["pattern"]),
        tier=_choice(f"{where}.tier", table.get("tier", REMOTE), TIERS),
        kind=_choice(f"{where}.kind", table.get("kind", "any"), SOURCE_KINDS),
        label=_text(f"{where}.label", table.get("label", "")),
        static_argument=None
        if static is None
        else _position_or_name(f"{where}.static-argument", static, "a keyword or 'self'"),
    )


def _parse_parameter_source(where: str, entry: Any) -> ParameterSource:
    table = _table(where, entry, _PARAMETER_KEYS)
    lists = {
        name: _patterns(f"{where}.{name}", table[name])
        for name in (
            "decorators",
            "registrars",
            "functions",
            "base-classes",
            "requires-import",
            "params",
            "exclude",
            "signature",
        )
        if name in table
    }
    if not any(
        lists.get(name) for name in ("decorators", "registrars", "functions", "base-classes", "signature")
    ):
        raise ConfigError(
            f"`{where}` needs `pattern` (a call or attribute source) or one of `decorators`, `registrars`, `functions`, `base-classes`, `signature` (a parameter source)"
        )
    type_name = _text(f"{where}.type", table.get("type", ""))
    if type_name:
        _pattern(f"{where}.type", type_name)
    return ParameterSource(
        tier=_choice(f"{where}.tier", table.get("tier", REMOTE), TIERS),
        decorators=lists.get("decorators", ()),
        registrars=lists.get("registrars", ()),
        functions=lists.get("functions", ()),
        base_classes=lists.get("base-classes", ()),
        requires_import=lists.get("requires-import", ()),
        params=lists.get("params", ()),
        exclude=lists.get("exclude", ()),
        signature=lists.get("signature", ()),
        type=type_name,
        label=_text(f"{where}.label", table.get("label", "")),
    )


def _parse_argument(where: str, table: Mapping[str, Any]) -> SinkArgument:
    keyword = table.get("keyword")
    if keyword is not None and not (isinstance(keyword, str) and keyword.isidentifier()):
        raise ConfigError(f"`{where}.keyword` must be a keyword argument name, got {keyword!r}")
    position = _optional_position(where, table.get("position"))
    path = table.get("path", [])
    if not isinstance(path, list) or not all(isinstance(p, str) and p for p in path):
        raise ConfigError(f"`{where}.path` must be a list of dict keys, got {path!r}")
    template = table.get("template", False)
    if not isinstance(template, bool):
        raise ConfigError(f"`{where}.template` must be true or false, got {template!r}")
    message_role = table.get("message-role")
    if message_role is not None and not (isinstance(message_role, str) and message_role.isidentifier()):
        raise ConfigError(
            f"`{where}.message-role` must be a chat role such as 'system', got {message_role!r}"
        )
    return SinkArgument(
        role=_choice(f"{where}.role", table.get("role", INSTRUCTION), ROLES),
        keyword=keyword,
        position=position,
        path=tuple(path),
        template=template,
        message_role=message_role.lower() if message_role else None,
    )


def _parse_sink(where: str, entry: Any) -> Sink:
    if isinstance(entry, str):
        return Sink(_pattern(where, entry), (SinkArgument(INSTRUCTION),))
    table = _table(where, entry, _SINK_KEYS)
    if "pattern" not in table:
        raise ConfigError(f"`{where}` needs `pattern`, the qualified name of the call")
    pattern = _pattern(f"{where}.pattern", table["pattern"])
    if "arguments" in table:
        if set(_ARGUMENT_KEYS) & set(table):
            raise ConfigError(f"`{where}`: give either `arguments` or one argument's keys, not both")
        raw = table["arguments"]
        if not isinstance(raw, list) or not raw:
            raise ConfigError(f"`{where}.arguments` must be a non-empty list of tables")
        arguments = tuple(
            _parse_argument(
                f"{where}.arguments[{i}]", _table(f"{where}.arguments[{i}]", item, _ARGUMENT_KEYS)
            )
            for i, item in enumerate(raw)
        )
    else:
        arguments = (_parse_argument(where, table),)
    unless = table.get("unless", [])
    if not isinstance(unless, list):
        raise ConfigError(f"`{where}.unless` must be a list of tables")
    return Sink(
        pattern,
        arguments,
        _text(f"{where}.label", table.get("label", "")),
        tuple(_parse_safe(f"{where}.unless[{i}]", item) for i, item in enumerate(unless)),
    )


def _optional_position(where: str, position: Any) -> int | None:
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 0):
        raise ConfigError(f"`{where}.position` must be a 0-based position, got {position!r}")
    return position


def _parse_safe(where: str, entry: Any) -> SafeArgument:
    """`{keyword = "Loader", position = 1, values = ["yaml.SafeLoader"]}`: the safe values of one
    argument of a sink."""
    table = _table(where, entry, _SAFE_KEYS)
    keyword = table.get("keyword")
    if not (isinstance(keyword, str) and keyword.isidentifier()):
        raise ConfigError(f"`{where}.keyword` must be a keyword argument name, got {keyword!r}")
    position = _optional_position(where, table.get("position"))
    values = table.get("values")
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise ConfigError(
            f"`{where}.values` must be a non-empty list of qualified names or string constants, got {values!r}"
        )
    return SafeArgument(keyword, tuple(values), position)


def _parse_sanitizer(where: str, entry: Any) -> Sanitizer:
    if isinstance(entry, str):
        return Sanitizer(_pattern(where, entry))
    table = _table(where, entry, _SANITIZER_KEYS)
    if "pattern" not in table:
        raise ConfigError(f"`{where}` needs `pattern`, the qualified name of the call")
    argument = table.get("argument", 0)
    if isinstance(argument, str) and argument != "self":
        raise ConfigError(f"`{where}.argument` must be a 0-based position or 'self', got {argument!r}")
    return Sanitizer(
        _pattern(f"{where}.pattern", table["pattern"]),
        kind=_choice(f"{where}.kind", table.get("kind", CAST), SANITIZER_KINDS),
        argument=_position_or_name(f"{where}.argument", argument, "'self'"),
    )
