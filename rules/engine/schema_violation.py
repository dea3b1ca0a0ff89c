"""The rule schema-violation (GL002): a recognised object has a field of the wrong shape, or a
duplicate key."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


@register
class SchemaViolation(EngineRule):
    """## What it does
    Reports a recognised object whose fields have the wrong shape: a list where a
    mapping belongs (``containers: "not-a-list"``), a string where an integer
    belongs, a duplicate key in a YAML mapping. The diagnostic points at the
    offending node, once per value (the clearest of the constraints it breaks).
    Unknown extra fields are not violations, and unrendered template
    placeholders (``${VAR}``, ``{{ .Values.x }}``) are accepted as unknown
    values.

    CloudFormation intrinsic functions are unknown values too, in either form:
    the short YAML tags (``!Ref``, ``!Sub``, ``!Split``, ``!Join``, ``!If``,
    ``!Select``, ``!GetAtt``, ``!FindInMap``, ``!ImportValue``, ``!Base64``,
    ``!Cidr``, ``!GetAZs``) and the one-key mappings of JSON
    (``{"Ref": ...}``, ``{"Fn::Split": ...}``). No type, enum, pattern, length
    or item-count check runs on such a value or on anything inside it, so
    ``Subnets: !Split [",", !Ref SubnetIds]`` is not read as a list whose first
    subnet is ``","``; a list with an intrinsic among its items has an unknown
    length (its literal items are still checked).

    A document with more than five schema problems shows the first five (in
    file order) and one more diagnostic, where the first of the others is,
    that counts them (``... and 3 more schema problems in this document``).
    A request document that is a skeleton, its values filled in at run time,
    is not checked at all (see ``skeleton-document``).

    ## Why is this bad?
    The API server (or the AWS API) rejects the object, or, for duplicate keys,
    silently keeps the last value: Kubernetes decodes YAML with the last key
    winning, so the first value, the one a reviewer reads, is a trap.

    ## Example
    ```yaml
    spec:
      containers: "server"
    ```

    ## Use instead
    ```yaml
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://kubernetes.io/docs/reference/kubernetes-api/
    - https://yaml.org/spec/1.2.2/#mapping (keys of a mapping are unique)
    """

    code = "GL002"
    name = "schema-violation"
    severity = Severity.ERROR
    summary = "A recognised object has a field of the wrong shape, or a duplicate key"
    domain = "engine"
