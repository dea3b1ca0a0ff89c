"""The Kubernetes domain of the model: its public API.

``shapes`` (the pydantic shapes of pod specs, HPAs and ScaledObjects),
``objects`` (workloads, pod templates, containers, autoscalers), ``recognise``
(manifests of every workload kind into those objects), ``kustomize`` (which
files are patches), and what rules share about them: ``pods`` (merged specs,
GPU containers, quantities), ``scheduling`` (tolerations against taints) and
``autoscalers`` (the GPU workload an HPA or ScaledObject scales), ``kserve`` (the
HPA KServe creates for an InferenceService component, from its ``minReplicas``,
``maxReplicas``, ``scaleMetric`` and ``autoScaling`` fields). Importing the
package registers its recognisers; it is always loaded.
"""

from __future__ import annotations

from gpulint.model.kubernetes.autoscalers import fixed_size, gpu_scale_target
from gpulint.model.kubernetes.kustomize import Kustomization, is_patch_file
from gpulint.model.kubernetes.objects import (
    ContainerRef,
    HorizontalPodAutoscaler,
    K8sObject,
    PodTemplate,
    ScaledObject,
    ScaleTarget,
    Workload,
)
from gpulint.model.kubernetes.pods import (
    gpu_containers,
    is_patch,
    merged,
    patched,
    quantity_text,
    role_prefix,
    unknown_quantity,
)
from gpulint.model.kubernetes.recognise import IGNORE_ANNOTATION, ignored_rules
from gpulint.model.kubernetes.scheduling import (
    ANY_VALUE,
    blocking_taint,
    implicit_tolerations,
    taint_value,
    template_requests,
    tolerates,
)
from gpulint.model.kubernetes.shapes import Container, KServeComponentScaling, PodSpec, Probe, Toleration

__all__ = [
    "ANY_VALUE", "IGNORE_ANNOTATION", "Container", "ContainerRef", "HorizontalPodAutoscaler", "K8sObject",
    "KServeComponentScaling",
    "Kustomization", "PodSpec", "PodTemplate", "Probe", "ScaleTarget", "ScaledObject", "Toleration", "Workload",
    "blocking_taint", "fixed_size", "gpu_containers", "gpu_scale_target", "ignored_rules", "implicit_tolerations",
    "is_patch", "is_patch_file", "merged", "patched", "quantity_text", "role_prefix", "taint_value",
    "template_requests", "tolerates", "unknown_quantity",
]
