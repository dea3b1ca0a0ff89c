"""The rule nodegroup-size-invalid (NODE203): nodegroup minSize/maxSize/desiredCapacity conflict or
are negative."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.cluster import NodePool
from gpulint.model.core import Unknown


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
    domain = "cluster"
    targets = (NodePool,)
    source_url = "https://eksctl.io/usage/schema/"

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
                                             f"eksctl rejects it: make minSize <= maxSize",
                          also=[obj.at("maxSize")])
            return
        if want is not None and lo is not None and want < lo:
            yield Finding(obj.at("desiredCapacity"), f"{obj.display()} has desiredCapacity {want} below minSize "
                                                     f"{lo}; eksctl rejects it: keep desiredCapacity within "
                                                     f"[minSize, maxSize]", also=[obj.at("minSize")])
        elif want is not None and hi is not None and want > hi:
            yield Finding(obj.at("desiredCapacity"), f"{obj.display()} has desiredCapacity {want} above maxSize "
                                                     f"{hi}; eksctl rejects it: keep desiredCapacity within "
                                                     f"[minSize, maxSize]", also=[obj.at("maxSize")])
