"""The rule gpu-hpa-cpu-metric (GPU106): an HPA scales a GPU workload only on CPU or memory (also the
HPA KServe creates for a GPU InferenceService component)."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import is_placeholder
from gpulint.model.core import ModelObject
from gpulint.model.kubernetes import HorizontalPodAutoscaler, Workload, fixed_size, gpu_scale_target
from gpulint.model.kubernetes.kserve import is_inference_service, resource_scaling

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

    It also flags a KServe ``InferenceService`` component (the predictor, usually)
    that requests GPUs and that KServe scales with an HPA on CPU or memory alone:

    - raw deployment mode (annotation ``serving.kserve.io/deploymentMode:
      RawDeployment`` or ``Standard``), with no ``serving.kserve.io/autoscalerClass``
      or ``hpa``: ``scaleMetric: cpu`` or ``memory``, ``autoScaling.metrics`` of
      ``Resource`` cpu/memory entries only, or neither (KServe's HPA then scales on
      80 % CPU, its default), when ``maxReplicas`` is above ``max(minReplicas, 1)``
      (otherwise KServe's HPA has equal bounds and never scales);
    - serverless mode (``Serverless`` or ``Knative``) with the Knative HPA class
      (``autoscaling.knative.dev/class: hpa.autoscaling.knative.dev``) and
      ``scaleMetric`` (or ``autoscaling.knative.dev/metric``) ``cpu`` or ``memory``,
      unless ``maxReplicas`` pins it at ``minReplicas``.

    Without the deployment-mode annotation the mode is the cluster's ConfigMap
    default, which no file shows, so nothing is reported. In serverless mode
    without the HPA class, KServe asks Knative's own autoscaler (KPA), which scales
    on concurrency; and a metric left to Knative's default is not reported.
    Multi-node components (``workerSpec``) allow no autoscaler and are left alone,
    and so is ``scaleMetric: concurrency`` or ``rps`` in raw mode (current KServe
    then gives its HPA no metric at all, which Kubernetes reads as 80 % CPU; that
    depends on the KServe version, so gpulint says nothing).

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

    For KServe, scale on requests in flight: serverless mode with Knative's
    default autoscaler (``scaleMetric: concurrency``), or ``autoScaling.metrics``
    of type ``External`` or ``PodMetric`` with ``serving.kserve.io/autoscalerClass:
    keda``.

    ## References
    - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
    - https://github.com/kserve/kserve/blob/master/pkg/apis/serving/v1beta1/component.go
      (``ComponentExtensionSpec``: ``minReplicas``, ``maxReplicas``, ``scaleMetric``,
      ``scaleTarget``, ``autoScaling``)
    - https://github.com/kserve/kserve/blob/master/pkg/controller/v1beta1/inferenceservice/reconcilers/hpa/hpa_reconciler.go
      (raw mode: default metric cpu at 80 %, bounds ``max(minReplicas, 1)`` to
      ``maxReplicas``)
    - https://github.com/kserve/kserve/blob/master/pkg/controller/v1beta1/inferenceservice/reconcilers/knative/ksvc_reconciler.go
      (serverless mode: class KPA unless annotated, ``scaleMetric`` as the Knative metric)
    - gpulint domain facts, section 5.3 (KServe InferenceService autoscaling)
    """

    code = "GPU106"
    name = "gpu-hpa-cpu-metric"
    severity = Severity.WARNING
    summary = "An HPA scales a GPU workload only on CPU or memory"
    domain = "kubernetes"
    targets = (HorizontalPodAutoscaler, Workload)
    cross_file = True
    source_url = "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/"

    @classmethod
    def reads_other_files(cls, obj: ModelObject, project: object) -> bool:
        return not isinstance(obj, Workload)  # an InferenceService says how it scales by itself

    def check(self, obj: HorizontalPodAutoscaler | Workload, ctx: Context) -> Iterator[Finding]:
        if isinstance(obj, Workload):
            yield from _kserve(obj)
            return
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


def _kserve(obj: Workload) -> Iterator[Finding]:
    """The GPU components of a KServe InferenceService scaled by an HPA on CPU or memory."""
    if not is_inference_service(obj):
        return
    for t in obj.templates:
        if not t.is_gpu:
            continue
        found = resource_scaling(obj, t)
        if found is None:
            continue
        how = "raw deployment mode" if found.mode == "raw" else "Knative's HPA class"
        yield Finding(
            found.path,
            f"{obj.display()}: the {t.role} requests GPUs, but KServe scales it with an HPA on {found.metric} only "
            f"({found.source}, {how}); a GPU server saturates its GPU long before its CPU, so it will not scale out under load: "
            f"scale on requests in flight (Knative concurrency) or a GPU or queue metric (autoScaling.metrics "
            f"of type External or PodMetric with KEDA)",
        )
