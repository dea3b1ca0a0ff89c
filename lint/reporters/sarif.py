"""SARIF 2.1.0, with rule metadata and locations relative to the repository root."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Optional, TextIO

from gpulint import __version__
from gpulint.diagnostics import Severity
from gpulint.engine.rule import all_rules

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Result

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
INFORMATION_URI = "https://github.com/gpulint/gpulint"


def repo_root(start: Optional[str] = None) -> Path:
    here = Path(start or os.getcwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def _uri(file: str, root: Path) -> str:
    if file.startswith("<"):
        return file.strip("<>")
    path = Path(file).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_uri()


def _artifact(file: str, root: Path) -> dict:
    """A location relative to %SRCROOT% when the file is inside the repository."""
    uri = _uri(file, root)
    if uri.startswith("file:"):
        return {"uri": uri}
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def _rule_descriptor(rule: type) -> dict:
    doc = rule.documentation()  # type: ignore[attr-defined]
    return {
        "id": rule.code,  # type: ignore[attr-defined]
        "name": rule.name,  # type: ignore[attr-defined]
        "shortDescription": {"text": rule.summary},  # type: ignore[attr-defined]
        "fullDescription": {"text": rule.summary},  # type: ignore[attr-defined]
        "help": {"text": doc, "markdown": doc},
        "helpUri": f"{INFORMATION_URI}#{rule.name}",  # type: ignore[attr-defined]
        "defaultConfiguration": {"level": _LEVEL[rule.severity]},  # type: ignore[attr-defined]
        "properties": {"tags": [rule.code.rstrip("0123456789")], "fix": rule.fix.value},  # type: ignore[attr-defined]
    }


def build(result: "Result", root: Optional[Path] = None) -> dict:
    root = root or repo_root()
    rules = all_rules()
    index = {r.name: i for i, r in enumerate(rules)}
    results = []
    for d in result.diagnostics:
        region = {"startLine": d.line, "startColumn": d.column}
        if d.end_line is not None and d.end_column is not None:
            if (d.end_line, d.end_column) >= (d.line, d.column):
                region["endLine"] = d.end_line
                region["endColumn"] = d.end_column
        fingerprint = hashlib.sha256(
            f"{d.rule}|{_uri(d.file, root)}|{'/'.join(map(str, d.path))}|{d.message}".encode(
                "utf-8", "surrogateescape")
        ).hexdigest()[:32]
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index.get(d.rule, 0),
                "level": _LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": _artifact(d.file, root),
                            "region": region,
                        }
                    }
                ],
                "partialFingerprints": {"gpulint/v1": fingerprint},
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gpulint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root.as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def report(result: "Result", out: TextIO, options: dict) -> None:
    json.dump(build(result), out, indent=2)
    out.write("\n")
