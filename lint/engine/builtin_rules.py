"""Rules that the engine reports itself, about files rather than configuration."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


@register
class ParseError(EngineRule):
    """## What it does
    Reports a file that cannot be read as YAML or JSON: a syntax error, a binary
    or non-UTF-8 file, nesting deeper than 200 levels, YAML aliases that would
    expand past a sane limit ("billion laughs"), or, for ``.json`` files, anything
    strict JSON refuses (trailing commas, comments, ``NaN``).

    ## Why is this bad?
    Every tool downstream (kubectl, eksctl, the AWS CLI) refuses the file too, and
    gpulint cannot check anything in it. An empty file is not an error.

    ## Example
    ```yaml
    resources:
      limits: {nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    resources:
      limits: {nvidia.com/gpu: 1}
    ```

    ## Fix safety
    No automatic fix. ``--fix`` never writes a file that failed to parse.

    ## References
    - https://yaml.org/spec/1.2.2/
    - https://www.rfc-editor.org/rfc/rfc8259 (JSON)
    - https://en.wikipedia.org/wiki/Billion_laughs_attack
    """

    code = "GL001"
    name = "parse-error"
    severity = Severity.ERROR
    summary = "The file is not valid YAML or JSON (or is binary, not UTF-8, too deep, an alias bomb)"


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


@register
class InternalError(EngineRule):
    """## What it does
    Reports that gpulint itself failed while checking a file. The rest of the
    run goes on; the message carries the exception so it can be reported.

    ## Why is this bad?
    It is a bug in gpulint, not in your configuration. Please report it with the
    file that triggers it.

    ## Example
    ```text
    deploy/llm.yaml:1:1: error internal-error gpulint failed on this file: KeyError: ...
    ```

    ## Use instead
    Nothing to change in the file. Run with ``GPULINT_DEBUG=1`` to print the
    traceback, report it with the file, and suppress the diagnostic for the file
    meanwhile (``# gpulint: disable-file=internal-error``).

    ## Fix safety
    No automatic fix.

    ## References
    - https://github.com/gpulint/gpulint/issues
    """

    code = "GL003"
    name = "internal-error"
    severity = Severity.ERROR
    summary = "gpulint failed while checking this file (a bug in gpulint)"


@register
class UnusedSuppression(EngineRule):
    """## What it does
    Reports a ``# gpulint: disable=...`` (or ``disable-file``) comment, or a
    ``gpulint.io/ignore`` annotation, that suppressed nothing in this run, and a
    suppression that names no gpulint rule at all (a typo). A suppression of a
    rule that is not selected in this run (``--select``, ``--ignore``, ``select``
    and ``ignore`` in the config) is not reported: that rule did not get a chance
    to fire. Files that failed to parse are not checked either.

    ## Why is this bad?
    Suppressions outlive the problems they were written for. A stale one hides
    the next real problem on that line or object, and a misspelled one never
    worked. Removing them keeps the remaining suppressions meaningful.

    Suppressions of cross-file rules (an HPA joined to its Deployment, a workload
    joined to its node pools, a kustomize patch merged by its kustomization) are
    not reported either, nor is a blanket suppression on an object that such a
    rule checks: whether they match depends on which files a run sees, and a
    pre-commit hook passes only the changed ones.

    ## Example
    ```yaml
    resources:
      requests: {nvidia.com/gpu: 1}
      limits: {nvidia.com/gpu: 1}  # gpulint: disable=gpu-request-limit-mismatch
    ```

    ## Use instead
    ```yaml
    resources:
      requests: {nvidia.com/gpu: 1}
      limits: {nvidia.com/gpu: 1}
    ```

    ## Fix safety
    No automatic fix: removing a suppression is a decision for a reviewer.

    ## References
    - https://docs.astral.sh/ruff/rules/unused-noqa/ (the same check for ``# noqa``)
    """

    code = "GL004"
    name = "unused-suppression"
    severity = Severity.INFO
    summary = "A gpulint suppression comment or gpulint.io/ignore annotation suppressed nothing"
