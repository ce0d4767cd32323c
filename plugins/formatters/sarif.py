"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF consumer).

Follows the subset GitHub reads (see docs/output-formats.md): one run, `tool.driver` with the
rules that have results, a stable `partialFingerprints` entry under aisec's own key (never
`primaryLocationLineHash`, which upload-sarif computes itself), `columnKind:
unicodeCodePoints` (libcst counts code points), scan errors as tool execution notifications.
Paths are relative to the repository root (`FormatOptions.root`), which is what code scanning
resolves relative URIs against, whichever folder aisec ran in.

Plugins may import only `aisec.hooks`, so the rule help is built here from the rule class
attributes instead of with the engine's doc renderer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterable, Mapping
from urllib.parse import quote

from aisec.hooks import Confidence, Finding, FormatOptions, RelatedLocation, Report, ScanError, Severity
from aisec.sha import sha256

from .text import cell_label

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "aisecFingerprint/v1"
SRCROOT = "%SRCROOT%"
# aisec's own rule codes have a page under docs/rules/ (linked when `FormatOptions.rule_docs_url`
# says where they are published); a team rule may set `help_uri`.
_BUILTIN_CODE = re.compile(r"^AIS[0-9]{3,4}$")
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
MAX_DESCRIPTION = 1024  # GitHub's limit for shortDescription.text and fullDescription.text
MAX_NAME = 255

LEVELS: Mapping[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub's bands: >9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY: Mapping[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION: Mapping[Confidence, str] = {
    Confidence.HIGH: "high",
    Confidence.MEDIUM: "medium",
    Confidence.LOW: "low",
}


# --- paths ---------------------------------------------------------------------------------


def _is_absolute(path: str) -> bool:
    return PurePosixPath(path).is_absolute() or PureWindowsPath(path).is_absolute()


def artifact_location(path: str, options: FormatOptions) -> dict[str, Any]:
    """`artifactLocation` for a reported path: below the repository root, percent-encoded and
    relative to `%SRCROOT%` (that root); elsewhere, an absolute `file:` URI."""
    relative = options.root_relative(path.replace("\\", "/") if not _is_absolute(path) else path)
    if relative is not None:
        return {"uri": quote(relative, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}
    if not _is_absolute(path):
        path = str(Path(options.cwd) / path)
    windows = PureWindowsPath(path)
    uri = windows.as_uri() if windows.drive else PurePosixPath(path).as_uri()
    return {"uri": uri}


def _root_uri(folder: str) -> str:
    uri = Path(folder).resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def _region(line: Any, column: Any = None, end_line: Any = None, end_column: Any = None) -> dict[str, int]:
    """A 1-based region, clamped so that it is never empty of a start line or reversed."""
    start_line = _positive(line)
    start_column = _positive(column)
    stop_line = max(start_line, _positive(end_line, start_line))
    stop_column = _positive(end_column, start_column)
    if stop_line == start_line:
        stop_column = max(stop_column, start_column)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": stop_line,
        "endColumn": stop_column,
    }


def _positive(value: Any, default: int = 1) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


# --- rules ---------------------------------------------------------------------------------


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def _cwes(cwe: Any) -> list[str]:
    if not cwe:
        return []
    values = [cwe] if isinstance(cwe, str) else list(cwe)
    tags = []
    for value in values:
        number = str(value).strip().upper().removeprefix("CWE-")
        if number.isdigit():
            tags.append(f"external/cwe/cwe-{int(number)}")
    return tags


def _severity(value: Any, default: Severity = Severity.MEDIUM) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        return default


def _confidence(value: Any, default: Confidence = Confidence.HIGH) -> Confidence:
    try:
        return Confidence(value)
    except ValueError:
        return default


def _examples(rule: Any, kind: str) -> list[str]:
    try:
        examples = rule.examples(kind)
    except Exception:  # a rule class not derived from aisec.hooks.Rule
        return []
    return [example.code for example in examples]


def _help(rule: Any, summary: str) -> tuple[str, str]:
    """(plain text, Markdown) help: what it finds, why, example, fix, references."""
    description = (getattr(rule, "description", "") or "").strip()
    rationale = (getattr(rule, "rationale", "") or "").strip()
    remediation = (getattr(rule, "remediation", "") or "").strip()
    references = [str(ref) for ref in getattr(rule, "references", ()) or ()]
    invalid, valid = _examples(rule, "invalid"), _examples(rule, "valid")
    text, markdown = [summary], [summary]
    for title, body in (("What it finds", description), ("Why it is dangerous", rationale)):
        if body:
            text += ["", f"{title}: {body}"]
            markdown += ["", f"## {title}", "", body]
    if invalid:
        markdown += ["", "## Example", "", f"```python\n{invalid[0].rstrip()}\n```"]
    if remediation:
        text += ["", f"How to fix it: {remediation}"]
        markdown += ["", "## How to fix it", "", remediation]
    if valid:
        markdown += ["", "Use instead:", "", f"```python\n{valid[0].rstrip()}\n```"]
    if references:
        text += ["", "References: " + " ".join(references)]
        markdown += ["", "## References", "", *(f"- {ref}" for ref in references)]
    return "\n".join(text), "\n".join(markdown)


def rule_descriptor(code: str, rule: Any, finding: Finding, docs_url: str = "") -> dict[str, Any]:
    """A `reportingDescriptor`; `finding` fills in what a bare rule object lacks. `docs_url` is
    where aisec's rule pages are published (no `helpUri` for aisec's rules without it)."""
    name = getattr(rule, "name", None) or finding.name or code
    summary = _clip(getattr(rule, "summary", "") or "", MAX_DESCRIPTION) or _clip(
        f"{code} {name}", MAX_DESCRIPTION
    )
    full = _clip(getattr(rule, "description", "") or "", MAX_DESCRIPTION) or summary
    help_text, help_markdown = _help(rule, summary)
    severity = _severity(getattr(rule, "severity", finding.severity), finding.severity)
    confidence = _confidence(getattr(rule, "confidence", finding.confidence), finding.confidence)
    descriptor: dict[str, Any] = {
        "id": code,
        "name": str(name)[:MAX_NAME],
        "shortDescription": {"text": summary},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_markdown},
    }
    help_uri = getattr(rule, "help_uri", None)
    if help_uri:
        descriptor["helpUri"] = str(help_uri)
    elif docs_url and _BUILTIN_CODE.match(code):
        descriptor["helpUri"] = f"{docs_url.rstrip('/')}/{code}.md"
    descriptor["defaultConfiguration"] = {"level": LEVELS[severity]}
    descriptor["properties"] = {
        "tags": ["security", *_cwes(getattr(rule, "cwe", None) or finding.cwe)],
        "precision": PRECISION[confidence],
        "security-severity": SECURITY_SEVERITY[severity],
    }
    return descriptor


# --- results -------------------------------------------------------------------------------


def _references(artifact: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    raw = artifact.get("referenced_from")
    if isinstance(raw, Mapping):
        return [raw]
    if isinstance(raw, (list, tuple)):
        return [item for item in raw if isinstance(item, Mapping)]
    return []


def _related_locations(artifact: Mapping[str, Any], options: FormatOptions) -> list[dict[str, Any]]:
    related = []
    for ref in _references(artifact):
        path = ref.get("path")
        if not path:
            continue
        region = _region(ref.get("line"), ref.get("column"), ref.get("end_line"), ref.get("end_column"))
        if ref.get("column") is None:
            region = {"startLine": region["startLine"]}
        related.append(
            {
                "id": len(related) + 1,
                "physicalLocation": {
                    "artifactLocation": artifact_location(str(path), options),
                    "region": region,
                },
                "message": {"text": "the model artifact is loaded here"},
            }
        )
    return related


def _flow_location(step: RelatedLocation, options: FormatOptions) -> dict[str, Any]:
    """A step of a finding's flow path (source, helper call, sink) as a SARIF location."""
    loc = step.location
    return {
        "physicalLocation": {
            "artifactLocation": artifact_location(loc.path, options),
            "region": _region(loc.line, loc.column, loc.end_line, loc.end_column),
        },
        "message": {"text": step.message},
    }


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def fallback_fingerprint(finding: Finding, occurrence: int) -> str:
    """For a finding built without one (the engine always sets it): no line numbers either."""
    key = "\0".join((finding.code, finding.path, finding.message, str(occurrence)))
    return sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def result(finding: Finding, rule_index: int, fingerprint: str, options: FormatOptions) -> dict[str, Any]:
    loc = finding.location
    # `security-severity` per result: the finding's own severity, which may differ from its
    # rule's default (a torch.load is low where the project requires torch>=2.6). GitHub's SARIF
    # reference lists the property on rules only; its code scanning team confirms that a result's
    # own value overrides the rule's (fortify/FortifyVulnerabilityExporter#72), and SARIF 2.2
    # adds `result.securitySeverity` for the same purpose. `level` is per result as documented.
    properties: dict[str, Any] = {
        "security-severity": SECURITY_SEVERITY[finding.severity],
        "severity": finding.severity.value,
        "confidence": finding.confidence.value,
    }
    message = finding.message or f"{finding.code} {finding.name}"
    if finding.cell is not None:
        properties["cell"] = finding.cell
        if finding.cell_line is not None:
            properties["cellLine"] = finding.cell_line
        message = f"{message} ({cell_label(finding)})"
    if finding.fix is not None:
        properties["fix"] = finding.fix.applicability.value
    data: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(loc.path, options),
                    "region": _region(loc.line, loc.column, loc.end_line, loc.end_column),
                }
            }
        ],
    }
    if finding.artifact is not None:
        artifact = dict(finding.artifact)
        properties["artifact"] = _jsonable(artifact)
        related = _related_locations(artifact, options)
        if related:
            data["relatedLocations"] = related
    if finding.related:
        data["relatedLocations"] = [
            {"id": index, **_flow_location(step, options)} for index, step in enumerate(finding.related, 1)
        ]
        data["codeFlows"] = [
            {
                "threadFlows": [
                    {"locations": [{"location": _flow_location(step, options)} for step in finding.related]}
                ]
            }
        ]
    data["partialFingerprints"] = {FINGERPRINT_KEY: fingerprint}
    if finding.suppressed:
        data["suppressions"] = [{"kind": "inSource"}]
    data["properties"] = properties
    return data


def _notification(error: ScanError, options: FormatOptions) -> dict[str, Any]:
    data: dict[str, Any] = {"level": "error", "message": {"text": error.message or "scan error"}}
    if error.path:
        data["locations"] = [
            {"physicalLocation": {"artifactLocation": artifact_location(error.path, options)}}
        ]
    return data


def _driver(report: Report, rules: Iterable[dict[str, Any]]) -> dict[str, Any]:
    driver: dict[str, Any] = {"name": "aisec", "version": report.tool_version}
    if _SEMVER.match(report.tool_version):  # PEP 440 versions such as 1.0.dev1 are not semver
        driver["semanticVersion"] = report.tool_version
    driver["rules"] = list(rules)
    return driver


def _fingerprints(findings: list[Finding]) -> list[str]:
    seen: dict[tuple[str, str, str], int] = {}
    prints = []
    for finding in findings:
        if finding.fingerprint:
            prints.append(finding.fingerprint)
            continue
        key = (finding.code, finding.path, finding.message)
        seen[key] = seen.get(key, -1) + 1
        prints.append(fallback_fingerprint(finding, seen[key]))
    return prints


def build_sarif(report: Report, options: FormatOptions) -> dict[str, Any]:
    """The SARIF log as a dict (used by `format_sarif` and by tests)."""
    first: dict[str, Finding] = {}
    for finding in report.findings:
        first.setdefault(finding.code, finding)
    codes = sorted(first)
    index = {code: position for position, code in enumerate(codes)}
    rules = [
        rule_descriptor(code, report.rules.get(code), first[code], options.rule_docs_url) for code in codes
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if report.errors:
        invocation["toolExecutionNotifications"] = [_notification(e, options) for e in report.errors]
    invocation["workingDirectory"] = {"uri": _root_uri(options.cwd)}
    run = {
        "tool": {"driver": _driver(report, rules)},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": _root_uri(options.root or options.cwd)}},
        "columnKind": "unicodeCodePoints",
        "results": [
            result(finding, index[finding.code], fingerprint, options)
            for finding, fingerprint in zip(report.findings, _fingerprints(report.findings), strict=True)
        ],
    }
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def format_sarif(report: Report, options: FormatOptions) -> str:
    return json.dumps(build_sarif(report, options), indent=2, ensure_ascii=False) + "\n"
