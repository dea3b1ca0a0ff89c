"""The legacy SageMaker Operator for Kubernetes (``sagemaker.aws.amazon.com/v1``).

Its custom resources hold SageMaker requests, not pods: the controller calls the SageMaker and
Application Auto Scaling APIs with the ``spec``, whose members are the API's in camelCase
(``enableManagedSpotTraining``, ``maxPayloadInMB``). They become the same objects as the API
documents:

* ``TrainingJob`` -> :class:`TrainingJob`; ``BatchTransformJob`` -> :class:`TransformJob`;
* ``HostingDeployment`` -> one :class:`EndpointConfig` (``productionVariants``) and one
  :class:`SageMakerModel` per entry of ``models`` (``name``, ``executionRoleArn``,
  ``containers``); the operator names the endpoint and its config itself (the names appear
  only in the resource's status), so the config has no name and is not joined by one;
* ``HostingAutoscalingPolicy`` -> a :class:`ScalableTarget` (``minCapacity``/``maxCapacity``)
  and a :class:`ScalingPolicy` per entry of ``resourceId`` (``endpointName`` + ``variantName``,
  i.e. ``endpoint/<endpointName>/variant/<variantName>`` in the SageMaker namespace).

The operator writes maps as lists of ``{name, value}`` (``hyperParameters``, ``environment``);
they are read as the API's maps. ``region`` and ``sageMakerEndpoint`` are the operator's own.
Other kinds of the group (HyperparameterTuningJob, ProcessingJob, ...) are claimed and left alone,
so none is ever taken for a pod workload because its containers name an ``image``.
"""

from __future__ import annotations

from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.load import Document, Source
from gpulint.model.recognize import Recognised, Violation, recogniser
from gpulint.model.sagemaker.autoscaling import ScalableTarget, ScalingPolicy
from gpulint.model.sagemaker.objects import (
    AwsObject,
    EndpointConfig,
    SageMakerModel,
    TrainingJob,
    TransformJob,
    as_str,
)

OPERATOR_GROUP = "sagemaker.aws.amazon.com"

#: members whose value the operator writes as a list of {name, value} where the API takes a map
_PAIR_LISTS = frozenset({"hyperparameters", "environment", "ruleparameters", "collectionparameters",
                         "statichyperparameters"})
#: the operator's own members, not the API's
_OWN = frozenset({"region", "sagemakerendpoint"})
_MAX_DEPTH = 50


def api_shape(value: Any, depth: int = 0) -> Any:
    """``value`` with the operator's ``{name, value}`` lists read as maps, and its own members
    left out. A list that is not all ``{name, value}`` pairs is dropped (unknown, not wrong)."""
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            low = key.lower() if isinstance(key, str) else None
            if low in _OWN:
                continue
            if low in _PAIR_LISTS and isinstance(item, list):
                pairs = _pairs(item)
                if pairs is not None:
                    out[key] = pairs
                continue
            out[key] = api_shape(item, depth + 1)
        return out
    if isinstance(value, list):
        return [api_shape(item, depth + 1) for item in value]
    return value


def _pairs(items: list) -> Optional[dict]:
    out = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or set(item) - {"name", "value"}:
            return None
        out[item["name"]] = item.get("value", "")
    return out


def _member(mapping: Any, name: str) -> Any:
    if not isinstance(mapping, dict):
        return None
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def _add(cls: type[AwsObject], source: Source, doc: Document, data: dict, written: Any, base: Path,
         result: Recognised, kind: str, region: Optional[str]) -> Optional[AwsObject]:
    """Build ``cls`` from ``data`` (API members) and read its paths from ``written`` (the file's)."""
    from gpulint.model.sagemaker.recognise import _build

    before = len(result.objects)
    _build(cls, source, doc, data, base, "operator", result)
    if len(result.objects) == before:
        return None
    obj = result.objects[-1]
    assert isinstance(obj, AwsObject)
    obj.raw, obj.kind, obj.region = written, kind, region
    return obj


def _hosting(source: Source, doc: Document, spec: dict, kind: str, region: Optional[str],
             result: Recognised) -> None:
    shaped = api_shape(spec)
    _add(EndpointConfig, source, doc, {k: v for k, v in shaped.items() if k.lower() != "models"}, shaped,
         ("spec",), result, kind, region)
    models = _member(spec, "models")
    if not isinstance(models, list):
        return
    key = next(k for k in spec if isinstance(k, str) and k.lower() == "models")
    for i, model in enumerate(models):
        if not isinstance(model, dict):
            continue
        written = api_shape(model)
        data = {("ModelName" if isinstance(k, str) and k.lower() == "name" else k): v for k, v in written.items()
                if not (isinstance(k, str) and k.lower() == "primarycontainer")}  # a container's hostname here
        _add(SageMakerModel, source, doc, data, written, ("spec", key, i), result, kind, region)


def _autoscaling(source: Source, doc: Document, spec: dict, kind: str, region: Optional[str],
                 result: Recognised) -> None:
    shaped = api_shape(spec)
    common = {"ServiceNamespace": _member(shaped, "serviceNamespace") or "sagemaker"}
    if _member(shaped, "scalableDimension") is not None:
        common["ScalableDimension"] = _member(shaped, "scalableDimension")
    resources = _member(spec, "resourceId")
    ids = []
    for entry in resources if isinstance(resources, list) else []:
        endpoint, variant = as_str(_member(entry, "endpointName")), as_str(_member(entry, "variantName"))
        if endpoint is not None and variant is not None:
            ids.append(f"endpoint/{endpoint}/variant/{variant}")
    if not ids:
        return  # the variants it scales are not known: nothing to check them against
    # one target and one policy, as the settings are written once: rules report each problem once
    common["ResourceId"] = ids[0]
    target = {**common, **{k: v for k, v in shaped.items()
                           if k.lower() in ("mincapacity", "maxcapacity", "suspendedstate")}}
    policy = {**common, "PolicyType": _member(shaped, "policyType") or "TargetTrackingScaling",
              **{k: v for k, v in shaped.items() if k.lower() in (
                  "policyname", "targettrackingscalingpolicyconfiguration")}}
    for cls, data in ((ScalableTarget, target), (ScalingPolicy, policy)):
        obj = _add(cls, source, doc, data, shaped, ("spec",), result, kind, region)
        if isinstance(obj, (ScalableTarget, ScalingPolicy)):
            obj.more_resource_ids = tuple(ids[1:])


_SIMPLE: dict[str, type[AwsObject]] = {"TrainingJob": TrainingJob, "BatchTransformJob": TransformJob}


@recogniser(priority=5)
def recognise_operator(source: Source, doc: Document) -> Optional[Recognised]:
    """Custom resources of the legacy SageMaker operator: claimed before the Kubernetes recogniser."""
    data = doc.data
    if not isinstance(data, dict):
        return None
    api, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str) or api.split("/")[0] != OPERATOR_GROUP:
        return None
    result = Recognised()
    spec = data.get("spec")
    if not isinstance(spec, dict):
        if spec is not None and kind in (*_SIMPLE, "HostingDeployment", "HostingAutoscalingPolicy"):
            result.violations.append(Violation(doc.index, ("spec",), "'spec': expected a mapping"))
        return result
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    label = f"{kind}/{meta['name']}" if isinstance(meta.get("name"), str) else kind
    region = as_str(_member(spec, "region"))
    if kind in _SIMPLE:
        obj = _add(_SIMPLE[kind], source, doc, api_shape(spec), api_shape(spec), ("spec",), result, label, region)
        if obj is not None and obj.name is not None:
            obj.kind = kind
    elif kind == "HostingDeployment":
        _hosting(source, doc, spec, label, region, result)
    elif kind == "HostingAutoscalingPolicy":
        _autoscaling(source, doc, spec, label, region, result)
    _ignores(data, meta, result)
    return result


def _ignores(data: dict, meta: dict, result: Recognised) -> None:
    from gpulint.model.kubernetes import ignored_rules

    rules = ignored_rules(meta.get("annotations"))
    if rules:
        for obj in result.objects:
            obj.ignores = {(): rules}
