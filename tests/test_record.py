"""``gpulint.record``: the data classes of the model, and what they must do as dataclasses did."""

from __future__ import annotations

import pickle
from typing import ClassVar, Optional

import pytest

from gpulint.record import FrozenInstanceError, field, fields, record, replace


@record
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)
    kind: ClassVar[str] = "point"


@record(eq=False)
class Base:
    name: str
    size: Optional[int] = None


@record(eq=False)
class Child(Base):
    extra: list[int] = field(default_factory=list)
    size: Optional[int] = 3  # redefined: keeps its place, takes the new default


@record(frozen=True)
class Span:
    line: int
    column: int = 1


def test_init_defaults_and_factories() -> None:
    a, b = Point(1), Point(1, 2, ["t"])
    assert (a.x, a.y, a.tags, a.cache) == (1, 0, [], {})
    assert (b.x, b.y, b.tags) == (1, 2, ["t"])
    assert a.tags is not Point(1).tags  # a fresh list per instance
    assert Point(x=5, y=6).y == 6
    assert [f.name for f in fields(Point)] == ["x", "y", "tags", "cache"]  # ClassVar is not a field
    assert Point.kind == "point" and not hasattr(Point, "tags")
    with pytest.raises(TypeError):
        Point()  # x is required


def test_repr_and_equality() -> None:
    assert repr(Point(1, tags=["a"])) == "Point(x=1, y=0, tags=['a'])"  # repr=False is left out
    assert Point(1) == Point(1) and Point(1) != Point(2)
    assert Point(1) != (1, 0, [], {})
    with pytest.raises(TypeError):
        hash(Point(1))  # mutable and compared by value: unhashable, as a dataclass is


def test_eq_false_keeps_identity() -> None:
    a, b = Base("n"), Base("n")
    assert a != b and a == a
    assert len({a, b}) == 2


def test_inheritance_orders_base_fields_first() -> None:
    c = Child("n")
    assert [f.name for f in fields(Child)] == ["name", "size", "extra"]
    assert (c.name, c.size, c.extra) == ("n", 3, [])
    assert Child("n", 4, [1]).extra == [1]


def test_frozen_records_are_immutable_and_hashable() -> None:
    s = Span(3)
    with pytest.raises(FrozenInstanceError):
        s.line = 4  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del s.column
    assert hash(s) == hash(Span(3, 1)) and {s: 1}[Span(3)] == 1


def test_replace_and_pickle() -> None:
    p = Point(1, tags=["a"])
    q = replace(p, y=9)
    assert (q.x, q.y, q.tags) == (1, 9, ["a"]) and p.y == 0
    with pytest.raises(TypeError, match="no field z"):
        replace(p, z=1)
    for obj in (p, Span(2, 5), Child("n")):
        back = pickle.loads(pickle.dumps(obj))
        assert type(back) is type(obj) and back.__dict__ == obj.__dict__
    assert replace(Span(1), column=7) == Span(1, 7)


def test_post_init_runs_after_the_fields_are_set() -> None:
    @record
    class Scaled:
        value: int
        double: int = 0

        def __post_init__(self) -> None:
            self.double = self.value * 2

    assert Scaled(4).double == 8


def test_a_required_field_after_a_default_is_a_definition_error() -> None:
    with pytest.raises(TypeError, match="without a default follows"):
        @record
        class Bad:
            a: int = 0
            b: int


def test_evaluated_annotations_work_too() -> None:
    # a module without `from __future__ import annotations` gives real typing objects
    scope: dict = {}
    exec(
        "from typing import ClassVar\n"
        "from gpulint.record import field, record\n"
        "@record\n"
        "class Evaluated:\n"
        "    a: int\n"
        "    kind: ClassVar[str] = 'k'\n"
        "    b: list = field(default_factory=list)\n",
        scope,
    )
    cls = scope["Evaluated"]
    assert [f.name for f in fields(cls)] == ["a", "b"]
    assert cls(1).b == [] and cls.kind == "k"
