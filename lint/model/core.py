"""The common model: typed objects that every recogniser produces and every rule reads.

Shapes (what a field must look like) are pydantic models: validating a raw
document against them is how ``schema-violation`` is found, and the JSON
Schemas shipped in ``schemas/`` are generated from them. Scalars are kept as
written (a Kubernetes quantity may be ``1`` or ``"1"``); only structure and
integers are checked, and unrendered template placeholders are accepted as
unknown values everywhere.

The objects that rules receive (``K8sObject`` and friends) are small records
that point back into their document by *path*, so a rule can report the exact
node without ever seeing text or line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Iterator, Optional, Union

from pydantic import BaseModel, ConfigDict, PlainValidator
from pydantic_core import PydanticCustomError

from gpulint.diagnostics import Path

if TYPE_CHECKING:  # pragma: no cover
    from fractions import Fraction

    from gpulint.load import Source

# --------------------------------------------------------------------------- values

_PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\$\{[^}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|^<[^<>]+>$|^%\{?[A-Za-z_]\w*\}?%?$|^__[A-Z0-9_]+__$",
    re.DOTALL,
)


def is_placeholder(value: Any) -> bool:
    """True for unrendered template values: ``$VAR``, ``${VAR}``, ``{{ x }}``, ``<name>``, tags."""
    if isinstance(value, str):
        return bool(_PLACEHOLDER.search(value))
    # a CloudFormation-style tagged scalar (``!Ref Foo``) is unknown too
    return type(value).__name__ == "Tagged"


class Unknown:
    """Marker for a value gpulint cannot know until render time."""

    __slots__ = ("raw",)

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def __repr__(self) -> str:
        return f"Unknown({self.raw!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.raw == self.raw

    def __hash__(self) -> int:
        return hash(("Unknown", str(self.raw)))


def _int_like(value: Any) -> Any:
    if is_placeholder(value):
        return Unknown(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "expected an integer, found {found}", {"found": repr(value)})
    return value


def _scalar(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        kind = "a mapping" if isinstance(value, dict) else "a list"
        raise PydanticCustomError("scalar_type", "expected a single value, found {kind}", {"kind": kind})
    return value


def _string_map(value: Any) -> Any:
    if is_placeholder(value):
        return {}
    if not isinstance(value, dict):
        raise PydanticCustomError("dict_type", "expected a mapping, found {found}", {"found": describe(value)})
    for k, v in value.items():
        if isinstance(v, (dict, list)):
            raise PydanticCustomError(
                "scalar_type", "expected a single value for {key}, found {kind}",
                {"key": repr(k), "kind": describe(v), "entry": k},  # entry: where the report points
            )
    return value


def describe(value: Any) -> str:
    """A short phrase for a value in a message: ``a mapping``, ``'abc'``, ``3``."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "null"
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 60 else text[:57] + "..."


IntLike = Annotated[Any, PlainValidator(_int_like)]
Scalar = Annotated[Any, PlainValidator(_scalar)]
StringMap = Annotated[dict, PlainValidator(_string_map)]


class Shape(BaseModel):
    """Base for document shapes: extra fields are fine, structure is checked."""

    model_config = ConfigDict(extra="ignore", frozen=False, arbitrary_types_allowed=True, defer_build=True)


# --------------------------------------------------------------------------- Kubernetes shapes


class ResourceRequirements(Shape):
    requests: Optional[StringMap] = None
    limits: Optional[StringMap] = None


class Probe(Shape):
    initialDelaySeconds: Optional[IntLike] = None
    periodSeconds: Optional[IntLike] = None
    failureThreshold: Optional[IntLike] = None
    timeoutSeconds: Optional[IntLike] = None
    successThreshold: Optional[IntLike] = None


class EnvVar(Shape):
    name: Scalar = None
    value: Scalar = None


class Container(Shape):
    name: Scalar = None
    image: Scalar = None
    resources: Optional[ResourceRequirements] = None
    livenessProbe: Optional[Probe] = None
    readinessProbe: Optional[Probe] = None
    startupProbe: Optional[Probe] = None
    restartPolicy: Scalar = None
    env: Optional[list[EnvVar]] = None


class Toleration(Shape):
    key: Scalar = None
    operator: Scalar = None
    value: Scalar = None
    effect: Scalar = None
    tolerationSeconds: Optional[IntLike] = None


class NodeSelectorRequirement(Shape):
    key: Scalar = None
    operator: Scalar = None
    values: Optional[list[Scalar]] = None


class NodeSelectorTerm(Shape):
    matchExpressions: Optional[list[NodeSelectorRequirement]] = None
    matchFields: Optional[list[NodeSelectorRequirement]] = None


class NodeSelector(Shape):
    nodeSelectorTerms: Optional[list[NodeSelectorTerm]] = None


class NodeAffinity(Shape):
    requiredDuringSchedulingIgnoredDuringExecution: Optional[NodeSelector] = None


class Affinity(Shape):
    nodeAffinity: Optional[NodeAffinity] = None


class PodSpec(Shape):
    containers: list[Container]
    initContainers: Optional[list[Container]] = None
    tolerations: Optional[list[Toleration]] = None
    nodeSelector: Optional[StringMap] = None
    affinity: Optional[Affinity] = None


class ObjectMeta(Shape):
    name: Scalar = None
    namespace: Scalar = None
    labels: Optional[StringMap] = None
    annotations: Optional[StringMap] = None


class CrossVersionObjectReference(Shape):
    kind: Scalar = None
    name: Scalar = None
    apiVersion: Scalar = None


class MetricTarget(Shape):
    type: Scalar = None


class MetricSource(Shape):
    name: Scalar = None


class HPAMetric(Shape):
    type: Scalar = None
    resource: Optional[MetricSource] = None
    containerResource: Optional[MetricSource] = None


class HPAScalingRules(Shape):
    stabilizationWindowSeconds: Optional[IntLike] = None
    selectPolicy: Scalar = None


class HPABehavior(Shape):
    scaleDown: Optional[HPAScalingRules] = None
    scaleUp: Optional[HPAScalingRules] = None


class HPASpec(Shape):
    scaleTargetRef: Optional[CrossVersionObjectReference] = None
    minReplicas: Optional[IntLike] = None
    maxReplicas: Optional[IntLike] = None
    metrics: Optional[list[HPAMetric]] = None
    targetCPUUtilizationPercentage: Optional[IntLike] = None
    behavior: Optional[HPABehavior] = None


class KedaHPAConfig(Shape):
    behavior: Optional[HPABehavior] = None


class KedaAdvanced(Shape):
    horizontalPodAutoscalerConfig: Optional[KedaHPAConfig] = None


class ScaledObjectSpec(Shape):
    scaleTargetRef: Optional[CrossVersionObjectReference] = None
    minReplicaCount: Optional[IntLike] = None
    maxReplicaCount: Optional[IntLike] = None
    idleReplicaCount: Optional[IntLike] = None
    cooldownPeriod: Optional[IntLike] = None
    advanced: Optional[KedaAdvanced] = None
    triggers: Optional[list[dict]] = None


# --------------------------------------------------------------------------- accelerators

ACCELERATOR_RESOURCES = frozenset(
    {
        "nvidia.com/gpu",
        "nvidia.com/gpu.shared",
        "aws.amazon.com/neuron",
        "aws.amazon.com/neuroncore",
        "aws.amazon.com/neurondevice",
        "amd.com/gpu",
        "habana.ai/gaudi",
        "intel.com/gpu",
    }
)


def is_accelerator(resource: Any) -> bool:
    return isinstance(resource, str) and (
        resource in ACCELERATOR_RESOURCES or resource.startswith("nvidia.com/mig-")
    )


_QUANTITY = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?")
_BINARY_SI = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SI = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}


def parse_quantity(text: str) -> Optional["Fraction"]:
    """A Kubernetes quantity string (``2``, ``500m``, ``1k``, ``1e3``, ``1Ki``) as an exact number."""
    from fractions import Fraction  # most counts are plain digits and never get here

    m = _QUANTITY.fullmatch(text)
    if not m:
        return None
    sign, number, suffix = m.groups()
    value = Fraction(number)
    if suffix in _BINARY_SI:
        value *= 2 ** _BINARY_SI[suffix]
    elif suffix in _DECIMAL_SI:
        value *= Fraction(10) ** _DECIMAL_SI[suffix]
    elif suffix:
        exponent = int(suffix[1:])
        if abs(exponent) > 100:
            return None
        value *= Fraction(10) ** exponent
    return -value if sign == "-" else value


def parse_count(value: Any) -> Optional[int]:
    """A whole, non-negative device count, or None when the value is not one.

    Follows the API server: any quantity whose value is a whole number is
    accepted (``"1000m"`` is 1, ``"1k"`` is 1000); fractions and negatives are not.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str):
        text = value.strip()  # the API server trims quantities
        if text.isascii() and text.isdigit():
            return int(text)
        quantity = parse_quantity(text)
        if quantity is None or quantity < 0 or quantity.denominator != 1:
            return None
        return int(quantity)
    return None


# --------------------------------------------------------------------------- objects


@dataclass(eq=False)
class ModelObject:
    """Anything a recogniser produced from one document."""

    source: "Source"
    doc_index: int
    base: Path  # path of this object inside its document
    kind: str
    name: Optional[str]

    #: what ``gpulint.io/ignore`` and friends say, per path prefix
    ignores: dict[Path, frozenset[str]] = field(default_factory=dict)

    type_label: ClassVar[str] = "object"

    @property
    def file(self) -> str:
        return self.source.name

    def at(self, *steps: Any) -> Path:
        return self.base + tuple(steps)

    def display(self) -> str:
        return f"{self.kind}/{self.name}" if self.name else self.kind


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
