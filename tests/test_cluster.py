"""The instance catalog, its generator, context files, and the cluster corpus."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys

import pytest
from helpers import load_script

from gpulint.config import from_mapping
from gpulint.engine.run import lint_paths
from gpulint.model import catalog

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CORPUS = os.path.join(REPO, "..", "shared", "corpus")
CLUSTER_RULES = {
    "gpu-nodegroup-untainted", "spot-gpu-single-instance-type", "nodegroup-size-invalid", "unknown-instance-type",
    "node-selector-unmatched", "gpu-exceeds-node-capacity", "gpu-toleration-missing",
}


def _generator():
    return load_script("gen_instance_catalog")


# --------------------------------------------------------------------------- catalog API


def test_catalog_counts_and_memory() -> None:
    g5 = catalog.get("g5.12xlarge")
    assert g5 is not None and g5.vcpus == 48 and g5.accelerated is True
    assert g5.accelerators is not None and len(g5.accelerators) == 1
    gpu = g5.accelerators[0]
    assert (gpu.vendor, gpu.model, gpu.resource, gpu.count, gpu.memory_mib) == (
        "NVIDIA", "A10G", "nvidia.com/gpu", 4, 22888)
    assert catalog.accelerator_count("p4de.24xlarge", "nvidia.com/gpu") == 8
    assert catalog.get("p5e.48xlarge").accelerators[0].memory_mib == 144384
    assert catalog.accelerator_count("inf2.24xlarge", "aws.amazon.com/neuron") == 6
    assert catalog.accelerator_count("inf2.24xlarge", "aws.amazon.com/neurondevice") == 6
    assert catalog.accelerator_count("inf2.24xlarge", "aws.amazon.com/neuroncore") == 12
    assert catalog.accelerator_count("inf1.24xlarge", "aws.amazon.com/neuroncore") == 64
    # other vendors' resources on an NVIDIA type: none
    assert catalog.accelerator_count("g5.xlarge", "aws.amazon.com/neuron") == 0
    assert catalog.accelerator_count("g5.xlarge", "amd.com/gpu") == 0


def test_catalog_cpu_types() -> None:
    m5 = catalog.get("m5.2xlarge")
    assert (m5.vcpus, m5.memory_mib, m5.accelerators, m5.accelerated) == (8, 32768, (), False)
    assert catalog.get("c5.9xlarge").vcpus == 36
    assert catalog.get("r6i.large").memory_mib == 16384
    assert catalog.get("t3.micro").memory_mib == 1024
    assert catalog.accelerator_count("m5.large", "nvidia.com/gpu") == 0
    # a CPU family without recorded hardware still has no accelerators
    c5n = catalog.get("c5n.large")
    assert c5n.vcpus is None and c5n.accelerated is False
    assert c5n.accelerator_count("nvidia.com/gpu") == 0


def test_known_names_without_counts_stay_unknown() -> None:
    for name in ("g5g.xlarge", "g4ad.xlarge", "dl1.24xlarge", "p6-b300.48xlarge", "f1.2xlarge"):
        it = catalog.get(name)
        assert it is not None and catalog.is_known(name), name
        assert it.accelerators is None
        assert catalog.accelerator_count(name, "nvidia.com/gpu") is None, name
    # counts that depend on the device plugin's configuration
    assert catalog.accelerator_count("p4d.24xlarge", "nvidia.com/mig-1g.5gb") is None
    assert catalog.accelerator_count("trn2.48xlarge", "aws.amazon.com/neuroncore") is None
    assert catalog.accelerator_count("trn2.48xlarge", "aws.amazon.com/neuron") == 16


def test_catalog_names_and_suggestions() -> None:
    assert catalog.is_known("g5.2xlarge") and catalog.is_known("ml.g5.2xlarge")
    assert not catalog.is_known("g5.2xlarg") and catalog.get("g5.2xlarg") is None
    assert catalog.get("ml.p4d.24xlarge").accelerator_count("nvidia.com/gpu") == 8
    assert catalog.suggest("g5.2xlarg")[0] == "g5.2xlarge"
    assert catalog.suggest("ml.g5.xlarge", sagemaker=False) == ["g5.xlarge"]
    assert catalog.suggest("g5.xlarge", sagemaker=True) == ["ml.g5.xlarge"]
    assert catalog.suggest("ml.p4d.24xl")[0] == "ml.p4d.24xlarge"
    assert catalog.check_name("g5.2xlarge") is None
    assert catalog.check_name("${TYPE}") is None and catalog.check_name(None) is None
    assert catalog.check_name("ml.g5.xlarge", sagemaker=True) is None
    assert catalog.check_name("g5.xlarge", sagemaker=True) == (
        "'g5.xlarge' is not a known SageMaker instance type; did you mean 'ml.g5.xlarge'?")
    assert "hosting" in catalog.sagemaker_usages("ml.g5.xlarge")
    assert "training" in catalog.sagemaker_usages("ml.p4d.24xlarge")
    assert catalog.sagemaker_usages("g5.xlarge") == frozenset()


def test_catalog_records_how_it_was_made() -> None:
    info = catalog.info()
    datetime.date.fromisoformat(info["generated"])
    assert info["source"].startswith(("offline:", "live:"))


#: fixtures with Kubernetes documents only: no node pools, so nothing needs the instance catalog
KUBERNETES_FIXTURES = [
    os.path.join(HERE, "fixtures", *parts) for parts in (
        ("rules", "gpu-limit-missing"), ("rules", "gpu-request-limit-mismatch"), ("rules", "gpu-quantity-invalid"),
        ("rules", "gpu-probe-too-short"), ("rules", "gpu-hpa-cpu-metric"), ("rules", "keda-cooldown-short"),
        ("rules", "gpu-toleration-missing", "gpu-toleration-missing.yaml"), ("cases", "workload-kinds.yaml"),
        ("cases", "kustomize-overlay"),
    )
]


def test_plain_lint_does_not_load_the_catalog() -> None:
    code = (
        "import sys, gpulint.model.catalog as c; from gpulint.engine.run import lint_paths;"
        f"lint_paths({KUBERNETES_FIXTURES!r});"
        "print(c._CATALOG._data is None, 'boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False", "False"]


# --------------------------------------------------------------------------- the generator


def test_generator_offline_reproduces_the_committed_file() -> None:
    gen = _generator()
    committed = json.load(open(os.path.join(REPO, "lint", "data", "instances.json"), encoding="utf-8"))
    if not committed["source"].startswith("offline:"):
        pytest.skip("the committed catalog came from live data")
    import botocore

    if f"botocore {botocore.__version__} " not in committed["source"]:
        pytest.skip(f"the catalog names come from another botocore than {botocore.__version__}: {committed['source']}")
    fresh = gen.generate(today=committed["generated"])
    assert gen.dump(fresh) == open(os.path.join(REPO, "lint", "data", "instances.json"), encoding="utf-8").read()


def _describe_item(name: str, vcpus: int, mib: int, **extra) -> dict:
    item = {"InstanceType": name, "VCpuInfo": {"DefaultVCpus": vcpus}, "MemoryInfo": {"SizeInMiB": mib}}
    item.update(extra)
    return item


def test_generator_live_with_stubber(tmp_path) -> None:
    import botocore.session
    from botocore.stub import ANY, Stubber

    gen = _generator()
    client = botocore.session.get_session().create_client(
        "ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    page1 = [
        _describe_item("g5.12xlarge", 48, 196608, GpuInfo={
            "Gpus": [{"Name": "A10G", "Manufacturer": "NVIDIA", "Count": 4, "MemoryInfo": {"SizeInMiB": 22888}}],
            "TotalGpuMemoryInMiB": 91552}),
        _describe_item("x2iedn.xlarge", 4, 131072),  # a CPU family outside the kept list
    ]
    page2 = [
        _describe_item("inf2.24xlarge", 96, 393216, NeuronInfo={"NeuronDevices": [
            {"Count": 6, "Name": "Inferentia2", "CoreInfo": {"Count": 2, "Version": 2},
             "MemoryInfo": {"SizeInMiB": 32768}}]}),
        _describe_item("g6f.large", 2, 8192, GpuInfo={"Gpus": [
            {"Name": "L4", "Manufacturer": "NVIDIA", "Count": 1, "GpuPartitionSize": 0.125,
             "MemoryInfo": {"SizeInMiB": 2861}}]}),
        _describe_item("m5.large", 2, 8192),
    ]
    with Stubber(client) as stub:
        stub.add_response("describe_instance_types", {"InstanceTypes": page1, "NextToken": "t1"},
                          {"MaxResults": ANY})
        stub.add_response("describe_instance_types", {"InstanceTypes": page2},
                          {"MaxResults": ANY, "NextToken": "t1"})
        data = gen.generate(client, today="2026-01-02")
        stub.assert_no_pending_responses()
    hw = data["hardware"]
    assert data["generated"] == "2026-01-02" and data["source"].startswith("live: ec2.describe_instance_types in us-east-1")
    assert hw["g5.12xlarge"]["vcpus"] == 48 and hw["g5.12xlarge"]["memory_mib"] == 196608
    assert hw["g5.12xlarge"]["accelerators"][0]["count"] == 4
    assert hw["inf2.24xlarge"]["accelerators"][0]["cores"] == 12
    assert hw["g6f.large"]["accelerators"][0]["count"] is None  # a fractional GPU is not a whole device
    assert hw["m5.large"] == {"vcpus": 2, "memory_mib": 8192, "accelerators": [], "accelerated": False}
    assert "x2iedn.xlarge" not in hw
    assert "x2iedn.xlarge" in data["ec2"]  # still a known name
    # the file round-trips through the loader's format
    out = tmp_path / "instances.json"
    out.write_text(gen.dump(data), encoding="utf-8")
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(json.dumps(data))


# --------------------------------------------------------------------------- context files


def _write(path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: ml, region: us-east-1}
managedNodeGroups:
  - name: gpu
    instanceType: g5.2xlarge
    labels: {workload: gpu}
  - name: cpu
    instanceType: m5.large
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
        - name: server
          image: vllm/vllm-openai
          resources:
            limits:
              nvidia.com/gpu: 2
"""


def test_context_files_join_but_are_not_reported(tmp_path, monkeypatch) -> None:
    cluster = _write(tmp_path / "cluster" / "prod.yaml", CLUSTER)
    deploy = _write(tmp_path / "apps" / "llm.yaml", DEPLOYMENT)
    monkeypatch.chdir(tmp_path)
    config = from_mapping({"context": ["cluster/*.yaml"]}, str(tmp_path / ".gpulint.yaml"))
    result = lint_paths([os.path.relpath(deploy)], config)
    found = [(d.file, d.line, d.rule) for d in result.diagnostics]
    assert found == [(os.path.join("apps", "llm.yaml"), 13, "gpu-exceeds-node-capacity")]
    assert "g5.2xlarge" in result.diagnostics[0].message
    assert result.files_checked == 1
    # the cluster config itself has a finding (an untainted GPU nodegroup), reported only when named
    both = lint_paths([os.path.relpath(deploy), os.path.relpath(cluster)], config)
    assert sorted((d.file, d.rule) for d in both.diagnostics) == [
        (os.path.join("apps", "llm.yaml"), "gpu-exceeds-node-capacity"),
        (os.path.join("cluster", "prod.yaml"), "gpu-nodegroup-untainted"),
    ]


def test_without_cluster_context_cross_file_rules_are_silent(tmp_path, monkeypatch) -> None:
    deploy = _write(tmp_path / "llm.yaml", DEPLOYMENT.replace("workload: gpu", "workload: nowhere"))
    monkeypatch.chdir(tmp_path)
    result = lint_paths([deploy], from_mapping({}, str(tmp_path / ".gpulint.yaml")))
    assert [d.rule for d in result.diagnostics] == []


def test_workloads_join_the_nearest_cluster(tmp_path, monkeypatch) -> None:
    """A repository with two clusters: each workload is judged against its neighbour."""
    _write(tmp_path / "a" / "cluster.yaml", CLUSTER)
    _write(tmp_path / "a" / "apps" / "llm.yaml", DEPLOYMENT.replace("nvidia.com/gpu: 2", "nvidia.com/gpu: 1"))
    _write(tmp_path / "b" / "cluster.yaml", CLUSTER.replace("workload: gpu", "workload: other"))
    _write(tmp_path / "b" / "llm.yaml", DEPLOYMENT.replace("nvidia.com/gpu: 2", "nvidia.com/gpu: 1"))
    monkeypatch.chdir(tmp_path)
    result = lint_paths(["."], from_mapping({"select": ["node-selector-unmatched"]}, str(tmp_path / "x.yaml")))
    assert [(d.file, d.rule) for d in result.diagnostics] == [
        (os.path.join("b", "llm.yaml"), "node-selector-unmatched")]


def test_unmodelled_capacity_keeps_cross_file_rules_silent(tmp_path, monkeypatch) -> None:
    auto = CLUSTER.replace("managedNodeGroups:", "autoModeConfig: {enabled: true}\nmanagedNodeGroups:")
    _write(tmp_path / "cluster.yaml", auto)
    _write(tmp_path / "llm.yaml", DEPLOYMENT.replace("workload: gpu", "workload: nowhere"))
    monkeypatch.chdir(tmp_path)
    result = lint_paths(["."], from_mapping({"select": ["node-selector-unmatched", "gpu-exceeds-node-capacity",
                                                        "gpu-toleration-missing"]}, str(tmp_path / "x.yaml")))
    assert result.diagnostics == []


def test_gpu_sharing_option(tmp_path, monkeypatch) -> None:
    _write(tmp_path / "cluster.yaml", CLUSTER)
    _write(tmp_path / "llm.yaml", DEPLOYMENT)
    monkeypatch.chdir(tmp_path)
    on = from_mapping({"select": ["gpu-exceeds-node-capacity"]}, str(tmp_path / "x.yaml"))
    off = from_mapping({"select": ["gpu-exceeds-node-capacity"],
                        "rules": {"gpu-exceeds-node-capacity": {"gpu-sharing": True}}}, str(tmp_path / "x.yaml"))
    assert [d.rule for d in lint_paths(["."], on).diagnostics] == ["gpu-exceeds-node-capacity"]
    assert lint_paths(["."], off).diagnostics == []


# --------------------------------------------------------------------------- corpus


def _corpus_cluster_files() -> list[str]:
    if not os.path.isdir(CORPUS):
        pytest.skip("the shared corpus is not present")
    out = []
    for root, _, files in os.walk(CORPUS):
        for f in files:
            if not f.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(root, f)
            text = open(path, encoding="utf-8", errors="replace").read()
            if "eksctl.io/" in text or "karpenter.sh/" in text:
                out.append(path)
    return sorted(out)


def test_corpus_cluster_files_lint_cleanly() -> None:
    files = _corpus_cluster_files()
    assert len(files) >= 40
    result = lint_paths(files)
    assert [d for d in result.diagnostics if d.rule == "internal-error"] == []
    from gpulint.model.cluster import NodePool

    pools = list(result.project.of_type(NodePool))
    assert len(pools) >= 60
    assert any(p.provider == "karpenter" for p in pools) and any(p.group == "nodeGroups" for p in pools)
    found = sorted((os.path.relpath(d.file, CORPUS), d.line, d.rule) for d in result.diagnostics
                   if d.rule in CLUSTER_RULES)
    kubeflow = os.path.join("eksctl-io__eksctl", "examples", "23-kubeflow-spot-instance.yaml")
    # each reviewed by hand: spot GPU nodegroups with one type, GPU nodegroups next to CPU ones with no taint
    # (or only a PreferNoSchedule one), a Karpenter NodePool of p5/p6 instances only, untainted; not the p5
    # nodegroup of multinode-triton-trtllm-inference, whose CPU nodegroup starts with no node
    assert found == [
        (os.path.join("aws-samples__awsome-inference", "2.projects", "nims-inference", "nim-deploy", "helm",
                      "scaling-lb-monitoring", "scaling", "karpenter-config.yaml"), 19, "gpu-nodegroup-untainted"),
        (kubeflow, 88, "spot-gpu-single-instance-type"),
        (kubeflow, 103, "gpu-nodegroup-untainted"),
        (kubeflow, 124, "spot-gpu-single-instance-type"),
        (kubeflow, 139, "gpu-nodegroup-untainted"),
        (kubeflow, 160, "spot-gpu-single-instance-type"),
        (kubeflow, 175, "gpu-nodegroup-untainted"),
        (kubeflow, 196, "spot-gpu-single-instance-type"),
        (kubeflow, 208, "gpu-nodegroup-untainted"),
        (os.path.join("eksctl-io__eksctl", "examples", "44-node-repair.yaml"), 47, "gpu-nodegroup-untainted"),
    ]


# --------------------------------------------------------------------------- Karpenter requirements


def test_karpenter_requirements_filter_the_catalog() -> None:
    from gpulint.model.cluster import Requirement, karpenter_candidates

    def req(key: str, op: str, *values: str) -> Requirement:
        return Requirement(key, op, list(values), ())

    p5_up = karpenter_candidates([req("karpenter.k8s.aws/instance-category", "In", "p"),
                                  req("karpenter.k8s.aws/instance-generation", "Gt", "4")])
    assert p5_up == ("p5.48xlarge", "p5.4xlarge", "p5e.48xlarge", "p5en.48xlarge", "p6-b200.48xlarge",
                     "p6-b300.48xlarge", "p6e-gb200.36xlarge")
    a10g = karpenter_candidates([req("karpenter.k8s.aws/instance-gpu-name", "In", "a10g"),
                                 req("karpenter.k8s.aws/instance-gpu-count", "Lte", "4")])
    assert set(a10g) >= {"g5.xlarge", "g5.12xlarge", "g5.24xlarge"} and "g5.48xlarge" not in a10g
    assert not any(n.startswith(("m5.", "g6.", "p4d.")) for n in a10g)
    typed = karpenter_candidates([req("node.kubernetes.io/instance-type", "In", "g5.xlarge", "m5.large"),
                                  req("kubernetes.io/arch", "In", "amd64")])
    assert typed == ("g5.xlarge", "m5.large")
    arm = karpenter_candidates([req("karpenter.k8s.aws/instance-family", "In", "m6g", "m5"),
                                req("kubernetes.io/arch", "In", "arm64")])
    assert arm and all(n.startswith("m6g.") for n in arm)
    # a typo in the list leaves the set unknown (reported by unknown-instance-type instead)
    assert karpenter_candidates([req("node.kubernetes.io/instance-type", "In", "g5.xlarg")]) is None
