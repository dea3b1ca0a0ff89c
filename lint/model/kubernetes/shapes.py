"""Kubernetes shapes: the parts of pod specs, HPAs and KEDA ScaledObjects that gpulint checks.

pydantic models over the raw document; validating against them is how
``schema-violation`` is found, and ``schemas/kubernetes.schema.json`` is
generated from them.
"""

from __future__ import annotations

from typing import Optional

from gpulint.model.core import IntLike, Scalar, Shape, StringMap


class ResourceRequirements(Shape):
    requests: Optional[StringMap] = None
    limits: Optional[StringMap] = None


class Probe(Shape):
    initialDelaySeconds: Optional[IntLike] = None
    periodSeconds: Optional[IntLike] = None
    failureThreshold: Optional[IntLike] = None
    timeoutSeconds: Optional[IntLike] = None
    successThreshold: Optional[IntLike] = None


class EnvVar(Shape):
    name: Scalar = None
    value: Scalar = None


class VolumeMount(Shape):
    name: Scalar = None
    mountPath: Scalar = None


class Container(Shape):
    name: Scalar = None
    image: Scalar = None
    resources: Optional[ResourceRequirements] = None
    livenessProbe: Optional[Probe] = None
    readinessProbe: Optional[Probe] = None
    startupProbe: Optional[Probe] = None
    restartPolicy: Scalar = None
    env: Optional[list[EnvVar]] = None
    command: Optional[list[Scalar]] = None
    args: Optional[list[Scalar]] = None
    volumeMounts: Optional[list[VolumeMount]] = None


class Toleration(Shape):
    key: Scalar = None
    operator: Scalar = None
    value: Scalar = None
    effect: Scalar = None
    tolerationSeconds: Optional[IntLike] = None


class NodeSelectorRequirement(Shape):
    key: Scalar = None
    operator: Scalar = None
    values: Optional[list[Scalar]] = None


class NodeSelectorTerm(Shape):
    matchExpressions: Optional[list[NodeSelectorRequirement]] = None
    matchFields: Optional[list[NodeSelectorRequirement]] = None


class NodeSelector(Shape):
    nodeSelectorTerms: Optional[list[NodeSelectorTerm]] = None


class NodeAffinity(Shape):
    requiredDuringSchedulingIgnoredDuringExecution: Optional[NodeSelector] = None


class Affinity(Shape):
    nodeAffinity: Optional[NodeAffinity] = None


class EmptyDirVolumeSource(Shape):
    medium: Scalar = None
    sizeLimit: Scalar = None


class Volume(Shape):
    name: Scalar = None
    emptyDir: Optional[EmptyDirVolumeSource] = None


class PodSpec(Shape):
    containers: list[Container]
    initContainers: Optional[list[Container]] = None
    tolerations: Optional[list[Toleration]] = None
    nodeSelector: Optional[StringMap] = None
    affinity: Optional[Affinity] = None
    volumes: Optional[list[Volume]] = None
    hostIPC: Scalar = None


class ObjectMeta(Shape):
    name: Scalar = None
    namespace: Scalar = None
    labels: Optional[StringMap] = None
    annotations: Optional[StringMap] = None


class CrossVersionObjectReference(Shape):
    kind: Scalar = None
    name: Scalar = None
    apiVersion: Scalar = None


class MetricTarget(Shape):
    type: Scalar = None


class MetricSource(Shape):
    name: Scalar = None


class HPAMetric(Shape):
    type: Scalar = None
    resource: Optional[MetricSource] = None
    containerResource: Optional[MetricSource] = None


class HPAScalingRules(Shape):
    stabilizationWindowSeconds: Optional[IntLike] = None
    selectPolicy: Scalar = None


class HPABehavior(Shape):
    scaleDown: Optional[HPAScalingRules] = None
    scaleUp: Optional[HPAScalingRules] = None


class HPASpec(Shape):
    scaleTargetRef: Optional[CrossVersionObjectReference] = None
    minReplicas: Optional[IntLike] = None
    maxReplicas: Optional[IntLike] = None
    metrics: Optional[list[HPAMetric]] = None
    targetCPUUtilizationPercentage: Optional[IntLike] = None
    behavior: Optional[HPABehavior] = None


class KedaHPAConfig(Shape):
    behavior: Optional[HPABehavior] = None


class KedaAdvanced(Shape):
    horizontalPodAutoscalerConfig: Optional[KedaHPAConfig] = None


class ScaledObjectSpec(Shape):
    scaleTargetRef: Optional[CrossVersionObjectReference] = None
    minReplicaCount: Optional[IntLike] = None
    maxReplicaCount: Optional[IntLike] = None
    idleReplicaCount: Optional[IntLike] = None
    cooldownPeriod: Optional[IntLike] = None
    advanced: Optional[KedaAdvanced] = None
    triggers: Optional[list[dict]] = None


class KServeResourceMetric(Shape):
    name: Scalar = None


class KServeMetricSpec(Shape):
    type: Scalar = None
    resource: Optional[KServeResourceMetric] = None


class KServeAutoScaling(Shape):
    metrics: Optional[list[KServeMetricSpec]] = None


class KServeComponentScaling(Shape):
    """The autoscaling fields of a KServe InferenceService component (``ComponentExtensionSpec``)."""

    minReplicas: Optional[IntLike] = None
    maxReplicas: Optional[IntLike] = None
    scaleTarget: Optional[IntLike] = None
    scaleMetric: Scalar = None
    scaleMetricType: Scalar = None
    autoScaling: Optional[KServeAutoScaling] = None
