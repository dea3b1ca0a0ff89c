"""Kubernetes objects of the model: workloads with their pod templates and containers,
HorizontalPodAutoscalers and KEDA ScaledObjects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterator, Optional, Union

from gpulint.diagnostics import Path
from gpulint.model.core import ModelObject, is_accelerator, parse_count
from gpulint.model.kubernetes.shapes import (
    Container,
    HPASpec,
    KServeComponentScaling,
    NodeSelectorTerm,
    PodSpec,
    ScaledObjectSpec,
)


@dataclass(eq=False)
class ContainerRef:
    """A container and where it sits."""

    path: Path
    spec: Container
    init: bool = False

    @property
    def label(self) -> str:
        name = self.spec.name if isinstance(self.spec.name, str) else None
        kind = "init container" if self.init else "container"
        return f"{kind} '{name}'" if name else kind

    @property
    def is_sidecar(self) -> bool:
        return self.init and self.spec.restartPolicy == "Always"

    def resources(self, which: str) -> dict[str, Any]:
        res = self.spec.resources
        if res is None:
            return {}
        return getattr(res, which) or {}

    def accelerators(self) -> set[str]:
        """Accelerator resources this container asks for (a count of 0 is not asking)."""
        names = set()
        for which in ("requests", "limits"):
            names.update(r for r in self.resources(which) if is_accelerator(r))
        return {r for r in names if self.accelerator_count(r) != 0}

    def accelerator_count(self, resource: str) -> Optional[int]:
        """The count the device plugin allocates (the limit, else the request)."""
        limits = self.resources("limits")
        value = limits.get(resource, self.resources("requests").get(resource))
        return parse_count(value) if value is not None else None


@dataclass(eq=False)
class PodTemplate:
    """A pod spec inside an object, and the metadata that goes with it."""

    path: Path  # to the pod spec mapping
    spec: PodSpec
    role: str = ""  # e.g. "predictor", "workerGroupSpecs[gpu]"
    annotations: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=dict)
    #: extra containers outside ``containers`` (KServe ``predictor.model``)
    extra_containers: list[ContainerRef] = field(default_factory=list)
    #: the spec is merged with something gpulint cannot see (a kustomize patch, a
    #: KServe LLMInferenceService over its config templates): absent fields are unknown
    partial: bool = False
    #: a KServe InferenceService component's autoscaling fields (None for other pod specs)
    scaling: Optional[KServeComponentScaling] = None

    def containers(self, include_init: bool = True) -> Iterator[ContainerRef]:
        for i, c in enumerate(self.spec.containers):
            yield ContainerRef(self.path + ("containers", i), c)
        yield from self.extra_containers
        if include_init:
            for i, c in enumerate(self.spec.initContainers or []):
                yield ContainerRef(self.path + ("initContainers", i), c, init=True)

    def accelerators(self) -> set[str]:
        out: set[str] = set()
        for c in self.containers():
            out |= c.accelerators()
        return out

    @property
    def is_gpu(self) -> bool:
        return bool(self.accelerators())

    def pod_request(self, resource: str) -> Optional[int]:
        """Effective pod request for ``resource`` (init containers and sidecars counted).

        None when some container's count is unknown or invalid.
        """
        app = 0
        sidecars = 0
        init_peak = 0
        for c in self.containers(include_init=False):
            n = c.accelerator_count(resource) if resource in c.accelerators() else 0
            if n is None:
                return None
            app += n
        for c in (ContainerRef(self.path + ("initContainers", i), s, True)
                  for i, s in enumerate(self.spec.initContainers or [])):
            n = c.accelerator_count(resource) if resource in c.accelerators() else 0
            if n is None:
                return None
            if c.is_sidecar:
                sidecars += n
            else:
                init_peak = max(init_peak, n + sidecars)
        return max(init_peak, app + sidecars)

    @property
    def node_selector(self) -> dict[str, Any]:
        return self.spec.nodeSelector or {}

    def required_terms(self) -> list[NodeSelectorTerm]:
        aff = self.spec.affinity
        if aff and aff.nodeAffinity and aff.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution:
            return aff.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms or []
        return []


@dataclass(eq=False)
class K8sObject(ModelObject):
    api_version: str = ""
    namespace: Optional[str] = None
    labels: dict[str, Any] = field(default_factory=dict)
    annotations: dict[str, Any] = field(default_factory=dict)

    type_label: ClassVar[str] = "Kubernetes object"

    @property
    def group(self) -> str:
        return self.api_version.split("/")[0] if "/" in self.api_version else ""


@dataclass(eq=False)
class Workload(K8sObject):
    """Anything that runs pods: built-in workloads, KServe, Ray, training operators, CRDs."""

    templates: list[PodTemplate] = field(default_factory=list)

    type_label: ClassVar[str] = "workload"

    @property
    def is_gpu(self) -> bool:
        return any(t.is_gpu for t in self.templates)


@dataclass(eq=False)
class HorizontalPodAutoscaler(K8sObject):
    spec: HPASpec = field(default_factory=HPASpec)


@dataclass(eq=False)
class ScaledObject(K8sObject):
    spec: ScaledObjectSpec = field(default_factory=ScaledObjectSpec)


ScaleTarget = Union[HorizontalPodAutoscaler, ScaledObject]
