"""``gpulint examples/`` shows each problem the examples describe, on the line that has it.

The examples are documentation: every file explains, in plain comments, the
mistake it contains. The tables below say which diagnostics each file must
produce (line, rule), one table per domain folder. A domain lists every file in
its folder (an empty list marks a clean example), so adding an example means
stating what it shows. Other domains add their own table to ``DOMAINS``.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pytest
from helpers import run_cli

from gpulint.engine.rule import all_rules

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples")

Expected = dict[str, list[tuple[int, str]]]

KUBERNETES: Expected = {
    "kubernetes/vllm-deployment.yaml": [(38, "gpu-request-limit-mismatch"), (43, "gpu-probe-too-short")],
    "kubernetes/hpa.yaml": [(21, "gpu-hpa-cpu-metric")],
    "kubernetes/keda-scaledobject.yaml": [(44, "keda-cooldown-short")],
    "kubernetes/kserve-inferenceservice.yaml": [(30, "gpu-quantity-invalid")],
    "kubernetes/training-job.yaml": [(52, "gpu-limit-missing")],
    "kubernetes/kserve-llm-autoscaling.yaml": [(22, "gpu-hpa-cpu-metric")],
    "kubernetes/ddp-finetune-job.yaml": [(25, "gpu-training-shm-missing")],
    "kubernetes/embedding-server.yaml": [(29, "schema-violation")],
    "kubernetes/reranker.yaml": [(22, "parse-error")],
    "kubernetes/ray-service.yaml": [],
}

SAGEMAKER: Expected = {
    "sagemaker/chat-endpoint-config.json": [(5, "instance-pools-routing"), (12, "instance-pools-invalid")],
    "sagemaker/chat-model.yaml": [(16, "payload-limit-exceeded")],
    "sagemaker/chat-endpoint.yaml": [],
    "sagemaker/chat-scaling.yaml": [
        (9, "scaling-capacity-invalid"), (23, "scale-in-cooldown-short"), (44, "scale-out-slower-than-scale-in"),
    ],
    "sagemaker/embeddings-endpoint-config.yaml": [(7, "autoscaling-missing")],
    "sagemaker/finetune-spot-job.yaml": [(22, "spot-training-without-checkpoint"), (25, "spot-max-wait-invalid")],
    "sagemaker/nightly-transform.json": [(4, "transform-payload-invalid")],
    "sagemaker/quotas.yaml": [],  # the quotas file for quota-exceeded (see test_sagemaker_examples_with_quotas)
    "sagemaker/transcribe-async.yaml": [(25, "async-scale-from-zero-missing")],
    "sagemaker/coder-llm.yaml": [(25, "large-model-startup-timeout"), (44, "scale-in-cooldown-long")],
    "sagemaker/fraud-scoring.yaml": [(17, "realtime-invocation-timeout")],
    "sagemaker/shared-gpu-components.yaml": [(23, "inference-component-exceeds-instance")],
    "sagemaker/tabular-serverless.json": [(8, "serverless-config-invalid")],
}

CLUSTER: Expected = {
    "cluster/cluster.yaml": [
        (23, "gpu-nodegroup-untainted"), (34, "spot-gpu-single-instance-type"), (49, "nodegroup-size-invalid"),
        (59, "unknown-instance-type"),
    ],
    "cluster/karpenter/gpu-nodepool.yaml": [(24, "gpu-nodepool-no-limits")],
    "cluster/workloads.yaml": [
        (59, "gpu-exceeds-node-capacity"), (80, "node-selector-unmatched"), (99, "gpu-toleration-missing"),
    ],
}

TERRAFORM: Expected = {
    "terraform/main.tf": [(60, "scale-in-cooldown-short")],
    "terraform/variables.tf": [],
}

#: the inputs of `gpulint cost` (README): clean configs, so the lint run says nothing about them
COST: Expected = {
    "cost/cluster.yaml": [],
    "cost/karpenter.yaml": [],
    "cost/sagemaker/endpoint-config.json": [],
    "cost/sagemaker/scaling.yaml": [],
    "cost/sagemaker/training-job.json": [],
    "cost/sagemaker/transform-job.json": [],
}

#: SageMaker and autoscaling set up in Python (the SDK and boto3), read without running it
PYTHON: Expected = {
    "python/support_bot.py": [(29, "spot-training-without-checkpoint"), (63, "scale-in-cooldown-short")],
}

#: domain folder under examples/ -> its expectations
DOMAINS: dict[str, Expected] = {
    "kubernetes": KUBERNETES,
    "sagemaker": SAGEMAKER,
    "cluster": CLUSTER,
    "cost": COST,
    "terraform": TERRAFORM,
    "python": PYTHON,
}


def test_every_example_folder_has_a_table() -> None:
    folders = {e.name for e in os.scandir(EXAMPLES) if e.is_dir()}
    assert folders == set(DOMAINS), f"folders without a table: {sorted(folders - set(DOMAINS))}"

ALL_EXPECTED: Expected = {f: e for table in DOMAINS.values() for f, e in table.items()}


def run(argv: list[str]) -> tuple[int, list[dict], str]:
    # paths in the report are relative to the repository, as in the README
    status, out, err = run_cli(argv, cwd=REPO)
    return status, json.loads(out or "[]"), err


@pytest.fixture(scope="module")
def examples_run() -> tuple[int, list[dict], str]:
    if not os.path.isdir(EXAMPLES):
        pytest.fail("the examples/ folder is missing")
    return run(["--format", "json", "examples"])


def by_file(diagnostics: list[dict]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for d in diagnostics:
        rel = os.path.relpath(os.path.join(REPO, d["file"]), EXAMPLES).replace(os.sep, "/")
        out.setdefault(rel, Counter())[(d["line"], d["rule"])] += 1
    return out


@pytest.mark.parametrize("name", sorted(ALL_EXPECTED))
def test_example_reports_exactly_what_it_describes(examples_run, name: str) -> None:
    _, diagnostics, _ = examples_run
    actual = by_file(diagnostics).get(name, Counter())
    expected = Counter(ALL_EXPECTED[name])
    assert actual == expected, (
        f"\n{name}: missing {sorted(expected - actual)}, unexpected {sorted(actual - expected)}"
    )


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_every_example_states_what_it_shows(domain: str) -> None:
    folder = os.path.join(EXAMPLES, domain)
    files = set()
    for root, _, names in os.walk(folder):
        for n in names:
            if n.endswith((".yaml", ".yml", ".json", ".tf", ".py")) and not n.startswith(".gpulint"):
                files.add(os.path.relpath(os.path.join(root, n), EXAMPLES).replace(os.sep, "/"))
    assert files, f"examples/{domain} holds no examples"
    unlisted = sorted(files - set(DOMAINS[domain]))
    gone = sorted(set(DOMAINS[domain]) - files)
    assert not unlisted and not gone, f"unlisted examples: {unlisted}; listed but missing: {gone}"


def test_examples_run_fails_without_internal_errors(examples_run) -> None:
    status, diagnostics, err = examples_run
    assert status == 1
    assert "Traceback" not in err
    assert not [d for d in diagnostics if d["rule"] == "internal-error"]


def test_each_kubernetes_rule_shows_once(examples_run) -> None:
    """The Kubernetes pack's rules each appear exactly once in ``gpulint examples/``.

    gpu-toleration-missing shows through the cluster example (with node pools
    in context); the Kubernetes examples alone need
    ``extended-resource-toleration: false`` for it (see the test below).
    gpu-hpa-cpu-metric shows once per form: an HPA, and the HPA KServe makes
    for an InferenceService.
    """
    _, diagnostics, _ = examples_run
    counts = Counter(d["rule"] for d in diagnostics)
    pack = [r.name for r in all_rules() if r.domain == "kubernetes"]
    assert pack
    forms = {"gpu-hpa-cpu-metric": 2}
    for name in pack:
        assert counts[name] == forms.get(name, 1), f"{name} shows {counts[name]} times"


def test_messages_say_what_was_found_and_what_to_do(examples_run) -> None:
    _, diagnostics, _ = examples_run
    for d in diagnostics:
        if d["file"].startswith(("examples/kubernetes/", "examples\\kubernetes\\")) and d["code"].startswith("GPU"):
            assert len(d["message"]) < 400, d
            assert ":" in d["message"] or ";" in d["message"], d  # a finding, then the remedy


def test_training_job_on_a_cluster_without_the_admission_plugin(tmp_path) -> None:
    """The training example's comment: without ExtendedResourceToleration its pods need a toleration."""
    cfg = tmp_path / ".gpulint.yaml"
    cfg.write_text("extended-resource-toleration: false\n", encoding="utf-8")
    status, diagnostics, _ = run(
        ["--format", "json", "--config", str(cfg), "examples/kubernetes/training-job.yaml"]
    )
    found = sorted((d["line"], d["rule"]) for d in diagnostics)
    assert found == [
        (28, "gpu-toleration-missing"),  # Master pod spec
        (44, "gpu-toleration-missing"),  # Worker pod spec
        (52, "gpu-limit-missing"),
    ]
    assert status == 1


def test_sagemaker_examples_with_quotas() -> None:
    """examples/sagemaker/quotas.yaml: the spot fine-tuning job needs more p4d instances than the quota."""
    status, diagnostics, err = run(
        ["--format", "json", "--quotas", "examples/sagemaker/quotas.yaml", "--select", "quota-exceeded",
         "examples/sagemaker"]
    )
    assert [(d["file"], d["line"], d["rule"]) for d in diagnostics] == [
        ("examples/sagemaker/finetune-spot-job.yaml", 19, "quota-exceeded")
    ], err
    assert "'ml.p4d.24xlarge for spot training job usage' = 1" in diagnostics[0]["message"]
    assert status == 1
