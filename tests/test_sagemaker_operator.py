"""The legacy SageMaker operator's custom resources (sagemaker.aws.amazon.com/v1) are read as the
SageMaker requests they send, never as pod workloads."""

from __future__ import annotations

from gpulint.engine.run import lint_paths

HOSTING = """\
apiVersion: sagemaker.aws.amazon.com/v1
kind: HostingDeployment
metadata: {name: hosting}
spec:
  region: us-east-2
  productionVariants:
    - {variantName: AllTraffic, modelName: m, initialInstanceCount: 2, instanceType: ml.g5.xlarge}
  models:
    - name: m
      executionRoleArn: arn:aws:iam::123456789012:role/sm
      primaryContainer: main
      containers:
        - containerHostname: main
          image: 825641698319.dkr.ecr.us-east-2.amazonaws.com/xgboost:latest
          environment:
            - {name: SAGEMAKER_PROGRAM, value: inference.py}
---
apiVersion: sagemaker.aws.amazon.com/v1
kind: HostingAutoscalingPolicy
metadata: {name: hap}
spec:
  region: us-east-2
  resourceId:
    - {endpointName: a, variantName: AllTraffic}
    - {endpointName: b, variantName: blue}
  minCapacity: 1
  maxCapacity: 3
  targetTrackingScalingPolicyConfiguration: {targetValue: 70, scaleInCooldown: 600}
---
apiVersion: sagemaker.aws.amazon.com/v1
kind: HyperparameterTuningJob
metadata: {name: hpo}
spec:
  trainingJobDefinition:
    algorithmSpecification: {trainingImage: 825641698319.dkr.ecr.us-east-2.amazonaws.com/xgboost:1}
"""


def _objects(tmp_path, text: str) -> list:
    (tmp_path / "crs.yaml").write_text(text)
    return lint_paths([str(tmp_path / "crs.yaml")]).project.objects


def test_operator_kinds_are_sagemaker_objects_not_workloads(tmp_path) -> None:
    from gpulint.model.kubernetes import Workload
    from gpulint.model.sagemaker import EndpointConfig, SageMakerModel, ScalableTarget, ScalingPolicy

    objects = _objects(tmp_path, HOSTING)
    assert not [o for o in objects if isinstance(o, Workload)]
    assert [type(o) for o in objects] == [EndpointConfig, SageMakerModel, ScalableTarget, ScalingPolicy]
    config, model, target, policy = objects
    # the operator names the endpoint and its config itself: not joined by a name
    assert config.name is None and config.kind == "HostingDeployment/hosting" and config.region == "us-east-2"
    assert [v.data["InstanceType"] for v in config.variants()] == ["ml.g5.xlarge"]
    assert model.name == "m"
    assert model.data["Containers"][0]["Environment"] == {"SAGEMAKER_PROGRAM": "inference.py"}
    assert "PrimaryContainer" not in model.data  # a hostname here, not a container
    assert target.resource_id == "endpoint/a/variant/AllTraffic"
    assert target.more_resource_ids == ("endpoint/b/variant/blue",)
    assert target.data["ServiceNamespace"] == "sagemaker" and target.data["MaxCapacity"] == 3
    assert policy.data["PolicyType"] == "TargetTrackingScaling"
    assert policy.at("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown") == (
        "spec", "targetTrackingScalingPolicyConfiguration", "scaleInCooldown")


def test_every_variant_a_policy_lists_is_scaled(tmp_path) -> None:
    from gpulint.model.sagemaker import index

    (tmp_path / "crs.yaml").write_text(HOSTING)
    project = lint_paths([str(tmp_path / "crs.yaml")]).project
    idx = index(project)
    assert idx.variant_scaled("a", "AllTraffic") and idx.variant_scaled("b", "blue")
    assert not idx.variant_scaled("b", "AllTraffic")


def test_training_job_hyperparameters_are_read_as_a_map(tmp_path) -> None:
    from gpulint.model.sagemaker import TrainingJob

    text = """\
apiVersion: sagemaker.aws.amazon.com/v1
kind: TrainingJob
metadata: {name: job}
spec:
  region: us-east-2
  hyperParameters: [{name: eta, value: "0.2"}]
  resourceConfig: {instanceCount: 1, instanceType: ml.p4d.24xlarge, volumeSizeInGB: 5}
  stoppingCondition: {maxRuntimeInSeconds: 3600}
"""
    [job] = _objects(tmp_path, text)
    assert isinstance(job, TrainingJob)
    assert job.data["HyperParameters"] == {"eta": "0.2"} and job.region == "us-east-2"
    assert job.kind == "TrainingJob/job" and job.name is None
    result = lint_paths([str(tmp_path / "crs.yaml")])
    assert [d.rule for d in result.diagnostics] == []  # no schema violation for the operator's own forms
