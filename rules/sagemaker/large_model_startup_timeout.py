"""The rule large-model-startup-timeout (SM309): a variant or inference component that serves a
large model sets neither start-up timeout."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import (
    EndpointConfig,
    InferenceComponent,
    as_str,
    gpu_count,
    index,
    large_model_image,
    large_model_reason,
    variant_instance_types,
)

TIMEOUTS = ("ContainerStartupHealthCheckTimeoutInSeconds", "ModelDataDownloadTimeoutInSeconds")
#: a model sharded across this many GPUs or more is a large one
MANY_GPUS = 4
ADVICE = (
    "set ContainerStartupHealthCheckTimeoutInSeconds and ModelDataDownloadTimeoutInSeconds (60-3600 s) to "
    "600-3600 s, enough for the weights to download and load onto the accelerators, or the endpoint fails "
    "to create when that outlasts SageMaker's default window"
)


@register
class LargeModelStartupTimeout(Rule):
    """## What it does
    Flags a production variant that serves a large model and sets neither
    ``ContainerStartupHealthCheckTimeoutInSeconds`` nor
    ``ModelDataDownloadTimeoutInSeconds``, and an inference component
    specification (``Specification``, or an entry of ``Specifications``)
    that serves one without either in ``StartupParameters``.

    A variant serves a large model when two things say so: its model
    (joined by ``ModelName`` or ``ModelNameOverride``, when exactly one model
    document has that name) runs a large-model serving image (LMI / DJL
    Serving ``djl-inference``, Hugging Face TGI
    ``huggingface-pytorch-tgi-inference``, vLLM, TensorRT-LLM; recognised by
    the image repository's name) or loads its weights from an uncompressed
    S3 prefix (``ModelDataSource.S3DataSource.CompressionType: None``), and
    its instance type (every one of its instance pools) has 4 or more
    NVIDIA GPUs, so the model is big enough to be sharded across them. An
    inference component serves one when its container image or its model is
    such and it needs 4 or more accelerators
    (``ComputeResourceRequirements.NumberOfAcceleratorDevicesRequired``).
    Neither sign alone is taken as evidence: the same images serve 1-7B
    models that load in a minute or two (AWS's own examples deploy them
    without either timeout), and an instance with 4 or 8 GPUs may serve a
    small model several times over.
    Variants without a model of their own (endpoints that host inference
    components), serverless variants, adapter components
    (``BaseInferenceComponentName``) and saved ``describe_*`` responses (the
    endpoint was created) are not checked; setting either timeout, to any
    value, silences the rule.

    ## Why is this bad?
    SageMaker gives a new instance a fixed window to download the model
    data and another for the container to pass its first health check. A
    model of tens of gigabytes (a 70B model is about 140 GB in 16-bit
    weights) can take longer than that to download, shard and load; the
    endpoint then sits in ``Creating`` and fails, and every scale-out
    replays the same failure. What the default windows are when the
    members are unset is not documented (the fact sheet lists it as
    unverified), so the rule does not say by how much a model misses them;
    the members' allowed range is 60-3600 s.

    ## Example
    ```yaml
    ProductionVariants:
      - VariantName: AllTraffic
        ModelName: llama-70b            # a djl-inference (LMI) image
        InstanceType: ml.p4d.24xlarge   # 8 GPUs
        InitialInstanceCount: 1
    ```

    ## Use instead
    ```yaml
        ModelDataDownloadTimeoutInSeconds: 1800
        ContainerStartupHealthCheckTimeoutInSeconds: 1800
    ```
    Pick values from the time a model of this size takes to download and
    load (600-3600 s); for an inference component, set the same members
    under ``Specification.StartupParameters``.

    ## Fix safety
    No automatic fix: the right window depends on the model's size and the
    instance's network and storage.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceComponentStartupParameters.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_S3ModelDataSource.html
    - gpulint domain facts, 6.3 (timeout ranges) and 12 (items 7 and 15)
    """

    code = "SM309"
    name = "large-model-startup-timeout"
    severity = Severity.WARNING
    summary = "A variant or inference component serving a large model sets neither start-up timeout"
    domain = "sagemaker"
    targets = (EndpointConfig, InferenceComponent)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html"

    def check(self, obj: Any, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response: the endpoint was created
        if isinstance(obj, EndpointConfig):
            yield from self._config(obj, ctx)
        else:
            yield from self._component(obj, ctx)

    def _config(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        for v in obj.variants():
            base = ("ProductionVariants", v.index)
            if v.serverless or v.scaling_unknown or any(v.data.get(t) is not None for t in TIMEOUTS):
                continue
            models = [as_str(v.data.get("ModelName"))] + [
                as_str(p.get("ModelNameOverride")) for p in v.pools if isinstance(p, dict)]
            if not models[0]:
                continue  # an endpoint for inference components: they carry their own start-up parameters
            gpus = _many_gpus(v)
            found = _model_reason(ctx, [m for m in models if m], ("ModelName",)) if gpus else None
            if found:
                where, why = found
                label = f"variant '{v.name}'" if v.name else "this variant"
                yield Finding(obj.at(*base, *where), f"{label} serves a large model ({why}; {gpus}) and sets "
                              f"neither start-up timeout: {ADVICE}")

    def _component(self, obj: InferenceComponent, ctx: Context) -> Iterator[Finding]:
        for spec in obj.specs():
            startup = spec.data.get("StartupParameters")
            if spec.data.get("BaseInferenceComponentName") is not None:
                continue  # an adapter, loaded onto its base component
            if startup is not None and (not isinstance(startup, dict)
                                        or any(startup.get(t) is not None for t in TIMEOUTS)):
                continue
            accelerators = spec.section("ComputeResourceRequirements").get("NumberOfAcceleratorDevicesRequired")
            if isinstance(accelerators, bool) or not isinstance(accelerators, (int, float)) \
                    or not MANY_GPUS <= accelerators <= 10**6:
                continue
            kind = large_model_image(as_str(spec.section("Container").get("Image")))
            if kind:
                found: Optional[tuple] = (("Container", "Image"), f"its container image is {kind}")
            else:
                found = _model_reason(ctx, [spec.model_name] if spec.model_name else [], ("ModelName",))
            if found:
                where, why = found
                yield Finding(obj.at(*spec.path, *where), f"inference component serves a large model ({why}; "
                              f"{accelerators:g} accelerators per copy) and "
                              f"its StartupParameters set neither start-up timeout: {ADVICE}")


def _many_gpus(v: Any) -> Optional[str]:
    """Each instance type of the variant has 4 or more GPUs: in a few words, else None."""
    types = variant_instance_types(v)
    counts = [gpu_count(itype) for _, itype in types]
    if not types or any(c is None or c < MANY_GPUS for c in counts):
        return None
    return ", ".join(f"{itype} has {c} GPUs" for (_, itype), c in zip(types, counts))


def _model_reason(ctx: Context, names: list[str], where: tuple) -> Optional[tuple]:
    idx = index(ctx.project)
    for name in names:
        models = idx.models.get(name, [])
        if len(models) == 1:
            why = large_model_reason(models[0])
            if why:
                return where, f"model '{name}': {why}"
    return None
