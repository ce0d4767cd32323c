"""Distribution names as the project's declarations are keyed: PEP 503 normalisation, checked
against `packaging` (which `aisec.project` no longer imports for it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from aisec.project import Project, canonical_name
from packaging.utils import canonicalize_name


@pytest.mark.parametrize(
    "name",
    [
        "torch",
        "Torch",
        "scikit_learn",
        "scikit-learn",
        "Scikit.Learn",
        "a--b__c..d",
        "zope.interface",
        "A_-._B",
        "x",
    ],
)
def test_canonical_name_is_pep503(name: str) -> None:
    assert canonical_name(name) == canonicalize_name(name)


def test_declared_names_match_whatever_the_spelling(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("Torch_Vision>=0.20\ntorch>=2.6\n", encoding="utf-8")
    project = Project(tmp_path)
    assert project.requires_at_least("torch.vision", "0.20")
    assert project.requires_at_least("TORCH", "2.6")
    assert not project.requires_at_least("torch", "2.7")
    assert project.requirement("numpy") is None


@pytest.mark.parametrize("declared", ["", "numpy>=1\n", "torch>=2.6\n"])
def test_packaging_version_is_imported_only_for_a_declared_distribution(
    tmp_path: Path, declared: str
) -> None:
    """A project that declares no torch answers `requires_at_least("torch", ...)` without
    importing `packaging.version`; one that declares it still gets the answer from it."""
    if declared:
        (tmp_path / "requirements.txt").write_text(declared, encoding="utf-8")
    probe = (
        "import sys\nfrom pathlib import Path\nfrom aisec.project import Project\n"
        f"answer = Project(Path({str(tmp_path)!r})).requires_at_least('torch', '2.6')\n"
        "print(answer, 'packaging.version' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == (
        ["True", "True"] if "torch" in declared else ["False", str("numpy" in declared)]
    )
