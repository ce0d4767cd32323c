"""The scanner's own diagnostics (AIS0xx), registered as the essential `aisec.core` plugin.

They have no visitor methods: the engine emits them (a file that cannot be parsed, a stale
suppression). Declaring them as rules gives them a code, docs, `aisec explain` and the usual
select/ignore handling.
"""

from __future__ import annotations

from aisec.hooks import Confidence, Rule, Severity, hookimpl


class ParseError(Rule):
    code = "AIS001"
    name = "unparsable-file"
    summary = "A file could not be fully checked (syntax error, over a budget, undecodable or binary)"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    description = (
        "Reports a file aisec was asked to check but could not fully check as Python source.\n\n"
        "**High** (fails the gate at any `fail-on` up to `high`):\n\n"
        "- a file that mentions what an enabled rule looks for (it passed the prefilter) but does "
        "not parse, whether CPython refuses it too or only libcst does (`(_x): int = 0` is valid "
        "Python that libcst 1.x rejects): one such line must not be a way past every rule;\n"
        "- a file over a per-file budget, each checked before the step it protects: more than "
        "8 MiB (at most one byte more is read), more than 200,000 tokens (counted before CPython "
        "parses), more than 100,000 syntax nodes or nesting more than 1,000 levels as libcst builds "
        "it (`a or a or ...` nests once per operand; libcst has no depth limit and crashes), or "
        "more than `file-timeout-seconds` (default 20) of scanning (a rule that runs out of time "
        "is an error naming it instead, and the other rules finish the file; summarising the "
        "project's other modules for the file's imports is not counted: it has its own budgets, "
        "AIS005).\n\n"
        '**Low** (fails the default gate, passes `fail-on = "medium"`): input Python cannot run '
        "either: NUL bytes (a binary file named `.py`), bytes that are not valid in the declared "
        "encoding, a notebook that is not valid JSON.\n\n"
        "A file that mentions nothing any enabled rule looks for is not parsed at all, so a syntax "
        "error there is not reported. A file whose scan crashed or hung a worker process of a "
        "parallel run is not a finding but an error (exit 2): the rest of the run completes."
    )
    rationale = (
        "A security check that silently skips what it cannot read is a way around it: code that "
        "does not parse here may still be imported elsewhere (for example by a different Python "
        "version), and an input built to exhaust the scanner's memory or time must not pass as "
        "clean. aisec fails closed and says so, instead of reporting a clean run."
    )
    remediation = (
        "Fix the file, or, if it is not meant to be Python (a template, a fixture), exclude it "
        "with `extend-exclude` or silence this code for it with `per-file-ignores`."
    )
    references = ("https://peps.python.org/pep-0263/",)
    invalid = ()
    valid = ()


class UnusedSuppression(Rule):
    code = "AIS002"
    name = "unused-suppression"
    summary = "A suppression comment silences nothing"
    severity = Severity.LOW
    confidence = Confidence.HIGH
    description = (
        "With `--warn-unused-ignores`, reports `# aisec: ignore[CODE]` and `# noqa: CODE` "
        "comments whose aisec codes silenced no finding."
    )
    rationale = (
        "Stale suppressions hide future problems: when the code under a forgotten ignore changes "
        "back into something dangerous, nothing is reported."
    )
    remediation = "Delete the suppression (or the stale code from it)."
    invalid = ()
    valid = ()


class IncompleteAnalysis(Rule):
    code = "AIS005"
    name = "dataflow-not-fully-analysed"
    summary = "The dataflow analysis of a file stopped at its budget: AIS2xx/AIS3xx may miss flows there"
    severity = Severity.MEDIUM
    confidence = Confidence.HIGH
    description = (
        "Reports a file whose taint analysis (the dataflow behind AIS2xx and AIS3xx) needed more "
        "evaluation steps than its budget: 20,000 plus 200 per statement of the file. The flows found "
        "up to that point are still reported; flows the analysis had not reached yet are not. Code a "
        "person writes stays far below the budget (loops cost the sum of their bodies, helpers are "
        "summarised once per change); generated or adversarial code can reach it. Also reported: "
        "a file that calls into another module of the project that could not be fully followed: that "
        "module (or one it imports) was over its own budget, sits in an import cycle that did not "
        "settle within 3 analyses per member, or the file's imports reach more than 1,000 project "
        "modules that spell a source or sink (its calls into the project are then read as library "
        "calls). The message names the module and the reason. The last case is decided from the "
        "texts alone: a file that spells a source (where a flow through the project would start) "
        "and imports a project module reaching a source or sink, whether or not the file is parsed."
    )
    rationale = (
        "A scan that silently stops part-way reads as a clean result. A file crafted to exhaust the "
        "analysis would otherwise be a way around every dataflow rule, so the file fails the default "
        "gate and says why."
    )
    remediation = (
        "Split the file (very long generated functions are the usual cause; for an import cycle, "
        "break it by moving the shared helpers into a module of their own), or, if it is generated "
        "code nobody edits, exclude it with `extend-exclude` or ignore AIS005 for it with "
        "`per-file-ignores`."
    )
    invalid = ()
    valid = ()


PARSE_ERROR = ParseError
INCOMPLETE_ANALYSIS = IncompleteAnalysis
UNUSED_SUPPRESSION = UnusedSuppression
# Every code the engine itself emits: none of them is a check of the scanned code on its own, so a
# run that enables only these has no rule enabled.
ENGINE_DIAGNOSTICS = (ParseError, UnusedSuppression, IncompleteAnalysis)


@hookimpl
def aisec_rules() -> list[type[Rule]]:
    return list(ENGINE_DIAGNOSTICS)
