"""Real public configurations nobody here wrote (``../shared/corpus``): gpulint must
lint all of them without an internal error, and what its Kubernetes rules say
about them must be true.

The corpus lives outside the repository; a fresh clone has none, and then these
tests are skipped.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter

import pytest

from gpulint.cli import main
from gpulint.config import Config, from_mapping
from gpulint.engine.rule import all_rules
from gpulint.engine.run import Result, lint_paths
from gpulint.model.kubernetes import Workload

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.normpath(os.path.join(REPO, "..", "shared", "corpus"))

pytestmark = pytest.mark.skipif(not os.path.isdir(CORPUS), reason="no ../shared/corpus next to the repository")

KUBERNETES_RULES = {r.name for r in all_rules() if r.domain == "kubernetes"}

#: files that are really not what they claim to be: in YAML, ``{username}`` starts a flow mapping in the middle of a scalar
NOT_YAML = {
    "kserve__kserve/docs/samples/v1beta1/custom/torchserve/autoscale.yaml",
    "kserve__kserve/docs/samples/v1beta1/custom/torchserve/canary.yaml",
    "kserve__kserve/docs/samples/v1beta1/custom/torchserve/gpu.yaml",
    "kserve__kserve/docs/samples/v1beta1/custom/torchserve/torchserve-custom-pv.yaml",
    # not valid HCL: a line of terminal output pasted above the code ("code has been checked out.")
    "aws-samples__sagemaker-studio-admin-iac-templates/src-terraform-iac/create-studio-and-datascientist-vpc-only.tf",
    # not valid HCL: an object key with a colon left unquoted (iam:PassedToService = ...)
    "aws-samples__sagemaker-studio-admin-iac-templates/workshop-user-journeys/lab_6_genai/genai_user_profile.tf",
}

#: GPU workloads of many shapes, written correctly for an EKS cluster (where the
#: ExtendedResourceToleration plugin runs): no Kubernetes rule may fire on them
CLEAN_GPU_FILES = [
    "aws__karpenter-provider-aws/examples/workloads/gpu-nvidia.yaml",
    "aws__karpenter-provider-aws/examples/workloads/neuron.yaml",
    # liveness 300 + 3 x 30 s: long enough for the default budget
    "aws-samples__awsome-inference/2.projects/trtllm-inference/2. Setup Container/manifest.yaml",
    "awslabs__ai-on-eks/blueprints/inference/vllm-llama3.1-405b-trn1/llama3-405b-vllm-lws-deployment.yaml",
    "awslabs__ai-on-eks/infra/bionemo/examples/esm2nv/esm2nv-training-job.yaml",
    "awslabs__ai-on-eks/infra/trainium-inferentia/examples/llama2/example_manifests/llama_train.yaml",
    "kserve__kserve/docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml",
    "kserve__kserve/docs/samples/llmisvc/e2e-gpt-oss/llmisvc_config_pd_disagg.yaml",
    "kserve__kserve/docs/samples/v1beta1/torchserve/v1/gpu.yaml",
    "ray-project__kuberay/ray-operator/config/samples/ray-service.deepseek.yaml",
]

#: with ``extended-resource-toleration: false`` (a cluster without the admission
#: plugin), these GPU pods tolerate no nvidia.com/gpu:NoSchedule taint
NO_PLUGIN_FINDINGS = {
    # head and worker group both ask for a GPU, neither has tolerations
    "awslabs__ai-on-eks/infra/jark-stack/src/service/ray-service.yaml": [
        (27, "gpu-toleration-missing"),
        (56, "gpu-toleration-missing"),
    ],
    # a 4-GPU head group with no tolerations
    "ray-project__kuberay/ray-operator/config/samples/ray-cluster.verl.yaml": [(11, "gpu-toleration-missing")],
    # tolerates only ray.io/node-type=worker
    "ray-project__kuberay/ray-operator/config/samples/ray-service.text-summarizer.yaml": [
        (61, "gpu-toleration-missing")
    ],
    # these tolerate the GPU taint
    "ray-project__kuberay/ray-operator/config/samples/ray-service.deepseek.yaml": [],
    "ray-project__kuberay/ray-operator/config/samples/ray-service.high-throughput-gemma4.yaml": [],
    "awslabs__ai-on-eks/blueprints/inference/vllm-rayserve-gpu/ray-service-vllm.yaml": [],
    # tolerates nvidia.com/gpu=present:NoSchedule with Equal: the taint's value is unknown
    "awslabs__ai-on-eks/infra/emr-spark-rapids/examples/nvidia-smi-test/nvidia-smi-karpenter-test.yaml": [],
}

#: with a 600 s probe budget (a team serving very large models)
LONG_BUDGET_FINDINGS = {
    # liveness 300 + 3 x 30 = 390 s, no startupProbe
    "aws-samples__awsome-inference/2.projects/trtllm-inference/2. Setup Container/manifest.yaml": [
        (29, "gpu-probe-too-short")
    ],
    # startupProbes of the LLMInferenceService are not in the file; KServe's templates bring one
    "kserve__kserve/docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml": [],
}


def rel(path: str) -> str:
    return os.path.relpath(path, CORPUS).replace(os.sep, "/")


def found(result: Result, rules: set[str]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for d in result.diagnostics:
        if d.rule in rules:
            out.setdefault(rel(d.file), Counter())[(d.line, d.rule)] += 1
    return out


@pytest.fixture(scope="module")
def corpus_run() -> Result:
    return lint_paths([CORPUS], Config())


def test_cli_lints_the_whole_corpus_without_a_traceback(tmp_path) -> None:
    cfg = tmp_path / ".gpulint.yaml"
    cfg.write_text("{}\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    status = main(["--format", "json", "--config", str(cfg), CORPUS], stdout=out, stderr=err)
    assert status in (0, 1)
    assert "Traceback" not in err.getvalue()
    diagnostics = json.loads(out.getvalue())
    assert not [d for d in diagnostics if d["rule"] == "internal-error"]


def test_no_internal_error(corpus_run: Result) -> None:
    assert corpus_run.files_checked > 300
    errors = [(rel(d.file), d.message) for d in corpus_run.diagnostics if d.rule == "internal-error"]
    assert not errors


def test_parse_errors_only_where_the_yaml_is_broken(corpus_run: Result) -> None:
    """CloudFormation tags (``!Ref``, ``!Sub``) load as tagged values; only real syntax errors remain."""
    assert set(found(corpus_run, {"parse-error"})) == NOT_YAML


def test_kubernetes_rules_stay_silent_on_the_corpus_by_default(corpus_run: Result) -> None:
    """Public GPU manifests written for EKS: nothing the Kubernetes rules could defend to their authors."""
    assert found(corpus_run, KUBERNETES_RULES) == {}


@pytest.mark.parametrize("name", CLEAN_GPU_FILES)
def test_clean_gpu_files_are_recognised_and_clean(corpus_run: Result, name: str) -> None:
    workloads = [o for o in corpus_run.project.of_type(Workload) if rel(o.file) == name]
    assert any(w.is_gpu for w in workloads), f"{name}: no GPU workload recognised"
    assert found(corpus_run, KUBERNETES_RULES).get(name) is None


def test_pod_specs_are_found_in_custom_resources(corpus_run: Result) -> None:
    roles: dict[str, set[str]] = {}
    for w in corpus_run.project.of_type(Workload):
        if w.is_gpu:
            roles.setdefault(rel(w.file), set()).update(t.role for t in w.templates if t.is_gpu)
    lws = "awslabs__ai-on-eks/blueprints/inference/vllm-llama3.1-405b-trn1/llama3-405b-vllm-lws-deployment.yaml"
    assert roles[lws] == {
        "leaderWorkerTemplate.leaderTemplate",
        "leaderWorkerTemplate.workerTemplate",
    }
    assert roles["awslabs__ai-on-eks/infra/jark-stack/src/service/ray-service.yaml"] == {
        "rayClusterConfig.headGroupSpec",
        "rayClusterConfig.workerGroupSpecs[0]",
    }
    assert roles["awslabs__ai-on-eks/infra/bionemo/examples/esm2nv/esm2nv-training-job.yaml"] == {
        "pytorchReplicaSpecs.Worker"
    }
    llm = "kserve__kserve/docs/samples/llmisvc/single-node-gpu/llm-inference-service-pd-qwen2-7b-gpu.yaml"
    assert roles[llm] == {"", "prefill"}
    assert roles["kserve__kserve/docs/samples/v1beta1/torchserve/v1/gpu.yaml"] == {"predictor"}


@pytest.mark.parametrize(
    "settings, expected",
    [
        ({"extended-resource-toleration": False}, NO_PLUGIN_FINDINGS),
        ({"rules": {"gpu-probe-too-short": {"budget-seconds": 600}}}, LONG_BUDGET_FINDINGS),
    ],
    ids=["no-admission-plugin", "600s-probe-budget"],
)
def test_exact_findings_under_a_configuration(settings: dict, expected: dict) -> None:
    files = [os.path.join(CORPUS, name) for name in expected]
    result = lint_paths(files, from_mapping(settings))
    actual = found(result, KUBERNETES_RULES)
    for name, wanted in expected.items():
        assert actual.get(name, Counter()) == Counter(wanted), name


def test_terraform_resources_are_read_and_only_broken_hcl_is_reported(corpus_run: Result) -> None:
    """The Terraform of the corpus: its SageMaker and scaling resources are modelled, and the only
    findings in .tf files are the two files that are not valid HCL (their values are mostly
    variables without defaults, module inputs and data sources: unknown, so nothing is said)."""
    kinds = Counter(type(o).__name__ for o in corpus_run.project.objects if o.file.endswith(".tf"))
    assert kinds == Counter({"SageMakerModel": 6, "EndpointConfig": 6, "Endpoint": 6, "ScalingPolicy": 4, "NodePool": 7,
                             "ScalableTarget": 1})
    on_tf = {(rel(d.file), d.rule) for d in corpus_run.diagnostics if d.file.endswith(".tf")}
    assert on_tf == {(name, "parse-error") for name in NOT_YAML if name.endswith(".tf")}
