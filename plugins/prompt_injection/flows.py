"""What the AIS2xx rules share: visit calls, take the taint engine's sink flows, report each place
where untrusted data enters a prompt once, naming every source (most severe first), with the path
as related locations: each source, each helper call it passed through, the sink."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from aisec.hooks import (
    CLI,
    INDIRECT,
    INPUT,
    INSTRUCTION,
    MESSAGE,
    MESSAGES,
    REMOTE,
    TEMPLATE,
    USER,
    Confidence,
    Rule,
    Severity,
    SinkFlow,
    TaintFact,
    cst,
    sinks_marker,
    sources_marker,
)

if TYPE_CHECKING:
    import libcst


class PromptFlowRule(Rule):
    """Base of the prompt-construction rules: subclasses choose flows and word the finding."""

    # a prompt sink and an untrusted source of the run's taint catalog must both be spelled in the
    # module (other rule families' sinks and model-output sources do not count)
    triggers = tuple(sinks_marker(role) for role in (INSTRUCTION, USER, TEMPLATE, MESSAGES, INPUT, MESSAGE))
    trigger_groups = (tuple(sources_marker(tier) for tier in (REMOTE, INDIRECT, CLI)),)
    cwe = "CWE-1427"

    def accepts(self, flow: SinkFlow) -> bool:
        raise NotImplementedError

    def message(self, flow: SinkFlow, call: libcst.Call, others: Sequence[TaintFact]) -> str:
        """The finding's text; `others` are the other sources reaching the same place. `call`
        may also be a printf-style `%` operation (a format string's flow)."""
        raise NotImplementedError

    def severity_of(self, flow: SinkFlow) -> Severity | None:
        return None

    def confidence_of(self, flow: SinkFlow) -> Confidence | None:
        return None

    def visit_Call(self, node: libcst.Call) -> None:
        self._report_flows(node)

    def visit_BinaryOperation(self, node: libcst.BinaryOperation) -> None:
        if isinstance(node.operator, cst.Modulo):  # printf-style formatting: `template % (...)`
            self._report_flows(node)

    def _report_flows(self, node: libcst.Call | libcst.BinaryOperation) -> None:
        # one finding per place the data enters and per sink it reaches there: two sinks inside
        # one helper are two problems, each with its own fix
        groups: dict[tuple[int, int], list[SinkFlow]] = {}
        for flow in self.taint.sink_flows(node):  # most severe source first
            if self.accepts(flow):
                groups.setdefault((id(flow.node), id(flow.sink_node)), []).append(flow)
        for flows in groups.values():
            first = flows[0]
            facts = list({(f.fact.description, f.fact.line): f.fact for f in flows}.values())
            self.report(
                first.node,
                self.message(first, node, facts[1:]),
                severity=self.severity_of(first),
                confidence=self.confidence_of(first),
                related=flow_path(first, facts),
            )


def source(fact: TaintFact, others: Sequence[TaintFact] = ()) -> str:
    """`request.form["bio"]` (line 12, Flask request data) and `request.form["name"]` (line 13, ...)"""
    texts = [_one_source(f) for f in (fact, *others)]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} and {texts[-1]}"


def _one_source(fact: TaintFact) -> str:
    text = fact.description if "`" in fact.description else f"`{fact.description}`"
    details = [f"line {fact.line}"] if fact.line else []
    if fact.label:
        details.append(fact.label)
    return f"{text} ({', '.join(details)})" if details else text


def flow_path(flow: SinkFlow, facts: Sequence[TaintFact]) -> list[tuple[Any, str]]:
    """(node, what happens there) from each source through the helper calls it passed to the
    sink: the finding's related locations. A chat message built by one statement and sent by
    another has both on the path: a `{"role": ...}` dict as a step before the send (the sink), a
    message object (`SystemMessage(...)`, reported where built) as a step before the call that
    sends it (`sink_node`)."""
    import libcst

    path: list[tuple[Any, str]] = []
    seen: set[int] = set()
    for fact in facts:
        if fact.node is not None:
            path.append((fact.node, f"source: {_one_source(fact)}"))
        for step in fact.steps:
            if id(step) not in seen:
                seen.add(id(step))
                if isinstance(step, libcst.Dict):  # a `{"role": ...}` message sent by a later statement
                    path.append((step, "passes through the message built here"))
                    continue
                callee = (
                    libcst.Module([]).code_for_node(step.func) if isinstance(step, libcst.Call) else "a call"
                )
                path.append((step, f"passes through `{callee}()`"))
    if flow.remote:  # the sink is in another module: the call here hands the data over
        path.append((flow.node, "passes to another module of the project"))
        path += [(step.location, step.message) for step in flow.remote]
    else:
        path.append((flow.sink_node if flow.sink_node is not None else flow.node, f"sink: {flow.target}"))
    return path


def direct(flow: SinkFlow) -> bool:
    """Remote or command-line data (indirect content is AIS204's)."""
    return flow.fact.tier in (REMOTE, CLI)


ASSISTANT_ROLES = frozenset({"assistant", "ai", "model", "chatbot", "bot"})


def forged_turn(flow: SinkFlow) -> bool:
    """Data in an assistant-like message (a turn the model takes for its own words)."""
    return flow.message_role in ASSISTANT_ROLES


def tier_severity(flow: SinkFlow, remote: Severity) -> Severity:
    """The rule's severity for remote data; command-line input (the operator's own) is low."""
    return remote if flow.fact.tier == REMOTE else Severity.LOW


def call_keyword(call: Any, name: str) -> Any:
    for arg in getattr(call, "args", ()):  # none for printf-style `%` formatting
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None
