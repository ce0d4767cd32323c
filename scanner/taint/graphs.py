"""LangGraph state graphs: the node functions a module adds to a `StateGraph` run when the compiled
graph is invoked, each with the state: the invocation's input and what the nodes return.

`builder.add_node("respond", respond)` (or `add_node(respond)`) records `respond`;
`graph.invoke({"question": q})` (also `ainvoke`, `stream`, `astream`) calls every node
with the input, then again with the input and every node's update (one node's answer is the next
node's state), and returns that merged state. Which edges connect the nodes is not read: any node
may follow any other.

May import: the lower layers, never another mixin."""

from __future__ import annotations

import libcst as cst

from .units import Function
from .values import Value, join_all, make_container

_GRAPHS = ("langgraph.graph.StateGraph", "langgraph.graph.state.StateGraph", "langgraph.graph.MessageGraph")
_RUNS = frozenset({"invoke", "ainvoke", "stream", "astream"})


class GraphRuns:
    """State-graph nodes and runs (mixed into `ModuleTaint`)."""

    def _graph_node(self, names: list[str], args: list) -> None:
        """`StateGraph.add_node(name, fn)` / `add_node(fn)`: `fn` is a node of the module's graphs."""
        if not any(name in (f"{graph}.add_node" for graph in _GRAPHS) for name in names):
            return
        for arg, value in args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword in (None, "node", "action") and isinstance(value.ref, Function):
                self._graph_nodes.setdefault(value.ref.index, value.ref)

    def _graph_run(self, node: cst.Call, names: list[str], args: list) -> Value | None:
        """`graph.invoke(state)` of a compiled state graph: every node runs with the state."""
        method = names[0].rsplit(".", 1)[-1] if names else ""
        if method not in _RUNS:
            return None
        nodes = self._read("graph", None, tuple(self._graph_nodes.values()))
        if not nodes:
            return None
        if not any(name.startswith(f"{graph}.compile.") for name in names for graph in _GRAPHS):
            return None
        given = next(((arg, value) for arg, value in args if arg.keyword is None and not arg.star), None)
        if given is None:
            return None
        arg, state = given
        updates = [self._call_local(func, [(arg, state)], None, node) for func in nodes]
        merged = join_all([state, *_entries(updates)])
        updates = [self._call_local(func, [(arg, merged)], None, node) for func in nodes]
        return join_all([merged, *_entries(updates)])


def _entries(updates: list[Value]) -> list[Value]:
    """The state entries the nodes' returned dicts set (`{"command": text}`), nothing else."""
    return [make_container(frozenset(), None, update.keys) for update in updates if update.keys]
