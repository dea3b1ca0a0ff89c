"""What the YAML and JSON editors share: the errors that stop a fix, the value
a missing path becomes, the line break a file uses, and a planned text change
(:class:`Splice`).

An editor that cannot make an edit exactly raises :class:`FixError`, and the
fix is skipped rather than approximated; :class:`FixUnavailable` means a
library ``--fix`` needs (ruamel.yaml) is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gpulint.diagnostics import Path


class FixError(Exception):
    """This edit cannot be applied exactly."""


class FixUnavailable(Exception):
    """A library that --fix needs is not installed."""


def nest(steps: Path, value: Any) -> Any:
    """The value to insert for the missing ``steps`` (all but the first)."""
    for step in reversed(steps[1:]):
        if step == "-":
            value = [value]
        elif isinstance(step, int):
            raise FixError(f"cannot create list item {step} of a missing list")
        else:
            value = {step: value}
    return value


def newline_of(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.new + text[self.end :]
