"""Terraform resources -> documents shaped like the AWS requests they stand for.

Each supported resource becomes one document: the SageMaker and Application Auto Scaling
resources the request of the API call Terraform makes for them (``CreateEndpointConfig``,
``CreateEndpoint``, ``CreateModel``, ``CreateInferenceComponent``, ``RegisterScalableTarget``,
``PutScalingPolicy``), and ``aws_eks_node_group`` a CloudFormation ``AWS::EKS::Nodegroup``
fragment. Attribute and block names become the API's members (``scale_in_cooldown`` ->
``ScaleInCooldown``; the schema's own spelling is matched case-insensitively later); blocks
that the API takes as lists (``production_variants``, ``step_adjustment``) become lists. Each
value's position is the literal it came from, or, for a value that is not a literal, the
attribute with no character offsets (``start`` -1: located, never edited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from gpulint.load.document import Document
from gpulint.load.spans import Span
from gpulint.load.terraform.hcl import Attr, Block, Expr, Lit, Obj, Pos, Tup
from gpulint.load.terraform.scope import Scope, unknown


@dataclass(frozen=True)
class Mapping:
    #: renamed top-level attributes and blocks (the rest: snake_case -> PascalCase)
    top: dict[str, str] = field(default_factory=dict)
    #: blocks the API takes as a list (at any depth), with their API names
    lists: dict[str, str] = field(default_factory=dict)
    #: string attributes the API takes as numbers (the provider keeps them as strings)
    numbers: frozenset[str] = frozenset()
    #: the CloudFormation type a resource becomes (None: an API request document)
    cfn_type: Optional[str] = None


DROPPED = frozenset({"tags", "tags_all", "name_prefix", "node_group_name_prefix", "count", "for_each",
                     "depends_on", "provider", "lifecycle", "timeouts", "provisioner",
                     "connection"})

MAPPINGS: dict[str, Mapping] = {
    "aws_sagemaker_endpoint_configuration": Mapping(
        top={"name": "EndpointConfigName", "kms_key_arn": "KmsKeyId"},
        lists={"production_variants": "ProductionVariants", "shadow_production_variants": "ShadowProductionVariants",
               "capture_options": "CaptureOptions", "instance_pools": "InstancePools"}),
    "aws_sagemaker_endpoint": Mapping(top={"name": "EndpointName"}, lists={"alarms": "Alarms"}),
    "aws_sagemaker_model": Mapping(top={"name": "ModelName"}, lists={
        "container": "Containers", "additional_model_data_sources": "AdditionalModelDataSources"}),
    "aws_sagemaker_inference_component": Mapping(top={"name": "InferenceComponentName"}),
    "aws_appautoscaling_target": Mapping(),
    "aws_appautoscaling_policy": Mapping(
        top={"name": "PolicyName"},
        lists={"step_adjustment": "StepAdjustments", "dimensions": "Dimensions", "metrics": "Metrics"},
        numbers=frozenset({"metric_interval_lower_bound", "metric_interval_upper_bound"})),
    "aws_eks_node_group": Mapping(
        top={"node_group_name": "NodegroupName", "taint": "Taints", "subnet_ids": "Subnets",
             "node_role_arn": "NodeRole"},
        lists={"taint": "Taints"}, cfn_type="AWS::EKS::Nodegroup"),
}

#: the API member that names each kind of resource (a placeholder when Terraform generates it)
NAME_MEMBER = {
    "aws_sagemaker_endpoint_configuration": "EndpointConfigName",
    "aws_sagemaker_endpoint": "EndpointName",
    "aws_sagemaker_model": "ModelName",
    "aws_sagemaker_inference_component": "InferenceComponentName",
}


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def span(pos: Pos, literal: bool = True) -> Span:
    if literal:
        return Span(pos.line, pos.column, pos.end_line, pos.end_column, pos.start, pos.end)
    return Span(pos.line, pos.column, pos.end_line, pos.end_column)


class Builder:
    """One resource's document data and position table."""

    def __init__(self, mapping: Mapping, scope: Scope) -> None:
        self.mapping = mapping
        self.scope = scope
        self.positions: dict[tuple, Span] = {}

    def body(self, block: Block, path: tuple, top: bool) -> dict:
        out: dict[str, Any] = {}
        for name, attr in block.attrs.items():
            if name in DROPPED:
                continue
            key = self._key(name, top)
            out[key] = self.attribute(attr, path + (key,))
        groups: dict[str, list[Block]] = {}
        dynamic: set[str] = set()
        for sub in block.blocks:
            if sub.type == "dynamic" and len(sub.labels) == 1:
                if sub.labels[0] not in DROPPED:
                    dynamic.add(sub.labels[0])
            elif sub.type not in DROPPED:
                groups.setdefault(sub.type, []).append(sub)
        for name in dynamic:
            key = self._key(name, top)
            first = next(b for b in block.blocks if b.type == "dynamic" and b.labels == [name])
            out[key] = unknown(f"dynamic {name}")
            self.positions[path + (key,)] = span(first.pos, literal=False)
        for name, subs in groups.items():
            key = self._key(name, top)
            if key in out:
                continue
            if name in self.mapping.lists:
                self.positions[path + (key,)] = span(subs[0].pos, literal=False)
                out[key] = [self._item(sub, path + (key, i)) for i, sub in enumerate(subs)]
            else:
                out[key] = self._item(subs[-1], path + (key,))
        return out

    def _key(self, name: str, top: bool) -> str:
        if top and name in self.mapping.top:
            return self.mapping.top[name]
        return self.mapping.lists.get(name) or pascal(name)

    def _item(self, block: Block, path: tuple) -> dict:
        self.positions[path] = span(block.pos, literal=False)
        return self.body(block, path, False)

    def attribute(self, attr: Attr, path: tuple) -> Any:
        value = self.expression(attr.value, path, attr.pos)
        if attr.name in self.mapping.numbers and isinstance(value, str):
            try:
                number = float(value)
                value = int(number) if number.is_integer() and "." not in value else number
            except ValueError:
                pass
        return value

    def expression(self, expr: Expr, path: tuple, where: Pos) -> Any:
        """The value of ``expr``, recording the position of it and of what is inside it."""
        if isinstance(expr, Lit):
            self.positions[path] = span(expr.pos)
            return expr.value
        if isinstance(expr, Obj):
            self.positions[path] = span(expr.pos, literal=False)
            return {k: self.expression(v, path + (k,), v.pos) for k, v in expr.items}
        if isinstance(expr, Tup):
            self.positions[path] = span(expr.pos, literal=False)
            return [self.expression(v, path + (i,), v.pos) for i, v in enumerate(expr.items)]
        self.positions[path] = span(where, literal=False)
        return self.scope.value(expr)


def build(top: Block, scope: Scope) -> list[Document]:
    """One document per supported resource of the file, in file order."""
    docs: list[Document] = []
    for block in top.blocks:
        if block.type != "resource" or len(block.labels) != 2 or block.labels[0] not in MAPPINGS:
            continue
        count = block.attrs.get("count")
        if count is not None and isinstance(count.value, Lit) and count.value.value == 0:
            continue  # a resource that is never created
        docs.append(build_resource(block, block.labels[0], block.labels[1], scope, len(docs)))
    return docs


def build_resource(block: Block, kind: str, label: str, scope: Scope, index: int,
                   address: Optional[str] = None) -> Document:
    """The document of one resource ``kind`` named ``label``, whose body is ``block``."""
    mapping = MAPPINGS[kind]
    builder = Builder(mapping, scope)
    base: tuple = ("Resources", label, "Properties") if mapping.cfn_type else ()
    data = builder.body(block, base, True)
    member = NAME_MEMBER.get(kind)
    if member and member not in data:
        data[member] = unknown(f"{kind}.{label}.name")
    if mapping.cfn_type:
        builder.positions[("Resources", label)] = span(block.pos, literal=False)
        data = {"Resources": {label: {"Type": mapping.cfn_type, "Properties": data}}}
    builder.positions.setdefault((), span(block.pos, literal=False))
    builder.positions.setdefault(base, span(block.pos, literal=False))
    # the document's label is the resource's address (``aws_appautoscaling_policy.chat``)
    return Document(index, data, block.pos.line, block.pos.start, block.pos.end, positions=builder.positions,
                    form="terraform", label=address or f"{kind}.{label}")
