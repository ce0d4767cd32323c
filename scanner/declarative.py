"""Team rules declared in config (`[[tool.aisec.rules]]`): no Python needed.

Each table becomes a `Rule` subclass that reports calls whose qualified name matches `call`
(fnmatch patterns allowed), unless a keyword argument has a given constant value. They work in
pre-commit's isolated environment, where a team's Python plugin would need
`additional_dependencies`.
"""

from __future__ import annotations

from typing import Any

from aisec.hooks import Confidence, Rule, Severity
from aisec.hooks.rule import CODE_PATTERN

from .config import ConfigError
from .globs import glob_matches

_KEYS = {"code", "call", "message", "severity", "confidence", "name", "unless", "cwe"}
_MISSING = object()


def _trigger(pattern: str) -> tuple[str, ...]:
    """The leading literal segment of the pattern: every alias of the call spells it."""
    head = pattern.split(".")[0]
    return () if any(ch in head for ch in "*?[") else (head,)


def build_rule(table: dict[str, Any], index: int) -> type[Rule]:
    where = f"tool.aisec.rules[{index}]"
    unknown = set(table) - _KEYS
    if unknown:
        raise ConfigError(
            f"unknown key `{where}.{sorted(unknown)[0]}`; valid keys: {', '.join(sorted(_KEYS))}"
        )
    for key in ("code", "call", "message"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise ConfigError(f"`{where}.{key}` is required and must be a non-empty string")
    code, pattern = table["code"], table["call"]
    if not CODE_PATTERN.match(code):
        raise ConfigError(f"`{where}.code` {code!r} must look like 'ACME001'")
    try:
        severity = Severity(table.get("severity", "medium"))
        confidence = Confidence(table.get("confidence", "medium"))
    except ValueError as exc:
        raise ConfigError(f"`{where}`: {exc}; valid: {', '.join(s.value for s in Severity)}") from None
    unless = table.get("unless", {})
    if not isinstance(unless, dict) or (unless and set(unless) != {"kwarg", "equals"}):
        raise ConfigError(f"`{where}.unless` must be a table with `kwarg` and `equals`")
    message = table["message"]

    def visit_Call(self: Rule, node: Any) -> None:
        qualified = self.qualified_name(node.func)
        if qualified is None or not glob_matches(qualified, pattern):
            return
        if unless:
            arg = self.args.get(node, unless["kwarg"])
            if arg is not None and self.args.constant(arg.value) == unless["equals"]:
                return
        self.report(node, message)

    return type(
        f"Declared_{code}",
        (Rule,),
        {
            "code": code,
            "name": table.get("name", f"team-rule-{code.lower()}"),
            "summary": message,
            "description": f"Team rule from configuration: reports calls matching `{pattern}`.",
            "rationale": message,
            "remediation": message,
            "severity": severity,
            "confidence": confidence,
            "cwe": table.get("cwe"),
            "triggers": _trigger(pattern),
            "qualified_names": (pattern,),
            "visit_Call": visit_Call,
        },
    )


def build_rules(tables: list[dict[str, Any]]) -> list[type[Rule]]:
    return [build_rule(table, index) for index, table in enumerate(tables)]
