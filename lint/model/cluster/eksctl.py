"""The eksctl recogniser: a ``ClusterConfig`` becomes node pools.

An eksctl ``ClusterConfig`` (``eksctl.io/v1alpha5``) becomes one
:class:`~gpulint.model.cluster.pools.ClusterConfig` and one
:class:`~gpulint.model.cluster.pools.NodePool` per entry of ``nodeGroups`` and
``managedNodeGroups``: the instance types it may launch, its capacity type
(on-demand, spot, or a mix), its taints in either of eksctl's forms, and
whether bootstrap commands, launch templates or Bottlerocket settings may add
labels or taints that the config does not show. The recogniser runs at
priority 5, before the generic Kubernetes one.
"""

from __future__ import annotations

from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.load import Document, Source
from gpulint.model.cluster.labels import is_type_placeholder
from gpulint.model.cluster.pools import ClusterConfig, InstanceTypeRef, NodePool, Taint, check_effects
from gpulint.model.cluster.shapes import NodeGroupShape, TaintShape
from gpulint.model.core import Unknown, is_placeholder
from gpulint.model.recognize import Recognised, Violation, recogniser, validate_shape

EKSCTL_DEFAULT_TYPE = "m5.large"


def _taint_list(raw: list, doc_index: int, path: Path, violations: list[Violation]) -> list[Taint]:
    out = []
    for i, item in enumerate(raw):
        shape = validate_shape(TaintShape, item, doc_index, path + (i,), violations, f"taints[{i}]")
        if shape is None:
            continue
        out.append(Taint(shape.key, shape.value, shape.effect, path + (i,)))
    return out


def _eksctl_taints(raw: Any, managed: bool, doc_index: int, path: Path,
                   violations: list[Violation]) -> tuple[list[Taint], str]:
    if raw is None or is_placeholder(raw):
        return [], "list"
    if isinstance(raw, list):
        return check_effects(_taint_list(raw, doc_index, path, violations), doc_index, violations, False), "list"
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
        return check_effects(out, doc_index, violations, True), "map"
    violations.append(Violation(doc_index, path, "'taints' must be a list [{key, value, effect}] or a mapping "
                                "{key: \"value:Effect\"}"))
    return [], "list"


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
    refs, possible, types_path = _instance_types(ng, base)
    capacity, spot_explicit, cap_path = _capacity(ng, managed, base)
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


def _instance_types(ng: NodeGroupShape, base: Path) -> tuple[list[InstanceTypeRef], Optional[list[str]], Path]:
    """The instance types a nodegroup names, those its nodes may have (None: unknown), and where they are."""
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
        if all(isinstance(n, str) and not is_type_placeholder(n) for n in names) and known:
            possible = list(dict.fromkeys(names))
    elif known and not ng.launchTemplate and not ng.instanceSelector:
        possible = [EKSCTL_DEFAULT_TYPE]
    return refs, possible, types_path


def _capacity(ng: NodeGroupShape, managed: bool, base: Path) -> tuple[Optional[str], bool, Path]:
    """(capacity type or None when unknown, whether spot is stated explicitly, where it is decided)."""
    capacity: Optional[str] = "on-demand"
    spot_explicit = False
    cap_path: Path = base
    dist = ng.instancesDistribution
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
    return capacity, spot_explicit, cap_path


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
