"""What the cluster-aware checks say: the workload by name, and what happens to it (a DaemonSet
runs nowhere; anything else may stay Pending), with the reason."""

from __future__ import annotations

import os

from gpulint.config import Config
from gpulint.engine.run import lint_paths

CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: demo, region: us-west-2}
managedNodeGroups:
  - name: system
    instanceType: m5.large
  - name: gpu
    instanceType: g5.xlarge
    taints:
      - {key: dedicated, value: gpu, effect: NoSchedule}
"""

WORKLOAD = """\
apiVersion: apps/v1
kind: {kind}
metadata: {{name: agent}}
spec:
  template:
    spec:
      containers:
        - name: agent
          image: example/agent:1
          resources:
            limits: {{nvidia.com/gpu: 1}}
"""


def _message(tmp_path, kind: str) -> str:
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "workload.yaml").write_text(WORKLOAD.format(kind=kind))
    result = lint_paths([str(tmp_path)], Config(), select=["gpu-toleration-missing"])
    [diag] = result.diagnostics
    return diag.message


def test_a_deployment_may_stay_pending(tmp_path) -> None:
    assert _message(tmp_path, "Deployment") == (
        "Deployment/agent may stay Pending: its pods request nvidia.com/gpu but tolerate no node pool they can "
        f"land on: managed nodegroup 'gpu' in {tmp_path / 'cluster.yaml'} is tainted dedicated=gpu:NoSchedule; "
        "add a toleration {key: dedicated, operator: Equal, value: \"gpu\", effect: NoSchedule}"
    )


def test_a_daemonset_runs_nowhere(tmp_path) -> None:
    message = _message(tmp_path, "DaemonSet")
    assert message.startswith("DaemonSet/agent runs no pod on its GPU nodes: its pods request nvidia.com/gpu but ")
    assert "Pending" not in message


PYTORCHJOB = """\
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata: {name: llama}
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          nodeSelector: {workload: gpu}
          containers:
            - name: pytorch
              image: example/train:1
              resources:
                limits: {nvidia.com/gpu: 8}
"""
CLUSTER_WITH_LABEL = CLUSTER.replace("instanceType: g5.xlarge", "instanceType: g5.xlarge\n    labels: {workload: gpu}")


def _diagnostics(tmp_path, files: dict[str, str], rules: list[str], config: Config = None):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    result = lint_paths([str(tmp_path)], config or Config(), select=rules)
    return result.diagnostics


def test_capacity_names_the_workload_and_its_role(tmp_path) -> None:
    [diag] = _diagnostics(tmp_path, {"cluster.yaml": CLUSTER_WITH_LABEL, "job.yaml": PYTORCHJOB},
                          ["gpu-exceeds-node-capacity"])
    assert diag.message == (
        "PyTorchJob/llama: Worker may stay Pending: each pod requests 8 nvidia.com/gpu, but the node pools it can "
        f"land on (managed nodegroup 'gpu' in {tmp_path / 'cluster.yaml'}) offer at most 1 per node (the largest, "
        "g5.xlarge, has 1)"
    )


def test_an_unmatched_selector_names_the_workload_and_the_label(tmp_path) -> None:
    job = PYTORCHJOB.replace("{workload: gpu}", "{workload: gpu-large}")
    [diag] = _diagnostics(tmp_path, {"cluster.yaml": CLUSTER_WITH_LABEL, "job.yaml": job},
                          ["node-selector-unmatched"])
    assert diag.message == (
        "PyTorchJob/llama: Worker may stay Pending: it selects workload=gpu-large, and none of the node pools it "
        "is joined with carries that label (the pools carry workload=gpu). Pools: managed nodegroup 'system', "
        f"managed nodegroup 'gpu' in {tmp_path / 'cluster.yaml'}"
    )


def test_prefer_no_schedule_is_named_for_what_it_does(tmp_path) -> None:
    cluster = CLUSTER.replace("{key: dedicated, value: gpu, effect: NoSchedule}",
                              "{key: spot, value: \"true\", effect: PreferNoSchedule}")
    [diag] = _diagnostics(tmp_path, {"cluster.yaml": cluster}, ["gpu-nodegroup-untainted"])
    assert diag.message == (
        "managed nodegroup 'gpu' runs accelerator instances (g5.xlarge) with only PreferNoSchedule taints "
        "(spot=true:PreferNoSchedule); PreferNoSchedule only asks the scheduler to avoid these nodes, so pods that "
        "do not tolerate it still land here when no other node fits: add a taint such as nvidia.com/gpu=true:NoSchedule"
    )
    assert diag.fix is not None


KARPENTER_GPU_ONLY = """\
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: default}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [p5]}
"""


def test_the_only_karpenter_pool_is_reported_without_a_fix(tmp_path) -> None:
    [diag] = _diagnostics(tmp_path, {"nodepool.yaml": KARPENTER_GPU_ONLY}, ["gpu-nodegroup-untainted"])
    assert diag.fix is None
    assert diag.message.endswith(
        "with no NoSchedule or NoExecute taint; any pod can be scheduled onto these nodes, and Karpenter may launch "
        "them for pods that need no accelerator. It is the only node pool here: before tainting it (e.g. "
        "nvidia.com/gpu=true:NoSchedule), add a NodePool for the pods that do not tolerate the taint")
    # with a CPU pool beside it, the fix is offered
    cpu = KARPENTER_GPU_ONLY.replace("name: default", "name: cpu").replace("[p5]", "[m5]")
    diags = _diagnostics(tmp_path, {"nodepool.yaml": KARPENTER_GPU_ONLY + "---\n" + cpu},
                         ["gpu-nodegroup-untainted"])
    assert [d.fix is not None for d in diags] == [True]


def test_an_unknown_karpenter_value_is_a_warning_that_karpenter_ignores_it(tmp_path) -> None:
    from gpulint.config import from_mapping
    from gpulint.diagnostics import Severity

    pool = KARPENTER_GPU_ONLY.replace("[p5]", "[p5x]").replace(
        "      requirements:\n", "      requirements:\n        - {key: node.kubernetes.io/instance-type, "
                                 "operator: In, values: [p5.48xlarg]}\n")
    cluster = CLUSTER.replace("instanceType: m5.large", "instanceType: m5.larg")
    diags = _diagnostics(tmp_path, {"nodepool.yaml": pool, "cluster.yaml": cluster}, ["unknown-instance-type"])
    assert [(os.path.basename(d.file), d.severity, d.message) for d in diags] == [
        ("cluster.yaml", Severity.ERROR, "'m5.larg' is not a known EC2 instance type; did you mean 'm5.large', "
                                         "'m5.xlarge', 'm5.8xlarge'?"),
        ("nodepool.yaml", Severity.WARNING, "'p5.48xlarg' is not a known EC2 instance type; did you mean "
                                            "'p5.48xlarge', 'p5.4xlarge', 'p5e.48xlarge'? Karpenter accepts "
                                            "the NodePool and ignores this value (no instance type carries it)"),
        ("nodepool.yaml", Severity.WARNING, "'p5x' is not a known EC2 instance family; did you mean 'p5', 'p5e'? "
                                            "Karpenter accepts the NodePool and ignores this value (no "
                                            "instance type carries it)"),
    ]
    # a severity set in the config still wins
    config = from_mapping({"rules": {"unknown-instance-type": {"severity": "error"}}})
    diags = _diagnostics(tmp_path, {}, ["unknown-instance-type"], config)
    assert {d.severity for d in diags} == {Severity.ERROR}
