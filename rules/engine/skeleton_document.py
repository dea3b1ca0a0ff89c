"""The rule skeleton-document (GL006): a SageMaker or Application Auto Scaling request document
is a skeleton whose values are filled in at run time; its fields are not checked."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


@register
class SkeletonDocument(EngineRule):
    """## What it does
    Notes, once per document, a request document (the input of a SageMaker or
    Application Auto Scaling call: ``CreateTrainingJob``, ``CreateEndpointConfig``,
    ``PutScalingPolicy``, ...) that is a skeleton: a document with at least three
    values, more than half of which are empty strings (``""``). Every value of a
    mapping or item of a list counts, at any depth, except mappings, lists and
    nulls. Such a document is not checked any further: no ``schema-violation`` or
    other finding is reported in it, and it takes no part in the rules that join
    documents (scaling, cost).

    A saved ``describe_*`` response, an ACK resource or a CloudFormation template
    is never a skeleton, and a real document with one or two empty values is
    checked as usual (an empty name is still reported).

    ## Why is this bad?
    It is not: pipelines keep a request's shape in a file and fill its values in
    from code before the call. Checking the empty values would report one error
    per field, none of which will reach the API. The note says that gpulint saw
    the file and why it checked nothing in it.

    ## Example
    ```json
    {
      "TrainingJobName": "",
      "RoleArn": "",
      "AlgorithmSpecification": {"TrainingImage": "", "TrainingInputMode": "File"},
      "ResourceConfig": {"InstanceType": "", "InstanceCount": 1, "VolumeSizeInGB": 30},
      "StoppingCondition": {"MaxRuntimeInSeconds": 86400}
    }
    ```

    ## Use instead
    Nothing to change. To check the request that is sent, lint a filled-in
    example of it; to silence the note, ignore the rule
    (``--ignore skeleton-document``).

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-skeleton.html (``--generate-cli-skeleton``)
    """

    code = "GL006"
    name = "skeleton-document"
    severity = Severity.INFO
    summary = "A request document is a skeleton filled in at run time (mostly empty strings); it is not checked"
    domain = "engine"
