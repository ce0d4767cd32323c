"""Distribution names as the project's declarations are keyed: PEP 503 normalisation, checked
against `packaging` (which `aisec.project` no longer imports for it)."""

from __future__ import annotations

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
