"""``unused-suppression``: stale or misspelled suppressions, and when to stay silent."""

from __future__ import annotations

import io
import json

from gpulint.cli import main

GPU_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: train
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: train
          image: pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime
          resources:
            requests: {{nvidia.com/gpu: 1}}{comment}
            limits: {{nvidia.com/gpu: {limit}}}
"""


def job(comment: str = "", limit: int = 1) -> str:
    return GPU_JOB.format(comment=comment, limit=limit)


def run(tmp_path, monkeypatch, files: dict[str, str], *argv: str) -> tuple[int, list[tuple[str, int, int, str, str]]]:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    out = io.StringIO()
    code = main(["--format", "json", *argv, *files], stdout=out, stderr=io.StringIO())
    return code, [(d["file"], d["line"], d["column"], d["rule"], d["message"]) for d in json.loads(out.getvalue())]


def test_stale_comment_is_reported_with_exact_position_and_message(tmp_path, monkeypatch):
    code, diags = run(tmp_path, monkeypatch, {"j.yaml": job("  # gpulint: disable=gpu-request-limit-mismatch")})
    assert diags == [
        ("j.yaml", 13, 44, "unused-suppression", "suppression of gpu-request-limit-mismatch suppressed nothing; remove it")
    ]
    assert code == 0  # info does not fail the default run


def test_fail_on_info_makes_it_fail(tmp_path, monkeypatch):
    code, _ = run(tmp_path, monkeypatch, {"j.yaml": job("  # gpulint: disable=gpu-request-limit-mismatch")},
                  "--fail-on", "info")
    assert code == 1


def test_a_used_comment_is_silent(tmp_path, monkeypatch):
    code, diags = run(tmp_path, monkeypatch, {"j.yaml": job("  # gpulint: disable=gpu-request-limit-mismatch", 2)})
    assert (code, diags) == (0, [])


def test_misspelled_rule_gets_a_suggestion(tmp_path, monkeypatch):
    _, diags = run(tmp_path, monkeypatch, {"j.yaml": job("  # gpulint: disable=gpu-request-limit-mismatc", 2)})
    assert [(d[3], d[4]) for d in diags] == [
        ("gpu-request-limit-mismatch", diags[0][4]),
        ("unused-suppression", "suppression names 'gpu-request-limit-mismatc', which is not a gpulint rule "
                               "(did you mean gpu-request-limit-mismatch?); fix the name or remove it"),
    ]


def test_rule_not_selected_in_this_run_is_silent(tmp_path, monkeypatch):
    files = {"j.yaml": job("  # gpulint: disable=gpu-request-limit-mismatch")}
    assert run(tmp_path, monkeypatch, files, "--select", "gpu-limit-missing,unused-suppression")[1] == []
    assert run(tmp_path, monkeypatch, files, "--ignore", "gpu-request-limit-mismatch")[1] == []
    (tmp_path / ".gpulint.yaml").write_text("ignore: [GPU102]\n")
    assert run(tmp_path, monkeypatch, files)[1] == []


CLUSTER = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {{name: ml, region: us-west-2}}
managedNodeGroups:
  - name: gpu{comment}
    instanceType: g5.2xlarge
    labels: {{team: ml}}
    taints:
      - {{key: dedicated, value: gpu, effect: NoSchedule}}
"""

PINNED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  template:
    spec:
      nodeSelector: {team: ml}  # gpulint: disable=gpu-toleration-missing
      containers:
        - name: app
          image: vllm/vllm-openai
          resources: {limits: {nvidia.com/gpu: 1}}
"""


def test_blanket_suppression_is_reported_only_when_every_rule_ran(tmp_path, monkeypatch):
    files = {"cluster.yaml": CLUSTER.format(comment="  # gpulint: disable")}
    _, diags = run(tmp_path, monkeypatch, files)
    # unused: to be removed, so blanket-suppression (name its rules) does not add to it
    assert [(d[1], d[4]) for d in diags] == [(5, "suppression of all rules suppressed nothing; remove it")]
    # a rule did not run: it may be needed after all, and then it should name its rules
    assert [(d[1], d[3]) for d in run(tmp_path, monkeypatch, files, "--ignore", "gpu-probe-too-short")[1]] == [
        (5, "blanket-suppression")]


def test_blanket_suppression_on_a_workload_may_be_for_a_rule_that_reads_other_files(tmp_path, monkeypatch):
    # gpu-toleration-missing on this Job depends on the node pools of the run; with other
    # files the blanket suppression may match, so it is not called unused (only blanket)
    assert [(d[1], d[3]) for d in run(tmp_path, monkeypatch, {"j.yaml": job("  # gpulint: disable")})[1]] == [
        (13, "blanket-suppression")]


def test_suppression_of_a_cross_file_rule_is_not_unused_when_its_other_files_are_absent(tmp_path, monkeypatch):
    # the whole set: the suppression is used
    both = {"deploy.yaml": PINNED, "cluster.yaml": CLUSTER.format(comment="")}
    assert run(tmp_path, monkeypatch, both)[1] == []
    # pre-commit names only the changed file: no node pool, no finding, and no false "unused"
    (tmp_path / "cluster.yaml").unlink()
    assert run(tmp_path, monkeypatch, {"deploy.yaml": PINNED})[1] == []
    # without the suppression the finding is there, so the suppression was doing its job
    _, diags = run(tmp_path, monkeypatch, {"deploy.yaml": PINNED.replace("  # gpulint: disable=gpu-toleration-missing", ""),
                                           "cluster.yaml": CLUSTER.format(comment="")})
    assert [(d[0], d[1], d[3]) for d in diags] == [("deploy.yaml", 7, "gpu-toleration-missing")]


def test_stale_suppression_of_a_file_local_rule_next_to_a_cross_file_one_is_reported(tmp_path, monkeypatch):
    text = PINNED.replace("disable=gpu-toleration-missing", "disable=gpu-toleration-missing,gpu-limit-missing")
    _, diags = run(tmp_path, monkeypatch, {"deploy.yaml": text})
    assert [(d[1], d[3], d[4]) for d in diags] == [
        (7, "unused-suppression", "suppression of gpu-limit-missing suppressed nothing; remove it")
    ]


KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [base.yaml]
patches:
  - path: patch.yaml
"""

PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  template:
    spec:
      containers:
        - name: app
          image: vllm/vllm-openai
          resources:
            requests: {nvidia.com/gpu: 1}  # gpulint: disable=gpu-limit-missing
"""


def test_suppression_in_a_kustomize_patch_is_not_unused_when_its_kustomization_is_linted(tmp_path, monkeypatch):
    # alone (pre-commit on the patch), gpu-limit-missing fires and is suppressed
    assert run(tmp_path, monkeypatch, {"patch.yaml": PATCH})[1] == []
    # with its kustomization, the patch is merged over a base gpulint cannot see: the rule
    # stays silent there, and the suppression is still needed for the run above
    assert run(tmp_path, monkeypatch, {"patch.yaml": PATCH, "kustomization.yaml": KUSTOMIZATION})[1] == []


def test_unused_suppression_can_itself_be_suppressed(tmp_path, monkeypatch):
    text = "# gpulint: disable-file=unused-suppression\n" + job("  # gpulint: disable=gpu-request-limit-mismatch")
    assert run(tmp_path, monkeypatch, {"j.yaml": text})[1] == []


def test_not_selected_unused_suppression_rule_is_silent(tmp_path, monkeypatch):
    files = {"j.yaml": job("  # gpulint: disable=gpu-request-limit-mismatch")}
    assert run(tmp_path, monkeypatch, files, "--ignore", "unused-suppression")[1] == []


def test_file_that_failed_to_parse_is_not_checked(tmp_path, monkeypatch):
    text = job("  # gpulint: disable=gpu-request-limit-mismatch") + "  bad: [\n"
    _, diags = run(tmp_path, monkeypatch, {"j.yaml": text})
    assert [d[3] for d in diags] == ["parse-error"]


def test_annotation_on_template_and_object(tmp_path, monkeypatch):
    text = job(limit=2).replace(
        "  name: train\n", "  name: train\n  annotations:\n    gpulint.io/ignore: gpu-probe-too-short\n"
    ).replace(
        "  template:\n", "  template:\n    metadata:\n      annotations: {gpulint.io/ignore: gpu-request-limit-mismatch}\n"
    )
    _, diags = run(tmp_path, monkeypatch, {"j.yaml": text})
    assert diags == [
        ("j.yaml", 6, 24, "unused-suppression",
         "gpulint.io/ignore on Job/train: suppression of gpu-probe-too-short suppressed nothing; remove it"),
    ]


def test_context_files_are_not_reported(tmp_path, monkeypatch):
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "c.yaml").write_text(job("  # gpulint: disable=gpu-request-limit-mismatch"))
    (tmp_path / ".gpulint.yaml").write_text("context: ['ctx/*.yaml']\n")
    assert run(tmp_path, monkeypatch, {"j.yaml": job()})[1] == []


def test_json_files_have_no_comments_and_no_false_reports(tmp_path, monkeypatch):
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": {"x": "gpulint: disable"}},
           "spec": {"containers": [{"name": "c", "image": "i"}]}}
    assert run(tmp_path, monkeypatch, {"p.json": json.dumps(doc)})[1] == []
