"""Allowlist policy, walker details, the rules and the plugin hooks."""

from __future__ import annotations

import pickle

import pytest
from aisec.hooks import Rule, Severity
from aisec.plugins import artifacts
from aisec.plugins.artifacts import Limits, Status, inspect_file
from aisec.plugins.artifacts.opcodes import walk_bytes
from aisec.plugins.artifacts.policy import Policy, judge

from . import samples


def _custom_class_pickle() -> bytes:
    """NEWOBJ of a project class, as torch.save of a custom nn.Module writes it."""
    return samples.P4 + samples.sglobal("mypkg.models", "TinyNet") + b")\x81}b."


def test_custom_class_needs_the_allow_config(tmp_path):
    path = tmp_path / "net.pt"
    path.write_bytes(_custom_class_pickle())
    (verdict,) = inspect_file(path)
    assert verdict.status is Status.MALICIOUS and verdict.severity is Severity.HIGH
    assert "mypkg.models.TinyNet" in verdict.message
    (verdict,) = inspect_file(path, extra_allow=["mypkg.models.TinyNet"])
    assert verdict.status is Status.CLEAN and verdict.code == "AIS402"
    (verdict,) = inspect_file(path, extra_allow=["mypkg.models:TinyNet"])
    assert verdict.status is Status.CLEAN


def test_uncalled_unknown_import_is_suspicious(tmp_path):
    path = tmp_path / "ref.pkl"
    path.write_bytes(samples.P4 + b"]" + samples.sglobal("mypkg.labels", "LABELS") + b"a.")
    (verdict,) = inspect_file(path)
    assert verdict.status is Status.SUSPICIOUS
    assert verdict.severity is Severity.MEDIUM and verdict.code == "AIS401"


def test_dotted_names_never_match_the_default_allowlist():
    policy = Policy.default()
    assert policy.is_allowed("collections", "OrderedDict")
    assert not policy.is_allowed("collections", "OrderedDict.get")
    assert policy.is_dangerous("numpy", "testing._private.utils.runstring")
    assert policy.is_dangerous("os", "getpid")
    assert not policy.is_dangerous("joblib.numpy_pickle", "NumpyArrayWrapper")
    assert policy.is_allowed("joblib.numpy_pickle", "NumpyArrayWrapper")
    assert policy.is_allowed("numpy.core.multiarray", "_reconstruct")
    assert policy.is_allowed("numpy._core.multiarray", "_reconstruct")
    assert policy.is_allowed("torch._utils", "_rebuild_tensor_v2")
    assert policy.is_allowed("uuid", "UUID")


def test_fickling_allowlist_is_seeded():
    from fickling.ml import ML_ALLOWLIST

    policy = Policy.default()
    for module, names in ML_ALLOWLIST.items():
        for name in names:
            assert policy.is_allowed(module, name)


def test_memo_tricks_resolve_through_the_stack():
    walk = walk_bytes(samples.memo_dup_trick())
    assert walk.complete
    assert [i.full for i in walk.imports] == ["os.getpid"]
    assert any(c.target == "os.getpid" and c.kind == "REDUCE" for c in walk.calls)


def test_walker_reads_what_fickling_cannot():
    walk = walk_bytes(samples.float_then_payload(), keep_copy=True)
    assert walk.complete and walk.normalized is not None
    assert b"F1.5" not in walk.normalized  # rewritten to BINFLOAT for fickling
    from fickling.fickle import Pickled

    Pickled.load(bytes(walk.normalized))  # parses now


def test_judge_orders_severity():
    j = judge([walk_bytes(samples.getpid_p2())], Policy.default())
    assert j.status is Status.MALICIOUS and j.severity is Severity.CRITICAL
    j = judge([walk_bytes(samples.ordered_dict_floats(2))], Policy.default())
    assert j.status is Status.CLEAN and j.severity is Severity.INFO


def test_nothing_is_ever_unpickled(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("aisec must never unpickle")

    for name in ("load", "loads", "Unpickler", "_Unpickler", "_load", "_loads"):
        monkeypatch.setattr(pickle, name, refuse, raising=False)
    for sample in samples.MALICIOUS_SAMPLES:
        if sample.needs is None:
            inspect_file(sample.write(tmp_path))


def test_rules_are_registered_and_documented():
    rules = artifacts.aisec_rules()
    assert [r.code for r in rules] == ["AIS401", "AIS402", "AIS403"]
    for rule in rules:
        assert issubclass(rule, Rule)
        assert rule.metadata_problems() == []
        assert rule.summary and rule.description and rule.rationale and rule.remediation and rule.references
        assert rule.valid and rule.invalid  # artifacts referenced from code (text pickles)
    assert {r.code: r.name for r in rules} == {
        "AIS401": "malicious-pickle-artifact",
        "AIS402": "pickle-artifact",
        "AIS403": "artifact-not-inspected",
    }


def test_inspector_hook(tmp_path):
    (inspector,) = artifacts.aisec_artifact_inspectors()
    path = tmp_path / "m.bin"
    path.write_bytes(samples.getpid_p2())
    (verdict,) = inspector.inspect(path, Limits(), ())
    assert verdict.status is Status.MALICIOUS
    assert inspector.recognises(samples.getpid_p2()[:512])
    assert not inspector.recognises(b"# just text\n")
    assert verdict.to_dict()["code"] == "AIS401"


def test_limits_from_config():
    limits = Limits.from_config({"max-pickle-bytes": 10, "timeout-seconds": 2})
    assert limits.max_pickle_bytes == 10 and limits.timeout_seconds == 2.0
    assert limits.max_opcodes == Limits().max_opcodes


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
def test_plain_data_every_protocol_is_clean(protocol, tmp_path):
    path = tmp_path / "d.pkl"
    path.write_bytes(
        pickle.dumps({"a": [1, 2.5, "x", b"y", None, True], "b": (1,), "c": {3}}, protocol=protocol)
    )
    (verdict,) = inspect_file(path)
    assert verdict.status is Status.CLEAN, verdict.to_dict()


def test_artifact_fingerprint_covers_the_dangerous_content():
    from aisec.findings import assign_fingerprints
    from aisec.hooks import Confidence, Finding, Location

    def finding(content: str) -> Finding:
        return Finding(
            code="AIS401",
            name="malicious-pickle-artifact",
            severity=Severity.MEDIUM,
            confidence=Confidence.HIGH,
            location=Location("model.pt", 1, 1, 1, 1),
            message="m",
            artifact={"path": "model.pt", "member": None, "content": content},
        )

    (first,) = assign_fingerprints([finding("a")], ["x"])
    (swapped,) = assign_fingerprints([finding("b")], ["x"])
    (unchanged,) = assign_fingerprints([finding("a")], ["x"])
    assert swapped.fingerprint != first.fingerprint
    assert unchanged.fingerprint == first.fingerprint


def test_load_line_suppression_never_hides_high_ais401():
    from aisec.suppressions import find_suppressions, suppression_for

    text = 'torch.load("m.pt")  # aisec: ignore[AIS401] reviewed\n'
    for severity, hidden in [(Severity.MEDIUM, True), (Severity.HIGH, False), (Severity.CRITICAL, False)]:
        suppressions = find_suppressions(text)
        assert (suppression_for(suppressions, "AIS401", 1, 1, 1, severity) is not None) is hidden
    assert suppression_for(
        find_suppressions(text.replace("AIS401", "AIS403")), "AIS403", 1, 1, 1, Severity.HIGH
    )
