"""ACME's team rules for aisec: written against `aisec.hooks` only, like any third-party plugin."""

from __future__ import annotations

from aisec.hooks import Example, Rule, Severity, hookimpl


class AcmeLoadArtifact(Rule):
    code = "ACME001"
    name = "acme-load-artifact"
    summary = "acme.models.load_artifact unpickles model files"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("acme",)
    description = "Calls to `acme.models.load_artifact`, which unpickles the artifact it loads."
    rationale = "A tampered artifact runs code when it is loaded."
    remediation = "Use `acme.models.load_safetensors`."
    invalid = (
        "import acme.models\nmodel = acme.models.load_artifact('m.bin')\n",
        "from acme.models import load_artifact as la\nmodel = la('m.bin')\n",
        Example("from acme import models\nmodels.load_artifact(a)\nmodels.load_artifact(b)\n", expect=2),
    )
    valid = (
        "import acme.models\nmodel = acme.models.load_safetensors('m.safetensors')\n",
        "def load_artifact(path):\n    return path\n\nload_artifact('acme.bin')\n",
    )

    def visit_Call(self, node):
        if self.names.qualified(node.func) == "acme.models.load_artifact":
            self.report(node, "acme.models.load_artifact unpickles the file; use load_safetensors")


@hookimpl
def aisec_rules():
    return [AcmeLoadArtifact]
