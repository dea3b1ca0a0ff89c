"""The rule scale-out-slower-than-scale-in (AAS402): a SageMaker target-tracking policy waits
longer to scale out than to scale in."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import DEFAULT_COOLDOWN, ScalingPolicy, as_bool, as_int, as_str, spelled, target_tracking
from gpulint.rules.autoscaling import AAS_TT_DOC

VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


@register
class ScaleOutSlowerThanScaleIn(Rule):
    """## What it does
    Flags a target-tracking scaling policy for SageMaker whose
    ``ScaleOutCooldown`` is strictly longer than its ``ScaleInCooldown``.
    For an endpoint variant's instance count, a cooldown that is not given is
    Application Auto Scaling's default for variants, 300 s; for other SageMaker
    targets (inference component copies, serverless provisioned concurrency)
    only policies that set both are compared. Policies with
    ``DisableScaleIn: true`` are not checked.

    ## Why is this bad?
    The policy reacts to load faster by removing capacity than by adding it:
    after one scale-out it waits longer before adding more instances than it
    would wait before removing them. Under a growing spike the endpoint stays
    short of capacity while a dip empties it quickly. Usually the opposite is
    wanted: scale out fast, scale in slowly.

    ## Example
    ```yaml
    TargetTrackingScalingPolicyConfiguration:
      ScaleOutCooldown: 900
      ScaleInCooldown: 300
    ```

    ## Use instead
    ```yaml
    TargetTrackingScalingPolicyConfiguration:
      ScaleOutCooldown: 120
      ScaleInCooldown: 600
    ```

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` lowers ``ScaleOutCooldown`` to the value of
    ``ScaleInCooldown``; scaling out sooner adds instances (and cost) sooner,
    which a reviewer should look at.

    ## References
    - https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html
    """

    code = "AAS402"
    name = "scale-out-slower-than-scale-in"
    severity = Severity.WARNING
    summary = "A SageMaker target-tracking policy waits longer to scale out than to scale in"
    domain = "autoscaling"
    targets = (ScalingPolicy,)
    source_url = AAS_TT_DOC
    fix = Applicability.UNSAFE
    fix_summary = "lower `ScaleOutCooldown` to `ScaleInCooldown`"

    def check(self, obj: ScalingPolicy, ctx: Context) -> Iterator[Finding]:
        conf = target_tracking(obj)
        if conf is None or as_bool(conf.get("DisableScaleIn")) is True:
            return
        raw_out, raw_in = conf.get("ScaleOutCooldown"), conf.get("ScaleInCooldown")
        if raw_out is None and raw_in is None:
            return
        if (raw_out is None or raw_in is None) and as_str(obj.get("ScalableDimension")) != VARIANT_DIMENSION:
            return  # the 300 s default is documented for endpoint variants only
        out = as_int(raw_out) if raw_out is not None else DEFAULT_COOLDOWN
        into = as_int(raw_in) if raw_in is not None else DEFAULT_COOLDOWN
        if out is None or into is None or out <= into:
            return
        where = "ScaleOutCooldown" if raw_out is not None else "ScaleInCooldown"
        in_text = f"{into} s" + ("" if raw_in is not None else " (the default)")
        out_text = f"{out} s" + ("" if raw_out is not None else " (the default)")
        yield Finding(
            obj.at("TargetTrackingScalingPolicyConfiguration", where),
            f"ScaleOutCooldown {out_text} is longer than ScaleInCooldown {in_text}: the endpoint removes "
            "capacity faster than it adds it; make scale-out at most as slow as scale-in",
            fix=Fix([Edit(obj.at("TargetTrackingScalingPolicyConfiguration") + (spelled(obj, "ScaleOutCooldown"),)
                          if raw_out is None else obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleOutCooldown"),
                          into)],
                    Applicability.UNSAFE, f"set ScaleOutCooldown to {into}"),
            also=[obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown")] if raw_out is not None else [],
        )
