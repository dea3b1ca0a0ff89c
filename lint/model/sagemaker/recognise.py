"""The AWS recognisers: request documents, describe responses, ACK resources, CloudFormation.

Four real-world forms carry the same fields and land in the same objects:

* request documents for the boto3 / AWS CLI calls (``create_endpoint_config``,
  ``put_scaling_policy``, ..., including ``--cli-input-json`` and
  ``--cli-input-yaml`` files), recognised by their members (:func:`classify`);
* saved ``describe_*`` responses: the same members plus ARNs, timestamps and
  status (``DescribeScalableTargets`` / ``DescribeScalingPolicies`` output
  holds a list of them);
* AWS Controllers for Kubernetes custom resources
  (``sagemaker.services.k8s.aws``, ``applicationautoscaling.services.k8s.aws``),
  whose ``spec`` spells the API members in camelCase (``resourceID``);
* CloudFormation resources (``AWS::SageMaker::EndpointConfig``, ...), whose
  intrinsic functions (``!Ref``, ``{"Fn::GetAtt": ...}``, ``!Split [...]``) are
  unknown values (see :mod:`.intrinsics`).

Each object is normalised to the API's spelling and validated against its
schema as it is built.
"""

from __future__ import annotations

from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.load import Document, Source
from gpulint.model.core import describe
from gpulint.model.recognize import Recognised, Violation, dig, has_pascal_case_member, recogniser
from gpulint.model.sagemaker.autoscaling import ScalableTarget, ScalingPolicy
from gpulint.model.sagemaker.intrinsics import document_node, retag
from gpulint.model.sagemaker.objects import (
    AwsObject,
    Endpoint,
    EndpointConfig,
    InferenceComponent,
    SageMakerModel,
    TrainingJob,
    TransformJob,
    as_str,
    is_unknown,
)
from gpulint.model.sagemaker.references import join_template
from gpulint.model.sagemaker.schema import load_schema, normalise, validate

SAGEMAKER_GROUP = "sagemaker.services.k8s.aws"
AAS_GROUP = "applicationautoscaling.services.k8s.aws"

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
    if "inferencecomponentname" in keys and "endpointname" in keys and ({"specification", "specifications"} & keys):
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
    result = Recognised()
    root: Any = False  # the composed document, once a resource needs its tags
    built: dict[str, AwsObject] = {}
    for logical, res in typed:
        cls = CFN_TYPES.get(res["Type"])
        props = res.get("Properties")
        if cls is None or not isinstance(props, dict):
            continue
        if root is False:
            root = document_node(source, doc)
        props = retag(props, root, ("Resources", logical, "Properties"))
        before = len(result.objects)
        _build(cls, source, doc, props, ("Resources", logical, "Properties"), "cloudformation", result)
        for obj in result.objects[before:]:
            obj.kind = f"{obj.kind} ({logical})"
            built[logical] = obj
    join_template(built)
    return result


_LISTS = {"scalabletargets": ScalableTarget, "scalingpolicies": ScalingPolicy}


@recogniser(priority=40)
def recognise_api(source: Source, doc: Document) -> Optional[Recognised]:
    """Request documents (boto3 / CLI input) and saved describe_* responses."""
    data = doc.data
    if not isinstance(data, dict) or ("apiVersion" in data and "kind" in data) or not has_pascal_case_member(data):
        return None
    cls = classify(data)
    if cls is not None:
        result = Recognised()
        form = doc.form or ("response" if _is_response(data) else "request")  # doc.form: built from code
        if form == "request" and _skeleton(cls, doc, data, result):
            return result
        _build(cls, source, doc, data, (), form, result)
        if doc.label:  # what a built document stands for: a Terraform address, a Python call
            for obj in result.objects:
                obj.kind = f"{obj.kind} ({doc.label})"
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


# --------------------------------------------------------------------------- skeletons

SKELETON_RULE = "skeleton-document"
#: a document with fewer values says too little to be called a skeleton
SKELETON_MIN_VALUES = 3


def value_counts(value: Any, depth: int = 0) -> tuple[int, int]:
    """(empty strings, scalar values) in ``value``, at any depth: every value of a mapping or
    item of a list that is neither a mapping, a list nor null (null means absent)."""
    if depth > 200:
        return 0, 0
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return (1 if value == "" else 0), (0 if value is None else 1)
    empty = total = 0
    for item in items:
        e, t = value_counts(item, depth + 1)
        empty += e
        total += t
    return empty, total


def _skeleton(cls: type[AwsObject], doc: Document, data: dict, result: Recognised) -> bool:
    """A request document that is a skeleton, its values filled in by code at run time: at
    least ``SKELETON_MIN_VALUES`` scalar values, more than half of them empty strings. Such a
    document gets one note and no object (nothing in it is what will be sent)."""
    empty, total = value_counts(data)
    if total < SKELETON_MIN_VALUES or 2 * empty <= total:
        return False
    result.violations.append(Violation(
        doc.index, (),
        f"{empty} of the {total} values of this {cls.type_label} request are empty strings: "
        "a skeleton filled in at run time, so its fields are not checked",
        rule=SKELETON_RULE,
    ))
    return True
