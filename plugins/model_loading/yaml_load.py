"""AIS105: YAML loading that can construct arbitrary Python objects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from aisec.hooks import Applicability, Confidence, Example, Rule, Severity, cst

from .references import ReportsReferences, referenced

if TYPE_CHECKING:
    import libcst

_LOADER_MODULES = ("yaml", "yaml.loader", "yaml.cyaml")
SAFE_LOADERS = frozenset(
    f"{module}.{name}"
    for module in _LOADER_MODULES
    for name in ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
) | frozenset(
    {"ruamel.yaml.SafeLoader", "ruamel.yaml.BaseLoader", "ruamel.yaml.CSafeLoader", "ruamel.yaml.CBaseLoader"}
)
UNSAFE_LOADERS = frozenset(
    f"{module}.{name}"
    for module in _LOADER_MODULES
    for name in ("Loader", "UnsafeLoader", "FullLoader", "CLoader", "CUnsafeLoader", "CFullLoader")
) | frozenset({"ruamel.yaml.Loader", "ruamel.yaml.UnsafeLoader", "ruamel.yaml.RoundTripLoader"})
# Functions that take a Loader (argument 2): loader decides.
LOADER_FUNCTIONS = {
    "yaml.load": "safe_load",
    "yaml.load_all": "safe_load_all",
    "ruamel.yaml.load": None,
    "ruamel.yaml.load_all": None,
}
# Functions that are unsafe whatever the arguments -> their safe replacement.
ALWAYS_UNSAFE = {
    "yaml.unsafe_load": "safe_load",
    "yaml.unsafe_load_all": "safe_load_all",
    "yaml.full_load": "safe_load",
    "yaml.full_load_all": "safe_load_all",
    "ruamel.yaml.unsafe_load": None,
    "ruamel.yaml.unsafe_load_all": None,
}
_FULL = {"yaml.full_load", "yaml.full_load_all"}


class YamlLoad(ReportsReferences, Rule):
    code = "AIS105"
    name = "yaml-unsafe-load"
    summary = "YAML loaded with a loader that can construct arbitrary Python objects"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("yaml",)
    qualified_names = (*ALWAYS_UNSAFE, *LOADER_FUNCTIONS, "ruamel.yaml.YAML")
    fix_applicability = Applicability.UNSAFE
    description = (
        "PyYAML `yaml.load` / `yaml.load_all` without a safe `Loader` (by keyword or position), "
        "`yaml.unsafe_load(_all)` and `yaml.full_load(_all)`; loaders `Loader`, `UnsafeLoader`, "
        "`FullLoader` and their `C*` variants are unsafe, `SafeLoader`, `CSafeLoader`, "
        "`BaseLoader` and `CBaseLoader` (and project classes derived from them in the same file) "
        "are safe. Also ruamel.yaml's `YAML(typ='unsafe')` and its old `load` API. A Loader aisec "
        "cannot resolve is reported at medium severity and low confidence. A loader passed uncalled "
        "to another function (`dict(loader=yaml.unsafe_load)`, `map(yaml.full_load, files)`) or "
        "given as a parameter's default (`def parse(text, decode=yaml.unsafe_load)`) is "
        "reported at the reference (medium confidence unless the receiver is `map`/`partial`/an "
        "executor); `yaml.load` passed that way is medium severity, low confidence (the Loader is "
        "chosen where it is called)."
    )
    rationale = (
        "The unsafe loaders honour `!!python/object/apply:` tags, so a YAML config, model card or "
        "pipeline file can call any Python function (`os.system`) while it is parsed. "
        "`FullLoader` refuses the worst tags but has had bypasses (CVE-2020-14343)."
    )
    remediation = "Use `yaml.safe_load` / `yaml.safe_load_all` (or `Loader=yaml.SafeLoader`); with ruamel, `YAML(typ='safe')`."
    fix_safety = (
        "The fix rewrites the call to `yaml.safe_load(stream)` / `yaml.safe_load_all(stream)`. "
        "It is unsafe (applied only with `--unsafe-fixes`): documents that rely on `!!python/*` tags "
        "stop loading, which is the point, but it changes behaviour."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation",
        "https://nvd.nist.gov/vuln/detail/CVE-2020-14343",
    )
    invalid = (
        Example("import yaml\n\nparse = lambda text, decode=yaml.unsafe_load: decode(text)\n", expect=1),
        "import yaml\n\nwith open('pipeline.yaml') as f:\n    cfg = yaml.load(f, Loader=yaml.Loader)\n",
        "import yaml\ncfg = yaml.load(stream)\n",
        "import yaml\ndocs = list(yaml.load_all(stream, yaml.UnsafeLoader))\n",
        "import yaml\ncfg = yaml.unsafe_load(text)\n",
        "import yaml\nparsers = dict(loader=yaml.load)\n",
        "import yaml\ndocs = list(map(yaml.unsafe_load, texts))\n",
        "import yaml as y\ncfg = y.full_load(text)\n",
        "from yaml import load, CLoader\ncfg = load(text, Loader=CLoader)\n",
        "from yaml import FullLoader\nimport yaml\ncfg = yaml.load(text, FullLoader)\n",
        "from ruamel.yaml import YAML\nparser = YAML(typ='unsafe')\n",
        Example("import yaml\ncfg = yaml.load(text, Loader=pick_loader())\n", expect=1),
        "import yaml\n\ndef read(path):\n    return yaml.full_load_all(open(path))\n",
    )
    valid = (
        "import yaml\n\n\ndef parse(text, decode=yaml.safe_load):\n    return decode(text)\n",
        "import yaml\n\nwith open('pipeline.yaml') as f:\n    cfg = yaml.safe_load(f)\n",
        "import yaml\ncfg = yaml.load(stream, Loader=yaml.SafeLoader)\n",
        "import yaml\ncfg = yaml.load(stream, yaml.CSafeLoader)\n",
        "from yaml import load, BaseLoader\ncfg = load(text, Loader=BaseLoader)\n",
        "import yaml\n\nclass ConfigLoader(yaml.SafeLoader):\n    pass\n\ncfg = yaml.load(text, Loader=ConfigLoader)\n",
        "from ruamel.yaml import YAML\nyaml = YAML(typ='rt')\ndata = yaml.load('thing.yaml')\n",
        "import json\ncfg = json.load(f)\n",
        "from yaml import safe_load\n\nif fast:\n    dst = safe_load(text)\nelse:\n    dst = {}\ndiff(dst, src)\n",
        "import yaml\nparsers = dict(loader=yaml.safe_load, dumper=yaml.dump)\nok = callable(yaml.load)\n",
        "import yaml\ntext = yaml.dump(cfg)\n# yaml.load(x) is banned here\n",
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._safe_local_loaders: set[str] = set()

    def visit_ClassDef(self, node: libcst.ClassDef) -> None:
        for base in node.bases:
            if self.names.qualified(base.value) in SAFE_LOADERS:
                self._safe_local_loaders.add(node.name.value)

    def visit_Call(self, node: libcst.Call) -> None:
        self._check_references(node)
        qualified = self.qualified_name(node.func)
        if not qualified:
            return
        if qualified in ALWAYS_UNSAFE:
            severity = Severity.MEDIUM if qualified in _FULL else None
            self.report(
                node,
                f"`{qualified}` can construct arbitrary Python objects from the document; use yaml.safe_load",
                severity=severity,
                fix=self._fix(node, ALWAYS_UNSAFE[qualified]),
            )
        elif qualified in LOADER_FUNCTIONS:
            self._check_loader(node, qualified)
        elif qualified == "ruamel.yaml.YAML":
            typ = self.args.get(node, "typ", 0)
            if typ is not None and self.args.constant(typ.value) == "unsafe":
                self.report(
                    node,
                    "ruamel.yaml `YAML(typ='unsafe')` constructs arbitrary Python objects; use typ='safe'",
                )

    def _check_references(self, node: libcst.Call) -> None:
        """A loader passed uncalled (`dict(loader=yaml.load)`, `map(yaml.unsafe_load, files)`)."""
        self._report_references(referenced(self, node))

    def _report_references(self, found: Iterable[tuple[Any, str, Any]]) -> None:
        for expr, target, confidence in found:
            if target in ALWAYS_UNSAFE:
                self.report(
                    expr,
                    f"`{target}` passed here to be called later: it can construct arbitrary Python "
                    "objects from the document; pass yaml.safe_load",
                    severity=Severity.MEDIUM if target in _FULL else None,
                    confidence=confidence,
                )
            elif target in LOADER_FUNCTIONS:
                self.report(
                    expr,
                    f"`{target}` passed here to be called later, with a Loader aisec cannot see; "
                    "pass yaml.safe_load",
                    severity=Severity.MEDIUM,
                    confidence=Confidence.LOW,
                )

    def _check_loader(self, node: libcst.Call, qualified: str) -> None:
        loader_arg = self.args.get(node, "Loader", 1)
        replacement = LOADER_FUNCTIONS[qualified]
        if loader_arg is None:
            if self.args.has_star_kwargs(node):
                return
            self.report(
                node,
                f"`{qualified}` without a Loader uses an unsafe default on older versions; use yaml.safe_load",
                fix=self._fix(node, replacement),
            )
            return
        loader = self.names.qualified(loader_arg.value)
        if loader in SAFE_LOADERS:
            return
        if isinstance(loader_arg.value, cst.Name) and loader_arg.value.value in self._safe_local_loaders:
            return
        if loader in UNSAFE_LOADERS:
            self.report(
                node,
                f"`{qualified}` with `{loader.rsplit('.', 1)[-1]}` constructs arbitrary Python objects; use yaml.safe_load",
                fix=self._fix(node, replacement),
            )
        else:
            self.report(
                node,
                f"`{qualified}` with a Loader aisec cannot resolve; make sure it derives from yaml.SafeLoader",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
            )

    def _fix(self, node: libcst.Call, replacement: str | None) -> Any:
        """`yaml.load(x, Loader=...)` -> `yaml.safe_load(x)`, keeping the user's module alias."""
        if replacement is None or not isinstance(node.func, cst.Attribute) or not node.args:
            return None
        stream = node.args[0]
        if stream.keyword is not None or stream.star:
            return None
        new_func = node.func.with_changes(attr=cst.Name(replacement))
        return self.fixes.replace_node(
            node,
            node.with_changes(func=new_func, args=[_only_argument(stream, node.args[-1])]),
            title=f"Use `{replacement}`",
        )


def _only_argument(stream: libcst.Arg, last: libcst.Arg) -> libcst.Arg:
    """The stream argument as the call's only argument, keeping a comment after it.

    On one line the comma goes (`safe_load(s)`); in a one-argument-per-line call the comma stays,
    with the stream's own comment and the layout the closing parenthesis had after the last
    argument.
    """
    comma = stream.comma
    if not isinstance(comma, cst.Comma) or not isinstance(
        comma.whitespace_after, cst.ParenthesizedWhitespace
    ):
        return stream.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    closing = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else None
    if stream is last or not isinstance(closing, cst.ParenthesizedWhitespace):
        return stream
    layout = closing.with_changes(first_line=comma.whitespace_after.first_line)
    return stream.with_changes(comma=comma.with_changes(whitespace_after=layout))
