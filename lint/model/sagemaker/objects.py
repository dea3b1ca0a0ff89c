"""SageMaker resources as model objects, and the readers rules use on their members.

An :class:`AwsObject` keeps its members in the API's spelling (``data``,
nulls dropped) next to the mapping as written (``raw``), so rules read one
shape whatever the form of the document; :meth:`AwsObject.at` turns an API
path back into the path written in the file. Each SageMaker resource
(:class:`EndpointConfig`, :class:`Endpoint`, :class:`SageMakerModel`, ...)
names the JSON Schemas of its request and of its ``describe_*`` response.
Values may be unknown until deploy time (:func:`is_unknown`); the ``as_*``
readers return None for those and for values of the wrong type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Iterator, Optional

from gpulint.diagnostics import Path
from gpulint.load import Tagged
from gpulint.model.core import ModelObject, is_placeholder
from gpulint.model.recognize import dig
from gpulint.model.sagemaker.intrinsics import is_intrinsic

# --------------------------------------------------------------------------- values


def is_unknown(value: Any) -> bool:
    """An unrendered placeholder, a tagged (``!Ref``, ``!Split [...]``) value or a CloudFormation
    intrinsic function (``{"Ref": ...}``, ``{"Fn::GetAtt": ...}``): unknown until deploy time."""
    if isinstance(value, dict):
        return is_intrinsic(value)
    return isinstance(value, Tagged) or is_placeholder(value)


def as_int(value: Any) -> Optional[int]:
    """A whole number written as a number, else None (absent, unknown or wrong type)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


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
    #: "request", "response", "ack", "cloudformation", "operator" (the legacy SageMaker operator),
    #: "terraform" (a resource of a .tf file), "python" (a boto3 call) or "python-sdk"
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
        conf = self.data.get("ServerlessConfig")
        return isinstance(conf, dict) and not is_intrinsic(conf)

    @property
    def scaling_unknown(self) -> bool:
        """Is it unknown until deploy time whether the variant is serverless or scales its
        instances itself (``ManagedInstanceScaling: !If [...]``)? Rules that depend on either
        stay silent then."""
        return is_unknown(self.data.get("ServerlessConfig")) or is_unknown(self.data.get("ManagedInstanceScaling"))

    @property
    def instance_count(self) -> Optional[int]:
        return as_int(self.data.get("InitialInstanceCount"))

    @property
    def managed_scaling(self) -> dict:
        mis = self.data.get("ManagedInstanceScaling")
        return mis if isinstance(mis, dict) and not is_intrinsic(mis) else {}

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
                if isinstance(pv, dict) and not is_intrinsic(pv):
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
        if isinstance(primary, dict) and not is_intrinsic(primary):
            yield ("PrimaryContainer",), primary
        containers = self.data.get("Containers")
        if isinstance(containers, list):
            for i, c in enumerate(containers):
                if isinstance(c, dict) and not is_intrinsic(c):
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
class ComponentSpec:
    """One specification of an inference component: ``Specification``, or one entry of
    ``Specifications`` (one per instance type of an endpoint whose variant has instance pools)."""

    #: the API path of the specification in its document
    path: tuple
    data: dict

    @property
    def instance_type(self) -> Optional[str]:
        """The instance type the entry is for (``Specifications`` entries name one), else None."""
        return as_str(self.data.get("InstanceType"))

    @property
    def model_name(self) -> Optional[str]:
        return as_str(self.data.get("ModelName"))

    def section(self, member: str) -> dict:
        """A member that is a mapping (``ComputeResourceRequirements``, ``StartupParameters``), else {}."""
        value = self.data.get(member)
        return value if isinstance(value, dict) and not is_intrinsic(value) else {}


@dataclass(eq=False)
class InferenceComponent(AwsObject):
    type_label: ClassVar[str] = "inference component"
    schema: ClassVar[str] = "sagemaker/CreateInferenceComponent"
    response_schema: ClassVar[str] = "sagemaker/DescribeInferenceComponent"
    name_member: ClassVar[str] = "InferenceComponentName"

    @property
    def endpoint_name(self) -> Optional[str]:
        return as_str(self.data.get("EndpointName"))

    @property
    def variant_name(self) -> Optional[str]:
        return as_str(self.data.get("VariantName"))

    def specs(self) -> Iterator[ComponentSpec]:
        """``Specification`` and each entry of ``Specifications``, as written."""
        spec = self.data.get("Specification")
        if isinstance(spec, dict) and not is_intrinsic(spec):
            yield ComponentSpec(("Specification",), spec)
        entries = self.data.get("Specifications")
        if isinstance(entries, list):
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and not is_intrinsic(entry):
                    yield ComponentSpec(("Specifications", i), entry)
