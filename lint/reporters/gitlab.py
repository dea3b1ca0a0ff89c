"""GitLab Code Quality: a JSON array of CodeClimate-style issues for merge request widgets."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import TYPE_CHECKING, TextIO

from gpulint.diagnostics import Severity
from gpulint.reporters import relative_to_root
from gpulint.reporters.sarif import repo_root

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Result

# GitLab's levels: info, minor, major, critical, blocker
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


# Paths relative to the project root, which is where GitLab looks them up.
_path = relative_to_root


def report(result: "Result", out: TextIO, options: dict) -> None:
    root = repo_root()
    seen: Counter = Counter()
    issues = []
    for d in result.diagnostics:
        path = _path(d.file, root)
        # stable across line shifts; the occurrence count keeps identical findings distinct
        key = f"{d.rule}|{path}|{d.doc_index}|{'/'.join(map(str, d.path))}|{d.message}"
        seen[key] += 1
        fingerprint = hashlib.sha256(f"{key}|{seen[key]}".encode("utf-8", "surrogateescape")).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": d.rule,
                "description": f"{d.rule} ({d.code}): {d.message}",
                "categories": ["Bug Risk"],
                "severity": _SEVERITY[d.severity],
                "fingerprint": fingerprint,
                "location": {"path": path, "lines": {"begin": d.line, "end": d.end_line or d.line}},
            }
        )
    json.dump(issues, out, indent=2)
    out.write("\n")
