"""GitHub Actions workflow commands: ``::error file=...,line=...::message``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from gpulint.diagnostics import Severity, printable
from gpulint.reporters import relative_to_root
from gpulint.reporters.sarif import repo_root

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Result

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    # the workflow-command escapes, then every other control character (ESC, CSI, NEL, BEL: a
    # file name must not reach the job log's terminal as an escape sequence)
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


# Annotations name files relative to the repository root, wherever gpulint runs.
_path = relative_to_root


def report(result: "Result", out: TextIO, options: dict) -> None:
    root = repo_root()
    for d in result.diagnostics:
        props = [
            f"file={_escape_property(_path(d.file, root))}",
            f"line={d.line}",
            f"col={d.column}",
        ]
        if d.end_line is not None:
            props.append(f"endLine={d.end_line}")
            if d.end_line == d.line and d.end_column is not None:
                props.append(f"endColumn={d.end_column}")
        props.append(f"title={_escape_property(f'{d.rule} ({d.code})')}")
        out.write(f"::{_LEVEL[d.severity]} {','.join(props)}::{_escape_data(d.message)}\n")
