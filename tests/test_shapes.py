"""gpulint's shape validator (``gpulint.shape``) against pydantic.

gpulint validates documents and its config with a small validator of its own,
so a lint run does not pay for importing pydantic; the JSON Schemas are
generated from the same declarations through pydantic (scripts/gen_schemas.py).
Here both validators meet the same inputs, generated from each shape's fields
with wrong types, placeholders and unknown keys mixed in, and must agree: the
same problems (kind and location) for a bad input, the same values for a good one.
``SHAPE_EXAMPLES=2000`` runs more examples than CI does.
"""

from __future__ import annotations

import os
import typing
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpulint import cluster, config, model
from gpulint.rule import all_rules
from gpulint.shape import Field, Shape, ShapeError
from helpers import load_script

pydantic = pytest.importorskip("pydantic")


GEN = load_script("gen_schemas")


def _subclasses(base: type) -> list[type]:
    out = []
    for cls in base.__subclasses__():
        out.append(cls)
        out.extend(_subclasses(cls))
    return out


DOCUMENT_SHAPES = sorted(
    {c for c in _subclasses(model.Shape) if c.__module__ in (model.__name__, cluster.__name__)},
    key=lambda c: c.__name__,
)
CONFIG_SHAPES = [config.Config, config.RuleConfig] + sorted(
    {r.Options for r in all_rules() if r.Options.fields()}, key=lambda c: c.__name__
)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "1", "abc", "${GPU}", "{{ .Values.n }}", "<count>", "$N", "error", "warning", "live"]),
    st.just([]),
    st.just({}),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 3), max_size=2),
)


def _value(tp: Any, depth: int) -> st.SearchStrategy:
    """Values that mostly fit ``tp``, sometimes do not."""
    if depth > 3:
        return JUNK
    if isinstance(tp, type) and issubclass(tp, Shape):
        return st.one_of(_mapping(tp, depth + 1), JUNK)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return JUNK
    if origin is typing.Union:
        return st.one_of(*(_value(a, depth) for a in args))
    if origin is list:
        return st.one_of(st.lists(_value(args[0], depth + 1), max_size=3), JUNK)
    if origin is dict and args:
        return st.one_of(st.dictionaries(st.sampled_from(["k", "ml.g5.xlarge", "x"]), _value(args[1], depth + 1),
                                          max_size=3), JUNK)
    if origin is typing.Literal:
        return st.one_of(st.sampled_from(args), JUNK)
    return JUNK


def _mapping(shape: type, depth: int = 0) -> st.SearchStrategy:
    fields = shape.fields()
    keys = {}
    for name, info in fields.items():
        if info.exclude:
            continue
        keys[info.alias or name] = _value(info.annotation, depth)
    extra = st.dictionaries(st.sampled_from(["unknownField", "budget-seconds", "fail_on"]), JUNK, max_size=1)
    return st.builds(lambda chosen, more: {**more, **chosen},
                     st.fixed_dictionaries({}, optional=keys), extra)


def _problems(errors: list[dict]) -> list[tuple]:
    return sorted((e["type"], tuple(str(p) for p in e["loc"])) for e in errors)


def _plain(value: Any) -> Any:
    if isinstance(value, Shape):
        return {k: _plain(getattr(value, k)) for k in value.fields()}
    if isinstance(value, pydantic.BaseModel):
        return {k: _plain(getattr(value, k)) for k in type(value).model_fields}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _agree(shape: type, data: Any, strict: bool) -> None:
    reference = GEN.pydantic_model(shape)
    try:
        theirs = reference.model_validate(data, strict=strict)
        their_errors: list[dict] = []
    except pydantic.ValidationError as exc:
        theirs, their_errors = None, exc.errors()
    try:
        ours = shape.validate(data)
        our_errors: list[dict] = []
    except ShapeError as exc:
        ours, our_errors = None, exc.errors()
    assert _problems(our_errors) == _problems(their_errors), data
    if ours is not None:
        assert _plain(ours) == _plain(theirs)
        if shape.extra == "allow":
            assert ours.model_extra == (theirs.model_extra or {})
    else:  # the messages a user reads are pydantic's too
        assert sorted(e["msg"] for e in our_errors) == sorted(e["msg"] for e in their_errors)


SETTINGS = settings(max_examples=int(os.environ.get("SHAPE_EXAMPLES", "60")), deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("shape", DOCUMENT_SHAPES, ids=lambda c: c.__name__)
@SETTINGS
@given(data=st.data())
def test_document_shapes_agree_with_pydantic(shape: type, data: st.DataObject) -> None:
    _agree(shape, data.draw(st.one_of(_mapping(shape), JUNK)), strict=False)


@pytest.mark.parametrize("shape", CONFIG_SHAPES, ids=lambda c: c.__name__)
@SETTINGS
@given(data=st.data())
def test_config_shapes_agree_with_pydantic_strict(shape: type, data: st.DataObject) -> None:
    _agree(shape, data.draw(st.one_of(_mapping(shape), JUNK)), strict=True)


def test_there_are_shapes_to_compare() -> None:
    names = {c.__name__ for c in DOCUMENT_SHAPES}
    assert {"PodSpec", "Container", "HPASpec", "ScaledObjectSpec", "NodeGroupShape", "NodePoolSpecShape"} <= names
    assert len(CONFIG_SHAPES) >= 8


# --------------------------------------------------------------------------- the validator itself


class Inner(Shape):
    count: int = Field(1, ge=1)


class Outer(Shape):
    extra = "forbid"
    alias = staticmethod(lambda name: name.replace("_", "-"))

    items: list[Inner]
    mode: typing.Literal["a", "b"] = "a"
    tags: list[str] = Field(default_factory=list)


def test_every_problem_is_reported_with_its_location() -> None:
    with pytest.raises(ShapeError) as info:
        Outer.validate({"items": [{"count": 0}, {"count": "2"}, 3], "mode": "c", "other": 1})
    assert [(e["type"], e["loc"], e["msg"]) for e in info.value.errors()] == [
        ("greater_than_equal", ("items", 0, "count"), "Input should be greater than or equal to 1"),
        ("int_type", ("items", 1, "count"), "Input should be a valid integer"),
        ("model_type", ("items", 2), "Input should be a valid dictionary or instance of Inner"),
        ("literal_error", ("mode",), "Input should be 'a' or 'b'"),
        ("extra_forbidden", ("other",), "Extra inputs are not permitted"),
    ]


def test_required_fields_defaults_and_aliases() -> None:
    with pytest.raises(ShapeError) as info:
        Outer.validate({})
    assert [(e["type"], e["loc"]) for e in info.value.errors()] == [("missing", ("items",))]
    a = Outer.validate({"items": [{}]})
    b = Outer.validate({"items": [{}]})
    assert a.items[0].count == 1 and a.mode == "a" and a.tags == []
    assert a.tags is not b.tags  # a default factory gives each instance its own list
    assert a == b and a != Outer.validate({"items": []})
    assert Outer(items=[]).dump() == {"items": [], "mode": "a", "tags": []}
    with pytest.raises(TypeError):
        Outer()  # items is required
    with pytest.raises(TypeError):
        Outer(items=[], nope=1)


class Aliased(Shape):
    extra = "forbid"
    alias = staticmethod(lambda name: name.replace("_", "-"))

    max_size: int = 1


def test_a_field_given_by_alias_and_by_name_takes_the_alias() -> None:
    assert Aliased.validate({"max_size": 3}).max_size == 3  # the name alone is accepted
    assert Aliased.validate({"max-size": 4}).max_size == 4
    with pytest.raises(ShapeError) as info:
        Aliased.validate({"max_size": 3, "max-size": 4})
    assert [(e["type"], e["loc"]) for e in info.value.errors()] == [("extra_forbidden", ("max_size",))]



    class Odd(Shape):
        when: set[int] = set()

    with pytest.raises(TypeError, match="not supported"):
        Odd.validate({})
