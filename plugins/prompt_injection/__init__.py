"""Prompt-construction rules (AIS2xx): untrusted data in an LLM's instructions, prompts and templates.

The rules read the taint engine's sink flows (`self.taint.sink_flows(call)`); `catalog.py` says
where untrusted data comes from and which argument of which SDK call is instruction context,
user content or a template.
"""

from __future__ import annotations

from aisec.hooks import Rule, TaintCatalog, hookimpl

from .catalog import CATALOG
from .indirect_injection import IndirectInjection
from .instruction_context import UntrustedInstructions
from .spliced_prompt import SplicedPrompt
from .template_injection import TemplateInjection


@hookimpl
def aisec_rules() -> list[type[Rule]]:
    return [UntrustedInstructions, SplicedPrompt, TemplateInjection, IndirectInjection]


@hookimpl
def aisec_taint_catalog() -> TaintCatalog:
    return CATALOG
