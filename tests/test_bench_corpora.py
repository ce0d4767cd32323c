"""bench/corpora.py unpacks a corpus's wheels into ONE project folder, the packages side by side
under a comment-only root marker, so that aisec names every module and follows the project's
imports there (in a folder per wheel, named by its non-identifier stem, it named none). Only
`.py` files inside the folder are written; two wheels writing the same file stop the run instead
of one overwriting the other. The wheels are built here (zip files); nothing is downloaded."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest
from aisec.config import find_config_file
from aisec.taint.graph import ImportGraph
from aisec.testing import default_catalog
from aisec.tomlfile import configures_aisec, toml_parser
from conftest import REPO

_spec = importlib.util.spec_from_file_location("bench_corpora", REPO / "bench" / "corpora.py")
assert _spec is not None and _spec.loader is not None
corpora = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = corpora  # its dataclass looks its module up there
_spec.loader.exec_module(corpora)

ALPHA = {
    "alpha/__init__.py": "",
    "alpha/core.py": "import pickle\n\n\ndef load(blob):\n    return pickle.loads(blob)\n",
    "alpha/data.json": "{}",
    "alpha/stub.pyi": "def load(blob: bytes) -> object: ...\n",
    "alpha-1.0.dist-info/METADATA": "Name: alpha\n",
    "../escaped.py": "print('outside')\n",
    "/absolute.py": "print('outside')\n",
}
BETA = {"beta_pkg/__init__.py": "from alpha.core import load\n\nload(b'')\n"}


def _wheel(folder: Path, stem: str, members: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(folder / f"{stem}-py3-none-any.whl", "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)


def _files(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache holding the wheels of corpus `toy` (alpha and beta-pkg), so no pip download runs."""
    monkeypatch.setattr(corpora, "CORPORA", {"toy": ("alpha==1.0", "beta-pkg==2.0")})
    _wheel(tmp_path / "cache" / "wheels", "alpha-1.0", ALPHA)
    _wheel(tmp_path / "cache" / "wheels", "beta_pkg-2.0", BETA)
    return tmp_path / "cache"


def test_the_wheels_of_a_corpus_are_one_project(cache: Path) -> None:
    corpus = corpora.prepare("toy", cache)
    assert corpus.folder == cache / "project" / "toy"
    assert _files(corpus.folder) == {
        "alpha/__init__.py",
        "alpha/core.py",
        "beta_pkg/__init__.py",
        "pyproject.toml",
    }
    assert (corpus.files, corpus.lines) == (3, 8)
    written = _files(cache.parent)
    assert not any(name.endswith(("escaped.py", "absolute.py")) for name in written), written
    # every module has its dotted name, and a file checked alone finds the same project root
    graph = ImportGraph(corpus.folder, default_catalog())
    assert graph.module_name(corpus.folder / "beta_pkg" / "__init__.py") == "beta_pkg"
    assert graph.file_of("alpha.core") == (corpus.folder / "alpha" / "core.py").resolve()
    assert find_config_file(corpus.folder / "alpha") == (None, corpus.folder)


def test_the_root_marker_configures_nothing(cache: Path) -> None:
    marker = (corpora.prepare("toy", cache).folder / "pyproject.toml").read_bytes()
    assert toml_parser().loads(marker.decode()) == {}
    assert not configures_aisec(marker)
    assert b"alpha-1.0-py3-none-any.whl" in marker and b"beta_pkg-2.0-py3-none-any.whl" in marker


def test_a_project_is_reused_until_its_wheels_change(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = corpora.prepare("toy", cache).folder
    (folder / "alpha" / "core.py").write_text("edited\n", encoding="utf-8")
    assert corpora.prepare("toy", cache).folder == folder
    assert (folder / "alpha" / "core.py").read_text(encoding="utf-8") == "edited\n"

    _wheel(cache / "wheels", "beta_pkg-3.0", {"beta_pkg/__init__.py": "", "beta_pkg/new.py": ""})
    monkeypatch.setattr(corpora, "CORPORA", {"toy": ("alpha==1.0", "beta-pkg==3.0")})
    corpora.prepare("toy", cache)
    assert (folder / "alpha" / "core.py").read_text(encoding="utf-8") == ALPHA["alpha/core.py"]
    assert (folder / "beta_pkg" / "new.py").is_file()
    assert not (folder.parent / "toy.partial").exists()


def test_two_wheels_writing_one_file_fail_clearly(cache: Path) -> None:
    _wheel(cache / "wheels", "beta_pkg-2.0", {**BETA, "alpha/core.py": "print('not alpha')\n"})
    with pytest.raises(
        SystemExit, match=r"alpha/core\.py is in both alpha-1\.0-py3-none-any\.whl and beta_pkg-2\.0"
    ):
        corpora.prepare("toy", cache)
    assert not (cache / "project" / "toy").exists()
    assert not (cache / "project" / "toy.partial").exists()
