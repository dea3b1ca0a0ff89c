"""The SageMaker documents of the shared corpus (public files nobody here wrote):
no internal errors, and exactly the findings that can be defended to their authors."""

from __future__ import annotations

import os

import pytest

from gpulint.config import Config
from gpulint.engine.run import lint_paths
from gpulint.model.sagemaker import AwsObject

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(REPO, "..", "shared", "corpus")
SAGEMAKER_DIRS = ("aws-controllers-k8s__sagemaker-controller", "aws-samples__sagemaker-custom-project-templates")


@pytest.fixture(scope="module")
def result():
    roots = [os.path.join(CORPUS, d) for d in SAGEMAKER_DIRS]
    if not all(os.path.isdir(r) for r in roots):
        pytest.skip("the shared corpus is not next to this checkout")
    return lint_paths(roots, Config())


def test_no_internal_errors(result) -> None:
    errors = [(d.file, d.message) for d in result.diagnostics if d.rule == "internal-error"]
    assert errors == []


def test_sagemaker_documents_are_recognised(result) -> None:
    kinds = sorted({(type(o).__name__, o.form) for o in result.project.objects if isinstance(o, AwsObject)})
    assert ("EndpointConfig", "ack") in kinds and ("EndpointConfig", "response") in kinds
    assert ("TrainingJob", "ack") in kinds and ("TrainingJob", "response") in kinds
    assert ("SageMakerModel", "ack") in kinds and ("InferenceComponent", "ack") in kinds
    assert ("TransformJob", "ack") in kinds and ("Endpoint", "response") in kinds
    # CloudFormation templates (short-form tags, !If on whole members) are read too
    assert ("EndpointConfig", "cloudformation") in kinds and ("SageMakerModel", "cloudformation") in kinds


def test_every_finding_is_defensible(result) -> None:
    found = sorted(
        (os.path.relpath(d.file, CORPUS), d.line, d.rule, d.message)
        for d in result.diagnostics
        if d.rule != "parse-error"
    )
    # A saved DescribeEndpoint response names 'm5.xlarge' in its PendingDeploymentSummary: that
    # section is the service's report of a deployment in progress, not configuration its author
    # wrote, so response-only members are not validated.
    assert found == []
