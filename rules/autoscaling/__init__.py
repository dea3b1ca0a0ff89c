"""Application Auto Scaling rules for SageMaker endpoints: cooldowns, capacities, coverage."""

AAS_TT_DOC = "https://docs.aws.amazon.com/autoscaling/application/APIReference/API_TargetTrackingScalingPolicyConfiguration.html"
