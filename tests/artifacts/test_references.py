"""AIS401-AIS403 on artifacts that code references, end to end through `aisec check`.

Every artifact is written by the test (tests/artifacts/samples.py) and only inspected, never
loaded. Each test runs the CLI in-process after changing into a temporary project.
"""

from __future__ import annotations

import dbm.dumb
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from aisec.plugins.artifacts import inspect as inspect_module
from aisec.plugins.artifacts import references
from aisec.plugins.artifacts.rules import ARTIFACT_RULES
from conftest import write_tree

from . import samples
from .helpers import need

SELECT = "AIS401,AIS402,AIS403"
PYPROJECT = "[tool.aisec]\n"
MALICIOUS = samples.getpid_p2()
CLEAN = samples.ordered_dict_floats(2)

Run = Callable[..., Any]


@pytest.fixture(autouse=True)
def _fresh_settings():
    """`aisec_configure` keeps `[tool.aisec.artifacts]` in a module global: reset it around each
    test so that rule examples checked later in the same process see the defaults."""
    references.SETTINGS.configure(None)
    yield
    references.SETTINGS.configure(None)


def project(root: Path, files: Mapping[str, str | bytes], pyproject: str = PYPROJECT) -> Path:
    return write_tree(root, {"pyproject.toml": pyproject, **files})


def check(run_cli: Run, root: Path, *extra: str, select: str = SELECT) -> dict[str, Any]:
    result = run_cli(["check", "--format", "json", "--select", select, *extra, "."], cwd=root)
    data = result.json()
    assert data["errors"] == [], data["errors"]
    assert result.code == (1 if any(f["severity"] != "info" for f in data["findings"]) else 0)
    return data


def line_of(source: str, needle: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if needle in line)


# ----------------------------------------------------------------------- what resolves


SERVE = """\
import pickle
from pathlib import Path

MODEL = Path(__file__).resolve().parent / "models" / "clf.pkl"


def predict(x):
    with open(MODEL, "rb") as f:
        return pickle.load(f).predict(x)
"""


def test_malicious_artifact_is_reported_at_the_artifact(run_cli: Run, tmp_path: Path) -> None:
    root = project(tmp_path / "repo", {"app/serve.py": SERVE, "app/models/clf.pkl": MALICIOUS})
    data = check(run_cli, root)
    (finding,) = data["findings"]
    line = line_of(SERVE, "pickle.load")
    assert finding["code"] == "AIS401"
    assert finding["severity"] == "critical"
    assert (finding["path"], finding["line"], finding["column"]) == ("app/models/clf.pkl", 1, 1)
    assert finding["artifact"].pop("content").startswith("sha256:")
    assert finding["artifact"] == {
        "path": "app/models/clf.pkl",
        "member": None,
        "referenced_from": {"path": "app/serve.py", "line": line, "column": 16},
    }
    assert "os.getpid" in finding["message"]
    assert f"loaded by `pickle.load` at app/serve.py:{line}" in finding["message"]


def test_member_of_a_torch_zip_and_os_path_join(run_cli: Run, tmp_path: Path) -> None:
    code = (
        "import os\n\nimport torch\n\n"
        'WEIGHTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ckpt", "model.pt")\n'
        "state = torch.load(WEIGHTS, map_location='cpu')\n"
    )
    zipped = samples.torch_like_zip(data_pkl=samples.getpid_p2())
    root = project(tmp_path / "repo", {"src/load.py": code, "src/ckpt/model.pt": zipped})
    (finding,) = check(run_cli, root)["findings"]
    assert finding["code"] == "AIS401"
    assert finding["path"] == "src/ckpt/model.pt"
    assert finding["artifact"]["member"] == "archive/data.pkl"
    assert finding["message"].startswith("archive/data.pkl: ")
    assert finding["artifact"]["referenced_from"]["line"] == 6


def test_real_torch_checkpoint_is_pickle_based_but_clean(run_cli: Run, tmp_path: Path) -> None:
    need("torch")
    checkpoint = samples._torch_save("state_dict", legacy=False)()
    code = (
        "from pathlib import Path\n\nfrom torch import load as tl\n\n"
        "state = tl(Path(__file__).parent / 'model.pt', weights_only=True)\n"
    )
    root = project(tmp_path / "repo", {"infer.py": code, "model.pt": checkpoint})
    findings = check(run_cli, root)["findings"]
    assert [f["code"] for f in findings] == ["AIS402"]
    assert findings[0]["severity"] == "info"
    assert findings[0]["path"] == "model.pt"
    assert findings[0]["artifact"]["member"].endswith("data.pkl")
    assert "safetensors" in findings[0]["message"]


def test_module_constant_relative_to_the_project_root(run_cli: Run, tmp_path: Path) -> None:
    code = 'import joblib\n\nMODEL_PATH = "models/forest.joblib"\n\n\ndef load():\n    return joblib.load(MODEL_PATH)\n'
    root = project(tmp_path / "repo", {"src/app/model.py": code, "models/forest.joblib": MALICIOUS})
    (finding,) = check(run_cli, root)["findings"]
    assert (finding["code"], finding["path"]) == ("AIS401", "models/forest.joblib")
    assert finding["artifact"]["referenced_from"] == {"path": "src/app/model.py", "line": 7, "column": 12}


def test_configured_roots(run_cli: Run, tmp_path: Path) -> None:
    code = 'import torch\n\nstate = torch.load("model.pt")\n'
    files = {"src/app.py": code, "weights/model.pt": MALICIOUS}
    root = project(tmp_path / "plain", files)
    assert check(run_cli, root)["findings"] == []  # not next to the file, not in the root: silent
    root = project(tmp_path / "rooted", files, PYPROJECT + '[tool.aisec.artifacts]\nroots = ["weights"]\n')
    (finding,) = check(run_cli, root)["findings"]
    assert (finding["code"], finding["path"]) == ("AIS401", "weights/model.pt")


def test_configured_limits_reach_the_inspection(run_cli: Run, tmp_path: Path) -> None:
    code = 'import pickle\n\nweights = pickle.load(open("weights.pkl", "rb"))\n'
    files = {"app.py": code, "weights.pkl": CLEAN}
    root = project(tmp_path / "repo", files)
    assert [f["code"] for f in check(run_cli, root)["findings"]] == ["AIS402"]
    (root / "pyproject.toml").write_text(PYPROJECT + "[tool.aisec.artifacts]\nmax-opcodes = 3\n")
    (finding,) = check(run_cli, root, "--no-cache")["findings"]
    assert (finding["code"], finding["severity"]) == ("AIS403", "high")
    assert "max-opcodes" in finding["message"]


def test_shelve_reads_the_dumb_dbm_data_file(run_cli: Run, tmp_path: Path) -> None:
    root = project(tmp_path / "repo", {"app.py": 'import shelve\n\ndb = shelve.open("store")\n'})
    with dbm.dumb.open(str(root / "store"), "c") as shelf:
        shelf[b"model"] = MALICIOUS
    (finding,) = check(run_cli, root)["findings"]
    assert (finding["code"], finding["path"]) == ("AIS401", "store.dat")
    assert "loaded by `shelve.open`" in finding["message"]


def test_each_artifact_is_inspected_once_per_process(
    run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = inspect_module.inspect_file

    def counting(path: Any, *args: Any) -> Any:
        calls.append(str(path))
        return real(path, *args)

    monkeypatch.setattr(inspect_module, "inspect_file", counting)
    references.clear_cache()
    first = 'import torch\n\nstate = torch.load("shared.pt")\n'
    second = 'import pickle\n\nwith open("shared.pt", "rb") as f:\n    obj = pickle.load(f)\nagain = pickle.load(open("shared.pt", "rb"))\n'
    root = project(tmp_path / "repo", {"a.py": first, "b.py": second, "shared.pt": MALICIOUS})
    findings = check(run_cli, root, "--no-cache", "--jobs", "1")["findings"]
    assert len(calls) == 1, calls
    assert {f["path"] for f in findings} == {"shared.pt"}
    assert sorted(
        (f["artifact"]["referenced_from"]["path"], f["artifact"]["referenced_from"]["line"]) for f in findings
    ) == [
        ("a.py", 3),
        ("b.py", 4),
        ("b.py", 5),
    ]
    check(run_cli, root, "--no-cache", "--jobs", "1")
    assert len(calls) == 1  # same size, mtime and inode: not read again


# ---------------------------------------------------------------- what stays silent


def test_look_alikes_stay_silent(run_cli: Run, tmp_path: Path) -> None:
    code = (
        "import json\nimport shutil\n\nimport torch\n\n"
        "config = json.load(open('model.pt'))\n"
        "shutil.copy('model.pt', 'backup.pt')\n"
        "# torch.load('model.pt')\n"
        "missing = torch.load('missing.pt')\n"
        "folder = torch.load('models')\n"
        "\n\ndef load(path):\n    return torch.load(path)\n"
        "\n\ndef other():\n    with open('model.pt', 'rb') as f:\n        pass\n"
        "\n\ndef later(f):\n    return torch.load(f)\n"
    )
    root = project(tmp_path / "repo", {"app.py": code, "model.pt": MALICIOUS, "models/x.pt": MALICIOUS})
    assert check(run_cli, root)["findings"] == []


def test_prefilter_skips_files_without_a_loader_module(run_cli: Run, tmp_path: Path) -> None:
    files = {
        "plain.py": 'import json\n\nconfig = json.load(open("model.pkl"))\n',
        "aliased.py": 'from torch import load as tl\n\ntl("model.pkl")\n',
        "model.pkl": MALICIOUS,
    }
    root = project(tmp_path / "repo", files)
    data = check(run_cli, root, "--no-cache")
    assert data["summary"]["skipped_by_prefilter"] == 1
    assert data["summary"]["parsed"] == 1
    (finding,) = data["findings"]
    assert finding["artifact"]["referenced_from"]["path"] == "aliased.py"
    for rule in ARTIFACT_RULES:
        assert not any(trigger in files["plain.py"] for trigger in rule.triggers)


# ------------------------------------------------------------- never outside the repo


def test_symlink_escaping_the_repository_is_not_read(run_cli: Run, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "model.pkl").write_bytes(MALICIOUS)
    code = 'import pickle\n\nmodel = pickle.load(open("models/model.pkl", "rb"))\n'
    root = project(tmp_path / "repo", {"app.py": code})
    (root / "models").mkdir()
    try:
        os.symlink(outside / "model.pkl", root / "models" / "model.pkl")
    except OSError:
        pytest.skip("symlinks are not available here")
    (finding,) = check(run_cli, root)["findings"]
    assert (finding["code"], finding["severity"]) == ("AIS403", "medium")
    assert (finding["path"], finding["line"]) == ("app.py", 3)  # at the code, not at the artifact
    assert finding["artifact"] is None
    assert "symlink" in finding["message"] and "outside the repository" in finding["message"]
    assert str(outside / "model.pkl") in finding["message"]


def test_symlinked_folder_escaping_the_repository(run_cli: Run, tmp_path: Path) -> None:
    outside = tmp_path / "store"
    outside.mkdir()
    (outside / "model.pt").write_bytes(MALICIOUS)
    code = 'import torch\n\nmodel = torch.load("weights/model.pt")\n'
    root = project(tmp_path / "repo", {"app.py": code})
    try:
        os.symlink(outside, root / "weights", target_is_directory=True)
    except OSError:
        pytest.skip("symlinks are not available here")
    (finding,) = check(run_cli, root)["findings"]
    assert finding["code"] == "AIS403" and "symlink" in finding["message"]


def test_symlink_inside_the_repository_is_followed(run_cli: Run, tmp_path: Path) -> None:
    code = 'import torch\n\nmodel = torch.load("latest.pt")\n'
    root = project(tmp_path / "repo", {"app.py": code, "runs/7/model.pt": MALICIOUS})
    try:
        os.symlink(Path("runs/7/model.pt"), root / "latest.pt")
    except OSError:
        pytest.skip("symlinks are not available here")
    (finding,) = check(run_cli, root)["findings"]
    assert (finding["code"], finding["path"]) == ("AIS401", "latest.pt")


@pytest.mark.parametrize(
    "expression",
    [
        '"../outside/model.pkl"',
        'Path(__file__).parent.parent / "outside" / "model.pkl"',
        'os.path.join(os.path.dirname(__file__), "..", "outside", "model.pkl")',
        "OUTSIDE",
    ],
)
def test_paths_leading_outside_are_reported_not_read(
    run_cli: Run, tmp_path: Path, expression: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "model.pkl").write_bytes(MALICIOUS)
    read: list[str] = []
    monkeypatch.setattr(inspect_module, "inspect_file", lambda path, *a: read.append(str(path)) or [])
    references.clear_cache()
    code = (
        "import os\nimport pickle\nfrom pathlib import Path\n\n"
        f'OUTSIDE = "{(outside / "model.pkl").as_posix()}"\n'
        f'model = pickle.load(open({expression}, "rb"))\n'
    )
    root = project(tmp_path / "repo", {"app.py": code})
    (finding,) = check(run_cli, root)["findings"]
    # An absolute path is a deployment location (info); `..` leading out is medium.
    severity = "info" if expression == "OUTSIDE" else "medium"
    assert (finding["code"], finding["severity"], finding["path"], finding["line"]) == (
        "AIS403",
        severity,
        "app.py",
        6,
    )
    assert "outside the repository" in finding["message"] and "not read" in finding["message"]
    assert read == []


# ------------------------------------------------------------ suppressions and the cache


SUSPICIOUS = samples.P2 + samples.glob0("somelib", "Thing") + b"."  # imported, never called: medium


def test_suppression_at_the_code_line_covers_medium_only(run_cli: Run, tmp_path: Path) -> None:
    code = 'import torch\n\nmodel = torch.load("model.pt")  # aisec: ignore[AIS401] vetted copy, see SECURITY.md\n'
    root = project(tmp_path / "repo", {"app.py": code, "model.pt": SUSPICIOUS})
    data = check(run_cli, root)
    assert data["findings"] == []
    shown = run_cli(["check", "--format", "json", "--select", SELECT, "--show-suppressed", "."], cwd=root)
    (finding,) = shown.json()["findings"]
    assert finding["path"] == "model.pt"
    # the file's content is swapped for a payload: the comment on the load line no longer hides it
    (root / "model.pt").write_bytes(MALICIOUS)
    (finding,) = check(run_cli, root)["findings"]
    assert (finding["code"], finding["severity"]) == ("AIS401", "critical")


def test_baseline_does_not_cover_swapped_content(run_cli: Run, tmp_path: Path) -> None:
    code = 'import torch\n\nmodel = torch.load("model.pt")\n'
    root = project(tmp_path / "repo", {"app.py": code, "model.pt": SUSPICIOUS})
    (reviewed,) = check(run_cli, root)["findings"]
    assert reviewed["severity"] == "medium"
    baseline = root / "baseline.json"
    run_cli(["baseline", "-o", str(baseline), "."], cwd=root)
    assert check(run_cli, root, "--baseline", str(baseline))["findings"] == []
    (root / "model.pt").write_bytes(MALICIOUS)
    (finding,) = check(run_cli, root, "--baseline", str(baseline))["findings"]
    assert finding["fingerprint"] != reviewed["fingerprint"]
    assert finding["severity"] == "critical"


def test_result_cache_notices_a_changed_artifact(run_cli: Run, tmp_path: Path) -> None:
    code = 'import torch\n\nmodel = torch.load("model.pt", weights_only=True)\n'
    root = project(tmp_path / "repo", {"app.py": code, "model.pt": CLEAN})
    first = check(run_cli, root)
    assert [f["code"] for f in first["findings"]] == ["AIS402"]
    assert first["summary"]["cached"] == 0
    second = check(run_cli, root)
    assert second["summary"]["cached"] == 1
    assert second["findings"] == first["findings"]
    (root / "model.pt").write_bytes(MALICIOUS)
    third = check(run_cli, root)
    assert third["summary"]["cached"] == 0
    assert [f["code"] for f in third["findings"]] == ["AIS401"]


def test_result_cache_notices_an_artifact_that_appears(run_cli: Run, tmp_path: Path) -> None:
    code = 'import torch\n\nmodel = torch.load("models/model.pt")\n'
    root = project(tmp_path / "repo", {"src/app.py": code})
    assert check(run_cli, root)["findings"] == []
    assert check(run_cli, root)["summary"]["cached"] == 1
    (root / "models").mkdir()
    (root / "models" / "model.pt").write_bytes(MALICIOUS)
    data = check(run_cli, root)
    assert data["summary"]["cached"] == 0
    assert [(f["code"], f["path"]) for f in data["findings"]] == [("AIS401", "models/model.pt")]


# ------------------------------------------------------------ scoping of names (in-process)


def _codes(source: str, files: Mapping[str, str], filename: str = "example.py") -> list[str]:
    from aisec.testing import check_source

    return [f.code for f in check_source(ARTIFACT_RULES, source, files=files, filename=filename)]


MAL_TEXT = "cos\ngetpid\n(tR."


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # a module constant rebound through `global` is not a constant
        (
            'import torch\nMODEL = "model.pt"\n\ndef switch():\n    global MODEL\n    MODEL = "x.pt"\n\n'
            "state = torch.load(MODEL)\n",
            [],
        ),
        # assigned twice at module level (try/except): not a constant
        (
            'import torch\ntry:\n    MODEL = "model.pt"\nexcept ImportError:\n    MODEL = "x.pt"\n'
            "state = torch.load(MODEL)\n",
            [],
        ),
        # a local of the same name shadows the module constant
        (
            'import torch\nMODEL = "model.pt"\n\ndef f(MODEL):\n    return torch.load(MODEL)\n',
            [],
        ),
        # function-local constant and a closure over the enclosing function's constant
        (
            'import torch\n\ndef outer():\n    path = "model.pt"\n\n    def inner():\n        return torch.load(path)\n',
            ["AIS401"],
        ),
        # a parameter default is what the function loads when called without the argument
        ('import torch\n\ndef load(path="model.pt"):\n    return torch.load(path)\n', ["AIS401"]),
        # methods do not see class attributes by bare name
        (
            'import torch\nclass M:\n    PATH = "model.pt"\n\n    def load(self):\n        return torch.load(PATH)\n',
            [],
        ),
        # a class body sees its own names
        ('import torch\nclass M:\n    PATH = "model.pt"\n    state = torch.load(PATH)\n', ["AIS401"]),
        # `with open(...) as f` is only in effect inside its block and its own function
        (
            'import pickle\nwith open("model.pt", "rb") as f:\n    blob = f.read()\nobj = pickle.load(f)\n',
            [],
        ),
        (
            'import pickle\n\ndef a():\n    with open("model.pt", "rb") as f:\n        return 1\n\n'
            "def b(f):\n    return pickle.load(f)\n",
            [],
        ),
        # environment variable with a default path
        ('import os\nimport torch\nstate = torch.load(os.environ.get("MODEL", "model.pt"))\n', ["AIS401"]),
        # gzip.open / Path.open / Path.joinpath / parents[n]
        ('import gzip\nimport pickle\nobj = pickle.load(gzip.open("model.pt"))\n', ["AIS401"]),
        (
            "import pickle\nfrom pathlib import Path\n"
            'obj = pickle.load(Path(__file__).parents[0].joinpath("model.pt").open("rb"))\n',
            ["AIS401"],
        ),
        # a path passed where the loader wants a file object is not followed
        ('import pickle\nobj = pickle.load("model.pt")\n', []),
        # from_pretrained folders are not artifact files
        ('from transformers import AutoModel\nm = AutoModel.from_pretrained("model.pt")\n', []),
    ],
)
def test_name_scoping(source: str, expected: list[str]) -> None:
    assert _codes(source, {"model.pt": MAL_TEXT}) == expected


def test_inspector_hook_uses_the_configured_settings(tmp_path: Path) -> None:
    from aisec.plugins import artifacts

    (tmp_path / "w.pkl").write_bytes(CLEAN)
    (inspector,) = artifacts.aisec_artifact_inspectors()
    assert [v.code for v in inspector.inspect(tmp_path / "w.pkl")] == ["AIS402"]
    artifacts.aisec_configure({"artifacts": {"max-opcodes": 3, "roots": ["weights"]}})
    assert references.SETTINGS.roots == ("weights",)
    assert [v.code for v in inspector.inspect(tmp_path / "w.pkl")] == ["AIS403"]


@pytest.mark.parametrize(
    "expression",
    [
        'BASE + "model.pt"',
        'f"{BASE}model.pt"',
        'Path("models", "model.pt")',
        'Path("models/x.pt").with_name("model.pt")',
        'Path("models/model.bin").with_suffix(".pt")',
        'os.path.join("models", "sub", "..", "model.pt")',
        'Path(__file__).resolve().parent / "models" / "model.pt"',
        'os.path.join(os.path.dirname(os.path.realpath(__file__)), "models/model.pt")',
        'str(Path.cwd() / "models" / "model.pt")',
        'io.BytesIO(open("models/model.pt", "rb").read())',
        'Path("models/model.pt").parent.parent / "models/model.pt"',
        'os.fspath(Path("models").joinpath("model.pt"))',
    ],
)
def test_path_expressions(expression: str) -> None:
    source = (
        "import io\nimport os\nfrom pathlib import Path\n\nimport torch\n\n"
        f'BASE = "models/"\nstate = torch.load({expression})\n'
    )
    assert _codes(source, {"models/model.pt": MAL_TEXT}) == ["AIS401"]


def test_project_classes_are_found_from_the_project_not_the_current_folder(
    run_cli: Run, tmp_path: Path
) -> None:
    # protocol 2: GLOBAL shop.models.Ranker, NEWOBJ with no arguments, BUILD with an empty dict
    own_class = b"\x80\x02cshop.models\nRanker\nq\x00)\x81q\x01}q\x02b."
    serve = SERVE.replace("clf.pkl", "ranker.pkl")
    root = project(
        tmp_path / "repo",
        {"shop/__init__.py": "", "shop/serve.py": serve, "shop/models/ranker.pkl": own_class},
    )
    for cwd, target in ((tmp_path, "repo"), (root, ".")):
        result = run_cli(["check", "--format", "json", "--select", SELECT, target], cwd=cwd)
        (finding,) = result.json()["findings"]
        assert (finding["code"], finding["severity"]) == ("AIS401", "medium"), cwd
