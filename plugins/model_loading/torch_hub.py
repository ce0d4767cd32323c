"""AIS108: torch.hub, which runs a repo's hubconf.py and unpickles downloaded checkpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisec.hooks import UNKNOWN, Applicability, Confidence, Example, Rule, Severity, cst
from aisec.regexes import compiled

from .unpinned_hub_download import COMMIT, ModuleFacts

if TYPE_CHECKING:
    import libcst

# Functions that import `hubconf.py` from a GitHub repo (or a local folder): name -> repo keyword.
HUB_CODE = {
    "torch.hub.load": "repo_or_dir",
    "torch.hub.list": "github",
    "torch.hub.help": "github",
}
# `load_state_dict_from_url` and its old alias: torch.load of a downloaded file.
STATE_DICT_LOADERS = frozenset({"torch.hub.load_state_dict_from_url", "torch.utils.model_zoo.load_url"})
_WEIGHTS_ONLY_POSITION = 6  # (url, model_dir, map_location, progress, check_hash, file_name, weights_only)


class TorchHubLoad(Rule):
    code = "AIS108"
    name = "torch-hub-load"
    summary = "torch.hub runs a GitHub repo's hubconf.py; load_state_dict_from_url unpickles by default"
    severity = Severity.HIGH
    cwe = "CWE-494"
    triggers = ("hub", "model_zoo")
    qualified_names = (*HUB_CODE, *sorted(STATE_DICT_LOADERS))
    fix_applicability = Applicability.UNSAFE
    description = (
        "`torch.hub.load`, `torch.hub.list` and `torch.hub.help` import `hubconf.py` from the "
        "GitHub repo they name (`'owner/repo[:ref]'`), which runs that repo's code in your "
        "process: high severity, and the message says when the ref is missing (the default "
        "branch) or is a branch/tag rather than a commit, and when `trust_repo=True` skips "
        "torch's confirmation. A repo pinned to a 40-hex commit is medium (the code still runs, "
        "but it is the code you reviewed). `torch.hub.load(dir, ..., source='local')` runs a "
        "local folder's `hubconf.py`: low for a constant path, medium when the folder comes from "
        "a variable.\n\n"
        "`torch.hub.load_state_dict_from_url` (and its alias `torch.utils.model_zoo.load_url`) "
        "without `weights_only=True`: it downloads a file and `torch.load`s it with "
        "`weights_only=False` by default, even on torch versions where `torch.load` itself "
        "defaults to `True`. High; medium with `check_hash=True` (the file name's hash prefix "
        "pins the content) or a non-constant `weights_only`; low confidence when `**kwargs` "
        "might carry it."
    )
    rationale = (
        "`hubconf.py` is arbitrary Python: whoever controls the repo, or its default branch, "
        "controls what runs when the model is loaded, on every machine that does not have it "
        "cached yet. `trust_repo=True` disables the only prompt torch offers. "
        "`load_state_dict_from_url` unpickles the downloaded file, and unpickling runs any "
        "callable the file names (CWE-502): a swapped or intercepted checkpoint executes code."
    )
    remediation = (
        "Install the model's package from a pinned, reviewed dependency (e.g. `torchvision`) or "
        "vendor the model code, and load weights with `weights_only=True` (or from "
        "safetensors). If you must use torch.hub, pin the repo to a commit "
        "(`'owner/repo:<40-hex sha>'`), leave `trust_repo` at its default, and pass "
        "`weights_only=True` to `load_state_dict_from_url` (with `check_hash=True`)."
    )
    fix_safety = (
        "For `load_state_dict_from_url` the fix adds `weights_only=True` (or sets it when it is "
        "`False`). It is unsafe (applied only with `--unsafe-fixes`): checkpoints that pickle "
        "whole objects rather than tensors stop loading. `torch.hub.load` has no automatic fix."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/494.html",
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://pytorch.org/docs/stable/hub.html",
        "https://pytorch.org/docs/stable/notes/serialization.html#weights-only",
    )
    invalid = (
        "import torch\n\nmodel = torch.hub.load('ultralytics/yolov5', 'yolov5s')\n",
        "import torch\nmodel = torch.hub.load('pytorch/vision:v0.10.0', 'resnet18', pretrained=True, trust_repo=True)\n",
        "from torch import hub\nentrypoints = hub.list('facebookresearch/dinov2')\n",
        Example(
            "import torch\nmodel = torch.hub.load('ultralytics/yolov5', 'yolov5s')\nboxes = model(images)\nmore = model(batch)\n",
            expect=1,
        ),
        Example(
            "import torch\nrepo = 'facebookresearch/dinov2:0123456789abcdef0123456789abcdef01234567'\n"
            "model = torch.hub.load(repo, 'dinov2_vits14')\n",
            expect=1,
        ),
        "def fetch(url):\n    from torch.hub import load_state_dict_from_url as fetch_weights\n    return fetch_weights(url)\n",
        "import torch\nstate = torch.hub.load_state_dict_from_url(URL, weights_only=False)\n",
        "import torch.utils.model_zoo as zoo\nstate = zoo.load_url('https://example.com/resnet.pth')\n",
        "import torch\nth = torch.hub\nmodel = th.load(repo_name, 'model')\n",
        Example(
            "import torch\nmodel = torch.hub.load('third_party/yolo', 'custom', source='local')\n",
            expect=1,
        ),
    )
    valid = (
        "import torch\n\nstate = torch.hub.load_state_dict_from_url(URL, weights_only=True)\n",
        "import torch\nstate = torch.hub.load_state_dict_from_url(URL, None, None, True, True, None, True)\n",
        "import torchvision\nmodel = torchvision.models.resnet18(weights='IMAGENET1K_V1')\n",
        "import torch\nstate = torch.load('model.pt', weights_only=True)\ntorch.hub.set_dir('/tmp/hub')\n",
        "class Hub:\n    def load(self, repo, name):\n        return None\n\nhub = Hub()\nmodel = hub.load('ultralytics/yolov5', 'yolov5s')\n",
        "# torch.hub.load('ultralytics/yolov5', 'yolov5s') would run remote code\n"
        "NOTE = 'never call torch.hub.load_state_dict_from_url without weights_only=True'\n",
        "from huggingface_hub import hf_hub_download\nimport torch\npath = torch.hub.get_dir()\n",
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._module: libcst.Module | None = None
        self._constants: dict[str, str] | None = None

    def visit_Module(self, node: libcst.Module) -> None:
        self._module = node

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        if qualified in HUB_CODE:
            self._check_hub_code(node, qualified)
        elif qualified in STATE_DICT_LOADERS:
            self._check_state_dict(node, qualified)

    def _check_hub_code(self, node: libcst.Call, qualified: str) -> None:
        repo_arg = self.args.get(node, HUB_CODE[qualified], 0)
        repo = self._string(repo_arg.value) if repo_arg is not None else UNKNOWN
        source = "github"
        source_confidence = Confidence.HIGH
        if qualified == "torch.hub.load":
            source_arg = self.args.get(node, "source")
            if source_arg is not None:
                value = self.args.constant(source_arg.value)
                if value == "local":
                    source = "local"
                elif value is UNKNOWN:
                    source_confidence = Confidence.MEDIUM
        if source == "local":
            if isinstance(repo, str):
                self.report(
                    node,
                    f"`{qualified}` with source='local' imports and runs '{repo}/hubconf.py'; make sure "
                    "that folder is reviewed code of this project, or import the model code directly",
                    severity=Severity.LOW,
                )
            else:
                self.report(
                    node,
                    f"`{qualified}` with source='local' runs the hubconf.py of a folder aisec cannot "
                    "resolve; if that path can come from outside, this runs arbitrary code",
                    severity=Severity.MEDIUM,
                    confidence=Confidence.MEDIUM,
                )
            return
        trust = self.args.is_true(node, "trust_repo")
        trust_note = (
            "; trust_repo=True also skips torch's prompt before running an untrusted repo" if trust else ""
        )
        runs = f"`{qualified}` downloads and runs hubconf.py (arbitrary code)"
        if not isinstance(repo, str):
            self.report(
                node,
                f"{runs} from a GitHub repo aisec cannot resolve{trust_note}; vendor the model code or "
                "install it as a pinned dependency",
                confidence=min(Confidence.MEDIUM, source_confidence),
            )
            return
        name, _, ref = repo.partition(":")
        if ref and compiled(COMMIT).match(ref):
            self.report(
                node,
                f"{runs} from GitHub repo '{name}' pinned to commit {ref[:12]}{trust_note}; the code still "
                "runs in this process: vendor it or install it as a pinned dependency",
                severity=Severity.MEDIUM,
                confidence=source_confidence,
            )
            return
        if ref:
            pin = f"at ref '{ref}', a branch or tag that can be moved"
        else:
            pin = "unpinned (without ':ref' it loads the default branch, whatever it holds today)"
        self.report(
            node,
            f"{runs} from GitHub repo '{name}' {pin}{trust_note}; vendor the model code, or at least pin "
            f"a 40-hex commit ('{name}:<sha>')",
            confidence=source_confidence,
        )

    def _check_state_dict(self, node: libcst.Call, qualified: str) -> None:
        arg = self.args.get(node, "weights_only", _WEIGHTS_ONLY_POSITION)
        hashed = self.args.is_true(node, "check_hash", 4)
        base = Severity.MEDIUM if hashed else Severity.HIGH
        hash_note = " (check_hash=True pins the content, but the file still unpickles)" if hashed else ""
        if arg is None:
            if self.args.has_star_kwargs(node):
                self.report(
                    node,
                    f"`{qualified}` unpickles the downloaded file unless `**kwargs` carries weights_only=True; pass it explicitly",
                    severity=base,
                    confidence=Confidence.LOW,
                )
                return
            self.report(
                node,
                f"`{qualified}` defaults to weights_only=False: the downloaded file is unpickled, which runs any "
                f"code it names{hash_note}; pass weights_only=True",
                severity=base,
                fix=self.fixes.add_keyword(node, "weights_only", "True"),
            )
            return
        value = self.args.constant(arg.value)
        if value is True:
            return
        if value is False:
            fix = self.fixes.set_keyword(node, "weights_only", "True") if arg.keyword is not None else None
            self.report(
                node,
                f"`{qualified}` with weights_only=False unpickles the downloaded file, which runs any code it "
                f"names{hash_note}; pass weights_only=True",
                severity=base,
                fix=fix,
            )
            return
        self.report(
            node,
            f"`{qualified}` with a weights_only value aisec cannot read; unless it is True the downloaded "
            "file is unpickled",
            severity=Severity.MEDIUM,
            confidence=Confidence.MEDIUM,
        )

    def _string(self, expr: libcst.BaseExpression) -> object:
        """A string constant, following module-level `NAME = "..."` constants; else UNKNOWN."""
        value = self.args.constant(expr)
        if value is UNKNOWN and isinstance(expr, cst.Name):
            if self._constants is None:
                self._constants = ModuleFacts.collect(self._module, self.args).constants
            value = self._constants.get(expr.value, UNKNOWN)
        return value if isinstance(value, str) else UNKNOWN
