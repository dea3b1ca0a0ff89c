"""SageMaker and Application Auto Scaling: recognition, schema validation, quotas."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from gpulint.cli import main
from gpulint.config import from_mapping
from gpulint.engine.rule import all_rules, get_rule
from gpulint.engine.run import lint_paths
from gpulint.model import quotas
from gpulint.model.sagemaker import EndpointConfig, ScalingPolicy

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIG_YAML = """\
EndpointConfigName: llm
ProductionVariants:
  - VariantName: AllTraffic
    ModelName: llm
    InstanceType: ml.g5.12xlarge
    InitialInstanceCount: 3
"""
CONFIG_JSON = json.dumps(json.loads(json.dumps({
    "EndpointConfigName": "llm",
    "ProductionVariants": [
        {"VariantName": "AllTraffic", "ModelName": "llm", "InstanceType": "ml.g5.12xlarge", "InitialInstanceCount": 3}
    ],
})), indent=2)
QUOTA = {"quotas": {"ml.g5.12xlarge for endpoint usage": 2}}


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _diags(paths, cfg=None, **kw):
    return [(os.path.basename(d.file), d.line, d.rule) for d in lint_paths(paths, from_mapping(cfg or {}), **kw).diagnostics]


# --------------------------------------------------------------------------- forms


def test_json_and_yaml_forms_land_in_the_same_object(tmp_path) -> None:
    y = _write(tmp_path, "config.yaml", CONFIG_YAML)
    j = _write(tmp_path, "config.json", CONFIG_JSON)
    objs = {}
    for path in (y, j):
        result = lint_paths([path], from_mapping(QUOTA))
        [obj] = [o for o in result.project.objects if isinstance(o, EndpointConfig)]
        objs[path] = obj
        [d] = result.diagnostics
        assert (d.rule, d.line) == ("quota-exceeded", 5 if path == y else 7)
        assert "up to 3 ml.g5.12xlarge" in d.message and "= 2" in d.message
    assert objs[y].data == objs[j].data
    assert objs[y].name == "llm"


def test_cli_input_json_with_the_skeleton_shape_is_recognised(tmp_path) -> None:
    # aws sagemaker create-endpoint-config --cli-input-json file://x.json takes the request itself
    path = _write(tmp_path, "x.json", json.dumps({
        "EndpointConfigName": "llm", "ProductionVariants": [{"VariantName": "v", "InstanceType": "ml.g5.xlarge",
                                                              "InitialInstanceCount": 1, "ModelName": "m"}],
        "Tags": [{"Key": "team", "Value": "ml"}]}))
    result = lint_paths([path], from_mapping({}))
    assert [type(o).__name__ for o in result.project.objects] == ["EndpointConfig"]
    assert result.diagnostics == []


def test_ack_camel_case_members_are_normalised(tmp_path) -> None:
    path = _write(tmp_path, "policy.yaml", """\
apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
kind: ScalingPolicy
metadata: {name: p}
spec:
  policyName: p
  serviceNamespace: sagemaker
  resourceID: endpoint/llm/variant/AllTraffic
  scalableDimension: sagemaker:variant:DesiredInstanceCount
  targetTrackingScalingPolicyConfiguration:
    targetValue: 70
    scaleInCooldown: 600
""")
    result = lint_paths([path], from_mapping({}))
    [obj] = result.project.objects
    assert isinstance(obj, ScalingPolicy)
    assert obj.resource_id == "endpoint/llm/variant/AllTraffic"
    assert obj.form == "ack"
    assert obj.at("TargetTrackingScalingPolicyConfiguration", "ScaleInCooldown") == (
        "spec", "targetTrackingScalingPolicyConfiguration", "scaleInCooldown")
    assert result.diagnostics == []


def test_ack_inference_component_does_not_become_a_pod_workload(tmp_path) -> None:
    path = _write(tmp_path, "model.yaml", """\
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: Model
metadata: {name: m}
spec:
  modelName: m
  containers:
    - image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/x:1
""")
    result = lint_paths([path], from_mapping({}))
    assert [type(o).__name__ for o in result.project.objects] == ["SageMakerModel"]


# --------------------------------------------------------------------------- instance types


def test_instance_type_outside_the_enum_gets_a_did_you_mean(tmp_path) -> None:
    path = _write(tmp_path, "c.yaml", CONFIG_YAML.replace("ml.g5.12xlarge", "g5.12xlarge"))
    [d] = lint_paths([path], from_mapping({})).diagnostics
    # reported as unknown-instance-type once that rule is registered, else as a schema violation
    expected = "unknown-instance-type" if get_rule("unknown-instance-type") else "schema-violation"
    assert (d.rule, d.line) == (expected, 5)
    assert "unknown instance type 'g5.12xlarge' for SageMaker hosting; did you mean 'ml.g5.12xlarge'?" in d.message


def test_training_instance_type_is_checked_against_the_training_enum(tmp_path) -> None:
    # ml.inf2 serves models but cannot train them
    path = _write(tmp_path, "t.json", json.dumps({
        "TrainingJobName": "t", "RoleArn": "arn:aws:iam::123456789012:role/sm",
        "AlgorithmSpecification": {"TrainingImage": "img:1", "TrainingInputMode": "File"},
        "OutputDataConfig": {"S3OutputPath": "s3://b/o/"},
        "ResourceConfig": {"InstanceType": "ml.inf2.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        "StoppingCondition": {"MaxRuntimeInSeconds": 60}}, indent=2))
    [d] = lint_paths([path], from_mapping({})).diagnostics
    assert "unknown instance type 'ml.inf2.xlarge' for SageMaker training" in d.message
    assert d.line == 12


# --------------------------------------------------------------------------- quotas


def _stubbed_client(pages):
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("service-quotas", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    stub = Stubber(client)
    for i, quotas_page in enumerate(pages):
        params = {"ServiceCode": "sagemaker"}
        if i:
            params["NextToken"] = f"t{i}"
        response = {"Quotas": quotas_page}
        if i + 1 < len(pages):
            response["NextToken"] = f"t{i + 1}"
        stub.add_response("list_service_quotas", response, params)
    stub.activate()
    return client, stub


def _quota(name: str, value: float) -> dict:
    return {"ServiceCode": "sagemaker", "QuotaName": name, "QuotaCode": "L-12345678", "Value": value,
            "Unit": "None", "Adjustable": True, "GlobalQuota": False}


def test_live_quotas_read_every_page_with_stubber() -> None:
    client, stub = _stubbed_client([
        [_quota("ml.g5.12xlarge for endpoint usage", 2.0)],
        [_quota("ml.p4d.24xlarge for training job usage", 0.0), _quota("Number of endpoints", 100.0)],
    ])
    got = quotas.from_service_quotas(client)
    stub.assert_no_pending_responses()
    assert got == {"ml.g5.12xlarge for endpoint usage": 2.0, "ml.p4d.24xlarge for training job usage": 0.0,
                   "number of endpoints": 100.0}


def test_cli_quotas_live_uses_the_api(tmp_path, monkeypatch) -> None:
    client, stub = _stubbed_client([[_quota("ml.g5.12xlarge for endpoint usage", 2.0)]])
    monkeypatch.setattr(quotas, "make_client", lambda region: client)
    path = _write(tmp_path, "c.yaml", CONFIG_YAML)
    out, err = io.StringIO(), io.StringIO()
    code = main(["--quotas", "live", "--format", "json", path], stdout=out, stderr=err)
    assert code == 1, err.getvalue()
    [d] = json.loads(out.getvalue())
    assert (d["rule"], d["line"]) == ("quota-exceeded", 5)
    assert "'ml.g5.12xlarge for endpoint usage' = 2" in d["message"]
    stub.assert_no_pending_responses()


def test_cli_quotas_live_api_error_is_a_clear_message(tmp_path, monkeypatch) -> None:
    import boto3
    from botocore.stub import Stubber

    client = boto3.client("service-quotas", region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    stub = Stubber(client)
    stub.add_client_error("list_service_quotas", service_error_code="AccessDeniedException",
                          service_message="not authorized to perform servicequotas:ListServiceQuotas")
    stub.activate()
    monkeypatch.setattr(quotas, "make_client", lambda region: client)
    err = io.StringIO()
    code = main(["--quotas", "live", _write(tmp_path, "c.yaml", CONFIG_YAML)], stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert err.getvalue() == ("gpulint: the Service Quotas API refused the request: AccessDeniedException: "
                              "not authorized to perform servicequotas:ListServiceQuotas\n")


def test_cli_quotas_live_without_credentials_is_a_clear_message(tmp_path, monkeypatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    err = io.StringIO()
    code = main(["--quotas", "live", _write(tmp_path, "c.yaml", CONFIG_YAML)], stdout=io.StringIO(), stderr=err)
    assert code == 2
    assert "found no AWS credentials" in err.getvalue()
    assert "Traceback" not in err.getvalue()


def test_cli_quotas_file(tmp_path) -> None:
    qfile = _write(tmp_path, "quotas.json", json.dumps(QUOTA))
    out = io.StringIO()
    code = main(["--quotas", qfile, "--format", "json", _write(tmp_path, "c.yaml", CONFIG_YAML)],
                stdout=out, stderr=io.StringIO())
    assert code == 1
    assert [d["rule"] for d in json.loads(out.getvalue())] == ["quota-exceeded"]


@pytest.mark.parametrize("text, message", [
    ("quotas: [1, 2]", ": expected a mapping 'quotas: {\"<type> for endpoint usage\": N}', found a list"),
    ("quotas: {ml.g5.xlarge for endpoint usage: many}",
     ": quota 'ml.g5.xlarge for endpoint usage' must be a non-negative number, found 'many'"),
    ("limits: {}", ": expected a top-level 'quotas:' mapping"),
    ("quotas: {a: [", ":2:1: invalid YAML: did not find expected node content while parsing a flow node"),
])
def test_cli_bad_quotas_file_is_a_usage_error(tmp_path, text, message) -> None:
    qfile = _write(tmp_path, "q.yaml", text)
    err = io.StringIO()
    code = main(["--quotas", qfile, _write(tmp_path, "c.yaml", CONFIG_YAML)], stdout=io.StringIO(), stderr=err)
    assert (code, err.getvalue()) == (2, f"gpulint: quotas file {qfile}{message}\n")


def test_cli_missing_quotas_file(tmp_path) -> None:
    err = io.StringIO()
    missing = str(tmp_path / "nope.yaml")
    code = main(["--quotas", missing, _write(tmp_path, "c.yaml", CONFIG_YAML)], stdout=io.StringIO(), stderr=err)
    assert (code, err.getvalue()) == (2, f"gpulint: quotas file {missing}: no such file\n")


def test_quota_at_the_limit_is_silent(tmp_path) -> None:
    path = _write(tmp_path, "c.yaml", CONFIG_YAML)
    assert _diags([path], {"quotas": {"ml.g5.12xlarge for endpoint usage": 3}}) == []


def test_sum_training_jobs_option(tmp_path) -> None:
    job = """\
TrainingJobName: {name}
RoleArn: arn:aws:iam::123456789012:role/sm
AlgorithmSpecification: {{TrainingImage: "img:1", TrainingInputMode: File}}
OutputDataConfig: {{S3OutputPath: "s3://b/o/"}}
ResourceConfig: {{InstanceType: ml.p4d.24xlarge, InstanceCount: 2, VolumeSizeInGB: 10}}
StoppingCondition: {{MaxRuntimeInSeconds: 60}}
"""
    a = _write(tmp_path, "a.yaml", job.format(name="a"))
    b = _write(tmp_path, "b.yaml", job.format(name="b"))
    cfg = {"quotas": {"ml.p4d.24xlarge for training job usage": 3}}
    assert _diags([a, b], cfg) == []
    cfg["rules"] = {"quota-exceeded": {"sum-training-jobs": True}}
    assert _diags([a, b], cfg) == [("a.yaml", 5, "quota-exceeded")]


# --------------------------------------------------------------------------- lint path stays light


def test_lint_path_imports_no_boto() -> None:
    fixtures = [os.path.join(REPO, "tests", "fixtures", "rules", r.name) for r in all_rules() if r.domain == "sagemaker"]
    code = (
        "import sys\n"
        "from gpulint.config import from_mapping\n"
        "from gpulint.engine.run import lint_paths\n"
        f"r = lint_paths({fixtures!r}, from_mapping({{'quotas': {{'ml.g5.2xlarge for endpoint usage': 1}}}}))\n"
        "assert r.diagnostics\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_generated_schemas_are_current() -> None:
    pytest.importorskip("botocore")
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    try:
        import gen_aws_schemas
    finally:
        sys.path.pop(0)
    import botocore

    files = gen_aws_schemas.generate()
    stale = []
    for rel, text in files.items():
        with open(os.path.join(REPO, "schemas", "aws", rel), encoding="utf-8") as fh:
            if fh.read() != text:
                stale.append(rel)
    if stale and botocore.__version__ != "1.43.11":
        pytest.skip(f"schemas were generated from botocore 1.43.11, this is {botocore.__version__}")
    assert not stale


def test_malformed_documents_give_violations_not_crashes(tmp_path) -> None:
    path = _write(tmp_path, "bad.yaml", """\
EndpointConfigName: x
ProductionVariants: [1, null, {VariantName: {a: 1}, InstancePools: "x", RoutingConfig: 5}]
---
TrainingJobName: t
RoleArn: arn:aws:iam::123456789012:role/r
OutputDataConfig: {S3OutputPath: "s3://b/o"}
EnableManagedSpotTraining: true
StoppingCondition: 5
ResourceConfig: {InstanceGroups: [1, {InstanceType: 5}], InstanceCount: "x"}
---
TransformJobName: t
TransformInput: 5
BatchStrategy: MultiRecord
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
spec: [1]
""")
    diags = lint_paths([path], from_mapping({"quotas": {"ml.g5.xlarge for endpoint usage": 0}})).diagnostics
    rules = {d.rule for d in diags}
    assert "internal-error" not in rules
    # the shape errors are reported; the policy rules stay out of the way of broken members
    assert rules == {"schema-violation", "spot-training-without-checkpoint"}
    # a number where an instance type belongs is a type error, not an enum miss as well
    lines = [(d.line, d.message) for d in diags if d.line == 9 and "InstanceType" in d.message]
    assert len(lines) == 1 and "expected a string, found 5" in lines[0][1]


def test_quota_counts_each_endpoint_and_skips_superseded_configs(tmp_path) -> None:
    v1 = _write(tmp_path, "v1.yaml", CONFIG_YAML.replace("EndpointConfigName: llm", "EndpointConfigName: llm-v1"))
    v2 = _write(tmp_path, "v2.yaml", CONFIG_YAML.replace("EndpointConfigName: llm", "EndpointConfigName: llm-v2"))
    eps = _write(tmp_path, "endpoints.yaml", """\
EndpointName: llm-v1
EndpointConfigName: llm-v2
---
EndpointName: llm-canary
EndpointConfigName: llm-v2
""")
    cfg = {"quotas": {"ml.g5.12xlarge for endpoint usage": 5}}
    # llm-v1's name is taken by an endpoint running llm-v2: only llm-v2 counts, on two endpoints (3 + 3)
    result = lint_paths([v1, v2, eps], from_mapping(cfg))
    [d] = result.diagnostics
    assert (os.path.basename(d.file), d.line, d.rule) == ("v2.yaml", 5, "quota-exceeded")
    assert "up to 6 ml.g5.12xlarge" in d.message
    assert "endpoint 'llm-canary'" in d.message and "endpoint 'llm-v1'" in d.message
    cfg["quotas"]["ml.g5.12xlarge for endpoint usage"] = 6
    assert lint_paths([v1, v2, eps], from_mapping(cfg)).diagnostics == []


def test_inlined_schemas_validate_like_the_committed_ones() -> None:
    """Validators follow inlined definitions for speed; the verdicts must not change."""
    import copy
    import glob

    from jsonschema import Draft202012Validator

    from gpulint.model.sagemaker import inline_refs, schema_dir

    bad_values = [None, "x", -5, 10**9, [], {}, [{"Oops": 1}], True]
    for path in sorted(glob.glob(os.path.join(schema_dir(), "*", "*.json"))):
        with open(path, encoding="utf-8") as fh:
            schema = json.load(fh)
        plain, inlined = Draft202012Validator(schema), Draft202012Validator(inline_refs(copy.deepcopy(schema)))
        for member in list(schema.get("properties", {}))[:12]:
            for value in bad_values:
                doc = {member: value}
                assert sorted(
                    (tuple(e.absolute_path), e.validator, e.message) for e in plain.iter_errors(doc)
                ) == sorted((tuple(e.absolute_path), e.validator, e.message) for e in inlined.iter_errors(doc)), (
                    path, member, value)


LOWER_CASE_SPOT_JOB = {
    "trainingjobname": "finetune", "enablemanagedspottraining": True,
    "resourceconfig": {"instancetype": "ml.g5.12xlarge", "instancecount": 1, "volumesizeingb": 100},
    "stoppingcondition": {"maxruntimeinseconds": 3600, "maxwaittimeinseconds": 7200},
}
PASCAL_CASE_JOB = {
    "TrainingJobName": "eval", "RoleArn": "arn:aws:iam::123456789012:role/sm",
    "AlgorithmSpecification": {"TrainingImage": "img", "TrainingInputMode": "File"},
    "OutputDataConfig": {"S3OutputPath": "s3://bucket/out/"},
    "ResourceConfig": {"InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50},
    "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
}


def test_what_is_recognised_does_not_depend_on_the_order_files_load(tmp_path) -> None:
    """A document with no PascalCase member is no AWS document, whether or not an earlier file
    of the run loaded the SageMaker domain (the domain gate and the recogniser agree)."""
    (tmp_path / "b-lower.json").write_text(json.dumps(LOWER_CASE_SPOT_JOB))
    alone = subprocess.run([sys.executable, "-m", "gpulint", "--format", "json", "b-lower.json"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=60)
    (tmp_path / "a-pascal.json").write_text(json.dumps(PASCAL_CASE_JOB))
    both = subprocess.run([sys.executable, "-m", "gpulint", "--format", "json", "a-pascal.json", "b-lower.json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert alone.returncode == 0 and json.loads(alone.stdout) == []
    assert both.returncode == 0, both.stdout
    assert [d for d in json.loads(both.stdout) if d["file"].endswith("b-lower.json")] == []
