"""The Karpenter recogniser: a ``NodePool`` becomes a node pool.

A Karpenter ``NodePool`` (``karpenter.sh/v1``, ``v1beta1``) becomes one
:class:`~gpulint.model.cluster.pools.NodePool`: its template's labels, taints
and startup taints, its requirements, capacity type, limits and weight.
:func:`karpenter_candidates` turns its requirements into the instance types it
may launch, by filtering the instance catalog with the well-known labels each
type gets. The recogniser runs at priority 5, before the generic Kubernetes one.
"""

from __future__ import annotations

from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.load import Document, Source
from gpulint.model import catalog
from gpulint.model.cluster.labels import (
    INSTANCE_TYPE_KEYS,
    KARPENTER_TYPE_LABELS,
    TYPE_NEUTRAL_KEYS,
    all_of,
    catalog_groups,
    is_type_placeholder,
    op_holds,
    type_label,
)
from gpulint.model.cluster.nodeclass import class_ref
from gpulint.model.cluster.pools import InstanceTypeRef, NodePool, Requirement, Taint, check_effects
from gpulint.model.cluster.shapes import (
    NodeClaimSpecShape,
    NodeClaimTemplateShape,
    NodePoolSpecShape,
    RequirementShape,
)
from gpulint.model.core import describe, is_placeholder, parse_quantity
from gpulint.model.recognize import Recognised, Violation, dig, recogniser, validate_shape


def karpenter_candidates(requirements: list[Requirement]) -> Optional[tuple[str, ...]]:
    """Instance types a Karpenter NodePool may launch (definite or possible); None when unknown."""
    type_reqs = [r for r in requirements if r.key not in TYPE_NEUTRAL_KEYS
                 and (r.key in KARPENTER_TYPE_LABELS or r.key in INSTANCE_TYPE_KEYS)]
    try:
        key = tuple((r.key, r.operator, tuple(r.values)) for r in type_reqs)
        hash(key)
    except TypeError:  # a value that is a mapping or list: compute without the cache
        return _candidates(type_reqs)
    if key not in _CANDIDATES:
        _CANDIDATES[key] = _candidates(type_reqs)
    return _CANDIDATES[key]


#: NodePools in one repository repeat the same few requirement sets; filtering the catalog is the costly part
_CANDIDATES: dict[tuple, Optional[tuple[str, ...]]] = {}


def _candidates(type_reqs: list[Requirement]) -> Optional[tuple[str, ...]]:
    names = catalog.names(sagemaker=False)
    explicit = [r for r in type_reqs if r.key.endswith("/instance-type") and r.operator == "In"]
    if explicit:
        values = explicit[0].values
        if any(not isinstance(v, str) or is_type_placeholder(v) for v in values):
            return None
        names = [v for v in values if catalog.is_known(v)]
        if len(names) != len(values):
            return None  # unknown names are reported by unknown-instance-type
        return tuple(name for name in names if _verdict(type_reqs, name) is not False)
    # the whole catalog: a type is left out when some requirement is False on it, and a requirement on a
    # well-known label is decided once for each value that label takes in the catalog
    rejected: set[str] = set()
    for r in type_reqs:
        if r.key.endswith("/instance-type"):
            rejected.update(n for n in names if op_holds(r.operator, r.values, n) is False)
            continue
        for value, group in catalog_groups(r.key).items():
            if op_holds(r.operator, r.values, value) is False:
                rejected |= group
    # requirements on labels gpulint does not compute (hypervisor, bandwidth, ...) are left out, so this is a
    # superset of what the pool launches: enough for "some type has N GPUs" and "every type has accelerators"
    return tuple(n for n in names if n not in rejected)


def _verdict(type_reqs: list[Requirement], name: str) -> Optional[bool]:
    results = []
    for r in type_reqs:
        actual: Any = name if r.key.endswith("/instance-type") else type_label(name, r.key)
        results.append(op_holds(r.operator, r.values, actual))
    return all_of(results)


def _requirements(reqs: list[RequirementShape], base: Path) -> list[Requirement]:
    out = []
    for i, r in enumerate(reqs):
        if not isinstance(r.key, str):
            continue
        op = r.operator if isinstance(r.operator, str) else "In"
        out.append(Requirement(r.key, op, list(r.values or []), base + (i,)))
    return out


@recogniser(priority=5)
def recognise_karpenter(source: Source, doc: Document) -> Optional[Recognised]:
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != "NodePool":
        return None
    api = data.get("apiVersion")
    if api not in ("karpenter.sh/v1", "karpenter.sh/v1beta1"):
        return None
    from gpulint.model.kubernetes import ignored_rules

    result = Recognised()
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = validate_shape(NodePoolSpecShape, data.get("spec") or {}, doc.index, ("spec",), result.violations, "spec")
    if spec is None:
        return result
    tmpl = spec.template or NodeClaimTemplateShape()
    tspec = tmpl.spec or NodeClaimSpecShape()
    tpath: Path = ("spec", "template", "spec")
    taints = check_effects([Taint(t.key, t.value, t.effect, tpath + ("taints", i))
                            for i, t in enumerate(tspec.taints or [])], doc.index, result.violations, False)
    startup = [Taint(t.key, t.value, t.effect, tpath + ("startupTaints", i))
               for i, t in enumerate(tspec.startupTaints or [])]
    reqs = _requirements(tspec.requirements or [], tpath + ("requirements",))
    refs, types_path = _instance_refs(reqs, tpath + ("requirements",))
    capacity, spot_explicit, cap_path = _capacity(reqs, tpath + ("requirements",))
    name = meta.get("name") if isinstance(meta.get("name"), str) else None
    check_limits(spec.limits or {}, doc.index, result.violations)
    pool = NodePool(
        source=source, doc_index=doc.index, base=(), kind="NodePool", name=name, provider="karpenter",
        group="NodePool", instance_refs=refs, possible_types=karpenter_candidates(reqs), types_path=types_path,
        labels=dict((tmpl.metadata.labels if tmpl.metadata else None) or {}), taints=taints,
        startup_taints=startup, taints_path=tpath + ("taints",), requirements=reqs, capacity=capacity,
        capacity_path=cap_path, spot_explicit=spot_explicit, limits=dict(spec.limits or {}), weight=spec.weight,
        limits_written=spec.limits is not None, replicas=spec.replicas,
    )
    ref = dig(data, "spec", "template", "spec", "nodeClassRef")
    pool.node_class_ref = class_ref(dig(data, "spec", "template", "spec"))
    pool.auto_mode = isinstance(ref, dict) and ref.get("group") == "eks.amazonaws.com"
    ignores = ignored_rules(meta.get("annotations"))
    if ignores:
        pool.ignores = {(): ignores}
    result.objects.append(pool)
    return result


def check_limits(limits: dict, doc_index: int, violations: list[Violation]) -> None:
    """Record a violation for each ``spec.limits`` value that is a negative or non-finite number
    (``-4``, ``"-4"``, ``.nan``, ``.inf``): a limit caps what the pool's nodes add up to, so none of
    these is one. Strings that are not quantities are left alone."""
    import math

    for key, value in limits.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            bad = not math.isfinite(value) or value < 0
        elif isinstance(value, str) and not is_placeholder(value):
            quantity = parse_quantity(value.strip())
            bad = quantity is not None and quantity < 0
        else:
            continue
        if bad:
            violations.append(Violation(doc_index, ("spec", "limits", key),
                                        f"'spec.limits.{key}': a limit must be a finite quantity of zero or "
                                        f"more, found {describe(value)}"))


def _instance_refs(reqs: list[Requirement], reqs_path: Path) -> tuple[list[InstanceTypeRef], Path]:
    """The instance types the requirements name, and where the types are chosen."""
    refs = []
    types_path = reqs_path
    narrowing = [r for r in reqs if r.key in KARPENTER_TYPE_LABELS and r.key != "kubernetes.io/arch"]
    if narrowing:
        types_path = narrowing[0].path + ("values",)
    for r in reqs:
        if r.key in INSTANCE_TYPE_KEYS:
            for j, v in enumerate(r.values):
                refs.append(InstanceTypeRef(v, r.path + ("values", j)))
            if r.operator == "In":
                types_path = r.path + ("values",)
    return refs, types_path


def _capacity(reqs: list[Requirement], reqs_path: Path) -> tuple[Optional[str], bool, Path]:
    """(capacity type or None when unknown, whether spot is stated explicitly, where it is decided)."""
    cap = [r for r in reqs if r.key == "karpenter.sh/capacity-type"]
    capacity: Optional[str] = None
    spot_explicit = False
    cap_path = reqs_path
    if cap:
        c = cap[0]
        cap_path = c.path
        if c.operator == "In" and all(isinstance(v, str) for v in c.values):
            vals = set(c.values)
            if vals == {"spot"}:
                capacity, spot_explicit = "spot", True
            elif "spot" in vals:
                capacity, spot_explicit = "mixed", True
            else:
                capacity = "on-demand"
    return capacity, spot_explicit, cap_path
