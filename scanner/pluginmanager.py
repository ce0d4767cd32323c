"""Loading plugins: built-ins under reserved names, then entry points, then config.

Built-ins are registered directly (not through entry points), so an installed package cannot
shadow one: pluggy would silently skip an entry point whose name is taken, so aisec checks names
itself and refuses collisions. Hooks are called once, here; never per file.

A plugin is third-party code: anything it does at registration (raise, even `SystemExit`, or
return something that is not what the hook promises) is a one-line PluginError naming it. Plugins
named in `plugins = [...]` of the scanned project's config import that project's code, so they are
listed on stderr when loaded and refused outright with `--no-local-plugins` (or
`AISEC_NO_LOCAL_PLUGINS=1`), the switch for CI jobs that scan untrusted pull requests.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import pluggy
from aisec.hooks import PROJECT_NAME, Rule, TaintCatalog, hookspecs

ENTRY_POINT_GROUP = "aisec"
NO_LOCAL_PLUGINS_ENV = "AISEC_NO_LOCAL_PLUGINS"
# Never reported as a plugin's failure: the user's Ctrl-C.
_NOT_PLUGIN_FAILURES = (KeyboardInterrupt,)

# Reserved plugin name -> module. The engine knows built-ins only through this table.
BUILTIN_PLUGINS: dict[str, str] = {
    "aisec.core": "aisec.diagnostics",
    "aisec.formatters": "aisec.plugins.formatters",
    "aisec.model_loading": "aisec.plugins.model_loading",
    "aisec.artifacts": "aisec.plugins.artifacts",
    "aisec.prompt_injection": "aisec.plugins.prompt_injection",
    "aisec.llm_output": "aisec.plugins.llm_output",
}
ESSENTIAL_PLUGINS = frozenset({"aisec.core", "aisec.formatters"})


class PluginError(Exception):
    """A plugin could not be loaded or registered; the message is one line."""


@dataclass
class Registry:
    """What the plugins provided, with the plugin each item came from."""

    manager: pluggy.PluginManager
    rules: dict[str, type[Rule]] = field(default_factory=dict)
    rule_plugins: dict[str, str] = field(default_factory=dict)
    formatters: dict[str, Callable[..., str]] = field(default_factory=dict)
    formatter_plugins: dict[str, str] = field(default_factory=dict)
    artifact_inspectors: list[Any] = field(default_factory=list)
    taint_catalogs: list[Any] = field(default_factory=list)
    plugin_sources: dict[str, str] = field(default_factory=dict)


def load_plugins(
    config_plugins: list[str] | None = None,
    disabled: list[str] | None = None,
    *,
    entry_points: bool = True,
    extra_path: str | None = None,
    allow_local: bool = True,
    config_name: str = "the config",
) -> Registry:
    """Register built-ins, installed entry points and config-named plugins; collect hooks.
    With `allow_local` False, config-named plugins are refused (PluginError)."""
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    registry = Registry(manager)
    disabled_set = set(disabled or [])
    refused = disabled_set & ESSENTIAL_PLUGINS
    if refused:
        raise PluginError(f"cannot disable essential plugin(s) {', '.join(sorted(refused))}")
    for name in disabled_set:
        manager.set_blocked(name)
    for name, module_name in BUILTIN_PLUGINS.items():
        if name not in disabled_set:
            _register(registry, importlib.import_module(module_name), name, "built-in")
    if entry_points:
        _load_entry_points(registry, disabled_set)
    local = []
    for name in config_plugins or []:
        if name in disabled_set:
            continue
        loaded = (
            name if name in registry.plugin_sources else _registered_name(registry, sys.modules.get(name))
        )
        if loaded is not None:  # installed (entry point) and listed: one plugin, loaded once
            _also_listed(registry, loaded)
            continue
        local.append(name)
    if local and not allow_local:
        raise PluginError(
            f"{config_name} names local plugin(s) {', '.join(map(repr, local))} in `plugins`, which would import "
            f"the scanned project's code; refused (--no-local-plugins or {NO_LOCAL_PLUGINS_ENV} is set)"
        )
    for module_name in local:
        module = _import_config_plugin(module_name, extra_path)
        loaded = _registered_name(registry, module)
        if loaded is not None:  # the module an entry point registered under another name
            _also_listed(registry, loaded)
            continue
        _register(registry, module, module_name, "config `plugins`")
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        # pluggy's error carries the plugin object, not its name
        name = manager.get_name(exc.plugin) or repr(exc.plugin)
        raise PluginError(
            f"plugin {name!r} from {registry.plugin_sources.get(name, '?')}: {exc}; check the hook's spelling (aisec_rules, aisec_formatters, ...)"
        ) from None
    _collect(registry)
    return registry


def _register(registry: Registry, plugin: Any, name: str, source: str) -> None:
    existing = registry.plugin_sources.get(name)
    if existing is not None:
        raise PluginError(
            f"plugin name {name!r} from {source} collides with {name!r} from {existing}; rename one or add it to `disable-plugins`"
        )
    try:
        registry.manager.register(plugin, name=name)
    except (ValueError, pluggy.PluginValidationError) as exc:
        raise PluginError(f"plugin {name!r} from {source} cannot be registered: {exc}") from None
    registry.plugin_sources[name] = source


def _registered_name(registry: Registry, module: Any) -> str | None:
    """The name a module is registered under already (an installed plugin's entry point)."""
    if module is None or not registry.manager.is_registered(module):
        return None
    return registry.manager.get_name(module)


def _also_listed(registry: Registry, name: str) -> None:
    """Record that a plugin loaded already is also named in `plugins = [...]`."""
    source = registry.plugin_sources[name]
    if "config `plugins`" not in source:
        registry.plugin_sources[name] = f"{source} + config `plugins`"


def _load_entry_points(registry: Registry, disabled: set[str]) -> None:
    from .entrypoints import find_entry_points

    for entry_point in find_entry_points(ENTRY_POINT_GROUP):
        if entry_point.name in disabled:
            continue
        source = f"distribution {entry_point.distribution} (entry point)"
        if entry_point.name in registry.plugin_sources:
            _register(registry, None, entry_point.name, source)  # raises the collision error
        try:
            plugin = entry_point.load()
        except _NOT_PLUGIN_FAILURES:
            raise
        except BaseException as exc:  # any import-time failure of third-party code, exit() too
            raise PluginError(
                f"plugin {entry_point.name!r} from {source} failed to import: {type(exc).__name__}: {exc}; fix or uninstall it, or add it to `disable-plugins`"
            ) from None
        _register(registry, plugin, entry_point.name, source)


def _import_config_plugin(module_name: str, extra_path: str | None) -> Any:
    added = extra_path is not None and extra_path not in sys.path
    if added:
        sys.path.insert(0, extra_path)
    try:
        return importlib.import_module(module_name)
    except _NOT_PLUGIN_FAILURES:
        raise
    except BaseException as exc:
        raise PluginError(
            f"plugin {module_name!r} named in `plugins` failed to import: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        if added:
            sys.path.remove(extra_path)


def _call_each(registry: Registry, hook_name: str) -> list[tuple[str, Any]]:
    """Call a registration hook implementation by implementation, keeping the plugin name."""
    results = []
    for impl in getattr(registry.manager.hook, hook_name).get_hookimpls():
        try:
            value = impl.function()
        except _NOT_PLUGIN_FAILURES:
            raise
        except BaseException as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} raised in {hook_name}(): {type(exc).__name__}: {exc}"
            ) from None
        if value is not None:
            results.append((impl.plugin_name, value))
    return results


def _items(plugin_name: str, hook_name: str, value: Any, mapping: bool = False) -> list[Any]:
    """A registration hook's return value as a list (or a mapping's items), or a PluginError."""
    try:
        if mapping:
            return list(dict(value).items())
        if isinstance(value, (str, bytes)):
            raise TypeError("a string is not a collection")
        return list(value)
    except (TypeError, ValueError) as exc:
        kind = "a mapping" if mapping else "an iterable"
        raise PluginError(
            f"plugin {plugin_name!r} returned {type(value).__name__} from {hook_name}(); expected {kind} ({exc})"
        ) from None


def _collect(registry: Registry) -> None:
    for plugin_name, rules in _call_each(registry, "aisec_rules"):
        for rule in _items(plugin_name, "aisec_rules", rules):
            _add_rule(registry, plugin_name, rule)
    for plugin_name, formatters in _call_each(registry, "aisec_formatters"):
        for name, formatter in _items(plugin_name, "aisec_formatters", formatters, mapping=True):
            if not isinstance(name, str) or not callable(formatter):
                raise PluginError(
                    f"plugin {plugin_name!r} returned {name!r}: {formatter!r} from aisec_formatters(); expected format name: function"
                )
            if name in registry.formatters:
                raise PluginError(f"output format {name!r} is defined twice (plugin {plugin_name!r})")
            registry.formatters[name] = formatter
            registry.formatter_plugins[name] = plugin_name
    for plugin_name, inspectors in _call_each(registry, "aisec_artifact_inspectors"):
        registry.artifact_inspectors.extend(_items(plugin_name, "aisec_artifact_inspectors", inspectors))
    for plugin_name, catalog in _call_each(registry, "aisec_taint_catalog"):
        if not isinstance(catalog, TaintCatalog):
            raise PluginError(
                f"plugin {plugin_name!r} returned {type(catalog).__name__} from aisec_taint_catalog(); expected an aisec.hooks.TaintCatalog"
            )
        registry.taint_catalogs.append(catalog)


def _add_rule(registry: Registry, plugin_name: str, rule: Any) -> None:
    if not (isinstance(rule, type) and issubclass(rule, Rule)):
        raise PluginError(
            f"plugin {plugin_name!r} returned {rule!r} from aisec_rules(); expected subclasses of aisec.hooks.Rule"
        )
    problems = rule.metadata_problems()
    if problems:
        raise PluginError(f"plugin {plugin_name!r}, rule {rule.__name__}: {'; '.join(problems)}")
    other = registry.rule_plugins.get(rule.code)
    if other is not None:
        raise PluginError(
            f"rule code {rule.code} is defined by both plugin {other!r} and plugin {plugin_name!r}; rename one code"
        )
    registry.rules[rule.code] = rule
    registry.rule_plugins[rule.code] = plugin_name


def configure(registry: Registry, raw_config: Mapping[str, Any]) -> None:
    """Hand every plugin the effective `[tool.aisec]` table."""
    for impl in registry.manager.hook.aisec_configure.get_hookimpls():
        try:
            impl.function(*[{"config": raw_config}[name] for name in impl.argnames])
        except _NOT_PLUGIN_FAILURES:
            raise
        except BaseException as exc:
            raise PluginError(
                f"plugin {impl.plugin_name!r} raised in aisec_configure(): {type(exc).__name__}: {exc}"
            ) from None
