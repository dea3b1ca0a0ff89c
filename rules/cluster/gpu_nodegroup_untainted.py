"""The rule gpu-nodegroup-untainted (NODE201): a GPU node pool has no NoSchedule/NoExecute taint,
so any pod can land on it."""

from __future__ import annotations

import os
import weakref
from typing import Any, Iterator, Optional

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model import catalog
from gpulint.model.cluster import NodePool, never_launches


@register
class GpuNodegroupUntainted(Rule):
    """## What it does
    Flags an eksctl nodegroup or Karpenter NodePool whose instance types all
    carry accelerators (GPUs, Inferentia, Trainium) but which puts no
    ``NoSchedule`` or ``NoExecute`` taint on its nodes. ``PreferNoSchedule`` and
    Karpenter ``startupTaints`` do not count: neither keeps pods away for good.
    An EKS managed node group written as an ``AWS::EKS::Nodegroup`` resource is
    judged like an eksctl managed nodegroup (its ``Taints`` spell the effects
    ``NO_SCHEDULE``, ``NO_EXECUTE``, ``PREFER_NO_SCHEDULE``), with the other node
    groups of its template and cluster as the pools beside it.

    eksctl does not taint GPU nodegroups by itself; only the ``taints`` field
    does. A pool whose instance types gpulint cannot tell (an
    ``instanceSelector``, a launch template, a Karpenter pool that may launch CPU
    types too) is not reported, nor is a pool switched off (``maxSize: 0``, a
    Karpenter limit of 0), nor is an eksctl nodegroup when the
    ClusterConfig has no other nodegroup for the pods that must go elsewhere
    (CoreDNS and other system pods do not tolerate custom taints): one that is
    not all accelerator instances and starts with nodes (a nodegroup of
    ``desiredCapacity: 0`` waits for an autoscaler, which needs a node to run
    on). A Karpenter NodePool with no other node pool in its folder is reported
    without a fix: tainting the only pool would leave the other pods nowhere to
    go. Nor is a
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
    domain = "cluster"
    targets = (NodePool,)
    source_url = "https://eksctl.io/usage/gpu-support/"
    fix = Applicability.UNSAFE
    fix_summary = "add `<resource>=true:NoSchedule`, in the list or map form the file uses"

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
        others = _has_other_pool(obj, ctx)
        if obj.provider in ("eksctl", "eks") and not others:
            return  # the cluster's only nodes: system pods need somewhere to run
        resource = conventional_resource(infos)
        key = resource or "nvidia.com/gpu"
        types = ", ".join(it.name for it in infos[:3]) + (" ..." if len(infos) > 3 else "")
        if obj.taints:
            first = obj.taints[0]
            effect = "Effect" if obj.provider == "eks" else "effect"
            path = first.path + (effect,) if obj.taints_form == "list" else first.path
            taints = ", ".join(t.text() for t in obj.taints[:3])
            what = (f"only PreferNoSchedule taints ({taints}); PreferNoSchedule only asks the scheduler to avoid "
                    f"these nodes, so pods that do not tolerate it still land here when no other node fits")
        else:
            path, what = obj.types_path, "no NoSchedule or NoExecute taint; any pod can be scheduled onto these nodes"
        if not others:  # a Karpenter NodePool with no other pool beside it: tainting it leaves other pods nowhere
            yield Finding(
                path,
                f"{obj.display()} runs accelerator instances ({types}) with {what}, and Karpenter may launch them "
                f"for pods that need no accelerator. It is the only node pool here: before tainting it (e.g. "
                f"{key}=true:NoSchedule), add a NodePool for the pods that do not tolerate the taint",
            )
            return
        yield Finding(
            path,
            f"{obj.display()} runs accelerator instances ({types}) with {what}: add a taint such as "
            + (f"{key}=true:NoSchedule" if obj.provider != "eks" else
               f"{{Key: {key}, Value: \"true\", Effect: NO_SCHEDULE}}"),
            fix=_taint_fix(obj, key, ctx),
        )


def _taint_fix(pool: NodePool, key: str, ctx: Context) -> Optional[Fix]:
    """Add ``key=true:NoSchedule`` in the form (list or map) the file uses for taints."""
    if any(t.unknown for t in pool.taints) or pool.source.kind not in ("yaml", "json"):
        return None  # Terraform: --fix edits literals, it does not write blocks
    form = pool.taints_form if pool.taints else None
    if form is None:
        if pool.provider != "eksctl" or pool.group == "managedNodeGroups":
            form = "list"  # Karpenter and managed nodegroups take only the list form
        else:
            # self-managed nodeGroups take both forms: follow the other nodeGroups of the file
            forms = {p.taints_form for p in ctx.project.of_type(NodePool)
                     if p.source is pool.source and p.taints and p.group == pool.group}
            form = forms.pop() if len(forms) == 1 else "list"
    if pool.provider == "eks":  # AWS::EKS::Nodegroup: the EKS API's spelling
        edit = Edit(pool.taints_path + ("-",), {"Key": key, "Value": "true", "Effect": "NO_SCHEDULE"}, "add")
        return Fix([edit], Applicability.UNSAFE, f"add the taint {key}=true:NO_SCHEDULE")
    if form == "map":
        if any(str(t.key) == key for t in pool.taints):
            return None
        edit = Edit(pool.taints_path + (key,), "true:NoSchedule", "add")
    else:
        edit = Edit(pool.taints_path + ("-",), {"key": key, "value": "true", "effect": "NoSchedule"}, "add")
    return Fix([edit], Applicability.UNSAFE, f"add the taint {key}=true:NoSchedule")


def _has_other_pool(obj: NodePool, ctx: Context) -> bool:
    """Is there a pool for the pods that would not tolerate a taint on ``obj``: one that is not all
    accelerator instances and has nodes, in the same ClusterConfig or template (eksctl,
    ``AWS::EKS::Nodegroup`` of the same cluster; a group that starts with no node does not count),
    the same Terraform module (one document a resource, so the folder of ``.tf`` files), or the
    same folder (Karpenter, whose NodePools name no cluster)?"""
    by_document, by_folder = _neighbours(ctx.project)
    if obj.provider in ("eksctl", "eks"):
        others = by_document[(id(obj.source), obj.doc_index)]
        if obj.source.kind == "terraform":
            others = [p for p in by_folder[_folder(obj)] if p.source.kind == "terraform"]
    else:
        others = by_folder[_folder(obj)]
    for other in others:
        if other is obj or never_launches(other):
            continue
        if obj.provider in ("eksctl", "eks") and not _starts_with_nodes(other):
            continue
        if obj.provider == "eks" and (other.provider != "eks" or (other.cluster, other.cluster_ref) !=
                                      (obj.cluster, obj.cluster_ref)):
            continue  # a template's node groups of another cluster
        infos = other.type_info()
        if not infos or not all(it.accelerated is True for it in infos):
            return True
    return False


_NEIGHBOURS: "weakref.WeakKeyDictionary[Any, tuple[dict, dict]]" = weakref.WeakKeyDictionary()


def _neighbours(project: Any) -> tuple[dict[tuple[int, int], list[NodePool]], dict[str, list[NodePool]]]:
    """The run's pools by document and by folder, in run order (worked out once per run)."""
    found = _NEIGHBOURS.get(project)
    if found is None:
        by_document: dict[tuple[int, int], list[NodePool]] = {}
        by_folder: dict[str, list[NodePool]] = {}
        for pool in project.of_type(NodePool):
            by_document.setdefault((id(pool.source), pool.doc_index), []).append(pool)
            by_folder.setdefault(_folder(pool), []).append(pool)
        found = _NEIGHBOURS[project] = (by_document, by_folder)
    return found


def _folder(pool: NodePool) -> str:
    return os.path.dirname(os.path.abspath(pool.file))


def _starts_with_nodes(pool: NodePool) -> bool:
    """Does an eksctl nodegroup have nodes once created (desiredCapacity, else minSize, else eksctl's 2)?
    True when that is unknown."""
    for size in (pool.desired, pool.min_size):
        if size is not None:
            return not isinstance(size, int) or isinstance(size, bool) or size > 0
    return True


def conventional_resource(infos: list[catalog.InstanceType]) -> Optional[str]:
    resources = {a.resource for it in infos for a in it.accelerators or () if a.resource}
    return resources.pop() if len(resources) == 1 else None
