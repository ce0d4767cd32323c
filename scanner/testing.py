"""Helpers for rule authors: run a rule on a snippet, and check a rule's own examples.

A team's test suite needs only:

    from aisec.testing import assert_examples
    def test_my_rule_examples():
        assert_examples(MyRule)

`valid` examples must produce no finding, `invalid` ones at least one (or exactly
`Example.expect`), with the prefilter off; separately, every `invalid` example must pass the
prefilter, or the rule's `triggers` would hide real findings, and the call screen, or its
`qualified_names` would.

Taint rules see the catalog of the built-in plugins and installed plugins' entry points (plus the
engine's sanitizers); pass `catalog=` to test against another one (e.g. your plugin's own
`aisec_taint_catalog()` merged with `default_catalog()`).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from aisec.hooks import Applicability, Example, Finding, Rule, TaintCatalog

from .engine import FileScanner
from .prefilter import rules_for_text
from .project import Project


def check_source(
    rules: type[Rule] | Iterable[type[Rule]],
    source: str,
    *,
    options: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
    filename: str = "example.py",
    prefilter: bool = False,
    fix: Applicability | None = None,
    catalog: TaintCatalog | None = None,
) -> list[Finding]:
    """Findings of `rules` on `source`, written as `filename` in a temporary project that
    also holds `files` (e.g. a `pyproject.toml`). `options` are the rules' options; `catalog`
    the taint catalog (default: `default_catalog()`)."""
    rule_list = [rules] if isinstance(rules, type) else list(rules)
    with tempfile.TemporaryDirectory(prefix="aisec-example-") as tmp:
        root = Path(tmp)
        for relative, text in (files or {}).items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        path = root / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
        scanner = FileScanner(
            rule_list,
            rule_plugins={rule.code: "test" for rule in rule_list},
            options={rule.code: dict(options or {}) for rule in rule_list},
            project=Project(root),
            use_prefilter=prefilter,
            taint_catalog=catalog if catalog is not None else default_catalog(),
        )
        result = scanner.scan_bytes(str(path), source.encode("utf-8"), fix)
        if result.errors:
            raise AssertionError("; ".join(error.message for error in result.errors))
        return result.findings


_DEFAULT_CATALOG: list[TaintCatalog] = []


def default_catalog() -> TaintCatalog:
    """The taint catalog of a run without config: the engine's sanitizers and every plugin's
    catalog (built-in plugins and installed entry points), built once."""
    if not _DEFAULT_CATALOG:
        from .pluginmanager import PluginError, load_plugins
        from .taintconfig import build_catalog

        try:
            registry = load_plugins()
        except PluginError:  # a broken installed plugin: the built-ins still make a catalog
            registry = load_plugins(entry_points=False)
        _DEFAULT_CATALOG.append(build_catalog(registry.taint_catalogs, {}))
    return _DEFAULT_CATALOG[0]


def example_failures(rule: type[Rule], catalog: TaintCatalog | None = None) -> list[str]:
    """Every way the rule's examples do not hold, as readable lines (empty when all pass)."""
    catalog = catalog if catalog is not None else default_catalog()
    expansions = catalog.trigger_expansions()
    failures = []
    for kind in ("valid", "invalid"):
        for index, example in enumerate(rule.examples(kind)):
            label = f"{rule.code} {kind}[{index}]"
            try:
                findings = _run(rule, example, catalog)
            except AssertionError as exc:
                failures.append(f"{label}: the rule raised: {exc}")
                continue
            ours = [f for f in findings if f.code == rule.code]
            if kind == "valid" and ours:
                failures.append(f"{label}: expected no finding, got {_describe(ours)}\n{example.code}")
            if kind == "invalid":
                expected = example.expect
                if (expected is None and not ours) or (expected is not None and len(ours) != expected):
                    want = "at least 1" if expected is None else str(expected)
                    failures.append(f"{label}: expected {want} finding(s), got {len(ours)}\n{example.code}")
                if not rules_for_text(example.code, [rule], expansions):
                    failures.append(
                        f"{label}: does not pass the prefilter; add a trigger to {rule.__name__}.triggers"
                    )
                screened = _screen_failure(rule, example.code, catalog)
                if screened:
                    failures.append(f"{label}: {screened}")
    return failures


def _screen_failure(rule: type[Rule], code: str, catalog: TaintCatalog) -> str | None:
    """Why `code` does not pass the `ast` screens, or the word screen before them, for `rule`
    (None when it does)."""
    import ast

    from .identifiers import IdentifierScreen, WordScreen
    from .prefilter import TextLookup, searchable

    expansions = catalog.trigger_expansions()
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError):
        tree = None  # the ast screens do not run on what CPython cannot parse
    problem = _ast_screen_failure(rule, code, tree, catalog) if tree is not None else None
    words = WordScreen(IdentifierScreen([rule], expansions, catalog), [rule])
    if problem is None and not words.select(TextLookup(searchable(code), expansions), [rule], code):
        # the ast screens imply the word screen: this is the word screen's fault, or the words'
        return "does not pass the word screen: a name the rule needs is not a word of the code"
    return problem


def _ast_screen_failure(rule: type[Rule], code: str, tree: Any, catalog: TaintCatalog) -> str | None:
    from .identifiers import IdentifierScreen
    from .prefilter import searchable
    from .screen import CallScreen, call_names

    expansions = catalog.trigger_expansions()
    if not IdentifierScreen([rule], expansions, catalog).select(tree, code, [rule]):
        return (
            "does not pass the identifier screen: a taint marker's tokens, or no word of an "
            "identifier group, are identifiers of the code"
        )
    if not rule.qualified_names or CallScreen([rule]).select(tree, [rule], searchable(code)):
        return None
    names = ", ".join(sorted(call_names(tree) or ()))
    return (
        f"does not pass the call screen; add a pattern to {rule.__name__}.qualified_names "
        f"(the calls' candidate names: {names})"
    )


def assert_examples(rule: type[Rule], catalog: TaintCatalog | None = None) -> None:
    """Fail with every broken example of `rule` listed."""
    failures = example_failures(rule, catalog)
    if failures:
        raise AssertionError("\n\n".join(failures))


def _run(rule: type[Rule], example: Example, catalog: TaintCatalog) -> list[Finding]:
    return check_source(
        rule,
        example.code,
        options=example.options,
        files=example.files,
        filename=example.filename,
        catalog=catalog,
    )


def _describe(findings: list[Finding]) -> str:
    return ", ".join(f"{f.code} at {f.location.line}:{f.location.column} ({f.message})" for f in findings)
