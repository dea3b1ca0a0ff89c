"""The cross-file index: SageMaker and scaling objects of a project, by the names that join them.

Rules ask which endpoints are deployed from an endpoint config, which config
an endpoint runs, and whether a scalable target or scaling policy covers a
variant; :func:`index` builds an :class:`Index` for a project (again when
objects have been added since) and answers from it.
"""

from __future__ import annotations

import weakref
from typing import Any, Optional

from gpulint.model.sagemaker.autoscaling import (
    ScalableTarget,
    ScalingPolicy,
    may_name,
    parse_resource_id,
    template_text,
)
from gpulint.model.sagemaker.objects import (
    AwsObject,
    Endpoint,
    EndpointConfig,
    InferenceComponent,
    SageMakerModel,
    Variant,
    as_str,
    is_unknown,
)
from gpulint.model.sagemaker.references import ref_name


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
        #: CloudFormation policies that name their target by ``ScalingTargetId`` instead of a ResourceId
        self.by_target_id: list[ScalingPolicy] = []
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
                if isinstance(obj, ScalingPolicy) and rid is None and obj.data.get("ScalingTargetId") is not None:
                    self.by_target_id.append(obj)  # CloudFormation: names its target by ScalingTargetId
                if obj.resource_id:
                    table = self.targets if isinstance(obj, ScalableTarget) else self.policies
                    for resource in (obj.resource_id, *obj.more_resource_ids):
                        table.setdefault(resource, []).append(obj)  # type: ignore[arg-type]
                elif rid is not None and is_unknown(rid):
                    self.unknown_ids.append(template_text(rid))
        #: inference components by the endpoint they are placed on
        self.components: dict[str, list[InferenceComponent]] = {}
        for obj in project.of_type(InferenceComponent):
            if obj.endpoint_name:
                self.components.setdefault(obj.endpoint_name, []).append(obj)
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
        return any(may_name(text, endpoint, variant) for text in self.unknown_ids)

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


    def target_policies(self, target: ScalableTarget) -> tuple[list[ScalingPolicy], bool]:
        """The policies that scale ``target``, and whether some other policy may too: one whose
        ResourceId is known only at deploy time, or whose ``ScalingTargetId`` is not a ``Ref``."""
        rid = target.resource_id
        found = list(self.policies.get(rid, [])) if rid else []
        ids = parse_resource_id(rid)
        uncertain = any(may_name(text, *ids) if ids else True for text in self.unknown_ids)
        logical = target.base[1] if len(target.base) == 3 and target.base[0] == "Resources" else None
        for policy in self.by_target_id:
            ref = ref_name(policy.data.get("ScalingTargetId"))
            if ref is None:
                uncertain = True  # an ARN, an import or a name: it may be this target
            elif policy.source is target.source and policy.doc_index == target.doc_index and ref == logical:
                if policy not in found:
                    found.append(policy)
        return found, uncertain

    def variant_of(self, endpoint: str, variant: str) -> Optional[tuple[EndpointConfig, Variant]]:
        """The endpoint config and variant ``endpoint/<endpoint>/variant/<variant>`` names, when the
        join is certain: one config for the endpoint, one variant of that name in it."""
        configs = self.config_of_endpoint(endpoint)
        if len(configs) != 1:
            return None
        found = [v for v in configs[0].variants() if v.name == variant]
        return (configs[0], found[0]) if len(found) == 1 else None

    def variants_serving(self, model: str) -> list[tuple[EndpointConfig, Variant]]:
        """The variants (of configs some endpoint runs) that serve ``model``: by ``ModelName``, an
        instance pool's ``ModelNameOverride``, or an inference component placed on the variant."""
        out: list[tuple[EndpointConfig, Variant]] = []
        for configs in self.configs.values():
            for config in configs:
                endpoints = self.endpoint_names(config)[0]
                if not endpoints:
                    continue  # a superseded version that no endpoint runs
                for v in config.variants():
                    names = {as_str(v.data.get("ModelName"))}
                    names |= {as_str(p.get("ModelNameOverride")) for p in v.pools if isinstance(p, dict)}
                    if model in names or self._component_serves(endpoints, v, model):
                        out.append((config, v))
        return out

    def _component_serves(self, endpoints: list[str], variant: Variant, model: str) -> bool:
        for endpoint in endpoints:
            for ic in self.components.get(endpoint, []):
                if ic.variant_name == variant.name and any(s.model_name == model for s in ic.specs()):
                    return True
        return False


def variant_instance_types(variant: Variant) -> list[tuple[tuple, str]]:
    """(path in the variant, instance type) of ``InstanceType`` and each pool's; unknown values left out."""
    out = []
    itype = as_str(variant.data.get("InstanceType"))
    if itype:
        out.append((("InstanceType",), itype))
    for i, pool in enumerate(variant.pools):
        name = as_str(pool.get("InstanceType")) if isinstance(pool, dict) else None
        if name:
            out.append((("InstancePools", i, "InstanceType"), name))
    return out


def _doc_kind(obj: AwsObject) -> str:
    """How a resource is deployed: ACK, CloudFormation, the SageMaker Python SDK, or API calls
    (requests, saved responses, boto3 calls in Python)."""
    return "api" if obj.form in ("request", "response", "python") else obj.form


_INDEXES: "weakref.WeakKeyDictionary[Any, Index]" = weakref.WeakKeyDictionary()


def index(project: Any) -> Index:
    idx = _INDEXES.get(project)
    if idx is None or len(getattr(project, "objects", ())) != getattr(idx, "_size", -1):
        idx = Index(project)
        idx._size = len(getattr(project, "objects", ()))  # type: ignore[attr-defined]
        _INDEXES[project] = idx
    return idx
