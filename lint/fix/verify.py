"""Checking a fixed text: it must still load, and differ from the original only
where the fixes meant to change it.

:func:`documents` loads a text into its documents' data; :func:`verified`
loads the edited text and compares it with the original's data, raising
:class:`~gpulint.fix.edits.FixError` when it would not load or when it also
changes a path no fix touched (:func:`differences` lists where two loaded
documents differ).
"""

from __future__ import annotations

import math
from typing import Any, Optional

from gpulint.diagnostics import Path
from gpulint.fix.edits import FixError
from gpulint.load import load


def documents(name: str, text: str, kind: str) -> Optional[dict[int, Any]]:
    """The data of each document of ``text`` by index; None when it does not load."""
    src = load(name, text.encode("utf-8"), kind)
    if src.error is not None:
        return None
    return {doc.index: doc.data for doc in src.documents}


def verified(name: str, text: str, kind: str, before: dict[int, Any],
             changed: list[tuple[int, Path]]) -> dict[int, Any]:
    """The documents of the edited ``text``, which loads and differs from
    ``before`` only under the ``changed`` paths (else FixError)."""
    after = documents(name, text, kind)
    if after is None:
        raise FixError("the edited text would not load")
    _verify_all(before, after, changed)
    return after


def _verify_all(before: dict[int, Any], after: dict[int, Any], changed: list[tuple[int, Path]]) -> None:
    """The edited text differs from the old one only under the ``changed`` paths."""
    if set(before) != set(after):
        raise FixError("the edit would change the documents of the file")
    for index, data in before.items():
        allowed = [p for i, p in changed if i == index]
        for path in differences(data, after[index]):
            if not any(path[: len(p)] == p for p in allowed):
                where = "/".join(str(s) for s in path) or "the document root"
                raise FixError(f"the edit would also change {where}")


def differences(a: Any, b: Any, path: Path = ()) -> list[Path]:
    """Paths where two loaded documents differ (a whole subtree counts once)."""
    if isinstance(a, dict) and isinstance(b, dict):
        out: list[Path] = []
        if list(a) != [k for k in b if k in a]:
            return [path]  # keys reordered
        for k in a.keys() | b.keys():
            if k not in a or k not in b:
                out.append(path + (k,))
            else:
                out.extend(differences(a[k], b[k], path + (k,)))
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = []
        for i in range(max(len(a), len(b))):
            if i >= len(a) or i >= len(b):
                out.append(path + (i,))
            else:
                out.extend(differences(a[i], b[i], path + (i,)))
        return out
    if type(a) is not type(b):
        return [path]
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return []
    return [] if a == b else [path]
