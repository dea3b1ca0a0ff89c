"""The rule gpu-nodepool-no-limits (NODE207): a Karpenter NodePool that may launch GPU instances
sets no ``spec.limits``, so nothing caps how many it launches."""

from __future__ import annotations

from typing import Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model import catalog
from gpulint.model.cluster import KARPENTER_TYPE_LABELS, NodePool, Requirement
from gpulint.model.cluster.labels import INSTANCE_TYPE_KEYS, TYPE_NEUTRAL_KEYS, all_of, op_holds, type_label
from gpulint.model.core import ModelObject, is_placeholder

#: requirement keys that name instance families outright (with ``In``)
_FAMILY_KEYS = ("karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-category") + INSTANCE_TYPE_KEYS
#: requirement keys about the accelerators themselves
_ACCELERATOR_KEYS = tuple(k for k in KARPENTER_TYPE_LABELS if "-gpu-" in k or "-accelerator-" in k)
#: prefixes of well-known labels that narrow the instance types; those gpulint does not compute
#: (hypervisor, network bandwidth, local NVMe, EKS Auto Mode's ``eks.amazonaws.com/instance-*``)
#: make the set of types unknown
_WELL_KNOWN = ("karpenter.k8s.aws/", "karpenter.sh/", "eks.amazonaws.com/")


@register
class GpuNodepoolNoLimits(Rule):
    """## What it does
    Flags a Karpenter ``NodePool`` (``karpenter.sh/v1`` or ``v1beta1``) whose
    requirements certainly allow accelerator instances (GPU, and also Inferentia
    or Trainium) and that has no ``spec.limits``.

    "Certainly allow" means both:

    - the requirements name accelerator instances on purpose: an ``In`` on
      ``karpenter.k8s.aws/instance-category``, ``instance-family`` or
      ``node.kubernetes.io/instance-type`` whose values include an accelerator
      type (``g``, ``p5``, ``g6e.12xlarge``), or any requirement on
      ``instance-gpu-*`` / ``instance-accelerator-*`` (``instance-gpu-count Gt 0``,
      ``instance-gpu-name In [a100]``) other than ``NotIn`` / ``DoesNotExist``;
    - some accelerator type of the instance catalog meets every requirement.

    A NodePool whose requirements leave accelerator types in only by not
    excluding them (no instance requirement at all, ``instance-cpu Gt 3``,
    ``instance-generation Gt 4``, ``instance-category NotIn [t]``) is not
    reported: Karpenter launches a GPU instance there only for a pod that
    requests GPUs, and nothing in the file says such pods run on it. Nor is a
    NodePool with a requirement on a well-known label gpulint does not evaluate
    (``instance-hypervisor``, ``instance-network-bandwidth``, ``instance-local-nvme``,
    EKS Auto Mode's ``eks.amazonaws.com/instance-*``), a placeholder in a
    requirement, a static NodePool (``spec.replicas``), or one whose ``spec.limits``
    is written at all (any resource, even ``{}`` or a placeholder, counts). Limits
    written elsewhere count too: when a kustomization in the run applies the
    NodePool's file as a patch, or another NodePool of the same name close by
    (its folder meets this one's at most two levels up, as ``base/`` and
    ``overlays/prod/`` do: an overlay, or the patch that adds them) writes
    ``spec.limits``. A NodePool of the same name elsewhere in the run (another
    repository's ``default``) does not count.

    ## Why is this bad?
    ``spec.limits`` is the only cap Karpenter puts on a NodePool: it stops
    provisioning once the pool's nodes add up to the limit. Without it, only the
    account's EC2 quotas bound it: a Deployment scaled to 100 replicas of one GPU
    each, a runaway Job, or a pod stuck in a crash loop on a new node every time
    makes Karpenter launch GPU instance after GPU instance (a ``p5.48xlarge`` is
    priced at $55.04 an hour on demand in us-east-1 in gpulint's price snapshot of
    2026-02-09). gpulint states no worst-case
    count: without limits there is none, and the account's quotas are not in the
    files (``gpulint cost`` lists such a NodePool as unbounded).

    ## Example
    ```yaml
    apiVersion: karpenter.sh/v1
    kind: NodePool
    metadata: {name: gpu}
    spec:
      template:
        spec:
          requirements:
            - key: karpenter.k8s.aws/instance-family
              operator: In
              values: [g6e]
    ```

    ## Use instead
    ```yaml
    spec:
      limits:
        nvidia.com/gpu: 16     # the most GPUs this pool may hold at once
    ```

    ``cpu``, ``memory`` or ``nodes`` limits work too; Karpenter checks limits
    eventually, so a burst of pods can overshoot them by a few nodes.

    The message names the accelerator types the requirements allow and the most
    accelerators one node of them has (from the instance catalog; left out when
    the catalog lacks the count for one of them).

    ## Fix safety
    No automatic fix: the right cap is a budget decision.

    ## References
    - https://karpenter.sh/docs/concepts/nodepools/#speclimits
    - https://karpenter.sh/docs/reference/instance-types/ (the well-known labels)
    - gpulint domain facts, section 3 (Karpenter NodePool: ``spec.limits``; "no limits
      means only cloud quotas apply"; the GPU ceiling is unbounded without a limit)
    """

    code = "NODE207"
    name = "gpu-nodepool-no-limits"
    severity = Severity.WARNING
    summary = "A Karpenter NodePool that can launch GPU instances has no spec.limits"
    domain = "cluster"
    targets = (NodePool,)
    cross_file = True  # limits written by an overlay or patch of the same NodePool
    source_url = "https://karpenter.sh/docs/concepts/nodepools/#speclimits"

    @classmethod
    def reads_other_files(cls, obj: ModelObject, project: object) -> bool:
        """Only a Karpenter NodePool without limits of its own depends on the other files of the run."""
        return (isinstance(obj, NodePool) and obj.provider == "karpenter" and not obj.limits_written
                and obj.replicas is None)

    def check(self, obj: NodePool, ctx: Context) -> Iterator[Finding]:
        if obj.provider != "karpenter" or obj.limits_written or obj.replicas is not None:
            return
        if _limited_elsewhere(obj, ctx):
            return
        found = accelerator_types(obj)
        if found is None:
            return
        requirement, types = found
        known = all(_info(t).accelerators is not None for t in types)
        gpus = max((_devices(_info(t)) for t in types), default=0) if known else 0
        resources = {a.resource for t in types for a in (_info(t).accelerators or ()) if a.resource}
        resource = resources.pop() if len(resources) == 1 else "nvidia.com/gpu"
        listed = ", ".join(types[:3]) + (f" ... ({len(types)} types)" if len(types) > 3 else "")
        neuron = any(_info(t).family.startswith(("inf", "trn")) for t in types)
        what = "accelerator" if neuron else "GPU"
        per_node = f", up to {gpus} {what}s per node" if gpus else ""
        yield Finding(
            requirement.path + ("values",) if requirement.values else requirement.path,
            f"{obj.display()} may launch {what} instances ({listed}{per_node}) and sets no spec.limits: "
            f"Karpenter puts no cap on how many it launches (only the account's EC2 quotas do); add "
            f"spec.limits, e.g. {resource}: <the most it may hold at once>",
        )


def _limited_elsewhere(pool: NodePool, ctx: Context) -> bool:
    """The pool's file is a kustomize patch, or another NodePool of the same name nearby (its folder
    meets this one's within two levels) writes ``spec.limits`` (an overlay, or the patch that adds them): its limits are set outside this document."""
    from gpulint.model.kubernetes import Kustomization, is_patch_file

    if is_patch_file(pool, ctx.project.of_type(Kustomization)):
        return True
    return any(other is not pool and other.provider == "karpenter" and other.name == pool.name
               and other.limits_written and _near(pool.file, other.file) for other in ctx.project.of_type(NodePool))


#: how far above a NodePool's folder an overlay of it may sit (``base/`` beside ``overlays/prod/``)
_OVERLAY_LEVELS = 2


def _near(a: str, b: str) -> bool:
    """Could ``b`` be an overlay of ``a`` (or ``a`` of ``b``): do their folders meet within
    ``_OVERLAY_LEVELS`` levels above ``a``'s? Another repository's NodePool of the same name
    (``default`` is common) never silences this one."""
    import os

    folder_a = os.path.dirname(os.path.abspath(a))
    folder_b = os.path.dirname(os.path.abspath(b))
    common = os.path.commonpath([folder_a, folder_b])
    return os.path.relpath(folder_a, common).count(os.sep) + (folder_a != common) <= _OVERLAY_LEVELS


def accelerator_types(pool: NodePool) -> Optional[tuple[Requirement, list[str]]]:
    """(the requirement that names accelerator instances, the accelerator types that meet every
    requirement) when the pool certainly allows some; None otherwise or when that is unknown."""
    reqs = pool.requirements
    for r in reqs:
        if any(is_placeholder(v) for v in r.values) or is_placeholder(r.operator):
            return None
        if r.key.startswith(_WELL_KNOWN) and r.key not in KARPENTER_TYPE_LABELS and r.key not in TYPE_NEUTRAL_KEYS:
            return None  # narrows the types in a way gpulint does not evaluate
    if pool.possible_types is None:
        return None
    narrowing = [r for r in reqs if r.key in KARPENTER_TYPE_LABELS or r.key in INSTANCE_TYPE_KEYS]
    types = [t for t in pool.possible_types if _accelerated(t) and _meets_all(t, narrowing)]
    if not types:
        return None
    for r in narrowing:
        if _names_accelerators(r, types):
            return r, types
    return None


def _accelerated(name: str) -> bool:
    it = catalog.get(name)
    return it is not None and it.accelerated is True


def _meets_all(name: str, reqs: list[Requirement]) -> bool:
    results = [op_holds(r.operator, r.values, name if r.key in INSTANCE_TYPE_KEYS else type_label(name, r.key))
               for r in reqs]
    return all_of(results) is True


def _names_accelerators(r: Requirement, types: list[str]) -> bool:
    """Does ``r`` select accelerator instances on purpose (rather than merely not excluding them)?"""
    if r.key in _ACCELERATOR_KEYS:
        return r.operator not in ("NotIn", "DoesNotExist")
    if r.key in _FAMILY_KEYS and r.operator == "In":
        values = {str(v) for v in r.values}
        return any((t if r.key in INSTANCE_TYPE_KEYS else type_label(t, r.key)) in values for t in types)
    return False


def _info(name: str) -> catalog.InstanceType:
    it = catalog.get(name)
    assert it is not None  # accelerator_types keeps only catalog types
    return it


def _devices(it: Optional[catalog.InstanceType]) -> int:
    if it is None or not it.accelerators:
        return 0
    return sum(a.count or 0 for a in it.accelerators)
