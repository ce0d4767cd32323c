"""What the AIS3xx rules share: model output (`LLM_OUTPUT` facts) reaching a sink of one of the
rule's roles, reported once per place it enters (the prompt rules' grouping, reused)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import aisec.plugins.prompt_injection.flows as prompt_flows
from aisec.hooks import LLM_OUTPUT, SinkFlow, sinks_marker, sources_marker

from .catalog import NEUTRALISERS

if TYPE_CHECKING:
    import libcst
    from aisec.hooks import TaintFact

call_keyword = prompt_flows.call_keyword


def sink_triggers(roles: tuple[str, ...]) -> tuple[str, ...]:
    """Prefilter triggers: the run's sinks with an argument of one of `roles`."""
    return tuple(sinks_marker(role) for role in roles)


LLM_TRIGGERS = (sources_marker(LLM_OUTPUT),)
"""The run's model-output sources (an LLM call of the catalog, or a team's)."""


class OutputFlowRule(prompt_flows.PromptFlowRule):
    """Base of AIS301-AIS304: model output reaching a sink argument of one of `roles`.

    Triggers: a sink token of the rule's roles, and (a group) an LLM-call token.
    """

    roles: tuple[str, ...] = ()
    cwe = None
    trigger_groups = ((*LLM_TRIGGERS,),)

    def accepts(self, flow: SinkFlow) -> bool:
        if flow.fact.tier != LLM_OUTPUT or flow.role not in self.roles:
            return False
        if set(flow.fact.encoded) & NEUTRALISERS.get(flow.role, frozenset()):
            return False
        return not self._reported_inside(flow)

    def _reported_inside(self, flow: SinkFlow) -> bool:
        """`session.execute(text(sql))`: the inner sink call is where it is reported. A flow
        whose node is the call it belongs to (`fetch(**args)` spreading into a helper's sink) is
        reported there."""
        import libcst

        node = flow.node
        if not isinstance(node, libcst.Call):
            return False
        return any(
            inner.fact.tier == LLM_OUTPUT and inner.role in self.roles and inner.node is not node
            for inner in self.taint.sink_flows(node)
        )

    def message(self, flow: SinkFlow, call: libcst.Call, others: Sequence[TaintFact]) -> str:
        return f"model output from {origin(flow, others)} reaches {flow.target}; {self.advice(flow)}"

    def report_expression(
        self, expr: libcst.BaseExpression, role: str, target: str, what: str, **kwargs: Any
    ) -> None:
        """Report model output in `expr` where no sink call takes it (a view's returned body, a
        namespace key, a code file's text): `what` says what happens to it there."""
        fact = self.taint.origin(expr, [LLM_OUTPUT])
        if fact is None or set(fact.encoded) & NEUTRALISERS.get(role, frozenset()):
            return
        flow = SinkFlow(fact, role, target, expr)
        self.report(
            expr,
            f"model output from {origin(flow)} {what}; {self.advice(flow)}",
            related=prompt_flows.flow_path(flow, [fact]),
            **kwargs,
        )

    def advice(self, flow: SinkFlow) -> str:
        raise NotImplementedError


def origin(flow: SinkFlow, others: Sequence[TaintFact] = ()) -> str:
    """`client.chat.completions.create(...)` (line 12, OpenAI response)"""
    return prompt_flows.source(flow.fact, others)
