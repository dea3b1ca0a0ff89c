"""How a model is served: inference components' specifications, the joins from components and
models to variants, policies that name their target by ScalingTargetId, and large-model images."""

from __future__ import annotations

import pytest

from gpulint.config import from_mapping
from gpulint.engine.run import lint_paths
from gpulint.model.sagemaker import (
    InferenceComponent,
    ScalableTarget,
    index,
    large_model_image,
    neuron_capacity,
)

CONFIG = """\
EndpointConfigName: pools
ProductionVariants:
  - VariantName: AllTraffic
    InstancePools:
      - {InstanceType: ml.g6e.12xlarge, Priority: 1}
      - {InstanceType: ml.g5.12xlarge, Priority: 2}
    InitialInstanceCount: 1
    ManagedInstanceScaling: {Status: ENABLED, MinInstanceCount: 1, MaxInstanceCount: 2}
    RoutingConfig: {RoutingStrategy: LEAST_OUTSTANDING_REQUESTS}
"""

SPECS = """\
InferenceComponentName: mixtral
EndpointName: pools
VariantName: AllTraffic
Specifications:
  - InstanceType: ml.g6e.12xlarge
    ModelName: mixtral-g6e
    ComputeResourceRequirements: {NumberOfAcceleratorDevicesRequired: 4, MinMemoryRequiredInMb: 8192}
  - InstanceType: ml.g5.12xlarge
    ModelName: mixtral-g5
    StartupParameters: {ModelDataDownloadTimeoutInSeconds: 900}
    ComputeResourceRequirements: {NumberOfAcceleratorDevicesRequired: 8, MinMemoryRequiredInMb: 8192}
RuntimeConfig: {CopyCount: 1}
"""


def _run(tmp_path, files: dict[str, str]):
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(str(tmp_path / name))
    return lint_paths(paths, from_mapping({}))


def test_a_request_with_only_specifications_is_an_inference_component(tmp_path) -> None:
    result = _run(tmp_path, {"ic.yaml": SPECS})
    [ic] = [o for o in result.project.objects if isinstance(o, InferenceComponent)]
    specs = list(ic.specs())
    assert [(s.path, s.instance_type, s.model_name) for s in specs] == [
        (("Specifications", 0), "ml.g6e.12xlarge", "mixtral-g6e"),
        (("Specifications", 1), "ml.g5.12xlarge", "mixtral-g5"),
    ]
    assert specs[1].section("StartupParameters") == {"ModelDataDownloadTimeoutInSeconds": 900}
    assert specs[0].section("StartupParameters") == {}
    assert (ic.endpoint_name, ic.variant_name) == ("pools", "AllTraffic")


def test_each_specification_is_checked_against_its_own_instance_type(tmp_path) -> None:
    result = _run(tmp_path, {"config.yaml": CONFIG, "ic.yaml": SPECS})
    found = [(d.line, d.rule) for d in result.diagnostics]
    assert found == [(11, "inference-component-exceeds-instance")]  # 8 GPUs on ml.g5.12xlarge (4)
    assert "ml.g5.12xlarge has 4 GPU(s)" in result.diagnostics[0].message


def test_models_served_through_inference_components_join_their_variant(tmp_path) -> None:
    result = _run(tmp_path, {"config.yaml": CONFIG, "ic.yaml": SPECS})
    idx = index(result.project)
    [(config, variant)] = idx.variants_serving("mixtral-g5")
    assert (config.name, variant.name) == ("pools", "AllTraffic")
    assert idx.variants_serving("not-served") == []


def test_a_specification_without_a_certain_variant_stays_silent(tmp_path) -> None:
    two = CONFIG + """\
  - VariantName: Shadow
    InstanceType: ml.g5.xlarge
    InitialInstanceCount: 1
    ManagedInstanceScaling: {Status: ENABLED, MinInstanceCount: 1, MaxInstanceCount: 2}
    RoutingConfig: {RoutingStrategy: LEAST_OUTSTANDING_REQUESTS}
"""
    ic = """\
InferenceComponentName: big
EndpointName: pools
Specification:
  ModelName: big
  ComputeResourceRequirements: {NumberOfAcceleratorDevicesRequired: 16, MinMemoryRequiredInMb: 1024}
"""
    # no VariantName and two variants: which one is not certain
    assert _run(tmp_path, {"config.yaml": two, "ic.yaml": ic}).diagnostics == []
    # one variant: it is that one, and 16 GPUs fit on none of its pools
    result = _run(tmp_path, {"config.yaml": CONFIG, "ic.yaml": ic})
    assert [(d.line, d.rule) for d in result.diagnostics] == [(5, "inference-component-exceeds-instance")]


TEMPLATE = """\
Resources:
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ServiceNamespace: sagemaker
      ResourceId: endpoint/e/variant/v
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      MinCapacity: 0
      MaxCapacity: 2
  Mine:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: mine
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration: {TargetValue: 5, PredefinedMetricSpecification: {PredefinedMetricType: SageMakerVariantInvocationsPerInstance}}
  Other:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: other
      PolicyType: StepScaling
      ScalingTargetId: {"Ref": "OtherTarget"}
"""


def test_policies_join_their_target_by_scaling_target_id(tmp_path) -> None:
    result = _run(tmp_path, {"template.yaml": TEMPLATE})
    idx = index(result.project)
    [target] = [o for o in result.project.objects if isinstance(o, ScalableTarget)]
    policies, uncertain = idx.target_policies(target)
    assert [p.data["PolicyName"] for p in policies] == ["mine"]
    assert not uncertain
    imported = TEMPLATE.replace('{"Ref": "OtherTarget"}', "!ImportValue shared-target")
    result = _run(tmp_path, {"template.yaml": imported})
    [target] = [o for o in result.project.objects if isinstance(o, ScalableTarget)]
    assert index(result.project).target_policies(target)[1]  # an import may name this target


def test_a_ref_in_another_template_is_not_this_target(tmp_path) -> None:
    target_only = TEMPLATE.split("  Mine:")[0]
    policy_only = "Resources:\n  Mine:" + TEMPLATE.split("  Mine:")[1].split("  Other:")[0]
    result = _run(tmp_path, {"a.yaml": target_only, "b.yaml": policy_only})
    [target] = [o for o in result.project.objects if isinstance(o, ScalableTarget)]
    assert index(result.project).target_policies(target) == ([], False)


@pytest.mark.parametrize("image, kind", [
    ("763104351884.dkr.ecr.us-east-1.amazonaws.com/djl-inference:0.29.0-lmi11.0.0-cu124", "LMI (DJL Serving)"),
    ("763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-tgi-inference:2.3.0-tgi2.2.0-gpu-py310",
     "Hugging Face TGI"),
    ("ghcr.io/huggingface/text-generation-inference:2.4", "Hugging Face TGI"),
    ("vllm/vllm-openai:v0.8.5", "vLLM"),
    ("111122223333.dkr.ecr.us-east-1.amazonaws.com/tensorrt-llm-server@sha256:abc", "TensorRT-LLM"),
    ("763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-inference:2.3.0-gpu-py311", None),
    # the registry's path and the tag are not the repository's name
    ("vllm.example.com/team/server:vllm", None),
    (None, None),
])
def test_large_model_images_are_told_by_their_repository_name(image, kind) -> None:
    assert large_model_image(image) == kind


def test_neuron_capacity_gives_devices_and_cores() -> None:
    assert neuron_capacity("ml.inf2.xlarge") == (1, 2)
    assert neuron_capacity("ml.g5.xlarge") is None
    assert neuron_capacity("ml.not-a-type") is None


def test_hostile_numbers_reach_no_rule_as_counts(tmp_path) -> None:
    """NaN, infinities, 4,400-digit numbers and full-width digits are schema violations, never a
    finding of these rules nor an internal error."""
    huge = "9" * 4400
    text = f"""\
EndpointConfigName: h
ProductionVariants:
  - VariantName: AllTraffic
    InstanceType: ml.g5.12xlarge
    InitialInstanceCount: 1
---
InferenceComponentName: a
EndpointName: h
VariantName: AllTraffic
Specification:
  Container: {{Image: "vllm/vllm:1"}}
  ComputeResourceRequirements: {{NumberOfAcceleratorDevicesRequired: .inf, MinMemoryRequiredInMb: {huge}}}
---
InferenceComponentName: b
EndpointName: h
Specification:
  ComputeResourceRequirements: {{NumberOfAcceleratorDevicesRequired: .nan, MinMemoryRequiredInMb: "２"}}
---
EndpointConfigName: s
ProductionVariants:
  - VariantName: AllTraffic
    ServerlessConfig: {{MemorySizeInMB: .nan, MaxConcurrency: .inf, ProvisionedConcurrency: {huge}}}
---
PolicyName: p
ServiceNamespace: sagemaker
ResourceId: endpoint/h/variant/AllTraffic
ScalableDimension: sagemaker:variant:DesiredInstanceCount
TargetTrackingScalingPolicyConfiguration:
  TargetValue: .inf
  ScaleInCooldown: {huge}
"""
    result = _run(tmp_path, {"hostile.yaml": text})
    rules = {d.rule for d in result.diagnostics}
    assert rules == {"schema-violation"}, sorted((d.line, d.rule, d.message[:80]) for d in result.diagnostics)
