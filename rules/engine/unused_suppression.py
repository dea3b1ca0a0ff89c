"""The rule unused-suppression (GL004): a gpulint suppression comment or gpulint.io/ignore
annotation suppressed nothing."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


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
    domain = "engine"
