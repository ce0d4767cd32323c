"""One generic test for every registered rule: its examples hold, it has some, its doc page is current.

Parametrized at collection time from the plugin manager, so a new rule is covered the moment its
plugin registers it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aisec.docs import render_rule
from aisec.hooks import Rule
from aisec.pluginmanager import load_plugins
from aisec.testing import example_failures

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules"
RULES: dict[str, type[Rule]] = dict(sorted(load_plugins(entry_points=False).rules.items()))
# The scanner's own diagnostics (AIS0xx) are emitted by the engine, not by visiting code.
DIAGNOSTIC_PREFIX = "AIS0"
MIN_EXAMPLES = 6


def test_rules_are_registered() -> None:
    assert {"AIS001", "AIS002", "AIS101", "AIS105"} <= set(RULES)


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_examples_hold(rule: type[Rule]) -> None:
    failures = example_failures(rule)
    assert failures == [], "\n\n".join(failures)


@pytest.mark.parametrize(
    "rule", [r for c, r in RULES.items() if not c.startswith(DIAGNOSTIC_PREFIX)], ids=lambda r: r.code
)
def test_rule_has_valid_and_invalid_examples(rule: type[Rule]) -> None:
    """Examples are a rule's tests: positives and look-alikes, at least six of each."""
    assert len(rule.examples("invalid")) >= MIN_EXAMPLES, f"{rule.code}: too few `invalid` examples"
    assert len(rule.examples("valid")) >= MIN_EXAMPLES, f"{rule.code}: too few `valid` examples"


def test_loading_every_plugin_does_not_import_libcst() -> None:
    """Registration must stay cheap: rule modules reach libcst only through the lazy proxy."""
    code = (
        "import sys\n"
        "from aisec.pluginmanager import load_plugins\n"
        "load_plugins(entry_points=False)\n"
        "print(sorted(m for m in sys.modules if m == 'libcst' or m.startswith('fickling')))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_rule_metadata(rule: type[Rule]) -> None:
    assert rule.metadata_problems() == []
    assert rule.summary and rule.description and rule.rationale and rule.remediation
    if not rule.code.startswith(DIAGNOSTIC_PREFIX):
        assert rule.triggers, f"{rule.code} has no triggers: every file would be parsed for it"


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_doc_page_is_current(rule: type[Rule]) -> None:
    page = DOCS / f"{rule.code}.md"
    hint = "run `python -m aisec.docs` to regenerate docs/rules/"
    assert page.is_file(), f"{page} is missing; {hint}"
    assert page.read_text(encoding="utf-8") == render_rule(rule), f"{page} is stale; {hint}"


def test_no_doc_page_without_a_rule() -> None:
    orphans = sorted(p.stem for p in DOCS.glob("*.md") if p.stem not in RULES)
    assert orphans == [], f"doc pages for unknown rules: {orphans}; delete them"
