"""Shapes of the cluster documents: eksctl nodegroups and Karpenter NodePool specs.

These pydantic models say what each field of an eksctl ``ClusterConfig``
nodegroup and of a Karpenter ``NodePool`` spec must look like; the recognisers
validate raw documents against them (a mismatch is a ``schema-violation``) and
read the validated values from them.
"""

from __future__ import annotations

from typing import Any, Optional

from gpulint.model.core import IntLike, Scalar, Shape, StringMap


class InstancesDistribution(Shape):
    instanceTypes: Optional[list[Scalar]] = None
    onDemandBaseCapacity: Optional[IntLike] = None
    onDemandPercentageAboveBaseCapacity: Optional[IntLike] = None


class NodeGroupShape(Shape):
    name: Scalar = None
    instanceType: Scalar = None
    instanceTypes: Optional[list[Scalar]] = None
    instancesDistribution: Optional[InstancesDistribution] = None
    instanceSelector: Optional[dict] = None
    launchTemplate: Optional[dict] = None
    spot: Scalar = None
    minSize: Optional[IntLike] = None
    maxSize: Optional[IntLike] = None
    desiredCapacity: Optional[IntLike] = None
    labels: Optional[StringMap] = None
    taints: Any = None
    overrideBootstrapCommand: Scalar = None
    preBootstrapCommands: Optional[list[Scalar]] = None


class TaintShape(Shape):
    key: Scalar = None
    value: Scalar = None
    effect: Scalar = None


class RequirementShape(Shape):
    key: Scalar = None
    operator: Scalar = None
    values: Optional[list[Scalar]] = None
    minValues: Optional[IntLike] = None


class NodeClaimSpecShape(Shape):
    taints: Optional[list[TaintShape]] = None
    startupTaints: Optional[list[TaintShape]] = None
    requirements: Optional[list[RequirementShape]] = None


class NodeClaimMetaShape(Shape):
    labels: Optional[StringMap] = None


class NodeClaimTemplateShape(Shape):
    metadata: Optional[NodeClaimMetaShape] = None
    spec: Optional[NodeClaimSpecShape] = None


class NodePoolSpecShape(Shape):
    template: Optional[NodeClaimTemplateShape] = None
    limits: Optional[StringMap] = None
    weight: Optional[IntLike] = None
    #: a static NodePool (alpha): a fixed node count instead of provisioning for pods
    replicas: Optional[IntLike] = None
