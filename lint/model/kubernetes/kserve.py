"""KServe InferenceService autoscaling: which metric the autoscaler KServe creates for a
component scales on, when the file says so for certain.

KServe reads ``minReplicas``, ``maxReplicas``, ``scaleMetric``, ``scaleTarget`` and
``autoScaling.metrics`` on each component (``ComponentExtensionSpec``). What it makes of
them depends on the deployment mode (annotation ``serving.kserve.io/deploymentMode``):

* raw (``RawDeployment``, or ``Standard`` from v0.16): an HPA, unless
  ``serving.kserve.io/autoscalerClass`` is ``external``, ``keda`` or ``none``. Its metrics
  are the ``Resource`` entries of ``autoScaling.metrics`` when that block is set, else
  ``scaleMetric`` (default ``cpu``, 80 % utilisation); its bounds are
  ``max(minReplicas, 1)`` and ``maxReplicas`` (raised to the minimum when lower), so a
  component without ``maxReplicas`` never scales.
* serverless (``Serverless``, or ``Knative`` from v0.16): a Knative Service whose
  autoscaler class is KPA (concurrency) unless ``autoscaling.knative.dev/class`` says
  ``hpa.autoscaling.knative.dev``; ``scaleMetric`` becomes ``autoscaling.knative.dev/metric``.

Without the mode annotation the mode is the cluster's ConfigMap default (``Serverless`` in
the shipped ConfigMap, ``Standard`` in the code), which no file here shows: nothing is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.model.core import Unknown, is_placeholder
from gpulint.model.kubernetes.objects import PodTemplate, Workload

DEPLOYMENT_MODE = "serving.kserve.io/deploymentMode"
AUTOSCALER_CLASS = "serving.kserve.io/autoscalerClass"
KNATIVE_CLASS = "autoscaling.knative.dev/class"
KNATIVE_METRIC = "autoscaling.knative.dev/metric"
KNATIVE_HPA = "hpa.autoscaling.knative.dev"
RAW_MODES = ("RawDeployment", "Standard")
SERVERLESS_MODES = ("Serverless", "Knative")
RESOURCE_METRICS = ("cpu", "memory")


@dataclass
class ResourceScaling:
    """A KServe component scaled by an HPA on CPU or memory alone."""

    #: "raw" or "serverless"
    mode: str
    #: what it scales on (``cpu``, ``cpu and memory``)
    metric: str
    #: where that comes from, as a message says it (``scaleMetric: cpu``)
    source: str
    #: where that is decided in the document
    path: Path


def is_inference_service(obj: Workload) -> bool:
    return obj.group == "serving.kserve.io" and obj.kind == "InferenceService"


def resource_scaling(obj: Workload, template: PodTemplate) -> Optional[ResourceScaling]:
    """How the component ``template`` of the InferenceService ``obj`` scales, when that is an HPA
    on ``cpu``/``memory`` only and the replica bounds leave room to scale; None otherwise or when
    anything it depends on is unknown."""
    scaling = template.scaling
    if scaling is None or not is_inference_service(obj) or "." in template.role:
        return None
    if any(t.role == f"{template.role}.workerSpec" for t in obj.templates):
        return None  # multi-node: KServe allows only the 'none' autoscaler
    mode = obj.annotations.get(DEPLOYMENT_MODE)
    if mode in RAW_MODES:
        return _raw(obj, template)
    if mode in SERVERLESS_MODES:
        return _serverless(obj, template)
    return None


def _annotation(obj: Workload, template: PodTemplate, key: str) -> Any:
    """A component annotation, else the InferenceService's."""
    value = template.annotations.get(key)
    return obj.annotations.get(key) if value is None else value


def _count(value: Any, default: int) -> Optional[int]:
    if value is None:
        return default
    if isinstance(value, Unknown) or not isinstance(value, int) or isinstance(value, bool):
        return None
    return value


def _raw(obj: Workload, template: PodTemplate) -> Optional[ResourceScaling]:
    scaling = template.scaling
    assert scaling is not None
    autoscaler = _annotation(obj, template, AUTOSCALER_CLASS)
    if autoscaler not in (None, "hpa"):
        return None  # external, keda, none, or unknown: no HPA of KServe's
    low = _count(scaling.minReplicas, 1)
    high = _count(scaling.maxReplicas, 0)
    if low is None or high is None:
        return None
    low = max(low, 1)
    if max(high, low) <= low:
        return None  # the HPA's bounds are equal: it never scales
    base = template.path
    if scaling.autoScaling is not None:
        metrics = scaling.autoScaling.metrics or []
        names = []
        for m in metrics:
            name = m.resource.name if m.resource is not None else None
            if m.type != "Resource" or name not in RESOURCE_METRICS:
                return None
            names.append(name)
        if not names:
            return None
        metric = " and ".join(sorted(set(names)))
        return ResourceScaling("raw", metric, "autoScaling.metrics", base + ("autoScaling", "metrics"))
    metric = scaling.scaleMetric
    if metric is None:
        return ResourceScaling("raw", "cpu", "KServe's default without scaleMetric", base + ("maxReplicas",))
    if metric not in RESOURCE_METRICS:
        return None
    return ResourceScaling("raw", metric, f"scaleMetric: {metric}", base + ("scaleMetric",))


def _serverless(obj: Workload, template: PodTemplate) -> Optional[ResourceScaling]:
    scaling = template.scaling
    assert scaling is not None
    if _annotation(obj, template, KNATIVE_CLASS) != KNATIVE_HPA:
        return None  # Knative's own autoscaler (KPA): concurrency or rps
    low = _count(scaling.minReplicas, 1)
    high = _count(scaling.maxReplicas, 0)
    if low is None or high is None or (high != 0 and high <= low):
        return None  # unknown, or pinned at one size (maxReplicas 0 leaves Knative unbounded)
    base = template.path
    metric = scaling.scaleMetric
    if metric is not None:
        path = base + ("scaleMetric",)
        source = f"scaleMetric: {metric}"
    else:
        metric = _annotation(obj, template, KNATIVE_METRIC)
        where = template.annotations if KNATIVE_METRIC in template.annotations else obj.annotations
        path = (base + ("annotations", KNATIVE_METRIC) if where is template.annotations
                else obj.at("metadata", "annotations", KNATIVE_METRIC))
        source = f"{KNATIVE_METRIC}: {metric}"
    if is_placeholder(metric) or metric not in RESOURCE_METRICS:
        return None  # written nowhere (Knative's default is not relied on), or not a resource metric
    return ResourceScaling("serverless", str(metric), source, path)
