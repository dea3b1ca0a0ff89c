"""Karpenter NodePools for the cost: which instance types the requirements allow, and how many
nodes of each fit within ``spec.limits``.

:class:`NodePoolSelection` reads a pool's requirements (the model's
:class:`~gpulint.model.cluster.Requirement` records) as far as instance names
tell (types, families, categories, sizes, exclusions), checks GPU requirements
against the instance catalog and lets the cluster model's resolver of Karpenter
labels rule out the rest; :func:`nodes_within` divides ``spec.limits`` by the
size of a type.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Optional

from gpulint.cost.values import as_count

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.cluster import Requirement

def parse_quantity(value: Any) -> Optional[float]:
    """A Kubernetes quantity as a number (``100m`` -> 0.1, ``64Gi`` -> bytes); None for what is not
    one, and for negative or non-finite values (no limit is one: the model reports them)."""
    from gpulint.model.core import parse_quantity as exact

    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number: Optional[float] = float(value)
    elif isinstance(value, str):
        quantity = exact(value.strip())
        number = float(quantity) if quantity is not None else None
    else:
        return None
    if number is None or not math.isfinite(number) or number < 0:
        return None
    return number


def _family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def _category(family: str) -> str:
    m = re.match(r"[a-z]+", family)
    return m.group(0) if m else family


@dataclass
class NodePoolSelection:
    """The instance types a NodePool's requirements allow, as far as names tell."""

    types: Optional[list[str]] = None  # explicit instance-type In list
    families: Optional[set[str]] = None
    categories: Optional[set[str]] = None
    sizes: Optional[set[str]] = None
    excluded: set[str] = field(default_factory=set)
    other_filters: list[str] = field(default_factory=list)
    #: GPU requirements checked against the instance catalog: key -> requirement
    gpu: dict[str, "Requirement"] = field(default_factory=dict)
    #: the requirements (first of each key), for the cluster model's resolver of Karpenter labels
    raw: list["Requirement"] = field(default_factory=list)

    @classmethod
    def from_requirements(cls, requirements: Iterable["Requirement"]) -> "NodePoolSelection":
        """From a pool's requirements; the first one of each key counts."""
        by_key: dict[str, "Requirement"] = {}
        for r in requirements:
            by_key.setdefault(r.key, r)
        sel = cls()
        sel.raw = list(by_key.values())

        def values(key: str) -> Optional[list[str]]:
            r = by_key.get(key)
            if not r or r.operator != "In":
                return None
            return [v for v in r.values if isinstance(v, str)]

        sel.types = values("node.kubernetes.io/instance-type")
        fam = values("karpenter.k8s.aws/instance-family")
        sel.families = set(fam) if fam is not None else None
        cat = values("karpenter.k8s.aws/instance-category")
        sel.categories = set(cat) if cat is not None else None
        size = values("karpenter.k8s.aws/instance-size")
        sel.sizes = set(size) if size is not None else None
        r = by_key.get("node.kubernetes.io/instance-type")
        if r and r.operator == "NotIn":
            sel.excluded = {v for v in r.values if isinstance(v, str)}
        for key in ("karpenter.k8s.aws/instance-gpu-count", "karpenter.k8s.aws/instance-gpu-name"):
            if key in by_key:
                sel.gpu[key] = by_key[key]
        applied = set(_resolver_keys()) | {"karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-category",
                                           "karpenter.k8s.aws/instance-size"}
        for key in by_key:
            if key in sel.gpu or key in applied:
                continue
            if key.startswith("karpenter.k8s.aws/instance-"):
                sel.other_filters.append(key)
        return sel

    def resolve(self, known: Iterable[str]) -> Optional[list[str]]:
        """The allowed types among ``known`` (priced) names; None when names cannot tell."""
        if self.types is not None:
            return [t for t in self.types if t not in self.excluded]
        if self.families is None and self.categories is None and not self.gpu:
            return None
        out = []
        for t in sorted(known):
            fam = _family(t)
            if self.families is not None and fam not in self.families:
                continue
            if self.categories is not None and _category(fam) not in self.categories:
                continue
            if self.sizes is not None and t.split(".", 1)[-1] not in self.sizes:
                continue
            if t in self.excluded:
                continue
            if self.gpu and not _gpu_matches(t, self.gpu):
                continue
            out.append(t)
        return _cluster_filter(out, self.raw)


def _resolver_keys() -> tuple[str, ...]:
    """Requirement keys the cluster model computes for a type from the instance catalog."""
    try:
        from gpulint.model.cluster import KARPENTER_TYPE_LABELS
    except ImportError:  # pragma: no cover - the cluster model ships with gpulint
        return ()
    return tuple(KARPENTER_TYPE_LABELS)


def _cluster_filter(types: list[str], raw: list["Requirement"]) -> list[str]:
    """Drop the types that the cluster model's Karpenter resolver rules out (generation, arch, cpu, ...).

    A type the instance catalog does not know is kept: nothing rules it out.
    """
    if not types or not raw:
        return types
    try:
        from gpulint.model import catalog
        from gpulint.model.cluster import karpenter_candidates

        candidates = karpenter_candidates(raw)
    except Exception:  # noqa: BLE001 - the resolver is a refinement; without it the names decide
        return types
    if candidates is None:
        return types
    keep = set(candidates)
    return [t for t in types if t in keep or not catalog.is_known(t)]


def _gpu_matches(instance_type: str, reqs: dict[str, "Requirement"]) -> bool:
    """Whether the catalog's GPU count and name for a type meet Karpenter GPU requirements."""
    from gpulint.model import catalog

    info = catalog.get(instance_type)
    if info is None:
        return False
    for key, req in reqs.items():
        op = req.operator
        values = [str(v) for v in req.values]
        if key.endswith("gpu-count"):
            n = info.accelerator_count("nvidia.com/gpu")
            if n is None:
                return False
            actual: Any = n
        else:
            gpu = info.gpu
            actual = (gpu.model or "").lower() if gpu is not None and gpu.model else None
        if op == "Exists":
            if not actual:
                return False
        elif op == "DoesNotExist":
            if actual:
                return False
        elif op in ("In", "NotIn"):
            hit = actual is not None and str(actual).lower() in {v.lower() for v in values}
            if hit != (op == "In"):
                return False
        elif op in ("Gt", "Lt", "Gte", "Lte") and key.endswith("gpu-count"):
            try:
                bound = int(values[0])
            except (IndexError, ValueError):
                return False
            if not {"Gt": actual > bound, "Lt": actual < bound, "Gte": actual >= bound,
                    "Lte": actual <= bound}[op]:
                return False
        else:
            return False
    return True


def _node_shape(instance_type: str) -> Optional[dict[str, float]]:
    """vCPUs, memory (bytes) and accelerator devices per node of a type, from the instance catalog.

    Keys are the names ``spec.limits`` uses (``cpu``, ``memory``, extended resources).
    A key is absent when the catalog does not know that figure.
    """
    try:
        from gpulint.model import catalog
    except ImportError:  # pragma: no cover - the catalog ships with gpulint
        return None
    info = catalog.get(instance_type)
    if info is None:
        return None
    shape: dict[str, float] = {}
    if info.vcpus:
        shape["cpu"] = float(info.vcpus)
    if info.memory_mib:
        shape["memory"] = float(info.memory_mib) * 2**20
    for resource in ("nvidia.com/gpu", "aws.amazon.com/neuron", "aws.amazon.com/neuroncore"):
        n = info.accelerator_count(resource)
        if n is not None:
            shape[resource] = float(n)
    return shape


def nodes_within(limits: dict, instance_type: str) -> Optional[int]:
    """How many nodes of a type fit in ``spec.limits``; None when that cannot be told."""
    bounds: list[int] = []
    nodes = as_count(limits.get("nodes"))
    if nodes is not None:
        bounds.append(nodes)
    other = {k: v for k, v in limits.items() if k != "nodes"}
    if other:
        shape = _node_shape(instance_type)
        for key, raw in other.items():
            limit = parse_quantity(raw)
            if limit is None:
                continue
            if shape is None:
                continue
            per_node = shape.get(key)
            if per_node is None or per_node <= 0:
                continue  # unknown, or the type has none of it: this limit does not bound it
            else:
                bounds.append(int(math.floor(limit / per_node + 1e-9)))
    return min(bounds) if bounds else None


def unreadable_limits(limits: dict) -> list[str]:
    """The keys of ``spec.limits`` whose value bounds nothing: not a finite quantity of zero or more
    (``nodes``: not a whole number of zero or more)."""
    bad = []
    for key, raw in limits.items():
        ok = as_count(raw) is not None if key == "nodes" else parse_quantity(raw) is not None
        if not ok:
            bad.append(str(key))
    return sorted(bad)
