"""Taint analysis over libcst: where untrusted data goes within a module.

Built the first time a rule asks (`self.taint` on a rule), once per file, from the module, the
file's `NameTable` and the run's merged `TaintCatalog`; files where no rule asks never pay for it.

The analysis evaluates every unit of the module (the module body, each function and method) over
abstract values (`Value`): the facts a value may carry (untrusted sources, or placeholders for a
function's parameters), plus the structure rules need (list items and dict keys for chat messages,
the constant text for splice detection and role literals, template slots, object types). It is
flow-sensitive within a unit (statements in order, branches joined, narrowing by guards and early
exits) and context-sensitive through function summaries: a function's return value is computed
with placeholder facts for its parameters and substituted at each call site. Summaries, `self`
attributes and module globals are iterated to a fixpoint (bounded rounds; recursion terminates).
Parameters that still carry placeholders at a sink are resolved against the module's call sites
when a rule asks.

Line numbers of sources come from one cheap code-generation pass (no position metadata), done
only when a fact is first handed to a rule.

Layers (a module imports only from layers above it):

- `catalog`: sources, sinks, sanitizers and parameter sources matched by name (the configuration);
- `values`: the abstract domain (facts, `Value`, `join`, bounds); `vocabulary`, `messages`,
  `syntax`: fixed Python/library semantics, chat message shapes, reading nodes; `units`: the
  functions and classes of a module;
- mixins, one job each, that never import one another: `statements`, `guards`, `expressions`,
  `calls`, `library`, `definitions`, `summaries`, `templates`, `sinks`, `facts`;
- `module`: `ModuleTaint`, the fixpoint, and the `aisec.hooks.TaintFacts` protocol rules use.
"""

from .module import ModuleTaint

__all__ = ["ModuleTaint"]
