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
- `module`: `ModuleTaint`, the fixpoint, and the `aisec.hooks.TaintFacts` protocol rules use;
- across modules: `project` (the project's modules, summarised on first use), `summary` (the
  summary types and their cached form), `export` (a module's analysis as a summary) and the
  `foreign` mixin (calls of other modules' functions).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ModuleTaint"]


def __getattr__(name: str) -> Any:
    """`ModuleTaint` on first use: the engine reads `taint.project` for the prefilter of files
    that never reach libcst, and `module` imports libcst."""
    if name == "ModuleTaint":
        from .module import ModuleTaint

        return ModuleTaint
    raise AttributeError(name)
