"""The rule scale-in-cooldown-short (AAS401): a SageMaker target-tracking policy scales in after a
cooldown shorter than the minimum."""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import DEFAULT_COOLDOWN, ScalingPolicy, as_bool, as_int, target_tracking
from gpulint.rules.autoscaling import AAS_TT_DOC


class CooldownOptions(RuleOptions):
    min_scale_in_cooldown: int = Field(
        DEFAULT_COOLDOWN, ge=0, description="Shortest acceptable ScaleInCooldown, in seconds."
    )


@register
class ScaleInCooldownShort(Rule):
    """## What it does
    Flags a target-tracking scaling policy for a SageMaker endpoint variant or
    inference component whose ``ScaleInCooldown`` is below a minimum (default
    300 s, the value Application Auto Scaling uses for SageMaker when none is
    given). Policies with ``DisableScaleIn: true`` are not checked.

    ## Why is this bad?
    Scale-in removes instances that took minutes to provision and load a
    model. With a short cooldown a brief lull empties the fleet, and when the
    traffic comes back (the classic Monday-morning spike) scale-out has to
    provision GPUs again while requests time out. AWS recommends keeping the
    default 300 s or longer for SageMaker.

    ## Example
    ```yaml
    TargetTrackingScalingPolicyConfiguration:
      TargetValue: 70
      ScaleInCooldown: 60
    ```

    ## Use instead
    ```yaml
    TargetTrackingScalingPolicyConfiguration:
      TargetValue: 70
      ScaleInCooldown: 600
    ```

    ## Fix safety
    Safe: ``--fix`` raises ``ScaleInCooldown`` to the configured minimum. A
    longer wait depends on how long a new instance takes to serve: raise it
    further by hand if yours take longer.

    ## References
    - https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-policy.html
    """

    code = "AAS401"
    name = "scale-in-cooldown-short"
    severity = Severity.WARNING
    summary = "A SageMaker target-tracking policy scales in after a cooldown shorter than the minimum"
    domain = "autoscaling"
    targets = (ScalingPolicy,)
    Options = CooldownOptions
    source_url = AAS_TT_DOC
    fix = Applicability.SAFE
    fix_summary = "raise `ScaleInCooldown` to `min-scale-in-cooldown`"

    def check(self, obj: ScalingPolicy, ctx: Context) -> Iterator[Finding]:
        conf = target_tracking(obj)
        if conf is None or as_bool(conf.get("DisableScaleIn")) is True:
            return
        cooldown = as_int(conf.get("ScaleInCooldown"))
        minimum = ctx.options.min_scale_in_cooldown
        if cooldown is not None and cooldown < minimum:
            yield Finding(
                obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown"),
                f"ScaleInCooldown is {cooldown} s, below {minimum} s: instances removed after a short lull "
                f"take minutes to come back when traffic returns; use at least {minimum} s",
                fix=Fix([Edit(obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown"), minimum)],
                        Applicability.SAFE, f"set ScaleInCooldown to {minimum}"),
            )
