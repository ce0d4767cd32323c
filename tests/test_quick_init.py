"""`values.quick_init`: the same instances as the dataclass's generated `__init__`, built faster;
`values.replace`: the same instances as `dataclasses.replace`, built faster."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
from aisec.taint.values import NO_FACTS, Checked, Param, Site, Taint, Value, quick_init, replace
from hypothesis import given, settings
from hypothesis import strategies as st


def _probe_class() -> type:
    @dataclasses.dataclass(frozen=True)
    class Probe:
        a: int
        b: tuple = ()
        c: Any = dataclasses.field(default=None, compare=False)
        total: int = dataclasses.field(default=0, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "total", self.a + len(self.b))

    return Probe


CASES = [((1,), {}), ((1, (2, 3)), {}), ((4,), {"c": "x"}), ((), {"a": 5, "b": (1,), "total": 9})]


@pytest.mark.parametrize(("args", "kwargs"), CASES)
def test_same_instance_as_the_generated_init(args: tuple, kwargs: dict) -> None:
    plain, quick = _probe_class(), quick_init(_probe_class())
    made, fast = plain(*args, **kwargs), quick(*args, **kwargs)
    assert list(vars(made).items()) == list(vars(fast).items())  # same fields, same order
    assert dataclasses.replace(fast, a=7).total == dataclasses.replace(made, a=7).total


def test_same_signature_and_errors() -> None:
    plain, quick = _probe_class(), quick_init(_probe_class())
    assert [(p.name, p.default, p.kind) for p in inspect.signature(plain).parameters.values()] == [
        (p.name, p.default, p.kind) for p in inspect.signature(quick).parameters.values()
    ]
    for call in (lambda cls: cls(), lambda cls: cls(1, b=(), bogus=1), lambda cls: cls(1, 2, 3, 4, 5)):
        with pytest.raises(TypeError):
            call(plain)
        with pytest.raises(TypeError):
            call(quick)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quick(1).a = 2  # still frozen


def test_fields_it_cannot_copy_are_refused() -> None:
    @dataclasses.dataclass(frozen=True)
    class Listed:
        items: list = dataclasses.field(default_factory=list)

    with pytest.raises(TypeError, match=r"Listed\.items"):
        quick_init(Listed)


def test_the_domain_classes_compute_their_derived_fields() -> None:
    inner = Value(frozenset({"f"}))
    outer = Value(items=(inner,), keys=(("k", Value(frozenset({"g"}), items=(inner,))),))
    assert outer.all == frozenset({"f", "g"}) and outer.depth == 3
    assert Value() == Value(NO_FACTS) and hash(Value()) == hash(Value(NO_FACTS))
    assert Param(1, 2).via == () and dataclasses.replace(Param(1, 2), via=("c",)) == Param(1, 2)
    assert [f.name for f in dataclasses.fields(Taint)] == list(vars(Taint(None)))


# ----- values.replace: dataclasses.replace, faster for the quick_init classes -----

_texts = st.sampled_from(["a", "b", "json.dumps", ""])
_params = st.builds(
    Param,
    st.integers(0, 3),
    st.integers(0, 3),
    st.booleans(),
    st.tuples(_texts),
    st.tuples(_texts),
    st.none() | _texts,
)
_taints = st.builds(
    Taint,
    st.builds(Site, _texts, _texts, st.none() | _texts),
    st.booleans(),
    st.tuples(_texts),
    st.frozensets(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=2),
    st.tuples(_texts),
)
_facts = st.frozensets(_params | _taints | st.just(Checked()), max_size=3)
_values = st.recursive(
    st.builds(Value, _facts, const=st.none() | _texts, words=st.integers(0, 3), type_name=st.none() | _texts),
    lambda inner: st.builds(
        Value,
        _facts,
        st.none() | st.tuples(inner),
        st.none() | st.tuples(st.tuples(_texts, inner)),
        slots=st.tuples(_texts),
        checked=st.booleans(),
        origin=st.none() | _texts,
        instance=st.booleans(),
    ),
    max_leaves=4,
)
_changes = {
    Value: st.fixed_dictionaries(
        {},
        optional={
            "facts": _facts,
            "items": st.none() | st.tuples(_values),
            "keys": st.none() | st.tuples(st.tuples(_texts, _values)),
            "type_name": st.none() | _texts,
            "slots": st.tuples(_texts),
            "checked": st.booleans(),
            "origin": st.none() | _texts,
            "ref": st.none() | _texts,
        },
    ),
    Taint: st.fixed_dictionaries(
        {},
        optional={
            "spliced": st.booleans(),
            "encoded": st.tuples(_texts),
            "cond": st.frozensets(st.tuples(st.integers(0, 2), st.integers(0, 2)), max_size=2),
            "via": st.tuples(_texts, _texts),
        },
    ),
    Param: st.fixed_dictionaries(
        {}, optional={"key": st.none() | _texts, "via": st.tuples(_texts), "spliced": st.booleans()}
    ),
}


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_replace_makes_what_dataclasses_replace_makes(data: st.DataObject) -> None:
    obj = data.draw(_values | _taints | _params)
    changes = data.draw(_changes[type(obj)])
    made, fast = dataclasses.replace(obj, **changes), replace(obj, **changes)
    assert type(fast) is type(made)
    assert list(vars(fast).items()) == list(vars(made).items())  # compare=False fields too (`all`, `via`)


def test_replace_of_other_classes_and_bad_fields() -> None:
    checked = Checked(frozenset({(1, 2)}))
    assert replace(checked, spliced=True) == Checked(frozenset({(1, 2)}), spliced=True)
    for obj in (Value(), Taint(None), checked):
        with pytest.raises(TypeError):
            replace(obj, bogus=1)
        with pytest.raises(TypeError):
            dataclasses.replace(obj, bogus=1)


COMPARED = [f.name for f in dataclasses.fields(Value) if f.compare]


@settings(max_examples=300, deadline=None)
@given(_values, _values, st.data())
def test_value_equality_is_the_generated_one(left: Value, right: Value, data: st.DataObject) -> None:
    """`Value.__eq__` answers as the dataclass's generated one: the compared fields, as tuples."""
    if data.draw(st.booleans()):  # equal in some fields, different in one or none
        right = replace(left, **data.draw(_changes[Value]))
    expected = tuple(getattr(left, f) for f in COMPARED) == tuple(getattr(right, f) for f in COMPARED)
    assert (left == right) is expected and (left != right) is not expected
    assert (right == left) is expected
    if expected:
        assert hash(left) == hash(right)
    assert hash(left) == hash(tuple(getattr(left, f) for f in COMPARED))  # the generated `__hash__`


def test_value_equality_with_other_types() -> None:
    assert Value() != Taint(None) and Value() != "x" and Value() != None  # noqa: E711
    assert len(COMPARED) == 11 and "origin" not in COMPARED and "all" not in COMPARED
