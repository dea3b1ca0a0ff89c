"""``--fix``, ``--diff`` and ``--unsafe-fixes``: apply the fixes rules attach to findings.

A rule attaches a :class:`~gpulint.diagnostics.Fix` (edits by path, and whether
the fix is safe) to a finding; this module turns the edits into text changes
(:mod:`gpulint.fix.yaml_edit`, :mod:`gpulint.fix.json_edit`), checks the result, and
writes the files.

- Only files that loaded without error are edited, and only for diagnostics
  that survived suppressions and ``--select``/``--ignore``.
- A YAML stream is fixed one document at a time (each cut out at its start and
  end, fixed, and spliced back); within a document every fix is planned against
  one composition and spliced in from the end backwards, and fixes that share a
  spot are applied after that on the new text.
- The result is parsed again and compared with the original: it must still
  load, and its data may differ only at the paths the fixes touched. When that
  fails the fixes are redone one at a time, each verified, and a fix that fails
  is dropped and reported while the file keeps the others.
- The files are linted again with the fixed text until nothing more applies
  (a fix may make another one possible), at most a few rounds. With
  ``--unsafe-fixes`` the safe fixes go first, and the unsafe ones are applied
  to what the relint of that result still finds.
- A changed file is written atomically: a temporary file in the same folder,
  flushed and fsynced, given the original's mode, then renamed over it. A file
  without write permission, or a failing write, is reported and left as it was.
- Line endings, a missing final newline and a byte-order mark are kept.
"""

from __future__ import annotations

import difflib
import errno
import math
import os
import stat
import tempfile
from typing import Any, Iterable, Optional

from gpulint.load import LoadError, decode, document_spans, load
from gpulint.config import Config
from gpulint.diagnostics import Applicability, Diagnostic, Path
from gpulint.engine.run import Input, Linter, Result, collect_inputs
from gpulint.fix.yaml_edit import FixError, FixUnavailable, require_ruamel
from dataclasses import dataclass, field, replace

__all__ = ["FixError", "FixUnavailable", "FileFix", "FixOutcome", "fix_text", "run_fixes", "unified_diff",
           "write_atomic"]

#: rounds of lint-and-fix (a fix may enable another; this bounds the loop)
MAX_ROUNDS = 4
_BOM = b"\xef\xbb\xbf"


@dataclass
class TextFix:
    """What fixing one text did."""

    text: str
    applied: list[Diagnostic] = field(default_factory=list)
    failed: list[tuple[Diagnostic, str]] = field(default_factory=list)
    #: concrete paths the applied fixes changed, per document
    changed: list[tuple[int, Path]] = field(default_factory=list)


@dataclass
class FileFix:
    name: str
    original: str
    fixed: str
    applied: list[Diagnostic] = field(default_factory=list)
    failed: list[tuple[Diagnostic, str]] = field(default_factory=list)
    stdin: bool = False
    bom: bool = False
    written: bool = False
    error: Optional[str] = None

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


@dataclass
class FixOutcome:
    result: Result
    files: list[FileFix] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[FileFix]:
        return [f for f in self.files if f.changed]

    @property
    def write_errors(self) -> list[FileFix]:
        return [f for f in self.files if f.error is not None]

    @property
    def fixed_count(self) -> int:
        return sum(len(f.applied) for f in self.files if f.changed and (f.written or f.stdin))

    @property
    def stdin_text(self) -> Optional[str]:
        for f in self.files:
            if f.stdin:
                return f.fixed
        return None


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    if d.fix is None or not d.fix.edits:
        return False
    if d.fix.applicability == Applicability.SAFE:
        return True
    return unsafe and d.fix.applicability == Applicability.UNSAFE


# --------------------------------------------------------------------------- one text


def _engine(kind: str) -> Any:
    if kind == "json":
        from gpulint.fix import json_edit as fix_json

        return fix_json
    from gpulint.fix import yaml_edit as fix_yaml

    return fix_yaml


def _documents(name: str, text: str, kind: str) -> Optional[dict[int, Any]]:
    src = load(name, text.encode("utf-8"), kind)
    if src.error is not None:
        return None
    return {doc.index: doc.data for doc in src.documents}


def fix_text(name: str, text: str, kind: str, diagnostics: Iterable[Diagnostic], unsafe: bool = False) -> TextFix:
    """Apply the fixes of ``diagnostics`` (all for this text) that are allowed.

    A YAML stream is fixed one document at a time: each document's text is cut
    out, fixed and verified on its own, and spliced back, so a fix costs the
    size of its document, not of the file; the whole result is verified once
    more at the end.
    """
    todo = sorted((d for d in diagnostics if applicable(d, unsafe)),
                  key=lambda d: (d.doc_index, d.line, d.column, d.rule))
    if not todo:
        return TextFix(text)
    if kind != "json":
        require_ruamel()
    before = _documents(name, text, kind)
    if before is None:
        return TextFix(text)  # does not load: never edited
    spans = document_spans(text) if kind != "json" else None
    if spans is None or len(spans) != len(before):
        return _fix_whole(name, text, kind, todo, before)
    from gpulint.fix.yaml_edit import compose, prefers_double

    double = prefers_double(compose(text))
    out = TextFix(text)
    pieces: dict[int, str] = {}
    by_doc: dict[int, list[Diagnostic]] = {}
    for d in todo:
        by_doc.setdefault(d.doc_index, []).append(d)
    for index, diags in by_doc.items():
        if not 0 <= index < len(spans):
            out.failed.extend((d, "the document is gone") for d in diags)
            continue
        start, end = spans[index]
        chunk = text[start:end]
        local = [replace(d, doc_index=0) for d in diags]
        original = {id(c): d for c, d in zip(local, diags)}
        chunk_before = _documents(name, chunk, kind)
        if chunk_before is None or list(chunk_before) != [0]:
            return _fix_whole(name, text, kind, todo, before)
        done = _fix_whole(name, chunk, kind, local, chunk_before, double)
        pieces[index] = done.text
        out.applied.extend(original[id(c)] for c in done.applied)
        out.failed.extend((original[id(c)], why) for c, why in done.failed)
        out.changed.extend((index, p) for _, p in done.changed)
    new = text
    for index in sorted(pieces, reverse=True):
        start, end = spans[index]
        new = new[:start] + pieces[index] + new[end:]
    if new != text:
        after = _documents(name, new, kind)
        try:
            if after is None:
                raise FixError("the edited text would not load")
            _verify_all(before, after, out.changed)
        except FixError:  # cutting the stream into documents misled us: fix it whole
            return _fix_whole(name, text, kind, todo, before)
    out.text = new
    return out


def _fix_whole(name: str, text: str, kind: str, todo: list[Diagnostic], before: dict[int, Any],
               double: Optional[bool] = None) -> TextFix:
    """Apply the fixes to ``text`` in order; verify them together, else one by one."""
    out = TextFix(text)
    engine = _engine(kind)
    extra = {} if kind == "json" or double is None else {"double": double}
    # first, every fix at once with one verification at the end (the usual case)
    current = text
    staged: list[tuple[Diagnostic, list[Path]]] = []
    clean = True
    if hasattr(engine, "apply_batch"):
        try:
            current, results = engine.apply_batch(text, [(d.doc_index, d.fix.edits) for d in todo], **extra)
        except (IndexError, ValueError, KeyError, TypeError) as exc:  # defensive: never a traceback
            current, results = text, [FixError(f"internal error: {type(exc).__name__}: {exc}")] * len(todo)
        for d, res in zip(todo, results):
            if isinstance(res, FixError):
                out.failed.append((d, str(res)))
            elif res:
                staged.append((d, res))
    else:
        for d in todo:
            try:
                new, changed = _apply(engine, current, d, extra)
            except FixError as exc:
                out.failed.append((d, str(exc)))
                continue
            except (IndexError, ValueError, KeyError, TypeError) as exc:  # defensive: never a traceback
                out.failed.append((d, f"internal error: {type(exc).__name__}: {exc}"))
                continue
            if new != current:
                staged.append((d, changed))
                current = new
    if not staged or current == text:
        return out
    after = _documents(name, current, kind)
    try:
        if after is None:
            raise FixError("the edited text would not load")
        _verify_all(before, after, [(d.doc_index, p) for d, paths in staged for p in paths])
    except FixError:
        clean = False
    if clean:
        out.text = current
        out.applied = [d for d, _ in staged]
        out.changed = [(d.doc_index, p) for d, paths in staged for p in paths]
        return out
    # some fix went wrong: apply them one by one, verifying each
    out = TextFix(text, failed=[f for f in out.failed])
    current = text
    for d, _ in staged:
        try:
            new, changed = _apply(engine, current, d, extra)
            after = _documents(name, new, kind)
            if after is None:
                raise FixError("the edited text would not load")
            _verify_all(before, after, [(d.doc_index, p) for p in changed])
        except FixError as exc:
            out.failed.append((d, str(exc)))
            continue
        except (IndexError, ValueError, KeyError, TypeError) as exc:
            out.failed.append((d, f"internal error: {type(exc).__name__}: {exc}"))
            continue
        current, before = new, after
        out.applied.append(d)
        out.changed.extend((d.doc_index, p) for p in changed)
    out.text = current
    return out


def _apply(engine: Any, text: str, d: Diagnostic, extra: dict[str, Any]) -> tuple[str, list[Path]]:
    changed: list[Path] = []
    for edit in d.fix.edits:  # type: ignore[union-attr]
        text, path = engine.apply_edit(text, d.doc_index, edit, **extra)
        changed.append(path)
    return text, changed


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


# --------------------------------------------------------------------------- files


def _read(name: str) -> bytes:
    with open(name, "rb") as fh:
        return fh.read()


def _write_file(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_atomic(name: str, data: bytes) -> None:
    """Replace the file ``name`` with ``data`` atomically, keeping its mode.

    Raises OSError (and leaves the file as it was) when the file is read-only or
    the write fails.
    """
    target = os.path.realpath(name)
    st = os.stat(target)
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise OSError(errno.EACCES, "the file is read-only")
    folder = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".gpulint-tmp", dir=folder)
    try:
        try:
            _write_file(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        if hasattr(os, "chown") and (st.st_uid != os.stat(tmp).st_uid or st.st_gid != os.stat(tmp).st_gid):
            try:
                os.chown(tmp, st.st_uid, st.st_gid)
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename durable
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def unified_diff(name: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=name, tofile=name)
    out = []
    for line in lines:
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


# --------------------------------------------------------------------------- the run


def run_fixes(paths: list[str], config: Optional[Config] = None, select: Iterable[str] = (),
              ignore: Iterable[str] = (), stdin_filename: Optional[str] = None,
              stdin_data: Optional[bytes] = None, unsafe: bool = False, write: bool = True) -> FixOutcome:
    """Lint, fix, lint again; write the changed files when ``write``.

    Raises :class:`FixUnavailable` when a YAML file has a fix to apply and
    ruamel.yaml is not installed.
    """
    config = config or Config()
    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data)
    linter = Linter(config, list(select), list(ignore))
    result = linter.run(inputs)
    stdin_names = {i.name for i in inputs if i.data is not None}
    files: dict[str, FileFix] = {}
    raw: dict[str, bytes] = {}
    real_paths: dict[str, str] = {}
    tried_and_failed: set[tuple[str, str, int, tuple]] = set()

    # with --unsafe-fixes, the safe fixes go first and the unsafe ones are judged on their result
    # (raising ScaleInCooldown may leave no ScaleOutCooldown to lower)
    safe_phase = unsafe
    for _ in range(MAX_ROUNDS + int(unsafe)):
        by_file: dict[str, list[Diagnostic]] = {}
        for d in result.diagnostics:
            if applicable(d, unsafe and not safe_phase):
                by_file.setdefault(d.file, []).append(d)
        sources = {s.name: s for s in result.sources}
        progressed = False
        for name, diags in by_file.items():
            source = sources.get(name)
            if source is None or source.error is not None:
                continue  # a file that failed to load is never written
            entry = files.get(name)
            if entry is None:
                original = source.text
                bom = False
                if name not in stdin_names:
                    real = os.path.realpath(name)
                    if real in real_paths and real_paths[real] != name:
                        continue  # the same file named twice (`a.yaml ./a.yaml`): fixed once
                    real_paths[real] = name
                    try:
                        data = _read(name)
                    except OSError as exc:
                        notes.append(f"{name}: cannot read it again to fix it: {exc.strerror or exc}")
                        continue
                    bom = data.startswith(_BOM)
                    try:
                        same = decode(data) == original
                    except LoadError:
                        same = False
                    if not same:
                        notes.append(f"{name}: changed while gpulint ran; not fixed")
                        continue
                    raw[name] = data
                entry = FileFix(name, original, original, stdin=name in stdin_names, bom=bom)
                files[name] = entry
            # a fix that failed once fails again: do not retry it in later rounds
            diags = [d for d in diags if (d.file, d.rule, d.doc_index, tuple(d.path)) not in tried_and_failed]
            done = fix_text(name, entry.fixed, source.kind, diags, unsafe)
            entry.failed.extend(done.failed)
            tried_and_failed.update((d.file, d.rule, d.doc_index, tuple(d.path)) for d, _ in done.failed)
            if done.text != entry.fixed:
                entry.fixed = done.text
                entry.applied.extend(done.applied)
                progressed = True
        if not progressed:
            if safe_phase:
                safe_phase = False
                continue
            break
        result = linter.run(_with_text(inputs, files))

    for item in inputs:  # standard input is echoed even when nothing in it was fixed
        if item.data is not None and item.name not in files:
            source = next((s for s in result.sources if s.name == item.name), None)
            text = source.text if source is not None and source.text else item.data.decode("utf-8", "replace")
            files[item.name] = FileFix(item.name, text, text, stdin=True)
    for entry in files.values():
        for d, why in entry.failed:
            notes.append(f"{d.file}:{d.line}:{d.column}: fix for {d.rule} not applied: {why}")

    if write:
        failed_writes = False
        for entry in files.values():
            if not entry.changed or entry.stdin:
                continue
            data = (_BOM if entry.bom else b"") + entry.fixed.encode("utf-8")
            try:
                if _read(entry.name) != raw[entry.name]:
                    raise OSError(errno.EAGAIN, "the file changed while gpulint ran")
                write_atomic(entry.name, data)
                entry.written = True
            except OSError as exc:
                entry.error = exc.strerror or str(exc)
                notes.append(f"{entry.name}: cannot write the fixes ({entry.error}); the file is unchanged")
                failed_writes = True
        if failed_writes:
            result = linter.run(_with_text(inputs, {n: f for n, f in files.items() if f.written or f.stdin}))
    if tried_and_failed:  # a fix that was tried and refused is not offered again ("1 fixable with --fix")
        result.diagnostics = [
            replace(d, fix=None) if (d.file, d.rule, d.doc_index, tuple(d.path)) in tried_and_failed else d
            for d in result.diagnostics
        ]
    if not unsafe and not write:  # with --fix, the report's summary says it
        hidden = sum(1 for d in result.diagnostics if d.fix is not None and d.fix.applicability == Applicability.UNSAFE)
        if hidden:
            notes.append(f"{hidden} more problem(s) can be fixed with --unsafe-fixes (review those changes)")
    result.notes = notes + result.notes
    return FixOutcome(result, list(files.values()), notes)


def _with_text(inputs: list[Input], files: dict[str, FileFix]) -> list[Input]:
    by_real = {os.path.realpath(name): f for name, f in files.items() if not f.stdin}
    out = []
    for item in inputs:
        entry = files.get(item.name)
        if entry is None and item.data is None:
            entry = by_real.get(os.path.realpath(item.name))  # the same file under another name
        if entry is not None and entry.changed:
            out.append(Input(item.name, entry.fixed.encode("utf-8"), item.report))
        else:
            out.append(item)
    return out
