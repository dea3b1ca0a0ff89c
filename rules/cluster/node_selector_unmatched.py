"""The rule node-selector-unmatched (NODE205): a workload's nodeSelector or required node affinity
matches no node pool under lint."""

from __future__ import annotations

from typing import Any, Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.cluster import (
    Scope,
    close_key,
    has_selector,
    join_note,
    landable,
    pool_matches,
    pools_for,
    pools_text,
    subject,
)
from gpulint.model.kubernetes import PodTemplate, Workload


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

    A workload is judged only against pools it is certainly or declaratively
    joined with: those of the cluster files in its own folder and directly in
    the folders above it, or those that ``context:`` in the config maps it to
    (``gpulint --show-context FILE`` shows each workload's join). When the
    pools found by folder belong to more than one cluster, the rule stays
    silent and a note says how to declare the join. Without cluster configs in
    the linted set the rule is silent, and so it is for clusters that get nodes
    gpulint does not model (EKS Auto Mode, Fargate), for pods that select
    SageMaker HyperPod nodes (``ml.`` instance types), and for DaemonSets: a
    DaemonSet for hardware the cluster lacks (a Neuron device plugin on a
    GPU-only cluster) creates no pods, so none stays Pending. Labels that node
    agents add at run time (``nvidia.com/gpu.product``,
    ``feature.node.kubernetes.io/...``, zones) and custom labels that no pool
    defines are taken to match, unless the key is a near-miss of a label the
    pools do define; so are custom labels on nodegroups that may register labels
    outside ``labels`` (bootstrap commands, a launch template's user data,
    Bottlerocket settings), and instance types not filled in yet
    (``PLACEHOLDER_INSTANCE_TYPE``, ``<instance-type>``, ``${INSTANCE_TYPE}``).

    Use ``context:`` in the config to load the cluster configs when only the
    changed workload files are linted (pre-commit), or to say which cluster
    files the workloads of a folder run on.

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
    domain = "cluster"
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
            scope = scope or pools_for(ctx.project, obj, ctx.config)
            if scope is None:
                return
            if landable(scope, t):
                continue
            yield self._finding(obj, t, scope)

    @classmethod
    def run_notes(cls, project: Any, config: Any, report: dict[str, bool]) -> list[str]:
        return join_note(project, config, report)

    def _finding(self, obj: Workload, t: PodTemplate, scope: Scope) -> Finding:
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
                    f"{subject(obj, t)} may stay Pending: it selects {k}={v}, and none of the node pools it is joined "
                    f"with carries that label{hint}. Pools: {pools_text(pools)}",
                    related=sorted({p.file for p in pools}),
                )
        where = t.path + (("affinity",) if t.required_terms() and not t.node_selector else ("nodeSelector",))
        return Finding(
            where,
            f"{subject(obj, t)} may stay Pending: its {_selector_text(t)} matches none of the node pools it is "
            f"joined with. Pools: {pools_text(pools)}",
            related=sorted({p.file for p in pools}),
        )


def _selector_text(t: PodTemplate) -> str:
    parts = []
    if t.node_selector:
        parts.append("nodeSelector " + ", ".join(f"{k}={v}" for k, v in t.node_selector.items()))
    if t.required_terms():
        parts.append("required node affinity")
    return " with ".join(parts)
