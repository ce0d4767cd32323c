"""Rule documentation, rendered from the rule class: one source for the doc page under
`docs/rules/`, `aisec explain CODE` and (later) SARIF rule help."""

from __future__ import annotations

import sys
from pathlib import Path

from aisec.hooks import Rule


def _code_block(code: str) -> str:
    return f"```python\n{code.rstrip()}\n```"


def render_rule(rule: type[Rule]) -> str:
    """The Markdown page of a rule."""
    parts = [f"# {rule.code} `{rule.name}`", ""]
    if rule.summary:
        parts += [rule.summary, ""]
    meta = f"Severity: **{rule.severity}** · confidence: {rule.confidence}"
    if rule.cwe:
        meta += f" · {rule.cwe}"
    if rule.fix_applicability is not None:
        meta += f" · autofix: {rule.fix_applicability}"
    parts += [meta, ""]
    parts += ["## What it finds", "", rule.description.strip(), ""]
    parts += ["## Why it is dangerous", "", rule.rationale.strip(), ""]
    invalid, valid = rule.examples("invalid"), rule.examples("valid")
    if invalid:
        parts += ["## Example", "", _code_block(invalid[0].code), ""]
    parts += ["## How to fix it", "", rule.remediation.strip(), ""]
    if valid:
        parts += ["Use instead:", "", _code_block(valid[0].code), ""]
    if rule.fix_safety:
        parts += ["## Fix safety", "", rule.fix_safety.strip(), ""]
    if rule.options_doc:
        parts += ["## Options", "", rule.options_doc.strip(), ""]
    if rule.references:
        parts += ["## References", ""] + [f"- {ref}" for ref in rule.references] + [""]
    return "\n".join(parts)


def write_rule_pages(folder: Path) -> list[Path]:
    """(Re)write `folder/CODE.md` for every rule of the built-in and installed plugins."""
    from .pluginmanager import load_plugins

    registry = load_plugins(entry_points=False)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for code, rule in sorted(registry.rules.items()):
        page = folder / f"{code}.md"
        page.write_text(render_rule(rule), encoding="utf-8")
        written.append(page)
    return written


def main() -> None:
    """`python -m aisec.docs [FOLDER]`: regenerate the rule pages (default: docs/rules)."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    for page in write_rule_pages(folder):
        print(page)


if __name__ == "__main__":
    main()
