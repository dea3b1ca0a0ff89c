"""``path:line:col: severity rule-name message``, then a summary line."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TextIO

from gpulint.diagnostics import Severity

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Result

_COLOURS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


# control characters from the linted files (a quoted value in a message) must not
# reach the terminal as escape sequences, nor break the one-line-per-finding format
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def summary(result: "Result") -> str:
    diags = result.diagnostics
    if not diags:
        return f"No problems found in {_plural(result.files_checked, 'file')}."
    errors = result.count(Severity.ERROR)
    warnings = result.count(Severity.WARNING)
    infos = result.count(Severity.INFO)
    parts = [_plural(errors, "error"), _plural(warnings, "warning"), f"{infos} info"]
    files = len({d.file for d in diags})
    line = f"Found {_plural(len(diags), 'problem')} ({', '.join(parts)}) in {_plural(files, 'file')}"
    line += f" ({result.files_checked} checked)."
    fixable = sum(1 for d in diags if d.fix is not None and d.fix.applicability.value == "safe")
    unsafe = sum(1 for d in diags if d.fix is not None and d.fix.applicability.value == "unsafe")
    if fixable:
        line += f" {fixable} fixable with --fix."
    if unsafe:  # --unsafe-fixes works with --fix (or --diff), never alone
        line += f" {unsafe} more fixable with --unsafe-fixes." if fixable else \
            f" {unsafe} fixable with --fix --unsafe-fixes."
    return line


def report(result: "Result", out: TextIO, options: dict) -> None:
    colour = bool(options.get("colour"))
    quiet = bool(options.get("quiet"))
    for d in result.diagnostics:
        sev = d.severity.label
        loc = f"{_printable(d.file)}:{d.line}:{d.column}:"
        if colour:
            sev = f"{_COLOURS[d.severity]}{sev}{_RESET}"
            loc = f"{_BOLD}{loc}{_RESET}"
            name = f"{_DIM}{d.rule}{_RESET}"
        else:
            name = d.rule
        out.write(f"{loc} {sev} {name} {_printable(d.message)}\n")
    if not quiet:
        extra = options.get("summary_suffix", "")
        out.write(summary(result) + extra + "\n")
