"""Cluster rules: eksctl nodegroups, Karpenter NodePools, the instance catalog, and
the joins between workloads and the node pools they can land on."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pydantic import Field

from gpulint.model import catalog
from gpulint.model.cluster import (
    NodePool,
    Scope,
    Taint,
    close_key,
    has_selector,
    landable,
    max_accelerators,
    pool_matches,
    pools_for,
)
from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.model.core import ModelObject, PodTemplate, Unknown, Workload, is_placeholder
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register

EKSCTL_SCHEMA = "https://eksctl.io/usage/schema/"
KARPENTER_NODEPOOL = "https://karpenter.sh/docs/concepts/nodepools/"


def _role(t: PodTemplate) -> str:
    return f"'{t.role}' " if t.role else ""


def _pools_text(pools: list[NodePool], limit: int = 4) -> str:
    """``nodegroup 'a', managed nodegroup 'b' in cluster.yaml; NodePool 'c' in pools.yaml``."""
    by_file: dict[str, list[str]] = {}
    for p in pools[:limit]:
        by_file.setdefault(p.file, []).append(p.display())
    text = "; ".join(f"{', '.join(names)} in {f}" for f, names in by_file.items())
    more = len(pools) - limit
    return text + (f"; and {more} more" if more > 0 else "")


# --------------------------------------------------------------------------- node pools alone


@register
class GpuNodegroupUntainted(Rule):
    """## What it does
    Flags an eksctl nodegroup or Karpenter NodePool whose instance types all
    carry accelerators (GPUs, Inferentia, Trainium) but which puts no
    ``NoSchedule`` or ``NoExecute`` taint on its nodes. ``PreferNoSchedule`` and
    Karpenter ``startupTaints`` do not count: neither keeps pods away for good.

    eksctl does not taint GPU nodegroups by itself; only the ``taints`` field
    does. A pool whose instance types gpulint cannot tell (an
    ``instanceSelector``, a launch template, a Karpenter pool that may launch CPU
    types too) is not reported, nor is a pool switched off (``maxSize: 0``, a
    Karpenter limit of 0), nor is an eksctl nodegroup when the
    ClusterConfig has no other nodegroup for the pods that must go elsewhere
    (CoreDNS and other system pods do not tolerate custom taints). Nor is a
    nodegroup that may register taints outside ``taints``: kubelet's
    ``--register-with-taints`` in ``overrideBootstrapCommand`` or
    ``preBootstrapCommands``, ``registerWithTaints`` in ``kubeletExtraConfig``,
    Bottlerocket ``node-taints``, or the user data of a ``launchTemplate``.

    ## Why is this bad?
    Without a taint, the scheduler places any pod on the GPU nodes: CPU-only
    pods fill them, GPU pods stay Pending while you pay for idle accelerators,
    and the cluster autoscaler adds more expensive nodes.

    ## Example
    ```yaml
    managedNodeGroups:
      - name: gpu
        instanceType: g5.2xlarge
    ```

    ## Use instead
    ```yaml
    managedNodeGroups:
      - name: gpu
        instanceType: g5.2xlarge
        taints:
          - {key: nvidia.com/gpu, value: "true", effect: NoSchedule}
    ```

    On EKS, pods that request ``nvidia.com/gpu`` tolerate a taint keyed
    ``nvidia.com/gpu`` with effect ``NoSchedule`` automatically (the
    ExtendedResourceToleration admission plugin), so GPU workloads need no change.

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` adds the conventional taint
    ``<resource>=true:NoSchedule`` (``nvidia.com/gpu``, ``aws.amazon.com/neuron``,
    ...) in the form the file already uses for taints (list or eksctl map).
    Pods that should run there without requesting the accelerator (monitoring
    agents, device plugins) then need a toleration, which a reviewer should
    check.

    ## References
    - https://eksctl.io/usage/gpu-support/
    - https://karpenter.sh/docs/concepts/nodepools/
    - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
    """

    code = "NODE201"
    name = "gpu-nodegroup-untainted"
    severity = Severity.WARNING
    summary = "A GPU node pool has no NoSchedule/NoExecute taint, so any pod can land on it"
    targets = (NodePool,)
    source_url = "https://eksctl.io/usage/gpu-support/"
    fix = Applicability.UNSAFE

    def check(self, obj: NodePool, ctx: Context) -> Iterator[Finding]:
        infos = obj.type_info()
        if not infos or not all(it.accelerated is True for it in infos):
            return
        if any(t.effect != "PreferNoSchedule" or t.unknown for t in obj.taints):
            return  # tainted (an invalid effect is reported as a schema violation)
        if obj.open_taints:
            return  # taints registered by bootstrap flags, Bottlerocket settings or a launch template
        if never_launches(obj):
            return
        if obj.provider == "eksctl" and not _has_other_pool(obj, ctx):
            return  # the cluster's only nodes: system pods need somewhere to run
        resource = conventional_resource(infos)
        key = resource or "nvidia.com/gpu"
        types = ", ".join(it.name for it in infos[:3]) + (" ..." if len(infos) > 3 else "")
        if obj.taints:
            first = obj.taints[0]
            path = first.path + ("effect",) if obj.taints_form == "list" else first.path
            what = "only PreferNoSchedule taints, which do not keep other pods away"
        else:
            path, what = obj.types_path, "no NoSchedule or NoExecute taint"
        yield Finding(
            path,
            f"{obj.display()} runs accelerator instances ({types}) with {what}; any pod can be scheduled "
            f"onto these nodes: add a taint such as {key}=true:NoSchedule",
            fix=_taint_fix(obj, key, ctx),
        )


def _taint_fix(pool: NodePool, key: str, ctx: Context) -> Optional[Fix]:
    """Add ``key=true:NoSchedule`` in the form (list or map) the file uses for taints."""
    if any(t.unknown for t in pool.taints):
        return None
    form = pool.taints_form if pool.taints else None
    if form is None:
        if pool.provider != "eksctl" or pool.group == "managedNodeGroups":
            form = "list"  # Karpenter and managed nodegroups take only the list form
        else:
            # self-managed nodeGroups take both forms: follow the other nodeGroups of the file
            forms = {p.taints_form for p in ctx.project.of_type(NodePool)
                     if p.source is pool.source and p.taints and p.group == pool.group}
            form = forms.pop() if len(forms) == 1 else "list"
    if form == "map":
        if any(str(t.key) == key for t in pool.taints):
            return None
        edit = Edit(pool.taints_path + (key,), "true:NoSchedule", "add")
    else:
        edit = Edit(pool.taints_path + ("-",), {"key": key, "value": "true", "effect": "NoSchedule"}, "add")
    return Fix([edit], Applicability.UNSAFE, f"add the taint {key}=true:NoSchedule")


def never_launches(pool: NodePool) -> bool:
    """A pool switched off: an eksctl ``maxSize: 0``, or a Karpenter limit of 0 (how its docs say to
    stop a NodePool from provisioning)."""
    if pool.provider == "eksctl":
        return isinstance(pool.max_size, int) and not isinstance(pool.max_size, Unknown) and pool.max_size == 0
    return any(str(v).strip() in ("0", "0.0") for v in pool.limits.values() if not is_placeholder(v))


def _has_other_pool(obj: NodePool, ctx: Context) -> bool:
    """Does the same ClusterConfig have a pool that is not all accelerator instances?"""
    for other in ctx.project.of_type(NodePool):
        if other is obj or other.source is not obj.source or other.doc_index != obj.doc_index:
            continue
        infos = other.type_info()
        if not infos or not all(it.accelerated is True for it in infos):
            return True
    return False


def conventional_resource(infos: list[catalog.InstanceType]) -> Optional[str]:
    resources = {a.resource for it in infos for a in it.accelerators or () if a.resource}
    return resources.pop() if len(resources) == 1 else None


@register
class SpotGpuSingleInstanceType(Rule):
    """## What it does
    Flags a node pool that runs GPU (or Neuron) instances on spot capacity and
    allows exactly one instance type: an eksctl managed nodegroup with
    ``spot: true``, a self-managed nodegroup whose ``instancesDistribution`` buys
    spot, or a Karpenter NodePool whose ``karpenter.sh/capacity-type``
    requirement allows only ``spot``. A NodePool that also allows
    ``on-demand`` (or ``reserved``) is not reported: Karpenter launches that
    capacity when spot is short.

    ## Why is this bad?
    Spot capacity for one GPU type in one region is often exhausted; with a
    single type the pool cannot launch nodes at all, and every interruption
    takes all nodes of that type at once. Listing several types with the same
    accelerator count and memory lets the spot allocation strategy pick from
    several capacity pools.

    ## Example
    ```yaml
    managedNodeGroups:
      - name: gpu-spot
        spot: true
        instanceTypes: [g5.2xlarge]
    ```

    ## Use instead
    ```yaml
    managedNodeGroups:
      - name: gpu-spot
        spot: true
        instanceTypes: [g5.2xlarge, g5.4xlarge, g6.2xlarge]   # 1 GPU, 24 GB each
    ```

    ## Fix safety
    No automatic fix: which types are interchangeable for your workload is your call.

    ## References
    - https://eksctl.io/usage/spot-instances/
    - https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html
    """

    code = "NODE202"
    name = "spot-gpu-single-instance-type"
    severity = Severity.WARNING
    summary = "A spot GPU node pool allows only one instance type"
    targets = (NodePool,)
    source_url = "https://eksctl.io/usage/spot-instances/"

    def check(self, obj: NodePool, ctx: Context) -> Iterator[Finding]:
        if not obj.spot_explicit or obj.capacity not in ("spot", "mixed") or never_launches(obj):
            return
        if obj.possible_types is None or len(obj.possible_types) != 1:
            return
        if obj.provider == "karpenter" and (not obj.instance_refs or obj.capacity != "spot"):
            return  # other capacity types are Karpenter's fallback when spot is short
        it = catalog.get(obj.possible_types[0])
        if it is None or it.accelerated is not True:
            return
        yield Finding(
            obj.types_path,
            f"{obj.display()} buys spot capacity for a single GPU instance type ({it.name}); spot capacity for "
            f"one GPU type is often unavailable: list several types with the same accelerator count and memory",
        )


@register
class NodegroupSizeInvalid(Rule):
    """## What it does
    Flags eksctl nodegroup sizes that eksctl or EKS rejects: a negative
    ``minSize``, ``maxSize`` or ``desiredCapacity``; ``minSize`` greater than
    ``maxSize``; ``desiredCapacity`` outside ``[minSize, maxSize]``.

    Absent sizes are filled in by eksctl (``minSize`` from ``desiredCapacity``,
    ``maxSize`` from ``desiredCapacity`` or ``minSize``), so only values that
    are written and conflict are reported.

    ## Why is this bad?
    ``eksctl create nodegroup`` fails (``cannot use --nodes-min=3 and
    --nodes-max=2 at the same time``), usually in the middle of a cluster
    rollout, after the control plane has been created.

    ## Example
    ```yaml
    managedNodeGroups:
      - name: gpu
        minSize: 3
        maxSize: 2
    ```

    ## Use instead
    ```yaml
    managedNodeGroups:
      - name: gpu
        minSize: 2
        maxSize: 3
    ```

    ## Fix safety
    No automatic fix: only you know which bound is the intended one.

    ## References
    - https://eksctl.io/usage/nodegroups/
    - https://docs.aws.amazon.com/eks/latest/APIReference/API_NodegroupScalingConfig.html
    """

    code = "NODE203"
    name = "nodegroup-size-invalid"
    severity = Severity.ERROR
    summary = "Nodegroup minSize/maxSize/desiredCapacity conflict or are negative"
    targets = (NodePool,)
    source_url = EKSCTL_SCHEMA

    def check(self, obj: NodePool, ctx: Context) -> Iterator[Finding]:
        if obj.provider != "eksctl":
            return
        sizes = {"minSize": obj.min_size, "maxSize": obj.max_size, "desiredCapacity": obj.desired}
        bad = False
        for field, value in sizes.items():
            if isinstance(value, int) and value < 0:
                bad = True
                yield Finding(obj.at(field), f"{obj.display()} has {field} {value}; sizes cannot be negative")
        if bad:
            return
        lo, hi, want = (v if isinstance(v, int) and not isinstance(v, Unknown) else None for v in sizes.values())
        if lo is not None and hi is not None and lo > hi:
            yield Finding(obj.at("minSize"), f"{obj.display()} has minSize {lo} greater than maxSize {hi}; "
                                             f"eksctl rejects it: make minSize <= maxSize")
            return
        if want is not None and lo is not None and want < lo:
            yield Finding(obj.at("desiredCapacity"), f"{obj.display()} has desiredCapacity {want} below minSize "
                                                     f"{lo}; eksctl rejects it: keep desiredCapacity within "
                                                     f"[minSize, maxSize]")
        elif want is not None and hi is not None and want > hi:
            yield Finding(obj.at("desiredCapacity"), f"{obj.display()} has desiredCapacity {want} above maxSize "
                                                     f"{hi}; eksctl rejects it: keep desiredCapacity within "
                                                     f"[minSize, maxSize]")


# --------------------------------------------------------------------------- instance type names

_EC2_NAME = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$", re.IGNORECASE)
_TYPE_KEYS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
FAMILY_KEY = "karpenter.k8s.aws/instance-family"


def instance_type_refs(obj: Any) -> Iterator[tuple[Any, tuple, bool, str]]:
    """(name, path, sagemaker, kind) for every instance type ``obj`` names.

    ``kind`` is "type" or "family". Objects of other domains take part by
    defining ``instance_type_refs()`` returning items with ``name``, ``path`` and
    ``sagemaker`` attributes.
    """
    if isinstance(obj, NodePool):
        for ref in obj.instance_refs:
            yield ref.name, ref.path, False, "type"
        for r in obj.requirements:
            if r.key == FAMILY_KEY and r.operator in ("In", "NotIn"):
                for j, v in enumerate(r.values):
                    yield v, r.path + ("values", j), False, "family"
        return
    if isinstance(obj, Workload):
        for t in obj.templates:
            for k, v in t.node_selector.items():
                if k in _TYPE_KEYS and _looks_ec2(v):
                    yield v, t.path + ("nodeSelector", k), False, "type"
            for i, term in enumerate(t.required_terms()):
                for j, e in enumerate(term.matchExpressions or []):
                    if e.key in _TYPE_KEYS and e.operator in ("In", "NotIn"):
                        for n, v in enumerate(e.values or []):
                            if _looks_ec2(v):
                                yield v, t.path + ("affinity", "nodeAffinity",
                                                   "requiredDuringSchedulingIgnoredDuringExecution",
                                                   "nodeSelectorTerms", i, "matchExpressions", j, "values", n), \
                                    False, "type"
        return
    method = getattr(obj, "instance_type_refs", None)
    if callable(method):
        for ref in method():
            yield ref.name, ref.path, bool(getattr(ref, "sagemaker", False)), "type"


def _looks_ec2(value: Any) -> bool:
    """An EC2 name (``family.size``) of a known family: a workload may run on other clouds, whose
    machine types can look alike (IBM Cloud's ``b3c.4x16``); a misspelt size is still caught."""
    return isinstance(value, str) and bool(_EC2_NAME.match(value)) and value.split(".")[0] in _family_set()


def _family_set() -> frozenset[str]:
    global _FAMILY_SET
    if _FAMILY_SET is None:
        _FAMILY_SET = frozenset(_families())
    return _FAMILY_SET


_FAMILY_SET: Optional[frozenset[str]] = None


def _families() -> list[str]:
    return sorted({n.split(".")[0] for n in catalog.names(sagemaker=False)})


def family_message(name: Any) -> Optional[str]:
    if not isinstance(name, str) or is_placeholder(name):
        return None
    families = _families()
    if name in families:
        return None
    import difflib

    close = difflib.get_close_matches(name, families, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"'{name}' is not a known EC2 instance family{hint}"


@register
class UnknownInstanceType(Rule):
    """## What it does
    Flags an instance type that does not exist, with the closest valid names:
    in eksctl nodegroups (``instanceType``, ``instanceTypes``,
    ``instancesDistribution.instanceTypes``), in Karpenter NodePool
    requirements (``node.kubernetes.io/instance-type``, and
    ``karpenter.k8s.aws/instance-family`` against the known families), in
    workload nodeSelectors and required node affinity on the instance-type
    label, and in SageMaker request documents (``ml.`` names, per API).

    The valid names come from gpulint's instance catalog (the EC2 and SageMaker
    API enums). Values that are unrendered placeholders are not checked, and a
    workload's instance-type label is checked only when it looks like an EC2
    name of a known family (``g5.2xlarg``), so other clouds' machine types
    (``b3c.4x16``, ``n1-standard-4``) are left alone.

    ## Why is this bad?
    A misspelt type fails late: ``eksctl create`` errors after the cluster
    stack exists, Karpenter silently never launches the type, and a pod that
    selects a non-existent type stays Pending forever.

    ## Example
    ```yaml
    managedNodeGroups:
      - name: gpu
        instanceType: g5.2xlarg
    ```

    ## Use instead
    ```yaml
    managedNodeGroups:
      - name: gpu
        instanceType: g5.2xlarge
    ```

    ## Fix safety
    No automatic fix: the closest name is a suggestion, not necessarily what you meant.

    ## References
    - https://aws.amazon.com/ec2/instance-types/
    - https://karpenter.sh/docs/reference/instance-types/
    """

    code = "NODE204"
    name = "unknown-instance-type"
    severity = Severity.ERROR
    summary = "An instance type that does not exist (with the closest valid names)"
    targets = (NodePool, Workload)
    source_url = "https://karpenter.sh/docs/reference/instance-types/"

    def check(self, obj: ModelObject, ctx: Context) -> Iterator[Finding]:
        for name, path, sagemaker, kind in instance_type_refs(obj):
            message = family_message(name) if kind == "family" else catalog.check_name(name, sagemaker=sagemaker)
            if message:
                yield Finding(path, message)


# --------------------------------------------------------------------------- workloads joined to pools


def _selector_text(t: PodTemplate) -> str:
    parts = []
    if t.node_selector:
        parts.append("nodeSelector " + ", ".join(f"{k}={v}" for k, v in t.node_selector.items()))
    if t.required_terms():
        parts.append("required node affinity")
    return " with ".join(parts)


@register
class NodeSelectorUnmatched(Rule):
    """## What it does
    Flags a workload whose ``nodeSelector`` or required node affinity matches no
    node pool of the eksctl ClusterConfigs and Karpenter NodePools in the linted
    set. A pool matches when the labels its nodes carry satisfy the selector:
    its explicit labels plus the well-known labels every node gets
    (``node.kubernetes.io/instance-type`` for each of its instance types,
    ``eks.amazonaws.com/nodegroup``, ``eks.amazonaws.com/capacityType``,
    ``alpha.eksctl.io/nodegroup-name``, ``karpenter.sh/nodepool``,
    ``karpenter.sh/capacity-type``, ``karpenter.k8s.aws/instance-*``).

    A workload joins the pools of the nearest folder (walking up from its file)
    that holds cluster configs. Without cluster configs in the linted set the
    rule is silent, and so it is for clusters that get nodes gpulint does not
    model (EKS Auto Mode, Fargate), and for DaemonSets: a DaemonSet for
    hardware the cluster lacks (a Neuron device plugin on a GPU-only cluster)
    creates no pods, so none stays Pending. Labels that node agents add at run time
    (``nvidia.com/gpu.product``, ``feature.node.kubernetes.io/...``, zones) and
    custom labels that no pool defines are taken to match, unless the key is a
    near-miss of a label the pools do define; so are custom labels on nodegroups
    that may register labels outside ``labels`` (bootstrap commands, a launch
    template's user data, Bottlerocket settings).

    Use ``context:`` in the config to load the cluster configs when only the
    changed workload files are linted (pre-commit).

    ## Why is this bad?
    The pod stays Pending forever: ``0/12 nodes are available: 12 node(s) didn't
    match Pod's node affinity/selector``; with Karpenter, no NodePool launches a
    node for it either.

    ## Example
    ```yaml
    # cluster.yaml: managedNodeGroups: [{name: gpu, labels: {workload: gpu}}]
    nodeSelector:
      workload: gpu-inference
    ```

    ## Use instead
    ```yaml
    nodeSelector:
      workload: gpu
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
    - https://eksctl.io/usage/nodegroups/
    """

    code = "NODE205"
    name = "node-selector-unmatched"
    severity = Severity.ERROR
    summary = "A workload's nodeSelector or required node affinity matches no node pool under lint"
    targets = (Workload,)
    cross_file = True
    source_url = "https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/"

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        if obj.kind == "DaemonSet":
            return  # its pods are created only on matching nodes: none is left Pending
        scope = None
        for t in obj.templates:
            if t.partial or not has_selector(t):
                continue  # a partial spec is merged with fields gpulint cannot see
            scope = scope or pools_for(ctx.project, obj)
            if scope is None:
                return
            if landable(scope, t):
                continue
            yield self._finding(t, scope)

    def _finding(self, t: PodTemplate, scope: Scope) -> Finding:
        pools = scope.pools
        # point at the single nodeSelector entry that no pool satisfies, when there is one
        for k, v in t.node_selector.items():
            if all(pool_matches(p, t, scope, only=(k, v)) is False for p in pools):
                hint = ""
                typo = close_key(str(k), scope)
                if typo:
                    hint = f" (did you mean the label key '{typo}'?)"
                else:
                    values = sorted({str(p.labels[k]) for p in pools if k in p.labels})
                    if values:
                        hint = f" (the pools carry {k}={' or '.join(values[:4])})"
                return Finding(
                    t.path + ("nodeSelector", k),
                    f"pod {_role(t)}selects {k}={v}, but no node pool under lint carries that label{hint}; "
                    f"it will stay Pending. Pools: {_pools_text(pools)}",
                    related=sorted({p.file for p in pools}),
                )
        where = t.path + (("affinity",) if t.required_terms() and not t.node_selector else ("nodeSelector",))
        return Finding(
            where,
            f"pod {_role(t)}cannot land on any node pool under lint: its {_selector_text(t)} matches none of "
            f"them; it will stay Pending. Pools: {_pools_text(pools)}",
            related=sorted({p.file for p in pools}),
        )


class CapacityOptions(RuleOptions):
    gpu_sharing: bool = Field(
        False,
        description=(
            "The NVIDIA device plugin shares GPUs (time-slicing or MPS without renaming, or MIG strategy single), "
            "so a node advertises more nvidia.com/gpu units than it has GPUs; skip that resource."
        ),
    )


@register
class GpuExceedsNodeCapacity(Rule):
    """## What it does
    Flags a pod template that asks for more accelerators of one kind than any
    instance type of any node pool it can land on has: 2 ``nvidia.com/gpu`` on
    pools of ``g5.2xlarge`` (1 GPU), or a GPU on a cluster whose matching pools
    are all CPU types. The pod's request is the effective one (init containers
    and sidecars counted as the scheduler counts them). Pools it can land on
    are those whose labels satisfy its nodeSelector and required node affinity
    (see ``node-selector-unmatched``); a pool with several instance types is
    fine when one of them is big enough.

    Silent without cluster configs in the linted set, and when the instance
    types of a matching pool, or their accelerator counts, are unknown. Set
    ``gpu-sharing: true`` when the NVIDIA device plugin advertises shared GPU
    units under ``nvidia.com/gpu`` (time-slicing, MPS, MIG strategy single);
    pools whose nodes carry the GPU operator's per-node configuration labels
    (``nvidia.com/device-plugin.config``, ``nvidia.com/mig.config``) are taken
    to do so.

    ## Why is this bad?
    No node can ever fit the pod: it stays Pending (``Insufficient
    nvidia.com/gpu``), and the cluster autoscaler or Karpenter cannot help
    because no node of those types is big enough.

    ## Example
    ```yaml
    # cluster.yaml: managedNodeGroups: [{name: gpu, instanceType: g5.2xlarge, labels: {workload: gpu}}]
    nodeSelector: {workload: gpu}
    containers:
      - resources: {limits: {nvidia.com/gpu: 2}}
    ```

    ## Use instead
    ```yaml
    # a pool with g5.12xlarge (4 GPUs), or 1 GPU per pod
    containers:
      - resources: {limits: {nvidia.com/gpu: 1}}
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://karpenter.sh/docs/reference/instance-types/
    - https://kubernetes.io/docs/concepts/resource-management/effective-pod-requests-limits/
    """

    code = "NODE206"
    name = "gpu-exceeds-node-capacity"
    severity = Severity.ERROR
    summary = "A pod asks for more accelerators than any node it can land on has"
    targets = (Workload,)
    cross_file = True
    Options = CapacityOptions
    source_url = "https://karpenter.sh/docs/reference/instance-types/"

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        if not obj.is_gpu:
            return
        scope = pools_for(ctx.project, obj)
        if scope is None:
            return
        for t in obj.templates:
            accels = sorted(t.accelerators())
            if not accels or t.partial:
                continue
            joined = landable(scope, t)
            if not joined:
                continue
            pools = [p for p, _ in joined]
            for res in accels:
                if res == "nvidia.com/gpu" and (ctx.options.gpu_sharing or any(_per_node_plugin_config(p)
                                                                               for p in pools)):
                    continue
                want = t.pod_request(res)
                if not want:
                    continue
                counts = [max_accelerators(types, res) for _, types in joined]
                if any(n is None for n, _ in counts):
                    continue
                best, best_type = max(counts, key=lambda c: c[0])
                if best is None or best >= want:
                    continue
                detail = (f"none of their instance types has {res}" if best == 0
                          else f"the largest, {best_type}, has {best}")
                yield Finding(
                    _request_path(t, res),
                    f"pod {_role(t)}requests {want} {res} but the node pools it can land on "
                    f"({_pools_text(pools)}) offer at most {best} per node: {detail}; it will stay Pending",
                    related=sorted({p.file for p in pools}),
                )


def _outcome(obj: Any) -> str:
    """What happens to a workload whose pods fit no node: a DaemonSet simply runs nowhere."""
    if getattr(obj, "kind", None) == "DaemonSet":
        return "its pods will run on none of those nodes"
    return "it will stay Pending"


#: node labels that pick a per-node NVIDIA device plugin or MIG configuration (GPU operator): the node
#: may advertise time-sliced replicas or MIG slices as nvidia.com/gpu
_PLUGIN_CONFIG_LABELS = ("nvidia.com/device-plugin.config", "nvidia.com/mig.config")


def _per_node_plugin_config(pool: NodePool) -> bool:
    return any(str(k) in _PLUGIN_CONFIG_LABELS for k in pool.labels)


def _request_path(t: PodTemplate, res: str) -> tuple:
    for c in t.containers():
        if res in c.resources("limits"):
            return c.path + ("resources", "limits", res)
        if res in c.resources("requests"):
            return c.path + ("resources", "requests", res)
    return t.path


# --------------------------------------------------------------------------- tolerations, cluster-aware


def _taint_value(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def blocking_taint(pool: NodePool, tolerations: list[Any], implicit: set[str]) -> Optional[Taint]:
    """The first NoSchedule/NoExecute taint of ``pool`` that the pod does not tolerate."""
    from gpulint.rules.kubernetes import tolerates

    for taint in pool.blocking_taints:
        if taint.unknown:
            continue
        key = str(taint.key)
        if taint.effect == "NoSchedule" and key in implicit:
            continue
        if not tolerates(tolerations, key, _taint_value(taint.value), str(taint.effect)):
            return taint
    return None


def cluster_toleration_findings(obj: Workload, t: PodTemplate, ctx: Context) -> Optional[list[Finding]]:
    """``gpu-toleration-missing`` against the real node pools; None when there is no cluster context.

    A GPU pod must tolerate every NoSchedule/NoExecute taint (startupTaints
    excluded) of at least one pool that it can land on by labels and that may
    offer the accelerators it requests. Implicit extended-resource tolerations
    count while ``extended-resource-toleration`` is on.
    """
    from gpulint.rules.kubernetes import implicit_tolerations

    scope = pools_for(ctx.project, obj)
    if scope is None:
        return None
    accels = sorted(t.accelerators())
    candidates = []
    for pool, types in landable(scope, t):
        offers = True
        for res in accels:
            n, _name = max_accelerators(types, res)
            if n == 0 and t.pod_request(res):
                offers = False
        if offers:
            candidates.append(pool)
    if not candidates:
        return []
    tolerations = t.spec.tolerations or []
    implicit = implicit_tolerations(t, ctx.config.extended_resource_toleration)
    blocked: list[tuple[NodePool, Taint]] = []
    for pool in candidates:
        taint = blocking_taint(pool, tolerations, implicit)
        if taint is None:
            return []
        blocked.append((pool, taint))
    pool, taint = blocked[0]
    where = t.path + ("tolerations",) if t.spec.tolerations is not None else t.path
    described = "; ".join(f"{p.display()} in {p.file} is tainted {tk.text()}" for p, tk in blocked[:3])
    if len(blocked) > 3:
        described += f"; and {len(blocked) - 3} more"
    note = ""
    if str(taint.key) in {*accels} and taint.effect == "NoExecute":
        note = " (the ExtendedResourceToleration plugin adds only NoSchedule tolerations)"
    elif str(taint.key) in {*accels} and not ctx.config.extended_resource_toleration:
        note = " (extended-resource-toleration is off)"
    value = _taint_value(taint.value)
    fix = (f"{{key: {taint.key}, operator: Equal, value: \"{value}\", effect: {taint.effect}}}" if value
           else f"{{key: {taint.key}, operator: Exists, effect: {taint.effect}}}")
    toleration: dict[str, Any] = {"key": str(taint.key), "operator": "Equal", "value": value,
                                  "effect": str(taint.effect)} if value else {
        "key": str(taint.key), "operator": "Exists", "effect": str(taint.effect)}
    return [Finding(
        where,
        f"pod {_role(t)}requests {', '.join(accels)} but tolerates no node pool it can land on: "
        f"{described}{note}; {_outcome(obj)}: add a toleration {fix}",
        related=sorted({p.file for p, _ in blocked}),
        fix=Fix([Edit(t.path + ("tolerations", "-"), toleration, "add")], Applicability.UNSAFE,
                f"add a toleration for {taint.text()}"),
    )]
