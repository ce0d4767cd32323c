"""LLM output handling rules (AIS3xx): model responses reaching code execution, SQL, HTML and
other dangerous sinks (OWASP LLM05, insecure output handling).

The rules read the taint engine's sink flows (`self.taint.sink_flows(call)`) for `LLM_OUTPUT`
facts; `catalog.py` makes every LLM call of the prompt catalog's SDKs a source and lists the sinks
with the role each rule selects.
"""

from __future__ import annotations

from aisec.hooks import Rule, TaintCatalog, hookimpl

from .catalog import CATALOG
from .code_execution import ModelOutputExecuted
from .html_output import ModelOutputAsHtml
from .sql_injection import ModelOutputInSql
from .unsafe_use import ModelOutputUnsafeUse


@hookimpl
def aisec_rules() -> list[type[Rule]]:
    return [ModelOutputExecuted, ModelOutputInSql, ModelOutputAsHtml, ModelOutputUnsafeUse]


@hookimpl
def aisec_taint_catalog() -> TaintCatalog:
    return CATALOG
