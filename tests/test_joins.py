"""Which node pools a workload is joined with: its own folder and the folders above it, or what
``context:`` declares; never a sibling folder's subtree. Pools of more than one cluster found by
folder are not joined (one note per run says how to declare them); ``--show-context`` explains
each join. The fixture cases ``tests/fixtures/cases/join-*`` pin what the rules report."""

from __future__ import annotations

import os

import pytest
from expect import CASES
from helpers import run_cli

from gpulint.config import ConfigError, from_mapping
from gpulint.engine.run import lint_paths

CLUSTER_RULES = ["node-selector-unmatched", "gpu-exceeds-node-capacity", "gpu-toleration-missing"]

EKSCTL = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {{name: {name}, region: us-east-1}}
managedNodeGroups:
  - name: system
    instanceType: m5.large
  - name: gpu
    instanceType: g5.xlarge
    labels: {{workload: gpu}}
    taints: [{{key: nvidia.com/gpu, value: "true", effect: NoSchedule}}]
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
      taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: llm}
spec:
  template:
    spec:
      nodeSelector: {workload: gpu}
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.0
          resources:
            limits: {nvidia.com/gpu: 2}
"""


def _write(root, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _lint(root, monkeypatch, config: dict | None = None, select=CLUSTER_RULES, paths=(".",)):
    monkeypatch.chdir(root)
    cfg = from_mapping(config or {}, str(root / ".gpulint.yaml"))
    result = lint_paths(list(paths), cfg, select=select)
    return [(d.file, d.line, d.rule) for d in result.diagnostics], result.notes


# --------------------------------------------------------------------------- more than one cluster


def test_two_clusters_above_a_workload_keep_the_rules_silent_with_one_note(monkeypatch) -> None:
    found, notes = _lint_case("join-two-clusters", monkeypatch)
    assert found == []
    [note] = notes
    assert note.startswith("cluster-aware rules stayed silent on 2 workload(s) joined by folder with node pools "
                           "of more than one cluster, e.g. Deployment/llm in team/apps/workloads.yaml: its node "
                           "pools come from more than one eksctl cluster: eksctl cluster 'platform' (cluster.yaml), "
                           "eksctl cluster 'team-gpu' (team/cluster.yaml). Declare the cluster files a workload runs "
                           "on under context: in ")
    assert note.endswith('.gpulint.yaml, e.g. context: {"team/apps/**": ["team/cluster.yaml"]}; gpulint '
                         '--show-context FILE shows how the workloads of a file are joined')


def _lint_case(name: str, monkeypatch, select=CLUSTER_RULES):
    case = os.path.join(CASES, name)
    monkeypatch.chdir(case)
    result = lint_paths(["."], from_mapping({}, os.path.join(case, ".gpulint.yaml")), select=select)
    return [(d.file, d.line, d.rule) for d in result.diagnostics], result.notes


def test_no_note_when_no_cluster_rule_runs(monkeypatch) -> None:
    assert _lint_case("join-two-clusters", monkeypatch, select=["gpu-limit-missing"]) == ([], [])


@pytest.mark.parametrize("name", ["join-hyperpod-sibling", "join-ray-placeholder", "join-sibling-cluster",
                                  "join-hyperpod-same-folder", "placeholder-instance-types"])
def test_no_note_where_nothing_is_ambiguous(name: str, monkeypatch) -> None:
    assert _lint_case(name, monkeypatch)[1] == []


def test_eksctl_pools_and_karpenter_pools_of_no_named_cluster_are_not_joined(tmp_path, monkeypatch) -> None:
    _write(tmp_path, {"cluster.yaml": EKSCTL.format(name="ml"), "pools/gpu.yaml": NODEPOOL,
                      "pools/llm.yaml": DEPLOYMENT})
    found, [note] = _lint(tmp_path, monkeypatch)
    assert found == []
    assert ("its node pools mix eksctl cluster 'ml' (cluster.yaml) with Karpenter NodePools (pools/gpu.yaml), "
            "which name no cluster") in note


def test_karpenter_pools_beside_a_cluster_that_runs_karpenter_are_joined(tmp_path, monkeypatch) -> None:
    cluster = EKSCTL.format(name="ml").replace("managedNodeGroups:",
                                               "karpenter: {version: '1.0.6'}\nmanagedNodeGroups:")
    _write(tmp_path, {"cluster.yaml": cluster, "pools/gpu.yaml": NODEPOOL, "pools/llm.yaml": DEPLOYMENT})
    found, notes = _lint(tmp_path, monkeypatch)
    assert found == [(os.path.join("pools", "llm.yaml"), 12, "gpu-exceeds-node-capacity")] and notes == []


def test_two_files_of_one_named_cluster_are_one_cluster(tmp_path, monkeypatch) -> None:
    _write(tmp_path, {"cluster.yaml": EKSCTL.format(name="ml"),
                      "gpu-nodegroups.yaml": EKSCTL.format(name="ml").replace("name: gpu", "name: gpu-2"),
                      "llm.yaml": DEPLOYMENT})
    assert _lint(tmp_path, monkeypatch) == ([("llm.yaml", 12, "gpu-exceeds-node-capacity")], [])


# --------------------------------------------------------------------------- context


def test_a_context_mapping_joins_exactly_the_files_it_names(tmp_path, monkeypatch) -> None:
    _write(tmp_path, {"infra/prod.yaml": EKSCTL.format(name="prod"),
                      "infra/big.yaml": EKSCTL.format(name="big").replace("g5.xlarge", "g5.12xlarge"),
                      "apps/llm.yaml": DEPLOYMENT, "apps/big/llm.yaml": DEPLOYMENT})
    config = {"context": {"apps/*.yaml": ["infra/prod.yaml"], "apps/big/**": ["infra/big.yaml"]}}
    found, notes = _lint(tmp_path, monkeypatch, config, paths=["apps"])
    assert found == [(os.path.join("apps", "llm.yaml"), 12, "gpu-exceeds-node-capacity")] and notes == []


def test_the_list_form_of_context_applies_to_every_workload(tmp_path, monkeypatch) -> None:
    _write(tmp_path, {"infra/prod.yaml": EKSCTL.format(name="prod"), "apps/a/llm.yaml": DEPLOYMENT,
                      "apps/b/llm.yaml": DEPLOYMENT})
    found, _ = _lint(tmp_path, monkeypatch, {"context": ["infra/*.yaml"]}, paths=["apps"])
    assert found == [(os.path.join("apps", "a", "llm.yaml"), 12, "gpu-exceeds-node-capacity"),
                     (os.path.join("apps", "b", "llm.yaml"), 12, "gpu-exceeds-node-capacity")]
    # without it, the cluster in a sibling folder is not joined
    assert _lint(tmp_path, monkeypatch, paths=[".", "apps"]) == ([], [])


def test_context_globs_that_match_no_file_are_noted(tmp_path, monkeypatch) -> None:
    _write(tmp_path, {"infra/prod.yaml": EKSCTL.format(name="prod"), "apps/llm.yaml": DEPLOYMENT})
    config = {"context": {"apps/**": ["infra/prod.yaml", "infra/stagin.yaml"], "ap/**": ["infra/prod.yaml"]}}
    found, notes = _lint(tmp_path, monkeypatch, config, paths=["apps"])
    where = str(tmp_path / ".gpulint.yaml")
    assert notes == [
        f"{where}: context glob 'infra/stagin.yaml' matches no file (globs are relative to the config's folder)",
        f"{where}: context workload glob 'ap/**' matches no file (globs are relative to the config's folder)",
    ]
    assert found == [(os.path.join("apps", "llm.yaml"), 12, "gpu-exceeds-node-capacity")]


@pytest.mark.parametrize("context", [["/etc/cluster.yaml"], ["../infra/*.yaml"], ["infra/../../x.yaml"],
                                     {"apps/**": ["../infra.yaml"]}, {"/apps/**": ["infra.yaml"]},
                                     {"../apps/**": ["infra.yaml"]}, ["~/cluster.yaml"], [""]])
def test_context_globs_stay_inside_the_config_folder(context) -> None:
    with pytest.raises(ConfigError, match=r"must be a glob relative to the config's folder and inside it "
                                          r"\(no absolute path, no '\.\.'\)"):
        from_mapping({"context": context}, "/repo/.gpulint.yaml")


def test_a_context_mapping_takes_lists_of_globs() -> None:
    with pytest.raises(ConfigError, match="expected a list, found 'infra.yaml'"):
        from_mapping({"context": {"apps/**": "infra.yaml"}})
    assert from_mapping({"context": {"a/**": ["x.yaml", "y/*.yaml"], "b/**": ["x.yaml"]}}).context_files == [
        "x.yaml", "y/*.yaml"]


@pytest.mark.parametrize("pattern, path, matches", [
    ("apps/**", "apps/llm/deploy.yaml", True),
    ("apps/**", "apps/x.yaml", True),
    ("apps/**", "apps2/x.yaml", False),
    ("apps/*.yaml", "apps/llm/deploy.yaml", False),
    ("apps/**/deploy.yaml", "apps/deploy.yaml", True),
    ("apps/**/deploy.yaml", "apps/a/b/deploy.yaml", True),
    ("**/llm.yaml", "llm.yaml", True),
    ("apps/ll?.yaml", "apps/llm.yaml", True),
    ("apps/[!x]*.yaml", "apps/llm.yaml", True),
    ("apps/[!l]*.yaml", "apps/llm.yaml", False),
    ("apps.yaml", "appsXyaml", False),
])
def test_workload_globs_read_as_glob_reads_them(pattern: str, path: str, matches: bool) -> None:
    from gpulint.model.cluster.joins import glob_regex

    assert bool(glob_regex(pattern).match(path)) is matches


# --------------------------------------------------------------------------- --show-context


def test_show_context_explains_each_join() -> None:
    case = os.path.join(CASES, "join-context-mapping")
    status, out, err = run_cli(["--config", "gpulint.yaml", "--show-context", "apps/llm/deploy.yaml"], cwd=case)
    assert status == 0 and err == ""
    assert out == (
        "apps/llm/deploy.yaml: Deployment/llm\n"
        "  infra/eks/cluster.yaml: context mapping 'apps/**' -> 'infra/eks/*.yaml'\n"
        "apps/llm/deploy.yaml: Deployment/reranker\n"
        "  infra/eks/cluster.yaml: context mapping 'apps/**' -> 'infra/eks/*.yaml'\n"
    )
    status, out, _ = run_cli(["--config", "gpulint.yaml", "--show-context", "tools/bench.yaml"], cwd=case)
    assert status == 0 and out == (
        "tools/bench.yaml: Job/bench\n"
        "  not joined: no node pool file in its folder or a folder above it (those in apps/llm/local-cluster.yaml, "
        "infra/eks/cluster.yaml, infra/staging/cluster.yaml are elsewhere: declare them under context: to join "
        "them)\n"
    )


def test_show_context_by_folder(tmp_path) -> None:
    _write(tmp_path, {"cluster.yaml": EKSCTL.format(name="ml"), "team/pools.yaml": NODEPOOL,
                      "team/cluster.yaml": "", "team/apps/llm.yaml": DEPLOYMENT,
                      "hyperpod/job.yaml": DEPLOYMENT.replace("workload: gpu",
                                                              "node.kubernetes.io/instance-type: ml.g5.8xlarge"),
                      "apps/two.yaml": DEPLOYMENT})
    status, out, _ = run_cli(["--show-context", "team/apps/llm.yaml"], cwd=str(tmp_path))
    assert status == 0 and out == (
        "team/apps/llm.yaml: Deployment/llm\n"
        "  not joined: its node pools mix eksctl cluster 'ml' (cluster.yaml) with Karpenter NodePools "
        "(team/pools.yaml), which name no cluster\n"
    )
    (tmp_path / "team" / "pools.yaml").unlink()
    _write(tmp_path, {"team/cluster.yaml": EKSCTL.format(name="ml").replace("g5.xlarge", "g5.2xlarge")})
    status, out, _ = run_cli(["--show-context", "team/apps/llm.yaml"], cwd=str(tmp_path))
    assert out == ("team/apps/llm.yaml: Deployment/llm\n"
                   "  cluster.yaml: ancestor folder .\n"
                   "  team/cluster.yaml: ancestor folder team\n")
    status, out, _ = run_cli(["--show-context", "hyperpod/job.yaml"], cwd=str(tmp_path))
    assert out == ("hyperpod/job.yaml: Deployment/llm\n"
                   "  not joined: it selects SageMaker HyperPod nodes (instance type ml.g5.8xlarge), which are not "
                   "eksctl or Karpenter pools\n")
    status, out, _ = run_cli(["--show-context", "cluster.yaml"], cwd=str(tmp_path))
    assert (status, out) == (0, "cluster.yaml: no workload\n")


def test_show_context_without_cluster_files_and_of_a_missing_file(tmp_path) -> None:
    _write(tmp_path, {"llm.yaml": DEPLOYMENT})
    status, out, _ = run_cli(["--show-context", "llm.yaml"], cwd=str(tmp_path))
    assert (status, out) == (0, "llm.yaml: Deployment/llm\n"
                                "  not joined: no eksctl ClusterConfig or Karpenter NodePool in the run\n")
    status, out, err = run_cli(["--show-context", "nope.yaml"], cwd=str(tmp_path))
    assert (status, out, err) == (2, "", "gpulint: --show-context: nope.yaml: no such file\n")


def test_a_mapping_to_files_without_clusters_joins_nothing(tmp_path) -> None:
    _write(tmp_path, {".gpulint.yaml": "context: {'apps/**': ['deploy/*.yaml']}\n",
                      "deploy/hpa.yaml": DEPLOYMENT.replace("name: llm", "name: other"),
                      "apps/cluster.yaml": EKSCTL.format(name="ml"), "apps/llm.yaml": DEPLOYMENT})
    status, out, _ = run_cli(["--show-context", "apps/llm.yaml"], cwd=str(tmp_path))
    assert (status, out) == (0, "apps/llm.yaml: Deployment/llm\n"
                                "  not joined: context maps it ('apps/**') to 'deploy/*.yaml', which name no cluster "
                                "file of the run\n")


def test_a_context_list_without_cluster_files_leaves_the_join_by_folder(tmp_path) -> None:
    _write(tmp_path, {".gpulint.yaml": "context: ['deploy/*.yaml']\n",
                      "deploy/other.yaml": DEPLOYMENT.replace("name: llm", "name: other"),
                      "apps/cluster.yaml": EKSCTL.format(name="ml"), "apps/llm.yaml": DEPLOYMENT})
    status, out, _ = run_cli(["--show-context", "apps/llm.yaml"], cwd=str(tmp_path))
    assert (status, out) == (0, "apps/llm.yaml: Deployment/llm\n  apps/cluster.yaml: own folder\n")
    status, out, _ = run_cli(["--format", "json", "apps"], cwd=str(tmp_path))
    assert '"rule": "gpu-exceeds-node-capacity"' in out
