"""Plain data classes for gpulint's model, without the cost of ``dataclasses``.

``@record`` is the part of :func:`dataclasses.dataclass` gpulint uses: an
``__init__`` built from the annotated fields (defaults and ``field(default_factory=...)``
included, base classes' fields first, then ``__post_init__`` if the class has
one), ``__repr__``, ``__eq__`` (``eq=False`` keeps identity), and
``frozen=True`` (immutable and hashable). :func:`replace`
copies a record with some fields changed.

Why not ``dataclasses``: importing it imports ``inspect`` (and with it ``ast``,
``dis`` and ``tokenize``), and building each class takes several ``exec``
calls; together about a fifth of what a lint run over one small file costs.
``@record`` builds one ``__init__`` per class and shares the rest.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar

__all__ = ["FrozenInstanceError", "field", "fields", "record", "replace"]

T = TypeVar("T")
_MISSING: Any = object()


class FrozenInstanceError(AttributeError):
    """Assigning to a field of a frozen record."""


class Field:
    __slots__ = ("name", "default", "default_factory", "repr")

    def __init__(self, default: Any = _MISSING, default_factory: Optional[Callable[[], Any]] = None,
                 repr: bool = True) -> None:  # noqa: A002 - the dataclasses spelling
        if default is not _MISSING and default_factory is not None:
            raise ValueError("a field takes a default or a default_factory, not both")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.repr = repr

    @property
    def required(self) -> bool:
        return self.default is _MISSING and self.default_factory is None


def field(*, default: Any = _MISSING, default_factory: Optional[Callable[[], Any]] = None,
          repr: bool = True) -> Any:  # noqa: A002
    """A field with a default made per instance (``default_factory``) or left out of ``repr``."""
    return Field(default, default_factory, repr)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in ``__init__`` order."""
    return tuple(obj.__record_fields__.values())


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__origin__", annotation)
    if isinstance(text, str):
        return text.startswith(("ClassVar", "typing.ClassVar"))
    return getattr(text, "_name", None) == "ClassVar"


def _repr(self: Any) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__record_fields__.values() if f.repr)
    return f"{type(self).__qualname__}({shown})"


def _values(self: Any) -> tuple:
    return tuple(getattr(self, name) for name in self.__record_fields__)


def _eq(self: Any, other: Any) -> Any:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: Any) -> int:
    return hash(_values(self))


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")


def _build_init(cls: type, all_fields: dict[str, Field], frozen: bool) -> Callable[..., None]:
    scope: dict[str, Any] = {"_MISSING": _MISSING, "_set": object.__setattr__}
    params = []
    body = []
    for name, f in all_fields.items():
        if f.default_factory is not None:
            scope[f"_factory_{name}"] = f.default_factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif f.default is not _MISSING:
            scope[f"_default_{name}"] = f.default
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            params.append(name)
            value = name
        body.append(f"    _set(self, {name!r}, {value})" if frozen else f"    self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("    self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(source, scope)  # noqa: S102 - generated from the class's own field names
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


def record(cls: Optional[type] = None, *, eq: bool = True, frozen: bool = False) -> Any:
    """Make ``cls`` a record (see the module docstring); used as ``@record`` or ``@record(eq=False)``."""

    def wrap(cls: type) -> type:
        all_fields: dict[str, Field] = {}
        for base in reversed(cls.__mro__[1:]):
            all_fields.update(base.__dict__.get("__record_fields__", {}))
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if _is_classvar(annotation):
                continue
            value = cls.__dict__.get(name, _MISSING)
            f = value if isinstance(value, Field) else Field(value)
            f.name = name
            if isinstance(value, Field):  # the class attribute is the default, or nothing
                if f.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, f.default)
            all_fields[name] = f
        seen_default = False
        for f in all_fields.values():
            if f.required and seen_default:
                raise TypeError(f"{cls.__name__}: field {f.name!r} without a default follows one with a default")
            seen_default = seen_default or not f.required
        cls.__record_fields__ = all_fields  # type: ignore[attr-defined]
        cls.__init__ = _build_init(cls, all_fields, frozen)  # type: ignore[misc]
        if "__repr__" not in cls.__dict__:
            cls.__repr__ = _repr  # type: ignore[assignment]
        if eq:
            cls.__eq__ = _eq  # type: ignore[assignment]
            cls.__hash__ = _hash if frozen else None  # type: ignore[assignment]
        if frozen:
            cls.__setattr__ = _frozen_setattr  # type: ignore[assignment]
            cls.__delattr__ = _frozen_delattr  # type: ignore[assignment]
        return cls

    return wrap(cls) if cls is not None else wrap


def replace(obj: T, **changes: Any) -> T:
    """A copy of record ``obj`` with ``changes`` applied (through ``__init__``)."""
    values = {name: getattr(obj, name) for name in obj.__record_fields__}  # type: ignore[attr-defined]
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {', '.join(sorted(unknown))}")
    values.update(changes)
    return type(obj)(**values)
