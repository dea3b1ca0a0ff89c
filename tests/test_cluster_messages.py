"""What the cluster-aware checks say: the workload by name, and what happens to it (a DaemonSet
runs nowhere; anything else may stay Pending), with the reason."""

from __future__ import annotations

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
