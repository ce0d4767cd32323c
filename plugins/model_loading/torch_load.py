"""AIS102: `torch.load` that may unpickle arbitrary objects, and `torch.package`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from aisec.hooks import Applicability, Confidence, Example, Rule, Severity

from .references import ReportsReferences, partial_target, referenced

if TYPE_CHECKING:
    import libcst

LOADERS = frozenset({"torch.load", "torch.serialization.load"})
PACKAGE_IMPORTERS = frozenset(
    {"torch.package.PackageImporter", "torch.package.package_importer.PackageImporter"}
)
SAFE_DEFAULT_FROM = "2.6"
_NEW_TORCH = f"project requires torch>={SAFE_DEFAULT_FROM} where weights_only defaults to True"
_OLD_TORCH = f"the project admits torch<{SAFE_DEFAULT_FROM}, where weights_only defaults to False"
_UNDECLARED = (
    f"the project declares no torch version, so the installed torch decides: >={SAFE_DEFAULT_FROM} "
    "defaults to weights_only=True, older versions to False"
)

_PYPROJECT_NEW = '[project]\nname = "app"\ndependencies = ["torch>=2.6", "numpy"]\n'
_PYPROJECT_OLD = '[project]\nname = "app"\ndependencies = ["torch>=2.1,<2.6"]\n'


class TorchLoadUnsafe(ReportsReferences, Rule):
    code = "AIS102"
    name = "torch-load-unsafe"
    summary = "`torch.load` without `weights_only=True` (full unpickling), and `torch.package` importers"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("torch",)
    qualified_names = tuple(sorted(LOADERS | PACKAGE_IMPORTERS))
    fix_applicability = Applicability.UNSAFE
    description = (
        "`torch.load` (also spelled `torch.serialization.load`) called without `weights_only=True`, "
        "with `weights_only=False`, or with a `pickle_module` (by keyword or as the third positional "
        "argument). Severity depends on the scanned project's declared torch requirement "
        "(`pyproject.toml` PEP 621 dependencies and optional dependencies, Poetry, "
        "`requirements*.txt`): when every admitted version is >= 2.6, where `weights_only` defaults "
        "to True, an omitted argument is **info** (nothing to change; the message names the "
        "environment variable that would turn the default off); otherwise it is **high**, and the "
        "message says which case applied: the declared torch admits versions before 2.6 "
        "(`torch>2.5` admits 2.5.1), or no torch requirement is declared, so the installed torch "
        "decides. "
        "`weights_only=False` and a `pickle_module` are always high. `functools.partial(torch.load, "
        "...)` is judged by the keywords it binds (no fix); `torch.load` passed uncalled to `map` "
        "or a pool's or executor's `map`/`submit` is called without `weights_only`; passed to any "
        "other function (`Trainer(callbacks=[torch.load])`, `register(torch.load)`) or given as a "
        "parameter's default (`def restore(path, loader=torch.load)`) it may be, "
        "and is reported at medium confidence (not to `isinstance`, `functools.wraps`, ...). "
        "A `weights_only` value that is "
        "not a literal, or an omitted one next to `**kwargs`, is medium with low confidence. "
        "Also `torch.package.PackageImporter` (high), which unpickles the package's objects and "
        "imports the code shipped inside it. Canonical names: "
        + ", ".join(f"`{name}`" for name in sorted(LOADERS | PACKAGE_IMPORTERS))
        + "."
    )
    rationale = (
        "Without `weights_only=True`, `torch.load` is `pickle.load`: a checkpoint downloaded from a "
        "hub, a bucket or a colleague can run any code while it is loaded, before a single tensor "
        "is used. `weights_only=True` restricts the unpickler to tensors, primitive containers and "
        "an allowlist of types. Torch 2.6 made it the default, but only for projects that actually "
        "run 2.6+, and the environment variable `TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD` turns the default "
        "off again, so an explicit `weights_only=True` is still worth writing. A custom "
        "`pickle_module` (dill, cloudpickle) disables the restriction altogether. Before 2.6 even "
        "`weights_only=True` could be bypassed (CVE-2025-32434), so also require torch>=2.6."
    )
    remediation = (
        "Pass `weights_only=True` and load a `state_dict` into a model you construct in code; "
        "register extra types with `torch.serialization.add_safe_globals` rather than turning the "
        "restriction off. Better still, store weights as safetensors (`safetensors.torch.load_file`). "
        "For `torch.package`, only import packages you built yourself."
    )
    fix_safety = (
        "The fix adds `weights_only=True`. It is **safe** when the project requires torch >= 2.6 "
        "(the argument is already the default there, so nothing changes) and **unsafe** otherwise: "
        "a checkpoint that pickles whole modules or custom classes stops loading. No fix is offered "
        "for `weights_only=False`, a non-literal value, a `pickle_module`, `*args` or `**kwargs`."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://pytorch.org/docs/stable/generated/torch.load.html",
        "https://pytorch.org/docs/stable/notes/serialization.html#weights-only",
        "https://github.com/pytorch/pytorch/security/advisories/GHSA-53q9-r3pm-6pq6",
    )
    invalid = (
        Example(
            "import torch\n\n\ndef restore(path, loader=torch.load):\n    return loader(path)\n", expect=1
        ),
        "import torch\n\nmodel = torch.load('checkpoint.pt', map_location='cpu')\n",
        "import torch\ntrainer = Trainer(callbacks=[torch.load])\n",
        "import torch as t\nLOADERS = dict(pt=t.load)\n",
        # a name bound on several paths may be torch: the later branch does not hide it
        "try:\n    import torch\nexcept ImportError:\n    import torch_npu as torch\nstate = torch.load(path)\n",
        "import torch\nif use_npu:\n    import torch_npu as torch\nstate = torch.load(path)\n",
        "import torch as t\nstate = t.load(path, weights_only=False)\n",
        "from torch import load as tl\nstate = tl(path)\n",
        "import torch\nimport dill\nmodel = torch.load(path, pickle_module=dill)\n",
        "import torch\nimport dill\nmodel = torch.load(path, None, dill, weights_only=False)\n",
        "import torch.serialization\nobj = torch.serialization.load(buffer)\n",
        "import torch\nloader = torch\nobj = loader.load(path)\n",
        Example(
            "import functools\nimport torch\nload = functools.partial(torch.load, weights_only=False)\n",
            expect=1,
        ),
        Example("import torch\nshards = list(map(torch.load, shard_paths))\n", expect=1),
        Example(
            "try:\n    import torch\nexcept ImportError:\n    torch = None\n\n"
            "def restore(path):\n    return torch.load(path)\n",
            expect=1,
        ),
        "def restore(path):\n    import torch\n    return torch.load(path)\n",
        Example("import torch\nstate = torch.load(path, weights_only=args.safe)\n", expect=1),
        Example("import torch\nstate = torch.load(path, **load_kwargs)\n", expect=1),
        "from torch.package import PackageImporter\nimporter = PackageImporter('model.pt')\n",
        Example(
            "import torch\nstate = torch.load(path)\n", files={"pyproject.toml": _PYPROJECT_NEW}, expect=1
        ),
        Example(
            "import torch\nstate = torch.load(path)\n", files={"pyproject.toml": _PYPROJECT_OLD}, expect=1
        ),
        Example(
            "import torch\nstate = torch.load(path, weights_only=False)\n",
            files={"pyproject.toml": _PYPROJECT_NEW},
            expect=1,
        ),
        Example(
            "import torch\nstate = torch.load(path)\n", files={"requirements.txt": "torch>2.5\n"}, expect=1
        ),
    )
    valid = (
        "import functools\n\nimport torch\n\n\ndef restore(path, loader=functools.partial(torch.load, weights_only=True)):\n    return loader(path)\n",
        "import torch\nregister(torch.save)\nhelp_text = repr(torch.load)\n",
        "import functools\nimport torch\nregister(functools.partial(torch.load, weights_only=True))\n",
        "try:\n    import torch\nexcept ImportError:\n    import torch_npu as torch\n"
        "state = torch.load(path, weights_only=True)\n",
        "import torch\nimport safetensors.torch as torch\nstate = torch.load(path)\n",
        "import torch\n\nstate = torch.load('checkpoint.pt', map_location='cpu', weights_only=True)\nmodel.load_state_dict(state)\n",
        "import torch as t\nstate = t.load(path, weights_only=True)\n",
        "import json\nconfig = json.load(open('config.json'))\n",
        "def load(path):\n    return open(path, 'rb').read()\n\nblob = load('weights.bin')\n",
        "import torch\nmodel.load_state_dict(state)\ntorch.save(model.state_dict(), 'out.pt')\n",
        "import numpy as np\narr = np.load(path)\n",
        "import pickle\nblob = pickle.dumps(obj)\n",
        "# torch.load(path) would be unsafe here\ndoc = 'never call torch.load(path) on downloads'\n",
        "from safetensors.torch import load_file\nimport torch\nstate = load_file('model.safetensors')\n",
        "import torch\n\ndef f(torch):\n    return torch.load(x)\n",
        "import functools\nimport torch\nload = functools.partial(torch.load, map_location='cpu', weights_only=True)\n"
        "state = load(path)\n",
        "import torch\nsaved = list(map(torch.save, states, paths))\n",
        Example(
            "import torch\nstate = torch.load(path, weights_only=True)\n",
            files={"requirements.txt": "torch>2.5\n"},
        ),
    )

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        partial = partial_target(self, node)
        if partial is not None and partial[0] in LOADERS:
            self._check_load(partial[1], partial[0], at=node)
        else:
            self._report_references(referenced(self, node))
        if qualified in LOADERS:
            self._check_load(node, qualified)
        elif qualified in PACKAGE_IMPORTERS:
            self.report(
                node,
                "`torch.package.PackageImporter` unpickles the package's objects and imports the code "
                "shipped inside it; only open packages you built yourself",
            )

    def _report_references(self, found: Iterable[tuple[Any, str, Any]]) -> None:
        for expr, target, confidence in found:
            if target in LOADERS:
                self.report(
                    expr,
                    f"`{target}` passed here to be called later, without `weights_only=True`: "
                    "it unpickles arbitrary objects unless the installed torch defaults to "
                    "weights_only=True; pass a function or `functools.partial` that sets it",
                    confidence=confidence,
                )

    def _check_load(self, node: libcst.Call, qualified: str, at: libcst.Call | None = None) -> None:
        """Judge a `torch.load` call; `at` is the `partial(...)` it stands for, when it is one
        (reported there, without a fix: the call judged is not in the tree)."""
        report_node = node if at is None else at
        weights_only = self.args.get(node, "weights_only")
        pickle_module = self.args.get(node, "pickle_module", 2)
        value = self.args.constant(weights_only.value) if weights_only is not None else None
        if value is True:
            return  # torch refuses a pickle_module together with weights_only=True
        if pickle_module is not None and self.args.constant(pickle_module.value) is not None:
            self.report(
                report_node,
                f"`{qualified}` with a custom `pickle_module` unpickles arbitrary objects "
                "(weights_only cannot be used with it): loading an untrusted file runs code",
            )
            return
        if value is False:
            self.report(
                report_node,
                f"`{qualified}` with `weights_only=False` unpickles arbitrary objects: loading an "
                "untrusted checkpoint runs code; load a state_dict with weights_only=True",
            )
            return
        if weights_only is not None and value is not None:
            self.report(
                report_node,
                f"`{qualified}` with a `weights_only` value aisec cannot read; pass the literal "
                "`weights_only=True`",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
            )
            return
        if self.args.has_star_kwargs(node):
            self.report(
                report_node,
                f"`{qualified}` may get `weights_only` from `**kwargs`; pass `weights_only=True` explicitly",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
            )
            return
        # Omitted (or `weights_only=None`, which means the default).
        new_torch = self.project.requires_at_least("torch", SAFE_DEFAULT_FROM)
        if at is not None or any(arg.star == "*" for arg in node.args):
            fix = None  # a partial (not in the tree), or `*args` that may carry a pickle_module
        elif weights_only is None:
            fix = self.fixes.add_keyword(node, "weights_only", "True", safe=new_torch)
        else:
            fix = self.fixes.set_keyword(node, "weights_only", "True", safe=new_torch)
        if new_torch:
            self.report(
                report_node,
                f"`{qualified}` relies on the default weights_only=True ({_NEW_TORCH}); it unpickles "
                "arbitrary objects only if TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD is set in the environment",
                severity=Severity.INFO,
                fix=fix,
            )
        elif self.project.requirement("torch") is None:
            self.report(
                report_node,
                f"`{qualified}` without `weights_only=True` ({_UNDECLARED}); require "
                f"torch>={SAFE_DEFAULT_FROM} or pass weights_only=True",
                fix=fix,
            )
        else:
            self.report(
                report_node,
                f"`{qualified}` without `weights_only=True` unpickles arbitrary objects ({_OLD_TORCH}); "
                f"pass weights_only=True or require torch>={SAFE_DEFAULT_FROM}",
                fix=fix,
            )
