"""Command-line conventions: ``gpulint check``, subcommands with their own options and JSON
output, ``--output-format``, ``--region`` and AWS_REGION, and options that only make sense
together."""

from __future__ import annotations

import json
import os

import pytest
from helpers import run_cli

from gpulint.engine.rule import all_rules, get_rule
from gpulint.model import quotas

GPU = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
"""

NODEGROUP = """\
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: c}
managedNodeGroups:
  - name: gpu
    instanceType: g5.xlarge
    minSize: 1
    maxSize: 2
    taints: [{key: nvidia.com/gpu, value: "true", effect: NoSchedule}]
"""


@pytest.fixture
def proj(tmp_path, monkeypatch):
    (tmp_path / "gpu.yaml").write_text(GPU)
    monkeypatch.chdir(tmp_path)
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.path.join(os.sep, "nonexistent", "aws-config"))
    return tmp_path


# --------------------------------------------------------------------------- gpulint check


def test_check_is_the_default_command(proj) -> None:
    plain = run_cli(["--format", "json", "gpu.yaml"])
    assert plain[0] == 1
    assert run_cli(["check", "--format", "json", "gpu.yaml"]) == plain
    assert run_cli(["check"]) == run_cli([])  # the current folder by default, as without it


def test_check_help_and_errors_name_it(proj) -> None:
    status, out, err = run_cli(["check", "--help"])
    assert (status, err) == (0, "")
    assert out.startswith("usage: gpulint check [-h] [--format {text,json,sarif,github,gitlab}]")
    status, out, err = run_cli(["check", "--format", "xml", "."])
    assert (status, out) == (2, "")
    assert err.startswith("gpulint check: error: argument --format/--output-format: invalid choice: 'xml'")


def test_a_folder_named_check_is_linted_with_a_path(proj) -> None:
    (proj / "check").mkdir()
    (proj / "check" / "gpu.yaml").write_text(GPU)
    status, out, _ = run_cli(["./check"])
    assert status == 1 and out.startswith("./check/gpu.yaml:12:40: error gpu-request-limit-mismatch ")


# --------------------------------------------------------------------------- rules and rule


def test_rules_help_is_its_own() -> None:
    status, out, err = run_cli(["rules", "--help"])
    assert (status, err) == (0, "")
    assert out.startswith("usage: gpulint rules [-h] [--format {text,json}]\n")


def test_rules_as_json() -> None:
    status, out, err = run_cli(["rules", "--format", "json"])
    assert (status, err) == (0, "")
    data = json.loads(out)
    assert [d["code"] for d in data] == [r.code for r in all_rules()]
    assert {tuple(d) for d in data} == {("code", "name", "severity", "fix", "summary", "domain")}
    assert next(d for d in data if d["name"] == "gpu-request-limit-mismatch") == {
        "code": "GPU102", "name": "gpu-request-limit-mismatch", "severity": "error", "fix": "safe",
        "summary": "Accelerator request and limit differ (devices cannot be overcommitted)", "domain": "kubernetes",
    }
    assert next(d for d in data if d["name"] == "blanket-suppression")["fix"] == "none"
    assert run_cli(["rules", "--output-format", "json"])[1] == out


def test_rules_text_is_unchanged_by_default() -> None:
    status, out, _ = run_cli(["rules"])
    assert status == 0
    assert run_cli(["rules", "--format", "text"])[1] == out
    assert len(out.splitlines()) == len(all_rules())


def test_rules_refuses_arguments_it_does_not_take() -> None:
    status, out, err = run_cli(["rules", "gpu-limit-missing"])
    assert (status, out) == (2, "")
    assert err == "gpulint rules: error: unrecognized arguments: gpu-limit-missing\n"


def test_rule_help_is_its_own() -> None:
    status, out, err = run_cli(["rule", "--help"])
    assert (status, err) == (0, "")
    assert out.startswith("usage: gpulint rule [-h] [--format {text,json}] NAME\n")


def test_rule_as_json() -> None:
    status, out, err = run_cli(["rule", "spot-max-wait-invalid", "--format", "json"])
    assert (status, err) == (0, "")
    rule = get_rule("spot-max-wait-invalid")
    data = json.loads(out)
    assert list(data) == ["code", "name", "severity", "fix", "summary", "domain", "fix_summary", "cross_file",
                          "options", "documentation"]
    assert (data["code"], data["name"], data["severity"], data["fix"], data["domain"], data["cross_file"]) == (
        "SM304", "spot-max-wait-invalid", "error", "unsafe", "sagemaker", False)
    assert data["options"]["require-max-wait"]["default"] is False
    assert data["options"]["wait-margin-seconds"]["default"] == 3600
    assert data["documentation"] == rule.documentation()
    # by code too, and the text form is the one without --format
    assert run_cli(["rule", "SM304", "--format", "json"])[1] == out
    assert run_cli(["rule", "SM304"])[1].startswith("# spot-max-wait-invalid (SM304)\n")


def test_rule_errors() -> None:
    assert run_cli(["rule", "xyzzy", "--format", "json"]) == (
        2, "", "gpulint: no rule named 'xyzzy'; 'gpulint rules' lists them\n")
    status, out, err = run_cli(["rule"])
    assert (status, out) == (2, "")
    assert err == "gpulint rule: error: the following arguments are required: NAME\n"
    status, _, err = run_cli(["rule", "a", "b"])
    assert (status, err) == (2, "gpulint rule: error: unrecognized arguments: b\n")


# --------------------------------------------------------------------------- --output-format


def test_output_format_is_an_alias_of_format(proj) -> None:
    status, out, err = run_cli(["--output-format", "json", "gpu.yaml"])
    assert (status, err) == (1, "")
    assert out == run_cli(["--format", "json", "gpu.yaml"])[1]
    assert [d["rule"] for d in json.loads(out)] == ["gpu-request-limit-mismatch"]


# --------------------------------------------------------------------------- --unsafe-fixes


def test_unsafe_fixes_alone_is_a_usage_error(proj) -> None:
    before = (proj / "gpu.yaml").read_text()
    assert run_cli(["--unsafe-fixes", "gpu.yaml"]) == (
        2, "", "gpulint: --unsafe-fixes applies with --fix or --diff; add one of them "
               "(--diff to see the fixes, --fix to apply them)\n")
    assert (proj / "gpu.yaml").read_text() == before
    assert run_cli(["--unsafe-fixes", "--diff", "gpu.yaml"])[0] == 1  # a diff to show
    assert run_cli(["--unsafe-fixes", "--fix", "gpu.yaml"])[0] == 0  # fixed


# --------------------------------------------------------------------------- --region and AWS_REGION


def test_region_prices_the_cost_summary(proj) -> None:
    (proj / "ng.yaml").write_text(NODEGROUP)
    snapshot = "price snapshot (prices of 2026-02-09, 2026-08-26, undated)."
    assert run_cli(["--cost", "ng.yaml"])[1] == (
        f"No problems found in 1 file. Estimated cost: $734.38-$1,468.76 a month; {snapshot}\n")
    assert run_cli(["--cost", "--region", "eu-west-1", "ng.yaml"])[1] == (
        f"No problems found in 1 file. Estimated cost: $819.79-$1,639.58 a month; {snapshot}\n")


def test_region_is_the_one_gpulint_cost_uses(proj) -> None:
    (proj / "ng.yaml").write_text(NODEGROUP)
    out = run_cli(["cost", "--region", "eu-west-1", "ng.yaml"])[1]
    assert "$1,639.58" in out and "eu-west-1" in out


def test_region_moves_the_budget_gate(proj) -> None:
    (proj / "ng.yaml").write_text(NODEGROUP)
    (proj / ".gpulint.yaml").write_text("budget: 1500\n")
    assert run_cli(["ng.yaml"]) == (0, "No problems found in 1 file.\n", "")
    status, out, _ = run_cli(["--region", "eu-west-1", "ng.yaml"])
    assert status == 1
    assert out.startswith("ng.yaml:6:19: error cost-budget-exceeded estimated cost at max capacity is $1,639.58 "
                          "a month, above the budget of $1,500.00")


def test_aws_region_is_honoured_and_wins_over_aws_default_region(proj, monkeypatch) -> None:
    (proj / "ng.yaml").write_text(NODEGROUP)
    (proj / ".gpulint.yaml").write_text("budget: 1500\n")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    assert run_cli(["ng.yaml"])[0] == 0
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert run_cli(["ng.yaml"])[0] == 1
    assert run_cli(["--region", "us-east-1", "ng.yaml"])[0] == 0  # --region first


def test_a_region_that_is_not_one_is_a_usage_error(proj) -> None:
    assert run_cli(["--region", "useast1", "gpu.yaml"]) == (
        2, "", "gpulint: --region 'useast1' is not an AWS region name (like us-east-1 or eu-west-1)\n")


def test_live_quotas_are_read_in_the_region_given(proj, monkeypatch) -> None:
    asked: list = []

    class Client:
        def get_paginator(self, name):  # noqa: ANN001, ANN201
            assert name == "list_service_quotas"
            return self

        def paginate(self, **kwargs):  # noqa: ANN003, ANN201
            return [{"Quotas": []}]

    monkeypatch.setattr(quotas, "make_client", lambda region: asked.append(region) or Client())
    assert run_cli(["--quotas", "live", "--region", "eu-central-1", "gpu.yaml"])[0] == 1
    assert run_cli(["--quotas", "live", "gpu.yaml"])[0] == 1
    assert asked == ["eu-central-1", None]


def test_the_service_quotas_client_prefers_aws_region(monkeypatch) -> None:
    pytest.importorskip("boto3")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_REGION", raising=False)
    assert quotas._default_client().meta.region_name == "us-east-1"  # botocore's own lookup
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert quotas._default_client().meta.region_name == "eu-west-1"
    assert quotas._default_client("ap-south-1").meta.region_name == "ap-south-1"
    assert quotas.api_region(None, {}) is None
    assert quotas.api_region(None, {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-1"}) == "eu-west-1"


def test_cost_takes_output_format_as_format_too() -> None:
    examples = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "cost")
    code, out, _ = run_cli(["cost", "--output-format", "json", examples])
    assert code == 0 and json.loads(out) == json.loads(run_cli(["cost", "--format", "json", examples])[1])
