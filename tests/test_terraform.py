"""Terraform: .tf files read into the documents of the AWS requests they stand for.

What the loader builds (the API's shape, the position of each literal), how names are
resolved within a module (and when they are not), what --fix edits and refuses, and how
bad or hostile input ends. The rules' own Terraform cases are fixtures under
``tests/fixtures/rules/*/`` (``*.tf``), run by test_cases.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from expect import run_case
from helpers import run_cli

from gpulint.config import Config
from gpulint.engine.run import lint_paths
from gpulint.load import load
from gpulint.load.terraform import render
from gpulint.load.terraform.hcl import parse

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "terraform")

STACK = """\
variable "cooldown" {
  default = 120
}

locals {
  variant = "AllTraffic"
}

resource "aws_sagemaker_endpoint_configuration" "chat" {
  name = "chat-config"
  production_variants {
    variant_name           = local.variant
    model_name             = "chat"
    instance_type          = "ml.g5.2xlarge"
    initial_instance_count = 2
  }
  production_variants {
    variant_name  = "b"
    instance_type = "ml.g5.xlarge"
  }
}

resource "aws_appautoscaling_policy" "step" {
  name               = "step"
  policy_type        = "StepScaling"
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/chat/variant/${local.variant}"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  step_scaling_policy_configuration {
    adjustment_type = "ChangeInCapacity"
    cooldown        = var.cooldown
    step_adjustment {
      metric_interval_lower_bound = "0"
      scaling_adjustment          = 1
    }
    step_adjustment {
      metric_interval_upper_bound = "-1.5"
      scaling_adjustment          = -1
    }
  }
}

resource "aws_eks_node_group" "gpu" {
  cluster_name    = "ml"
  node_group_name = "gpu"
  instance_types  = ["g5.2xlarge", "g5.4xlarge"]
  capacity_type   = "SPOT"
  ami_type        = "AL2_x86_64_GPU"
  labels = {
    "workload" = "gpu"
  }
  taint {
    key    = "nvidia.com/gpu"
    value  = "true"
    effect = "NO_SCHEDULE"
  }
  scaling_config {
    desired_size = 1
    max_size     = 3
    min_size     = 0
  }
  tags = { team = "ml" }
}

resource "aws_s3_bucket" "other" {
  bucket = "not-read"
}
"""


def docs(text: str, name: str = "main.tf") -> list:
    source = load(name, text.encode())
    assert source.error is None, source.error
    return source.documents


def test_each_supported_resource_is_one_document_in_the_api_shape() -> None:
    config, policy, group = docs(STACK)
    assert config.label == "aws_sagemaker_endpoint_configuration.chat"
    assert config.data == {
        "EndpointConfigName": "chat-config",
        "ProductionVariants": [
            {"VariantName": "AllTraffic", "ModelName": "chat", "InstanceType": "ml.g5.2xlarge",
             "InitialInstanceCount": 2},
            {"VariantName": "b", "InstanceType": "ml.g5.xlarge"},
        ],
    }
    assert policy.data["ResourceId"] == "endpoint/chat/variant/AllTraffic"
    assert policy.data["StepScalingPolicyConfiguration"] == {
        "AdjustmentType": "ChangeInCapacity",
        "Cooldown": 120,
        "StepAdjustments": [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1},
                            {"MetricIntervalUpperBound": -1.5, "ScalingAdjustment": -1}],
    }


def test_an_eks_node_group_is_a_cloudformation_nodegroup() -> None:
    group = docs(STACK)[2]
    assert group.data == {"Resources": {"gpu": {"Type": "AWS::EKS::Nodegroup", "Properties": {
        "ClusterName": "ml",
        "NodegroupName": "gpu",
        "InstanceTypes": ["g5.2xlarge", "g5.4xlarge"],
        "CapacityType": "SPOT",
        "AmiType": "AL2_x86_64_GPU",
        "Labels": {"workload": "gpu"},
        "Taints": [{"Key": "nvidia.com/gpu", "Value": "true", "Effect": "NO_SCHEDULE"}],
        "ScalingConfig": {"DesiredSize": 1, "MaxSize": 3, "MinSize": 0},
    }}}}
    where = group.positions[("Resources", "gpu", "Properties", "Taints", 0, "Effect")]
    assert STACK[where.start:where.end] == '"NO_SCHEDULE"'


def test_literals_are_placed_at_their_exact_text_and_other_values_at_their_attribute() -> None:
    lines = STACK.splitlines()
    for doc in docs(STACK):
        for path, span in doc.positions.items():
            if span.start >= 0:
                text = STACK[span.start:span.end]
                assert span.line == STACK.count("\n", 0, span.start) + 1
                value = doc.data
                for step in path:
                    value = value[step]
                # the provider writes step bounds as strings, the API takes numbers
                assert text in (render(value), render(str(value))), (path, text)
    config, policy, _ = docs(STACK)
    variant = config.positions[("ProductionVariants", 0, "VariantName")]
    assert variant.start == -1 and "variant_name" in lines[variant.line - 1]
    cooldown = policy.positions[("StepScalingPolicyConfiguration", "Cooldown")]
    assert cooldown.start == -1 and lines[cooldown.line - 1].strip() == "cooldown        = var.cooldown"


UNKNOWNS = """\
variable "no_default" {}
resource "aws_appautoscaling_target" "t" {
  count              = 2
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${data.aws_x.y.name}/variant/${module.m.variant}"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = var.no_default
  max_capacity       = max(1, 2)
  role_arn           = "${count.index}"
}
resource "aws_appautoscaling_target" "never" {
  count              = 0
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/x/variant/y"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
}
resource "aws_sagemaker_endpoint_configuration" "dyn" {
  dynamic "production_variants" {
    for_each = var.variants
    content {
      variant_name = production_variants.value
    }
  }
}
"""


def test_what_cannot_be_known_from_the_files_is_a_placeholder() -> None:
    target, config = docs(UNKNOWNS)
    assert target.data == {
        "ServiceNamespace": "sagemaker",
        "ResourceId": "endpoint/${data.aws_x.y.name}/variant/${module.m.variant}",
        "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
        "MinCapacity": "${var.no_default}",
        "MaxCapacity": "${a function call}",
        "RoleArn": "${count.index}",
    }
    assert config.data == {"ProductionVariants": "${dynamic production_variants}",
                           "EndpointConfigName": "${aws_sagemaker_endpoint_configuration.dyn.name}"}


MODULE_MAIN = """\
resource "aws_appautoscaling_policy" "chat" {
  name               = "chat"
  service_namespace  = aws_appautoscaling_target.chat.service_namespace
  resource_id        = aws_appautoscaling_target.chat.resource_id
  scalable_dimension = aws_appautoscaling_target.chat.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = 70
    scale_in_cooldown  = var.cooldown
    scale_out_cooldown = 60
  }
}
"""
MODULE_TARGET = """\
resource "aws_appautoscaling_target" "chat" {
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/${aws_sagemaker_endpoint.chat.name}/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  min_capacity       = 1
  max_capacity       = 2
}
resource "aws_sagemaker_endpoint" "chat" {
  name                 = "chat"
  endpoint_config_name = "chat-config"
}
variable "cooldown" {
  default = 60
}
"""


def _module(tmp_path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = lint_paths([str(tmp_path)], Config())
    return [(os.path.basename(d.file), d.line, d.rule) for d in result.diagnostics]


def test_names_resolve_across_the_files_of_a_module(tmp_path) -> None:
    assert _module(tmp_path, {"main.tf": MODULE_MAIN, "target.tf": MODULE_TARGET}) == [
        ("main.tf", 8, "scale-in-cooldown-short")]
    # alone, the policy's file does not know its names: nothing is said
    result = lint_paths([str(tmp_path / "main.tf")], Config())
    assert result.diagnostics == []


def test_a_tfvars_file_makes_the_variables_unknown(tmp_path) -> None:
    files = {"main.tf": MODULE_MAIN, "target.tf": MODULE_TARGET, "terraform.tfvars": "cooldown = 600\n"}
    assert _module(tmp_path, files) == []


def test_a_name_defined_twice_is_unknown(tmp_path) -> None:
    twice = MODULE_TARGET.replace("default = 60", "default = 600")
    assert _module(tmp_path, {"main.tf": MODULE_MAIN, "target.tf": MODULE_TARGET, "again.tf": twice}) == []


def test_modules_in_other_folders_do_not_share_names(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "main.tf").write_text(MODULE_MAIN)
    (tmp_path / "b" / "target.tf").write_text(MODULE_TARGET)
    assert lint_paths([str(tmp_path)], Config()).diagnostics == []


@pytest.mark.parametrize("value", ["plain", 'q"uote', "back\\slash", "line\nbreak\ttab", "${not.a.ref}",
                                   "%{ if x }", "ünï", "\x01", 0, -3, 2.5, True, False, None])
def test_a_rendered_literal_reads_back_as_the_same_value(value) -> None:
    top = parse(f"x = {render(value)}\n")
    assert top.attrs["x"].value.value == value


def test_a_syntax_error_is_a_parse_error_at_its_line_without_the_text(tmp_path) -> None:
    text = 'resource "aws_sagemaker_endpoint" "x" {\n  name = "ok"\n  secret-token-xyz = = 1\n}\n'
    source = load("main.tf", text.encode())
    assert source.error is not None and source.error.line == 3
    assert "secret-token-xyz" not in source.error.message
    (tmp_path / "main.tf").write_text(text)
    status, out, err = run_cli(["--format", "json", "main.tf"], cwd=str(tmp_path))
    found = json.loads(out)
    assert [(d["rule"], d["line"]) for d in found] == [("parse-error", 3)]
    assert "secret-token-xyz" not in out + err and "Traceback" not in err


#: a file is parsed only when it mentions what gpulint reads: each hostile file starts with such a resource
_READ = 'resource "aws_sagemaker_model" "m" {}\n'

HOSTILE = {
    "nested": _READ + "a = " + "[" * 50000 + "]" * 50000 + "\n",
    "nested-blocks": _READ + "a {\n" * 5000 + "}\n" * 5000,
    "interpolations": _READ + 'a = "' + "${" * 20000 + '"\n',
    "long-number": 'resource "aws_appautoscaling_target" "t" {\n  min_capacity = ' + "9" * 5000 + "\n}\n",
    "unterminated-heredoc": _READ + "a = <<EOF\n" + "x  \n" * 100000,
    "too-big": _READ + "# " + "x" * (1 << 20) + "\n",
}


@pytest.mark.skipif(sys.platform == "win32", reason="resource limits are POSIX")
@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_terraform_ends_quickly_in_a_diagnostic(tmp_path, name: str) -> None:
    (tmp_path / "main.tf").write_text(HOSTILE[name], encoding="utf-8")

    def cap() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (768 << 20, 768 << 20))

    proc = subprocess.run([sys.executable, "-m", "gpulint", "--format", "json", "main.tf"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=10, preexec_fn=cap)
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    found = [(d["rule"], d["line"]) for d in json.loads(proc.stdout)]
    assert all(rule == "parse-error" for rule, _ in found), found
    if name == "long-number":
        assert found == []  # a number too long to be a setting is unknown, not an error
    else:
        assert len(found) == 1


def test_a_fix_on_a_value_that_is_no_literal_is_refused_and_the_file_kept(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(MODULE_MAIN)
    (tmp_path / "target.tf").write_text(MODULE_TARGET)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    status, out, err = run_cli(["--fix", "."], cwd=str(tmp_path))
    assert status == 1
    assert "main.tf:8:5: warning scale-in-cooldown-short" in out
    assert "fix for scale-in-cooldown-short not applied" in err and "is not a literal in this file" in err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_gpulint_cost_prices_a_terraform_endpoint(tmp_path) -> None:
    (tmp_path / "main.tf").write_text(STACK)
    status, out, _ = run_cli(["cost", "--format", "json", "."], cwd=str(tmp_path))
    rows = {r["name"]: r for r in json.loads(out)["resources"] if r["kind"] == "endpoint-variant"}
    row = rows["chat-config/AllTraffic"]
    assert (row["file"], row["line"], row["instance_types"]) == ("main.tf", 14, ["ml.g5.2xlarge"])
    assert row["count"]["desired"] == 2 and row["hourly"]["low"] > 0
    # a configuration Terraform names itself goes by its address
    (tmp_path / "main.tf").write_text(STACK.replace('  name = "chat-config"\n', ""))
    status, out, _ = run_cli(["cost", "--format", "json", "."], cwd=str(tmp_path))
    names = {r["name"] for r in json.loads(out)["resources"] if r["kind"] == "endpoint-variant"}
    assert names == {"aws_sagemaker_endpoint_configuration.chat/AllTraffic", "aws_sagemaker_endpoint_configuration.chat/b"}


# --------------------------------------------------------------------------- plans

PLAN = os.path.join(os.path.dirname(FIXTURES), "cases", "terraform-plan.json")


def test_a_plan_holds_what_the_configuration_sets_with_the_values_terraform_resolved() -> None:
    with open(PLAN, "rb") as fh:
        source = load("plan.json", fh.read())
    assert source.kind == "terraform-plan"
    policy, target = source.documents
    assert policy.label == "aws_appautoscaling_policy.chat"
    # scale_out_cooldown (0), disable_scale_in and the empty blocks are the provider's, not the author's
    assert policy.data["TargetTrackingScalingPolicyConfiguration"] == {
        "ScaleInCooldown": 60, "TargetValue": 70,
        "PredefinedMetricSpecification": {"PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"},
    }
    assert target.label == "module.serving.aws_appautoscaling_target.this[0]"
    assert (target.data["MinCapacity"], target.data["MaxCapacity"]) == (4, 2)
    where = policy.positions[("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown")]
    assert (where.line, where.column, where.start) == (28, 38, -1)


def test_a_resource_the_configuration_does_not_describe_is_left_empty() -> None:
    with open(PLAN, encoding="utf-8") as fh:
        plan = json.load(fh)
    plan["configuration"]["root_module"]["resources"] = []
    source = load("plan.json", json.dumps(plan).encode())
    assert source.documents[0].data == {}


def test_other_json_with_a_format_version_stays_json() -> None:
    text = json.dumps({"format_version": "1.0", "values": {"root_module": {}}})
    source = load("state.json", text.encode())
    assert (source.kind, [d.data for d in source.documents]) == ("json", [json.loads(text)])


def test_a_plan_is_never_edited(tmp_path) -> None:
    with open(PLAN, "rb") as fh:
        raw = fh.read()
    (tmp_path / "plan.json").write_bytes(raw)
    status, out, err = run_cli(["--fix", "--unsafe-fixes", "."], cwd=str(tmp_path))
    assert status == 1 and "plan.json:28:38: warning scale-in-cooldown-short" in out
    assert "a Terraform plan is generated; change the .tf file it was planned from" in err
    assert (tmp_path / "plan.json").read_bytes() == raw


FORMS = os.path.join(os.path.dirname(FIXTURES), "cases", "same-setup-forms")


def test_the_same_setup_reports_the_same_rules_and_costs_in_each_form() -> None:
    result = lint_paths([FORMS], Config())
    rules: dict[str, list[str]] = {}
    for d in result.diagnostics:
        rules.setdefault(os.path.basename(d.file), []).append(d.rule)
    assert sorted(rules["main.tf"]) == sorted(rules["cloudformation.yaml"]) == sorted(rules["deploy.py"]) == [
        "scale-in-cooldown-short", "scale-out-slower-than-scale-in", "scaling-capacity-invalid"]
    status, out, _ = run_cli(["cost", "--format", "json", FORMS])
    rows = {os.path.basename(r["file"]): r for r in json.loads(out)["resources"]}
    assert set(rows) == {"main.tf", "cloudformation.yaml", "deploy.py"}
    assert {(r["count"]["min"], r["count"]["max"], r["monthly_max"]) for r in rows.values()} == {(0, 4, 4423.8)}


COMPONENT = """\
resource "aws_sagemaker_inference_component" "ic" {
  name          = "chat-ic"
  endpoint_name = aws_sagemaker_endpoint.chat.name
  variant_name  = "AllTraffic"
  specification {
    model_name = aws_sagemaker_model.chat.name
    compute_resource_requirements {
      min_memory_required_in_mb              = 1024
      number_of_accelerator_devices_required = 1
    }
  }
  runtime_config {
    copy_count = 1
  }
}
resource "aws_sagemaker_endpoint" "chat" {
  name                 = "chat"
  endpoint_config_name = "chat-config"
}
resource "aws_sagemaker_model" "chat" {
  name = "chat-model"
  container {
    image = "img:1"
    environment = { A = "1" }
  }
  container {
    image = "img:2"
  }
}
"""


def test_inference_components_endpoints_and_models_are_the_api_objects(tmp_path) -> None:
    from gpulint.engine.run import load_project

    (tmp_path / "main.tf").write_text(COMPONENT)
    diagnostics: list = []
    project, _ = load_project([str(tmp_path)], Config(), diagnostics=diagnostics)
    assert diagnostics == []
    objects = {type(o).__name__: o for o in project.objects}
    assert set(objects) == {"InferenceComponent", "Endpoint", "SageMakerModel"}
    component = objects["InferenceComponent"]
    assert (component.form, component.kind) == ("terraform", "InferenceComponent (aws_sagemaker_inference_component.ic)")
    assert component.data == {
        "InferenceComponentName": "chat-ic", "EndpointName": "chat", "VariantName": "AllTraffic",
        "Specification": {"ModelName": "chat-model", "ComputeResourceRequirements": {
            "MinMemoryRequiredInMb": 1024, "NumberOfAcceleratorDevicesRequired": 1}},
        "RuntimeConfig": {"CopyCount": 1},
    }
    assert objects["SageMakerModel"].data["Containers"] == [
        {"Image": "img:1", "Environment": {"A": "1"}}, {"Image": "img:2"}]


def test_a_module_is_linked_when_its_files_load_in_worker_processes(tmp_path, monkeypatch) -> None:
    from gpulint.engine import parallel

    monkeypatch.setattr(parallel, "parallel_jobs", lambda inputs: 2)
    done: list[int] = []
    real = parallel.process_parallel

    def spy(*args):  # noqa: ANN002, ANN202
        loaded = real(*args)
        done.append(len(loaded))
        return loaded

    monkeypatch.setattr(parallel, "process_parallel", spy)
    assert _module(tmp_path, {"main.tf": MODULE_MAIN, "target.tf": MODULE_TARGET}) == [
        ("main.tf", 8, "scale-in-cooldown-short")]
    assert done == [2]  # both files were loaded by the workers


def test_a_variable_a_module_call_passes_is_not_its_default(tmp_path) -> None:
    (tmp_path / "serving").mkdir()
    (tmp_path / "serving" / "main.tf").write_text(MODULE_MAIN + MODULE_TARGET)
    assert _module(tmp_path / "serving", {}) == [("main.tf", 8, "scale-in-cooldown-short")]
    (tmp_path / "main.tf").write_text('module "serving" {\n  source   = "./serving"\n  cooldown = 600\n}\n')
    assert lint_paths([str(tmp_path)], Config()).diagnostics == []
    # a call that leaves the variable alone keeps its default
    (tmp_path / "main.tf").write_text('module "serving" {\n  source = "./serving/"\n}\n')
    found = lint_paths([str(tmp_path)], Config()).diagnostics
    assert [(os.path.basename(d.file), d.line, d.rule) for d in found] == [("main.tf", 8, "scale-in-cooldown-short")]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(st.integers(0, len(STACK)), st.integers(0, 12), st.text(alphabet='{}[]()"$%=#.,\\\n -x0u', max_size=6))
def test_a_damaged_file_loads_or_fails_as_a_parse_error_never_an_internal_error(at: int, cut: int, put: str) -> None:
    text = STACK[:at] + put + STACK[at + cut:]
    source = load("main.tf", text.encode())
    lines = text.count("\n") + 1
    if source.error is not None:
        assert 1 <= source.error.line <= lines + 1 and "Traceback" not in source.error.message
    for doc in source.documents:
        assert all(1 <= span.line <= lines for span in doc.positions.values())
    result = lint_paths([], Config(), stdin_filename="main.tf", stdin_data=text.encode())
    assert not [d for d in result.diagnostics if d.rule == "internal-error"], result.diagnostics


# --------------------------------------------------------------------------- files read only for names

MODULE = os.path.join(os.path.dirname(FIXTURES), "rules", "scale-in-cooldown-short", "terraform-module")


def test_a_file_without_what_gpulint_reads_is_not_parsed(tmp_path) -> None:
    """A .tf file with no SageMaker, scaling or EKS node group resource and no module block holds
    nothing gpulint reads: it is not parsed (so broken HCL there is Terraform's to report)."""
    (tmp_path / "network.tf").write_text('resource "aws_vpc" "main" {\n  cidr_block = = "10.0.0.0/16"\n}\n')
    status, out, err = run_cli(["--format", "json", "."], cwd=str(tmp_path))
    assert (status, json.loads(out)) == (0, [])


def test_a_modules_variables_file_is_parsed_for_its_names(tmp_path) -> None:
    shutil.copytree(MODULE, str(tmp_path / "m"))
    status, out, _ = run_cli(["--format", "json", "m"], cwd=str(tmp_path))
    assert [(d["file"], d["line"], d["rule"]) for d in json.loads(out)] == \
        [("m/main.tf", 20, "scale-in-cooldown-short")]
    # variables.tf is not HCL: the default it would give is unknown, and nothing is said
    (tmp_path / "m" / "variables.tf").write_text('variable "scale_in_cooldown" {\n  default = = 90\n}\n')
    status, out, _ = run_cli(["--format", "json", "m"], cwd=str(tmp_path))
    assert (status, json.loads(out)) == (0, [])
