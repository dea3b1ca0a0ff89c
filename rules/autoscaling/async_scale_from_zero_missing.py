"""The rule async-scale-from-zero-missing (AAS405): an asynchronous endpoint variant may scale to
zero instances, but only target tracking brings it back."""

from __future__ import annotations

from typing import Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import ScalableTarget, ScalingPolicy, as_int, as_str, index, is_unknown, parse_resource_id

BACKLOG_METRIC = "ApproximateBacklogSizePerInstance"
ADVICE = ("add a step-scaling policy on a CloudWatch alarm on HasBacklogWithoutCapacity (AWS/SageMaker, "
          "EndpointName, >= 1) so that the first queued request starts an instance")


@register
class AsyncScaleFromZeroMissing(Rule):
    """## What it does
    Flags the scalable target of an asynchronous endpoint's variant whose
    ``MinCapacity`` is 0 when the only policies that scale it are target
    tracking: no step-scaling policy (which is how a CloudWatch alarm on
    ``HasBacklogWithoutCapacity`` scales a variant out from zero).

    The target is joined to its variant through
    ``endpoint/<endpoint>/variant/<variant>`` (the endpoint resolved through
    an Endpoint document, or the config of the same name), and the config
    must have an ``AsyncInferenceConfig``. Its policies are those with the
    same ``ResourceId`` and, in CloudFormation, those whose
    ``ScalingTargetId`` is a ``Ref`` to the target. A step-scaling policy on
    the variant counts as the scale-out from zero whatever alarm drives it
    (alarms are often defined elsewhere). The rule stays silent when the
    join is not certain, when no target-tracking policy is in the linted set
    (the policies may live elsewhere), when a policy's ResourceId or
    ``ScalingTargetId`` is known only at deploy time and may name the
    variant, and for saved ``describe_*`` responses.

    ## Why is this bad?
    SageMaker's guide to autoscaling asynchronous endpoints: with only a
    target-tracking policy on ``ApproximateBacklogSizePerInstance``, an
    endpoint at zero instances starts scaling out only once the backlog
    exceeds the policy's target value. A trickle of requests below that
    value waits in the queue (until the backlog grows, or the requests'
    time to live runs out). On a predefined metric (invocations or
    concurrency per instance) or a per-instance metric
    (``/aws/sagemaker/Endpoints``, such as ``GPUUtilization``), target
    tracking cannot scale out from zero at all (the scale-to-zero guide asks
    for a step policy on a CloudWatch alarm). A policy on a metric of the
    user's own, or on the backlog with a target value below 1 (one queued
    request exceeds it), may bring the variant back, and the rule stays
    silent then. The async guide's answer is an additional
    step-scaling policy driven by an alarm on ``HasBacklogWithoutCapacity``.

    ## Example
    ```yaml
    # RegisterScalableTarget
    ResourceId: endpoint/transcribe/variant/AllTraffic
    MinCapacity: 0
    MaxCapacity: 4
    # PutScalingPolicy, the only policy
    PolicyType: TargetTrackingScaling
    TargetTrackingScalingPolicyConfiguration:
      TargetValue: 5
      CustomizedMetricSpecification:
        MetricName: ApproximateBacklogSizePerInstance
    ```

    ## Use instead
    ```yaml
    # a second PutScalingPolicy on the same ResourceId, driven by a CloudWatch
    # alarm on HasBacklogWithoutCapacity >= 1
    PolicyName: scale-out-from-zero
    PolicyType: StepScaling
    StepScalingPolicyConfiguration:
      AdjustmentType: ChangeInCapacity
      StepAdjustments:
        - {MetricIntervalLowerBound: 0, ScalingAdjustment: 1}
    ```

    ## Fix safety
    No automatic fix: the step policy needs a CloudWatch alarm.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-zero-instances.html
    - gpulint domain facts, 7 (Scale to zero)
    """

    code = "AAS405"
    name = "async-scale-from-zero-missing"
    severity = Severity.WARNING
    summary = "An asynchronous endpoint variant may scale to zero, but only target tracking brings it back"
    domain = "autoscaling"
    targets = (ScalableTarget,)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html"

    def check(self, obj: ScalableTarget, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response" or as_int(obj.get("MinCapacity")) != 0:
            return
        if obj.dimension != "sagemaker:variant:DesiredInstanceCount" \
                or as_str(obj.get("ServiceNamespace")) not in (None, "sagemaker"):
            return
        ids = parse_resource_id(obj.resource_id)
        idx = index(ctx.project)
        joined = idx.variant_of(*ids) if ids else None
        if joined is None:
            return
        config, variant = joined
        if not isinstance(config.data.get("AsyncInferenceConfig"), dict) or is_unknown(config.data["AsyncInferenceConfig"]):
            return
        policies, uncertain = idx.target_policies(obj)
        if uncertain or not policies:
            return
        kinds = [_kind(p) for p in policies]
        if any(k != "TargetTrackingScaling" for k in kinds):
            return  # a step-scaling policy, or one of a type known only at deploy time
        reasons = [_why(p) for p in policies]
        if any(r is None for r in reasons):
            return
        yield Finding(
            obj.at("MinCapacity"),
            f"MinCapacity 0 lets variant '{variant.name}' of asynchronous endpoint config '{config.name}' "
            f"({config.file}) scale to zero instances, and only target tracking scales it: "
            f"{reasons[0]}; {ADVICE}",
            related=sorted({config.file} | {p.file for p in policies}),
        )


def _kind(policy: ScalingPolicy) -> Optional[str]:
    ptype = policy.get("PolicyType")
    if ptype is None:
        return "StepScaling" if policy.get("StepScalingPolicyConfiguration") is not None else "TargetTrackingScaling"
    return ptype if isinstance(ptype, str) and not is_unknown(ptype) else None


#: customized metrics SageMaker publishes per instance: at zero instances there is nothing to measure
INSTANCE_NAMESPACE = "/aws/sagemaker/Endpoints"
BACKLOG_METRICS = (BACKLOG_METRIC, "ApproximateBacklogSize")


def _why(policy: ScalingPolicy) -> Optional[str]:
    """Why the policy leaves queued requests waiting at zero instances, or None when that is not certain."""
    conf = policy.get("TargetTrackingScalingPolicyConfiguration")
    conf = conf if isinstance(conf, dict) else {}
    if conf.get("PredefinedMetricSpecification") is not None:
        return "target tracking cannot scale a variant out from zero instances, so queued requests wait"
    metric = conf.get("CustomizedMetricSpecification")
    metric = metric if isinstance(metric, dict) else {}
    name, namespace = as_str(metric.get("MetricName")), as_str(metric.get("Namespace"))
    target = conf.get("TargetValue")
    if name in BACKLOG_METRICS and isinstance(target, (int, float)) and not isinstance(target, bool) \
            and 1 <= target <= 10**12:
        value = int(target) if float(target).is_integer() else target
        return (f"at zero it scales out only once the backlog exceeds the target value {value}, so up to "
                f"{value} queued request(s) wait until more arrive or they expire")
    if namespace == INSTANCE_NAMESPACE:
        return f"{name or 'an instance metric'} has no instance to measure at zero, so queued requests wait"
    return None  # a metric of the user's own, or a target below one request: it may scale out
