"""The rule scaling-capacity-invalid (AAS403): a scalable target's MinCapacity/MaxCapacity are
inverted, negative, or 0 where it cannot be."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import ScalableTarget, as_int, as_str, index, parse_resource_id


@register
class ScalingCapacityInvalid(Rule):
    """## What it does
    Flags a scalable target whose ``MinCapacity`` is greater than its
    ``MaxCapacity``, whose capacities are negative, or whose ``MinCapacity`` is
    0 for a real-time endpoint variant that cannot scale to zero.

    A variant can scale to zero instances only when its endpoint is
    asynchronous, or when it hosts inference components with
    ``ManagedInstanceScaling.MinInstanceCount: 0`` (then the copy counts of the
    inference components are what scales). The last check runs only when the
    target joins, without ambiguity, to an endpoint config in the linted set
    (``ResourceId: endpoint/<endpoint>/variant/<variant>``, the endpoint
    resolved through an Endpoint document or sharing the config's name). A
    saved ``DescribeScalableTargets`` response is not checked: the service has
    accepted the target it records.

    ## Why is this bad?
    Application Auto Scaling rejects a target with MinCapacity above
    MaxCapacity or negative values. A real-time variant registered with
    MinCapacity 0 is either rejected or, at best, never reaches zero: SageMaker
    documents scale-to-zero only for inference components and asynchronous
    endpoints.

    ## Example
    ```yaml
    ResourceId: endpoint/llm/variant/AllTraffic
    ScalableDimension: sagemaker:variant:DesiredInstanceCount
    MinCapacity: 4
    MaxCapacity: 2
    ```

    ## Use instead
    ```yaml
    MinCapacity: 1
    MaxCapacity: 4
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html
    """

    code = "AAS403"
    name = "scaling-capacity-invalid"
    severity = Severity.ERROR
    summary = "A scalable target's MinCapacity/MaxCapacity are inverted, negative, or 0 where it cannot be"
    domain = "autoscaling"
    targets = (ScalableTarget,)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html"

    def check(self, obj: ScalableTarget, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response records a target the service has accepted
        low, high = as_int(obj.get("MinCapacity")), as_int(obj.get("MaxCapacity"))
        for member, value in (("MinCapacity", low), ("MaxCapacity", high)):
            if value is not None and value < 0:
                yield Finding(obj.at(member), f"{member} is {value}; capacities cannot be negative")
        if low is not None and high is not None and low > high >= 0:
            yield Finding(
                obj.at("MinCapacity"),
                f"MinCapacity {low} is greater than MaxCapacity {high}; Application Auto Scaling rejects the target",
                also=[obj.at("MaxCapacity")],
            )
            return
        if low == 0 and obj.dimension == "sagemaker:variant:DesiredInstanceCount" \
                and as_str(obj.get("ServiceNamespace")) in (None, "sagemaker"):
            yield from self._zero(obj, ctx)

    def _zero(self, obj: ScalableTarget, ctx: Context) -> Iterator[Finding]:
        ids = parse_resource_id(obj.resource_id)
        if ids is None:
            return
        endpoint, variant_name = ids
        configs = index(ctx.project).config_of_endpoint(endpoint)
        if len(configs) != 1:
            return  # unknown or ambiguous: stay silent
        config = configs[0]
        if config.is_async:
            return
        variants = [v for v in config.variants() if v.name == variant_name]
        if len(variants) != 1:
            return
        variant = variants[0]
        if variant.serverless or variant.managed_scaling or variant.scaling_unknown:
            return  # inference-component endpoints scale their copies, not this target
        yield Finding(
            obj.at("MinCapacity"),
            f"MinCapacity is 0 for variant '{variant_name}' of real-time endpoint config '{config.name}' "
            f"({config.file}): real-time variants cannot scale to zero instances unless they host inference "
            "components (ManagedInstanceScaling.MinInstanceCount 0); use MinCapacity 1, or an asynchronous endpoint",
            related=[config.file],
        )
