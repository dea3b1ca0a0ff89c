"""The rule inference-component-exceeds-instance (SM310): an inference component needs more
accelerators or memory per copy than its instance type has."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model import catalog
from gpulint.model.sagemaker import (
    ComponentSpec,
    InferenceComponent,
    as_int,
    gpu_count,
    index,
    memory_mib,
    neuron_capacity,
    variant_instance_types,
)

COMPUTE = "ComputeResourceRequirements"
#: larger numbers are no counts or sizes anyone means (and need not be printed)
MAX_COUNT = 10**12


@register
class InferenceComponentExceedsInstance(Rule):
    """## What it does
    Flags an inference component whose
    ``ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired`` is
    above the accelerators of the instance type it runs on, or whose
    ``MinMemoryRequiredInMb`` is above that type's memory.

    The instance type comes from the specification itself (each entry of
    ``Specifications`` names one, for endpoints whose variant has instance
    pools) or, for ``Specification``, from the variant the component is
    placed on: ``EndpointName`` resolved to its endpoint config (through an
    Endpoint document, else the config of the same name) and ``VariantName``
    (or the config's only variant) to the variant. When that join is not
    certain the rule stays silent; with instance pools, a ``Specification``
    is reported only when it fits none of the pools' types.

    Accelerators are compared with NVIDIA GPUs per instance. For Inferentia
    and Trainium types the API does not say whether an "accelerator" is a
    Neuron device or a NeuronCore, so the rule reports only a count above
    both. Memory is compared only where the instance catalog records the
    type's memory, and only a requirement above it whether the API's "MB"
    are decimal or binary. Saved ``describe_*`` responses are not checked (the
    service placed the component).

    ## Why is this bad?
    Each copy of an inference component is placed on one instance, with the
    accelerators and memory it reserves. A copy that needs more than an
    instance has can never be placed: the component never reaches
    ``InService`` however many instances the endpoint scales to.

    ## Example
    ```yaml
    EndpointName: chat
    VariantName: AllTraffic        # ml.g5.12xlarge: 4 GPUs
    Specification:
      ComputeResourceRequirements:
        NumberOfAcceleratorDevicesRequired: 8
        MinMemoryRequiredInMb: 1024
    ```

    ## Use instead
    ```yaml
        NumberOfAcceleratorDevicesRequired: 4
    ```
    or place the component on a variant whose instance type has 8 GPUs
    (``ml.p4d.24xlarge``, ``ml.g6e.48xlarge``).

    ## Fix safety
    No automatic fix: fewer accelerators may not hold the model.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceComponentComputeResourceRequirements.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateInferenceComponent.html
    - gpulint domain facts, 10 (accelerators per instance type) and 12 (item 14)
    """

    code = "SM310"
    name = "inference-component-exceeds-instance"
    severity = Severity.ERROR
    summary = "An inference component needs more accelerators or memory per copy than its instance type has"
    domain = "sagemaker"
    targets = (InferenceComponent,)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceComponentComputeResourceRequirements.html"

    def check(self, obj: InferenceComponent, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response: the service placed the component
        for spec in obj.specs():
            compute = spec.section(COMPUTE)
            if not compute:
                continue
            if spec.instance_type:
                types, where = [spec.instance_type], ""
            else:
                joined = _variant_types(obj, ctx)
                if not joined:
                    continue
                types, where = joined
            yield from _accelerators(obj, spec, compute, types, where)
            yield from _memory(obj, spec, compute, types, where)


def _variant_types(obj: InferenceComponent, ctx: Context) -> Optional[tuple[list[str], str]]:
    """The instance types of the variant the component is placed on, when the join is certain."""
    if not obj.endpoint_name:
        return None
    idx = index(ctx.project)
    variant_name = obj.variant_name
    if variant_name is None and obj.data.get("VariantName") is None:
        configs = idx.config_of_endpoint(obj.endpoint_name)
        variants = list(configs[0].variants()) if len(configs) == 1 else []
        variant_name = variants[0].name if len(variants) == 1 else None
    joined = idx.variant_of(obj.endpoint_name, variant_name) if variant_name else None
    if joined is None:
        return None
    config, variant = joined
    types = [t for _, t in variant_instance_types(variant)]
    if not types or variant.data.get("InstanceType") is None and len(types) != len(variant.pools):
        return None  # an instance type known only at deploy time
    return types, f" (variant '{variant_name}' of endpoint config '{config.name}' in {config.file})"


def _capacity(itype: str) -> Optional[tuple[float, str]]:
    """The most accelerators a component can ask for on ``itype``, and how to say it."""
    gpus = gpu_count(itype)
    neuron = neuron_capacity(itype)
    if neuron:
        devices, cores = neuron
        return max(devices, cores), f"{devices} Neuron device(s) with {cores} NeuronCores"
    if gpus:
        return gpus, f"{gpus} GPU(s)"
    it = catalog.get(itype)
    if it is not None and it.accelerated is False:
        return 0, "no accelerators"
    return None


def _accelerators(obj: InferenceComponent, spec: ComponentSpec, compute: dict, types: list[str],
                  where: str) -> Iterator[Finding]:
    wanted = compute.get("NumberOfAcceleratorDevicesRequired")
    if isinstance(wanted, bool) or not isinstance(wanted, (int, float)) or not 0 < wanted <= MAX_COUNT:
        return  # not a count (NaN, infinite, or more digits than a message should print)
    caps = [_capacity(t) for t in types]
    if any(c is None for c in caps) or any(wanted <= c[0] for c in caps if c):
        return  # unknown hardware, or a type it fits on
    have = "; ".join(f"{t} has {c[1]}" for t, c in zip(types, caps) if c)
    yield Finding(
        obj.at(*spec.path, COMPUTE, "NumberOfAcceleratorDevicesRequired"),
        f"each copy needs {_num(wanted)} accelerator(s), but {have}{where}: no instance can host a copy, "
        "so the component is never placed; ask for fewer or use an instance type with more accelerators",
    )


def _memory(obj: InferenceComponent, spec: ComponentSpec, compute: dict, types: list[str],
            where: str) -> Iterator[Finding]:
    wanted = as_int(compute.get("MinMemoryRequiredInMb"))
    if wanted is None or not 0 < wanted <= MAX_COUNT:
        return
    sizes = [memory_mib(t) for t in types]
    # the API does not say whether its MB are 10^6 or 2^20 bytes: report only what exceeds either reading
    if any(s is None or wanted * 1_000_000 <= s * 1_048_576 for s in sizes):
        return
    have = "; ".join(f"{t} has {s} MiB" for t, s in zip(types, sizes))
    yield Finding(
        obj.at(*spec.path, COMPUTE, "MinMemoryRequiredInMb"),
        f"each copy needs at least {wanted} MB of memory, but {have}{where}: no instance can host a copy, "
        "so the component is never placed; lower MinMemoryRequiredInMb or use a larger instance type",
    )


def _num(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
