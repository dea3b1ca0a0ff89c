"""The common model: typed objects that every recogniser produces and every rule reads.

Shapes (what a field must look like) are pydantic models: validating a raw
document against them is how ``schema-violation`` is found, and the JSON
Schemas shipped in ``schemas/`` are generated from them. Scalars are kept as
written (a Kubernetes quantity may be ``1`` or ``"1"``); only structure and
integers are checked, and unrendered template placeholders are accepted as
unknown values everywhere.

The objects that rules receive derive from :class:`ModelObject`: small records
that point back into their document by *path*, so a rule can report the exact
node without ever seeing text or line numbers. Each domain (``kubernetes``,
``cluster``, ``sagemaker``) defines its shapes, objects and recognisers in its
own package; this module holds what they share: values, quantities, the shape
base class and the object base class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Optional

from pydantic import BaseModel, ConfigDict, PlainValidator
from pydantic_core import PydanticCustomError

from gpulint.diagnostics import Path

if TYPE_CHECKING:  # pragma: no cover
    from fractions import Fraction

    from gpulint.load import Source

# --------------------------------------------------------------------------- values

_PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\$\{[^}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|^<[^<>]+>$|^%\{?[A-Za-z_]\w*\}?%?$|^__[A-Z0-9_]+__$",
    re.DOTALL,
)


def is_placeholder(value: Any) -> bool:
    """True for unrendered template values: ``$VAR``, ``${VAR}``, ``{{ x }}``, ``<name>``, tags."""
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value))
    # a CloudFormation-style tagged scalar (``!Ref Foo``) is unknown too
    return type(value).__name__ == "Tagged"


class Unknown:
    """Marker for a value gpulint cannot know until render time."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"Unknown({self.raw!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(("Unknown", str(self.raw)))


def _int_like(value: Any) -> Any:
    if is_placeholder(value):
        return Unknown(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "expected an integer, found {found}", {"found": repr(value)})
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        raise PydanticCustomError("scalar_type", "expected a single value, found {kind}", {"kind": kind})
    return value


def _string_map(value: Any) -> Any:
    if is_placeholder(value):
        return {}
    if not isinstance(value, dict):
        raise PydanticCustomError("dict_type", "expected a mapping, found {found}", {"found": describe(value)})
    for k, v in value.items():
        if isinstance(v, (dict, list)):
            raise PydanticCustomError(
                "scalar_type", "expected a single value for {key}, found {kind}",
                {"key": repr(k), "kind": describe(v), "entry": k},  # entry: where the report points
            )
    return value


def describe(value: Any) -> str:
    """A short phrase for a value in a message: ``a mapping``, ``'abc'``, ``3``."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


IntLike = Annotated[Any, PlainValidator(_int_like)]
Scalar = Annotated[Any, PlainValidator(_scalar)]
StringMap = Annotated[dict, PlainValidator(_string_map)]


class Shape(BaseModel):
    """Base for document shapes: extra fields are fine, structure is checked."""

    model_config = ConfigDict(extra="ignore", frozen=False, arbitrary_types_allowed=True, defer_build=True)


# --------------------------------------------------------------------------- accelerators

ACCELERATOR_RESOURCES = frozenset(
    {
        "nvidia.com/gpu",
        "nvidia.com/gpu.shared",
        "aws.amazon.com/neuron",
        "aws.amazon.com/neuroncore",
        "aws.amazon.com/neurondevice",
        "amd.com/gpu",
        "habana.ai/gaudi",
        "intel.com/gpu",
    }
)


def is_accelerator(resource: Any) -> bool:
    return isinstance(resource, str) and (
        resource in ACCELERATOR_RESOURCES or resource.startswith("nvidia.com/mig-")
    )


# ASCII digits only: ``\d`` would take "２" (full-width) or "٢" (Arabic-Indic) for 2, which
# the API server's parser does not
_QUANTITY = re.compile(r"([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?")
_BINARY_SI = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SI = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
#: the most digits a count may have: the API server keeps quantities of up to 18
#: digits exactly (in an int64) and caps larger ones, and no node has that many devices
MAX_COUNT_DIGITS = 18
_MAX_COUNT = 10**MAX_COUNT_DIGITS - 1
#: significant digits beyond which a quantity is not read (nothing needs them, and
#: Python refuses to convert a string of more than 4,300 digits)
_MAX_QUANTITY_DIGITS = 64


def parse_quantity(text: str) -> Optional["Fraction"]:
    """A Kubernetes quantity string (``2``, ``500m``, ``1k``, ``1e3``, ``1Ki``) as an exact number;
    None when it is not one, or has more than 64 significant digits."""
    from fractions import Fraction  # most counts are plain digits and never get here

    m = _QUANTITY.fullmatch(text)
    if not m:
        return None
    sign, number, suffix = m.groups()
    whole, _, fraction = number.partition(".")
    whole, fraction = whole.lstrip("0"), fraction.rstrip("0")
    if len(whole) + len(fraction) > _MAX_QUANTITY_DIGITS:
        return None
    value = Fraction(f"{whole or 0}.{fraction or 0}")
    if suffix in _BINARY_SI:
        value *= 2 ** _BINARY_SI[suffix]
    elif suffix in _DECIMAL_SI:
        value *= Fraction(10) ** _DECIMAL_SI[suffix]
    elif suffix:
        exponent = suffix[1:]
        if len(exponent.lstrip("+-").lstrip("0")) > 3 or abs(int(exponent)) > 100:
            return None
        value *= Fraction(10) ** int(exponent)
    return -value if sign == "-" else value


def parse_count(value: Any) -> Optional[int]:
    """A whole, non-negative device count, or None when the value is not one.

    Follows the API server: any quantity whose value is a whole number is
    accepted (``"1000m"`` is 1, ``"1k"`` is 1000); fractions and negatives are not,
    nor counts of more than :data:`MAX_COUNT_DIGITS` digits, nor digits other than
    ASCII ``0``-``9``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= _MAX_COUNT else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and 0 <= value <= _MAX_COUNT else None
    if isinstance(value, str):
        text = value.strip()  # the API server trims quantities
        if text.isascii() and text.isdigit():
            digits = text.lstrip("0")
            return int(digits or "0") if len(digits) <= MAX_COUNT_DIGITS else None
        quantity = parse_quantity(text)
        if quantity is None or quantity < 0 or quantity.denominator != 1 or quantity > _MAX_COUNT:
            return None
        return int(quantity)
    return None


# --------------------------------------------------------------------------- objects


@dataclass(eq=False)
class ModelObject:
    """Anything a recogniser produced from one document."""

    source: "Source"
    doc_index: int
    base: Path  # path of this object inside its document
    kind: str
    name: Optional[str]

    #: what ``gpulint.io/ignore`` and friends say, per path prefix
    ignores: dict[Path, frozenset[str]] = field(default_factory=dict)

    type_label: ClassVar[str] = "object"

    @property
    def file(self) -> str:
        return self.source.name

    def at(self, *steps: Any) -> Path:
        return self.base + tuple(steps)

    def display(self) -> str:
        return f"{self.kind}/{self.name}" if self.name else self.kind
