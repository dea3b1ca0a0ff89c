"""Each Kubernetes-pack and engine diagnostic on the examples, word for word and column for column.

A diagnostic points at the most specific node (the value that is wrong, or the
collection that lacks something) and its message says what was found and what
is expected. The fixture cases pin rule and line; this pins the rest: the
column, the text found there, and the exact message.
"""

from __future__ import annotations

import io
import json
import os

import pytest

from gpulint.cli import main

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TOLERATION = (
    "requests nvidia.com/gpu but does not tolerate the taint nvidia.com/gpu:NoSchedule that GPU nodes "
    "conventionally carry, and extended-resource-toleration is off; it will stay Pending: add a toleration "
    "{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}"
)

#: (file under examples/kubernetes, line, column, the source text found there, rule, message)
EXPECTED = [
    ("ddp-finetune-job.yaml", 22, 7, "containers:", "gpu-toleration-missing", "pod " + TOLERATION),
    ("ddp-finetune-job.yaml", 25, 20, '["torchrun"', "gpu-training-shm-missing",
     "Job/mistral-7b-sft: container 'trainer' runs torchrun on 8 GPUs with no volume at /dev/shm, so it gets the "
     "runtime's 64 MiB; DataLoader workers and NCCL fail on it (bus error): mount an emptyDir with medium: Memory "
     "at /dev/shm"),
    ("embedding-server.yaml", 29, 13, "limits:", "schema-violation",
     "duplicate key 'limits' (first on line 25); Kubernetes and the AWS tools keep only the last value"),
    ("hpa.yaml", 21, 5, "- type: Resource", "gpu-hpa-cpu-metric",
     "HPA scales GPU Deployment/llama-8b on cpu only; a GPU server saturates its GPU long before its CPU, so it "
     "will not scale out under load: scale on a GPU, queue or request metric (type Pods or External)"),
    ("keda-scaledobject.yaml", 21, 7, "containers:", "gpu-toleration-missing", "pod " + TOLERATION),
    ("keda-scaledobject.yaml", 44, 19, "60", "keda-cooldown-short",
     "ScaledObject scales GPU Deployment/whisper to zero after only 60 s without traffic (minReplicaCount "
     "defaults to 0); bringing a GPU replica back takes minutes: set cooldownPeriod to at least 300 or "
     "minReplicaCount to 1"),
    ("kserve-inferenceservice.yaml", 18, 5, "minReplicas:", "gpu-toleration-missing", "pod 'predictor' " + TOLERATION),
    ("kserve-inferenceservice.yaml", 30, 29, "0.5", "gpu-quantity-invalid",
     "container 'kserve-container' sets limits.nvidia.com/gpu to 0.5, which is not a whole number of devices; "
     "accelerators are allocated as whole units (e.g. 1); for a share of a GPU use a MIG or time-sliced resource"),
    ("kserve-llm-autoscaling.yaml", 22, 18, "cpu", "gpu-hpa-cpu-metric",
     "InferenceService/llama-8b: the predictor requests GPUs, but KServe scales it with an HPA on cpu only "
     "(scaleMetric: cpu, raw deployment mode); a GPU server saturates its GPU long before its CPU, so it will not "
     "scale out under load: scale on requests in flight (Knative concurrency) or a GPU or queue metric "
     "(autoScaling.metrics of type External or PodMetric with KEDA)"),
    ("reranker.yaml", 22, 12, "resources:", "parse-error",
     "invalid YAML: did not find expected key while parsing a block mapping"),
    ("training-job.yaml", 28, 11, "containers:", "gpu-toleration-missing",
     "pod 'pytorchReplicaSpecs.Master' " + TOLERATION),
    ("training-job.yaml", 44, 11, "containers:", "gpu-toleration-missing",
     "pod 'pytorchReplicaSpecs.Worker' " + TOLERATION),
    ("training-job.yaml", 52, 35, "8", "gpu-limit-missing",
     "container 'pytorch' requests nvidia.com/gpu: 8 but sets no limit for it; the API server rejects requests "
     "without limits for devices: add limits.nvidia.com/gpu: 8"),
    ("vllm-deployment.yaml", 28, 7, "containers:", "gpu-toleration-missing", "pod " + TOLERATION),
    ("vllm-deployment.yaml", 38, 31, "1", "gpu-request-limit-mismatch",
     "container 'vllm' requests nvidia.com/gpu: 1 but its limit is 2; devices cannot be overcommitted, so the "
     "two must be equal (set the request to 2)"),
    ("vllm-deployment.yaml", 43, 13, "httpGet:", "gpu-probe-too-short",
     "GPU container 'vllm' has no startupProbe, and its liveness probe kills it after 30 s (initialDelaySeconds 0 "
     "+ failureThreshold 3 x periodSeconds 10), less than the 120 s a model may need to load: add a startupProbe "
     "allowing at least 120 s (e.g. failureThreshold 12 x periodSeconds 10)"),
]


@pytest.fixture(scope="module")
def diagnostics(tmp_path_factory) -> list[dict]:
    config = tmp_path_factory.mktemp("cfg") / ".gpulint.yaml"
    config.write_text("extended-resource-toleration: false\n")  # so the conventional-taint check speaks too
    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        status = main(["--format", "json", "--config", str(config), "examples/kubernetes"], stdout=out, stderr=err)
    finally:
        os.chdir(cwd)
    assert status == 1, err.getvalue()
    return json.loads(out.getvalue())


def test_every_diagnostic_is_exact(diagnostics: list[dict]) -> None:
    actual = [(os.path.basename(d["file"]), d["line"], d["column"], d["rule"], d["message"]) for d in diagnostics]
    assert actual == [(f, line, col, rule, msg) for f, line, col, _, rule, msg in EXPECTED]


@pytest.mark.parametrize("name, line, column, text", [e[:4] for e in EXPECTED], ids=[f"{e[0]}:{e[1]}" for e in EXPECTED])
def test_the_column_is_on_the_offending_node(name: str, line: int, column: int, text: str) -> None:
    with open(os.path.join(REPO, "examples", "kubernetes", name), encoding="utf-8") as fh:
        source_line = fh.read().splitlines()[line - 1]
    assert source_line[column - 1:].startswith(text), source_line


def test_each_rule_of_the_pack_is_pinned() -> None:
    from gpulint.engine.rule import all_rules

    pack = {r.name for r in all_rules() if r.domain == "kubernetes"}
    assert pack <= {e[4] for e in EXPECTED}
