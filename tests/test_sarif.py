"""``--format sarif`` validates against the official SARIF 2.1.0 schema and places results right."""

from __future__ import annotations

import io
import json
import os
import subprocess

import pytest
from jsonschema.validators import validator_for

from gpulint.cli import main
from gpulint.engine.rule import all_rules

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "data", "sarif-2.1.0.json")

MISMATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests:
              nvidia.com/gpu: 1
            limits:
              nvidia.com/gpu: 2
"""
#: the request value "1" on line 13, columns 31-32 (end exclusive)
MISMATCH_REGION = {"startLine": 13, "startColumn": 31, "endLine": 13, "endColumn": 32}


@pytest.fixture(scope="module")
def validator():
    with open(SCHEMA_PATH, encoding="utf-8") as fh:
        schema = json.load(fh)
    cls = validator_for(schema)  # the schema declares its own draft
    cls.check_schema(schema)
    return cls(schema)


def _sarif(argv: list[str], stdin: bytes | None = None) -> tuple[int, dict]:
    out = io.StringIO()
    code = main(["--format", "sarif", *argv], stdout=out, stderr=io.StringIO(), stdin_data=stdin)
    return code, json.loads(out.getvalue())


def _assert_valid(validator, doc: dict) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with manifests in a subfolder; the test runs from that subfolder."""
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "deploy" / "gpu"
    sub.mkdir(parents=True)
    (sub / "server.yaml").write_text(MISMATCH)
    (sub / "broken.yaml").write_text("kind: Deployment\nspec: [unclosed\n")
    monkeypatch.chdir(sub)
    return tmp_path


def test_output_validates_against_the_sarif_schema(repo, validator):
    code, doc = _sarif(["."])
    assert code == 1
    _assert_valid(validator, doc)
    results = doc["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == ["GL001", "GPU102"]


def test_clean_run_validates_and_has_no_results(tmp_path, monkeypatch, validator):
    (tmp_path / "ok.yaml").write_text(MISMATCH.replace("nvidia.com/gpu: 1", "nvidia.com/gpu: 2"))
    monkeypatch.chdir(tmp_path)
    code, doc = _sarif(["ok.yaml"])
    assert code == 0
    _assert_valid(validator, doc)
    assert doc["runs"][0]["results"] == []


def test_region_has_exact_line_and_columns(repo, validator):
    _, doc = _sarif(["server.yaml"])
    (result,) = doc["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == MISMATCH_REGION
    assert result["level"] == "error"
    assert "requests nvidia.com/gpu: 1 but its limit is 2" in result["message"]["text"]


def test_locations_are_relative_to_the_repository_root_from_a_subfolder(repo, validator):
    _, doc = _sarif(["."])
    run = doc["runs"][0]
    locations = {r["ruleId"]: r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]}
    assert locations["GPU102"] == {"uri": "deploy/gpu/server.yaml", "uriBaseId": "%SRCROOT%"}
    assert locations["GL001"] == {"uri": "deploy/gpu/broken.yaml", "uriBaseId": "%SRCROOT%"}
    root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri == repo.resolve().as_uri() + "/"


def test_repository_root_found_by_a_real_git_checkout(tmp_path, monkeypatch, validator):
    if subprocess.run(["git", "--version"], capture_output=True).returncode != 0:  # pragma: no cover
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    sub = tmp_path / "k8s"
    sub.mkdir()
    (sub / "d.yaml").write_text(MISMATCH)
    monkeypatch.chdir(sub)
    _, doc = _sarif(["d.yaml"])
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert loc == {"uri": "k8s/d.yaml", "uriBaseId": "%SRCROOT%"}


def test_file_outside_the_repository_gets_an_absolute_uri(tmp_path, monkeypatch, validator):
    inside = tmp_path / "repo"
    (inside / ".git").mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "d.yaml").write_text(MISMATCH)
    monkeypatch.chdir(inside)
    _, doc = _sarif([str(outside / "d.yaml")])
    _assert_valid(validator, doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    # an absolute URI must not claim a base
    assert loc == {"uri": (outside / "d.yaml").resolve().as_uri()}


def test_stdin_uses_the_stdin_filename(repo, validator):
    _, doc = _sarif(["--stdin-filename", "rendered/server.yaml", "-"], stdin=MISMATCH.encode())
    _assert_valid(validator, doc)
    loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "deploy/gpu/rendered/server.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == MISMATCH_REGION


def test_rule_metadata_has_help_and_default_level(repo, validator):
    _, doc = _sarif(["."])
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "gpulint"
    descriptors = driver["rules"]
    rules = all_rules()
    assert [d["id"] for d in descriptors] == [r.code for r in rules]
    level = {"error": "error", "warning": "warning", "info": "note"}
    for d, rule in zip(descriptors, rules):
        assert d["name"] == rule.name
        assert d["shortDescription"]["text"] == rule.summary
        assert d["defaultConfiguration"]["level"] == level[rule.severity.label], rule.name
        assert d["help"]["text"] == rule.documentation()
        assert "## What it does" in d["help"]["markdown"], rule.name
    # each result's ruleIndex points at its own descriptor
    for r in doc["runs"][0]["results"]:
        assert descriptors[r["ruleIndex"]]["id"] == r["ruleId"]


def test_configured_severity_changes_the_result_level_not_the_default(repo, validator):
    (repo / ".gpulint.yaml").write_text("rules:\n  gpu-request-limit-mismatch: {severity: warning}\n")
    _, doc = _sarif(["server.yaml"])
    _assert_valid(validator, doc)
    (result,) = doc["runs"][0]["results"]
    assert result["level"] == "warning"
    desc = doc["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert desc["defaultConfiguration"]["level"] == "error"


def test_fingerprint_survives_a_line_shift(repo, validator):
    _, before = _sarif(["server.yaml"])
    (repo / "deploy" / "gpu" / "server.yaml").write_text("# a comment\n\n" + MISMATCH)
    _, after = _sarif(["server.yaml"])
    fp = lambda doc: doc["runs"][0]["results"][0]["partialFingerprints"]  # noqa: E731
    line = lambda doc: doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
    assert line(after) == line(before) + 2
    assert fp(after) == fp(before)
