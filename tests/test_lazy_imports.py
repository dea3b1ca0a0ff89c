"""Rule packs and recognisers load with their domain: a Kubernetes-only run imports
no SageMaker, eksctl/Karpenter, jsonschema or AWS code, and no plain lint run imports
boto3, botocore or ruamel.yaml (the round-trip editor is --fix's alone)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DRIVER = textwrap.dedent(
    """
    import io, json, sys
    from gpulint.cli import main
    main(sys.argv[1:], stdout=io.StringIO(), stderr=io.StringIO())
    print(json.dumps(sorted(m for m in sys.modules)))
    """
)

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
"""

NODEPOOL = """\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: gpu}
spec:
  template:
    spec:
      requirements:
        - {key: node.kubernetes.io/instance-type, operator: In, values: [g5.xlarge]}
"""


def _modules(tmp_path, files: dict[str, str]) -> set[str]:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    out = subprocess.run(
        [sys.executable, "-c", DRIVER, str(tmp_path)], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_kubernetes_run_imports_only_the_kubernetes_pack(tmp_path) -> None:
    mods = _modules(tmp_path, {"deploy.yaml": DEPLOYMENT})
    assert "gpulint.rules.kubernetes" in mods
    for absent in ("gpulint.model.sagemaker", "gpulint.rules.sagemaker", "gpulint.rules.autoscaling", "gpulint.model.cluster",
                   "gpulint.rules.cluster", "gpulint.model.catalog", "jsonschema", "boto3", "botocore", "ruamel"):
        assert absent not in mods, absent


def test_a_config_with_rule_options_brings_no_aws_or_fix_code(tmp_path) -> None:
    config = "fail-on: error\nselect: [GPU]\nrules:\n  gpu-probe-too-short: {budget-seconds: 300, severity: info}\n"
    mods = _modules(tmp_path, {"deploy.yaml": DEPLOYMENT, ".gpulint.yaml": config})
    assert "gpulint.config" in mods and "gpulint.rules.kubernetes" in mods
    assert not {m for m in mods if m.split(".")[0] in ("jsonschema", "boto3", "botocore", "ruamel")}


def test_a_cluster_document_brings_the_cluster_pack(tmp_path) -> None:
    mods = _modules(tmp_path, {"deploy.yaml": DEPLOYMENT, "pool.yaml": NODEPOOL})
    assert {"gpulint.model.cluster", "gpulint.rules.cluster", "gpulint.rules.kubernetes"} <= mods
    assert "gpulint.model.sagemaker" not in mods and "gpulint.rules.sagemaker" not in mods



TRAINING_JOB = """\
TrainingJobName: finetune
RoleArn: arn:aws:iam::123456789012:role/sm
AlgorithmSpecification: {TrainingImage: 763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311, TrainingInputMode: File}
OutputDataConfig: {S3OutputPath: "s3://bucket/out/"}
ResourceConfig: {InstanceType: ml.g5.12xlarge, InstanceCount: 1, VolumeSizeInGB: 100}
StoppingCondition: {MaxRuntimeInSeconds: 86400}
"""


def test_a_sagemaker_run_validates_with_jsonschema_and_no_aws_code(tmp_path) -> None:
    mods = _modules(tmp_path, {"train.yaml": TRAINING_JOB})
    assert {"gpulint.model.sagemaker", "gpulint.rules.sagemaker", "jsonschema"} <= mods
    assert not {m for m in mods if m.split(".")[0] in ("boto3", "botocore", "ruamel")}


TERRAFORM_POLICY = """\
resource "aws_appautoscaling_policy" "chat" {
  name               = "chat"
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/chat/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  target_tracking_scaling_policy_configuration {
    target_value      = 70
    scale_in_cooldown = 60
  }
}
"""


def test_a_yaml_run_does_not_import_the_terraform_parser(tmp_path) -> None:
    mods = _modules(tmp_path, {"deploy.yaml": DEPLOYMENT, "policy.json": json.dumps({"PolicyName": "p"})})
    for absent in ("hcl2", "lark", "gpulint.load.terraform"):
        assert absent not in mods, absent


def test_a_terraform_file_brings_the_parser_and_the_aws_pack(tmp_path) -> None:
    mods = _modules(tmp_path, {"main.tf": TERRAFORM_POLICY})
    for present in ("hcl2", "lark", "gpulint.load.terraform", "gpulint.rules.autoscaling"):
        assert present in mods, present
    for absent in ("boto3", "botocore", "ruamel"):
        assert absent not in mods, absent
