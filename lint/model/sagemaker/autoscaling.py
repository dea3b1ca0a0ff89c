"""Application Auto Scaling: scalable targets, scaling policies and their ResourceIds.

A :class:`ScalableTarget` or :class:`ScalingPolicy` names what it scales by
``ResourceId``; for a SageMaker variant that is
``endpoint/<endpoint>/variant/<variant>`` (:func:`parse_resource_id`). A
ResourceId known only at deploy time (``!Sub endpoint/${Endpoint.EndpointName}/variant/a``)
still shows part of its text (:func:`template_text`), enough to tell
whether it may name a given variant (:func:`may_name`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

from gpulint.load import Tagged
from gpulint.model.core import is_placeholder
from gpulint.model.sagemaker.objects import AwsObject, as_str


@dataclass(eq=False)
class ScalableTarget(AwsObject):
    type_label: ClassVar[str] = "scalable target"
    schema: ClassVar[str] = "application-autoscaling/RegisterScalableTarget"
    response_schema: ClassVar[str] = "application-autoscaling/ScalableTarget"
    name_member: ClassVar[str] = "ResourceId"
    #: further resources the same document registers with these settings (a HostingAutoscalingPolicy
    #: of the SageMaker operator lists several endpoint variants)
    more_resource_ids: tuple[str, ...] = field(default=())

    @property
    def resource_id(self) -> Optional[str]:
        return as_str(self.data.get("ResourceId"))

    @property
    def dimension(self) -> Optional[str]:
        return as_str(self.data.get("ScalableDimension"))


@dataclass(eq=False)
class ScalingPolicy(AwsObject):
    type_label: ClassVar[str] = "scaling policy"
    schema: ClassVar[str] = "application-autoscaling/PutScalingPolicy"
    response_schema: ClassVar[str] = "application-autoscaling/ScalingPolicy"
    name_member: ClassVar[str] = "PolicyName"
    more_resource_ids: tuple[str, ...] = field(default=())

    @property
    def resource_id(self) -> Optional[str]:
        return as_str(self.data.get("ResourceId"))


def parse_resource_id(rid: Optional[str]) -> Optional[tuple[str, str]]:
    """``endpoint/<name>/variant/<variant>`` -> (name, variant)."""
    if not rid:
        return None
    parts = rid.split("/")
    if len(parts) == 4 and parts[0] == "endpoint" and parts[2] == "variant" and parts[1] and parts[3]:
        return parts[1], parts[3]
    return None


def template_text(value: Any) -> str:
    """The text of a deploy-time value (``!Sub``, ``{"Fn::Sub": ...}``, ``${VAR}``), or ""."""
    if isinstance(value, Tagged):
        value = value.value
    elif isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]  # Fn::Sub [text, {vars}]
    return value if isinstance(value, str) else ""


def may_name(text: str, endpoint: str, variant: str) -> bool:
    """Can the ResourceId template ``text`` stand for ``endpoint/<endpoint>/variant/<variant>``?"""
    parts = text.split("/")
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
        return True  # the text does not say (a !Ref, a !Join, a whole-value placeholder)
    return all(is_placeholder(part) or "${" in part or part == want
               for part, want in ((parts[1], endpoint), (parts[3], variant)))
