"""The rule serverless-config-invalid (SM311): a serverless variant's memory is not in 1024 MB
steps, its provisioned concurrency is above its maximum, or it names an accelerated instance."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model import catalog
from gpulint.model.sagemaker import EndpointConfig, Variant, as_int, as_str, is_unknown

MEMORY_STEP = 1024
MEMORY_RANGE = (1024, 6144)
CONCURRENCY_RANGE = (1, 200)


@register
class ServerlessConfigInvalid(Rule):
    """## What it does
    Flags a serverless production variant (one with ``ServerlessConfig``) whose
    ``MemorySizeInMB`` is within 1024-6144 but not a multiple of 1024, whose
    ``ProvisionedConcurrency`` is above its ``MaxConcurrency``, or that names
    an accelerated instance type (GPU, Inferentia, Trainium) in
    ``InstanceType``, or sets ``AcceleratorType``.

    Values outside the API's ranges (``MemorySizeInMB`` below 1024 or above
    6144, concurrencies outside 1-200) are already ``schema-violation``s and
    are not reported again. A saved ``DescribeEndpointConfig`` response is not
    checked: it records a config the service accepted.

    ## Why is this bad?
    SageMaker accepts serverless memory only in 1 GB steps (1024, 2048, 3072,
    4096, 5120 or 6144 MB), and provisioned concurrency must be less than or
    equal to the maximum concurrency: the endpoint config is rejected.
    Serverless endpoints run on CPU only: an accelerated instance type on a
    serverless variant says the model expects a GPU (or Inferentia) that the
    endpoint will not have. (That serverless inference excludes GPUs rests
    on AWS's list of features serverless endpoints do not support; see
    the fact sheet's unverified list, item 1.)

    ## Example
    ```yaml
    ServerlessConfig:
      MemorySizeInMB: 2500
      MaxConcurrency: 5
      ProvisionedConcurrency: 10
    ```

    ## Use instead
    ```yaml
    ServerlessConfig:
      MemorySizeInMB: 3072
      MaxConcurrency: 10
      ProvisionedConcurrency: 10
    ```
    For a model that needs a GPU, use a real-time or asynchronous endpoint
    on a GPU instance type instead of a serverless one.

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` rounds ``MemorySizeInMB`` up to the next
    multiple of 1024. The larger size costs more per second of compute, and
    whether the model needs it (or would fit in the size below) is for you
    to judge. The other problems have no automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints.html
    - gpulint domain facts, 6.1 (serverless rows) and 12 (item 1)
    """

    code = "SM311"
    name = "serverless-config-invalid"
    severity = Severity.ERROR
    summary = "A serverless variant's memory is not in 1 GB steps, its provisioned concurrency is above its maximum, or it names an accelerated instance"
    domain = "sagemaker"
    targets = (EndpointConfig,)
    fix = Applicability.UNSAFE
    fix_summary = "round `MemorySizeInMB` up to the next multiple of 1024"
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantServerlessConfig.html"

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response records a config the service accepted
        for v in obj.variants():
            if v.serverless:
                yield from _memory(obj, v)
                yield from _concurrency(obj, v)
                yield from _accelerators(obj, v)


def _label(v: Variant) -> str:
    return f"serverless variant '{v.name}'" if v.name else "this serverless variant"


def _memory(obj: EndpointConfig, v: Variant) -> Iterator[Finding]:
    path = ("ProductionVariants", v.index, "ServerlessConfig", "MemorySizeInMB")
    memory = as_int(v.data["ServerlessConfig"].get("MemorySizeInMB"))
    if memory is None or not MEMORY_RANGE[0] <= memory <= MEMORY_RANGE[1] or memory % MEMORY_STEP == 0:
        return
    up = -(-memory // MEMORY_STEP) * MEMORY_STEP  # within the range, so is the step below
    yield Finding(
        obj.at(*path),
        f"{_label(v)}: MemorySizeInMB is {memory}; serverless memory comes in 1024 MB steps "
        f"(1024, 2048, ... 6144) and SageMaker rejects other sizes: use {up - MEMORY_STEP} or {up}",
        fix=Fix([Edit(obj.at(*path), up)], Applicability.UNSAFE, f"set MemorySizeInMB to {up}"),
    )


def _concurrency(obj: EndpointConfig, v: Variant) -> Iterator[Finding]:
    conf = v.data["ServerlessConfig"]
    high, provisioned = as_int(conf.get("MaxConcurrency")), as_int(conf.get("ProvisionedConcurrency"))
    low_end, high_end = CONCURRENCY_RANGE
    if high is None or provisioned is None or not (low_end <= high <= high_end and low_end <= provisioned <= high_end):
        return
    if provisioned > high:
        base = ("ProductionVariants", v.index, "ServerlessConfig")
        yield Finding(
            obj.at(*base, "ProvisionedConcurrency"),
            f"{_label(v)}: ProvisionedConcurrency {provisioned} is above MaxConcurrency {high}; SageMaker "
            "requires provisioned concurrency at or below the maximum: lower it or raise MaxConcurrency",
            also=[obj.at(*base, "MaxConcurrency")],
        )


def _accelerators(obj: EndpointConfig, v: Variant) -> Iterator[Finding]:
    base = ("ProductionVariants", v.index)
    itype = as_str(v.data.get("InstanceType"))
    it = catalog.get(itype)
    if it is not None and it.accelerated:
        yield Finding(
            obj.at(*base, "InstanceType"),
            f"{_label(v)} names accelerated instance type {itype}, but serverless endpoints run on CPU only "
            "(GPUs are not offered for serverless inference): host a model that needs a GPU on a real-time or asynchronous endpoint",
        )
    accel = v.data.get("AcceleratorType")
    if accel is not None and not is_unknown(accel):
        yield Finding(
            obj.at(*base, "AcceleratorType"),
            f"{_label(v)} sets AcceleratorType, but serverless endpoints run on CPU only (and Elastic Inference "
            "accelerators are no longer offered): remove it, or host the model on a GPU instance type",
        )
