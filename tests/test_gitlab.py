"""``--format gitlab``: a GitLab Code Quality report (the CodeClimate issue subset GitLab reads)."""

from __future__ import annotations

import io
import json

import pytest

from gpulint.cli import main

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {{nvidia.com/gpu: 1}}
            limits: {{nvidia.com/gpu: 2}}
"""
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def report(*argv: str) -> tuple[int, list[dict]]:
    out = io.StringIO()
    code = main(["--format", "gitlab", *argv], stdout=out, stderr=io.StringIO())
    return code, json.loads(out.getvalue())


def _assert_code_quality(issues: list[dict]) -> None:
    """The fields GitLab requires for each issue (docs: "Code Quality report format")."""
    assert isinstance(issues, list)
    for issue in issues:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and issue["fingerprint"]
        assert issue["severity"] in SEVERITIES
        assert isinstance(issue["location"]["path"], str)
        assert not issue["location"]["path"].startswith("/")
        assert isinstance(issue["location"]["lines"]["begin"], int) and issue["location"]["lines"]["begin"] >= 1
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab merges issues with equal fingerprints"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deploy"
    sub.mkdir()
    # the same object twice: two findings that differ only by position
    (sub / "llm.yaml").write_text(DEPLOYMENT.format(name="a") + "---\n" + DEPLOYMENT.format(name="a"))
    (sub / "broken.json").write_text("{")
    monkeypatch.chdir(sub)
    return tmp_path


def test_report_has_the_fields_gitlab_requires(repo):
    code, issues = report(".")
    assert code == 1
    _assert_code_quality(issues)
    rows = [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues]
    assert rows == [
        ("parse-error", "major", "deploy/broken.json", 1),
        ("gpu-request-limit-mismatch", "major", "deploy/llm.yaml", 12),
        ("gpu-request-limit-mismatch", "major", "deploy/llm.yaml", 26),
    ]
    assert issues[1]["description"].startswith("gpu-request-limit-mismatch (GPU102): container 'server' requests")


def test_fingerprints_survive_line_shifts(repo):
    _, before = report("llm.yaml")
    llm = repo / "deploy" / "llm.yaml"
    llm.write_text("# owned by the inference team\n" + llm.read_text())
    _, after = report("llm.yaml")
    assert [i["location"]["lines"]["begin"] for i in after] == [13, 27]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]


def test_severity_levels(repo):
    (repo / ".gpulint.yaml").write_text(
        "rules:\n  gpu-request-limit-mismatch: {severity: warning}\n  parse-error: {severity: info}\n"
    )
    _, issues = report(".")
    assert [i["severity"] for i in issues] == ["info", "minor", "minor"]


def test_clean_run_is_an_empty_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.yaml").write_text(DEPLOYMENT.format(name="a").replace("gpu: 1}", "gpu: 2}"))
    assert report("ok.yaml") == (0, [])
