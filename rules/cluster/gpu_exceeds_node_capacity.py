"""The rule gpu-exceeds-node-capacity (NODE206): a pod asks for more accelerators than any node it
can land on has."""

from __future__ import annotations

from typing import Any, Iterator

from pydantic import Field

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.cluster import NodePool, join_note, landable, max_accelerators, pools_for, pools_text, subject
from gpulint.model.kubernetes import PodTemplate, Workload


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

    A workload is judged only against pools it is certainly or declaratively
    joined with (see ``node-selector-unmatched``: its own folder and the folders
    above it, or ``context:`` in the config). Silent without cluster configs in
    the linted set, when those pools belong to more than one cluster, and when
    the instance types of a matching pool, or their accelerator counts, are
    unknown. Set
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
    domain = "cluster"
    targets = (Workload,)
    cross_file = True
    Options = CapacityOptions
    source_url = "https://karpenter.sh/docs/reference/instance-types/"

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        if not obj.is_gpu:
            return
        scope = pools_for(ctx.project, obj, ctx.config)
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
                    f"{subject(obj, t)} may stay Pending: each pod requests {want} {res}, but the node pools it can "
                    f"land on ({pools_text(pools)}) offer at most {best} per node ({detail})",
                    related=sorted({p.file for p in pools}),
                )

    @classmethod
    def run_notes(cls, project: Any, config: Any, report: dict[str, bool]) -> list[str]:
        return join_note(project, config, report)


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
