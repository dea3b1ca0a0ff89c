"""The rule scale-in-cooldown-long (AAS406): a GPU variant's target-tracking policy waits longer
than the maximum before scaling in."""

from __future__ import annotations

from typing import Iterator, Optional

from pydantic import Field

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import ScalingPolicy, as_bool, as_int, gpu_count, index, parse_resource_id, \
    target_tracking, variant_instance_types
from gpulint.rules.autoscaling import AAS_TT_DOC


class LongCooldownOptions(RuleOptions):
    max_seconds: int = Field(1800, ge=0, description="Longest acceptable ScaleInCooldown for a GPU variant, in seconds.")


@register
class ScaleInCooldownLong(Rule):
    """## What it does
    Flags a target-tracking scaling policy of a SageMaker endpoint variant
    on GPU instances whose ``ScaleInCooldown`` is above a maximum (option
    ``max-seconds``, default 1800 s). The policy is joined to its variant
    through ``endpoint/<endpoint>/variant/<variant>`` (the endpoint resolved
    through an Endpoint document, or the config of the same name); the rule
    stays silent when that join is not certain, when no instance type of the
    variant is known to have GPUs, and when scale-in is disabled.

    ## Why is this bad?
    ``ScaleInCooldown`` is the time after a scale-in activity completes
    before another may start, so once traffic drops, each scale-in step
    after the first waits a whole cooldown, and the idle GPU instances stay
    billed meanwhile: with a one-hour cooldown, a fleet that scaled out
    for a burst can take hours to shrink back. A cooldown of more than half an hour on GPU instances is rarely
    what a team means to pay for; the short end is ``scale-in-cooldown-short``'s
    concern (at least the 300 s default).

    The message names the instance type and its GPUs but gives no price:
    prices live in the cost estimate (``gpulint cost`` shows the variant's
    hourly price and monthly range), which rules do not read.

    ## Example
    ```yaml
    ResourceId: endpoint/llm/variant/AllTraffic   # ml.g5.12xlarge, 4 GPUs
    TargetTrackingScalingPolicyConfiguration:
      TargetValue: 5
      ScaleInCooldown: 3600
    ```

    ## Use instead
    ```yaml
      ScaleInCooldown: 600
    ```

    ## Fix safety
    No automatic fix: the right cooldown depends on the traffic.

    ## References
    - https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-policy.html
    - gpulint domain facts, 7 (PutScalingPolicy, target tracking)
    """

    code = "AAS406"
    name = "scale-in-cooldown-long"
    severity = Severity.INFO
    summary = "A GPU variant's target-tracking policy waits longer than the maximum before scaling in"
    domain = "autoscaling"
    targets = (ScalingPolicy,)
    Options = LongCooldownOptions
    cross_file = True
    source_url = AAS_TT_DOC

    def check(self, obj: ScalingPolicy, ctx: Context) -> Iterator[Finding]:
        conf = target_tracking(obj)
        if conf is None or as_bool(conf.get("DisableScaleIn")) is True:
            return
        cooldown = as_int(conf.get("ScaleInCooldown"))
        maximum = ctx.options.max_seconds
        if cooldown is None or cooldown <= maximum or cooldown > 10**12:
            return  # within the maximum, or no number of seconds anyone means
        gpus = _gpu_variant(obj, ctx)
        if gpus is None:
            return
        label, itype, count, file = gpus
        yield Finding(
            obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown"),
            f"ScaleInCooldown is {cooldown} s, above {maximum} s, for {label} on {itype} ({count} GPU{'s' if count != 1 else ''} each): "
            f"after traffic drops, each further scale-in waits {cooldown} s while idle GPU instances stay billed; "
            "measure how long a new instance takes to serve and use a shorter cooldown",
            related=[file],
        )


def _gpu_variant(policy: ScalingPolicy, ctx: Context) -> Optional[tuple[str, str, int, str]]:
    ids = parse_resource_id(policy.resource_id)
    if ids is None:
        return None
    joined = index(ctx.project).variant_of(*ids)
    if joined is None:
        return None
    config, variant = joined
    if variant.serverless:
        return None
    for _, itype in variant_instance_types(variant):
        count = gpu_count(itype)
        if count:
            return f"variant '{variant.name}' of endpoint config '{config.name}'", itype, count, config.file
    return None
