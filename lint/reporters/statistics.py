"""``--statistics``: the number of findings per rule instead of the findings."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Result


def report_statistics(result: "Result", out: TextIO, as_json: bool, quiet: bool, suffix: str = "") -> None:
    """--statistics: the number of findings per rule, most first, instead of the findings; in
    text, then the summary line (unless --quiet)."""
    from collections import Counter

    from gpulint.reporters.text import summary

    diags = result.diagnostics
    counts = Counter((d.code, d.rule) for d in diags)
    fixable = Counter((d.code, d.rule) for d in diags if d.fix is not None)
    severity = {(d.code, d.rule): d.severity.label for d in diags}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    if as_json:
        import json

        out.write(json.dumps([{"code": code, "name": rule, "severity": severity[(code, rule)], "count": n,
                               "fixable": fixable[(code, rule)]} for (code, rule), n in rows], indent=2) + "\n")
        return
    for (code, rule), n in rows:
        out.write(f"{n:6d}  {code:<8} {rule}\n")
    if not quiet:
        out.write(summary(result) + suffix + "\n")
