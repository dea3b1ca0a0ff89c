"""The rule gpu-limit-missing (GPU101): an accelerator is requested without a limit (the API server
rejects it)."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import is_accelerator, parse_count
from gpulint.model.kubernetes import Workload, gpu_containers, is_patch, merged, quantity_text, unknown_quantity
from gpulint.rules.kubernetes import K8S_GPU_DOC


@register
class GpuLimitMissing(Rule):
    """## What it does
    Flags a container that requests an accelerator (``nvidia.com/gpu``,
    ``aws.amazon.com/neuron``, ``amd.com/gpu``, ...) in ``resources.requests``
    without a limit for it. Limits alone are fine: Kubernetes copies them into
    the requests. A pod spec merged over a base gpulint cannot see (a kustomize
    patch whose container has no image, a KServe ``predictor.model`` over its
    ServingRuntime, an LLMInferenceService over its config templates) may get
    the limit from that base, so it is not reported.

    ## Why is this bad?
    Accelerators are extended resources, which cannot be overcommitted. The API
    server rejects the object with ``Limit must be set for non overcommitable
    resources``, so the Deployment never rolls out.

    ## Example
    ```yaml
    resources:
      requests:
        nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 1
    ```

    ## Fix safety
    Safe: ``--fix`` adds a limit equal to the request (creating ``limits:`` in
    the style of ``requests:``), which is what the API server demands.

    ## References
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
    """

    code = "GPU101"
    name = "gpu-limit-missing"
    severity = Severity.ERROR
    summary = "An accelerator is requested without a limit (the API server rejects it)"
    domain = "kubernetes"
    targets = (Workload,)
    source_url = K8S_GPU_DOC
    fix = Applicability.SAFE
    fix_summary = "add a limit equal to the request (`limits:` created in the style of `requests:`)"

    reads_other_files = classmethod(lambda cls, obj, project: is_patch(obj, project))

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        for t, c in gpu_containers(obj):
            if merged(obj, t, ctx.project):
                continue  # a patch or merged template: the limit may come from the base
            limits = c.resources("limits")
            for res, value in c.resources("requests").items():
                if is_accelerator(res) and res not in limits:
                    valid = parse_count(value) is not None or unknown_quantity(value)
                    advice = f"add limits.{res}: {quantity_text(value)}" if valid else f"add a whole-number limit for {res}"
                    fix = Fix(
                        [Edit(c.path + ("resources", "limits", res), value, "add",
                              style_of=c.path + ("resources", "requests"))],
                        Applicability.SAFE,
                        f"add limits.{res}: {quantity_text(value)}",
                    ) if valid else None
                    yield Finding(
                        c.path + ("resources", "requests", res),
                        f"{c.label} requests {res}: {quantity_text(value)} but sets no limit for it; "
                        f"the API server rejects requests without limits for devices: {advice}",
                        fix=fix,
                    )
