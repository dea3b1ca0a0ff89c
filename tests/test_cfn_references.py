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
