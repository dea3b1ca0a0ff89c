"""Declarative shapes: what a mapping in a document or in the config must look like.

A shape is a class whose annotated attributes are its fields::

    class Probe(Shape):
        initialDelaySeconds: Optional[IntLike] = None

    probe = Probe.validate({"initialDelaySeconds": 30})   # or raise ShapeError

``validate`` checks structure and builds an instance whose attributes are the
fields (absent ones take their defaults). It understands exactly the types
gpulint's shapes use: ``Any``, ``bool``, ``int``, ``float``, ``str``,
``Literal[...]``, ``Optional[X]``, ``Union[...]``, ``list[X]``, ``dict[K, V]``,
other shapes, and ``Annotated[Any, Check(fn)]`` for a value check of gpulint's
own (``fn`` returns the value or raises :class:`Invalid`). Checks are strict:
``"300"`` is not an integer and ``yes`` (a string) is not a boolean.

Errors are reported as pydantic does (``type``, ``loc``, ``msg``, ``input``,
``ctx``), and ``scripts/gen_schemas.py`` turns each shape into the equivalent
pydantic model to generate the JSON Schemas in ``schemas/``; the tests check
that both validators accept and refuse the same documents. Validating here
instead keeps pydantic's import (several times the interpreter's own start-up)
off every lint run.
"""

from __future__ import annotations

import typing
from typing import Any, Callable, ClassVar, Literal, Optional, Union

__all__ = ["Check", "Field", "FieldInfo", "Invalid", "Shape", "ShapeError"]

_MISSING: Any = object()


class Invalid(Exception):
    """Raised by a :class:`Check` function: a problem of kind ``type`` with a message template."""

    def __init__(self, type: str, template: str, ctx: Optional[dict] = None) -> None:
        super().__init__(template)
        self.type = type
        self.template = template
        self.ctx = ctx or {}

    @property
    def message(self) -> str:
        return self.template.format(**self.ctx)


class Check:
    """``Annotated`` metadata: validate a value with ``fn`` (returns the value or raises Invalid)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        self.fn = fn


class ShapeError(ValueError):
    """A value does not fit a shape; :meth:`errors` lists every problem."""

    def __init__(self, shape: str, errors: list[dict]) -> None:
        super().__init__(f"{len(errors)} problem(s) validating {shape}")
        self._errors = errors

    def errors(self) -> list[dict]:
        return list(self._errors)


class FieldInfo:
    """A field of a shape: its name in data (``alias``), type, default and documentation."""

    __slots__ = ("name", "alias", "annotation", "default", "default_factory", "ge", "description",
                 "before", "exclude")

    def __init__(self, default: Any = _MISSING, *, default_factory: Optional[Callable[[], Any]] = None,
                 ge: Optional[float] = None, description: Optional[str] = None,
                 before: Optional[Callable[[Any], Any]] = None, exclude: bool = False) -> None:
        self.name = ""
        self.alias: Optional[str] = None
        self.annotation: Any = None
        self.default = default
        self.default_factory = default_factory
        self.ge = ge
        self.description = description
        self.before = before
        self.exclude = exclude

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None

    def get_default(self) -> Any:
        return self.default_factory() if self.default_factory is not None else self.default

    def __repr__(self) -> str:
        return f"FieldInfo({self.name!r}, default={self.default!r})"


def Field(default: Any = _MISSING, **kwargs: Any) -> Any:  # noqa: N802 - reads like the pydantic spelling
    """Declare a field with a default, a ``ge`` bound, a ``description`` or a ``before`` hook."""
    return FieldInfo(default, **kwargs)


# --------------------------------------------------------------------------- validators
#
# A validator is ``fn(value, loc, errors) -> value``: it returns the value to keep and
# appends an error dict for each problem (the returned value then does not matter).
# ``None`` stands for "anything goes" and is never called.

Validator = Optional[Callable[[Any, tuple, list], Any]]


def _error(errors: list, type_: str, loc: tuple, msg: str, value: Any, ctx: Optional[dict] = None) -> None:
    entry = {"type": type_, "loc": loc, "msg": msg, "input": value}
    if ctx:
        entry["ctx"] = ctx
    errors.append(entry)


def _exact(kind: type, type_: str, msg: str) -> Callable:
    def check(value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is not kind:
            _error(errors, type_, loc, msg, value)
        return value

    return check


_SIMPLE: dict[Any, Callable] = {
    bool: _exact(bool, "bool_type", "Input should be a valid boolean"),
    int: _exact(int, "int_type", "Input should be a valid integer"),
    str: _exact(str, "string_type", "Input should be a valid string"),
}


def _float(value: Any, loc: tuple, errors: list) -> Any:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    _error(errors, "float_type", loc, "Input should be a valid number", value)
    return value


def _literal(choices: tuple) -> Callable:
    shown = [repr(c) for c in choices]
    expected = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]
    msg = f"Input should be {expected}"

    def check(value: Any, loc: tuple, errors: list) -> Any:
        # by type and value, as a strict validator does: True is not 1
        if not any(type(value) is type(c) and value == c for c in choices):
            _error(errors, "literal_error", loc, msg, value, {"expected": expected})
        return value

    return check


def _custom(fn: Callable[[Any], Any]) -> Callable:
    def check(value: Any, loc: tuple, errors: list) -> Any:
        try:
            return fn(value)
        except Invalid as exc:
            _error(errors, exc.type, loc, exc.message, value, exc.ctx)
            return value

    return check


class _Optional:
    """``Optional[X]``: None, or what ``inner`` accepts."""

    __slots__ = ("inner",)

    def __init__(self, inner: Callable) -> None:
        self.inner = inner

    def __call__(self, value: Any, loc: tuple, errors: list) -> Any:
        return None if value is None else self.inner(value, loc, errors)


def _optional(inner: Validator) -> Validator:
    return None if inner is None else _Optional(inner)


def _list(item: Validator) -> Callable:
    def check(value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is not list:
            _error(errors, "list_type", loc, "Input should be a valid list", value)
            return value
        if item is None:
            return value
        return [item(v, loc + (i,), errors) for i, v in enumerate(value)]

    return check


def _dict(key: Validator, val: Validator) -> Callable:
    def check(value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is not dict:
            _error(errors, "dict_type", loc, "Input should be a valid dictionary", value)
            return value
        if key is None and val is None:
            return value
        out = {}
        for k, v in value.items():
            if key is not None:
                k = key(k, loc + (k, "[key]"), errors)
            out[k] = v if val is None else val(v, loc + (k,), errors)
        return out

    return check


def _union(members: list[tuple[str, Validator]]) -> Validator:
    if any(v is None for _, v in members):
        return None

    def check(value: Any, loc: tuple, errors: list) -> Any:
        tried: list = []
        for tag, member in members:
            found: list = []
            out = member(value, loc + (tag,), found)  # type: ignore[misc]
            if not found:
                return out
            tried.extend(found)
        errors.extend(tried)
        return value

    return check


def _bounded(inner: Callable, ge: Optional[float]) -> Callable:
    if ge is None:
        return inner

    def check(value: Any, loc: tuple, errors: list) -> Any:
        before = len(errors)
        value = inner(value, loc, errors)
        if len(errors) == before and value is not None and value < ge:
            _error(errors, "greater_than_equal", loc, f"Input should be greater than or equal to {ge}",
                   value, {"ge": ge})
        return value

    return check


def _tag(tp: Any) -> str:
    """The name pydantic gives a union member in error locations (``dict[str,float]``)."""
    origin = typing.get_origin(tp)
    if origin is None:
        return getattr(tp, "__name__", str(tp))
    args = ",".join(_tag(a) for a in typing.get_args(tp))
    return f"{getattr(origin, '__name__', str(origin))}[{args}]"


def _validator(tp: Any) -> Validator:
    """The validator for annotation ``tp``."""
    if tp is Any or tp is object:
        return None
    if isinstance(tp, type) and issubclass(tp, Shape):
        return tp._nested
    if tp in _SIMPLE:
        return _SIMPLE[tp]
    if tp is float:
        return _float
    if tp is dict:
        return _dict(None, None)
    if tp is list:
        return _list(None)
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        checks = [m for m in tp.__metadata__ if isinstance(m, Check)]
        if checks:
            return _custom(checks[0].fn)
        return _validator(args[0])
    if origin is Literal:
        return _literal(args)
    if origin is Union:
        members = [a for a in args if a is not type(None)]
        if len(members) < len(args):  # Optional[...]
            inner = members[0] if len(members) == 1 else Union[tuple(members)]
            return _optional(_validator(inner))
        return _union([(_tag(m), _validator(m)) for m in members])
    if origin is list:
        return _list(_validator(args[0]) if args else None)
    if origin is dict:
        return _dict(*(_validator(a) for a in args)) if args else _dict(None, None)
    raise TypeError(f"shape field type {tp!r} is not supported")


# --------------------------------------------------------------------------- shapes


class Shape:
    """Base of all shapes. Subclasses may set:

    - ``extra``: what to do with keys that are not fields: ``"ignore"`` them (documents
      carry many fields gpulint does not read), ``"forbid"`` them (the config), or
      ``"allow"`` them (kept in ``model_extra``);
    - ``alias``: a function giving each field's key in data (``fail_on`` -> ``fail-on``);
      the field's own name is accepted too.
    """

    extra: ClassVar[str] = "ignore"
    alias: ClassVar[Optional[Callable[[str], str]]] = None

    # compiled on first use, per class
    _compiled: ClassVar[bool] = False
    _fields: ClassVar[dict[str, FieldInfo]]
    _keys: ClassVar[dict[str, tuple[str, Validator, Optional[Callable], bool, Optional[str]]]]
    _defaults: ClassVar[dict[str, Any]]
    _factories: ClassVar[tuple[tuple[str, Callable[[], Any]], ...]]
    _required: ClassVar[tuple[FieldInfo, ...]]

    #: the keys that are not fields, when ``extra`` is ``"allow"``
    model_extra: ClassVar[Optional[dict]] = None
    _builder: ClassVar[Callable[[dict, tuple, list], Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._compiled = False

    def __init__(self, **values: Any) -> None:
        """Build an instance from field values as they are (no validation): absent fields take defaults."""
        cls = type(self)
        fields = cls.fields()
        state = dict(cls._defaults)
        for name, factory in cls._factories:
            state[name] = factory()
        for name, value in values.items():
            if name not in fields:
                raise TypeError(f"{cls.__name__} has no field {name!r}")
            state[name] = value
        missing = [f.name for f in cls._required if f.name not in state]
        if missing:
            raise TypeError(f"{cls.__name__} needs {', '.join(missing)}")
        if cls.extra == "allow":
            state["model_extra"] = {}
        self.__dict__.update(state)

    # ---------------------------------------------------------------- declaration

    @classmethod
    def fields(cls) -> dict[str, FieldInfo]:
        """The fields, in declaration order (base classes first)."""
        if not cls.__dict__.get("_compiled"):
            cls._compile()
        return cls._fields

    @classmethod
    def _compile(cls) -> None:
        every = typing.get_type_hints(cls, include_extras=True)
        hints: dict[str, Any] = {}
        declared: dict[str, FieldInfo] = {}
        for klass in reversed(cls.__mro__):
            if not (isinstance(klass, type) and issubclass(klass, Shape)) or klass is Shape:
                continue
            for name in klass.__dict__.get("__annotations__", {}):
                if name.startswith("_") or typing.get_origin(every[name]) is ClassVar:
                    continue
                hints[name] = every[name]
                raw = klass.__dict__.get(name, _MISSING)
                declared[name] = raw if isinstance(raw, FieldInfo) else FieldInfo(raw)
        fields: dict[str, FieldInfo] = {}
        keys: dict[str, tuple[str, Validator, Optional[Callable], bool, Optional[str]]] = {}
        defaults: dict[str, Any] = {}
        factories = []
        required = []
        cls._fields = fields  # before the validators: a shape may contain itself
        cls._compiled = True
        for name, declared_info in declared.items():
            info = FieldInfo(declared_info.default, default_factory=declared_info.default_factory,
                             ge=declared_info.ge, description=declared_info.description,
                             before=declared_info.before, exclude=declared_info.exclude)
            info.name = name
            info.annotation = hints[name]
            info.alias = cls.alias(name) if cls.alias else None
            fields[name] = info
            check = _validator(hints[name])
            nullable = False
            if isinstance(check, _Optional):  # None is checked inline: most fields are absent or set
                check, nullable = check.inner, True
            if info.ge is not None:
                check = _bounded(check or (lambda v, loc, errors: v), info.ge)
            entry = (name, check, info.before, nullable, None)
            keys[name] = entry
            if info.alias and info.alias != name:
                keys[info.alias] = entry
                # the name is accepted too, unless the alias is given: then the name is an extra key
                keys[name] = (name, check, info.before, nullable, info.alias)
            if info.default_factory is not None:
                factories.append((name, info.default_factory))
            elif info.default is not _MISSING:
                defaults[name] = info.default
            else:
                required.append(info)
        cls._keys = keys
        cls._defaults = defaults
        cls._factories = tuple(factories)
        cls._required = tuple(required)
        cls._builder = staticmethod(cls._make_builder())  # type: ignore[assignment]

    # ---------------------------------------------------------------- validation

    @classmethod
    def validate(cls, data: Any):  # type: ignore[no-untyped-def]
        """An instance built from ``data``; raises :class:`ShapeError` listing every problem."""
        errors: list = []
        if type(data) is not dict:
            _error(errors, "model_type", (), f"Input should be a valid dictionary or instance of {cls.__name__}",
                   data, {"class_name": cls.__name__})
            raise ShapeError(cls.__name__, errors)
        obj = cls._build(data, (), errors)
        if errors:
            raise ShapeError(cls.__name__, errors)
        return obj

    @classmethod
    def _nested(cls, value: Any, loc: tuple, errors: list) -> Any:
        if type(value) is not dict:
            _error(errors, "model_type", loc, f"Input should be a valid dictionary or instance of {cls.__name__}",
                   value, {"class_name": cls.__name__})
            return value
        return cls._build(value, loc, errors)

    @classmethod
    def _build(cls, data: dict, loc: tuple, errors: list) -> Any:
        if not cls.__dict__.get("_compiled"):
            cls._compile()
        return cls._builder(data, loc, errors)

    @classmethod
    def _make_builder(cls) -> Callable[[dict, tuple, list], Any]:
        """The function that builds an instance from a mapping (everything it needs bound locally)."""
        keys = cls._keys
        defaults = cls._defaults
        required = cls._required
        factories = cls._factories
        track = bool(required or factories)
        forbid = cls.extra == "forbid"
        allow = cls.extra == "allow"
        new = cls.__new__

        def build(data: dict, loc: tuple, errors: list) -> Any:
            state = dict(defaults)
            extra = None
            seen = set() if track else None
            for key, value in data.items():
                entry = keys.get(key)
                if entry is not None and entry[4] is not None and entry[4] in data:
                    entry = None
                if entry is None:
                    if forbid:
                        _error(errors, "extra_forbidden", loc + (key,), "Extra inputs are not permitted", value)
                    elif allow:
                        if extra is None:
                            extra = {}
                        extra[key] = value
                    continue
                name, check, before, nullable, _ = entry
                if before is not None:
                    value = before(value)
                if check is None or (nullable and value is None):
                    state[name] = value
                else:
                    state[name] = check(value, loc + (key,), errors)
                if track:
                    seen.add(name)  # type: ignore[union-attr]
            if track:
                for info in required:
                    if info.name not in seen:  # type: ignore[operator]
                        _error(errors, "missing", loc + (info.alias or info.name,), "Field required", data)
                for name, factory in factories:
                    if name not in seen:  # type: ignore[operator]
                        state[name] = factory()
            if allow:
                state["model_extra"] = extra or {}
            obj = new(cls)
            obj.__dict__ = state
            return obj

        return build

    # ---------------------------------------------------------------- the rest

    def dump(self) -> dict[str, Any]:
        """Field values by name (excluded fields left out), nested shapes as dicts."""
        def plain(value: Any) -> Any:
            if isinstance(value, Shape):
                return value.dump()
            if isinstance(value, list):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return {name: plain(getattr(self, name)) for name, info in self.fields().items() if not info.exclude}

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.fields())
        return f"{type(self).__name__}({shown})"
