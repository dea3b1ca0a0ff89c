"""The rule internal-error (GL003): gpulint failed while checking this file (a bug in gpulint)."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


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
    domain = "engine"
