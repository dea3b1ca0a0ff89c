"""Cluster side of the model: eksctl nodegroups and Karpenter NodePools as node pools.

Recognisers (priority 5, before the generic Kubernetes one) turn an eksctl
``ClusterConfig`` (eksctl.io/v1alpha5) into one :class:`NodePool` per entry of
``nodeGroups`` / ``managedNodeGroups`` plus a :class:`ClusterConfig`, and a
Karpenter ``NodePool`` (karpenter.sh/v1, v1beta1) into one :class:`NodePool`.

A node pool knows the instance types its nodes may have (``possible_types``;
None when gpulint cannot tell, e.g. an ``instanceSelector``), its explicit
labels and the well-known labels every node gets, its taints, capacity type and
size range. :func:`pool_matches` evaluates a pod template's nodeSelector and
required node affinity against a pool: True, False, or None when the answer
depends on something gpulint cannot see (labels added at run time by node
agents, values unknown until render time).

:func:`pools_for` gives the node pools a workload can join: those of the
cluster configs in the linted set, taken from the nearest folder (walking up
from the workload's file) that holds any, so that a repository with several
clusters joins each workload to its neighbours. It returns None when there are
none, or when a cluster there gets nodes gpulint does not model (EKS Auto Mode,
whether from the ClusterConfig or from a NodePool whose nodeClassRef is EKS's
own NodeClass, Fargate profiles, hybrid nodes, or the Karpenter add-on without
NodePools in the set): cross-file rules then stay silent.
"""

from __future__ import annotations

import difflib
import os
import re
import weakref
from typing import Any, ClassVar, Iterable, Iterator, Optional

from gpulint.model import catalog
from gpulint.diagnostics import Path
from gpulint.load.loader import Document, Source
from gpulint.model.core import IntLike, ModelObject, PodTemplate, Scalar, Shape, StringMap, Unknown, is_placeholder
from gpulint.model.recognize import Recognised, Violation, dig, recogniser, validate_shape
from dataclasses import dataclass, field

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")

# --------------------------------------------------------------------------- shapes


class InstancesDistribution(Shape):
    instanceTypes: Optional[list[Scalar]] = None
    onDemandBaseCapacity: Optional[IntLike] = None
    onDemandPercentageAboveBaseCapacity: Optional[IntLike] = None


class NodeGroupShape(Shape):
    name: Scalar = None
    instanceType: Scalar = None
    instanceTypes: Optional[list[Scalar]] = None
    instancesDistribution: Optional[InstancesDistribution] = None
    instanceSelector: Optional[dict] = None
    launchTemplate: Optional[dict] = None
    spot: Scalar = None
    minSize: Optional[IntLike] = None
    maxSize: Optional[IntLike] = None
    desiredCapacity: Optional[IntLike] = None
    labels: Optional[StringMap] = None
    taints: Any = None
    overrideBootstrapCommand: Scalar = None
    preBootstrapCommands: Optional[list[Scalar]] = None


class TaintShape(Shape):
    key: Scalar = None
    value: Scalar = None
    effect: Scalar = None


class RequirementShape(Shape):
    key: Scalar = None
    operator: Scalar = None
    values: Optional[list[Scalar]] = None
    minValues: Optional[IntLike] = None


class NodeClaimSpecShape(Shape):
    taints: Optional[list[TaintShape]] = None
    startupTaints: Optional[list[TaintShape]] = None
    requirements: Optional[list[RequirementShape]] = None


class NodeClaimMetaShape(Shape):
    labels: Optional[StringMap] = None


class NodeClaimTemplateShape(Shape):
    metadata: Optional[NodeClaimMetaShape] = None
    spec: Optional[NodeClaimSpecShape] = None


class NodePoolSpecShape(Shape):
    template: Optional[NodeClaimTemplateShape] = None
    limits: Optional[StringMap] = None
    weight: Optional[IntLike] = None


# --------------------------------------------------------------------------- model


@dataclass
class Taint:
    key: Any
    value: Any
    effect: Any
    path: Path  # absolute, inside the document

    def text(self) -> str:
        value = "" if self.value in (None, "") else f"={self.value}"
        return f"{self.key}{value}:{self.effect}"

    @property
    def unknown(self) -> bool:
        return any(is_placeholder(v) for v in (self.key, self.value, self.effect))


@dataclass
class Requirement:
    key: str
    operator: str
    values: list[Any]
    path: Path


@dataclass
class InstanceTypeRef:
    """An instance type named in a config: for ``unknown-instance-type``."""

    name: Any
    path: Path
    sagemaker: bool = False


@dataclass(eq=False)
class ClusterConfig(ModelObject):
    """An eksctl ClusterConfig (the pools are separate objects)."""

    #: why its nodes are not all modelled by its nodegroups ("" when they are)
    unmodelled: str = ""
    karpenter_addon: bool = False
    #: ``metadata.region`` as written (None when it is not a string)
    region: Optional[str] = None

    type_label: ClassVar[str] = "eksctl ClusterConfig"


@dataclass(eq=False)
class NodePool(ModelObject):
    """An eksctl nodegroup, managed nodegroup, or Karpenter NodePool."""

    provider: str = "eksctl"  # "eksctl" | "karpenter"
    group: str = ""  # "nodeGroups" | "managedNodeGroups" | "NodePool"
    cluster: Optional[str] = None
    #: instance types as named in the config, with where they are
    instance_refs: list[InstanceTypeRef] = field(default_factory=list)
    #: every instance type a node may have; None when unknown
    possible_types: Optional[tuple[str, ...]] = None
    #: where the instance types are chosen (for findings about them)
    types_path: Path = ()
    labels: dict[str, Any] = field(default_factory=dict)
    taints: list[Taint] = field(default_factory=list)
    startup_taints: list[Taint] = field(default_factory=list)
    taints_path: Path = ()
    taints_form: str = "list"  # "list" | "map"
    requirements: list[Requirement] = field(default_factory=list)
    #: "spot", "on-demand", "mixed" (both), or None when unknown
    capacity: Optional[str] = None
    capacity_path: Path = ()
    #: "spot" stated explicitly (eksctl spot: true, a Karpenter requirement, a spot distribution)
    spot_explicit: bool = False
    min_size: Any = None
    max_size: Any = None
    desired: Any = None
    #: Karpenter ``spec.limits`` (resource -> quantity as written) and ``spec.weight``
    limits: dict[str, Any] = field(default_factory=dict)
    weight: Any = None
    #: labels may be added outside the config (bootstrap overrides)
    open_labels: bool = False
    #: taints may be registered outside the ``taints`` field (bootstrap flags, Bottlerocket settings,
    #: kubelet config, a launch template's user data)
    open_taints: bool = False
    #: a NodePool of EKS Auto Mode (nodeClassRef group eks.amazonaws.com): the cluster also has
    #: built-in pools that no file describes
    auto_mode: bool = False
    _labels: dict = field(default_factory=dict, repr=False)

    type_label: ClassVar[str] = "node pool"

    def display(self) -> str:
        what = {"nodeGroups": "nodegroup", "managedNodeGroups": "managed nodegroup"}.get(self.group, "NodePool")
        return f"{what} '{self.name}'" if self.name else what

    @property
    def blocking_taints(self) -> list[Taint]:
        return [t for t in self.taints if t.effect in BLOCKING_EFFECTS or is_placeholder(t.effect)]

    def type_info(self) -> Optional[list[catalog.InstanceType]]:
        """Catalog entries of the possible types (None when the set is unknown)."""
        if self.possible_types is None:
            return None
        out = []
        for name in self.possible_types:
            it = catalog.get(name)
            if it is None:
                return None
            out.append(it)
        return out

    # ----------------------------------------------------------------- labels

    def node_labels(self, itype: Optional[str]) -> dict[str, Any]:
        """Labels of a node of type ``itype`` (None: unknown type). Values: str, set, or ANY."""
        cached = self._labels.get(itype)
        if cached is None:
            cached = self._labels[itype] = self._node_labels(itype)
        return cached

    def _node_labels(self, itype: Optional[str]) -> dict[str, Any]:
        labels: dict[str, Any] = {}
        for k, v in self.labels.items():
            labels[str(k)] = ANY if is_placeholder(v) or is_placeholder(k) else _label_str(v)
        type_value: Any = itype if itype is not None else ANY
        labels["node.kubernetes.io/instance-type"] = type_value
        labels["beta.kubernetes.io/instance-type"] = type_value
        if self.provider == "eksctl":
            labels["alpha.eksctl.io/nodegroup-name"] = self.name or ANY
            if self.cluster:
                labels["alpha.eksctl.io/cluster-name"] = self.cluster
            if self.group == "managedNodeGroups":
                labels["eks.amazonaws.com/nodegroup"] = self.name or ANY
                labels["eks.amazonaws.com/capacityType"] = (
                    "SPOT" if self.capacity == "spot" else "ON_DEMAND" if self.capacity == "on-demand" else ANY
                )
        else:
            labels["karpenter.sh/nodepool"] = self.name or ANY
            cap = [r for r in self.requirements if r.key == "karpenter.sh/capacity-type"]
            labels["karpenter.sh/capacity-type"] = ANY
            if cap and cap[0].operator == "In" and all(isinstance(v, str) for v in cap[0].values):
                labels["karpenter.sh/capacity-type"] = frozenset(cap[0].values)
            info = catalog.get(itype) if itype else None
            for key in KARPENTER_TYPE_LABELS:
                value = karpenter_type_label(info, key) if info is not None else ANY
                if value is not ABSENT:
                    labels[key] = value
            for r in self.requirements:
                if r.key in labels or r.key in KARPENTER_TYPE_LABELS or r.key in TYPE_NEUTRAL_KEYS:
                    continue
                if r.operator == "In" and r.values and all(isinstance(v, str) for v in r.values):
                    labels[r.key] = frozenset(r.values)
                elif r.operator == "DoesNotExist":
                    continue
                else:
                    labels[r.key] = ANY
        return labels

    def defined_keys(self) -> set[str]:
        keys = {str(k) for k in self.labels}
        keys |= {r.key for r in self.requirements}
        return keys


class _Any:
    def __repr__(self) -> str:
        return "ANY"


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ANY: Any = _Any()
ABSENT: Any = _Absent()


def _label_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --------------------------------------------------------------------------- Karpenter well-known labels

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


_HOLDS: dict[tuple, Optional[bool]] = {}


def _op_holds(op: str, values: list[Any], actual: Any) -> Optional[bool]:
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
    vals = [_label_str(v) for v in values]
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


def _and(results: Iterable[Optional[bool]]) -> Optional[bool]:
    out: Optional[bool] = True
    for r in results:
        if r is False:
            return False
        if r is None:
            out = None
    return out


def _or(results: Iterable[Optional[bool]]) -> Optional[bool]:
    out: Optional[bool] = False
    for r in results:
        if r is True:
            return True
        if r is None:
            out = None
    return out


# --------------------------------------------------------------------------- recognisers

EKSCTL_DEFAULT_TYPE = "m5.large"


def _taint_list(raw: list, doc_index: int, path: Path, violations: list[Violation]) -> list[Taint]:
    out = []
    for i, item in enumerate(raw):
        shape = validate_shape(TaintShape, item, doc_index, path + (i,), violations, f"taints[{i}]")
        if shape is None:
            continue
        out.append(Taint(shape.key, shape.value, shape.effect, path + (i,)))
    return out


def _check_effects(taints: list[Taint], doc_index: int, violations: list[Violation], map_form: bool) -> list[Taint]:
    for t in taints:
        if is_placeholder(t.effect) or t.effect in EFFECTS:
            continue
        where = t.path if map_form else t.path + ("effect",)
        if map_form:
            hint = (f"the map form reads a value without ':' as the effect alone; write 'value:Effect', "
                    f"e.g. \"{t.effect}:NoSchedule\"") if t.value in (None, "") else "write 'value:Effect'"
            msg = f"taint '{t.key}' has effect '{t.effect}', not one of {', '.join(EFFECTS)}: {hint}"
        else:
            msg = f"taint '{t.key}' has effect {t.effect!r}, expected one of {', '.join(EFFECTS)}"
        violations.append(Violation(doc_index, where, msg))
    return taints  # invalid ones stay: rules treat them as already reported


def _eksctl_taints(raw: Any, managed: bool, doc_index: int, path: Path,
                   violations: list[Violation]) -> tuple[list[Taint], str]:
    if raw is None or is_placeholder(raw):
        return [], "list"
    if isinstance(raw, list):
        return _check_effects(_taint_list(raw, doc_index, path, violations), doc_index, violations, False), "list"
    if isinstance(raw, dict):
        if managed:
            violations.append(Violation(doc_index, path, "managedNodeGroups take taints only as a list "
                                        "[{key, value, effect}], found a mapping"))
            return [], "map"
        out = []
        for key, spec in raw.items():
            if is_placeholder(spec):
                out.append(Taint(key, spec, spec, path + (key,)))
                continue
            parts = str(spec if spec is not None else "").split(":")
            if len(parts) == 1:
                value, effect = "", parts[0]
            elif len(parts) == 2:
                value, effect = parts
            else:
                violations.append(Violation(doc_index, path + (key,),
                                            f"taint '{key}: {spec}' has more than one ':'; the map form is "
                                            f"'key: \"value:Effect\"'"))
                continue
            out.append(Taint(key, value, effect, path + (key,)))
        return _check_effects(out, doc_index, violations, True), "map"
    violations.append(Violation(doc_index, path, "'taints' must be a list [{key, value, effect}] or a mapping "
                                "{key: \"value:Effect\"}"))
    return [], "list"


def _str_list(values: Optional[list]) -> list[Any]:
    return [v for v in values or [] if v is not None]


def _eksctl_pool(source: Source, doc: Document, group: str, i: int, raw: Any, cluster: Optional[str],
                 violations: list[Violation]) -> Optional[NodePool]:
    base: Path = (group, i)
    if not isinstance(raw, dict):
        violations.append(Violation(doc.index, base, f"'{group}[{i}]': expected a mapping"))
        return None
    ng = validate_shape(NodeGroupShape, raw, doc.index, base, violations, f"{group}[{i}]")
    if ng is None:
        return None
    managed = group == "managedNodeGroups"
    refs: list[InstanceTypeRef] = []
    possible: Optional[list[str]] = None
    types_path: Path = base
    dist = ng.instancesDistribution
    known = True
    if ng.instanceType is not None and ng.instanceType != "mixed":
        refs.append(InstanceTypeRef(ng.instanceType, base + ("instanceType",)))
        types_path = base + ("instanceType",)
    if ng.instanceTypes:
        refs += [InstanceTypeRef(t, base + ("instanceTypes", j)) for j, t in enumerate(ng.instanceTypes)]
        types_path = base + ("instanceTypes",)
    if dist is not None and dist.instanceTypes:
        refs += [InstanceTypeRef(t, base + ("instancesDistribution", "instanceTypes", j))
                 for j, t in enumerate(dist.instanceTypes)]
        types_path = base + ("instancesDistribution", "instanceTypes")
    if ng.instanceSelector:
        known = False
    if refs:
        names = [r.name for r in refs]
        if all(isinstance(n, str) and not is_placeholder(n) for n in names) and known:
            possible = list(dict.fromkeys(names))
    elif known and not ng.launchTemplate and not ng.instanceSelector:
        possible = [EKSCTL_DEFAULT_TYPE]
    # capacity
    capacity: Optional[str] = "on-demand"
    spot_explicit = False
    cap_path: Path = base
    if managed:
        if ng.spot is True:
            capacity, spot_explicit, cap_path = "spot", True, base + ("spot",)
        elif is_placeholder(ng.spot):
            capacity = None
    elif dist is not None:
        pct = dist.onDemandPercentageAboveBaseCapacity
        cap_path = base + ("instancesDistribution",)
        if isinstance(pct, Unknown):
            capacity = None
        elif pct is None or pct >= 100:
            capacity = "on-demand"
        else:
            capacity, spot_explicit = ("spot" if pct == 0 and not dist.onDemandBaseCapacity else "mixed"), True
            cap_path = base + ("instancesDistribution", "onDemandPercentageAboveBaseCapacity")
    taints, form = _eksctl_taints(ng.taints, managed, doc.index, base + ("taints",), violations)
    open_labels = bool(ng.overrideBootstrapCommand) or bool(ng.launchTemplate) or any(
        isinstance(c, str) and "node-labels" in c for c in ng.preBootstrapCommands or []
    ) or "node-labels" in str(raw.get("bottlerocket") or "")
    open_taints = bool(ng.launchTemplate) or any(
        _mentions_taints(raw.get(k)) for k in ("overrideBootstrapCommand", "preBootstrapCommands",
                                                "kubeletExtraConfig", "bottlerocket")
    )
    return NodePool(
        source=source, doc_index=doc.index, base=base, kind=group, name=ng.name if isinstance(ng.name, str) else None,
        provider="eksctl", group=group, cluster=cluster, instance_refs=refs,
        possible_types=tuple(possible) if possible is not None else None, types_path=types_path,
        labels=dict(ng.labels or {}), taints=taints, taints_path=base + ("taints",), taints_form=form,
        capacity=capacity, capacity_path=cap_path, spot_explicit=spot_explicit,
        min_size=ng.minSize, max_size=ng.maxSize, desired=ng.desiredCapacity, open_labels=open_labels,
        open_taints=open_taints,
    )


_TAINT_WORDS = ("register-with-taints", "registerwithtaints", "node-taints", "nodetaints")


def _mentions_taints(value: Any, depth: int = 0) -> bool:
    """Does a bootstrap command, kubelet config or Bottlerocket settings block register taints?"""
    if depth > 20 or value is None:
        return False
    if isinstance(value, dict):
        return any(_mentions_taints(k, depth + 1) or _mentions_taints(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_mentions_taints(v, depth + 1) for v in value)
    return isinstance(value, str) and any(w in value.lower() for w in _TAINT_WORDS)


def _unmodelled(data: dict) -> str:
    auto = data.get("autoModeConfig")
    if isinstance(auto, dict) and auto.get("enabled") not in (False, None, "false"):
        return "EKS Auto Mode"
    if data.get("fargateProfiles"):
        return "Fargate profiles"
    if data.get("remoteNetworkConfig"):
        return "hybrid nodes"
    return ""


@recogniser(priority=5)
def recognise_eksctl(source: Source, doc: Document) -> Optional[Recognised]:
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != "ClusterConfig":
        return None
    api = data.get("apiVersion")
    if not isinstance(api, str) or not api.startswith("eksctl.io/"):
        return None
    result = Recognised()
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    cluster = meta.get("name") if isinstance(meta.get("name"), str) and not is_placeholder(meta.get("name")) else None
    result.objects.append(ClusterConfig(
        source=source, doc_index=doc.index, base=(), kind="ClusterConfig", name=cluster,
        unmodelled=_unmodelled(data), karpenter_addon=isinstance(data.get("karpenter"), dict),
        region=meta.get("region") if isinstance(meta.get("region"), str) else None,
    ))
    for group in ("nodeGroups", "managedNodeGroups"):
        groups = data.get(group)
        if groups is None or is_placeholder(groups):
            continue
        if not isinstance(groups, list):
            result.violations.append(Violation(doc.index, (group,), f"'{group}': expected a list"))
            continue
        for i, raw in enumerate(groups):
            pool = _eksctl_pool(source, doc, group, i, raw, cluster, result.violations)
            if pool is not None:
                result.objects.append(pool)
    return result


def karpenter_candidates(requirements: list[Requirement]) -> Optional[tuple[str, ...]]:
    """Instance types a Karpenter NodePool may launch (definite or possible); None when unknown."""
    type_reqs = [r for r in requirements if r.key not in TYPE_NEUTRAL_KEYS
                 and (r.key in KARPENTER_TYPE_LABELS or r.key in ("node.kubernetes.io/instance-type",
                                                                   "beta.kubernetes.io/instance-type"))]
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
_TYPE_LABELS: dict[tuple[str, str], Any] = {}


def _type_label(name: str, key: str) -> Any:
    cached = _TYPE_LABELS.get((name, key))
    if cached is None:
        it = catalog.get(name)
        assert it is not None
        cached = _TYPE_LABELS[(name, key)] = karpenter_type_label(it, key)
    return cached


def _candidates(type_reqs: list[Requirement]) -> Optional[tuple[str, ...]]:
    names = catalog.names(sagemaker=False)
    explicit = [r for r in type_reqs if r.key.endswith("/instance-type") and r.operator == "In"]
    if explicit:
        values = explicit[0].values
        if any(not isinstance(v, str) or is_placeholder(v) for v in values):
            return None
        names = [v for v in values if catalog.is_known(v)]
        if len(names) != len(values):
            return None  # unknown names are reported by unknown-instance-type
    out = []
    for name in names:
        results = []
        for r in type_reqs:
            if r.key.endswith("/instance-type"):
                actual: Any = name
            else:
                actual = _type_label(name, r.key)
            results.append(_op_holds(r.operator, r.values, actual))
        verdict = _and(results)
        if verdict is not False:
            out.append(name)
    # requirements on labels gpulint does not compute (hypervisor, bandwidth, ...) are left out, so this is a
    # superset of what the pool launches: enough for "some type has N GPUs" and "every type has accelerators"
    return tuple(out)


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
    taints = _check_effects([Taint(t.key, t.value, t.effect, tpath + ("taints", i))
                             for i, t in enumerate(tspec.taints or [])], doc.index, result.violations, False)
    startup = [Taint(t.key, t.value, t.effect, tpath + ("startupTaints", i))
               for i, t in enumerate(tspec.startupTaints or [])]
    reqs = _requirements(tspec.requirements or [], tpath + ("requirements",))
    refs = []
    types_path: Path = tpath + ("requirements",)
    narrowing = [r for r in reqs if r.key in KARPENTER_TYPE_LABELS and r.key != "kubernetes.io/arch"]
    if narrowing:
        types_path = narrowing[0].path + ("values",)
    for r in reqs:
        if r.key in ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"):
            for j, v in enumerate(r.values):
                refs.append(InstanceTypeRef(v, r.path + ("values", j)))
            if r.operator == "In":
                types_path = r.path + ("values",)
    cap = [r for r in reqs if r.key == "karpenter.sh/capacity-type"]
    capacity: Optional[str] = None
    spot_explicit = False
    cap_path: Path = tpath + ("requirements",)
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
    name = meta.get("name") if isinstance(meta.get("name"), str) else None
    pool = NodePool(
        source=source, doc_index=doc.index, base=(), kind="NodePool", name=name, provider="karpenter",
        group="NodePool", instance_refs=refs, possible_types=karpenter_candidates(reqs), types_path=types_path,
        labels=dict((tmpl.metadata.labels if tmpl.metadata else None) or {}), taints=taints,
        startup_taints=startup, taints_path=tpath + ("taints",), requirements=reqs, capacity=capacity,
        capacity_path=cap_path, spot_explicit=spot_explicit, limits=dict(spec.limits or {}), weight=spec.weight,
    )
    ref = dig(data, "spec", "template", "spec", "nodeClassRef")
    pool.auto_mode = isinstance(ref, dict) and ref.get("group") == "eks.amazonaws.com"
    ignores = ignored_rules(meta.get("annotations"))
    if ignores:
        pool.ignores = {(): ignores}
    result.objects.append(pool)
    return result


# --------------------------------------------------------------------------- joining workloads to pools

#: label-key domains that node agents (GPU feature discovery, NFD, the cloud provider, kubelet) set at run time
_RUNTIME_DOMAINS = ("kubernetes.io", "k8s.io", "k8s.aws", "amazonaws.com", "nvidia.com", "amd.com", "google.com",
                    "habana.ai", "intel.com", "karpenter.sh", "azure.com", "gke.io")
_MODELLED_KEYS = frozenset({
    "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type", "alpha.eksctl.io/nodegroup-name",
    "alpha.eksctl.io/cluster-name", "eks.amazonaws.com/nodegroup", "eks.amazonaws.com/capacityType",
    "karpenter.sh/nodepool", "karpenter.sh/capacity-type", *KARPENTER_TYPE_LABELS,
}) - {"kubernetes.io/arch"}


def _is_runtime_key(key: str) -> bool:
    if "/" not in key:
        return False
    domain = key.split("/", 1)[0]
    return any(domain == d or domain.endswith("." + d) for d in _RUNTIME_DOMAINS)


@dataclass
class Scope:
    pools: list[NodePool]
    defined_keys: set[str]
    _close: dict = field(default_factory=dict, repr=False)
    _matches: dict = field(default_factory=dict, repr=False)
    _landable: dict = field(default_factory=dict, repr=False)


_CACHE: "weakref.WeakKeyDictionary[Any, dict[str, Optional[Scope]]]" = weakref.WeakKeyDictionary()


def pools_for(project: Any, obj: ModelObject) -> Optional[Scope]:
    """The node pools ``obj`` (a workload) joins, or None when cross-file rules must stay silent."""
    cache = _CACHE.setdefault(project, {})
    folder = os.path.dirname(os.path.abspath(obj.file))
    if folder in cache:
        return cache[folder]
    pools = list(project.of_type(NodePool))
    configs = list(project.of_type(ClusterConfig))
    scope: Optional[Scope] = None
    if pools:
        here = folder
        while True:
            near = [p for p in pools if _under(p.file, here)]
            if near:
                near_configs = [c for c in configs if _under(c.file, here)]
                karpenter = any(p.provider == "karpenter" for p in near)
                if any(c.unmodelled for c in near_configs) or any(p.auto_mode for p in near) or (
                    any(c.karpenter_addon for c in near_configs) and not karpenter
                ):
                    scope = None
                else:
                    keys: set[str] = set()
                    for p in near:
                        keys |= p.defined_keys()
                    scope = Scope(near, keys)
                break
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
    cache[folder] = scope
    return scope


def _under(path: str, folder: str) -> bool:
    full = os.path.abspath(path)
    return full.startswith(folder.rstrip(os.sep) + os.sep)


def _selector_value(pool: NodePool, labels: dict[str, Any], key: str, scope: Scope) -> Any:
    if key in labels:
        return labels[key]
    if key in _MODELLED_KEYS:
        return ABSENT
    if pool.open_labels or _is_runtime_key(key):
        return ANY
    if key in scope.defined_keys or close_key(key, scope) is not None:
        return ABSENT  # a label of the cluster configs (or a near-miss of one) this pool does not carry
    return ANY


def close_key(key: str, scope: Scope) -> Optional[str]:
    """A defined label key that ``key`` is probably a typo of."""
    if key in scope.defined_keys or key in _MODELLED_KEYS or _is_runtime_key(key):
        return None
    if key not in scope._close:
        found = difflib.get_close_matches(key, sorted(scope.defined_keys), n=1, cutoff=0.85)
        scope._close[key] = found[0] if found else None
    return scope._close[key]


def _expr_holds(expr: Any, value: Any) -> Optional[bool]:
    op = expr.operator if isinstance(expr.operator, str) else None
    if op is None:
        return None
    return _op_holds(op, list(expr.values or []), value)


def selector_parts(t: PodTemplate) -> Iterator[tuple[str, Any, Path]]:
    """(key, requirement, path) for each nodeSelector entry (requirement = the wanted value)."""
    for k, v in t.node_selector.items():
        yield str(k), v, t.path + ("nodeSelector", k)


def pool_matches(pool: NodePool, t: PodTemplate, scope: Scope,
                 only: Optional[tuple[str, Any]] = None) -> Optional[bool]:
    """Can a pod of template ``t`` land on some node of ``pool``, as far as labels go?"""
    return match_types(pool, t, scope, only)[0]


def match_types(pool: NodePool, t: PodTemplate, scope: Scope,
                only: Optional[tuple[str, Any]] = None) -> tuple[Optional[bool], Optional[list[str]]]:
    """(verdict, the pool's instance types a pod of ``t`` may get) by labels.

    The verdict is True (surely lands), False (cannot), None (cannot tell);
    the types are None when the pool's types are unknown.
    """
    key = (id(pool), _selector_key(t, only))
    cached = scope._matches.get(key)
    if cached is None:
        cached = scope._matches[key] = _match_types(pool, t, scope, only)
    return cached


def _selector_key(t: PodTemplate, only: Optional[tuple[str, Any]]) -> Any:
    if only is not None:
        return ("only", repr(only))
    terms = tuple(
        (tuple((repr(e.key), repr(e.operator), repr(e.values)) for e in term.matchExpressions or []),
         bool(term.matchFields))
        for term in t.required_terms()
    )
    return (tuple(sorted((repr(k), repr(v)) for k, v in t.node_selector.items())), terms)


def _match_types(pool: NodePool, t: PodTemplate, scope: Scope,
                 only: Optional[tuple[str, Any]]) -> tuple[Optional[bool], Optional[list[str]]]:
    types: list[Optional[str]] = list(pool.possible_types) if pool.possible_types is not None else [None]
    if not types:
        return False, []
    terms = t.required_terms() if only is None else []
    type_dependent = _type_dependent(t, only)
    if type_dependent and pool.possible_types is not None:
        # an instance-type selector names the only type it can match: skip the rest
        selector = [only] if only is not None else list(t.node_selector.items())
        for k, v in selector:
            if k in ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type") and isinstance(v, str) \
                    and not is_placeholder(v):
                types = [x for x in types if x == v]
        if not types:
            return False, []
    if type_dependent and len(types) > 1:
        # the parts that do not depend on the instance type must hold first (cheap, and usually decisive)
        if _labels_match(pool, pool.node_labels(types[0]), t, scope, only, terms, skip_type_keys=True) is False:
            return False, []
    results: list[Optional[bool]] = []
    fitting: list[str] = []
    for itype in types if type_dependent else types[:1]:
        verdict = _labels_match(pool, pool.node_labels(itype), t, scope, only, terms)
        results.append(verdict)
        if verdict is not False and itype is not None:
            fitting.append(itype)
    overall = _or(results)
    if pool.possible_types is None:
        return overall, None
    if not type_dependent:
        fitting = list(pool.possible_types) if overall is not False else []
    return overall, fitting


def _is_type_key(key: Any) -> bool:
    return isinstance(key, str) and (key.endswith("/instance-type") or key in KARPENTER_TYPE_LABELS)


def _labels_match(pool: NodePool, labels: dict[str, Any], t: PodTemplate, scope: Scope,
                  only: Optional[tuple[str, Any]], terms: list[Any], skip_type_keys: bool = False) -> Optional[bool]:
    parts: list[Optional[bool]] = []
    selector = [only] if only is not None else list(t.node_selector.items())
    for k, v in selector:
        if skip_type_keys and _is_type_key(k):
            continue
        if is_placeholder(k) or is_placeholder(v):
            parts.append(None)
            continue
        parts.append(_op_holds("In", [v], _selector_value(pool, labels, str(k), scope)))
    if terms:
        term_results = []
        for term in terms:
            exprs = []
            for e in term.matchExpressions or []:
                if skip_type_keys and _is_type_key(e.key):
                    continue
                if not isinstance(e.key, str) or is_placeholder(e.key):
                    exprs.append(None)
                    continue
                exprs.append(_expr_holds(e, _selector_value(pool, labels, e.key, scope)))
            if term.matchFields:
                exprs.append(None)
            term_results.append(_and(exprs))
        parts.append(_or(term_results))
    return _and(parts)


def _type_dependent(t: PodTemplate, only: Optional[tuple[str, Any]]) -> bool:
    keys = {str(k) for k in t.node_selector} if only is None else {only[0]}
    if only is None:
        for term in t.required_terms():
            keys |= {e.key for e in term.matchExpressions or [] if isinstance(e.key, str)}
    return any(k.endswith("/instance-type") or k in KARPENTER_TYPE_LABELS for k in keys)


def has_selector(t: PodTemplate) -> bool:
    return bool(t.node_selector) or bool(t.required_terms())


def landable(scope: Scope, t: PodTemplate) -> list[tuple[NodePool, Optional[list[str]]]]:
    """Pools a pod of ``t`` may land on by labels, with the instance types it may get there (None: unknown)."""
    cached = scope._landable.get(id(t))
    if cached is not None and cached[0] is t:
        return cached[1]
    out = []
    for pool in scope.pools:
        verdict, types = match_types(pool, t, scope)
        if verdict is not False:
            out.append((pool, types))
    scope._landable[id(t)] = (t, out)
    return out


def max_accelerators(types: Optional[list[str]], resource: str) -> tuple[Optional[int], Optional[str]]:
    """Most devices of ``resource`` on one node among ``types``, and the type that has them (None: unknown)."""
    if not types:
        return None, None
    best, best_name = -1, None
    for name in types:
        n = catalog.accelerator_count(name, resource)
        if n is None:
            return None, None
        if n > best:
            best, best_name = n, name
    return best, best_name
