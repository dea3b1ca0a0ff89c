"""SageMaker and Application Auto Scaling documents.

Three real-world forms carry the same fields and land in the same objects:

* request documents for the boto3 / AWS CLI calls (``create_endpoint_config``,
  ``put_scaling_policy``, ..., including ``--cli-input-json`` and
  ``--cli-input-yaml`` files), recognised by their members;
* saved ``describe_*`` responses: the same members plus ARNs, timestamps and
  status (``DescribeScalableTargets`` / ``DescribeScalingPolicies`` output
  holds a list of them);
* AWS Controllers for Kubernetes custom resources
  (``sagemaker.services.k8s.aws``, ``applicationautoscaling.services.k8s.aws``),
  whose ``spec`` spells the API members in camelCase (``resourceID``);
* CloudFormation resources (``AWS::SageMaker::EndpointConfig``, ...), whose
  intrinsic functions (``!Ref``, ``{"Fn::GetAtt": ...}``, ``!If [...]``) are
  unknown values.

Every object keeps its members in the API's spelling (``data``), so rules read
one shape; :meth:`AwsObject.at` turns an API path back into the path written in
the file. Documents are validated against JSON Schemas generated from the
botocore service models (``schemas/aws``, see ``scripts/gen_aws_schemas.py``);
nothing here imports botocore.
"""

from __future__ import annotations

import difflib
import json
import os
import weakref
from typing import Any, ClassVar, Iterator, Optional

from gpulint.diagnostics import Path
from gpulint.load.loader import Document, Source, Tagged
from gpulint.model.core import ModelObject, is_placeholder
from gpulint.model.recognize import Recognised, Violation, describe, dig, recogniser
from dataclasses import dataclass, field

SAGEMAKER_GROUP = "sagemaker.services.k8s.aws"
AAS_GROUP = "applicationautoscaling.services.k8s.aws"

# --------------------------------------------------------------------------- values


def is_unknown(value: Any) -> bool:
    """An unrendered placeholder, a tagged (``!Ref``) value or a CloudFormation intrinsic
    function (``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``): unknown until deploy time."""
    if isinstance(value, dict):
        return len(value) == 1 and next(iter(value)) in _INTRINSICS
    return isinstance(value, Tagged) or is_placeholder(value)


_INTRINSICS = frozenset({
    "Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::FindInMap",
    "Fn::ImportValue", "Fn::Split", "Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform",
    "Fn::ToJsonString", "Fn::Length",
})


def as_int(value: Any) -> Optional[int]:
    """A whole number written as a number, else None (absent, unknown or wrong type)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def as_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and not is_unknown(value) else None


def as_bool(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None


# --------------------------------------------------------------------------- objects


@dataclass(eq=False)
class AwsObject(ModelObject):
    """A SageMaker or Application Auto Scaling resource, in the API's spelling."""

    #: members in the API's spelling, nulls dropped
    data: dict = field(default_factory=dict)
    #: the mapping as written in the file (for paths)
    raw: Any = None
    #: "request", "response", "ack" or "cloudformation"
    form: str = "request"
    #: the region an ACK resource's status records (``status.ackResourceMetadata.region``)
    region: Optional[str] = None

    type_label: ClassVar[str] = "AWS resource"
    schema: ClassVar[str] = ""
    response_schema: ClassVar[str] = ""
    name_member: ClassVar[str] = ""

    def get(self, *steps: Any) -> Any:
        return dig(self.data, *steps)

    def at(self, *steps: Any) -> Path:
        """The path, as written in the file, of the member at API path ``steps``."""
        out: list[Any] = []
        node = self.raw
        for step in steps:
            if isinstance(node, dict) and isinstance(step, str):
                key = _match_key(node, step)
                if key is None:
                    out.append(step)
                    node = None
                    continue
                out.append(key)
                node = node[key]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                out.append(step)
                node = node[step]
            else:
                out.append(step)
                node = None
        return self.base + tuple(out)

    def label(self, *steps: Any) -> str:
        """A readable name for the member, in the file's own spelling."""
        path = self.at(*steps)[len(self.base):]
        text = ""
        for step in path:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
        return text

    def display(self) -> str:
        return f"{self.kind} '{self.name}'" if self.name else self.kind


def _match_key(mapping: dict, name: str) -> Optional[str]:
    if name in mapping:
        return name
    low = name.lower()
    for key in mapping:
        if isinstance(key, str) and key.lower() == low:
            return key
    return None


@dataclass(eq=False)
class Variant:
    """One production variant of an endpoint config."""

    index: int
    data: dict

    @property
    def name(self) -> Optional[str]:
        return as_str(self.data.get("VariantName"))

    @property
    def serverless(self) -> bool:
        return isinstance(self.data.get("ServerlessConfig"), dict)

    @property
    def instance_count(self) -> Optional[int]:
        return as_int(self.data.get("InitialInstanceCount"))

    @property
    def managed_scaling(self) -> dict:
        mis = self.data.get("ManagedInstanceScaling")
        return mis if isinstance(mis, dict) else {}

    @property
    def pools(self) -> list:
        pools = self.data.get("InstancePools")
        return pools if isinstance(pools, list) else []


@dataclass(eq=False)
class EndpointConfig(AwsObject):
    type_label: ClassVar[str] = "endpoint config"
    schema: ClassVar[str] = "sagemaker/CreateEndpointConfig"
    response_schema: ClassVar[str] = "sagemaker/DescribeEndpointConfig"
    name_member: ClassVar[str] = "EndpointConfigName"

    def variants(self) -> Iterator[Variant]:
        pvs = self.data.get("ProductionVariants")
        if isinstance(pvs, list):
            for i, pv in enumerate(pvs):
                if isinstance(pv, dict):
                    yield Variant(i, pv)

    @property
    def is_async(self) -> bool:
        return isinstance(self.data.get("AsyncInferenceConfig"), dict) or is_unknown(
            self.data.get("AsyncInferenceConfig")
        )


@dataclass(eq=False)
class Endpoint(AwsObject):
    type_label: ClassVar[str] = "endpoint"
    schema: ClassVar[str] = "sagemaker/CreateEndpoint"
    response_schema: ClassVar[str] = "sagemaker/DescribeEndpoint"
    name_member: ClassVar[str] = "EndpointName"

    @property
    def config_name(self) -> Optional[str]:
        return as_str(self.data.get("EndpointConfigName"))


@dataclass(eq=False)
class SageMakerModel(AwsObject):
    type_label: ClassVar[str] = "model"
    schema: ClassVar[str] = "sagemaker/CreateModel"
    response_schema: ClassVar[str] = "sagemaker/DescribeModel"
    name_member: ClassVar[str] = "ModelName"

    def containers(self) -> Iterator[tuple[tuple, dict]]:
        """(API path, container) for the primary container and every listed one."""
        primary = self.data.get("PrimaryContainer")
        if isinstance(primary, dict):
            yield ("PrimaryContainer",), primary
        containers = self.data.get("Containers")
        if isinstance(containers, list):
            for i, c in enumerate(containers):
                if isinstance(c, dict):
                    yield ("Containers", i), c


@dataclass(eq=False)
class TrainingJob(AwsObject):
    type_label: ClassVar[str] = "training job"
    schema: ClassVar[str] = "sagemaker/CreateTrainingJob"
    response_schema: ClassVar[str] = "sagemaker/DescribeTrainingJob"
    name_member: ClassVar[str] = "TrainingJobName"

    @property
    def spot(self) -> bool:
        return self.data.get("EnableManagedSpotTraining") is True


@dataclass(eq=False)
class TransformJob(AwsObject):
    type_label: ClassVar[str] = "transform job"
    schema: ClassVar[str] = "sagemaker/CreateTransformJob"
    response_schema: ClassVar[str] = "sagemaker/DescribeTransformJob"
    name_member: ClassVar[str] = "TransformJobName"


@dataclass(eq=False)
class InferenceComponent(AwsObject):
    type_label: ClassVar[str] = "inference component"
    schema: ClassVar[str] = "sagemaker/CreateInferenceComponent"
    response_schema: ClassVar[str] = "sagemaker/DescribeInferenceComponent"
    name_member: ClassVar[str] = "InferenceComponentName"


@dataclass(eq=False)
class ScalableTarget(AwsObject):
    type_label: ClassVar[str] = "scalable target"
    schema: ClassVar[str] = "application-autoscaling/RegisterScalableTarget"
    response_schema: ClassVar[str] = "application-autoscaling/ScalableTarget"
    name_member: ClassVar[str] = "ResourceId"

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

    @property
    def resource_id(self) -> Optional[str]:
        return as_str(self.data.get("ResourceId"))


ACK_KINDS: dict[tuple[str, str], type[AwsObject]] = {
    (SAGEMAKER_GROUP, "EndpointConfig"): EndpointConfig,
    (SAGEMAKER_GROUP, "Endpoint"): Endpoint,
    (SAGEMAKER_GROUP, "Model"): SageMakerModel,
    (SAGEMAKER_GROUP, "TrainingJob"): TrainingJob,
    (SAGEMAKER_GROUP, "TransformJob"): TransformJob,
    (SAGEMAKER_GROUP, "InferenceComponent"): InferenceComponent,
    (AAS_GROUP, "ScalableTarget"): ScalableTarget,
    (AAS_GROUP, "ScalingPolicy"): ScalingPolicy,
}

#: members only a describe_* response carries (any one marks a saved response)
RESPONSE_MARKERS = frozenset(
    {
        "endpointconfigarn", "endpointarn", "modelarn", "trainingjobarn", "transformjobarn",
        "inferencecomponentarn", "policyarn", "scalabletargetarn", "creationtime",
        "endpointstatus", "trainingjobstatus", "transformjobstatus", "inferencecomponentstatus",
        "responsemetadata",
    }
)


def classify(data: dict) -> Optional[type[AwsObject]]:
    """The resource a request or response document describes, by its members."""
    keys = {k.lower() for k in data if isinstance(k, str)}
    if {"servicenamespace", "resourceid", "scalabledimension"} <= keys:
        return ScalingPolicy if "policyname" in keys else ScalableTarget
    if "inferencecomponentname" in keys and "endpointname" in keys and "specification" in keys:
        return InferenceComponent
    if "endpointname" in keys and "endpointconfigname" in keys:
        return Endpoint
    if "productionvariants" in keys and "endpointconfigname" in keys:
        return EndpointConfig
    if "modelname" in keys and ({"primarycontainer", "containers"} & keys) and "transformjobname" not in keys:
        return SageMakerModel
    if "trainingjobname" in keys and ({"algorithmspecification", "resourceconfig", "stoppingcondition"} & keys):
        return TrainingJob
    if "transformjobname" in keys and ({"transformresources", "transforminput"} & keys):
        return TransformJob
    return None


# --------------------------------------------------------------------------- schemas

_SCHEMAS: dict[str, dict] = {}
_VALIDATORS: dict[str, Any] = {}


def schema_dir() -> str:
    import gpulint.schemas

    return os.path.join(os.path.dirname(os.path.abspath(gpulint.schemas.__file__)), "aws")


def load_schema(name: str) -> dict:
    if name not in _SCHEMAS:
        with open(os.path.join(schema_dir(), name + ".json"), encoding="utf-8") as fh:
            _SCHEMAS[name] = json.load(fh)
    return _SCHEMAS[name]


def validator(name: str) -> Any:
    """A jsonschema validator for ``name``, built once (jsonschema is imported here, on the
    first AWS document of a run, so a Kubernetes-only run never imports it)."""
    if name not in _VALIDATORS:
        from jsonschema import Draft202012Validator

        _VALIDATORS[name] = Draft202012Validator(inline_refs(load_schema(name)))
    return _VALIDATORS[name]


def inline_refs(root: dict) -> dict:
    """``root`` with each ``#/$defs/X`` reference replaced by the definition itself.

    Following a reference costs jsonschema far more than the check it leads to,
    and the generated schemas reference a definition for nearly every member.
    Definitions are shared, not copied; a definition that refers to itself (a
    recursive shape) keeps its ``$ref``, which ``$defs`` still resolves.
    """
    defs = root.get("$defs") or {}
    done: dict[str, Any] = {}

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            key = ref[len("#/$defs/"):]
            if key in stack or key not in defs:
                return node
            if key not in done:
                done[key] = walk(defs[key], stack + (key,))
            return done[key]
        return {k: (v if k == "$defs" else walk(v, stack)) for k, v in node.items()}

    return walk(root, ())


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return root["$defs"][ref[len("#/$defs/"):]]
    return schema


def normalise(raw: Any, schema: dict, root: dict) -> Any:
    """``raw`` in the API's spelling: keys matched case-insensitively, nulls dropped."""
    schema = _resolve(schema, root)
    if isinstance(raw, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            lower = {k.lower(): k for k in props}
            out = {}
            for key, value in raw.items():
                if value is None:
                    continue
                name = lower.get(key.lower(), key) if isinstance(key, str) else key
                sub = props.get(name)
                out[name] = normalise(value, sub, root) if sub is not None else value
            return out
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return {k: normalise(v, extra, root) for k, v in raw.items() if v is not None}
        return {k: v for k, v in raw.items() if v is not None}
    if isinstance(raw, list):
        items = schema.get("items")
        if isinstance(items, dict):
            return [normalise(v, items, root) for v in raw]
        return list(raw)
    return raw


def _templated(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, str) and "<" in value and ">" in value:
        return True  # s3://<YOUR BUCKET>/path
    return False


def _contains_unknown(value: Any, depth: int = 0) -> bool:
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_contains_unknown(v, depth + 1) for v in value.values())
    if isinstance(value, list):
        return any(_contains_unknown(v, depth + 1) for v in value)
    return _templated(value)


INSTANCE_TYPE_RULE = "unknown-instance-type"

#: members that a dedicated rule checks; the schema stays quiet about their range
_RULE_OWNED = {"VariantInstanceProvisionTimeoutInSeconds"}


def suggest(value: str, choices: list[str]) -> list[str]:
    """Close names for a misspelt instance type."""
    if not value.startswith("ml.") and "ml." + value in choices:
        return ["ml." + value]
    out: list[str] = []
    for c in difflib.get_close_matches(value, choices, n=3, cutoff=0.75):
        if c not in out:
            out.append(c)
    return out[:3]


def validate(obj: AwsObject, violations: list[Violation]) -> None:
    """Check ``obj.data`` against its schema; record violations at the written paths."""
    name = obj.response_schema if obj.form == "response" else obj.schema
    v = validator(name)
    seen: set[tuple] = set()
    # a saved response also records what the service reports (status, deployment summaries, current
    # counts): those members are not the author's configuration, so only the request's members are checked
    created = set(load_schema(obj.schema).get("properties", {})) if obj.form == "response" else None
    for err in v.iter_errors(obj.data):
        steps = tuple(err.absolute_path)
        inst = err.instance
        kind = err.validator
        if created is not None and steps and steps[0] not in created:
            continue
        if _templated(inst):
            continue
        if kind == "required":
            # responses leave members out; CloudFormation generates names and has its own required set
            if obj.form in ("response", "cloudformation") or not isinstance(inst, dict):
                continue
            for member in err.validator_value:
                if member in inst:
                    continue
                key = (steps, "required", member)
                if key in seen:
                    continue
                seen.add(key)
                if obj.form == "ack" and _has_reference(obj, steps, member):
                    continue
                where = obj.label(*steps)
                holder = f"'{where}'" if where else f"a {obj.type_label}"
                violations.append(Violation(
                    obj.doc_index, obj.at(*steps),
                    f"'{_spelling(obj, member)}' is required in {holder}",
                ))
            continue
        if isinstance(inst, (dict, list)) and kind not in ("type", "minItems", "maxItems", "maxProperties"):
            continue
        if isinstance(inst, (dict, list)) and _contains_unknown(inst) and kind in ("minItems", "maxItems"):
            continue
        if steps and steps[-1] in _RULE_OWNED and kind in ("minimum", "maximum"):
            continue
        if kind == "enum" and not isinstance(inst, str):
            continue  # the type error says it
        if obj.form == "cloudformation" and kind == "type" and isinstance(inst, str) \
                and err.validator_value in ("integer", "number", "boolean"):
            continue  # CloudFormation converts "1" and "true" to the property's type
        if obj.form == "cloudformation" and kind == "type" and isinstance(inst, list) and err.validator_value != "array":
            continue  # a short-form intrinsic on a collection (!If [...], !Join [...]) loads as a plain list
        key = (steps, kind)
        if key in seen:
            continue
        seen.add(key)
        where = obj.label(*steps) or "the document"
        title = err.schema.get("title", "") if isinstance(err.schema, dict) else ""
        if kind == "enum" and isinstance(inst, str) and title.endswith("InstanceType"):
            close = suggest(inst, list(err.validator_value))
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            use = _instance_use(title)
            violations.append(Violation(
                obj.doc_index, obj.at(*steps),
                f"'{where}': unknown instance type '{inst}' for {use}{hint}",
                rule=INSTANCE_TYPE_RULE,
            ))
            continue
        violations.append(Violation(obj.doc_index, obj.at(*steps), f"'{where}': {_message(err)}"))


def _instance_use(title: str) -> str:
    return {
        "ProductionVariantInstanceType": "SageMaker hosting",
        "TrainingInstanceType": "SageMaker training",
        "TransformInstanceType": "SageMaker batch transform",
    }.get(title, "SageMaker")


def _spelling(obj: AwsObject, member: str) -> str:
    if obj.form == "ack":
        return member[:1].lower() + member[1:]
    return member


def _has_reference(obj: AwsObject, steps: tuple, member: str) -> bool:
    """ACK lets ``fooRef`` stand in for ``foo`` (a reference to another resource)."""
    node = obj.raw
    for step in obj.at(*steps)[len(obj.base):]:
        node = node.get(step) if isinstance(node, dict) else (
            node[step] if isinstance(node, list) and isinstance(step, int) and step < len(node) else None)
    if not isinstance(node, dict):
        return False
    low = member.lower()
    wants = {low + "ref"}
    for suffix in ("name", "arn", "id"):
        if low.endswith(suffix) and len(low) > len(suffix):
            wants.add(low[: -len(suffix)] + "ref")
    return any(isinstance(k, str) and k.lower() in wants for k in node)


def _message(err: Any) -> str:
    kind, value, inst = err.validator, err.validator_value, err.instance
    if kind == "type":
        expected = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
                    "number": "a number", "boolean": "true or false"}
        want = value if isinstance(value, str) else "string"
        return f"expected {expected.get(want, want)}, found {describe(inst)}"
    if kind == "enum":
        opts = list(value)
        shown = ", ".join(repr(o) for o in opts[:8]) + (", ..." if len(opts) > 8 else "")
        close = difflib.get_close_matches(str(inst), [str(o) for o in opts], n=1, cutoff=0.7)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{describe(inst)} is not one of {shown}{hint}"
    if kind == "minimum":
        return f"{inst} is below the minimum {value}"
    if kind == "maximum":
        return f"{inst} is above the maximum {value}"
    if kind == "minLength":
        return f"{describe(inst)} is shorter than {value} character(s)"
    if kind == "maxLength":
        return f"{describe(inst)} is longer than {value} characters"
    if kind == "minItems":
        return f"expected at least {value} item(s), found {len(inst)}"
    if kind == "maxItems":
        return f"expected at most {value} items, found {len(inst)}"
    if kind == "maxProperties":
        return f"expected at most {value} entries, found {len(inst)}"
    if kind == "pattern":
        return f"{describe(inst)} does not match the pattern {value}"
    return err.message


# --------------------------------------------------------------------------- recognition


def _build(cls: type[AwsObject], source: Source, doc: Document, raw: dict, base: Path, form: str,
           result: Recognised, ignores: Optional[dict] = None) -> None:
    schema_name = cls.response_schema if form == "response" else cls.schema
    root = load_schema(schema_name)
    data = normalise(raw, root, root)
    if not isinstance(data, dict):
        return
    name = as_str(data.get(cls.name_member))
    obj = cls(source=source, doc_index=doc.index, base=base, kind=cls.__name__.replace("SageMakerModel", "Model"),
              name=name, data=data, raw=raw, form=form)
    if ignores:
        obj.ignores = ignores
    local: list[Violation] = []
    validate(obj, local)
    result.violations.extend(local)
    result.objects.append(obj)


def _is_response(raw: dict) -> bool:
    return any(isinstance(k, str) and k.lower() in RESPONSE_MARKERS for k in raw)


@recogniser(priority=5)
def recognise_ack(source: Source, doc: Document) -> Optional[Recognised]:
    """ACK custom resources: claimed before the generic Kubernetes recogniser."""
    data = doc.data
    if not isinstance(data, dict):
        return None
    api = data.get("apiVersion")
    kind = data.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return None
    group = api.split("/")[0]
    if group not in (SAGEMAKER_GROUP, AAS_GROUP):
        return None
    result = Recognised()  # other ACK kinds (ProcessingJob, ...) are claimed and left alone
    cls = ACK_KINDS.get((group, kind))
    spec = data.get("spec")
    if cls is None or spec is None:
        return result
    if not isinstance(spec, dict):
        if not is_unknown(spec):
            result.violations.append(Violation(doc.index, ("spec",), f"'spec': expected a mapping, found {describe(spec)}"))
        return result
    from gpulint.model.kubernetes import ignored_rules

    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    rules = ignored_rules(meta.get("annotations"))
    _build(cls, source, doc, spec, ("spec",), "ack", result, {(): rules} if rules else None)
    # a resource without its API name member is still named by its metadata
    if result.objects and result.objects[-1].name is None and isinstance(meta.get("name"), str) \
            and not is_unknown(meta["name"]):
        result.objects[-1].name = meta["name"]
    region = dig(data, "status", "ackResourceMetadata", "region")
    if result.objects and isinstance(region, str):
        result.objects[-1].region = region
    return result


CFN_TYPES: dict[str, type[AwsObject]] = {
    "AWS::SageMaker::EndpointConfig": EndpointConfig,
    "AWS::SageMaker::Endpoint": Endpoint,
    "AWS::SageMaker::Model": SageMakerModel,
    "AWS::SageMaker::InferenceComponent": InferenceComponent,
    "AWS::ApplicationAutoScaling::ScalableTarget": ScalableTarget,
    "AWS::ApplicationAutoScaling::ScalingPolicy": ScalingPolicy,
}


@recogniser(priority=30)
def recognise_cloudformation(source: Source, doc: Document) -> Optional[Recognised]:
    """SageMaker and scaling resources of a CloudFormation template (others are ignored)."""
    data = doc.data
    resources = data.get("Resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict) or ("apiVersion" in data and "kind" in data):
        return None
    typed = [(k, r) for k, r in resources.items() if isinstance(r, dict) and isinstance(r.get("Type"), str)]
    if not typed or not any(r["Type"].startswith("AWS::") for _, r in typed):
        return None
    conditions = data.get("Conditions")
    names = frozenset(k for k in conditions if isinstance(k, str)) if isinstance(conditions, dict) else frozenset()
    result = Recognised()
    for logical, res in typed:
        cls = CFN_TYPES.get(res["Type"])
        props = res.get("Properties")
        if cls is None or not isinstance(props, dict):
            continue
        props = _mark_conditionals(props, names)
        before = len(result.objects)
        _build(cls, source, doc, props, ("Resources", logical, "Properties"), "cloudformation", result)
        for obj in result.objects[before:]:
            obj.kind = f"{obj.kind} ({logical})"
    return result


def _mark_conditionals(value: Any, conditions: frozenset, depth: int = 0) -> Any:
    """``!If [Cond, a, b]`` loads as a plain list; mark it as an unknown value.

    A three-item list whose first item names one of the template's Conditions is
    taken to be one. Lists and mappings are copied only where something changes.
    """
    if depth > 60:
        return value
    if isinstance(value, list):
        if len(value) == 3 and isinstance(value[0], str) and value[0] in conditions:
            return Tagged("!If", value[0])
        items = [_mark_conditionals(v, conditions, depth + 1) for v in value]
        return items if any(a is not b for a, b in zip(items, value)) else value
    if isinstance(value, dict):
        out = {k: _mark_conditionals(v, conditions, depth + 1) for k, v in value.items()}
        return out if any(out[k] is not value[k] for k in value) else value
    return value


_LISTS = {"scalabletargets": ScalableTarget, "scalingpolicies": ScalingPolicy}


@recogniser(priority=40)
def recognise_api(source: Source, doc: Document) -> Optional[Recognised]:
    """Request documents (boto3 / CLI input) and saved describe_* responses."""
    data = doc.data
    if not isinstance(data, dict) or ("apiVersion" in data and "kind" in data):
        return None
    cls = classify(data)
    if cls is not None:
        result = Recognised()
        _build(cls, source, doc, data, (), "response" if _is_response(data) else "request", result)
        return result
    # describe-scalable-targets / describe-scaling-policies output: a list of resources
    for key, value in data.items():
        if isinstance(key, str) and key.lower() in _LISTS and isinstance(value, list):
            result = Recognised()
            for i, item in enumerate(value):
                if isinstance(item, dict) and classify(item) is _LISTS[key.lower()]:
                    _build(_LISTS[key.lower()], source, doc, item, (key, i), "response", result)
            return result if result.objects else None
    return None


# --------------------------------------------------------------------------- cross-file index


def _template_text(value: Any) -> str:
    """The text of a deploy-time value (``!Sub``, ``{"Fn::Sub": ...}``, ``${VAR}``), or ""."""
    if isinstance(value, Tagged):
        value = value.value
    elif isinstance(value, dict) and len(value) == 1:
        value = next(iter(value.values()))
    if isinstance(value, list) and value and isinstance(value[0], str):
        value = value[0]  # Fn::Sub [text, {vars}]
    return value if isinstance(value, str) else ""


def _may_name(text: str, endpoint: str, variant: str) -> bool:
    """Can the ResourceId template ``text`` stand for ``endpoint/<endpoint>/variant/<variant>``?"""
    parts = text.split("/")
    if len(parts) != 4 or parts[0] != "endpoint" or parts[2] != "variant":
        return True  # the text does not say (a !Ref, a !Join, a whole-value placeholder)
    return all(is_placeholder(part) or "${" in part or part == want
               for part, want in ((parts[1], endpoint), (parts[3], variant)))


class Index:
    """SageMaker and scaling objects of a project, by the names that join them."""

    def __init__(self, project: Any) -> None:
        self.models: dict[str, list[SageMakerModel]] = {}
        self.configs: dict[str, list[EndpointConfig]] = {}
        self.endpoints: dict[str, list[Endpoint]] = {}
        self.endpoints_by_config: dict[str, list[Endpoint]] = {}
        self.targets: dict[str, list[ScalableTarget]] = {}
        self.policies: dict[str, list[ScalingPolicy]] = {}
        #: ResourceIds known only at deploy time (``!Sub endpoint/${Endpoint.EndpointName}/variant/a``),
        #: as far as their text shows ("" when it shows nothing)
        self.unknown_ids: list[str] = []
        for obj in project.of_type(AwsObject):
            if isinstance(obj, SageMakerModel) and obj.name:
                self.models.setdefault(obj.name, []).append(obj)
            elif isinstance(obj, EndpointConfig) and obj.name:
                self.configs.setdefault(obj.name, []).append(obj)
            elif isinstance(obj, Endpoint) and obj.name:
                self.endpoints.setdefault(obj.name, []).append(obj)
                if obj.config_name:
                    self.endpoints_by_config.setdefault(obj.config_name, []).append(obj)
            elif isinstance(obj, (ScalableTarget, ScalingPolicy)):
                rid = obj.data.get("ResourceId")
                if obj.resource_id:
                    table = self.targets if isinstance(obj, ScalableTarget) else self.policies
                    table.setdefault(obj.resource_id, []).append(obj)  # type: ignore[arg-type]
                elif rid is not None and is_unknown(rid):
                    self.unknown_ids.append(_template_text(rid))
        self.has_scaling = project.has(ScalableTarget, ScalingPolicy)
        #: kinds of document (ACK, CloudFormation, API) whose Endpoint documents name their configs
        self.endpoint_kinds = {_doc_kind(e) for es in self.endpoints_by_config.values() for e in es}

    def endpoint_names(self, config: EndpointConfig) -> tuple[list[str], bool]:
        """Names of the endpoints deployed from ``config``, and whether that is known.

        Known when an Endpoint document names the config; otherwise the
        endpoint is assumed to share the config's name (what the SageMaker
        Python SDK's ``deploy()`` does) unless an Endpoint document says that
        name belongs to another config, or the config is written as the same
        kind of document (ACK resource, CloudFormation resource, API document)
        as Endpoint documents that name other configs: endpoint configs are
        immutable, so repositories keep superseded versions next to the
        Endpoint that now names the new one.
        """
        if not config.name:
            return [], False
        eps = self.endpoints_by_config.get(config.name)
        if eps:
            return sorted({e.name for e in eps if e.name}), True
        same = self.endpoints.get(config.name)
        if same and all(e.config_name not in (None, config.name) for e in same):
            return [], False
        if _doc_kind(config) in self.endpoint_kinds:
            return [], False
        return [config.name], False

    def variant_targets(self, endpoint: str, variant: str) -> list[ScalableTarget]:
        rid = f"endpoint/{endpoint}/variant/{variant}"
        return [t for t in self.targets.get(rid, []) if t.dimension in (None, "sagemaker:variant:DesiredInstanceCount")]

    def variant_scaled(self, endpoint: str, variant: str) -> bool:
        """A scalable target, or a policy (which needs one), covers the variant, or may:
        one whose ResourceId is known only at deploy time could name it."""
        rid = f"endpoint/{endpoint}/variant/{variant}"
        if self.targets.get(rid) or self.policies.get(rid):
            return True
        return any(_may_name(text, endpoint, variant) for text in self.unknown_ids)

    def unresolved_variant_scaling(self, variant: str) -> bool:
        """Some target or policy names ``variant`` on an endpoint whose config no Endpoint document names."""
        for rid in list(self.targets) + list(self.policies):
            parts = rid.split("/")
            if len(parts) == 4 and parts[0] == "endpoint" and parts[2] == "variant" and parts[3] == variant:
                if parts[1] not in self.endpoints:
                    return True
        return False

    def config_of_endpoint(self, endpoint: str) -> list[EndpointConfig]:
        """Endpoint configs an endpoint name resolves to (Endpoint documents, else the same name)."""
        eps = self.endpoints.get(endpoint)
        if eps:
            names = {e.config_name for e in eps}
            if None in names or len(names) != 1:
                return []
            return list(self.configs.get(names.pop() or "", []))
        return list(self.configs.get(endpoint, []))


def _doc_kind(obj: AwsObject) -> str:
    """How a resource is deployed: ACK, CloudFormation, or API calls (requests and saved responses)."""
    return "api" if obj.form in ("request", "response") else obj.form


_INDEXES: "weakref.WeakKeyDictionary[Any, Index]" = weakref.WeakKeyDictionary()


def index(project: Any) -> Index:
    idx = _INDEXES.get(project)
    if idx is None or len(getattr(project, "objects", ())) != getattr(idx, "_size", -1):
        idx = Index(project)
        idx._size = len(getattr(project, "objects", ()))  # type: ignore[attr-defined]
        _INDEXES[project] = idx
    return idx


def parse_resource_id(rid: Optional[str]) -> Optional[tuple[str, str]]:
    """``endpoint/<name>/variant/<variant>`` -> (name, variant)."""
    if not rid:
        return None
    parts = rid.split("/")
    if len(parts) == 4 and parts[0] == "endpoint" and parts[2] == "variant" and parts[1] and parts[3]:
        return parts[1], parts[3]
    return None
