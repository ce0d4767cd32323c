"""Every generated malicious artifact is AIS401, every benign one is not (nothing is ever loaded)."""

from __future__ import annotations

import time

import pytest
from aisec.hooks import Severity
from aisec.plugins.artifacts import Status, inspect_file

from . import samples
from .helpers import need

# generous: a hang would be caught, timing is measured elsewhere
SECONDS_PER_SAMPLE = 20.0


def _inspect(sample: samples.Sample, tmp_path):
    if sample.needs:
        need(sample.needs)
    path = sample.write(tmp_path)
    start = time.perf_counter()
    verdicts = inspect_file(path)
    elapsed = time.perf_counter() - start
    assert elapsed < SECONDS_PER_SAMPLE
    assert verdicts, "inspect_file always returns at least one verdict for a file"
    return verdicts


@pytest.mark.parametrize("sample", samples.MALICIOUS_SAMPLES, ids=lambda s: s.name)
def test_malicious_sample_is_detected(sample, tmp_path):
    verdicts = _inspect(sample, tmp_path)
    malicious = [v for v in verdicts if v.status is Status.MALICIOUS]
    assert malicious, [v.to_dict() for v in verdicts]
    for v in malicious:
        assert v.code == "AIS401"
        assert v.severity in (Severity.HIGH, Severity.CRITICAL)
        assert v.offending
        assert v.message


@pytest.mark.parametrize("sample", samples.BENIGN_SAMPLES, ids=lambda s: s.name)
def test_benign_sample_is_not_malicious(sample, tmp_path):
    verdicts = _inspect(sample, tmp_path)
    statuses = {v.status for v in verdicts}
    assert Status.MALICIOUS not in statuses, [v.to_dict() for v in verdicts]
    # stricter than required: benign samples are fully inspected and nothing is even suspicious
    assert statuses <= {Status.CLEAN, Status.NO_PICKLE, Status.UNRECOGNISED}, [v.to_dict() for v in verdicts]


def test_payload_imports_survive_truncation(tmp_path):
    sample = next(s for s in samples.MALICIOUS_SAMPLES if s.name == "truncated-after-payload")
    (verdict,) = _inspect(sample, tmp_path)
    assert verdict.status is Status.MALICIOUS
    assert "os.getpid" in verdict.imports
    assert verdict.reason and "ends inside" in verdict.reason


def test_clean_truncated_stream_is_incomplete_high(tmp_path):
    path = tmp_path / "cut.pkl"
    path.write_bytes(samples.ordered_dict_floats(4)[:-7])
    (verdict,) = inspect_file(path)
    assert verdict.status is Status.INCOMPLETE
    assert verdict.severity is Severity.HIGH
    assert verdict.code == "AIS403"
    assert "collections.OrderedDict" in verdict.imports


def test_git_lfs_pointer_is_info(tmp_path):
    (verdict,) = _inspect(samples.LFS_SAMPLE, tmp_path)
    assert verdict.status is Status.INCOMPLETE
    assert verdict.severity is Severity.INFO
    assert "git lfs pull" in verdict.message


def test_legacy_torch_streams_are_named(tmp_path):
    sample = next(s for s in samples.MALICIOUS_SAMPLES if s.name == "legacy-torch-stream-4")
    verdicts = _inspect(sample, tmp_path)
    bad = [v for v in verdicts if v.status is Status.MALICIOUS]
    assert [v.member for v in bad] == ["stream 4"]
    assert all(v.format == "torch-legacy" for v in verdicts)


def test_unusual_member_name_is_reported_by_name(tmp_path):
    sample = next(s for s in samples.MALICIOUS_SAMPLES if s.name == "torch-zip-unusual-member")
    verdicts = _inspect(sample, tmp_path)
    by_member = {v.member: v for v in verdicts}
    assert by_member["archive/extra/evil.bin"].status is Status.MALICIOUS
    assert by_member["archive/data.pkl"].status is Status.CLEAN
    assert "archive/data/0" not in by_member  # tensor storage: not pickle data


def test_every_malicious_technique_names_its_import(tmp_path):
    expected = {
        "runpy-run-code": "runpy._run_code",
        "pip-main": "pip.main",
        "importlib-methodcaller": "importlib.import_module",
        "operator-attrgetter": "operator.attrgetter",
        "getattr-chain": "builtins.getattr",
        "memo-dup-trick": "os.getpid",
        "py2-builtin-eval": "builtins.eval",
        "stack-global-dotted": "numpy.testing._private.utils.runstring",
        "nested-in-binbytes": "os.getpid",
    }
    for sample in samples.MALICIOUS_SAMPLES:
        if sample.name in expected:
            verdicts = _inspect(sample, tmp_path)
            assert any(expected[sample.name] in v.imports for v in verdicts), sample.name
