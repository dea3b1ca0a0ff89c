"""Nothing fails silently: a narrowed rule selection still reports files gpulint cannot read or
check, and a quota name gpulint would never read is an error rather than a check left off."""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

from gpulint.engine import run as engine_run
from gpulint.engine.rule import get_rule
from gpulint.model import quotas

BROKEN = "apiVersion: v1\nkind: Pod\nmetadata: {name: p\n"
WRONG = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: wrong\nspec:\n  containers: \"server\"\n"
GPU = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: busybox
      resources:
        requests: {nvidia.com/gpu: 1}
        limits: {nvidia.com/gpu: 2}
"""
PARSE = ("broken.yaml", 4, "parse-error")
SHAPE = ("wrong.yaml", 6, "schema-violation")


@pytest.fixture
def proj(tmp_path, monkeypatch):
    (tmp_path / "broken.yaml").write_text(BROKEN)
    (tmp_path / "wrong.yaml").write_text(WRONG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def rows(out: str) -> list[tuple]:
    return [(d["file"], d["line"], d["rule"]) for d in json.loads(out)]


@pytest.mark.parametrize("argv", [
    ["--select", "gpu-limit-missing"],
    ["--select", "GPU"],
    ["--ignore", "GL"],
    ["--ignore", "parse-error,schema-violation"],
    ["--ignore", "GL001", "--ignore", "GL002"],
    ["--select", "GPU101", "--ignore", "ALL"],
])
def test_selection_never_hides_unreadable_or_misshapen_files(proj, argv: list[str]) -> None:
    status, out, _ = run_cli(["--format", "json", "--fail-on", "error", *argv, "."])
    assert rows(out) == [PARSE, SHAPE]
    assert status == 1  # a selected gate does not pass broken YAML


@pytest.mark.parametrize("config", [
    "select: [gpu-limit-missing]\n",
    "ignore: [parse-error, schema-violation]\n",
    "select: [GPU]\nignore: [GL]\n",
])
def test_config_selection_never_hides_them_either(proj, config: str) -> None:
    (proj / ".gpulint.yaml").write_text(config)
    status, out, _ = run_cli(["--format", "json", "."])
    assert (status, rows(out)) == (1, [PARSE, SHAPE])


def test_ignoring_one_by_name_says_it_is_reported_anyway(proj) -> None:
    status, out, err = run_cli(["--ignore", "parse-error", "broken.yaml"])
    assert status == 1
    assert out.startswith("broken.yaml:4:1: error parse-error invalid YAML: ")
    assert err == ("gpulint: parse-error is always reported: a file gpulint cannot read or check must not pass "
                   "unnoticed, so --ignore and the config's ignore do not hide it\n")
    (proj / ".gpulint.yaml").write_text("ignore: [GL002]\n")
    assert run_cli(["wrong.yaml"])[2] == (
        "gpulint: schema-violation is always reported: a file gpulint cannot read or check must not pass "
        "unnoticed, so --ignore and the config's ignore do not hide it\n")
    assert run_cli(["--quiet", "wrong.yaml"])[2] == ""
    # a prefix or ALL is not a name: the README says what it covers, no note
    (proj / ".gpulint.yaml").unlink()
    assert run_cli(["--ignore", "GL", "wrong.yaml"])[2] == ""


def test_a_loader_failure_is_reported_whatever_the_selection(proj, monkeypatch) -> None:
    def fail(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(engine_run, "read_source", fail)
    status, out, _ = run_cli(["--format", "json", "--select", "GPU101", "--ignore", "internal-error", "wrong.yaml"])
    assert (status, rows(out)) == (1, [("wrong.yaml", 1, "internal-error")])


def test_a_failing_selected_rule_is_reported_even_with_internal_error_ignored(proj, monkeypatch) -> None:
    (proj / "gpu.yaml").write_text(GPU)
    rule = get_rule("gpu-request-limit-mismatch")

    def fail(self, obj, ctx):  # noqa: ANN001, ANN202
        raise RuntimeError("boom")

    monkeypatch.setattr(rule, "check", fail)
    status, out, _ = run_cli(["--format", "json", "--select", "GPU102", "--ignore", "GL003", "gpu.yaml"])
    assert (status, rows(out)) == (1, [("gpu.yaml", 1, "internal-error")])
    assert json.loads(out)[0]["message"].endswith("(rule gpu-request-limit-mismatch)")


def test_other_rules_are_still_selected_as_asked(proj) -> None:
    (proj / "gpu.yaml").write_text(GPU)
    status, out, _ = run_cli(["--format", "json", "--ignore", "GPU102", "gpu.yaml"])
    assert (status, rows(out)) == (0, [])


# --------------------------------------------------------------------------- quota names

ENDPOINT = """\
EndpointConfigName: llm
ProductionVariants:
  - VariantName: AllTraffic
    ModelName: llm
    InstanceType: ml.g5.12xlarge
    InitialInstanceCount: 3
"""
SHAPE_HINT = ("(names are '<ml. instance type> for <usage> usage', <usage> one of: endpoint, training job, "
              "spot training job, transform job)")


@pytest.mark.parametrize("name, message", [
    ("ml.g5.12xlarge for endpoints usage",
     "quota 'ml.g5.12xlarge for endpoints usage' is not a quota gpulint reads; did you mean "
     f"'ml.g5.12xlarge for endpoint usage'? {SHAPE_HINT}"),
    ("ml.g5.12xlarge for endpoint",
     f"quota 'ml.g5.12xlarge for endpoint' is not a quota gpulint reads; did you mean "
     f"'ml.g5.12xlarge for endpoint usage'? {SHAPE_HINT}"),
    ("g5.12xlarge for training job usage",
     "quota 'g5.12xlarge for training job usage' is not a quota gpulint reads; did you mean "
     f"'ml.g5.12xlarge for training job usage'? {SHAPE_HINT}"),
    ("ml.g5.12xlarge for spot training usage",
     "quota 'ml.g5.12xlarge for spot training usage' is not a quota gpulint reads; did you mean "
     f"'ml.g5.12xlarge for spot training job usage'? {SHAPE_HINT}"),
    ("ml.g5.12xlage for endpoint usage",
     "quota 'ml.g5.12xlage for endpoint usage': 'ml.g5.12xlage' is not a SageMaker instance type; did you mean "
     "'ml.g5.12xlarge for endpoint usage'?"),
    # a real quota that no rule reads: no guess at a different usage
    ("ml.g5.12xlarge for processing job usage",
     f"quota 'ml.g5.12xlarge for processing job usage' is not a quota gpulint reads {SHAPE_HINT}"),
    ("Number of endpoints", f"quota 'Number of endpoints' is not a quota gpulint reads {SHAPE_HINT}"),
    ("x\x1b[31m", f"quota 'x\\x1b[31m' is not a quota gpulint reads {SHAPE_HINT}"),
])
def test_an_unknown_quota_name_in_a_file_is_a_usage_error(tmp_path, monkeypatch, name: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(ENDPOINT)
    (tmp_path / "q.json").write_text(json.dumps({"quotas": {"ml.g5.12xlarge for endpoint usage": 4, name: 1}}))
    assert run_cli(["--quotas", "q.json", "c.yaml"]) == (
        2, "", f"gpulint: quotas file {tmp_path / 'q.json'}: {message}\n")


def test_an_unknown_quota_name_in_the_config_is_a_usage_error(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(ENDPOINT)
    (tmp_path / ".gpulint.yaml").write_text('quotas: {"ml.g5.12xlarge for endpoints usage": 2}\n')
    status, out, err = run_cli(["c.yaml"])
    assert (status, out) == (2, "")
    assert err.startswith(f"gpulint: {tmp_path / '.gpulint.yaml'}: quotas: quota 'ml.g5.12xlarge for endpoints usage' "
                          "is not a quota gpulint reads; did you mean 'ml.g5.12xlarge for endpoint usage'?")


def test_known_quota_names_in_any_spacing_or_case_are_read(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(ENDPOINT)
    (tmp_path / "q.yaml").write_text("quotas:\n  ML.G5.12xlarge  for Endpoint usage: 2\n"
                                     "  ml.p6-b200.48xlarge for spot training job usage: 0\n"
                                     "  ml.g4dn.xlarge for transform job usage: 1\n")
    status, out, _ = run_cli(["--quotas", "q.yaml", "--format", "json", "c.yaml"])
    assert (status, rows(out)) == (1, [("c.yaml", 5, "quota-exceeded")])


def test_live_quotas_keep_every_name_the_api_gives() -> None:
    # the API lists every SageMaker quota; the names gpulint does not read are simply unused there
    assert quotas.unknown_name("Number of endpoints") is not None
    assert quotas.unknown_name("ml.g5.xlarge for endpoint usage") is None
