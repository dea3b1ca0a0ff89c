"""The rule spot-gpu-single-instance-type (NODE202): a spot GPU node pool allows only one instance
type."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model import catalog
from gpulint.model.cluster import NodePool, never_launches


@register
class SpotGpuSingleInstanceType(Rule):
    """## What it does
    Flags a node pool that runs GPU (or Neuron) instances on spot capacity and
    allows exactly one instance type: an eksctl managed nodegroup with
    ``spot: true`` (or an ``AWS::EKS::Nodegroup`` with ``CapacityType: SPOT``), a self-managed nodegroup whose ``instancesDistribution`` buys
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
    domain = "cluster"
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
