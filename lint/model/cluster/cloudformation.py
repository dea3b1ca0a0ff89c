"""EKS managed node groups written as CloudFormation ``AWS::EKS::Nodegroup`` resources.

Each ``AWS::EKS::Nodegroup`` of a template (or of a document shaped like one, ``{"Resources":
{...}}``, as other input forms produce) becomes a :class:`~gpulint.model.cluster.pools.NodePool`
like an eksctl managed nodegroup: ``InstanceTypes``, ``Taints`` (``{Key, Value, Effect}`` with
the EKS API's effects ``NO_SCHEDULE``, ``NO_EXECUTE``, ``PREFER_NO_SCHEDULE``), ``ScalingConfig``
(``MinSize``, ``MaxSize``, ``DesiredSize``), ``CapacityType`` (``ON_DEMAND``, the default, or
``SPOT``), ``AmiType`` and ``Labels``. The pool's cluster is its ``ClusterName`` when written
literally; otherwise it is known only as "the cluster this template names that way".

A value that is an intrinsic function (``!Ref InstanceType``, ``{"Fn::If": [...]}``) is unknown:
an unknown list of instance types leaves the pool's types unknown, an unknown taint counts as
a taint (rules stay silent), and an unknown size is not a size. A launch template may give the
nodes their instance type, labels and taints (user data), so with one those stay open. A template
that also makes nodes no pool describes (an Auto Scaling group, a Fargate profile, an Auto Mode
cluster) marks its pools so that no workload is judged against them alone.
"""

from __future__ import annotations

from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.load import Document, Source, Tagged
from gpulint.model.cluster.pools import InstanceTypeRef, NodePool, Taint
from gpulint.model.core import Unknown, describe, is_placeholder
from gpulint.model.recognize import Recognised, Violation, recogniser

NODEGROUP_TYPE = "AWS::EKS::Nodegroup"

#: the EKS API's taint effects, as Kubernetes spells them
EKS_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute", "PREFER_NO_SCHEDULE": "PreferNoSchedule"}

#: the capacity types of the EKS API, as the model names them (a capacity block is neither)
_CAPACITY = {"ON_DEMAND": "on-demand", "SPOT": "spot"}


def has_nodegroup(data: Any) -> bool:
    """Does the document declare an ``AWS::EKS::Nodegroup`` resource?"""
    resources = data.get("Resources") if isinstance(data, dict) else None
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and r.get("Type") == NODEGROUP_TYPE for r in resources.values())


def _unknown(value: Any) -> bool:
    """An intrinsic function in either form, or a placeholder: known only at deploy time."""
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return isinstance(key, str) and (key == "Ref" or key.startswith("Fn::"))
    return isinstance(value, (Tagged, Unknown)) or is_placeholder(value)


def _opaque(value: Any) -> Any:
    """``value`` as the node pool model reads it: an intrinsic becomes a tagged (unknown) value."""
    return Tagged("!Intrinsic", value) if _unknown(value) and not isinstance(value, (Tagged, str, Unknown)) \
        else value


def _member(props: dict, name: str) -> Any:
    for key, value in props.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def _key(props: dict, name: str) -> str:
    """How ``props`` spells the member ``name`` (``name`` when it has none)."""
    for key in props:
        if isinstance(key, str) and key.lower() == name.lower():
            return key
    return name


def _instance_types(props: dict, base: Path) -> tuple[list[InstanceTypeRef], Optional[tuple[str, ...]], Path]:
    raw = _member(props, "InstanceTypes")
    path = base + (_key(props, "InstanceTypes"),)
    if raw is None or _unknown(raw) or not isinstance(raw, list):
        return [], None, path if raw is not None else base
    refs = [InstanceTypeRef(_opaque(t), path + (j,)) for j, t in enumerate(raw)]
    names = [r.name for r in refs]
    known = names and all(isinstance(n, str) and not _unknown(n) for n in names)
    has_template = _member(props, "LaunchTemplate") is not None
    return refs, tuple(dict.fromkeys(names)) if known and not has_template else None, path


def _taints(props: dict, base: Path, doc_index: int, violations: list[Violation]) -> tuple[list[Taint], Path]:
    raw = _member(props, "Taints")
    path = base + (_key(props, "Taints"),)
    if raw is None:
        return [], path
    if _unknown(raw):
        return [Taint(Tagged("!Intrinsic", raw), "", Tagged("!Intrinsic", raw), path)], path
    if not isinstance(raw, list):
        violations.append(Violation(doc_index, path, "'Taints': expected a list of {Key, Value, Effect}"))
        return [], path
    out = []
    for i, item in enumerate(raw):
        where = path + (i,)
        if _unknown(item) or not isinstance(item, dict):
            out.append(Taint(Tagged("!Intrinsic", item), "", Tagged("!Intrinsic", item), where))
            continue
        effect = _opaque(_member(item, "Effect"))
        if isinstance(effect, str) and effect in EKS_EFFECTS:
            effect = EKS_EFFECTS[effect]
        elif effect is not None and not _unknown(effect):
            violations.append(Violation(doc_index, where + (_key(item, "Effect"),),
                                        f"taint effect {describe(effect)} is not one of {', '.join(EKS_EFFECTS)}"))
        out.append(Taint(_opaque(_member(item, "Key")), _opaque(_member(item, "Value")), effect, where))
    return out, path


def _capacity(props: dict, base: Path) -> tuple[Optional[str], bool, Path]:
    raw = _member(props, "CapacityType")
    if raw is None:
        return "on-demand", False, base
    path = base + (_key(props, "CapacityType"),)
    if isinstance(raw, str) and raw in _CAPACITY:
        return _CAPACITY[raw], raw == "SPOT", path
    return None, False, path


def _size(scaling: Any, name: str) -> Any:
    value = _member(scaling, name) if isinstance(scaling, dict) else None
    return _opaque(value)


def _labels(props: dict) -> tuple[dict[str, Any], bool]:
    """The node labels, and whether more may be added that the template does not show."""
    raw = _member(props, "Labels")
    if raw is None:
        return {}, False
    if not isinstance(raw, dict) or _unknown(raw):
        return {}, True
    return {k: _opaque(v) for k, v in raw.items()}, False


def nodegroup_pool(source: Source, doc: Document, logical: Any, props: dict,
                   violations: list[Violation]) -> NodePool:
    """The node pool of the ``AWS::EKS::Nodegroup`` resource ``logical`` (its ``Properties``)."""
    base: Path = ("Resources", logical, "Properties")
    refs, possible, types_path = _instance_types(props, base)
    capacity, spot_explicit, cap_path = _capacity(props, base)
    taints, taints_path = _taints(props, base, doc.index, violations)
    labels, open_labels = _labels(props)
    scaling = _member(props, "ScalingConfig")
    name = _member(props, "NodegroupName")
    cluster = _member(props, "ClusterName")
    has_template = _member(props, "LaunchTemplate") is not None
    return NodePool(
        source=source, doc_index=doc.index, base=base, kind=f"{NODEGROUP_TYPE} ({logical})",
        name=name if isinstance(name, str) and not _unknown(name) else None,
        provider="eks", group="managedNodeGroups",
        cluster=cluster if isinstance(cluster, str) and not _unknown(cluster) else None,
        instance_refs=refs, possible_types=possible, types_path=types_path,
        labels=labels, taints=taints, taints_path=taints_path, taints_form="list",
        capacity=capacity, capacity_path=cap_path, spot_explicit=spot_explicit,
        min_size=_size(scaling, "MinSize"), max_size=_size(scaling, "MaxSize"), desired=_size(scaling, "DesiredSize"),
        open_labels=open_labels or has_template, open_taints=has_template,
        logical=str(logical), cluster_ref=_cluster_ref(cluster), ami_type=_member(props, "AmiType"),
    )


def _cluster_ref(cluster: Any) -> str:
    """How the template names an unknown cluster (``!Ref EksCluster``), to tell its pools apart."""
    if cluster is None or (isinstance(cluster, str) and not _unknown(cluster)):
        return ""
    return repr(cluster.value if isinstance(cluster, Tagged) else cluster)


#: resources of a template that give a cluster nodes no node pool describes
_OTHER_NODES = {
    "AWS::AutoScaling::AutoScalingGroup": "self-managed nodes (an Auto Scaling group)",
    "AWS::AutoScaling::LaunchConfiguration": "self-managed nodes (a launch configuration)",
    "AWS::EKS::FargateProfile": "Fargate profiles",
}


def _other_nodes(resources: dict) -> str:
    """What else in the template gives a cluster nodes ("" when nothing does)."""
    for res in resources.values():
        kind = res.get("Type") if isinstance(res, dict) else None
        if kind in _OTHER_NODES:
            return _OTHER_NODES[kind]
        if kind == "AWS::EKS::Cluster":
            compute = _member(res.get("Properties") or {}, "ComputeConfig") \
                if isinstance(res.get("Properties"), dict) else None
            enabled = _member(compute, "Enabled") if isinstance(compute, dict) else None
            if compute is not None and enabled is not False:
                return "EKS Auto Mode pools (ComputeConfig)"
    return ""


@recogniser(priority=29)
def recognise_nodegroups(source: Source, doc: Document) -> Optional[Recognised]:
    """The ``AWS::EKS::Nodegroup`` resources of a template. Other resources of the template are
    left to the recognisers after this one (the result does not claim the document alone)."""
    if not has_nodegroup(doc.data):
        return None
    result = Recognised(more=True)
    others = _other_nodes(doc.data["Resources"])
    root: Any = False
    for logical, res in doc.data["Resources"].items():
        if not isinstance(res, dict) or res.get("Type") != NODEGROUP_TYPE:
            continue
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        if root is False:
            from gpulint.model.sagemaker.intrinsics import document_node

            root = document_node(source, doc)
        if root is not None:
            from gpulint.model.sagemaker.intrinsics import retag

            props = retag(props, root, ("Resources", logical, "Properties"))
        pool = nodegroup_pool(source, doc, logical, props, result.violations)
        pool.unmodelled = others
        result.objects.append(pool)
    return result
