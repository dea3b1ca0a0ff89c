"""What the cluster-aware toleration check says depends on the kind of workload."""

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


def test_a_deployment_stays_pending(tmp_path) -> None:
    assert "; it will stay Pending: add a toleration {key: dedicated, operator: Equal, value: \"gpu\"" in _message(
        tmp_path, "Deployment")


def test_a_daemonset_runs_nowhere(tmp_path) -> None:
    message = _message(tmp_path, "DaemonSet")
    assert "; its pods will run on none of those nodes: add a toleration" in message
    assert "Pending" not in message
