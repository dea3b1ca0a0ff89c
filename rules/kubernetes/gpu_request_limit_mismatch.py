"""The rule gpu-request-limit-mismatch (GPU102): accelerator request and limit differ (devices
cannot be overcommitted)."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import is_accelerator, parse_count
from gpulint.model.kubernetes import Workload, gpu_containers, quantity_text, unknown_quantity
from gpulint.rules.kubernetes import K8S_GPU_DOC


@register
class GpuRequestLimitMismatch(Rule):
    """## What it does
    Flags a container whose request and limit for the same accelerator differ.

    ## Why is this bad?
    Devices cannot be overcommitted: Kubernetes requires the request to equal the
    limit and rejects the object otherwise (``must be equal to nvidia.com/gpu
    limit``). Even where a template is not applied directly, the two numbers
    disagree about how many devices the container gets.

    ## Example
    ```yaml
    resources:
      requests: {nvidia.com/gpu: 1}
      limits: {nvidia.com/gpu: 2}
    ```

    ## Use instead
    ```yaml
    resources:
      limits: {nvidia.com/gpu: 2}
    ```

    ## Fix safety
    Safe: ``--fix`` sets the request to the limit, the number the device plugin
    allocates.

    ## References
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
    """

    code = "GPU102"
    name = "gpu-request-limit-mismatch"
    severity = Severity.ERROR
    summary = "Accelerator request and limit differ (devices cannot be overcommitted)"
    domain = "kubernetes"
    targets = (Workload,)
    source_url = K8S_GPU_DOC
    fix = Applicability.SAFE
    fix_summary = "set the request to the limit"

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        for _, c in gpu_containers(obj):
            limits = c.resources("limits")
            for res, req in c.resources("requests").items():
                if not is_accelerator(res) or res not in limits:
                    continue
                lim = limits[res]
                if unknown_quantity(req) or unknown_quantity(lim):
                    continue
                r, l = parse_count(req), parse_count(lim)
                if r is None or l is None or r == l:
                    continue
                yield Finding(
                    c.path + ("resources", "requests", res),
                    f"{c.label} requests {res}: {quantity_text(req)} but its limit is {quantity_text(lim)}; "
                    f"devices cannot be overcommitted, so the two must be equal (set the request to {quantity_text(lim)})",
                    fix=Fix([Edit(c.path + ("resources", "requests", res), lim)], Applicability.SAFE,
                            f"set requests.{res} to {quantity_text(lim)}"),
                    also=[c.path + ("resources", "limits", res)],
                )
