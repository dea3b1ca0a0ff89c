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
    offending node. Unknown extra fields are not violations, and unrendered
    template placeholders (``${VAR}``, ``{{ .Values.x }}``) are accepted as
    unknown values.

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
