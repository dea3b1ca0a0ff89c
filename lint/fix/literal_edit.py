"""Edits to files read by :mod:`gpulint.load.mapped` (Terraform, Python): a literal replaced
in place.

A built document knows the span of each literal it took from the file; ``set`` replaces that
span's text with the new value written in the file's language (the language module's
``render``), and nothing else in the file changes. A value that did not come from a literal
(a reference, a variable, an expression) has no exact span, and a missing key would need code
written into the file: both are refused, never approximated.
"""

from __future__ import annotations

from gpulint.diagnostics import Edit, Path
from gpulint.fix.edits import FixError
from gpulint.load import load
from gpulint.load.mapped import language


def apply_edit(text: str, doc_index: int, edit: Edit, *, kind: str, name: str) -> tuple[str, Path]:
    if kind == "terraform-plan":
        raise FixError("a Terraform plan is generated; change the .tf file it was planned from")
    if edit.op != "set":
        raise FixError(f"--fix does not add code to a {kind} file; set it by hand")
    source = load(name, text.encode("utf-8"), kind)
    if source.error is not None:
        raise FixError("the file does not load")
    path = tuple(edit.path)
    span = source.locate(doc_index, path)
    if not span.exact or span.start < 0 or span.end < span.start:
        raise FixError(f"'{'.'.join(str(s) for s in path)}' is not a literal in this file; change it by hand")
    new = language(kind).render(edit.value)
    return text[: span.start] + new + text[span.end :], path
