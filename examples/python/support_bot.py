"""Fine-tune a model on spot capacity, deploy it, and scale the endpoint: the SageMaker Python
SDK and boto3 as a team writes them.

gpulint reads this file without running it: each estimator, deploy() and boto3 call becomes the
AWS request it sends. Two mistakes:

1. The estimator trains on spot instances but sets no checkpoint_s3_uri. Spot capacity can be
   reclaimed at any time; without checkpoints in S3 an interrupted job starts again from
   zero. Fix: checkpoint_s3_uri="s3://.../checkpoints/" and save checkpoints to
   /opt/ml/checkpoints in the training script.
2. The scaling policy removes an instance 60 s after a lull (ScaleInCooldown=60). A GPU
   instance takes minutes to come back when traffic returns; use at least 300 s.
"""

import boto3
from sagemaker.huggingface import HuggingFace, HuggingFaceModel

ROLE = "arn:aws:iam::111122223333:role/sagemaker-execution"
ENDPOINT = "support-bot"

estimator = HuggingFace(
    entry_point="finetune.py",
    role=ROLE,
    transformers_version="4.36",
    pytorch_version="2.1",
    py_version="py310",
    instance_type="ml.g5.12xlarge",
    instance_count=1,
    use_spot_instances=True,  # spot without checkpoint_s3_uri
    max_run=6 * 3600,
    max_wait=12 * 3600,
)
estimator.fit({"train": "s3://example-bucket/support/train/"})

model = HuggingFaceModel(
    name="support-bot-model",
    role=ROLE,
    model_data="s3://example-bucket/support/model.tar.gz",
    transformers_version="4.36",
    pytorch_version="2.1",
    py_version="py310",
)
model.deploy(endpoint_name=ENDPOINT, instance_type="ml.g5.2xlarge", initial_instance_count=1)

autoscaling = boto3.client("application-autoscaling")
resource_id = f"endpoint/{ENDPOINT}/variant/AllTraffic"
autoscaling.register_scalable_target(
    ServiceNamespace="sagemaker",
    ResourceId=resource_id,
    ScalableDimension="sagemaker:variant:DesiredInstanceCount",
    MinCapacity=1,
    MaxCapacity=4,
)
autoscaling.put_scaling_policy(
    PolicyName="support-bot-invocations",
    ServiceNamespace="sagemaker",
    ResourceId=resource_id,
    ScalableDimension="sagemaker:variant:DesiredInstanceCount",
    PolicyType="TargetTrackingScaling",
    TargetTrackingScalingPolicyConfiguration={
        "TargetValue": 20.0,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
        "ScaleInCooldown": 60,  # too short for GPU instances
        "ScaleOutCooldown": 60,
    },
)
