"""The cross-file index: SageMaker and scaling objects of a project, by the names that join them.

Rules ask which endpoints are deployed from an endpoint config, which config
an endpoint runs, and whether a scalable target or scaling policy covers a
variant; :func:`index` builds an :class:`Index` for a project (again when
objects have been added since) and answers from it.
"""

from __future__ import annotations

import weakref
from typing import Any

from gpulint.model.sagemaker.autoscaling import ScalableTarget, ScalingPolicy, may_name, template_text
from gpulint.model.sagemaker.objects import AwsObject, Endpoint, EndpointConfig, SageMakerModel, is_unknown


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
                    self.unknown_ids.append(template_text(rid))
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
