"""Application Auto Scaling rules for SageMaker endpoints: cooldowns, capacities, coverage."""

from __future__ import annotations

from typing import Iterator, Optional

from pydantic import Field

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import (
    EndpointConfig,
    ScalableTarget,
    ScalingPolicy,
    as_bool,
    as_int,
    as_str,
    index,
    parse_resource_id,
)

AAS_TT_DOC = "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html"
SM_SCALING_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-policy.html"
SM_ZERO_DOC = "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html"

#: the cooldown Application Auto Scaling uses for SageMaker variants when none is given
DEFAULT_COOLDOWN = 300
VARIANT_DIMENSION = "sagemaker:variant:DesiredInstanceCount"


def _target_tracking(policy: ScalingPolicy) -> Optional[dict]:
    """The target-tracking configuration of a SageMaker policy, else None."""
    if as_str(policy.get("ServiceNamespace")) != "sagemaker":
        return None
    ptype = policy.get("PolicyType")
    if ptype is not None and ptype != "TargetTrackingScaling":
        return None
    conf = policy.get("TargetTrackingScalingPolicyConfiguration")
    return conf if isinstance(conf, dict) else None


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
    targets = (ScalingPolicy,)
    Options = CooldownOptions
    source_url = AAS_TT_DOC
    fix = Applicability.SAFE

    def check(self, obj: ScalingPolicy, ctx: Context) -> Iterator[Finding]:
        conf = _target_tracking(obj)
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
    targets = (ScalingPolicy,)
    source_url = AAS_TT_DOC
    fix = Applicability.UNSAFE

    def check(self, obj: ScalingPolicy, ctx: Context) -> Iterator[Finding]:
        conf = _target_tracking(obj)
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
            fix=Fix([Edit(obj.at("TargetTrackingScalingPolicyConfiguration") + (_spelled(obj, "ScaleOutCooldown"),)
                          if raw_out is None else obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleOutCooldown"),
                          into)],
                    Applicability.UNSAFE, f"set ScaleOutCooldown to {into}"),
        )


def _spelled(obj: ScalingPolicy, member: str) -> str:
    """A new member's name as the document spells its members (camelCase in ACK resources)."""
    return member[:1].lower() + member[1:] if obj.form == "ack" else member


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
    targets = (ScalableTarget,)
    cross_file = True
    source_url = SM_ZERO_DOC

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
        if variant.serverless or variant.managed_scaling:
            return  # inference-component endpoints scale their copies, not this target
        yield Finding(
            obj.at("MinCapacity"),
            f"MinCapacity is 0 for variant '{variant_name}' of real-time endpoint config '{config.name}' "
            f"({config.file}): real-time variants cannot scale to zero instances unless they host inference "
            "components (ManagedInstanceScaling.MinInstanceCount 0); use MinCapacity 1, or an asynchronous endpoint",
            related=[config.file],
        )


@register
class AutoscalingMissing(Rule):
    """## What it does
    Reports an endpoint config variant that no scalable target (or scaling
    policy, which needs one) in the linted set covers
    (``ResourceId: endpoint/<endpoint>/variant/<variant>``). The
    endpoint name comes from an Endpoint document that names the config;
    without one, any target for that variant name on an endpoint not known to
    use another config counts as covering it; a config of the same kind (ACK,
    CloudFormation, API document) as Endpoint documents that name other
    configs is taken as a superseded version, not deployed. A target whose
    ResourceId is known only at deploy time (a CloudFormation ``!Sub`` or
    ``!Ref``, a placeholder) covers every variant its text could name. The rule is
    silent when no scaling documents are linted at all (the scaling may live elsewhere), for
    serverless variants, and for variants that host inference components (no
    ``ModelName``, or ``ManagedInstanceScaling``): those scale by copy count.

    ## Why is this bad?
    SageMaker endpoints do not scale by default: without a scalable target and
    a policy the variant keeps ``InitialInstanceCount`` instances however much
    traffic arrives, and GPUs sit idle when none does.

    ## Example
    An endpoint config with variants ``a`` and ``b`` and a scalable target only
    for ``endpoint/llm/variant/a``.

    ## Use instead
    Register a scalable target (and a scaling policy) for every variant.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html
    """

    code = "AAS404"
    name = "autoscaling-missing"
    severity = Severity.INFO
    summary = "An endpoint config variant has no scalable target in the linted set"
    targets = (EndpointConfig,)
    cross_file = True
    source_url = SM_SCALING_DOC

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        idx = index(ctx.project)
        if not idx.has_scaling or not obj.name:
            return
        names, known = idx.endpoint_names(obj)
        if not names:
            return
        for variant in obj.variants():
            if variant.name is None or variant.serverless or variant.managed_scaling:
                continue
            if "ModelName" not in variant.data:
                continue  # a variant without a model hosts inference components, which scale by copy count
            if known:
                covered = any(idx.variant_scaled(e, variant.name) for e in names)
            else:
                covered = idx.variant_scaled(names[0], variant.name) or idx.unresolved_variant_scaling(variant.name)
            if covered:
                continue
            where = ", ".join(f"endpoint/{e}/variant/{variant.name}" for e in names)
            yield Finding(
                obj.at("ProductionVariants", variant.index, "VariantName"),
                f"variant '{variant.name}' has no scalable target ({where}) among the linted files; "
                "SageMaker endpoints do not scale by default: register one with a scaling policy",
            )
