"""Node label values and the operators of node selectors, evaluated three ways.

A node label is known (a string), one of a known set (a frozenset, e.g. a
Karpenter requirement ``In [a, b]``), :data:`ABSENT`, or :data:`ANY` (gpulint
cannot tell). :func:`op_holds` answers whether a selector operator (``In``,
``NotIn``, ``Exists``, ``Gt``, ...) holds on such a value: True, False, or None
when it cannot tell; :func:`all_of` and :func:`any_of` combine such answers.
:func:`karpenter_type_label` gives the well-known labels Karpenter puts on a
node from its instance type (``karpenter.k8s.aws/instance-gpu-count``, ...).
"""

from __future__ import annotations

import functools
import re
from typing import Any, Iterable, Optional

from gpulint.model import catalog
from gpulint.model.core import is_placeholder

# --------------------------------------------------------------------------- values


class _Any:
    def __repr__(self) -> str:
        return "ANY"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ANY: Any = _Any()
ABSENT: Any = _Absent()


#: an instance type left for the reader to fill in: ``PLACEHOLDER_INSTANCE_TYPE``, ``REPLACE_ME`` (EC2 names are
#: lower case), or a value that says so
_CAPS = re.compile(r"^[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)*$")
_FILL_IN = re.compile(r"placeholder|replace[_-]?me|change[_-]?me|fill[_-]?me|^your[_-]", re.IGNORECASE)


def is_type_placeholder(value: Any) -> bool:
    """An instance type that is not written yet: a template placeholder (``${INSTANCE_TYPE}``,
    ``<instance-type>``), an ALL_CAPS name (``PLACEHOLDER_INSTANCE_TYPE``, ``REPLACE_ME``), or a value
    that says it is one. Such a value is unknown, never an unknown EC2 type."""
    if is_placeholder(value):
        return True
    return isinstance(value, str) and bool(_CAPS.match(value) or _FILL_IN.search(value))


def label_str(value: Any) -> str:
    """A label value as text (a YAML ``true`` reads ``true``, not ``True``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- selector operators

_HOLDS: dict[tuple, Optional[bool]] = {}


def op_holds(op: str, values: list[Any], actual: Any) -> Optional[bool]:
    """Does a label value (str, frozenset of possible values, ANY, ABSENT) satisfy ``op values``?

    Joins ask the same few questions for every instance type and pod, so answers are memoised.
    """
    try:
        key = (op, tuple((type(v), v) for v in values), type(actual), actual)  # True and 1 differ here
        cached = _HOLDS.get(key, _MISSING)
    except TypeError:  # an unhashable value (a mapping where a string belongs)
        return _op_holds_uncached(op, values, actual)
    if cached is _MISSING:
        cached = _HOLDS[key] = _op_holds_uncached(op, values, actual)
    return cached  # type: ignore[return-value]


_MISSING = object()


def _op_holds_uncached(op: str, values: list[Any], actual: Any) -> Optional[bool]:
    if any(is_placeholder(v) for v in values) or not isinstance(op, str):
        return None
    vals = [label_str(v) for v in values]
    if actual is ANY:
        return None
    if op == "Exists":
        return actual is not ABSENT
    if op == "DoesNotExist":
        return actual is ABSENT
    if op == "In":
        if actual is ABSENT:
            return False
        if isinstance(actual, frozenset):
            return True if actual <= set(vals) else (None if actual & set(vals) else False)
        return actual in vals
    if op == "NotIn":
        if actual is ABSENT:
            return True
        if isinstance(actual, frozenset):
            return False if actual <= set(vals) else (None if actual & set(vals) else True)
        return actual not in vals
    if op in ("Gt", "Lt", "Gte", "Lte"):
        if actual is ABSENT:
            return False
        if isinstance(actual, frozenset) or len(vals) != 1:
            return None
        try:
            a, b = int(actual), int(vals[0])
        except ValueError:
            return None
        return {"Gt": a > b, "Lt": a < b, "Gte": a >= b, "Lte": a <= b}[op]
    return None


def all_of(results: Iterable[Optional[bool]]) -> Optional[bool]:
    """Three-valued AND: False if any is False, else None if any is None, else True."""
    out: Optional[bool] = True
    for r in results:
        if r is False:
            return False
        if r is None:
            out = None
    return out


def any_of(results: Iterable[Optional[bool]]) -> Optional[bool]:
    """Three-valued OR: True if any is True, else None if any is None, else False."""
    out: Optional[bool] = False
    for r in results:
        if r is True:
            return True
        if r is None:
            out = None
    return out


# --------------------------------------------------------------------------- Karpenter well-known labels

#: the labels that name a node's instance type (current and deprecated)
INSTANCE_TYPE_KEYS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
KARPENTER_TYPE_LABELS = (
    "karpenter.k8s.aws/instance-family",
    "karpenter.k8s.aws/instance-category",
    "karpenter.k8s.aws/instance-generation",
    "karpenter.k8s.aws/instance-size",
    "karpenter.k8s.aws/instance-cpu",
    "karpenter.k8s.aws/instance-memory",
    "karpenter.k8s.aws/instance-gpu-count",
    "karpenter.k8s.aws/instance-gpu-name",
    "karpenter.k8s.aws/instance-gpu-manufacturer",
    "karpenter.k8s.aws/instance-gpu-memory",
    "karpenter.k8s.aws/instance-accelerator-name",
    "karpenter.k8s.aws/instance-accelerator-count",
    "karpenter.k8s.aws/instance-accelerator-manufacturer",
    "kubernetes.io/arch",
)
#: requirement keys that do not narrow the instance types
TYPE_NEUTRAL_KEYS = (
    "karpenter.sh/capacity-type",
    "kubernetes.io/os",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone",
)
_GPU_NAMES = {"T4": "t4", "A10G": "a10g", "L4": "l4", "L40S": "l40s", "V100": "v100", "A100": "a100",
              "H100": "h100", "H200": "h200", "B200": "b200"}
_FAMILY = re.compile(r"^([a-z]+)(\d+)([a-z-]*)")


def _arch(family: str) -> Any:
    if family == "a1":
        return "arm64"
    if family.startswith("mac"):
        return ANY
    m = _FAMILY.match(family)
    if not m:
        return ANY
    return "arm64" if "g" in m.group(3) else "amd64"


def karpenter_type_label(it: catalog.InstanceType, key: str) -> Any:
    """The value Karpenter gives ``key`` on a node of type ``it``: str, ABSENT, or ANY (unknown)."""
    family = it.family
    m = _FAMILY.match(family)
    short = key.rsplit("/", 1)[-1]
    if short == "instance-family":
        return family
    if short == "instance-size":
        return it.size
    if short == "instance-category":
        c = re.match(r"[a-z]+", family)
        return c.group(0) if c else ANY
    if short == "instance-generation":
        return m.group(2) if m else ANY
    if short == "arch":
        return _arch(family)
    if short == "instance-cpu":
        return str(it.vcpus) if it.vcpus is not None else ANY
    if short == "instance-memory":
        return str(it.memory_mib) if it.memory_mib is not None else ANY
    if it.accelerators is None:
        return ABSENT if it.accelerated is False else ANY
    gpus = [a for a in it.accelerators if a.resource not in catalog.NEURON_RESOURCES]
    neurons = [a for a in it.accelerators if a.resource in catalog.NEURON_RESOURCES]
    if short.startswith("instance-gpu-"):
        if not gpus:
            return ABSENT
        g = gpus[0]
        if short == "instance-gpu-count":
            return str(g.count) if g.count is not None else ANY
        if short == "instance-gpu-name":
            return _GPU_NAMES.get(g.model or "", ANY)
        if short == "instance-gpu-manufacturer":
            return g.vendor.lower() if g.vendor else ANY
        if short == "instance-gpu-memory":
            return str(g.memory_mib) if g.memory_mib is not None else ANY
    if short.startswith("instance-accelerator-"):
        if not neurons:
            return ABSENT
        n = neurons[0]
        if short == "instance-accelerator-count":
            return str(n.count) if n.count is not None else ANY
        if short == "instance-accelerator-name":
            return (n.model or "").lower() or ANY
        if short == "instance-accelerator-manufacturer":
            return "aws"
    return ANY


@functools.lru_cache(maxsize=None)
def type_label(name: str, key: str) -> Any:
    """:func:`karpenter_type_label` for the catalog's type ``name`` (ANY when the catalog does not
    know it), worked out once per type and key: every pool and workload asks for the same few."""
    it = catalog.get(name)
    return karpenter_type_label(it, key) if it is not None else ANY


@functools.lru_cache(maxsize=None)
def catalog_groups(key: str) -> dict[Any, frozenset[str]]:
    """The catalog's EC2 types grouped by the value of the well-known label ``key`` (:func:`type_label`):
    a requirement on ``key`` is decided once per value instead of once per type."""
    groups: dict[Any, set[str]] = {}
    for name in catalog.names(sagemaker=False):
        groups.setdefault(type_label(name, key), set()).add(name)
    return {value: frozenset(names) for value, names in groups.items()}
