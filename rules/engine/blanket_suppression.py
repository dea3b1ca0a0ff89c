"""The rule blanket-suppression (GL005): a gpulint suppression comment that names no rule."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


@register
class BlanketSuppression(EngineRule):
    """## What it does
    Reports a ``# gpulint: disable``, ``# gpulint: disable-next-line`` or
    ``# gpulint: disable-file`` comment that names no rule. Such a comment still
    works: it silences every rule on its line (and the next, for a comment on a
    line of its own), on the next line, or in the whole file. A comment that
    names its rules (``disable=gpu-limit-missing``), or says ``disable=all`` on
    purpose, is not reported.

    ## Why is this bad?
    A suppression written for one finding also hides every other problem that
    later appears on the same line or in the same file: a request that stops
    matching its limit, a typo in an instance type. Naming the rules keeps the
    suppression to what the author meant, and tells the next reader what that
    was.

    ## Example
    ```yaml
    resources:
      requests: {nvidia.com/gpu: 1}  # gpulint: disable
    ```

    ## Use instead
    ```yaml
    resources:
      requests: {nvidia.com/gpu: 1}  # gpulint: disable=gpu-limit-missing set by the LimitRange
    ```

    ## Fix safety
    No automatic fix: which rules a suppression is meant for is the author's to say.

    ## References
    - https://docs.astral.sh/ruff/rules/blanket-noqa/ (the same check for ``# noqa``)
    """

    code = "GL005"
    name = "blanket-suppression"
    severity = Severity.INFO
    summary = "A gpulint suppression comment names no rule, so it hides every rule"
    domain = "engine"
