"""Facts about AWS request documents that several SageMaker and Application
Auto Scaling rules share: how a document spells a member it does not have yet
(ACK and SageMaker operator resources use camelCase), and the target-tracking configuration of a
scaling policy with the cooldown the service applies when none is given."""

from __future__ import annotations

from typing import Optional

from gpulint.model.sagemaker.autoscaling import ScalingPolicy
from gpulint.model.sagemaker.objects import AwsObject, as_str, is_unknown

#: the cooldown Application Auto Scaling uses for SageMaker variants when none is given
DEFAULT_COOLDOWN = 300


def spelled(obj: AwsObject, member: str) -> str:
    """A new member's name as the document spells its members (camelCase in ACK resources)."""
    return member[:1].lower() + member[1:] if obj.form in ("ack", "operator") else member


def target_tracking(policy: ScalingPolicy) -> Optional[dict]:
    """The target-tracking configuration of a SageMaker policy, else None (also when it is
    known only at deploy time: ``{"Fn::If": [...]}``)."""
    if as_str(policy.get("ServiceNamespace")) != "sagemaker":
        return None
    ptype = policy.get("PolicyType")
    if ptype is not None and ptype != "TargetTrackingScaling":
        return None
    conf = policy.get("TargetTrackingScalingPolicyConfiguration")
    return conf if isinstance(conf, dict) and not is_unknown(conf) else None
