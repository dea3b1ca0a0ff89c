"""The rule gpu-toleration-missing (GPU104): a GPU workload cannot tolerate the taints of the GPU
nodes it needs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Iterator, Optional

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.kubernetes import (
    ANY_VALUE,
    PodTemplate,
    Workload,
    blocking_taint,
    implicit_tolerations,
    merged,
    role_prefix,
    taint_value,
    tolerates,
)

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.cluster import NodePool, Taint


#: the taint key conventionally put on nodes that carry each accelerator resource
CONVENTIONAL_TAINT = {
    "nvidia.com/gpu": "nvidia.com/gpu",
    "amd.com/gpu": "amd.com/gpu",
    "aws.amazon.com/neuron": "aws.amazon.com/neuron",
    "habana.ai/gaudi": "habana.ai/gaudi",
}


@register
class GpuTolerationMissing(Rule):
    """## What it does
    Flags a GPU workload that cannot tolerate the taints of the nodes it needs.

    GPU nodes are usually tainted so that CPU pods stay off them; a GPU pod must
    then tolerate the taint or it stays ``Pending`` forever. On EKS (since 1.19)
    the ``ExtendedResourceToleration`` admission plugin adds
    ``{key: <resource>, operator: Exists, effect: NoSchedule}`` to every pod that
    requests that extended resource, so a GPU pod needs no explicit toleration
    for a taint keyed ``nvidia.com/gpu`` with effect ``NoSchedule``. gpulint models
    that through the ``extended-resource-toleration`` setting (default ``true``).

    Without cluster configuration in the linted set, the rule checks the
    conventional taint (key = the resource name, effect ``NoSchedule``), so by
    default it stays silent; set ``extended-resource-toleration: false`` for
    clusters that do not run the plugin. With eksctl or Karpenter node pools in
    the linted set, the rule checks the real taints of the pools the workload can
    land on (``dedicated=gpu:NoSchedule``, ``nvidia.com/gpu:NoExecute`` are not
    covered by the plugin), among the pools it is joined with: those of its own
    folder and the folders above it, or those ``context:`` maps it to (see
    ``node-selector-unmatched``).

    Without cluster context the taint's value is unknown, so any toleration for
    the key (``Exists``, or ``Equal`` with whatever value) counts, as does an
    ``Exists`` toleration with an empty key. Fragments (a container without an
    image: a kustomize patch) and KServe LLMInferenceServices, whose pod specs are
    merged over templates gpulint cannot see, are left alone.

    ## Why is this bad?
    A pod that tolerates no pool it can run on never schedules: the rollout
    hangs, or a training job waits while the GPU nodes sit idle.

    ## Example
    ```yaml
    # .gpulint.yaml: extended-resource-toleration: false
    spec:
      containers:
        - name: trainer
          resources:
            limits: {nvidia.com/gpu: 1}
    ```

    ## Use instead
    ```yaml
    spec:
      tolerations:
        - key: nvidia.com/gpu
          operator: Exists
          effect: NoSchedule
      containers:
        - name: trainer
          resources:
            limits: {nvidia.com/gpu: 1}
    ```

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` adds the toleration for the conventional
    (or, with cluster context, the actual) taint; tolerating a taint changes
    where the pod may run, which a reviewer should look at.

    ## References
    - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
    - https://docs.aws.amazon.com/eks/latest/userguide/platform-versions.html
    """

    code = "GPU104"
    name = "gpu-toleration-missing"
    severity = Severity.WARNING
    summary = "A GPU workload cannot tolerate the taints of the GPU nodes it needs"
    domain = "kubernetes"
    targets = (Workload,)
    cross_file = True
    source_url = "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/"
    fix = Applicability.UNSAFE
    fix_summary = "add the toleration for the conventional taint, or the pool's real one with cluster context"

    @classmethod
    def run_notes(cls, project: Any, config: Any, report: dict[str, bool]) -> list[str]:
        if "gpulint.model.cluster" not in sys.modules:  # no cluster config seen: nothing was joined
            return []
        from gpulint.model.cluster import join_note

        return join_note(project, config, report)

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        ert = ctx.config.extended_resource_toleration
        for t in obj.templates:
            accels = t.accelerators()
            if not accels or merged(obj, t, ctx.project):
                continue
            with_cluster = None
            if "gpulint.model.cluster" in sys.modules:  # loaded once a cluster config was seen; else no pools
                with_cluster = cluster_toleration_findings(obj, t, ctx)
            if with_cluster is not None:  # node pools under lint: check their real taints instead
                yield from with_cluster
                continue
            tolerations = t.spec.tolerations or []
            implicit = implicit_tolerations(t, ert)
            for res in sorted(accels):
                key = CONVENTIONAL_TAINT.get(res)
                if key is None or key in implicit:
                    continue
                if not tolerates(tolerations, key, ANY_VALUE, "NoSchedule"):
                    where = t.path + ("tolerations",) if t.spec.tolerations is not None else t.path
                    yield Finding(
                        where,
                        f"pod {role_prefix(t)}requests {res} but does not tolerate the taint {key}:NoSchedule that GPU "
                        f"nodes conventionally carry, and extended-resource-toleration is off; it will stay "
                        f"Pending: add a toleration {{key: {key}, operator: Exists, effect: NoSchedule}}",
                        fix=Fix(
                            [Edit(t.path + ("tolerations", "-"),
                                  {"key": key, "operator": "Exists", "effect": "NoSchedule"}, "add")],
                            Applicability.UNSAFE,
                            f"add a toleration for {key}:NoSchedule",
                        ),
                    )


def cluster_toleration_findings(obj: Workload, t: PodTemplate, ctx: Context) -> Optional[list[Finding]]:
    """``gpu-toleration-missing`` against the real node pools; None when there is no cluster context.

    A GPU pod must tolerate every NoSchedule/NoExecute taint (startupTaints
    excluded) of at least one pool that it can land on by labels and that may
    offer the accelerators it requests. Implicit extended-resource tolerations
    count while ``extended-resource-toleration`` is on.
    """
    from gpulint.model.cluster import landable, max_accelerators, pools_for, subject

    scope = pools_for(ctx.project, obj, ctx.config)
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
    value = taint_value(taint.value)
    fix = (f"{{key: {taint.key}, operator: Equal, value: \"{value}\", effect: {taint.effect}}}" if value
           else f"{{key: {taint.key}, operator: Exists, effect: {taint.effect}}}")
    toleration: dict[str, Any] = {"key": str(taint.key), "operator": "Equal", "value": value,
                                  "effect": str(taint.effect)} if value else {
        "key": str(taint.key), "operator": "Exists", "effect": str(taint.effect)}
    return [Finding(
        where,
        f"{subject(obj, t)} {_outcome(obj)}: its pods request {', '.join(accels)} but tolerate no node pool they can "
        f"land on: {described}{note}; add a toleration {fix}",
        related=sorted({p.file for p, _ in blocked}),
        fix=Fix([Edit(t.path + ("tolerations", "-"), toleration, "add")], Applicability.UNSAFE,
                f"add a toleration for {taint.text()}"),
    )]


def _outcome(obj: Any) -> str:
    """What happens to a workload whose pods fit no node: a DaemonSet simply runs nowhere."""
    if getattr(obj, "kind", None) == "DaemonSet":
        return "runs no pod on its GPU nodes"
    return "may stay Pending"
