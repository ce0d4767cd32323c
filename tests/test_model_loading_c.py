"""Precision and recall details of the model-loading rules that examples cannot state: the
confidence of calls on modules the file never imports, where references and partials are
reported, peers' pickles, Unpickler subclasses, legacy Keras files and how AIS107 resolves ids.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aisec.hooks import Confidence, Severity
from aisec.plugins.model_loading.keras_unsafe import KerasUnsafeDeserialization
from aisec.plugins.model_loading.pickle_load import PickleLoad
from aisec.plugins.model_loading.torch_hub import TorchHubLoad
from aisec.plugins.model_loading.torch_load import TorchLoadUnsafe
from aisec.plugins.model_loading.unpinned_hub_download import UnpinnedHubDownload
from aisec.plugins.model_loading.yaml_load import YamlLoad
from aisec.testing import check_source

Run = Callable[..., Any]
SHA = "0123456789abcdef0123456789abcdef01234567"


def found(rule: Any, source: str, **kwargs: Any) -> list[tuple[int, Severity, Confidence]]:
    findings = check_source(rule, textwrap.dedent(source), **kwargs)
    return [(f.location.line, f.severity, f.confidence) for f in findings]


# ---------------------------------------------------------------- modules used without an import


def test_unimported_modules_are_reported_at_low_confidence() -> None:
    source = """\
        data = pickle.loads(blob)
        cfg = yaml.load(text)
        state = torch.load(path)
        """
    assert found(PickleLoad, source) == [(1, Severity.HIGH, Confidence.LOW)]
    assert [c for _, _, c in found(YamlLoad, source)] == [Confidence.LOW]
    assert [c for _, _, c in found(TorchLoadUnsafe, source)] == [Confidence.LOW]


def test_an_imported_module_keeps_its_confidence() -> None:
    assert found(PickleLoad, "import pickle\ndata = pickle.loads(blob)\n") == [
        (2, Severity.HIGH, Confidence.HIGH)
    ]


def test_assumed_modules_pass_the_prefilter_and_the_screen(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "cell.py").write_text("from helpers import *\nstate = pickle.loads(blob)\n", encoding="utf-8")
    (tmp_path / "plain.py").write_text("obj = pickle.loads(blob)\n", encoding="utf-8")
    result = run_cli(["check", "--select", "AIS101", "--format", "json", "."], cwd=tmp_path)
    rows = sorted((f["path"], f["line"], f["confidence"]) for f in result.json()["findings"])
    assert rows == [("cell.py", 2, "low"), ("plain.py", 1, "low")]


def test_a_module_name_the_file_binds_is_not_assumed() -> None:
    source = """\
        torch = None
        torch.load(path)

        def f(pickle):
            return pickle.loads(blob)
        """
    assert found(TorchLoadUnsafe, source) == []
    assert found(PickleLoad, source) == []


# ---------------------------------------------------------------- optional imports


def test_optional_import_fallback_does_not_hide_calls() -> None:
    source = """\
        try:
            import torch
            from huggingface_hub import hf_hub_download
        except ImportError:
            torch = None
            hf_hub_download = None

        def fetch():
            path = hf_hub_download("org/weights", "model.bin")
            return torch.load(path)
        """
    assert [line for line, *_ in found(TorchLoadUnsafe, source)] == [10]
    assert [line for line, *_ in found(UnpinnedHubDownload, source)] == [9]


# ---------------------------------------------------------------- objects a loader returned


def test_calling_a_loaded_model_is_not_another_load() -> None:
    source = f"""\
        import torch
        from transformers import AutoTokenizer

        class Tagger:
            def __init__(self):
                self.tok = AutoTokenizer.from_pretrained("org/tok", revision="{SHA}")
                self.net = torch.hub.load("owner/repo:{SHA}", "tagger")

            def __call__(self, text):
                return self.net(self.tok(text))

        def make():
            return torch.hub.load("owner/repo:{SHA}", "tagger")

        net = make()
        net(x)
        """
    assert [line for line, *_ in found(TorchHubLoad, source)] == [7, 13]
    assert found(UnpinnedHubDownload, source) == []


# ---------------------------------------------------------------- references and partials


def test_partial_of_torch_load_is_judged_by_its_keywords_without_a_fix() -> None:
    source = """\
        import functools
        import torch
        a = functools.partial(torch.load, weights_only=False)
        b = functools.partial(torch.load, map_location="cpu")
        c = functools.partial(torch.load, weights_only=True)
        d = functools.partial(torch.load, weights_only=flag)
        """
    findings = check_source(TorchLoadUnsafe, textwrap.dedent(source))
    assert [(f.location.line, f.severity) for f in findings] == [
        (3, Severity.HIGH),
        (4, Severity.HIGH),
        (6, Severity.MEDIUM),
    ]
    assert all(f.fix is None for f in findings)
    assert "weights_only=False" in findings[0].message


def test_references_are_reported_where_they_are_passed() -> None:
    source = """\
        import pickle
        from multiprocessing import Pool
        with Pool() as pool:
            objects = pool.map(pickle.load, handles)
        rows = list(map(len, handles))
        loader = pickle.load
        """
    findings = check_source(PickleLoad, textwrap.dedent(source))
    assert [(f.location.line, f.location.column) for f in findings] == [(4, 24)]
    assert "passed here to be called later" in findings[0].message


# ---------------------------------------------------------------- peers, subclasses, legacy files


def test_pickles_from_peers_are_low() -> None:
    source = """\
        import torch.distributed as dist
        from multiprocessing.connection import Client, Listener
        dist.gather_object(obj, out, dst=0)
        conn = Client(address)
        msg = conn.recv()
        with Listener(address) as listener:
            other = listener.accept().recv()
        """
    assert found(PickleLoad, source) == [
        (3, Severity.LOW, Confidence.HIGH),
        (5, Severity.LOW, Confidence.HIGH),
        (7, Severity.LOW, Confidence.HIGH),
    ]


def test_unpickler_subclasses_are_judged_by_find_class() -> None:
    source = """\
        import pickle

        class Renamer(pickle.Unpickler):
            def find_class(self, module, name):
                module = RENAMES.get(module, module)
                return pickle.Unpickler.find_class(self, module, name)

        class Strict(pickle.Unpickler):
            def find_class(self, module, name):
                return SAFE[(module, name)]

        class Logged(pickle.Unpickler):
            def find_class(self, module, name):
                def note():
                    raise RuntimeError
                log(module, name)
                return super().find_class(module, name)

        class Plain:
            def find_class(self, module, name):
                return super().find_class(module, name)
        """
    findings = check_source(PickleLoad, textwrap.dedent(source))
    assert [f.location.line for f in findings] == [3, 12]  # a nested function's raise is not a check
    assert "`Renamer` subclasses Unpickler" in findings[0].message


def test_legacy_keras_files_are_medium_and_safe_mode_false_stays_high() -> None:
    source = """\
        import keras
        a = keras.models.load_model("model.h5")
        b = keras.models.load_model("model.H5", safe_mode=False)
        c = keras.models.load_model(filepath="weights.hdf5")
        d = keras.models.load_model("model.keras")
        e = keras.models.load_model(path)
        """
    assert found(KerasUnsafeDeserialization, source) == [
        (2, Severity.MEDIUM, Confidence.HIGH),
        (3, Severity.HIGH, Confidence.HIGH),
        (4, Severity.MEDIUM, Confidence.HIGH),
    ]


# ---------------------------------------------------------------- AIS107 ids built in code


def test_ids_from_defaults_and_fstrings() -> None:
    source = """\
        from transformers import AutoModel

        def load(name="org/default", local="./ckpt", size="7b"):
            a = AutoModel.from_pretrained(name)
            b = AutoModel.from_pretrained(local)
            c = AutoModel.from_pretrained(f"meta-llama/Llama-2-{size}-hf")
            d = AutoModel.from_pretrained(f"acme/{size}")
            e = AutoModel.from_pretrained(f"models/{size}")
            f = AutoModel.from_pretrained(f"{size}/x")
            g = AutoModel.from_pretrained("meta-llama/" + size)
            h = AutoModel.from_pretrained(f"a/{size}/b")
            return a, b, c, d, e, f, g, h

        def other(name):
            return AutoModel.from_pretrained(name)
        """
    assert found(UnpinnedHubDownload, source, options={"allowed-orgs": ["acme"]}) == [
        (4, Severity.MEDIUM, Confidence.MEDIUM),
        (6, Severity.MEDIUM, Confidence.HIGH),
        (10, Severity.MEDIUM, Confidence.HIGH),
    ]
    messages = [f.message for f in check_source(UnpinnedHubDownload, textwrap.dedent(source))]
    assert "'org/default' (the default of parameter `name`)" in messages[0]
    assert "'meta-llama/Llama-2-{...}-hf'" in messages[1]


def test_unresolved_ids_are_opt_in() -> None:
    source = "from transformers import AutoModel\nm = AutoModel.from_pretrained(cfg.model)\n"
    assert found(UnpinnedHubDownload, source) == []
    assert found(UnpinnedHubDownload, source, options={"report-unresolved-ids": True}) == [
        (2, Severity.MEDIUM, Confidence.MEDIUM)
    ]


def test_loaded_objects_of_any_model_library_are_not_ids() -> None:
    source = """\
        import onnxruntime
        import torch
        from optimum.onnxruntime import ORTModelForSequenceClassification
        from transformers import pipeline
        a = ORTModelForSequenceClassification.from_pretrained("./onnx")
        b = torch.load("model.pt", weights_only=True)
        c = make_model()
        pipeline("text-classification", model=a)
        pipeline("text-classification", model=b)
        pipeline("text-classification", model=c)
        pipeline("text-classification", model=os.getenv("MODEL"))
        """
    assert found(UnpinnedHubDownload, source, options={"report-unresolved-ids": True}) == [
        (10, Severity.MEDIUM, Confidence.MEDIUM),
        (11, Severity.MEDIUM, Confidence.MEDIUM),
    ]


def test_a_bad_unresolved_option_is_a_config_error(run_cli: Run, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.aisec.rule-options.AIS107]\nreport-unresolved-ids = "yes"\n', encoding="utf-8"
    )
    (tmp_path / "app.py").write_text(
        "from transformers import AutoModel\nAutoModel.from_pretrained('org/m')\n", encoding="utf-8"
    )
    result = run_cli(["check", "--select", "AIS107", "app.py"], cwd=tmp_path)
    assert result.code == 2
    assert "report-unresolved-ids" in result.err and "true or false" in result.err


def test_a_rebound_parameter_is_not_its_default() -> None:
    source = """\
        from transformers import AutoModel

        def a(name="org/default"):
            name = name or CONFIG.model
            return AutoModel.from_pretrained(name)

        def b(name="org/default"):
            for name in candidates:
                AutoModel.from_pretrained(name)

        def c(name="org/default"):
            def inner(name):
                return name
            return AutoModel.from_pretrained(name)

        def d(name="org/default"):
            from settings import name
            return AutoModel.from_pretrained(name)
        """
    assert [line for line, *_ in found(UnpinnedHubDownload, source)] == [14]
