"""AIS102 torch-load-unsafe, AIS103 numpy-allow-pickle, AIS104 joblib-load, AIS106 trust-remote-code.

The fixture scripts under tests/data/ml_scripts_a/ are only scanned, never executed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import libcst
import pytest
from aisec.hooks import Applicability, Confidence, Severity
from aisec.plugins.model_loading.joblib_load import JoblibLoad
from aisec.plugins.model_loading.torch_load import TorchLoadUnsafe
from aisec.plugins.model_loading.trust_remote_code import TrustRemoteCode
from aisec.testing import check_source
from conftest import finding_rows, fixture_project

SELECT = "AIS102,AIS103,AIS104,AIS106"
FIXTURES = Path(__file__).parent / "data" / "ml_scripts_a"

Run = Callable[..., Any]  # conftest's run_cli, returning a CliResult

# ---------------------------------------------------------------- rule examples and registration


def test_rules_are_registered(run_cli: Run) -> None:
    result = run_cli(["rules"])
    for code, name in [
        ("AIS102", "torch-load-unsafe"),
        ("AIS103", "numpy-allow-pickle"),
        ("AIS104", "joblib-load"),
        ("AIS106", "trust-remote-code"),
    ]:
        assert any(line.split()[:2] == [code, name] for line in result.out.splitlines()), result.out


# ---------------------------------------------------------------- the fixture suite


EXPECTED_FIXTURE_FINDINGS = [
    # (path, line, code, severity, confidence)
    ("inference_service.py", 19, "AIS104", "high", "high"),  # mlflow.pyfunc.load_model
    ("inference_service.py", 20, "AIS106", "medium", "low"),  # trust_remote_code=TRUST_REMOTE
    ("inference_service.py", 25, "AIS102", "high", "high"),  # torch.load(..., weights_only=False)
    ("inference_service.py", 33, "AIS104", "high", "high"),  # sio.load(trusted=get_untrusted_types)
    ("inference_service.py", 48, "AIS104", "high", "high"),  # mlflow.sklearn.load_model
    ("notebook_exploration.py", 16, "AIS103", "high", "high"),  # np.load(allow_pickle=True)
    ("notebook_exploration.py", 18, "AIS102", "high", "high"),  # nn_lib = torch as t; nn_lib.load
    ("notebook_exploration.py", 21, "AIS104", "high", "high"),  # from joblib import load as jl
    ("notebook_exploration.py", 35, "AIS106", "high", "high"),  # load_dataset(trust_remote_code=True)
    ("notebook_exploration.py", 36, "AIS106", "high", "high"),  # SentenceTransformer(...)
    ("train_classifier.py", 32, "AIS103", "high", "high"),  # np.load(path, allow_pickle=True)
    ("train_classifier.py", 41, "AIS102", "high", "high"),  # torch.load(..., map_location="cpu")
    ("train_classifier.py", 55, "AIS106", "high", "high"),  # AutoTokenizer.from_pretrained(...)
    ("train_classifier.py", 60, "AIS104", "high", "high"),  # joblib.load(...)
]

# Lines that look like the positives but are safe (or are comments/docstrings): never reported.
FIXTURE_LOOK_ALIKES = {
    "train_classifier.py": [3, 37, 48, 56, 66, 67],
    "inference_service.py": [24, 37, 43],
    "notebook_exploration.py": [3, 17, 22, 27, 32, 37],
}


def test_fixture_suite_line_by_line(run_cli: Run, tmp_path: Path) -> None:
    root = fixture_project(FIXTURES, tmp_path)
    result = run_cli(["check", "--select", SELECT, "--format", "json", "."], cwd=root)
    assert result.code == 1
    found = finding_rows(result)
    assert found == EXPECTED_FIXTURE_FINDINGS
    lines = {(path, line) for path, line, *_ in found}
    for path, look_alikes in FIXTURE_LOOK_ALIKES.items():
        for line in look_alikes:
            assert (path, line) not in lines
    # The look-alike lines really are the look-alikes they are meant to be.
    text = {path: (root / path).read_text().splitlines() for path in FIXTURE_LOOK_ALIKES}
    assert "weights_only=True" in text["train_classifier.py"][48 - 1]
    assert 'np.load(path, mmap_mode="r")' in text["train_classifier.py"][37 - 1]
    assert "trust_remote_code=False" in text["inference_service.py"][24 - 1]
    assert "trusted=REVIEWED_TYPES" in text["inference_service.py"][37 - 1]
    assert "trusted=reviewed" in text["inference_service.py"][43 - 1]
    assert "pickle.dumps" in text["notebook_exploration.py"][22 - 1]
    assert 'load("vendor/README.txt")' in text["notebook_exploration.py"][32 - 1]
    assert "weights_only=True" in text["notebook_exploration.py"][37 - 1]
    assert "torch.save" in text["train_classifier.py"][66 - 1]
    assert "joblib.dump" in text["train_classifier.py"][67 - 1]
    assert "torch.load" in text["notebook_exploration.py"][27 - 1]  # docstring mention


def test_fixture_suite_with_torch_26_project(run_cli: Run, tmp_path: Path) -> None:
    pyproject = '[project]\nname = "ticket-router"\ndependencies = ["torch>=2.6,<3", "transformers"]\n'
    root = fixture_project(FIXTURES, tmp_path, pyproject)
    result = run_cli(["check", "--select", "AIS102", "--format", "json", "."], cwd=root)
    assert finding_rows(result) == [
        ("inference_service.py", 25, "AIS102", "high", "high"),  # explicit False stays high
        ("notebook_exploration.py", 18, "AIS102", "info", "high"),
        ("train_classifier.py", 41, "AIS102", "info", "high"),
    ]
    messages = [f["message"] for f in result.json()["findings"]]
    assert "project requires torch>=2.6 where weights_only defaults to True" in messages[1]
    assert [f["fix"]["applicability"] if f["fix"] else None for f in result.json()["findings"]] == [
        None,
        "safe",
        "safe",
    ]


# ---------------------------------------------------------------- AIS102 torch-version awareness

_OMITTED = "import torch\nstate = torch.load(path)\n"


@pytest.mark.parametrize(
    ("files", "severity", "fix"),
    [
        ({}, Severity.HIGH, Applicability.UNSAFE),
        (
            {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["torch>=2.6"]\n'},
            Severity.INFO,
            Applicability.SAFE,
        ),
        (
            {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["torch==2.7.1"]\n'},
            Severity.INFO,
            Applicability.SAFE,
        ),
        (
            {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["torch>=2.1"]\n'},
            Severity.HIGH,
            Applicability.UNSAFE,
        ),
        (
            {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["torch"]\n'},
            Severity.HIGH,
            Applicability.UNSAFE,
        ),
        (
            {
                "pyproject.toml": '[project]\nname = "a"\n[project.optional-dependencies]\ngpu = ["torch~=2.6"]\n'
            },
            Severity.INFO,
            Applicability.SAFE,
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\ntorch = "^2.6"\n'},
            Severity.INFO,
            Applicability.SAFE,
        ),
        (
            {"pyproject.toml": '[tool.poetry.dependencies]\ntorch = "^2.4"\n'},
            Severity.HIGH,
            Applicability.UNSAFE,
        ),
        ({"requirements.txt": "torch>2.5\n"}, Severity.HIGH, Applicability.UNSAFE),  # admits 2.5.1
        ({"requirements.txt": "numpy\ntorch>=2.6.0  # cu121 wheels\n"}, Severity.INFO, Applicability.SAFE),
        ({"requirements-gpu.txt": "torch==2.8.*\n"}, Severity.INFO, Applicability.SAFE),
    ],
    ids=[
        "undeclared",
        "pep621-ge-2.6",
        "pep621-pinned",
        "pep621-ge-2.1",
        "pep621-unversioned",
        "optional-compatible",
        "poetry-caret-2.6",
        "poetry-caret-2.4",
        "requirements-gt-2.5",
        "requirements-ge-2.6",
        "requirements-star",
    ],
)
def test_torch_load_severity_follows_declared_torch(
    files: dict[str, str], severity: Severity, fix: Applicability
) -> None:
    [finding] = check_source(TorchLoadUnsafe, _OMITTED, files=files)
    assert finding.severity == severity
    assert finding.fix is not None and finding.fix.applicability == fix
    if severity == Severity.INFO:
        assert "project requires torch>=2.6 where weights_only defaults to True" in finding.message
        assert "pass weights_only" not in finding.message
    elif files:
        assert "admits torch<2.6, where weights_only defaults to False" in finding.message
    else:
        assert "declares no torch version, so the installed torch decides" in finding.message


@pytest.mark.parametrize(
    ("source", "severity", "confidence", "has_fix"),
    [
        ("import torch\ntorch.load(p, weights_only=False)\n", Severity.HIGH, Confidence.HIGH, False),
        (
            "import torch\nimport dill\ntorch.load(p, pickle_module=dill)\n",
            Severity.HIGH,
            Confidence.HIGH,
            False,
        ),
        ("import torch\nimport dill\ntorch.load(p, 'cpu', dill)\n", Severity.HIGH, Confidence.HIGH, False),
        ("import torch\ntorch.load(p, weights_only=flag)\n", Severity.MEDIUM, Confidence.LOW, False),
        ("import torch\ntorch.load(p, **kw)\n", Severity.MEDIUM, Confidence.LOW, False),
        ("import torch\ntorch.load(p, weights_only=None)\n", Severity.INFO, Confidence.HIGH, True),
        ("import torch\ntorch.load(*load_args)\n", Severity.INFO, Confidence.HIGH, False),
        (
            "from torch.package import PackageImporter\nPackageImporter(p)\n",
            Severity.HIGH,
            Confidence.HIGH,
            False,
        ),
    ],
)
def test_torch_load_variants_in_a_torch_26_project(
    source: str, severity: Severity, confidence: Confidence, has_fix: bool
) -> None:
    files = {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["torch>=2.6"]\n'}
    [finding] = check_source(TorchLoadUnsafe, source, files=files)
    assert (finding.severity, finding.confidence, finding.fix is not None) == (severity, confidence, has_fix)


def test_torch_load_with_pickle_module_none_is_the_plain_case() -> None:
    [finding] = check_source(TorchLoadUnsafe, "import torch\ntorch.load(p, pickle_module=None)\n")
    assert "without `weights_only=True`" in finding.message and finding.fix is not None


# ---------------------------------------------------------------- AIS104 skops tracking


def test_skops_tracking_follows_reassignment_and_scopes() -> None:
    source = textwrap.dedent(
        """
        import skops.io as sio

        types = sio.get_untrusted_types(file=p)
        a = sio.load(p, trusted=types)          # 4: reported
        types = ["sklearn.linear_model._logistic.LogisticRegression"]
        b = sio.load(p, trusted=types)          # 6: reviewed literal list

        def f(p):
            c = sio.load(p, trusted=types)      # 9: another scope, not tracked there
            types2: list[str] = sio.get_untrusted_types(data=blob)
            return sio.loads(blob, types2)      # 11: positional, reported
        """
    ).lstrip("\n")
    assert [f.location.line for f in check_source(JoblibLoad, source)] == [4, 11]


# ---------------------------------------------------------------- AIS106 details


def test_trust_remote_code_confidence() -> None:
    source = textwrap.dedent(
        """
        from transformers import AutoModel
        a = AutoModel.from_pretrained(n, trust_remote_code=True)
        b = registry[n].from_pretrained(n, trust_remote_code=True)
        c = AutoModel.from_pretrained(n, trust_remote_code=opts.trust)
        d = AutoModel.from_pretrained(n, **dict(trust_remote_code=True))
        e = AutoModel.from_pretrained(n, trust_remote_code=False)
        f = helper(n, trust_remote_code=True)
        """
    ).lstrip("\n")
    found = [(f.location.line, f.severity, f.confidence) for f in check_source(TrustRemoteCode, source)]
    assert found == [
        (2, Severity.HIGH, Confidence.HIGH),
        (3, Severity.HIGH, Confidence.MEDIUM),
        (4, Severity.MEDIUM, Confidence.LOW),
        (5, Severity.HIGH, Confidence.HIGH),
    ]


# ---------------------------------------------------------------- autofix through the CLI

TORCH_SCRIPT = """\
import torch


def restore(p):
    return torch.load(p)
"""
TORCH_DIFF = "".join(
    line + "\n"
    for line in (
        "--- a/model.py",
        "+++ b/model.py",
        "@@ -2,4 +2,4 @@",
        " ",
        " ",
        " def restore(p):",
        "-    return torch.load(p)",
        "+    return torch.load(p, weights_only=True)",
    )
)
TORCH_26 = '[project]\nname = "svc"\ndependencies = ["torch>=2.6"]\n'


def _project(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_diff_with_unsafe_fixes_prints_the_diff_and_changes_nothing(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": TORCH_SCRIPT})
    result = run_cli(["check", "--select", "AIS102", "--diff", "--unsafe-fixes", "model.py"], cwd=root)
    assert result.out == TORCH_DIFF
    assert (root / "model.py").read_text() == TORCH_SCRIPT


def test_diff_without_unsafe_fixes_offers_nothing_for_old_torch(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": TORCH_SCRIPT})
    result = run_cli(["check", "--select", "AIS102", "--diff", "model.py"], cwd=root)
    assert "+++ b/model.py" not in result.out
    assert (root / "model.py").read_text() == TORCH_SCRIPT


def test_fix_is_unsafe_without_torch_26(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": TORCH_SCRIPT})
    result = run_cli(["check", "--select", "AIS102", "--fix", "model.py"], cwd=root)
    assert result.code == 1
    assert (root / "model.py").read_text() == TORCH_SCRIPT

    result = run_cli(["check", "--select", "AIS102", "--fix", "--unsafe-fixes", "model.py"], cwd=root)
    fixed = (root / "model.py").read_text()
    assert fixed == TORCH_SCRIPT.replace("torch.load(p)", "torch.load(p, weights_only=True)")
    assert result.code == 0  # the re-scan of the fixed file is clean
    libcst.parse_module(fixed)


def test_plain_fix_applies_with_torch_26(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": TORCH_SCRIPT, "pyproject.toml": TORCH_26})
    result = run_cli(["check", "--select", "AIS102", "--fix", "model.py"], cwd=root)
    assert result.code == 0
    assert "Fixed 1 finding." in result.err
    assert (root / "model.py").read_text() == TORCH_SCRIPT.replace(
        "torch.load(p)", "torch.load(p, weights_only=True)"
    )


def test_fix_preserves_formatting_and_comments(run_cli: Run, tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        # -*- coding: utf-8 -*-
        import torch   # weights live in ./ckpt
        import  numpy as np


        def resume(path,   device = "cpu"):
            '''Loads a checkpoint (torch.load(path) mention in a docstring).'''
            x = np.load( path + ".npy" )  # safe default
            state = torch.load( path ,map_location = device )   # old-style call
            # trailing comment about torch.load
            return state,x
        """
    )
    root = _project(tmp_path, {"train.py": source, "pyproject.toml": TORCH_26})
    run_cli(["check", "--select", "AIS102", "--fix", "train.py"], cwd=root)
    fixed = (root / "train.py").read_text()
    libcst.parse_module(fixed)
    before, after = source.splitlines(), fixed.splitlines()
    assert len(before) == len(after)
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert changed == [
        (
            "    state = torch.load( path ,map_location = device )   # old-style call",
            "    state = torch.load( path ,map_location = device, weights_only=True )   # old-style call",
        )
    ]


def test_fix_with_magic_trailing_comma_puts_keyword_on_its_own_line(run_cli: Run, tmp_path: Path) -> None:
    source = textwrap.dedent(
        """\
        import torch


        class Restorer:
            def load(self, path):
                return torch.load(  # full checkpoint
                    path,
                    map_location="cpu",  # CPU inference
                )
        """
    )
    expected = textwrap.dedent(
        """\
        import torch


        class Restorer:
            def load(self, path):
                return torch.load(  # full checkpoint
                    path,
                    map_location="cpu",  # CPU inference
                    weights_only=True,
                )
        """
    )
    root = _project(tmp_path, {"restore.py": source, "pyproject.toml": TORCH_26})
    result = run_cli(["check", "--select", "AIS102", "--fix", "restore.py"], cwd=root)
    assert result.code == 0
    assert (root / "restore.py").read_text() == expected


def test_fix_without_trailing_comma_keeps_closing_paren_line(run_cli: Run, tmp_path: Path) -> None:
    source = 'import torch\nstate = torch.load(\n    path,\n    map_location="cpu"\n)\n'
    root = _project(tmp_path, {"m.py": source, "pyproject.toml": TORCH_26})
    run_cli(["check", "--select", "AIS102", "--fix", "m.py"], cwd=root)
    assert (root / "m.py").read_text() == (
        'import torch\nstate = torch.load(\n    path,\n    map_location="cpu",\n    weights_only=True\n)\n'
    )


def test_numpy_fix_drops_allow_pickle_only_with_unsafe_fixes(run_cli: Run, tmp_path: Path) -> None:
    source = 'import numpy as np\n\narr = np.load(\n    "features.npy",\n    allow_pickle=True,\n)\n'
    root = _project(tmp_path, {"feat.py": source})
    run_cli(["check", "--select", "AIS103", "--fix", "feat.py"], cwd=root)
    assert (root / "feat.py").read_text() == source
    result = run_cli(["check", "--select", "AIS103", "--fix", "--unsafe-fixes", "feat.py"], cwd=root)
    assert result.code == 0
    assert (root / "feat.py").read_text() == 'import numpy as np\n\narr = np.load(\n    "features.npy",\n)\n'


def test_json_output_carries_fix_diff(run_cli: Run, tmp_path: Path) -> None:
    root = _project(tmp_path, {"model.py": TORCH_SCRIPT})
    result = run_cli(["check", "--select", "AIS102", "--format", "json", "model.py"], cwd=root)
    [finding] = result.json()["findings"]
    assert finding["fix"] == {"applicability": "unsafe", "diff": TORCH_DIFF}
    assert (finding["line"], finding["column"], finding["end_column"]) == (5, 12, 25)
