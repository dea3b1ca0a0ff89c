"""The rule parse-error (GL001): the file is not valid YAML or JSON (or is binary, not UTF-8, too
deep, an alias bomb)."""

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

    Where the error's position shows one of the common YAML traps, the message
    ends with a hint: an unquoted value that starts with ``{`` (a flow mapping,
    a ``{{ }}`` template), ``*`` (an alias), ``@`` or a backtick (reserved),
    or a tab in the indentation.

    ## Why is this bad?
    Every tool downstream (kubectl, eksctl, the AWS CLI) refuses the file too, and
    gpulint cannot check anything in it. An empty file is not an error.

    ## Example
    ```yaml
    resources:
      limits: {nvidia.com/gpu: 1
    ```

    ```text
    deploy/llm.yaml:3:1: error parse-error invalid YAML: did not find expected ',' or '}' while parsing a flow mapping (hint: a value that starts with '{' is a flow mapping, and so is a '{{ }}' template: put the value in quotes if it is text, or lint the rendered output)
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
    domain = "engine"
