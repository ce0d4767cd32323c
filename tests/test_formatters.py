"""The machine-readable output formats: SARIF (GitHub code scanning), GitHub Actions
annotations and GitLab Code Quality.

SARIF is validated against the official OASIS schema (kept outside the project, see
../shared/schemas/README.md) and against the stricter rules GitHub applies on upload.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from aisec.cli import main
from aisec.hooks import (
    Confidence,
    Finding,
    FormatOptions,
    Location,
    Report,
    Rule,
    ScanError,
    Severity,
    Summary,
)
from aisec.plugins.formatters.github import format_github
from aisec.plugins.formatters.gitlab import format_gitlab
from aisec.plugins.formatters.sarif import format_sarif

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# AISEC_SARIF_SCHEMA names the schema file for a checkout that has no ../shared beside it.
SCHEMA_PATH = Path(
    os.environ.get("AISEC_SARIF_SCHEMA")
    or PROJECT_ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
)

SOURCE = (
    "import pickle\n"
    "pickle.loads(x)\n"
    "pickle.loads(x)\n"
    "import yaml\n"
    "yaml.load(s)\n"
    "import marshal\n"
    "marshal.loads(b)  # aisec: ignore[AIS101] reviewed\n"
)
APP = "src/my app.py"  # a space, to check percent-encoding


# --- helpers -------------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    app = tmp_path / APP
    app.parent.mkdir(parents=True)
    app.write_text(SOURCE, encoding="utf-8")
    (tmp_path / "clean.py").write_text("import json\njson.loads(s)\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run_format(fmt: str, *extra: str) -> tuple[int, str]:
    out = Path(f"report.{fmt}")
    code = main(["check", "--format", fmt, "--output", str(out), *extra])
    return code, out.read_text(encoding="utf-8")


def run_sarif(*extra: str) -> tuple[int, dict[str, Any]]:
    code, text = run_format("sarif", *extra)
    return code, json.loads(text)


def sarif_validator() -> Any:
    if not SCHEMA_PATH.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"SARIF schema missing at {SCHEMA_PATH} (required under CI)")
        pytest.skip(f"SARIF schema not found at {SCHEMA_PATH}")
    from jsonschema.validators import validator_for

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid_sarif(log: dict[str, Any]) -> None:
    errors = sorted(sarif_validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj[key]["text"]
    assert isinstance(value, str) and value.strip(), f"{key}.text must be a non-empty string"
    return value


def assert_github_rules(log: dict[str, Any]) -> None:
    """What GitHub code scanning requires beyond the schema (sarif-support.md)."""
    assert log["$schema"] and log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file:///") and root.endswith("/")
    driver = run["tool"]["driver"]
    assert driver["name"] == "aisec"
    assert driver["version"] and driver["semanticVersion"]
    assert "informationUri" not in driver  # aisec has no published home to point at
    rules = driver["rules"]
    assert isinstance(rules, list)
    assert len({rule["id"] for rule in rules}) == len(rules), "rules are deduplicated"
    for rule in rules:
        assert isinstance(rule["id"], str) and rule["id"]
        assert 0 < len(rule["name"]) <= 255
        assert len(_text(rule, "shortDescription")) <= 1024
        assert len(_text(rule, "fullDescription")) <= 1024
        _text(rule, "help")
        assert rule["help"]["markdown"].strip()
        if "helpUri" in rule:  # only with --rule-docs-url (test_sarif_rule_metadata)
            assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in {"note", "warning", "error"}
        props = rule["properties"]
        assert "security" in props["tags"] and len(props["tags"]) <= 20
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        score = props["security-severity"]
        assert isinstance(score, str) and 0.0 < float(score) <= 10.0
    results = run["results"]
    for res in results:
        assert 0 <= res["ruleIndex"] < len(rules)
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in {"note", "warning", "error"}
        _text(res, "message")
        assert 1 <= len(res["locations"]) <= 10
        physical = res["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri and " " not in uri and "\\" not in uri
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        for key in ("startLine", "startColumn", "endLine", "endColumn"):
            assert isinstance(region[key], int) and region[key] >= 1, key
        assert region["endLine"] >= region["startLine"]
        fingerprints = res["partialFingerprints"]
        assert "primaryLocationLineHash" not in fingerprints
        assert fingerprints["aisecFingerprint/v1"]
    assert len({r["partialFingerprints"]["aisecFingerprint/v1"] for r in results}) == len(results)
    for rule in rules:  # only rules that have results
        assert any(res["ruleId"] == rule["id"] for res in results)


class TstRule(Rule):
    code = "TST001"
    name = "test-rule"
    summary = "A rule for formatter tests"
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = "CWE-502"
    description = "Finds things. " * 200  # longer than GitHub's 1024-character limit
    rationale = "Because."
    remediation = "Do not."


class BareRule(Rule):
    code = "TST002"
    name = "bare-rule"
    severity = Severity.INFO


def finding(
    message: str = "bad thing",
    *,
    code: str = "TST001",
    path: str = "pkg/a.py",
    line: int = 3,
    column: int = 5,
    end_line: int | None = None,
    end_column: int = 9,
    severity: Severity = Severity.HIGH,
    fingerprint: str = "f" * 32,
    **extra: Any,
) -> Finding:
    return Finding(
        code=code,
        name="test-rule",
        severity=severity,
        confidence=Confidence.MEDIUM,
        location=Location(path, line, column, line if end_line is None else end_line, end_column),
        message=message,
        cwe="CWE-502",
        fingerprint=fingerprint,
        **extra,
    )


def report(*findings: Finding, errors: tuple[ScanError, ...] = ()) -> Report:
    return Report(
        list(findings),
        list(errors),
        Summary(files=1, findings=len(findings)),
        "0.1.0",
        rules={"TST001": TstRule, "TST002": BareRule},
    )


# --- CLI -----------------------------------------------------------------------------------


def test_unknown_format_exits_2_and_lists_formats(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "nope"]) == 2
    err = capsys.readouterr().err
    assert "nope" in err and "available:" in err
    for fmt in ("text", "concise", "json", "sarif", "github", "gitlab"):
        assert fmt in err


# --- SARIF ---------------------------------------------------------------------------------


def test_sarif_is_schema_valid_and_meets_github_rules(project: Path) -> None:
    code, log = run_sarif()
    assert code == 1
    assert_valid_sarif(log)
    assert_github_rules(log)
    run = log["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["AIS101", "AIS105"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.resolve().as_uri() + "/"
    assert run["invocations"][0]["executionSuccessful"] is True
    results = run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results] == [
        ("AIS101", 2),
        ("AIS101", 3),
        ("AIS105", 5),
    ]
    first = results[0]
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "src/my%20app.py", "uriBaseId": "%SRCROOT%"}
    # `pickle.loads(x)` spans columns 1..15; endColumn is one past the end.
    assert location["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 16}
    assert first["level"] == "error"
    assert first["properties"] == {"security-severity": "8.0", "severity": "high", "confidence": "high"}
    assert "suppressions" not in first


def test_sarif_rule_metadata(project: Path) -> None:
    _, log = run_sarif()
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == "AIS101" and rule["name"] == "pickle-load"
    assert "helpUri" not in rule  # no made-up address: the help text carries the whole page
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"]["tags"] == ["security", "external/cwe/cwe-502"]
    assert rule["properties"]["precision"] == "high"
    assert rule["properties"]["security-severity"] == "8.0"
    assert "## How to fix it" in rule["help"]["markdown"]
    assert "safetensors" in rule["help"]["text"]


def test_sarif_fingerprints_are_stable_between_runs(project: Path) -> None:
    def prints() -> list[str]:
        _, log = run_sarif()
        return [r["partialFingerprints"]["aisecFingerprint/v1"] for r in log["runs"][0]["results"]]

    before = prints()
    app = project / APP
    app.write_text("# a comment moves every line down\n" + SOURCE, encoding="utf-8")
    assert prints() == before


def test_sarif_suppressed_findings_are_marked(project: Path) -> None:
    _, log = run_sarif("--show-suppressed")
    assert_valid_sarif(log)
    results = log["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"] == [{"kind": "inSource"}]
    assert suppressed[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 7
    assert suppressed[0]["level"] == "warning"  # marshal is medium


def test_sarif_reports_errors_as_notifications(project: Path) -> None:
    code, log = run_sarif(".", "missing dir/x.py")
    assert code == 2
    assert_valid_sarif(log)
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error" and note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "missing%20dir/x.py"


def test_sarif_without_findings_is_valid(project: Path) -> None:
    code, log = run_sarif("clean.py")
    assert code == 0
    assert_valid_sarif(log)
    run = log["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_sarif_artifact_finding_links_the_loading_code(tmp_path: Path) -> None:
    artifact = finding(
        "pickle in model.pt calls os.system",
        path="models/model.pt",
        line=1,
        column=1,
        end_column=1,
        artifact={"member": "archive/data.pkl", "referenced_from": {"path": "app/load.py", "line": 12}},
    )
    log = json.loads(format_sarif(report(artifact), FormatOptions(cwd=str(tmp_path))))
    assert_valid_sarif(log)
    assert_github_rules(log)
    res = log["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 1
    (related,) = res["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"] == {"uri": "app/load.py", "uriBaseId": "%SRCROOT%"}
    assert related["physicalLocation"]["region"] == {"startLine": 12}
    assert res["properties"]["artifact"]["member"] == "archive/data.pkl"


def test_sarif_rule_texts_are_never_empty_or_too_long(tmp_path: Path) -> None:
    log = json.loads(
        format_sarif(
            report(finding(), finding(code="TST002", severity=Severity.INFO, fingerprint="")),
            FormatOptions(cwd=str(tmp_path)),
        )
    )
    assert_valid_sarif(log)
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    assert len(rules["TST001"]["fullDescription"]["text"]) <= 1024
    assert rules["TST001"]["properties"]["precision"] == "medium"
    bare = rules["TST002"]
    assert bare["shortDescription"]["text"] and bare["fullDescription"]["text"] and bare["help"]["text"]
    assert bare["properties"]["security-severity"] == "1.0"
    assert bare["defaultConfiguration"]["level"] == "note"
    assert "helpUri" not in bare  # a team rule has no page in aisec's docs
    result = log["runs"][0]["results"][1]
    assert result["partialFingerprints"]["aisecFingerprint/v1"]  # derived when missing


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", 9.5),
        (Severity.HIGH, "error", 8.0),
        (Severity.MEDIUM, "warning", 5.5),
        (Severity.LOW, "note", 3.0),
        (Severity.INFO, "note", 1.0),
    ],
)
def test_sarif_severity_mapping(tmp_path: Path, severity: Severity, level: str, score: float) -> None:
    rep = report(finding(severity=severity))
    rep.rules = {"TST001": type("SeverityRule", (TstRule,), {"severity": severity})}
    log = json.loads(format_sarif(rep, FormatOptions(cwd=str(tmp_path))))
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["defaultConfiguration"]["level"] == level
    assert log["runs"][0]["results"][0]["level"] == level
    assert float(rule["properties"]["security-severity"]) == score


def test_sarif_uri_is_percent_encoded(tmp_path: Path) -> None:
    odd = finding(path="dir #1/ümlaut 100%.py")
    log = json.loads(format_sarif(report(odd), FormatOptions(cwd=str(tmp_path))))
    assert_valid_sarif(log)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "dir%20%231/%C3%BCmlaut%20100%25.py"


# --- GitHub Actions annotations --------------------------------------------------------------


_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")


def test_github_escaping_is_exact() -> None:
    crafted = finding(
        "100% sure\r\nsecond line, with: a colon",
        path="dir,x/a:b.py",
        line=2,
        column=3,
        end_column=7,
    )
    out = format_github(report(crafted), FormatOptions())
    assert out == (
        "::error file=dir%2Cx/a%3Ab.py,line=2,endLine=2,col=3,endColumn=7,title=aisec (TST001)"
        "::dir,x/a:b.py:2:3: TST001 [high] 100%25 sure%0D%0Asecond line, with: a colon\n"
    )


def test_github_multiline_finding_has_no_columns() -> None:
    out = format_github(report(finding(line=4, end_line=6, end_column=2)), FormatOptions())
    assert out.startswith("::error file=pkg/a.py,line=4,endLine=6,title=aisec (TST001)::")
    assert "col=" not in out and "endColumn=" not in out


@pytest.mark.parametrize(
    ("severity", "command"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "warning"),
        (Severity.INFO, "notice"),
    ],
)
def test_github_levels(severity: Severity, command: str) -> None:
    out = format_github(report(finding(severity=severity)), FormatOptions())
    assert out.startswith(f"::{command} file=")


def test_github_errors_and_nothing_else() -> None:
    out = format_github(
        report(errors=(ScanError("a, b.py", "cannot read: 50% broken\nreally"),)), FormatOptions()
    )
    assert out == "::error file=a%2C b.py::cannot read: 50%25 broken%0Areally\n"
    assert format_github(report(), FormatOptions()) == ""


def test_github_real_run_is_only_workflow_commands(project: Path) -> None:
    code, out = run_format("github", "--show-suppressed")
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 4
    parsed = [_COMMAND.match(line) for line in lines]
    assert all(parsed), lines
    assert [m.group(1) for m in parsed] == ["error", "error", "error", "notice"]
    assert parsed[0].group(2) == "file=src/my app.py,line=2,endLine=2,col=1,endColumn=16,title=aisec (AIS101)"
    assert parsed[3].group(3).endswith("(suppressed)")


# --- GitLab Code Quality ---------------------------------------------------------------------


def test_gitlab_real_run(project: Path) -> None:
    code, text = run_format("gitlab")
    assert code == 1
    issues = json.loads(text)
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert set(issue) >= {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"].startswith(issue["check_name"] + ": ")
        assert issue["location"]["path"] == "src/my app.py"
    # two identical `pickle.loads(x)` calls in one file: distinct fingerprints
    assert issues[0]["description"] == issues[1]["description"]
    assert len({issue["fingerprint"] for issue in issues}) == 3
    assert [issue["location"]["lines"]["begin"] for issue in issues] == [2, 3, 5]
    assert {issue["severity"] for issue in issues} == {"critical"}
    assert [issue["check_name"] for issue in issues] == ["AIS101", "AIS101", "AIS105"]


def test_gitlab_fingerprints_match_sarif_and_json(project: Path) -> None:
    _, gitlab = run_format("gitlab")
    _, sarif = run_sarif()
    _, raw = run_format("json")
    expected = [f["fingerprint"] for f in json.loads(raw)["findings"]]
    assert [i["fingerprint"] for i in json.loads(gitlab)] == expected
    assert [r["partialFingerprints"]["aisecFingerprint/v1"] for r in sarif["runs"][0]["results"]] == expected


def test_gitlab_severities() -> None:
    findings = [
        finding(severity=severity, fingerprint=str(n) * 32, line=n + 1) for n, severity in enumerate(Severity)
    ]
    issues = json.loads(format_gitlab(report(*findings), FormatOptions()))
    assert [i["severity"] for i in issues] == ["info", "minor", "major", "critical", "blocker"]


def test_gitlab_fingerprints_stay_unique() -> None:
    same = finding(fingerprint="a" * 32)
    missing = finding(fingerprint="")
    issues = json.loads(format_gitlab(report(same, same, missing, missing), FormatOptions()))
    prints = [i["fingerprint"] for i in issues]
    assert prints[0] == "a" * 32
    assert len(set(prints)) == 4 and all(prints)


def test_gitlab_empty_report_is_an_empty_array() -> None:
    assert json.loads(format_gitlab(report(errors=(ScanError("x.py", "bad"),)), FormatOptions())) == []
