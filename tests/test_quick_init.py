"""`values.quick_init`: the same instances as the dataclass's generated `__init__`, built faster."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
from aisec.taint.values import NO_FACTS, Param, Taint, Value, quick_init


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
