"""References between the SageMaker and scaling resources of one CloudFormation template.

A template joins its resources by logical ID rather than by name:

* a scaling policy names its target by ``ScalingTargetId: !Ref Target`` (``{"Ref": "Target"}``)
  instead of ``ServiceNamespace`` / ``ResourceId`` / ``ScalableDimension``; ``Ref`` of an
  ``AWS::ApplicationAutoScaling::ScalableTarget`` is the ID that property takes, so the policy
  scales what the target registers (:func:`join_policies`);
* a scalable target builds its ``ResourceId`` from the endpoint's name
  (``!Sub endpoint/${Endpoint.EndpointName}/variant/a``, ``!Join ["/", [endpoint,
  !GetAtt Endpoint.EndpointName, variant, a]]``), an endpoint names its config by
  ``!GetAtt Config.EndpointConfigName``, an inference component its endpoint by
  ``!GetAtt Endpoint.EndpointName``.

Such a value is resolved only when every part of it is certain: literal text, and the name
attribute (``Fn::GetAtt`` ``EndpointName``, ``EndpointConfigName``, ``ModelName``) of a
resource of the same template whose name is written literally. ``Ref`` of a SageMaker
resource is its ARN, not its name, so ``!Ref Endpoint`` inside a ResourceId resolves to
nothing; so does a parameter, a pseudo parameter, or a resource of another template. What
does not resolve stays unknown, and the rules stay silent on it.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from gpulint.load import Tagged
from gpulint.model.sagemaker.autoscaling import ScalableTarget, ScalingPolicy
from gpulint.model.sagemaker.objects import (
    AwsObject,
    Endpoint,
    EndpointConfig,
    InferenceComponent,
    SageMakerModel,
    is_unknown,
)

#: the Fn::GetAtt attribute that is the literal name of each resource
NAME_ATTRIBUTES: dict[type, str] = {
    Endpoint: "EndpointName",
    EndpointConfig: "EndpointConfigName",
    SageMakerModel: "ModelName",
}

#: members built from another resource's name, per resource
_NAMED_MEMBERS: dict[type, tuple[str, ...]] = {
    ScalableTarget: ("ResourceId",),
    ScalingPolicy: ("ResourceId",),
    Endpoint: ("EndpointConfigName",),
    InferenceComponent: ("EndpointName",),
}

#: what a policy takes from the target its ScalingTargetId names
_TARGET_MEMBERS = ("ServiceNamespace", "ResourceId", "ScalableDimension")

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_MAX_DEPTH = 20


def join_template(built: dict[str, AwsObject]) -> None:
    """Resolve the references between the objects of one template (logical ID -> object)."""
    names = {f"{logical}.{NAME_ATTRIBUTES[type(obj)]}": obj.name
             for logical, obj in built.items() if type(obj) in NAME_ATTRIBUTES and obj.name}
    for obj in built.values():
        for member in _NAMED_MEMBERS.get(type(obj), ()):
            value = obj.data.get(member)
            if value is not None and is_unknown(value):
                text = resolve(value, names)
                if text is not None:
                    obj.data[member] = text
                    if obj.name_member == member:
                        obj.name = text
    join_policies(built)


def join_policies(built: dict[str, AwsObject]) -> None:
    """Give each policy whose ``ScalingTargetId`` is ``Ref`` of a scalable target of the template
    the namespace, ResourceId and dimension that target registers (those it does not write)."""
    for obj in built.values():
        if not isinstance(obj, ScalingPolicy):
            continue
        target = built.get(ref_name(_member(obj.raw, "ScalingTargetId")) or "")
        if not isinstance(target, ScalableTarget):
            continue
        for member in _TARGET_MEMBERS:
            if member not in obj.data and member in target.data:
                obj.data[member] = target.data[member]


def ref_name(value: Any) -> Optional[str]:
    """The logical ID ``value`` refers to: ``!Ref X`` or ``{"Ref": "X"}``, else None."""
    if isinstance(value, Tagged) and value.tag == "!Ref" and isinstance(value.value, str):
        return value.value
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
        return value["Ref"]
    return None


def resolve(value: Any, names: dict[str, str], depth: int = 0) -> Optional[str]:
    """The text ``value`` certainly deploys as, given the literal ``names`` of the template's
    resources (``"Endpoint.EndpointName" -> "llm"``); None when any part is not certain."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(value, str):
        return None if is_unknown(value) else value
    tag, arg = _function(value)
    if tag == "GetAtt":
        if isinstance(arg, list) and len(arg) == 2 and all(isinstance(a, str) for a in arg):
            arg = f"{arg[0]}.{arg[1]}"
        return names.get(arg) if isinstance(arg, str) else None
    if tag == "Sub":
        return _sub(arg, names, depth)
    if tag == "Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[0], str) \
            and isinstance(arg[1], list):
        parts = [resolve(item, names, depth + 1) for item in arg[1]]
        return None if any(p is None for p in parts) else arg[0].join(parts)  # type: ignore[arg-type]
    return None


def _function(value: Any) -> tuple[Optional[str], Any]:
    """(name, argument) of an intrinsic in either form: ``!Sub x`` / ``{"Fn::Sub": x}`` -> ("Sub", x)."""
    if isinstance(value, Tagged) and isinstance(value.tag, str) and value.tag.startswith("!"):
        return value.tag[1:], value.value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if isinstance(key, str) and key.startswith("Fn::"):
            return key[4:], arg
    return None, None


def _sub(arg: Any, names: dict[str, str], depth: int) -> Optional[str]:
    local: dict[str, str] = {}
    if isinstance(arg, list):
        if len(arg) != 2 or not isinstance(arg[1], dict):
            return None
        for key, item in arg[1].items():
            text = resolve(item, names, depth + 1)
            if not isinstance(key, str) or text is None:
                return None
            local[key] = text
        arg = arg[0]
    if not isinstance(arg, str):
        return None
    out: list[str] = []
    pos = 0
    for m in _VARIABLE.finditer(arg):
        name = m.group(1)
        if name.startswith("!"):
            text: Optional[str] = "${" + name[1:] + "}"  # ${!Literal} is written as ${Literal}
        else:
            text = local.get(name, names.get(name))
        if text is None:
            return None
        out.append(arg[pos:m.start()])
        out.append(text)
        pos = m.end()
    out.append(arg[pos:])
    return "".join(out)


def _member(raw: Any, name: str) -> Any:
    if not isinstance(raw, dict):
        return None
    for key, value in raw.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None
