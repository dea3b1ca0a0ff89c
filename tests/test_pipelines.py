"""``helm template ... | gpulint -`` and ``kustomize build ... | gpulint -``; Helm chart sources are skipped."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

from gpulint.cli import main

# What `helm template vllm ./chart` prints: every document starts with `---` and a `# Source:` comment.
HELM_OUTPUT = """\
---
# Source: vllm/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: vllm
  labels:
    helm.sh/chart: vllm-0.1.0
---
# Source: vllm/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: vllm
spec:
  type: ClusterIP
  ports:
    - port: 8000
      targetPort: http
  selector:
    app.kubernetes.io/name: vllm
---
# Source: vllm/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
  labels:
    app.kubernetes.io/name: vllm
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: vllm
  template:
    metadata:
      labels:
        app.kubernetes.io/name: vllm
    spec:
      serviceAccountName: vllm
      containers:
        - name: vllm
          image: "vllm/vllm-openai:v0.6.3"
          args: ["--model", "meta-llama/Llama-3.1-8B-Instruct"]
          ports:
            - name: http
              containerPort: 8000
          resources:
            requests:
              nvidia.com/gpu: 1
---
# Source: vllm/templates/worker.yaml
apiVersion: batch/v1
kind: Job
metadata:
  name: vllm-warmup
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: warmup
          image: "vllm/vllm-openai:v0.6.3"
          resources:
            requests:
              nvidia.com/gpu: "1"
            limits:
              nvidia.com/gpu: "2"
"""
HELM_EXPECTED = [(50, "gpu-limit-missing"), (66, "gpu-request-limit-mismatch")]

# What `kustomize build overlays/prod` prints: keys sorted, no leading `---`.
KUSTOMIZE_OUTPUT = """\
apiVersion: v1
data:
  MODEL_ID: meta-llama/Llama-3.1-8B-Instruct
kind: ConfigMap
metadata:
  name: prod-triton-config
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    env: prod
  name: prod-triton
spec:
  replicas: 3
  selector:
    matchLabels:
      app: triton
  template:
    metadata:
      labels:
        app: triton
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: prod-triton-config
        image: nvcr.io/nvidia/tritonserver:24.08-py3
        name: triton
        resources:
          limits:
            nvidia.com/gpu: 4
          requests:
            nvidia.com/gpu: 2
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: prod-embedder
spec:
  template:
    spec:
      containers:
      - image: ghcr.io/huggingface/text-embeddings-inference:1.5
        name: embedder
        resources:
          limits:
            nvidia.com/gpu: 1
"""
KUSTOMIZE_EXPECTED = [(34, "gpu-request-limit-mismatch")]


def _lint(argv: list[str], stdin: bytes) -> tuple[int, list[dict], str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["--format", "json", *argv], stdout=out, stderr=err, stdin_data=stdin)
    return code, json.loads(out.getvalue()), err.getvalue()


def test_helm_template_output_on_stdin():
    code, diags, _ = _lint(["--stdin-filename", "rendered/vllm.yaml", "-"], HELM_OUTPUT.encode())
    assert code == 1
    assert [(d["line"], d["rule"]) for d in diags] == HELM_EXPECTED
    assert {d["file"] for d in diags} == {"rendered/vllm.yaml"}


def test_kustomize_build_output_on_stdin():
    code, diags, _ = _lint(["--stdin-filename", "overlays/prod", "-"], KUSTOMIZE_OUTPUT.encode())
    assert code == 1
    assert [(d["file"], d["line"], d["rule"]) for d in diags] == [
        ("overlays/prod", line, rule) for line, rule in KUSTOMIZE_EXPECTED
    ]


def test_stdin_without_a_name_is_reported_as_stdin():
    _, diags, _ = _lint(["-"], KUSTOMIZE_OUTPUT.encode())
    assert [d["file"] for d in diags] == ["<stdin>"]


def test_stdin_with_crlf_line_endings_reports_the_same_lines():
    crlf = HELM_OUTPUT.replace("\n", "\r\n").encode()
    _, diags, _ = _lint(["--stdin-filename", "x.yaml", "-"], crlf)
    assert [(d["line"], d["rule"]) for d in diags] == HELM_EXPECTED


def test_suppression_comments_work_on_stdin():
    text = HELM_OUTPUT.replace("nvidia.com/gpu: 1\n", "nvidia.com/gpu: 1  # gpulint: disable=gpu-limit-missing\n")
    _, diags, _ = _lint(["-"], text.encode())
    assert [(d["line"], d["rule"]) for d in diags] == HELM_EXPECTED[1:]


def test_stdin_filename_ending_in_json_is_parsed_as_strict_json():
    _, diags, _ = _lint(["--stdin-filename", "model.json", "-"], b'{"ModelName": "m",}')
    assert [(d["file"], d["line"], d["rule"]) for d in diags] == [("model.json", 1, "parse-error")]


def test_stdin_and_files_together(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "extra.yaml").write_text(KUSTOMIZE_OUTPUT)
    _, diags, _ = _lint(["--stdin-filename", "helm.yaml", "-", "extra.yaml"], HELM_OUTPUT.encode())
    assert sorted((d["file"], d["line"], d["rule"]) for d in diags) == sorted(
        [("helm.yaml", line, rule) for line, rule in HELM_EXPECTED]
        + [("extra.yaml", line, rule) for line, rule in KUSTOMIZE_EXPECTED]
    )


def test_a_broken_stream_is_one_parse_error_not_a_traceback():
    broken = HELM_OUTPUT.replace("  replicas: 2\n", "  replicas: [2\n")
    code, diags, _ = _lint(["--stdin-filename", "vllm.yaml", "-"], broken.encode())
    assert code == 1
    assert [(d["file"], d["rule"]) for d in diags] == [("vllm.yaml", "parse-error")]


def test_real_pipe_into_the_command():
    """The shell pipeline itself: bytes on the process's standard input."""
    proc = subprocess.run(
        [sys.executable, "-m", "gpulint", "--stdin-filename", "prod.yaml", "-"],
        input=KUSTOMIZE_OUTPUT.encode(), capture_output=True, timeout=60,
    )
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("prod.yaml:34:29: error gpu-request-limit-mismatch ")
    assert b"Traceback" not in proc.stderr


def test_empty_stdin_is_clean():
    code, diags, _ = _lint(["-"], b"")
    assert (code, diags) == (0, [])


# --------------------------------------------------------------------------- Helm chart sources

DEPLOYMENT_TEMPLATE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "vllm.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: server
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"
          resources:
            limits:
              nvidia.com/gpu: {{ .Values.gpus }}
"""

STATIC_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: static
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: job
          image: busybox
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
"""


def _chart(root, name: str) -> None:
    chart = root / "charts" / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text("replicaCount: 1\ngpus: 1\nimage: {repository: vllm/vllm-openai, tag: v0.6.3}\n")
    (chart / "templates" / "deployment.yaml").write_text(DEPLOYMENT_TEMPLATE)
    (chart / "templates" / "_helpers.tpl").write_text('{{- define "vllm.fullname" -}}x{{- end }}\n')
    # a template without any directive is plain YAML: it is linted
    (chart / "templates" / "job.yaml").write_text(STATIC_JOB)


def test_helm_templates_are_skipped_with_one_note(tmp_path, monkeypatch):
    _chart(tmp_path, "vllm")
    _chart(tmp_path, "triton")
    monkeypatch.chdir(tmp_path)
    code, diags, err = _lint(["."], b"")
    assert [(d["file"], d["line"], d["rule"]) for d in diags] == [
        ("charts/triton/templates/job.yaml", 13, "gpu-request-limit-mismatch"),
        ("charts/vllm/templates/job.yaml", 13, "gpu-request-limit-mismatch"),
    ]
    notes = [line for line in err.splitlines() if "Helm" in line]
    assert notes == [
        "gpulint: skipped 2 Helm template file(s) in charts/triton, charts/vllm; "
        "lint the rendered output instead: helm template ... | gpulint -"
    ]


def test_quiet_hides_the_helm_note(tmp_path, monkeypatch):
    _chart(tmp_path, "vllm")
    monkeypatch.chdir(tmp_path)
    _, _, err = _lint(["--quiet", "."], b"")
    assert err == ""


def test_template_syntax_outside_a_chart_is_still_linted(tmp_path, monkeypatch):
    """Without Chart.yaml nothing says the braces are Helm's: the file is read as YAML."""
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "deployment.yaml").write_text("kind: Deployment\nspec: {{ .Values.x }\n")
    monkeypatch.chdir(tmp_path)
    _, diags, err = _lint(["."], b"")
    assert [(d["file"], d["rule"]) for d in diags] == [("manifests/deployment.yaml", "parse-error")]
    assert "Helm" not in err


def test_a_template_named_on_the_command_line_is_treated_as_the_walk_treats_it(tmp_path, monkeypatch):
    """pre-commit names files one by one: a template that is not YAML until Helm renders it is
    skipped with the same note as in the walk, and a template that parses is linted."""
    _chart(tmp_path, "vllm")
    monkeypatch.chdir(tmp_path)
    templates = os.path.join("charts", "vllm", "templates")
    named = [os.path.join(templates, "deployment.yaml"), os.path.join(templates, "job.yaml")]
    code, diags, err = _lint(named, b"")
    assert [(d["file"], d["line"], d["rule"]) for d in diags] == [(named[1], 13, "gpu-request-limit-mismatch")]
    assert err.splitlines()[0] == (
        "gpulint: skipped 1 Helm template file(s) in charts/vllm; "
        "lint the rendered output instead: helm template ... | gpulint -"
    )
    assert (code, diags, err) == _lint([templates], b"")
