"""``--diff``: the changes ``--fix`` would make, as a unified diff per file.

A line without a final newline is marked the way ``diff`` marks it
(``\\ No newline at end of file``), so the diff applies with ``patch``.
"""

from __future__ import annotations

import difflib


def unified_diff(name: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=name, tofile=name)
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)
