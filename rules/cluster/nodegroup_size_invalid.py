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

    EKS managed node groups written as ``AWS::EKS::Nodegroup`` resources are
    checked the same way on ``ScalingConfig`` (``MinSize``, ``MaxSize``,
    ``DesiredSize``), and a ``MaxSize`` of 0, below the EKS API's floor of 1,
    is reported too.

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
        if obj.provider not in ("eksctl", "eks"):
            return
        names, tool = _NAMES[obj.provider], "eksctl" if obj.provider == "eksctl" else "EKS"
        path = {field: obj.at(*where) for field, where in _PATHS[obj.provider].items()}
        sizes = {"min": obj.min_size, "max": obj.max_size, "desired": obj.desired}
        bad = False
        for field, value in sizes.items():
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                bad = True
                yield Finding(path[field], f"{obj.display()} has {names[field]} {value}; sizes cannot be negative")
        if bad:
            return
        lo, hi, want = (v if isinstance(v, int) and not isinstance(v, (bool, Unknown)) else None
                        for v in sizes.values())
        if obj.provider == "eks" and hi == 0:
            yield Finding(path["max"], f"{obj.display()} has {names['max']} 0; EKS requires at least 1 (set the "
                                       f"minimum and desired size to 0 to have no nodes)")
            return
        if lo is not None and hi is not None and lo > hi:
            yield Finding(path["min"], f"{obj.display()} has {names['min']} {lo} greater than {names['max']} {hi}; "
                                       f"{tool} rejects it: make {names['min']} <= {names['max']}",
                          also=[path["max"]])
            return
        within = f"keep {names['desired']} within [{names['min']}, {names['max']}]"
        if want is not None and lo is not None and want < lo:
            yield Finding(path["desired"], f"{obj.display()} has {names['desired']} {want} below {names['min']} "
                                           f"{lo}; {tool} rejects it: {within}", also=[path["min"]])
        elif want is not None and hi is not None and want > hi:
            yield Finding(path["desired"], f"{obj.display()} has {names['desired']} {want} above {names['max']} "
                                           f"{hi}; {tool} rejects it: {within}", also=[path["max"]])


#: how each kind of node group names its sizes, and where they are
_NAMES = {
    "eksctl": {"min": "minSize", "max": "maxSize", "desired": "desiredCapacity"},
    "eks": {"min": "MinSize", "max": "MaxSize", "desired": "DesiredSize"},
}
_PATHS = {
    "eksctl": {"min": ("minSize",), "max": ("maxSize",), "desired": ("desiredCapacity",)},
    "eks": {"min": ("ScalingConfig", "MinSize"), "max": ("ScalingConfig", "MaxSize"),
            "desired": ("ScalingConfig", "DesiredSize")},
}
