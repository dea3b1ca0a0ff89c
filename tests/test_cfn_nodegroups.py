"""EKS managed node groups written as ``AWS::EKS::Nodegroup`` resources are node pools: they are
priced by ``gpulint cost``, joined with the workloads of their folder, and read next to the
SageMaker resources of the same template."""

from __future__ import annotations

import json
import os

import pytest

from gpulint.engine.run import lint_paths
from tests.helpers import run_cli

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SNAPSHOT = os.path.join(REPO, "lint", "data", "prices.json")

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ClusterName: {Type: String}
Resources:
  SystemNodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref ClusterName
      NodegroupName: system
      NodeRole: arn:aws:iam::123456789012:role/node
      Subnets: [subnet-1]
      InstanceTypes: [m6i.large]
      ScalingConfig: {MinSize: 2, MaxSize: 3, DesiredSize: 2}
  GpuNodes:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref ClusterName
      NodeRole: arn:aws:iam::123456789012:role/node
      Subnets: [subnet-1]
      CapacityType: ON_DEMAND
      InstanceTypes: [g5.xlarge]
      Taints: [{Key: nvidia.com/gpu, Value: "true", Effect: NO_SCHEDULE}]
      ScalingConfig: {MinSize: 1, MaxSize: 4, DesiredSize: 1}
  Unsized:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref ClusterName
      NodeRole: arn:aws:iam::123456789012:role/node
      Subnets: [subnet-1]
      InstanceTypes: [m6i.large]
"""


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.path.join(os.sep, "nonexistent", "aws-config"))


def ec2_price(instance_type: str) -> float:
    with open(SNAPSHOT, encoding="utf-8") as fh:
        data = json.load(fh)
    for table in data["tables"]:
        if table["service"] == "ec2" and table["region"] == "us-east-1" and instance_type in table["prices"]:
            return table["prices"][instance_type]
    raise KeyError(instance_type)


def test_cost_prices_eks_nodegroups_of_a_template(tmp_path) -> None:
    (tmp_path / "nodes.yaml").write_text(TEMPLATE)
    status, out, err = run_cli(["cost", "--format", "json", "nodes.yaml"], cwd=str(tmp_path))
    assert status == 0, err
    rows = {r["name"]: r for r in json.loads(out)["resources"]}
    system, gpu, unsized = rows["system"], rows["GpuNodes"], rows["Unsized"]
    assert (system["line"], system["kind"]) == (12, "nodegroup")
    assert system["count"] == {"min": 2, "desired": 2, "max": 3, "from": "ScalingConfig MinSize/DesiredSize/MaxSize"}
    assert system["monthly_min"] == round(2 * ec2_price("m6i.large") * 730, 2)
    assert system["monthly_max"] == round(3 * ec2_price("m6i.large") * 730, 2)
    assert gpu["monthly_min"] == round(ec2_price("g5.xlarge") * 730, 2)
    assert gpu["monthly_max"] == round(4 * ec2_price("g5.xlarge") * 730, 2)
    # no ScalingConfig: EKS fills in sizes gpulint does not assume
    assert unsized["count"]["min"] is None and unsized["count"]["max"] is None
    assert unsized["monthly_max"] is None


def test_template_with_nodegroups_and_sagemaker_resources_reads_both(tmp_path) -> None:
    text = TEMPLATE + """\
  Target:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      ResourceId: endpoint/llm/variant/AllTraffic
      ScalableDimension: sagemaker:variant:DesiredInstanceCount
      ServiceNamespace: sagemaker
      MinCapacity: 1
      MaxCapacity: 4
  Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: invocations
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref Target
      TargetTrackingScalingPolicyConfiguration: {TargetValue: 70, ScaleInCooldown: 60}
  SpotGpu:
    Type: AWS::EKS::Nodegroup
    Properties:
      ClusterName: !Ref ClusterName
      NodeRole: arn:aws:iam::123456789012:role/node
      Subnets: [subnet-1]
      CapacityType: SPOT
      InstanceTypes: [g5.xlarge]
      Taints: [{Key: nvidia.com/gpu, Value: "true", Effect: NO_SCHEDULE}]
"""
    (tmp_path / "stack.yaml").write_text(text)
    result = lint_paths([str(tmp_path / "stack.yaml")])
    found = sorted((d.rule, d.line) for d in result.diagnostics)
    assert found == [("scale-in-cooldown-short", 45), ("scale-out-slower-than-scale-in", 45),
                     ("spot-gpu-single-instance-type", 53)]


def test_workload_joins_nodegroups_of_one_cluster_only(tmp_path) -> None:
    """Two templates in one folder naming different clusters: the join is ambiguous, and the
    workload beside them is not judged against either."""
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: infer}\nspec:\n  nodeSelector: "
           "{node.kubernetes.io/instance-type: p4d.24xlarge}\n  containers:\n    - name: c\n      image: x\n"
           "      resources: {limits: {nvidia.com/gpu: 1}}\n")
    (tmp_path / "pod.yaml").write_text(pod)
    (tmp_path / "a.yaml").write_text(TEMPLATE.replace("!Ref ClusterName", "prod"))
    one = lint_paths([str(tmp_path)])
    assert [(d.rule, d.file.endswith("pod.yaml")) for d in one.diagnostics] == [("node-selector-unmatched", True)]
    (tmp_path / "b.yaml").write_text(TEMPLATE.replace("!Ref ClusterName", "staging"))
    two = lint_paths([str(tmp_path)])
    assert [d.rule for d in two.diagnostics] == []


@pytest.mark.parametrize("extra, why", [
    ("  Asg:\n    Type: AWS::AutoScaling::AutoScalingGroup\n    Properties: {MinSize: '1', MaxSize: '2'}\n",
     "self-managed nodes"),
    ("  Fargate:\n    Type: AWS::EKS::FargateProfile\n    Properties: {ClusterName: prod}\n", "Fargate profiles"),
    ("  Cluster:\n    Type: AWS::EKS::Cluster\n    Properties: {ComputeConfig: {Enabled: true}}\n", "EKS Auto Mode"),
])
def test_a_template_that_also_makes_other_nodes_joins_no_workload(tmp_path, extra, why) -> None:
    from gpulint.model.cluster import join_for
    from gpulint.model.kubernetes import Workload

    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: infer}\nspec:\n  nodeSelector: "
           "{node.kubernetes.io/instance-type: p4d.24xlarge}\n  containers:\n    - name: c\n      image: x\n"
           "      resources: {limits: {nvidia.com/gpu: 1}}\n")
    (tmp_path / "pod.yaml").write_text(pod)
    (tmp_path / "nodes.yaml").write_text(TEMPLATE.replace("!Ref ClusterName", "prod") + extra)
    result = lint_paths([str(tmp_path)])
    assert [d.rule for d in result.diagnostics] == []
    [workload] = list(result.project.of_type(Workload))
    join = join_for(result.project, workload)
    assert join.scope is None and why in join.reason
