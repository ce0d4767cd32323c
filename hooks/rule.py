"""The `Rule` base class: plain Python, so loading rules never imports libcst.

A rule declares its metadata as class attributes and implements libcst visitor methods
(`visit_Call`, `leave_FunctionDef`, ...). The engine collects those method names once per rule
class and dispatches every node of a single shared traversal to them.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Sequence

from .types import Applicability, Confidence, Example, Fix, Severity

if TYPE_CHECKING:
    from .context import ArgHelper, FixHelper, NameResolver, ProjectInfo, RuleContext
    from .taint import TaintFacts

CODE_PATTERN = re.compile(r"^[A-Z]{2,8}[0-9]{3,4}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Rule:
    """Base class of every rule, built-in or a team's.

    Required: `code`, `name`, `summary` and the doc sections `description`, `rationale`,
    `remediation`; `valid` and `invalid` examples (they are the rule's tests and its doc
    examples). `triggers` are substrings: if none occurs in a file's text, the rule cannot fire
    there and the file is not parsed for it. An empty `triggers` means "always run".

    `trigger_groups` narrows that further for rules that need several things in one module: each
    group is a tuple of substrings and *every* group must have at least one of them in the text
    (on top of `triggers`). A taint rule needs a source and a sink in the same module:
    `triggers = (TAINT_SINKS,)` and `trigger_groups = ((TAINT_SOURCES,),)`, where the markers
    from `aisec.hooks` stand for the tokens of every sink / source of the run's merged taint
    catalog (so a team's catalog entries count too). Triggers and groups may mix markers and
    plain substrings.

    `identifier_groups` is `trigger_groups` for words the rule only ever reads from identifiers
    (keyword-argument names, components of the qualified names it reports): every group must
    have one of its words as a whole identifier of the module, or a whole component of a dotted
    import path, never inside a string, comment or longer name. The engine checks them on the
    `ast` tree before libcst parses the file (`aisec.identifiers`); `aisec.testing.assert_examples`
    checks that every `invalid` example passes them.

    `qualified_names` are `fnmatch` patterns (`*` also matches dots) of every callee a rule can
    report on, e.g. `("pickle.load", "pickle.loads")` or `("*.from_pretrained",
    "transformers.pipeline")`. After the trigger check the engine runs a cheap `ast` pass over
    the file (`aisec.screen`) that computes candidate names for every call, and keeps the rule
    only when a pattern matches one of them; libcst does not parse a file no rule is left for.
    Empty (the default) means the rule does not take part in that screen and runs whenever its
    triggers pass. The contract, for a rule that declares patterns:

    - it reports only on `Call` nodes (from `visit_Call`/`leave_Call`, however it gets there),
      or on a function passed uncalled to a call (a `Name`/`Attribute` argument, or an item of a
      list/tuple/set/dict argument: `register(pickle.loads)`) whose resolved name a pattern
      matches;
    - for every call it can report, if `self.names.qualified(call.func)` (or one of
      `self.names.candidates(call.func)`, see `qualified_name`) can be X, some pattern matches X; if it reports a call whose name is None (unresolved), some pattern matches the
      callee as written, with calls dropped and a root that is not a name spelled `?`
      (`get_cls().from_pretrained` -> `get_cls.from_pretrained`, `MODELS[a].from_pretrained`
      -> `?.from_pretrained`): `*.from_pretrained` covers both.

    The screen computes a superset of the names the name table can give each call (every
    binding of a name in any scope, aliases followed), so these patterns are all it needs;
    `aisec.testing.assert_examples` checks that every `invalid` example passes it.

    `qualified_names_with` maps a word to some of those patterns that the rule reports only in a
    module whose text spells the word (AIS110 reports a call into `langchain*` only when it passes
    `allow_dangerous_deserialization=`): the screen leaves them out in any other module.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MEDIUM
    confidence: ClassVar[Confidence] = Confidence.HIGH
    cwe: ClassVar[str | None] = None
    triggers: ClassVar[tuple[str, ...]] = ()
    trigger_groups: ClassVar[tuple[tuple[str, ...], ...]] = ()
    identifier_groups: ClassVar[tuple[tuple[str, ...], ...]] = ()
    qualified_names: ClassVar[tuple[str, ...]] = ()
    qualified_names_with: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    fix_applicability: ClassVar[Applicability | None] = None
    enabled_by_default: ClassVar[bool] = True

    # Documentation sections (Markdown). The doc page and `aisec explain` are built from these.
    description: ClassVar[str] = ""
    rationale: ClassVar[str] = ""
    remediation: ClassVar[str] = ""
    fix_safety: ClassVar[str] = ""
    options_doc: ClassVar[str] = ""
    references: ClassVar[tuple[str, ...]] = ()

    # Every option the rule takes, with its default: `[tool.aisec.rule-options.CODE]` may set only
    # these keys, each to a value of its default's type (a config error otherwise); document them
    # in `options_doc`.
    default_options: ClassVar[Mapping[str, Any]] = {}
    valid: ClassVar[Sequence[str | Example]] = ()
    invalid: ClassVar[Sequence[str | Example]] = ()

    def __init__(self, context: RuleContext) -> None:
        self.context = context
        self.path: str = context.path
        self.names: NameResolver = context.names
        self.args: ArgHelper = context.args
        self.fixes: FixHelper = context.fixes
        self.project: ProjectInfo = context.project
        self.options: Mapping[str, Any] = context.options_for(self.code)

    def qualified_name(self, node: Any) -> str | None:
        """The qualified name of `node` this rule judges: `self.names.qualified(node)`, except
        for a name bound on several paths (`try: import torch` / `except ImportError: import
        torch_npu as torch`), which may be any of them when the code runs: then the first of its
        `names.candidates` that one of this rule's `qualified_names` patterns matches."""
        candidates = self.names.candidates(node)
        if len(candidates) > 1:
            for candidate in candidates:
                if any(fnmatchcase(candidate, pattern) for pattern in self.qualified_names):
                    return candidate
        return candidates[0] if candidates else None

    @property
    def taint(self) -> TaintFacts:
        """Dataflow facts for this file (`aisec.hooks.TaintFacts`), computed on first use."""
        return self.context.taint

    def report(
        self,
        node: Any,
        message: str,
        *,
        fix: Fix | None = None,
        severity: Severity | None = None,
        confidence: Confidence | None = None,
        artifact: Mapping[str, Any] | None = None,
        related: Sequence[tuple[Any, str]] = (),
    ) -> None:
        """Report a finding at `node`; `severity`/`confidence` override the rule's defaults.

        `artifact` (`{"path": ..., "member": ...}`) reports a problem *in a model file* that the
        code at `node` loads: the finding's location becomes the artifact, and the code location
        is kept as `artifact["referenced_from"]` (suppressions still apply at the code).

        `related` are (node, what happens there) pairs of this module in path order, e.g. a
        flow's source, the helpers it passes through and the sink (`Finding.related`).

        A call whose callee (or a reference that) rests on a module the file never imports
        (`pickle.loads(x)` in a snippet) is reported at low confidence.
        """
        # a call's callee, or a function passed uncalled (`register(pickle.loads)`)
        callee = getattr(node, "func", node if type(node).__name__ in ("Name", "Attribute") else None)
        assumed = getattr(self.names, "assumed_import", None)
        if callee is not None and assumed is not None and assumed(callee):
            confidence = Confidence.LOW
        self.context.add_report(
            self,
            node,
            message,
            fix=fix,
            severity=severity,
            confidence=confidence,
            artifact=artifact,
            related=tuple(related),
        )

    @classmethod
    def examples(cls, kind: str) -> list[Example]:
        """`valid` or `invalid` examples, strings normalised to `Example` objects."""
        raw = cls.valid if kind == "valid" else cls.invalid
        return [item if isinstance(item, Example) else Example(item) for item in raw]

    @classmethod
    def metadata_problems(cls) -> list[str]:
        """What is missing or malformed in the class's declaration (checked at load time)."""
        problems = []
        code = getattr(cls, "code", None)
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            problems.append(f"code {code!r} must look like 'ACME001' (2-8 capitals, 3-4 digits)")
        name = getattr(cls, "name", None)
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            problems.append(f"name {name!r} must be kebab-case")
        if not isinstance(cls.severity, Severity):
            problems.append("severity must be an aisec.hooks.Severity")
        if not isinstance(cls.confidence, Confidence):
            problems.append("confidence must be an aisec.hooks.Confidence")
        if isinstance(cls.triggers, str):
            problems.append("triggers must be a tuple of strings, not one string")
        groups = cls.trigger_groups
        if isinstance(groups, str) or not all(
            isinstance(group, (tuple, list)) and group and all(isinstance(t, str) and t for t in group)
            for group in groups
        ):
            problems.append("trigger_groups must be a tuple of non-empty tuples of strings")
        words = cls.identifier_groups
        if isinstance(words, str) or not all(
            isinstance(group, (tuple, list))
            and group
            and all(isinstance(w, str) and w.isidentifier() for w in group)
            for group in words
        ):
            problems.append("identifier_groups must be a tuple of non-empty tuples of identifiers")
        names = cls.qualified_names
        if isinstance(names, str) or not all(isinstance(name, str) and name for name in names):
            problems.append("qualified_names must be a tuple of non-empty strings (fnmatch patterns)")
        conditions = cls.qualified_names_with
        if not isinstance(conditions, Mapping) or not all(
            isinstance(word, str) and word and not isinstance(patterns, str) and set(patterns) <= set(names)
            for word, patterns in conditions.items()
        ):
            problems.append("qualified_names_with must map non-empty words to patterns of qualified_names")
        return problems
