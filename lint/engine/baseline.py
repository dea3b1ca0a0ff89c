"""Baselines: record today's findings, then report only new ones.

``gpulint --write-baseline FILE`` records every finding of the run;
``gpulint --baseline FILE`` hides the findings recorded there. A finding is
identified by a fingerprint that survives line shifts: the rule, the file
(relative to the baseline file's folder, so the baseline works from any
working directory), the document it is in (kind, namespace and name when a
recogniser named it, else its index in the file), the path of the offending
node inside that document, and the message with line numbers taken out.
Identical fingerprints are counted, so a second copy of a known problem is new.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from gpulint import __version__
from gpulint.diagnostics import printable

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.diagnostics import Diagnostic
    from gpulint.engine.run import Result

VERSION = 1
#: findings that describe gpulint rather than the file are never recorded
NOT_RECORDED = frozenset({"internal-error"})

_LINE_REFS = re.compile(r"\b(lines?)\s+\d+(?:\s*(?:-|to|and)\s*\d+)?")
_FILE_POS = re.compile(r"((?:\.ya?ml|\.json)):\d+(?::\d+)?")


class BaselineError(Exception):
    """The baseline file is missing, unreadable or not a gpulint baseline."""


def normalise_message(message: str) -> str:
    """The message without the line numbers it mentions (they move when lines are inserted)."""
    message = _LINE_REFS.sub(lambda m: f"{m.group(1)} N", message)
    return _FILE_POS.sub(r"\1", message)


def _identities(result: "Result") -> dict[tuple[str, int], str]:
    """(file, document index) -> a name for the document that does not depend on its position."""
    out: dict[tuple[str, int], tuple[int, str]] = {}
    for obj in result.project.objects:
        if not obj.name or not isinstance(obj.name, str):
            continue
        namespace = getattr(obj, "namespace", None)
        label = f"{obj.kind}/{namespace}/{obj.name}" if isinstance(namespace, str) else f"{obj.kind}/{obj.name}"
        key = (obj.source.name, obj.doc_index)
        depth = len(obj.base)
        if key not in out or depth < out[key][0]:
            out[key] = (depth, label)
    ids = {k: v[1] for k, v in out.items()}
    # documents no recogniser named (a ConfigMap with a duplicate key): read kind and name from the text
    wanted = {d.file for d in result.diagnostics if (d.file, d.doc_index) not in ids}
    for source in result.sources:
        if source.name not in wanted or not source.text:
            continue
        from gpulint import load as loader

        for doc in loader.load(source.name, source.text.encode("utf-8"), source.kind).documents:
            data = doc.data
            if (source.name, doc.index) in ids or not isinstance(data, dict):
                continue
            kind, meta = data.get("kind"), data.get("metadata")
            name = meta.get("name") if isinstance(meta, dict) else None
            namespace = meta.get("namespace") if isinstance(meta, dict) else None
            if isinstance(kind, str) and isinstance(name, str):
                ids[(source.name, doc.index)] = (
                    f"{kind}/{namespace}/{name}" if isinstance(namespace, str) else f"{kind}/{name}"
                )
    return ids


def _relative_file(file: str, base_dir: str) -> str:
    if file.startswith("<"):
        return file
    try:
        return os.path.relpath(os.path.abspath(file), base_dir).replace(os.sep, "/")
    except ValueError:  # another drive on Windows
        return os.path.abspath(file).replace(os.sep, "/")


def _entry(d: "Diagnostic", identity: str, rel_file: str) -> dict[str, Any]:
    path = ".".join(str(p) for p in d.path)
    message = normalise_message(d.message)
    digest = hashlib.sha256("\x1f".join((d.rule, rel_file, identity, path, message)).encode()).hexdigest()
    return {
        "rule": d.rule,
        "file": rel_file,
        "document": identity,
        "path": path,
        "message": message,
        "fingerprint": digest[:32],
    }


def entries(result: "Result", baseline_path: str) -> list[dict[str, Any]]:
    base_dir = os.path.dirname(os.path.abspath(baseline_path))
    ids = _identities(result)
    out = []
    for d in result.diagnostics:
        if d.rule in NOT_RECORDED:
            continue
        identity = ids.get((d.file, d.doc_index), f"#{d.doc_index}")
        out.append(_entry(d, identity, _relative_file(d.file, base_dir)))
    return out


def write(result: "Result", path: str) -> int:
    """Record the run's findings in ``path``; returns how many."""
    found = sorted(entries(result, path), key=lambda e: (e["file"], e["rule"], e["document"], e["path"]))
    doc = {"gpulint-baseline": VERSION, "generated-by": f"gpulint {__version__}", "findings": found}
    # a symlinked baseline stays a symlink; a device or pipe (/dev/stdout) is written to, never replaced
    target = os.path.realpath(path)
    special = os.path.exists(target) and not os.path.isfile(target) and not os.path.isdir(target)
    tmp = target if special else f"{target}.tmp{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2, sort_keys=False)
            fh.write("\n")
        if not special:
            os.replace(tmp, target)
    except OSError as exc:
        if special:
            raise BaselineError(f"cannot write baseline {printable(path)}: {exc.strerror or exc}") from None
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise BaselineError(f"cannot write baseline {printable(path)}: {exc.strerror or exc}") from None
    return len(found)


def load(path: str) -> Counter:
    """Fingerprint counts recorded in ``path``: a regular file of at most BASELINE_LIMIT bytes,
    parsed as strict JSON by gpulint's own loader."""
    from gpulint.load.bounded import BASELINE_LIMIT, SideFileError
    from gpulint.load.sidefile import read_document, shown

    name = printable(path)
    try:
        doc = read_document(path, "json", BASELINE_LIMIT)
    except SideFileError as exc:
        if exc.missing:
            raise BaselineError(f"baseline {name}: no such file (create it with --write-baseline {name})") from None
        if exc.line is None:
            raise BaselineError(f"baseline {name}: {exc.message}") from None
        raise BaselineError(f"baseline {exc.where(name)}: not a gpulint baseline ({exc.message})") from None
    if not isinstance(doc, dict) or "gpulint-baseline" not in doc:
        raise BaselineError(f"baseline {name}: not a gpulint baseline (no 'gpulint-baseline' version)")
    if doc["gpulint-baseline"] != VERSION:
        raise BaselineError(
            f"baseline {name}: version {shown(doc['gpulint-baseline'])} is not supported (expected {VERSION}); "
            "write it again with --write-baseline"
        )
    findings = doc.get("findings")
    if not isinstance(findings, list) or not all(
        isinstance(f, dict) and isinstance(f.get("fingerprint"), str) for f in findings
    ):
        raise BaselineError(f"baseline {name}: not a gpulint baseline ('findings' must be a list of findings)")
    return Counter(f["fingerprint"] for f in findings)


def apply(result: "Result", known: Counter, path: str) -> int:
    """Drop the findings recorded in the baseline from ``result``; returns how many were dropped."""
    remaining = Counter(known)
    base_dir = os.path.dirname(os.path.abspath(path))
    ids = _identities(result)
    kept = []
    dropped = 0
    for d in result.diagnostics:
        if d.rule not in NOT_RECORDED:
            identity = ids.get((d.file, d.doc_index), f"#{d.doc_index}")
            fp = _entry(d, identity, _relative_file(d.file, base_dir))["fingerprint"]
            if remaining[fp] > 0:
                remaining[fp] -= 1
                dropped += 1
                continue
        kept.append(d)
    result.diagnostics = kept
    return dropped
