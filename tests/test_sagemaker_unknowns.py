"""What a SageMaker document does not say yet: CloudFormation intrinsics in either form,
skeleton request documents filled in at run time, and how many schema problems one
document reports."""

from __future__ import annotations

import os

from gpulint.config import from_mapping
from gpulint.engine.run import lint_paths
from gpulint.load import Tagged, load
from gpulint.model.recognize import recognise
from gpulint.model.sagemaker import EndpointConfig, SageMakerModel, TrainingJob
from gpulint.model.sagemaker.intrinsics import document_node, retag
from gpulint.model.sagemaker.recognise import value_counts

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_CASES = os.path.join(REPO, "tests", "fixtures", "rules", "schema-violation")
SKELETON_CASES = os.path.join(REPO, "tests", "fixtures", "rules", "skeleton-document")


def _write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def _found(paths: list[str], cfg: dict | None = None) -> list[tuple[int, str, str]]:
    return [(d.line, d.rule, d.message) for d in lint_paths(paths, from_mapping(cfg or {})).diagnostics]


# --------------------------------------------------------------------------- intrinsics

SPLIT = """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt Role.Arn
      PrimaryContainer: {Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1}
      VpcConfig:
        Subnets: !Split [',', !Ref SubnetIds]
        SecurityGroupIds: [!Ref Sg, sg-0a]
"""


def test_a_tagged_collection_becomes_one_unknown_value() -> None:
    source = load("t.yaml", SPLIT.encode())
    [doc] = source.documents
    props = doc.data["Resources"]["Model"]["Properties"]
    assert props["VpcConfig"]["Subnets"] == [",", Tagged("!Ref", "SubnetIds")]  # what the loader builds
    out = retag(props, document_node(source, doc), ("Resources", "Model", "Properties"))
    assert out["VpcConfig"]["Subnets"] == Tagged("!Split", [",", Tagged("!Ref", "SubnetIds")])
    # untagged members are the very objects loaded, not copies
    assert out["PrimaryContainer"] is props["PrimaryContainer"]
    assert out["VpcConfig"]["SecurityGroupIds"] is props["VpcConfig"]["SecurityGroupIds"]
    [model] = recognise(source, doc).objects
    assert isinstance(model, SageMakerModel) and model.get("VpcConfig", "Subnets").tag == "!Split"


def test_a_template_without_tagged_collections_is_not_copied() -> None:
    text = "Resources:\n  M:\n    Type: AWS::SageMaker::Model\n    Properties: {ModelName: m}\n"
    source = load("t.yaml", text.encode())
    [doc] = source.documents
    assert document_node(source, doc) is None  # no '!' in the document: nothing composed again
    props = doc.data["Resources"]["M"]["Properties"]
    assert retag(props, None, ("Resources", "M", "Properties")) is props


def test_split_subnets_are_silent_in_yaml_and_json_and_literal_lists_still_fire() -> None:
    yaml_case = os.path.join(SCHEMA_CASES, "cloudformation-intrinsics.yaml")
    json_case = os.path.join(SCHEMA_CASES, "cloudformation-intrinsics.json")
    literal = [
        ("schema-violation", "'VpcConfig.Subnets[0]': ',' does not match the pattern [-0-9a-zA-Z]+"),
        ("schema-violation", "'VpcConfig.SecurityGroupIds': expected at most 5 items, found 6"),
    ]
    assert [(r, m) for _, r, m in _found([yaml_case])] == literal
    assert [(r, m) for _, r, m in _found([json_case])] == literal


def test_intrinsic_items_and_members_are_not_read_by_the_model(tmp_path) -> None:
    path = _write(tmp_path, "t.json", """{
  "Resources": {
    "Config": {
      "Type": "AWS::SageMaker::EndpointConfig",
      "Properties": {
        "ProductionVariants": [
          {"Fn::If": ["Prod", {"VariantName": "a", "InstanceType": "ml.g5.xlarge"}, {"Ref": "AWS::NoValue"}]},
          {"VariantName": "b", "InstanceType": "ml.g5.xlarge", "InitialInstanceCount": 1,
           "ManagedInstanceScaling": {"Fn::If": ["Prod", {"Status": "ENABLED"}, {"Ref": "AWS::NoValue"}]}}
        ]
      }
    }
  }
}""")
    result = lint_paths([path], from_mapping({}))
    assert result.diagnostics == []
    [config] = [o for o in result.project.objects if isinstance(o, EndpointConfig)]
    [variant] = list(config.variants())
    assert variant.name == "b" and variant.managed_scaling == {}


def test_cloudformation_passes_numbers_as_strings_but_requests_do_not(tmp_path) -> None:
    cfn = _write(tmp_path, "t.yaml", """\
Resources:
  Model:
    Type: AWS::SageMaker::Model
    Properties:
      ExecutionRoleArn: !GetAtt Role.Arn
      PrimaryContainer:
        Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1
        Environment: {WORKERS: 1}
""")
    request = _write(tmp_path, "model.yaml", """\
ModelName: llm
ExecutionRoleArn: arn:aws:iam::123456789012:role/r
PrimaryContainer:
  Image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1
  Environment: {WORKERS: 1}
""")
    assert _found([cfn]) == []
    assert _found([request]) == [
        (5, "schema-violation", "'PrimaryContainer.Environment.WORKERS': expected a string, found 1")]


# --------------------------------------------------------------------------- skeletons


def test_a_skeleton_request_is_one_note_and_no_object() -> None:
    case = os.path.join(SKELETON_CASES, "training-job.json")
    result = lint_paths([case], from_mapping({}))
    assert [(d.line, d.column, d.rule, d.severity.label, d.message) for d in result.diagnostics] == [
        (1, 1, "skeleton-document", "info",
         "8 of the 14 values of this training job request are empty strings: a skeleton filled in at run time, "
         "so its fields are not checked"),
    ]
    assert not [o for o in result.project.objects if isinstance(o, TrainingJob)]


def test_a_skeleton_is_not_checked_by_the_rules_either(tmp_path) -> None:
    # a spot job without a checkpoint would fire spot-training-without-checkpoint, were it real
    path = _write(tmp_path, "job.json", """{
  "TrainingJobName": "", "RoleArn": "", "EnableManagedSpotTraining": true,
  "AlgorithmSpecification": {"TrainingImage": "", "TrainingInputMode": "File"},
  "OutputDataConfig": {"S3OutputPath": ""},
  "ResourceConfig": {"InstanceType": "", "InstanceCount": 1, "VolumeSizeInGB": 30}
}""")
    assert [r for _, r, _ in _found([path])] == ["skeleton-document"]
    assert _found([path], {"ignore": ["skeleton-document"]}) == []


def test_what_counts_as_a_skeleton() -> None:
    # every scalar at any depth counts; mappings, lists and nulls do not
    assert value_counts({"A": "", "B": {"C": ["", 1, None]}, "D": [], "E": False}) == (2, 4)
    assert value_counts({"A": Tagged("!Ref", "X"), "B": ""}) == (1, 2)


def test_more_than_half_empty_is_a_skeleton_and_half_is_not(tmp_path) -> None:
    base = "ServiceNamespace: sagemaker\nScalableDimension: sagemaker:variant:DesiredInstanceCount\n"
    half = _write(tmp_path, "half.yaml", base + 'ResourceId: ""\nPolicyName: ""\n')
    more = _write(tmp_path, "more.yaml", base.replace("sagemaker\n", '""\n', 1) + 'ResourceId: ""\nPolicyName: ""\n')
    assert [r for _, r, _ in _found([half])] == ["schema-violation", "schema-violation"]
    assert [(ln, r) for ln, r, _ in _found([more])] == [(1, "skeleton-document")]


def test_a_response_or_a_template_is_never_a_skeleton(tmp_path) -> None:
    response = _write(tmp_path, "r.yaml", """\
EndpointConfigName: ""
EndpointConfigArn: ""
CreationTime: ""
ProductionVariants: [{VariantName: "", ModelName: "", InstanceType: ml.g5.xlarge, InitialInstanceCount: 1}]
""")
    assert "skeleton-document" not in {r for _, r, _ in _found([response])}


# --------------------------------------------------------------------------- many problems


def test_eight_problems_are_five_and_a_count() -> None:
    found = _found([os.path.join(SCHEMA_CASES, "many-problems.yaml")])
    first = [(ln, m) for ln, r, m in found if ln < 19]
    assert [ln for ln, _ in first] == [8, 9, 10, 11, 12, 14]
    assert first[-1] == (14, "... and 3 more schema problems in this document")
    assert len([ln for ln, _, _ in found if ln >= 19]) == 5  # five in a document: no count line


def test_one_more_problem_is_counted_in_the_singular(tmp_path) -> None:
    lines = ["EndpointConfigName: x", "ProductionVariants:", "  - VariantName: a", "    ModelName: m",
             "    InstanceType: ml.g5.xlarge", '    InitialInstanceCount: "two"', "    VolumeSizeInGB: 1024",
             "    InitialVariantWeight: -1", "    ContainerStartupHealthCheckTimeoutInSeconds: 99999",
             "    ModelDataDownloadTimeoutInSeconds: 0", "    RoutingConfig: {RoutingStrategy: LEAST_BUSY}"]
    path = _write(tmp_path, "six.yaml", "\n".join(lines) + "\n")
    found = _found([path])
    assert len(found) == 6 and found[-1] == (11, "schema-violation", "... and 1 more schema problem in this document")


def test_the_count_is_taken_after_suppressions(tmp_path) -> None:
    lines = ["EndpointConfigName: x", "ProductionVariants:", "  - VariantName: a", "    ModelName: m",
             "    InstanceType: ml.g5.xlarge",
             '    InitialInstanceCount: "two"  # gpulint: disable=schema-violation',
             "    VolumeSizeInGB: 1024", "    InitialVariantWeight: -1",
             "    ContainerStartupHealthCheckTimeoutInSeconds: 99999", "    ModelDataDownloadTimeoutInSeconds: 0",
             "    RoutingConfig: {RoutingStrategy: LEAST_BUSY}"]
    path = _write(tmp_path, "six.yaml", "\n".join(lines) + "\n")
    found = _found([path])
    # the suppressed first problem leaves five, all shown: no count line, and no unused suppression
    assert [ln for ln, _, _ in found] == [7, 8, 9, 10, 11]
    assert {r for _, r, _ in found} == {"schema-violation"}
    assert not [m for _, _, m in found if m.startswith("...")]


def test_each_document_has_its_own_count(tmp_path) -> None:
    doc = open(os.path.join(SCHEMA_CASES, "many-problems.yaml"), encoding="utf-8").read().split("---\n")[0]
    path = _write(tmp_path, "two.yaml", doc + "---\n" + doc)
    counts = [(ln, m) for ln, _, m in _found([path]) if m.startswith("...")]
    assert counts == [(14, "... and 3 more schema problems in this document"),
                      (32, "... and 3 more schema problems in this document")]
