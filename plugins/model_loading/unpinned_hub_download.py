"""AIS107: Hugging Face Hub downloads that are not pinned to a commit."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aisec.hooks import UNKNOWN, Confidence, Example, Rule, Severity, cst
from aisec.regexes import compiled

if TYPE_CHECKING:
    import libcst

# Import roots whose `*.from_pretrained` downloads from the Hugging Face Hub.
HUB_LIBRARIES = frozenset(
    {
        "transformers",
        "diffusers",
        "sentence_transformers",
        "peft",
        "setfit",
        "optimum",
        "trl",
        "unsloth",
        "auto_gptq",
        "awq",
        "gliner",
        "span_marker",
        "adapters",
        "huggingface_hub",
        "timm",
        # Drop-in `from_pretrained` wrappers that download from the Hub the same way.
        "ipex_llm",
        "bigdl",
        "intel_extension_for_transformers",
        "ctransformers",
        "llama_cpp",
    }
)
# Import roots of libraries whose calls return loaded models (objects, never ids).
_MODEL_LIBRARIES = HUB_LIBRARIES | {
    "torch",
    "tensorflow",
    "keras",
    "onnxruntime",
    "vllm",
    "mlx_lm",
    "openvino",
}
# Keywords that carry the repo id of a `from_pretrained` (position 0 unless said).
_FROM_PRETRAINED_KEYWORDS = (
    "pretrained_model_name_or_path",
    "model_id",
    "model_name",
    "model_name_or_path",
    "repo_id",
)
# peft's `PeftModel.from_pretrained(base_model, model_id)`: the id is the second argument.
_PEFT_WRAPPERS = r"^peft\.(?:peft_model\.)?(?:PeftModel\w*|PeftMixedModel)\.from_pretrained$"

# Functions (canonical qualified name) -> (id position, id keywords, kind).
_HUB_FUNCTIONS: dict[str, tuple[int, tuple[str, ...], str]] = {
    **{
        name: (0, ("repo_id",), "file")
        for name in (
            "huggingface_hub.hf_hub_download",
            "huggingface_hub.file_download.hf_hub_download",
            "huggingface_hub.HfApi.hf_hub_download",
            "huggingface_hub.snapshot_download",
            "huggingface_hub._snapshot_download.snapshot_download",
            "huggingface_hub.HfApi.snapshot_download",
        )
    },
    "huggingface_hub.from_pretrained_keras": (0, ("pretrained_model_name_or_path", "repo_id"), "model"),
    "huggingface_hub.from_pretrained_fastai": (0, ("repo_id",), "model"),
    "datasets.load_dataset": (0, ("path",), "dataset"),
    "datasets.load_dataset_builder": (0, ("path",), "dataset"),
    "transformers.pipeline": (1, ("model",), "pipeline"),
    "transformers.pipelines.pipeline": (1, ("model",), "pipeline"),
    **{
        name: (0, ("model_name_or_path", "model_name"), "model")
        for name in (
            "sentence_transformers.SentenceTransformer",
            "sentence_transformers.SentenceTransformer.SentenceTransformer",
            "sentence_transformers.CrossEncoder",
            "sentence_transformers.cross_encoder.CrossEncoder",
            "sentence_transformers.SparseEncoder",
        )
    },
    # LangChain's wrappers around sentence-transformers: the revision goes in `model_kwargs`.
    **{
        f"{module}.{cls}": (-1, ("model_name",), "embeddings")
        for module in (
            "langchain_huggingface",
            "langchain_huggingface.embeddings",
            "langchain_community.embeddings",
            "langchain_community.embeddings.huggingface",
            "langchain_community.embeddings.sentence_transformer",
            "langchain.embeddings",
        )
        for cls in ("HuggingFaceEmbeddings", "SentenceTransformerEmbeddings", "HuggingFaceBgeEmbeddings")
    },
    # vLLM's engine downloads `model=` (and `tokenizer=`) from the Hub; `revision=` pins it.
    **{name: (0, ("model",), "model") for name in ("vllm.LLM", "vllm.entrypoints.llm.LLM")},
    "timm.create_model": (0, ("model_name",), "timm"),
    "timm.models.create_model": (0, ("model_name",), "timm"),
}
# Calls whose result is a local path (so a model id built from them is local).
_LOCAL_PATH_ROOTS = ("os.path.", "pathlib.", "tempfile.", "importlib.resources.")
_LOCAL_PATH_CALLS = frozenset(
    {"os.getcwd", "os.fspath", "pathlib.Path", "pathlib.PurePath"}
    | {name for name, spec in _HUB_FUNCTIONS.items() if spec[2] == "file"}
)
# `datasets` packaged builders: `load_dataset("csv", data_files=...)` reads local files.
DATASET_BUILDERS = frozenset(
    {
        "csv",
        "json",
        "parquet",
        "text",
        "arrow",
        "pandas",
        "sql",
        "generator",
        "xml",
        "spark",
        "cache",
        "webdataset",
        "hdf5",
        "imagefolder",
        "audiofolder",
        "videofolder",
        "pdffolder",
        "niftifolder",
    }
)
# A path ending in one of these names a file, not a Hub repo.
_FILE_SUFFIXES = (
    ".json",
    ".bin",
    ".pt",
    ".pth",
    ".safetensors",
    ".ckpt",
    ".h5",
    ".keras",
    ".onnx",
    ".gguf",
    ".yaml",
    ".yml",
    ".txt",
    ".csv",
    ".tsv",
    ".jsonl",
    ".parquet",
    ".arrow",
    ".py",
    ".model",
    ".pkl",
    ".zip",
    ".tar",
    ".gz",
)
# Calls whose first argument (or `save_directory`/`output_dir`) is a folder the file writes to.
_SAVE_METHODS = frozenset({"save_pretrained", "save_model", "save_local", "save_to_disk"})
_SAVE_KEYWORDS = ("output_dir", "save_directory", "local_dir", "logging_dir")
# Compiled (`compiled`) when a file first needs them: a pre-commit run without hub downloads never does.
HUB_ID = r"^[A-Za-z0-9][\w.-]*/[\w][\w.-]*$"
LEGACY_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"
COMMIT = r"^[0-9a-fA-F]{40}$"
_TIMM_PREFIXES = ("hf-hub:", "hf_hub:")

_PIN = "pass revision='<40-hex commit sha>' (or local_files_only=True for a model you ship)"
# `f"{org}/{name}"` with a literal org names a Hub repo, unless the "org" is a folder name.
_FOLDER_NAMES = frozenset(
    {"models", "model", "checkpoints", "checkpoint", "ckpt", "outputs", "output", "out", "runs"}
    | {"data", "weights", "tmp", "cache", "saved_models", "artifacts", "exports", "results", "local"}
)
# Calls whose result is a string (an id read from the environment), never a loaded model.
_STRING_CALLS = frozenset({"os.getenv", "os.environ.get", "builtins.str", "builtins.input"})
UNRESOLVED_OPTION = "report-unresolved-ids"


class UnpinnedHubDownload(Rule):
    code = "AIS107"
    name = "hub-download-unpinned"
    summary = "Model or dataset downloaded from the Hugging Face Hub without pinning a commit"
    severity = Severity.MEDIUM
    cwe = "CWE-494"
    triggers = (
        "from_pretrained",
        "hf_hub_download",
        "snapshot_download",
        "load_dataset",
        "pipeline",
        "SentenceTransformer",
        "CrossEncoder",
        "SparseEncoder",
        "create_model",
        "HuggingFaceEmbeddings",
        "SentenceTransformerEmbeddings",
        "HuggingFaceBgeEmbeddings",
        "vllm",
    )
    # `*.from_pretrained`: a Hub library's (resolved) or a local subclass's (unresolved) loader.
    qualified_names = (*_HUB_FUNCTIONS, "*.from_pretrained")
    description = (
        "Downloads from the Hugging Face Hub whose repo id is not pinned to a commit with "
        "`revision='<40-hex sha>'`. Calls, by canonical qualified name:\n\n"
        "- any `*.from_pretrained` whose import root is a Hub library ("
        + ", ".join(f"`{name}`" for name in sorted(HUB_LIBRARIES))
        + "), e.g. `transformers.AutoModel.from_pretrained`, "
        "`diffusers.DiffusionPipeline.from_pretrained`, `peft.PeftModel.from_pretrained` (the "
        "id is its second argument), and `from_pretrained` of a class defined in the same file "
        "that derives from one of them;\n"
        "- "
        + ", ".join(
            f"`{name}`"
            for name, spec in sorted(_HUB_FUNCTIONS.items())
            if spec[2] not in ("timm", "embeddings")
        )
        + " (`pipeline(task, model)` by keyword or position; without a model `pipeline` uses "
        "the task's default model, which transformers pins itself);\n"
        "- LangChain's `HuggingFaceEmbeddings(model_name=...)` (`langchain_huggingface`, "
        "`langchain_community.embeddings`, `langchain.embeddings`), pinned with "
        "`model_kwargs={'revision': '<sha>'}`;\n"
        "- `timm.create_model('hf-hub:org/name')`, pinned with `'hf-hub:org/name@<sha>'`.\n\n"
        "**Which strings are Hub ids.** A constant is a Hub id when it has the form `org/name` "
        "(exactly one slash, Hub characters only), does not start with `.`, `/` or `~`, does "
        "not end in a file suffix such as `.json` or `.pt`, and does not exist as a path "
        "relative to the scanned file's folder or the project root. A folder this file writes "
        "to (`save_pretrained('out/x')`, `output_dir='out'`, `snapshot_download(local_dir=...)`) "
        "counts as existing. Legacy ids without an org (`'gpt2'`, `'bert-base-uncased'`, "
        "`load_dataset('imdb')`) are Hub ids too, reported at medium confidence; "
        "`load_dataset`'s packaged builders (`'csv'`, `'json'`, `'parquet'`, ...) are not. "
        "Module-level string constants (`MODEL_ID = 'org/name'`) are followed. Arguments built "
        "with `os.path`, `pathlib` or `tempfile`, or returned by `snapshot_download` / "
        "`hf_hub_download`, are local paths.\n\n"
        "**Safe:** a local path; `local_files_only=True`; `revision=` a 40-hex commit sha; "
        "a repo of an org listed in `allowed-orgs`. **Reported:** no `revision`; a revision "
        "that is a branch or tag (`'main'`, `'v1.0'`: mutable); a revision aisec cannot read "
        "(a variable, or `**kwargs` that might carry it; low confidence).\n\n"
        "**Ids built in code.** Besides literals and module constants, an id is resolved when it "
        "is the string default of a parameter of the enclosing function that the function never rebinds (`def load(name='org/m')`; "
        "medium confidence, a caller may pass another id) or an f-string or `+` concatenation "
        "whose literal start names the org (`f'meta-llama/Llama-2-{size}-hf'`; not when that "
        "'org' is a common folder name such as `models`, `checkpoints` or `outputs`). An id aisec "
        "cannot resolve at all (a CLI argument, a library function's parameter, a config value) "
        f"is **not reported by default**: nothing can be pinned at that line. Set `{UNRESOLVED_OPTION} = true` "
        "to report those calls too (unknown model id; medium confidence). An expression that holds "
        "a loaded model rather than an id (`pipeline(model=model)` after `model = "
        "AutoModel.from_pretrained(...)`, `torch.load(...)` or another model library's loader) is "
        "not an id and is skipped. Calling an object a loader returned (`tok(text)` after `tok = "
        "AutoTokenizer.from_pretrained(...)`) is not a download."
    )
    rationale = (
        "A Hub repo is mutable: its owner, anyone who takes over the account or token, or a "
        "repo re-created under the same name after a rename can push new weights, a new "
        "tokenizer or new config to the branch you load, and every fresh environment (CI, a new "
        "container, a cleared cache) silently downloads the new content. Weights can be "
        "backdoored without any code; pickle-based files (`pytorch_model.bin`) and repos with "
        "custom code run code when loaded (see AIS102, AIS106). Only a commit sha names fixed "
        "content; branches and tags can be moved. Severity is medium by default because an "
        "unpinned download is an integrity gap, not code execution by itself: AIS106 and the "
        "deserialization rules report the paths that execute code."
    )
    remediation = (
        "Pin every Hub download to a full commit sha (the 40-hex `sha` on the repo's *Files and "
        "versions* page, or `huggingface_hub.model_info(repo).sha`) with `revision=`, and update "
        "it deliberately. For models you ship, download once, review, and load from a local "
        "folder with `local_files_only=True` (or set `HF_HUB_OFFLINE=1`). Repos of your own "
        "organisation can be exempted with the `allowed-orgs` option."
    )
    options_doc = (
        "`allowed-orgs` (list of strings, default `[]`): Hub organisations (or users) whose "
        "repos need no pin, compared case-insensitively, e.g. your company's org whose repos "
        "are protected by your own review process:\n\n"
        '```toml\n[tool.aisec.rule-options.AIS107]\nallowed-orgs = ["acme-ml"]\n```\n\n'
        f"`{UNRESOLVED_OPTION}` (boolean, default `false`): also report downloads whose id aisec "
        "cannot resolve (`from_pretrained(args.model)`), at medium confidence. Useful in an "
        "application whose ids should all be pinned in code; noisy in libraries and CLIs."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/494.html",
        "https://huggingface.co/docs/hub/security",
        "https://huggingface.co/docs/huggingface_hub/guides/download#from-specific-version",
        "https://huggingface.co/docs/transformers/main_classes/model#transformers.PreTrainedModel.from_pretrained",
    )
    default_options = {"allowed-orgs": [], UNRESOLVED_OPTION: False}
    invalid = (
        "from transformers import AutoModelForCausalLM\n\n"
        "model = AutoModelForCausalLM.from_pretrained('example-org/support-llm')\n",
        "from transformers import AutoModel as AM\nm = AM.from_pretrained('google-bert/bert-base-uncased', revision='main')\n",
        "import transformers\ntok = transformers.AutoTokenizer.from_pretrained('org/model', revision='v1.0')\n",
        "def load():\n    from huggingface_hub import hf_hub_download\n    return hf_hub_download('org/weights', 'model.safetensors')\n",
        "import huggingface_hub as hub\npath = hub.snapshot_download(repo_id='meta-llama/Llama-3.1-8B')\n",
        "from datasets import load_dataset\nds = load_dataset('HuggingFaceFW/fineweb', split='train')\n",
        "from transformers import pipeline\nclf = pipeline('text-classification', 'org/sentiment-model')\n",
        "from transformers import pipeline\nclf = pipeline(model='org/sentiment-model')\n",
        "from sentence_transformers import SentenceTransformer\nenc = SentenceTransformer('sentence-transformers/all-MiniLM-L6-v2')\n",
        "import transformers\nlib = transformers\nmodel = lib.AutoModel.from_pretrained('org/model')\n",
        "from transformers import AutoModel\nMODEL_ID = 'org/model'\n\ndef build():\n    return AutoModel.from_pretrained(MODEL_ID)\n",
        "from peft import PeftModel\nmodel = PeftModel.from_pretrained(base_model, 'org/lora-adapter')\n",
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('gpt2')\n",
        "import timm\nmodel = timm.create_model('hf-hub:timm/resnet50.a1_in1k', pretrained=True)\n",
        "from langchain_huggingface import HuggingFaceEmbeddings\nemb = HuggingFaceEmbeddings(model_name='BAAI/bge-small-en-v1.5')\n",
        Example(
            "import sys\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained(sys.argv[1])\n",
            options={UNRESOLVED_OPTION: True},
            expect=1,
        ),
        Example(
            "from transformers import AutoModel\n\n"
            "def load(name='org/model'):\n    return AutoModel.from_pretrained(name)\n",
            expect=1,
        ),
        Example(
            "from transformers import AutoModelForCausalLM\n"
            "model = AutoModelForCausalLM.from_pretrained(f'meta-llama/Llama-2-{size}b-hf')\n",
            expect=1,
        ),
        Example("from vllm import LLM\nllm = LLM(model='mistralai/Mistral-7B-Instruct-v0.3')\n", expect=1),
        Example(
            "from langchain_community.embeddings import SentenceTransformerEmbeddings\n"
            "emb = SentenceTransformerEmbeddings(model_name='all-MiniLM-L6-v2')\n",
            expect=1,
        ),
        Example(
            "from ipex_llm.transformers import AutoModelForCausalLM\n"
            "model = AutoModelForCausalLM.from_pretrained('Qwen/Qwen2-7B', load_in_4bit=True)\n",
            expect=1,
        ),
        Example(
            "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('org/model', revision=REV)\n",
            expect=1,
        ),
        Example(
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('acme/model')\nn = AutoModel.from_pretrained('other/model')\n",
            options={"allowed-orgs": ["acme"]},
            expect=1,
        ),
        Example(
            "from transformers import PreTrainedModel\n\nclass MyNet(PreTrainedModel):\n    pass\n\nnet = MyNet.from_pretrained('org/mynet')\n",
            expect=1,
        ),
    )
    valid = (
        "from transformers import AutoModelForCausalLM\n\n"
        "model = AutoModelForCausalLM.from_pretrained(\n"
        "    'example-org/support-llm',\n"
        "    revision='7231864981174d9bee8c7687c24c8344414eae6b',\n"
        ")\n",
        Example(
            "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('models/bert')\n",
            files={"models/bert/config.json": "{}"},
        ),
        "from transformers import AutoModel\na = AutoModel.from_pretrained('./checkpoints/best')\nb = AutoModel.from_pretrained('/opt/models/bert')\nc = AutoModel.from_pretrained('~/models/bert')\n",
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('org/model', local_files_only=True)\n",
        "from transformers import AutoModel as AM\nm = AM.from_pretrained('org/model', revision='0123456789abcdef0123456789abcdef01234567')\n",
        Example(
            "from transformers import AutoModel\nm = AutoModel.from_pretrained('acme-ml/encoder')\n",
            options={"allowed-orgs": ["Acme-ML"]},
        ),
        "class Encoder:\n    @classmethod\n    def from_pretrained(cls, name):\n        return cls()\n\nenc = Encoder.from_pretrained('org/model')\n",
        "# AutoModel.from_pretrained('org/model') downloads the weights\n"
        "DOC = \"call hf_hub_download('org/model', 'x.bin') with a revision\"\n",
        "from datasets import load_dataset\nds = load_dataset('csv', data_files='train.csv')\n",
        "import os\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained(os.path.join(CKPT_DIR, 'final'))\n",
        "from huggingface_hub import snapshot_download\nfrom transformers import AutoModel\n"
        "path = snapshot_download('org/model', revision='0123456789abcdef0123456789abcdef01234567')\n"
        "model = AutoModel.from_pretrained(path)\n",
        "from transformers import AutoModel, Trainer, TrainingArguments\n"
        "args = TrainingArguments(output_dir='outputs/run1')\n"
        "model = AutoModel.from_pretrained('outputs/run1')\n",
        "from transformers import AutoModelForCausalLM, pipeline\n"
        "model = AutoModelForCausalLM.from_pretrained('./local-llm')\n"
        "gen = pipeline('text-generation', model=model)\n",
        "import timm\nmodel = timm.create_model('resnet50', pretrained=True)\n",
        "from transformers import pipeline\nclf = pipeline('sentiment-analysis')\n",
        "import sys\nfrom transformers import AutoModel\nmodel = AutoModel.from_pretrained(sys.argv[1])\n",
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(f'checkpoints/{run}')\n",
        "from transformers import AutoTokenizer\n"
        f"tok = AutoTokenizer.from_pretrained('org/tok', revision='{'0' * 40}')\n"
        "ids = tok(text)\nbatch = tok(texts, padding=True)\n",
        "from transformers import AutoModel\n\n"
        "class Encoder:\n    def __init__(self):\n"
        f"        self.model = AutoModel.from_pretrained('org/enc', revision='{'0' * 40}')\n\n"
        "    def encode(self, x):\n        return self.model(x)\n",
        Example(
            "import torch\nfrom transformers import pipeline\n"
            "model = torch.load('model.pt', weights_only=True)\ngen = pipeline('text-generation', model=model)\n",
            options={UNRESOLVED_OPTION: True},
        ),
        "from langchain_huggingface import HuggingFaceEmbeddings\n"
        "emb = HuggingFaceEmbeddings(\n"
        "    model_name='BAAI/bge-small-en-v1.5',\n"
        "    model_kwargs={'device': 'cpu', 'revision': '5c38ec7c405ec4b44b94cc5a9bb96e735b38267a'},\n"
        ")\n",
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._module: libcst.Module | None = None
        self._facts: ModuleFacts | None = None
        self._hub_classes: set[str] = set()
        allowed = self.options.get("allowed-orgs", [])
        if isinstance(allowed, str):
            allowed = [allowed]
        if not isinstance(allowed, (list, tuple)) or not all(isinstance(org, str) for org in allowed):
            raise ValueError(
                "`allowed-orgs` in [tool.aisec.rule-options.AIS107] must be a list of organisation "
                f"names (strings), got {allowed!r}"
            )
        self._allowed = {org.lower() for org in allowed}
        unresolved = self.options.get(UNRESOLVED_OPTION, False)
        if not isinstance(unresolved, bool):
            raise ValueError(
                f"`{UNRESOLVED_OPTION}` in [tool.aisec.rule-options.AIS107] must be true or false, "
                f"got {unresolved!r}"
            )
        self._report_unresolved = unresolved
        self._functions: list[libcst.FunctionDef] = []

    # ----- visitors -----

    def visit_Module(self, node: libcst.Module) -> None:
        self._module = node

    def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: libcst.FunctionDef) -> None:
        self._functions.pop()

    def visit_ClassDef(self, node: libcst.ClassDef) -> None:
        for base in node.bases:
            qualified = self.names.qualified(base.value)
            if (qualified and qualified.split(".")[0] in HUB_LIBRARIES) or (
                isinstance(base.value, cst.Name) and base.value.value in self._hub_classes
            ):
                self._hub_classes.add(node.name.value)
                return

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        spec = self._spec(node, qualified)
        if spec is None:
            return
        api, position, keywords, kind = spec
        id_arg = None
        for keyword in keywords:
            id_arg = self.args.get(node, keyword)
            if id_arg is not None:
                break
        if id_arg is None and position >= 0:
            id_arg = self.args.get(node, None, position)
        if id_arg is None or id_arg.star:
            return  # no repo id (pipeline's task default, **kwargs): nothing to judge
        if kind == "timm":
            self._check_timm(node, api, id_arg.value)
            return
        settings = self._model_kwargs(node) if kind == "embeddings" else None
        if self.args.is_true(node, "local_files_only") or (
            isinstance(settings, dict) and self.args.constant(settings.get("local_files_only")) is True
        ):
            return
        self._check(node, api, id_arg.value, kind, settings)

    # ----- matching -----

    def _spec(self, node: libcst.Call, qualified: str | None) -> tuple[str, int, tuple[str, ...], str] | None:
        if qualified is not None:
            spec = _HUB_FUNCTIONS.get(qualified)
            if spec is not None:
                return (qualified, *spec)
            if qualified.endswith(".from_pretrained") and qualified.split(".")[0] in HUB_LIBRARIES:
                position = 1 if compiled(_PEFT_WRAPPERS).match(qualified) else 0
                keywords = ("model_id",) if position == 1 else _FROM_PRETRAINED_KEYWORDS
                return (qualified, position, keywords, "model")
            return None
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "from_pretrained"
            and isinstance(func.value, cst.Name)
            and func.value.value in self._hub_classes
        ):
            return (f"{func.value.value}.from_pretrained", 0, _FROM_PRETRAINED_KEYWORDS, "model")
        return None

    # ----- checks -----

    def _check(
        self, node: libcst.Call, api: str, expr: libcst.BaseExpression, kind: str, settings: Any = None
    ) -> None:
        value = self._string(expr)
        if isinstance(value, str):
            category = self._classify(value, kind)
            if category is None:
                return
            if category == "hub" and value.split("/", 1)[0].lower() in self._allowed:
                return
            where = f"`{api}` downloads '{value}' from the Hugging Face Hub"
            id_confidence = Confidence.HIGH
            if category == "legacy":
                where = (
                    f"`{api}` downloads '{value}' (a legacy Hub id without an org) from the Hugging Face Hub"
                )
                id_confidence = Confidence.MEDIUM
        elif value is UNKNOWN:
            built = self._built_id(expr, kind)
            if built is not None:
                shown, how, id_confidence = built
                if shown.split("/", 1)[0].lower() in self._allowed:
                    return
                where = f"`{api}` downloads '{shown}' ({how}) from the Hugging Face Hub"
            elif self._report_unresolved and self._non_constant_kind(expr, kind) == "unknown":
                where = f"`{api}` gets an unknown model id (aisec cannot resolve it); if it names a Hub repo, it is downloaded"
                id_confidence = Confidence.MEDIUM
            else:
                return  # nothing in this file pins the id: opt in with report-unresolved-ids
        else:
            return  # None or a non-string constant: not a repo id
        self._check_revision(node, where, id_confidence, settings)

    def _check_revision(
        self, node: libcst.Call, where: str, id_confidence: Confidence, settings: Any = None
    ) -> None:
        if settings is None:
            revision_arg = self.args.get(node, "revision")
            revision_expr = None if revision_arg is None else revision_arg.value
            hidden = self.args.has_star_kwargs(node)
        else:  # `model_kwargs={"revision": ...}` (a dict aisec can read) or UNKNOWN
            revision_expr = settings.get("revision") if isinstance(settings, dict) else None
            hidden = not isinstance(settings, dict) or self.args.has_star_kwargs(node)
        revision = None if revision_expr is None else self._string(revision_expr)
        if revision is None:
            if hidden:
                message = f"{where} with a revision aisec cannot see (it may come from `**kwargs` or a settings dict); make sure it is a 40-hex commit sha"
                confidence = Confidence.LOW
            else:
                pin = _PIN if settings is None else "pass model_kwargs={'revision': '<40-hex commit sha>'}"
                message = (
                    f"{where} without a pinned revision, so the repo's owner can change what is loaded; {pin}"
                )
                confidence = Confidence.HIGH
        elif isinstance(revision, str):
            if compiled(COMMIT).match(revision):
                return
            message = f"{where} at revision '{revision}', a branch or tag that can be moved (mutable); pin a 40-hex commit sha"
            confidence = Confidence.HIGH
        else:
            message = f"{where} at a revision aisec cannot read; make sure it is a 40-hex commit sha, not a branch or tag"
            confidence = Confidence.LOW
        self.report(node, message, confidence=min(confidence, id_confidence))

    def _check_timm(self, node: libcst.Call, api: str, expr: libcst.BaseExpression) -> None:
        value = self._string(expr)
        if not isinstance(value, str) or not value.startswith(_TIMM_PREFIXES):
            return  # an architecture name: timm's own weight URLs, not a Hub repo
        pretrained = self.args.get(node, "pretrained", 1)
        if pretrained is None or self.args.constant(pretrained.value) is False:
            return  # without pretrained weights only the architecture is built
        repo, _, revision = value.split(":", 1)[1].partition("@")
        if repo.split("/", 1)[0].lower() in self._allowed:
            return
        if revision and compiled(COMMIT).match(revision):
            return
        if revision:
            message = f"`{api}` downloads '{repo}' from the Hugging Face Hub at '{revision}', a branch or tag that can be moved (mutable); pin a 40-hex commit sha with '@<sha>'"
        else:
            message = f"`{api}` downloads '{repo}' from the Hugging Face Hub without a pinned revision; pin it as '{value}@<40-hex commit sha>'"
        self.report(node, message)

    # ----- values -----

    def _model_kwargs(self, node: libcst.Call) -> Any:
        """`model_kwargs` as {key: expression}: {} when absent, UNKNOWN when aisec cannot read it."""
        arg = self.args.get(node, "model_kwargs")
        if arg is None:
            return {}
        value = arg.value
        entries: dict[str, Any] = {}
        if isinstance(value, cst.Dict):
            for element in value.elements:
                if not isinstance(element, cst.DictElement):
                    return UNKNOWN  # `**other` inside the literal
                key = self.args.constant(element.key)
                if isinstance(key, str):
                    entries[key] = element.value
            return entries
        if isinstance(value, cst.Call) and self.names.qualified(value.func) == "builtins.dict":
            for item in value.args:
                if item.keyword is None:
                    return UNKNOWN
                entries[item.keyword.value] = item.value
            return entries
        return UNKNOWN

    def _string(self, expr: libcst.BaseExpression) -> Any:
        """The constant value of `expr`, following module-level string constants."""
        value = self.args.constant(expr)
        if value is UNKNOWN and isinstance(expr, cst.Name):
            return self._module_facts().constants.get(expr.value, UNKNOWN)
        return value

    def _classify(self, value: str, kind: str) -> str | None:
        """'hub', 'legacy' (un-namespaced Hub id) or None (a local path or not an id)."""
        if not value or value.startswith((".", "/", "~")) or "\\" in value or ":" in value:
            return None
        if value.lower().endswith(_FILE_SUFFIXES):
            return None
        if compiled(HUB_ID).match(value):
            category = "hub"
        elif compiled(LEGACY_ID).match(value) and not (kind == "dataset" and value in DATASET_BUILDERS):
            category = "legacy"
        else:
            return None
        if self._exists_locally(value):
            return None
        return category

    def _exists_locally(self, value: str) -> bool:
        if any(value == saved or value.startswith(saved + "/") for saved in self._module_facts().saved_paths):
            return True
        folders = [Path(self.path).parent, Path(self.project.root)]
        for folder in folders:
            try:
                if (folder / value).exists():
                    return True
            except (OSError, ValueError):
                continue
        return False

    def _built_id(self, expr: libcst.BaseExpression, kind: str) -> tuple[str, str, Confidence] | None:
        """A Hub id the code pins without spelling it out: (id as shown, how, confidence)."""
        if isinstance(expr, cst.Name):
            default = self._parameter_default(expr.value)
            if isinstance(default, str) and self._classify(default, kind) is not None:
                return default, f"the default of parameter `{expr.value}`", Confidence.MEDIUM
            return None
        parts = _template_parts(expr, self.args)
        if not parts or not isinstance(parts[0], str):
            return None
        literal = "".join(part for part in parts if isinstance(part, str))
        org, slash, rest = parts[0].partition("/")
        if not slash or "/" in rest or literal.count("/") != 1 or org.lower() in _FOLDER_NAMES:
            return None
        if not compiled(HUB_ID).match(f"{org}/x") or self._exists_locally(org):
            return None
        shown = "".join(part if isinstance(part, str) else "{...}" for part in parts)
        return shown, "an id built in code with a literal org", Confidence.HIGH

    def _parameter_default(self, name: str) -> Any:
        """The literal default of `name` when it is a parameter of the enclosing function that
        the function never rebinds (`name = name or cfg.model` makes it unknown)."""
        if not self._functions:
            return UNKNOWN
        func = self._functions[-1]
        params = func.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.name.value == name:
                if param.default is None or _rebinds(func.body, name):
                    return UNKNOWN
                return self._string(param.default)
        return UNKNOWN

    def _non_constant_kind(self, expr: libcst.BaseExpression, kind: str) -> str:
        """'local' (a path expression), 'object' (a loaded model) or 'unknown'."""
        if isinstance(expr, cst.Call) and self.names.qualified(expr.func) == "builtins.str" and expr.args:
            expr = expr.args[0].value
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Divide):
            return "local"  # pathlib's `/`
        if not isinstance(expr, (cst.Name, cst.Attribute, cst.Call)):
            return "unknown"
        factory = self.names.returned_by(expr)
        qualified = factory or self.names.qualified(expr)
        if not qualified:
            return "unknown"
        if qualified in _LOCAL_PATH_CALLS or qualified.startswith(_LOCAL_PATH_ROOTS):
            return "local"
        if factory is None or factory in _STRING_CALLS:
            return "unknown"
        # An object a call returned: a model library's loader, or anything passed as a pipeline's model.
        if qualified.split(".")[0] in _MODEL_LIBRARIES or kind == "pipeline":
            return "object"
        return "unknown"

    def _module_facts(self) -> ModuleFacts:
        if self._facts is None:
            self._facts = ModuleFacts.collect(self._module, self.args)
        return self._facts


def _rebinds(node: Any, name: str) -> bool:
    """Whether `name` is assigned anywhere in `node` (assignments, loops, with-as, walrus,
    imports), not looking into nested functions, classes and comprehensions (own scopes)."""
    for child in node.children:
        if isinstance(child, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.CompFor)):
            continue
        if isinstance(child, (cst.AssignTarget, cst.AnnAssign, cst.AugAssign, cst.For, cst.NamedExpr)):
            targets = _names_in(child.target)
        elif isinstance(child, cst.AsName) or (isinstance(child, cst.ImportAlias) and child.asname is None):
            targets = [child.name]
        else:
            targets = []
        if any(isinstance(n, cst.Name) and n.value == name for n in targets) or _rebinds(child, name):
            return True
    return False


def _names_in(target: Any) -> list[Any]:
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _names_in(element.value)]
    if isinstance(target, cst.StarredElement):
        return _names_in(target.value)
    return [target]


def _template_parts(expr: Any, args: Any) -> list[Any] | None:
    """An f-string or `"a" + x` as literal strings and None placeholders, else None."""
    if isinstance(expr, cst.FormattedString):
        return [part.value if isinstance(part, cst.FormattedStringText) else None for part in expr.parts]
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Add):
        left = args.constant(expr.left)
        if isinstance(left, str):
            right = args.constant(expr.right)
            return [left, right if isinstance(right, str) else None]
        parts = _template_parts(expr.left, args)
        if parts is not None:
            right = args.constant(expr.right)
            return [*parts, right if isinstance(right, str) else None]
    return None


class ModuleFacts:
    """Module-level string constants and the folders the file writes models to.

    A constant is a module-level `NAME = "literal"` whose name is bound nowhere else in the
    file (no other assignment, parameter, loop target, import or `global`), so every use of
    the name sees that value.
    """

    def __init__(self) -> None:
        self.constants: dict[str, str] = {}
        self.saved_paths: set[str] = set()

    @classmethod
    def collect(cls, module: Any, args: Any) -> ModuleFacts:
        facts = cls()
        if module is None:
            return facts
        candidates: dict[str, str] = {}
        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if (
                    isinstance(small, cst.Assign)
                    and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name)
                ):
                    value = args.constant(small.value)
                    if isinstance(value, str):
                        candidates[small.targets[0].target.value] = value
        collector = _collector_class()(set(candidates), args)
        # `aisec.walk.walk` visits the same nodes in the same order as `module.visit`, without
        # rebuilding each one (the collector changes nothing and has no `leave_` methods)
        from aisec.walk import trivia_types, walk

        walk(module, collector.on_visit, _ignore, trivia_types())
        facts.constants = {
            name: value for name, value in candidates.items() if collector.bindings.get(name, 0) == 1
        }
        for expr in collector.saved:
            value = args.constant(expr)
            if value is UNKNOWN and isinstance(expr, cst.Name):
                value = facts.constants.get(expr.value)
            if isinstance(value, str) and value:
                facts.saved_paths.add(value.rstrip("/").removeprefix("./"))
        return facts


_COLLECTOR: type | None = None


def _ignore(node: Any) -> None:
    """`walk`'s leave callback: the collector only visits."""


def _collector_class() -> type:
    """A libcst visitor (built on first use, so importing this module stays libcst-free)."""
    global _COLLECTOR
    if _COLLECTOR is not None:
        return _COLLECTOR

    class Collector(cst.CSTVisitor):
        def __init__(self, names: set[str], args: Any) -> None:
            super().__init__()
            self.names = names
            self.args = args
            self.bindings: dict[str, int] = {}
            self.saved: list[Any] = []

        def _bind(self, target: Any) -> None:
            if isinstance(target, cst.Name):
                if target.value in self.names:
                    self.bindings[target.value] = self.bindings.get(target.value, 0) + 1
            elif isinstance(target, (cst.Tuple, cst.List)):
                for element in target.elements:
                    self._bind(element.value)
            elif isinstance(target, cst.StarredElement):
                self._bind(target.value)

        def visit_AssignTarget(self, node: Any) -> None:
            self._bind(node.target)

        def visit_AnnAssign(self, node: Any) -> None:
            self._bind(node.target)

        def visit_AugAssign(self, node: Any) -> None:
            self._bind(node.target)

        def visit_NamedExpr(self, node: Any) -> None:
            self._bind(node.target)

        def visit_For(self, node: Any) -> None:
            self._bind(node.target)

        def visit_CompFor(self, node: Any) -> None:
            self._bind(node.target)

        def visit_AsName(self, node: Any) -> None:
            self._bind(node.name)

        def visit_Param(self, node: Any) -> None:
            self._bind(node.name)

        def visit_Global(self, node: Any) -> None:
            for item in node.names:
                self._bind(item.name)
                self._bind(item.name)  # `global X` means X is rebound elsewhere

        def visit_FunctionDef(self, node: Any) -> None:
            self._bind(node.name)

        def visit_ClassDef(self, node: Any) -> None:
            self._bind(node.name)

        def visit_ImportAlias(self, node: Any) -> None:
            if node.asname is None and isinstance(node.name, cst.Name):
                self._bind(node.name)

        def visit_Call(self, node: Any) -> None:
            func = node.func
            method = func.attr.value if isinstance(func, cst.Attribute) else None
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value in _SAVE_KEYWORDS:
                    self.saved.append(arg.value)
            if method in _SAVE_METHODS:
                first = self.args.get(node, "save_directory", 0)
                if first is not None and not first.star:
                    self.saved.append(first.value)

    _COLLECTOR = Collector
    return Collector
