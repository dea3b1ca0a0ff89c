"""Node pools: what an eksctl nodegroup or a Karpenter NodePool gives its nodes.

A :class:`NodePool` knows the instance types its nodes may have
(``possible_types``; None when gpulint cannot tell, e.g. an
``instanceSelector``), its explicit labels and the well-known labels every node
gets (:meth:`NodePool.node_labels`), its taints, capacity type and size range.
A :class:`ClusterConfig` stands for the eksctl document itself and says whether
the cluster has nodes no pool here describes. :func:`check_effects` reports
taints whose effect Kubernetes does not know.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

from gpulint.diagnostics import Path
from gpulint.model import catalog
from gpulint.model.cluster.labels import (
    ABSENT,
    ANY,
    INSTANCE_TYPE_KEYS,
    KARPENTER_TYPE_LABELS,
    TYPE_NEUTRAL_KEYS,
    label_str,
    type_label,
)
from gpulint.model.core import ModelObject, is_placeholder
from gpulint.model.recognize import Violation

EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
BLOCKING_EFFECTS = ("NoSchedule", "NoExecute")


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
    #: Karpenter ``spec.limits`` is written (even empty), and ``spec.replicas`` of a static NodePool
    limits_written: bool = False
    replicas: Any = None
    #: labels may be added outside the config (bootstrap overrides)
    open_labels: bool = False
    #: taints may be registered outside the ``taints`` field (bootstrap flags, Bottlerocket settings,
    #: kubelet config, a launch template's user data)
    open_taints: bool = False
    #: a NodePool of EKS Auto Mode (nodeClassRef group eks.amazonaws.com): the cluster also has
    #: built-in pools that no file describes
    auto_mode: bool = False
    #: an EKS managed node group written as a resource (``provider`` "eks"): its logical ID, how the
    #: template names its cluster when not literally (``!Ref EksCluster``), and its ``AmiType``
    logical: str = ""
    cluster_ref: str = ""
    ami_type: Any = None
    #: why its cluster also gets nodes that no pool describes ("" when it does not): the template
    #: of an ``AWS::EKS::Nodegroup`` also makes self-managed nodes, Fargate profiles, ...
    unmodelled: str = ""
    #: a Karpenter NodePool's ``nodeClassRef`` (group, kind, name as written)
    node_class_ref: Optional[tuple[Any, Any, Any]] = None
    _labels: dict = field(default_factory=dict, repr=False)
    _groups: dict = field(default_factory=dict, repr=False)

    type_label: ClassVar[str] = "node pool"

    def display(self) -> str:
        what = {"nodeGroups": "nodegroup", "managedNodeGroups": "managed nodegroup"}.get(self.group, "NodePool")
        if self.provider == "eks":
            return f"EKS nodegroup '{self.name}'" if self.name else f"EKS nodegroup {self.logical}"
        return f"{what} '{self.name}'" if self.name else what

    @property
    def blocking_taints(self) -> list[Taint]:
        return [t for t in self.taints if t.effect in BLOCKING_EFFECTS or is_placeholder(t.effect)]

    def type_info(self) -> Optional[list[catalog.InstanceType]]:
        """Catalog entries of the possible types (None when the set is unknown)."""
        if self.possible_types is None:
            return None
        try:
            found = _type_info(self.possible_types)
        except TypeError:  # a value that is a mapping or list where a name belongs
            found = _type_info.__wrapped__(self.possible_types)
        return list(found) if found is not None else None

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
            labels[str(k)] = ANY if is_placeholder(v) or is_placeholder(k) else label_str(v)
        type_value: Any = itype if itype is not None else ANY
        labels["node.kubernetes.io/instance-type"] = type_value
        labels["beta.kubernetes.io/instance-type"] = type_value
        if self.provider in ("eksctl", "eks"):
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
                value = type_label(itype, key) if info is not None else ANY
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

    def type_value(self, itype: Optional[str], key: str) -> Any:
        """What :meth:`node_labels` gives ``key`` on a node of type ``itype`` as far as it depends on the
        type (None: the value does not depend on it), without building the node's labels."""
        if key in INSTANCE_TYPE_KEYS:
            return itype
        if self.provider == "karpenter" and key in KARPENTER_TYPE_LABELS:
            return type_label(itype, key) if itype else ANY
        return None

    def defined_keys(self) -> set[str]:
        keys = {str(k) for k in self.labels}
        keys |= {r.key for r in self.requirements}
        return keys


@functools.lru_cache(maxsize=1024)
def _type_info(types: tuple[str, ...]) -> Optional[tuple[catalog.InstanceType, ...]]:
    # pools repeat the same few type sets (Karpenter's candidates are shared tuples): look each set up once
    out = []
    for name in types:
        it = catalog.get(name)
        if it is None:
            return None
        out.append(it)
    return tuple(out)


def type_groups(pool: NodePool, types: tuple[Optional[str], ...], keys: frozenset[str]) -> list[list[Optional[str]]]:
    """``types`` (in order) grouped by the values a node of each type carries for ``keys``: a selector that
    reads only ``keys`` gives every type of a group the same answer. Worked out once per pool, types and
    keys: every workload that selects by the same keys shares it."""
    cache_key = (types, keys)
    try:
        found = pool._groups.get(cache_key)
    except TypeError:  # a type that is a mapping or list where a name belongs: one group per type
        return [[itype] for itype in types]
    if found is None:
        varying = sorted(k for k in keys if k in INSTANCE_TYPE_KEYS or k in KARPENTER_TYPE_LABELS)
        groups: dict[tuple, list[Optional[str]]] = {}
        for itype in types:
            groups.setdefault(tuple(pool.type_value(itype, k) for k in varying), []).append(itype)
        found = pool._groups[cache_key] = list(groups.values())
    return found


def check_effects(taints: list[Taint], doc_index: int, violations: list[Violation], map_form: bool) -> list[Taint]:
    """Record a violation for each taint whose effect is not one of :data:`EFFECTS`.

    ``map_form``: the taints are eksctl's ``key: "value:Effect"`` mapping (the report points at the entry).
    """
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
