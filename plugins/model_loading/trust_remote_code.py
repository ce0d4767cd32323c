"""AIS106: `trust_remote_code=True`, which runs Python code downloaded with a model or dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from aisec.hooks import UNKNOWN, Confidence, Example, Rule, Severity, cst

if TYPE_CHECKING:
    import libcst

KEYWORD = "trust_remote_code"
# Top-level packages whose loaders accept `trust_remote_code` and honour it by importing code
# that ships with the model, tokenizer, pipeline or dataset.
PACKAGES = frozenset(
    {
        "transformers",
        "datasets",
        "sentence_transformers",
        "vllm",
        "huggingface_hub",
        "peft",
        "optimum",
        "accelerate",
        "langchain_huggingface",
        "langchain_community",
        "llama_index",
        "modelscope",
    }
)
# Keyword arguments that are forwarded as keyword arguments to a loader (`model_kwargs=`).
_FORWARDED = ("model_kwargs", "tokenizer_kwargs", "config_kwargs")


class TrustRemoteCode(Rule):
    code = "AIS106"
    name = "trust-remote-code"
    summary = "`trust_remote_code=True`: running Python code that ships with a downloaded model or dataset"
    severity = Severity.HIGH
    cwe = "CWE-494"
    triggers = (KEYWORD,)
    # A callee resolved into one of the packages, or any `<something>.from_pretrained`
    # (resolved elsewhere or not at all).
    qualified_names = (
        *sorted(PACKAGES),
        *(f"{package}.*" for package in sorted(PACKAGES)),
        "*.from_pretrained",
    )
    description = (
        "Any call that passes `trust_remote_code=True` (or a value that is not a literal: medium "
        "severity, low confidence) to a callee resolved into "
        + ", ".join(f"`{name}`" for name in sorted(PACKAGES))
        + ", or to any `.from_pretrained(...)` (for example `transformers.AutoModel.from_pretrained`, "
        "`transformers.AutoTokenizer.from_pretrained`, `peft.PeftModel.from_pretrained`, or a class "
        "held in a variable; when aisec cannot resolve the class, as in "
        "`MODEL_CLASSES[arch].from_pretrained`, confidence is medium). Also found: `**{'trust_remote_code': True}` and the keyword inside a "
        "dict literal or `dict(...)` given as `model_kwargs=`, `tokenizer_kwargs=` or "
        "`config_kwargs=` (LangChain's "
        "`HuggingFaceEmbeddings(model_kwargs={...})`, `pipeline(model_kwargs={...})`), and a dict "
        "held in a name that is spread or forwarded (`LOAD_KWARGS = {'trust_remote_code': True}` "
        "then `from_pretrained(name, **LOAD_KWARGS)`; also `kwargs['trust_remote_code'] = True`), "
        "following the latest assignment before the call, when the flag in it is a literal (a "
        "dict forwarding a variable passes on the caller's choice and is not reported). Examples of "
        "canonical names: `transformers.pipeline`, `transformers.AutoConfig.from_pretrained`, "
        "`datasets.load_dataset`, `sentence_transformers.SentenceTransformer`, `vllm.LLM`. "
        "`trust_remote_code=False` is not reported, nor is a project's own function that happens "
        "to take the keyword."
    )
    rationale = (
        "With `trust_remote_code=True`, transformers, datasets, sentence-transformers and vLLM "
        "import the Python files of the model or dataset repository (`modeling_*.py`, loading "
        "scripts) and run them in your process. Whoever can push to that repository, or take it "
        "over, runs code on every machine that loads it, and an unpinned revision picks up new "
        "code on the next download."
    )
    remediation = (
        "Use an architecture your installed library supports natively and drop the flag. If the "
        "custom code is needed, review it, pin the repository to the reviewed 40-character commit "
        "with `revision=` (see AIS107), or vendor the code into your project and load from a local "
        "path; then suppress the reviewed call with `# aisec: ignore[AIS106] reviewed at <sha>`."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/494.html",
        "https://huggingface.co/docs/transformers/models#custom-models",
        "https://huggingface.co/docs/hub/security",
    )
    invalid = (
        "from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained(\n    'acme/chat-7b', trust_remote_code=True\n)\n",
        "import transformers as hf\ngen = hf.pipeline('text-generation', model=name, trust_remote_code=True)\n",
        "from datasets import load_dataset as ld\nds = ld('acme/corpus', trust_remote_code=True)\n",
        "from sentence_transformers import SentenceTransformer\nenc = SentenceTransformer('acme/embed', trust_remote_code=True)\n",
        "import vllm\nllm = vllm.LLM(model='acme/chat', trust_remote_code=True)\n",
        "def build(name):\n    from transformers import AutoConfig\n    return AutoConfig.from_pretrained(name, trust_remote_code=True)\n",
        "import transformers\nauto = transformers.AutoTokenizer\ntok = auto.from_pretrained(name, trust_remote_code=True)\n",
        "model = MODEL_CLASSES[arch].from_pretrained(path, trust_remote_code=True)\n",
        Example(
            "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(name, trust_remote_code=args.trust_remote_code)\n",
            expect=1,
        ),
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(name, **{'trust_remote_code': True})\n",
        "from langchain_huggingface import HuggingFaceEmbeddings\nemb = HuggingFaceEmbeddings(model_name=name, model_kwargs={'trust_remote_code': True})\n",
        "from transformers import AutoModel, AutoTokenizer\n\nLOAD_KWARGS = {'trust_remote_code': True, 'torch_dtype': 'auto'}\n\n"
        "def load(name):\n    return AutoTokenizer.from_pretrained(name, **LOAD_KWARGS), AutoModel.from_pretrained(name, **LOAD_KWARGS)\n",
        "from transformers import AutoModel\n\ndef load(name, **kwargs):\n    kwargs['trust_remote_code'] = True\n"
        "    return AutoModel.from_pretrained(name, **kwargs)\n",
    )
    valid = (
        "from transformers import AutoModelForCausalLM\n\nmodel = AutoModelForCausalLM.from_pretrained('gpt2', revision='607a30d783dfa663caf39e06633721c8d4cfcd7e')\n",
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained(name, trust_remote_code=False)\n",
        "import json\nconfig = json.load(open('config.json'))\n",
        "def load(name, trust_remote_code=False):\n    return name\n\nmodel = load('acme/chat', trust_remote_code=True)\n",
        "from transformers import AutoModel\nmodel = AutoModel.from_pretrained('./local_model')\nmodel.load_state_dict(state)\n",
        "# trust_remote_code=True is forbidden here\nnote = 'never pass trust_remote_code=True'\n",
        "from datasets import load_dataset\nds = load_dataset('imdb', trust_remote_code=None)\n",
        "import pickle\nblob = pickle.dumps(obj)\nopts = {'trust_remote_code': True}\n",
        "from transformers import AutoModel\nLOAD_KWARGS = {'trust_remote_code': True}\nLOAD_KWARGS = {'torch_dtype': 'auto'}\n"
        "model = AutoModel.from_pretrained(name, **LOAD_KWARGS)\n",
        "from transformers import AutoModel\n\ndef a():\n    kwargs = {'trust_remote_code': True}\n    return kwargs\n\n"
        "def b(name, **kwargs):\n    return AutoModel.from_pretrained(name, **kwargs)\n",
        "from transformers import AutoModel\n\ndef load(name, trust_remote_code=False):\n"
        "    kwargs = {'trust_remote_code': trust_remote_code}\n    return AutoModel.from_pretrained(name, **kwargs)\n",
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        # Per scope (module, then each enclosing function): name -> the flag in the dict it holds;
        # a function's parameters start out as None (unknown dicts), shadowing outer ones.
        self._frames: list[dict[str, Any]] = [{}]

    def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
        params = node.params
        names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
        names += [p.name.value for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        self._frames.append(dict.fromkeys(names))

    def leave_FunctionDef(self, original_node: libcst.FunctionDef) -> None:
        self._frames.pop()

    def _dict_flag(self, name: str) -> Any:
        for frame in reversed(self._frames):
            if name in frame:
                return frame[name]
        return None

    def visit_Assign(self, node: libcst.Assign) -> None:
        frame = self._frames[-1]
        for target in node.targets:
            target = target.target
            if isinstance(target, cst.Name):
                frame[target.value] = self._literal_flag(_from_mapping(node.value))
            elif (
                isinstance(target, cst.Subscript)
                and isinstance(target.value, cst.Name)
                and len(target.slice) == 1
                and isinstance(target.slice[0].slice, cst.Index)
                and self.args.constant(target.slice[0].slice.value) == KEYWORD
            ):
                frame[target.value.value] = self._literal_flag(node.value)

    def _literal_flag(self, expr: Any) -> Any:
        """Dicts held in names are followed for a literal flag only: a forwarded variable
        (`{"trust_remote_code": trust_remote_code}` in a library) is the caller's choice."""
        return expr if expr is not None and self.args.constant(expr) is not UNKNOWN else None

    def visit_Call(self, node: libcst.Call) -> None:
        found = _find_flag(node, self._dict_flag)
        if found is None:
            return
        qualified = self.qualified_name(node.func)
        if qualified is not None and qualified.split(".", 1)[0] in PACKAGES:
            confidence = None
            shown = qualified
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "from_pretrained":
            # A resolved class outside the known packages, or one aisec cannot resolve
            # (`MODEL_CLASSES[arch].from_pretrained`): the method name is Hugging Face's convention.
            confidence = None if qualified is not None else Confidence.MEDIUM
            shown = qualified or "from_pretrained"
        else:
            return
        value = self.args.constant(found)
        if value is UNKNOWN:
            self.report(
                node,
                f"`{shown}` with a `trust_remote_code` value aisec cannot read; if it can be true, "
                "Python code from the model repository runs in this process",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
            )
        elif value:
            self.report(
                node,
                f"`{shown}` with `trust_remote_code=True` runs Python code downloaded with the model "
                "or dataset; review it and pin `revision=` to a commit, or drop the flag",
                confidence=confidence,
            )


def _find_flag(call: libcst.Call, dict_flag: Callable[[str], Any]) -> Any:
    """The expression given for `trust_remote_code` in `call`, or None when it is not passed;
    `dict_flag(name)` is the flag in the dict a name holds."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == KEYWORD:
            return arg.value
        if arg.star == "**" or (arg.keyword is not None and arg.keyword.value in _FORWARDED):
            value = _from_mapping(arg.value)
            if value is None and isinstance(arg.value, cst.Name):
                value = dict_flag(arg.value.value)
            if value is not None:
                return value
    return None


def _from_mapping(expr: libcst.BaseExpression) -> Any:
    """`{'trust_remote_code': v}` or `dict(trust_remote_code=v)` -> v; None otherwise."""
    if isinstance(expr, cst.Dict):
        for element in expr.elements:
            if (
                isinstance(element, cst.DictElement)
                and isinstance(element.key, cst.SimpleString)
                and element.key.evaluated_value == KEYWORD
            ):
                return element.value
    elif isinstance(expr, cst.Call) and isinstance(expr.func, cst.Name) and expr.func.value == "dict":
        for arg in expr.args:
            if arg.keyword is not None and arg.keyword.value == KEYWORD:
                return arg.value
    return None
