"""AIS107 hub-download-unpinned, AIS108 torch-hub-load, AIS109 keras-unsafe-deserialization,
AIS110 dangerous-deserialization.

The fixture scripts under tests/data/ml_scripts_b/ are only scanned, never executed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import libcst
import pytest
from aisec.hooks import Applicability, Confidence, Severity
from aisec.plugins.model_loading.keras_unsafe import KerasUnsafeDeserialization
from aisec.plugins.model_loading.langchain_deserialization import DangerousDeserialization
from aisec.plugins.model_loading.torch_hub import TorchHubLoad
from aisec.plugins.model_loading.unpinned_hub_download import UnpinnedHubDownload
from aisec.testing import check_source
from conftest import CliResult, finding_rows, fixture_project

SELECT = "AIS107,AIS108,AIS109,AIS110"
FIXTURES = Path(__file__).parent / "data" / "ml_scripts_b"
SHA = "0123456789abcdef0123456789abcdef01234567"

Run = Callable[..., CliResult]

# ---------------------------------------------------------------- rule examples and registration


def test_rules_are_registered(run_cli: Run) -> None:
    result = run_cli(["rules"])
    for code, name in [
        ("AIS107", "hub-download-unpinned"),
        ("AIS108", "torch-hub-load"),
        ("AIS109", "keras-unsafe-deserialization"),
        ("AIS110", "dangerous-deserialization"),
    ]:
        assert any(line.split()[:2] == [code, name] for line in result.out.splitlines()), result.out


# ---------------------------------------------------------------- the fixture suite

EXPECTED_FIXTURE_FINDINGS = [
    # (path, line, code, severity, confidence)
    ("finetune_llm.py", 29, "AIS107", "medium", "high"),  # load_dataset("acme-ml/support-tickets")
    ("finetune_llm.py", 31, "AIS107", "medium", "high"),  # revision="main"
    ("finetune_llm.py", 58, "AIS107", "medium", "high"),  # PeftModel.from_pretrained(base, ADAPTER_ID)
    ("keras_inference.py", 24, "AIS109", "medium", "high"),  # legacy .h5: safe_mode not applied
    ("keras_inference.py", 25, "AIS109", "high", "high"),  # safe_mode=False
    ("keras_inference.py", 26, "AIS109", "medium", "medium"),  # safe_mode=trusted
    ("keras_inference.py", 27, "AIS107", "medium", "high"),  # from_pretrained_keras
    ("keras_inference.py", 32, "AIS109", "high", "high"),  # enable_unsafe_deserialization()
    ("rag_service.py", 19, "AIS107", "medium", "high"),  # HuggingFaceEmbeddings(model_name=...)
    ("rag_service.py", 21, "AIS107", "medium", "high"),  # CrossEncoder(...)
    ("rag_service.py", 24, "AIS110", "high", "high"),  # FAISS.load_local(..., True)
    ("rag_service.py", 25, "AIS110", "medium", "medium"),  # ...=ALLOW_PICKLE
    ("rag_service.py", 28, "AIS107", "medium", "high"),  # revision="v1.0"
    ("rag_service.py", 30, "AIS107", "medium", "high"),  # pipeline(model="facebook/bart-large-cnn")
    ("rag_service.py", 34, "AIS110", "high", "medium"),  # store_cls.load_local(...)
    ("rag_service.py", 49, "AIS110", "medium", "medium"),  # loads(await request.body())
    ("vision_hub_notebook.py", 10, "AIS108", "high", "high"),  # unpinned repo
    ("vision_hub_notebook.py", 11, "AIS108", "high", "high"),  # tag + trust_repo=True
    ("vision_hub_notebook.py", 12, "AIS108", "medium", "high"),  # pinned to a commit
    ("vision_hub_notebook.py", 13, "AIS108", "low", "high"),  # source="local"
    ("vision_hub_notebook.py", 16, "AIS108", "high", "high"),  # load_state_dict_from_url(url)
    ("vision_hub_notebook.py", 20, "AIS108", "high", "high"),  # model_zoo.load_url(weights_only=False)
    ("vision_hub_notebook.py", 23, "AIS107", "medium", "high"),  # timm hf-hub: without @sha
]

# Lines that look like the positives but are safe (or are comments/docstrings): never reported,
# each with a text that proves the line is the look-alike it is meant to be.
FIXTURE_LOOK_ALIKES = {
    "finetune_llm.py": {
        3: "--base-model mistralai/Mistral-7B-v0.1",  # docstring
        4: "AutoModel.from_pretrained(...)",  # docstring
        30: 'load_dataset("json", data_files=',  # packaged builder, local files
        36: "revision=BASE_REVISION",  # pinned through module constants
        42: "from_pretrained(args.base_model",  # a CLI argument: unresolved ids are opt-in
        37: "AutoModelForCausalLM.from_pretrained(",  # pinned (multi-line call)
        56: "revision=BASE_REVISION",
        57: "PeftModel.from_pretrained(base, OUTPUT_DIR)",  # a folder this file saves to
        59: "local_files_only=True",
        60: '"models/intent-classifier"',  # exists next to the script
        62: "from_pretrained(export_dir)",  # os.path.join(...)
    },
    "keras_inference.py": {
        14: "hf_hub_download(",  # revision=CLASSIFIER_REVISION (40-hex)
        19: "keras.models.load_model(path)",
        23: "keras.config.enable_unsafe_deserialization()",  # comment
    },
    "rag_service.py": {
        20: "revision=ENCODER_SHA",
        23: "# FAISS.load_local",  # comment
        26: "allow_dangerous_deserialization=False",
        29: "model=generator_model",  # a model object, not an id
        44: "dumps(best)",
    },
    "vision_hub_notebook.py": {
        2: "torch.hub",  # comment
        17: "load_state_dict_from_url(",  # weights_only=True, check_hash=True
        24: "timm.create_model(",  # pinned with @<sha>
        27: 'timm.create_model("resnet50"',  # an architecture, not a Hub repo
    },
}


def test_fixture_suite_line_by_line(run_cli: Run, tmp_path: Path) -> None:
    root = fixture_project(FIXTURES, tmp_path)
    result = run_cli(["check", "--select", SELECT, "--format", "json", "."], cwd=root)
    assert result.code == 1
    found = finding_rows(result)
    assert found == EXPECTED_FIXTURE_FINDINGS
    reported = {(path, line) for path, line, *_ in found}
    for path, look_alikes in FIXTURE_LOOK_ALIKES.items():
        lines = (root / path).read_text(encoding="utf-8").splitlines()
        for line, text in look_alikes.items():
            assert (path, line) not in reported
            assert text in lines[line - 1], (path, line, lines[line - 1])


def test_local_folders_resolve_next_to_the_file_from_any_cwd(run_cli: Run, tmp_path: Path) -> None:
    """The local folder that makes line 60 safe is resolved next to the file, from any cwd."""
    root = fixture_project(FIXTURES, tmp_path / "project")
    result = run_cli(
        ["check", "--select", "AIS107", "--format", "json", "project/finetune_llm.py"], cwd=tmp_path
    )
    lines = [f["line"] for f in result.json()["findings"]]
    assert lines == [29, 31, 58]
    assert (root / "models" / "intent-classifier" / "config.json").is_file()


# ---------------------------------------------------------------- AIS107 allowed-orgs option


def test_allowed_orgs_from_pyproject(run_cli: Run, tmp_path: Path) -> None:
    pyproject = (
        '[project]\nname = "support-bot"\n\n[tool.aisec.rule-options.AIS107]\nallowed-orgs = ["acme-ml"]\n'
    )
    root = fixture_project(FIXTURES, tmp_path, pyproject)
    result = run_cli(["check", "--select", "AIS107", "--format", "json", "."], cwd=root)
    assert result.code == 1
    expected = [
        item
        for item in EXPECTED_FIXTURE_FINDINGS
        if item[2] == "AIS107"
        and (item[0], item[1]) not in {("finetune_llm.py", 29), ("finetune_llm.py", 58)}
    ]
    assert finding_rows(result) == expected


def test_allowed_orgs_is_case_insensitive_and_per_org(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[tool.aisec.rule-options.AIS107]\nallowed-orgs = ["Acme-ML", "internal"]\n', encoding="utf-8"
    )
    (tmp_path / "app.py").write_text(
        textwrap.dedent(
            """\
            from huggingface_hub import snapshot_download
            from transformers import AutoModel
            a = AutoModel.from_pretrained("acme-ml/encoder")
            b = snapshot_download("internal/weights")
            c = AutoModel.from_pretrained("acme-ml-evil/encoder")
            d = AutoModel.from_pretrained("gpt2")
            """
        ),
        encoding="utf-8",
    )
    result = run_cli(["check", "--select", "AIS107", "--format", "json", "app.py"], cwd=tmp_path)
    assert [(f["line"], f["confidence"]) for f in result.json()["findings"]] == [(5, "high"), (6, "medium")]


def test_allowed_orgs_bad_value_is_an_error_naming_the_option(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        "[tool.aisec.rule-options.AIS107]\nallowed-orgs = 3\n", encoding="utf-8"
    )
    (tmp_path / "app.py").write_text(
        'from transformers import AutoModel\nAutoModel.from_pretrained("org/m")\n', encoding="utf-8"
    )
    result = run_cli(["check", "--select", "AIS107", "--format", "json", "app.py"], cwd=tmp_path)
    # checked at start-up against the options the rule declares: one line, before any scanning
    assert result.code == 2 and result.out == ""
    assert "`tool.aisec.rule-options.AIS107.allowed-orgs` must be a list" in result.err
    assert len(result.err.splitlines()) == 1


# ---------------------------------------------------------------- AIS107 details


def _ais107(source: str, **kwargs: object) -> list[tuple[int, Severity, Confidence]]:
    findings = check_source(UnpinnedHubDownload, textwrap.dedent(source), **kwargs)
    return [(f.location.line, f.severity, f.confidence) for f in findings]


@pytest.mark.parametrize(
    ("model_id", "files", "reported"),
    [
        ("org/model", {}, True),
        ("org/model.v2", {}, True),
        ("./org/model", {}, False),
        ("/org/model", {}, False),
        ("~/org/model", {}, False),
        ("org/model", {"org/model/config.json": "{}"}, False),  # exists next to the file
        ("org/model/extra", {}, False),  # two slashes: a path
        ("org/model.json", {}, False),  # a file
        ("C:/models/bert", {}, False),
        ("https://huggingface.co/org/model", {}, False),
        ("org/my model", {}, False),  # not Hub characters
    ],
)
def test_what_counts_as_a_hub_id(model_id: str, files: dict[str, str], reported: bool) -> None:
    source = f"from transformers import AutoModel\nAutoModel.from_pretrained({model_id!r})\n"
    assert bool(_ais107(source, files=files)) is reported


def test_paths_are_resolved_against_the_project_root_too() -> None:
    # The snippet lives in src/; the folder is at the project root, not next to the file.
    source = "from transformers import AutoModel\nAutoModel.from_pretrained('models/bert')\n"
    files = {"models/bert/config.json": "{}", "pyproject.toml": '[project]\nname = "x"\n'}
    assert _ais107(source, files=files) == []
    assert check_source(UnpinnedHubDownload, source, files=files, filename="src/app.py") == []
    assert len(check_source(UnpinnedHubDownload, source, filename="src/app.py")) == 1


def test_revision_values() -> None:
    found = _ais107(
        f"""\
        from transformers import AutoModel
        PINNED = "{SHA}"
        a = AutoModel.from_pretrained("org/m", revision="{SHA}")
        b = AutoModel.from_pretrained("org/m", revision=PINNED)
        c = AutoModel.from_pretrained("org/m", revision="{SHA.upper()}")
        d = AutoModel.from_pretrained("org/m", revision="{SHA[:7]}")
        e = AutoModel.from_pretrained("org/m", revision=None)
        f = AutoModel.from_pretrained("org/m", revision=cfg.revision)
        g = AutoModel.from_pretrained("org/m", **load_kwargs)
        h = AutoModel.from_pretrained("org/m", local_files_only=True, revision="main")
        """
    )
    assert found == [
        (6, Severity.MEDIUM, Confidence.HIGH),  # a short sha is not a pin
        (7, Severity.MEDIUM, Confidence.HIGH),
        (8, Severity.MEDIUM, Confidence.LOW),
        (9, Severity.MEDIUM, Confidence.LOW),
    ]


def test_messages_say_what_is_wrong() -> None:
    source = textwrap.dedent(
        """\
        from transformers import AutoModel
        a = AutoModel.from_pretrained("org/m")
        b = AutoModel.from_pretrained("org/m", revision="v1.0")
        c = AutoModel.from_pretrained(name)
        d = AutoModel.from_pretrained("org/m", revision=rev)
        """
    )
    options = {"report-unresolved-ids": True}
    messages = [f.message for f in check_source(UnpinnedHubDownload, source, options=options)]
    assert "without a pinned revision" in messages[0] and "revision='<40-hex commit sha>'" in messages[0]
    assert "'v1.0', a branch or tag that can be moved (mutable)" in messages[1]
    assert "unknown model id" in messages[2]
    assert "revision aisec cannot read" in messages[3]


def test_module_constants_are_followed_only_when_never_rebound() -> None:
    found = _ais107(
        """\
        from transformers import AutoModel
        MODEL = "org/model"
        LOCAL = "org/other"
        LOCAL = "./checkpoints"

        def load(MODEL_NAME=MODEL):
            return AutoModel.from_pretrained(MODEL)

        def load_local():
            return AutoModel.from_pretrained(LOCAL)
        """,
        options={"report-unresolved-ids": True},
    )
    # line 7: the constant; line 10: LOCAL is bound twice, so it is an unknown id
    assert found == [(7, Severity.MEDIUM, Confidence.HIGH), (10, Severity.MEDIUM, Confidence.MEDIUM)]


def test_expressions_that_are_paths_or_objects_are_not_unknown_ids() -> None:
    found = _ais107(
        f"""\
        import os
        import tempfile
        from pathlib import Path
        from huggingface_hub import hf_hub_download, snapshot_download
        from transformers import AutoModel, AutoTokenizer, pipeline
        a = AutoModel.from_pretrained(Path("runs") / "best")
        b = AutoModel.from_pretrained(str(Path(out_dir, "final")))
        tmp = tempfile.mkdtemp()
        c = AutoModel.from_pretrained(tmp)
        folder = snapshot_download("org/m", revision="{SHA}")
        d = AutoModel.from_pretrained(folder)
        model = AutoModel.from_pretrained(os.path.expanduser("~/models/m"))
        tok = AutoTokenizer.from_pretrained(os.environ["TOKENIZER"])
        clf = pipeline("ner", model=model, tokenizer=tok)
        """,
        options={"report-unresolved-ids": True},
    )
    assert found == [(13, Severity.MEDIUM, Confidence.MEDIUM)]  # os.environ[...] is an unknown id


def test_folders_the_file_writes_to_are_local() -> None:
    found = _ais107(
        f"""\
        from huggingface_hub import snapshot_download
        from transformers import AutoModel, TrainingArguments
        snapshot_download("org/base", revision="{SHA}", local_dir="models/base")
        base = AutoModel.from_pretrained("models/base")
        args = TrainingArguments(output_dir="runs")
        best = AutoModel.from_pretrained("runs/best")
        other = AutoModel.from_pretrained("runs2/best")
        """
    )
    assert found == [(7, Severity.MEDIUM, Confidence.HIGH)]


def test_hub_functions_and_positions() -> None:
    found = _ais107(
        f"""\
        import datasets
        from huggingface_hub import HfApi
        from peft import AutoPeftModelForCausalLM, PeftModel
        from sentence_transformers import SentenceTransformer
        from transformers import pipeline
        api = HfApi()
        a = api.hf_hub_download("org/m", "model.safetensors")
        b = datasets.load_dataset("imdb")
        c = datasets.load_dataset("parquet", data_files="d/*.parquet")
        d = PeftModel.from_pretrained(base, model_id="org/adapter", revision="{SHA}")
        e = AutoPeftModelForCausalLM.from_pretrained("org/adapter")
        f = SentenceTransformer(model_name_or_path="all-MiniLM-L6-v2")
        g = pipeline(task="ner", model="org/ner")
        h = pipeline("ner")
        """
    )
    assert found == [
        (7, Severity.MEDIUM, Confidence.HIGH),
        (8, Severity.MEDIUM, Confidence.MEDIUM),  # legacy id without an org
        (11, Severity.MEDIUM, Confidence.HIGH),
        (12, Severity.MEDIUM, Confidence.MEDIUM),
        (13, Severity.MEDIUM, Confidence.HIGH),
    ]


def test_subclasses_of_hub_classes_and_user_classes() -> None:
    found = _ais107(
        """\
        from huggingface_hub import PyTorchModelHubMixin
        import torch

        class Net(torch.nn.Module, PyTorchModelHubMixin):
            pass

        class Child(Net):
            pass

        class Registry:
            @classmethod
            def from_pretrained(cls, name):
                return cls()

        a = Net.from_pretrained("org/net")
        b = Child.from_pretrained("org/child")
        c = Registry.from_pretrained("org/registry")
        """
    )
    assert [line for line, *_ in found] == [15, 16]


# ---------------------------------------------------------------- AIS108 details


def test_torch_hub_variants() -> None:
    source = textwrap.dedent(
        f"""\
        import torch
        a = torch.hub.load("owner/repo:{SHA}", "m", trust_repo=True)
        b = torch.hub.load(REPO_DIR, "m", source="local")
        c = torch.hub.load("owner/repo", "m", source=SOURCE)
        d = torch.hub.help("owner/repo:main", "m")
        e = torch.hub.load_state_dict_from_url(url, check_hash=True)
        f = torch.hub.load_state_dict_from_url(url, weights_only=flag)
        g = torch.hub.load_state_dict_from_url(url, **opts)
        h = torch.hub.download_url_to_file(url, "w.pt")
        """
    )
    found = [(f.location.line, f.severity, f.confidence) for f in check_source(TorchHubLoad, source)]
    assert found == [
        (2, Severity.MEDIUM, Confidence.HIGH),
        (3, Severity.MEDIUM, Confidence.MEDIUM),
        (4, Severity.HIGH, Confidence.MEDIUM),
        (5, Severity.HIGH, Confidence.HIGH),
        (6, Severity.MEDIUM, Confidence.HIGH),
        (7, Severity.MEDIUM, Confidence.MEDIUM),
        (8, Severity.HIGH, Confidence.LOW),
    ]
    messages = [f.message for f in check_source(TorchHubLoad, source)]
    assert "trust_repo=True" in messages[0]
    assert "'main', a branch or tag" in messages[3]
    assert "check_hash=True pins the content" in messages[4]


TORCH_HUB_SCRIPT = """\
import torch


def weights(url):
    return torch.hub.load_state_dict_from_url(
        url,
        map_location="cpu",
    )
"""
TORCH_HUB_FIXED = """\
import torch


def weights(url):
    return torch.hub.load_state_dict_from_url(
        url,
        map_location="cpu",
        weights_only=True,
    )
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_torch_hub_fix_is_unsafe_and_applies_with_unsafe_fixes(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"weights.py": TORCH_HUB_SCRIPT})
    result = run_cli(["check", "--select", "AIS108", "--fix", "weights.py"], cwd=root)
    assert result.code == 1
    assert (root / "weights.py").read_text() == TORCH_HUB_SCRIPT

    result = run_cli(["check", "--select", "AIS108", "--diff", "--unsafe-fixes", "weights.py"], cwd=root)
    assert "+        weights_only=True," in result.out
    assert (root / "weights.py").read_text() == TORCH_HUB_SCRIPT

    result = run_cli(["check", "--select", "AIS108", "--fix", "--unsafe-fixes", "weights.py"], cwd=root)
    assert result.code == 0
    assert (root / "weights.py").read_text() == TORCH_HUB_FIXED


def test_torch_hub_fix_flips_an_explicit_false() -> None:
    source = "import torch\nsd = torch.hub.load_state_dict_from_url(url, weights_only=False)\n"
    [finding] = check_source(TorchHubLoad, source)
    assert finding.fix is not None and finding.fix.applicability == Applicability.UNSAFE
    assert check_source(TorchHubLoad, source, fix=Applicability.UNSAFE) == []


# ---------------------------------------------------------------- AIS109 details

KERAS_SCRIPT = """\
import keras

model = keras.models.load_model(
    "model.keras",
    compile=False,
    safe_mode=False,  # the model has a Lambda layer
)
"""


def test_keras_fix_removes_safe_mode_false(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"infer.py": KERAS_SCRIPT})
    result = run_cli(["check", "--select", "AIS109", "--fix", "--unsafe-fixes", "infer.py"], cwd=root)
    assert result.code == 0
    fixed = (root / "infer.py").read_text()
    libcst.parse_module(fixed)
    assert "safe_mode" not in fixed
    assert "compile=False," in fixed


def test_keras_positional_safe_mode_and_scope() -> None:
    source = textwrap.dedent(
        """\
        import keras
        from keras.src.saving.serialization_lib import SafeModeScope
        a = keras.saving.load_model(p, None, True, False)
        b = keras.saving.load_model(p, None, False)
        with SafeModeScope(False):
            c = keras.saving.deserialize_keras_object(cfg)
        d = keras.utils.deserialize_keras_object(cfg, None, True)
        """
    )
    assert [f.location.line for f in check_source(KerasUnsafeDeserialization, source)] == [3, 5]


# ---------------------------------------------------------------- AIS110 details


def test_langchain_loader_widening_arguments() -> None:
    source = textwrap.dedent(
        """\
        from langchain_core.load import load, loads
        a = loads(text)
        b = loads(text, secrets_from_env=False)
        c = loads(text, secrets_from_env=True)
        d = load(obj, valid_namespaces=["mypkg"])
        e = load(obj, valid_namespaces=None)
        f = loads(text, additional_import_mappings=mapping)
        g = loads(text, allowed_objects=[AIMessage])
        h = loads(text, allowed_objects="messages")
        i = loads(text, allowed_objects=("core"), secrets_from_env=True)
        j = loads(text, allowed_objects=[*extra])
        k = loads(text, allowed_objects=ALLOWED)
        """
    )
    findings = check_source(DangerousDeserialization, source)
    found = [(f.location.line, f.severity) for f in findings]
    assert found == [
        (2, Severity.MEDIUM),
        (3, Severity.MEDIUM),
        (4, Severity.HIGH),
        (5, Severity.HIGH),
        (6, Severity.MEDIUM),
        (7, Severity.HIGH),
        (10, Severity.HIGH),  # narrowed, but secrets_from_env=True widens it again
        (11, Severity.MEDIUM),  # a list aisec cannot see into
        (12, Severity.MEDIUM),
    ]
    assert all("secrets" not in f.message for f in findings if f.severity == Severity.MEDIUM)


def test_dangerous_flag_outside_langchain_is_not_reported() -> None:
    source = textwrap.dedent(
        """\
        from myapp.stores import VectorIndex
        from llama_index.core import StorageContext
        a = VectorIndex.load_local(p, allow_dangerous_deserialization=True)
        b = StorageContext.from_defaults(persist_dir=p, allow_dangerous_deserialization=True)
        """
    )
    # line 3: a project's own class; line 4: any llama_index call that is given the flag
    assert [f.location.line for f in check_source(DangerousDeserialization, source)] == [4]
