"""The rule gpu-hpa-cpu-metric (GPU106): an HPA scales a GPU workload only on CPU or memory."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import is_placeholder
from gpulint.model.kubernetes import HorizontalPodAutoscaler, fixed_size, gpu_scale_target

_CPU_MEMORY = {"cpu", "memory"}


@register
class GpuHpaCpuMetric(Rule):
    """## What it does
    Flags a HorizontalPodAutoscaler whose target is a GPU workload in the linted
    set and that scales only on CPU or memory, or on nothing (which means 80 %
    average CPU).

    The target is found by kind, name and namespace among the linted files (one
    in the HPA's own file or folder first; whole objects before kustomize
    patches). A target outside the linted set, an ambiguous one, or an HPA
    pinned at one size (``minReplicas == maxReplicas``) is left alone.

    ## Why is this bad?
    A GPU inference server is bound by the GPU: its CPU stays low while requests
    queue up, so the HPA never scales out under load (or scales on noise). Scale
    on what saturates: GPU utilisation from the DCGM exporter, queue depth, or
    requests in flight, through a ``Pods`` or ``External`` metric.

    ## Example
    ```yaml
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llm-server}
      metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    ```

    ## Use instead
    ```yaml
    spec:
      metrics:
        - type: Pods
          pods:
            metric: {name: DCGM_FI_DEV_GPU_UTIL}
            target: {type: AverageValue, averageValue: "80"}
    ```

    ## Fix safety
    No automatic fix: the right metric depends on your metrics pipeline.

    ## References
    - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
    """

    code = "GPU106"
    name = "gpu-hpa-cpu-metric"
    severity = Severity.WARNING
    summary = "An HPA scales a GPU workload only on CPU or memory"
    domain = "kubernetes"
    targets = (HorizontalPodAutoscaler,)
    cross_file = True
    source_url = "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/"

    def check(self, obj: HorizontalPodAutoscaler, ctx: Context) -> Iterator[Finding]:
        spec = obj.spec
        target = gpu_scale_target(obj, spec.scaleTargetRef, ctx.project)
        if target is None:
            return
        metrics = spec.metrics or []
        names: set[str] = set()
        for m in metrics:
            mtype = m.type
            if is_placeholder(mtype):
                return
            if mtype == "Resource" and m.resource is not None and isinstance(m.resource.name, str):
                names.add(m.resource.name)
            elif mtype == "ContainerResource" and m.containerResource is not None and isinstance(
                m.containerResource.name, str
            ):
                names.add(m.containerResource.name)
            else:
                return  # Pods, Object, External or unknown: not CPU-only
        if metrics:
            what = " and ".join(sorted(names))
            path = obj.at("spec", "metrics")
        elif spec.targetCPUUtilizationPercentage is not None:
            what = "cpu"
            path = obj.at("spec", "targetCPUUtilizationPercentage")
        else:
            what = "cpu (the default when no metric is set)"
            path = obj.at("spec", "scaleTargetRef")
        if names - _CPU_MEMORY:
            return
        if fixed_size(spec.minReplicas if spec.minReplicas is not None else 1, spec.maxReplicas):
            return  # min == max: the HPA never changes the replica count, whatever it measures
        yield Finding(
            path,
            f"HPA scales GPU {target.display()} on {what} only; a GPU server saturates its GPU long before its "
            f"CPU, so it will not scale out under load: scale on a GPU, queue or request metric "
            f"(type Pods or External)",
            related=[target.file],
        )
