"""References between the resources of one CloudFormation template: a value built from another
resource's name resolves only when every part of it is certain."""

from __future__ import annotations

import pytest

from gpulint.load import Tagged
from gpulint.model.sagemaker.references import ref_name, resolve

NAMES = {"Endpoint.EndpointName": "llm", "Config.EndpointConfigName": "llm-config"}


@pytest.mark.parametrize("value, text", [
    ("endpoint/llm/variant/a", "endpoint/llm/variant/a"),
    (Tagged("!Sub", "endpoint/${Endpoint.EndpointName}/variant/a"), "endpoint/llm/variant/a"),
    ({"Fn::Sub": "endpoint/${Endpoint.EndpointName}/variant/a"}, "endpoint/llm/variant/a"),
    (Tagged("!Sub", ["endpoint/${E}/variant/${V}", {"E": Tagged("!GetAtt", "Endpoint.EndpointName"), "V": "a"}]),
     "endpoint/llm/variant/a"),
    (Tagged("!Join", ["/", ["endpoint", Tagged("!GetAtt", "Endpoint.EndpointName"), "variant", "a"]]),
     "endpoint/llm/variant/a"),
    ({"Fn::Join": ["/", ["endpoint", {"Fn::GetAtt": ["Endpoint", "EndpointName"]}, "variant", "a"]]},
     "endpoint/llm/variant/a"),
    (Tagged("!GetAtt", "Config.EndpointConfigName"), "llm-config"),
    (Tagged("!Sub", "${!Literal}-x"), "${Literal}-x"),
])
def test_resolves_when_certain(value, text):
    assert resolve(value, NAMES) == text


@pytest.mark.parametrize("value", [
    Tagged("!Ref", "Endpoint"),  # Ref of a SageMaker resource is its ARN
    Tagged("!Join", ["", ["endpoint/", Tagged("!Ref", "Endpoint"), "/variant/a"]]),
    Tagged("!Sub", "endpoint/${Endpoint}/variant/a"),
    Tagged("!Sub", "endpoint/${EndpointNameParameter}/variant/a"),
    Tagged("!Sub", "endpoint/${AWS::StackName}/variant/a"),
    Tagged("!Sub", "endpoint/${Other.EndpointName}/variant/a"),  # not in the template
    Tagged("!GetAtt", "Endpoint.EndpointArn"),
    Tagged("!Join", ["/", "not-a-list"]),
    Tagged("!Sub", ["${E}", "not-a-mapping"]),
    Tagged("!If", ["Cond", "endpoint/a/variant/b", "endpoint/c/variant/d"]),
    {"Fn::GetAtt": ["Endpoint"]},
    "${UNRENDERED}",
    42,
])
def test_unknown_when_not_certain(value):
    assert resolve(value, NAMES) is None


def test_ref_name_in_both_forms():
    assert ref_name(Tagged("!Ref", "Target")) == "Target"
    assert ref_name({"Ref": "Target"}) == "Target"
    assert ref_name(Tagged("!GetAtt", "Target.Id")) is None
    assert ref_name({"Ref": ["Target"]}) is None
    assert ref_name("Target") is None


def test_inference_component_joins_the_endpoint_its_name_attribute_names() -> None:
    """An InferenceComponent whose EndpointName is !GetAtt Endpoint.EndpointName runs on that
    endpoint's variant (whose config the endpoint names by !GetAtt Config.EndpointConfigName)."""
    import json
    import os

    from tests.helpers import run_cli

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    status, out, err = run_cli(["cost", "--format", "json", "tests/data/cfn-inference-component.yaml"], cwd=repo)
    assert status == 0, err
    rows = {r["kind"]: r for r in json.loads(out)["resources"]}
    component = rows["inference-component"]
    assert component["instance_types"] == ["ml.g5.12xlarge"]
    assert "copies run on endpoint-variant llm-config/AllTraffic, costed there" in component["notes"]


def test_inference_component_of_an_endpoint_known_only_by_arn_stays_unjoined(tmp_path) -> None:
    import json
    import os

    from tests.helpers import run_cli

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(repo, "tests", "data", "cfn-inference-component.yaml"), encoding="utf-8") as fh:
        text = fh.read().replace("EndpointName: !GetAtt Endpoint.EndpointName", "EndpointName: !Ref Endpoint")
    (tmp_path / "stack.yaml").write_text(text)
    status, out, err = run_cli(["cost", "--format", "json", "stack.yaml"], cwd=str(tmp_path))
    rows = {r["kind"]: r for r in json.loads(out)["resources"]}
    assert rows["inference-component"]["instance_types"] == []
