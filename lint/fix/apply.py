"""Applying the fixes of one text's findings, each verified.

:func:`fix_text` applies the fixes that are allowed (safe ones, and unsafe ones
with ``--unsafe-fixes``) to one file's text with the editor for its kind
(:mod:`gpulint.fix.yaml_edit`, :mod:`gpulint.fix.json_edit`). A text that does
not load is never edited.

- A YAML stream is fixed one document at a time (each cut out at its start and
  end, fixed, and spliced back); within a document every fix is planned against
  one composition and spliced in from the end backwards, and fixes that share a
  spot are applied after that on the new text.
- The result is parsed again and compared with the original
  (:mod:`gpulint.fix.verify`): it must still load, and its data may differ only
  at the paths the fixes touched. When that fails the fixes are redone one at a
  time, each verified, and a fix that fails is dropped and reported while the
  text keeps the others.
- A fix whose new value cannot be written (a tagged value such as ``!Ref X``
  taken from the file) is refused up front, with the reason; a value the YAML
  renderer refuses fails that fix alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Optional

from gpulint.diagnostics import Applicability, Diagnostic, Path
from gpulint.fix.edits import FixError
from gpulint.fix.verify import documents, verified
from gpulint.fix.yaml_render import prefers_double, require_ruamel
from gpulint.load import Tagged, compose_documents, document_spans
from gpulint.load.mapped import MAPPED_KINDS

#: what an editor may raise on input it did not expect; reported, never a traceback
_INTERNAL = (IndexError, ValueError, KeyError, TypeError)


@dataclass
class TextFix:
    """What fixing one text did."""

    text: str
    applied: list[Diagnostic] = field(default_factory=list)
    failed: list[tuple[Diagnostic, str]] = field(default_factory=list)
    #: concrete paths the applied fixes changed, per document
    changed: list[tuple[int, Path]] = field(default_factory=list)


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    if d.fix is None or not d.fix.edits:
        return False
    if d.fix.applicability == Applicability.SAFE:
        return True
    return unsafe and d.fix.applicability == Applicability.UNSAFE


@dataclass
class _Editor:
    """The editor for one file's kind, with its options (the quotes the file prefers)."""

    name: str
    kind: str
    engine: Any
    extra: dict[str, Any]

    @classmethod
    def of(cls, name: str, kind: str, double: Optional[bool] = None) -> _Editor:
        if kind in MAPPED_KINDS:
            from gpulint.fix import literal_edit as engine
            return cls(name, kind, engine, {"kind": kind, "name": name})
        if kind == "json":
            from gpulint.fix import json_edit as engine  # type: ignore[no-redef]
        else:
            from gpulint.fix import yaml_edit as engine  # type: ignore[no-redef]
        extra = {} if kind == "json" or double is None else {"double": double}
        return cls(name, kind, engine, extra)

    def apply(self, text: str, d: Diagnostic) -> tuple[str, list[Path]]:
        """``text`` with every edit of ``d``'s fix; and the paths they changed."""
        changed: list[Path] = []
        for edit in d.fix.edits:  # type: ignore[union-attr]
            text, path = self.engine.apply_edit(text, d.doc_index, edit, **self.extra)
            changed.append(path)
        return text, changed


def _internal(exc: Exception) -> str:
    return f"internal error: {type(exc).__name__}: {exc}"


def fix_text(name: str, text: str, kind: str, diagnostics: Iterable[Diagnostic], unsafe: bool = False) -> TextFix:
    """Apply the fixes of ``diagnostics`` (all for this text) that are allowed.

    A YAML stream is fixed one document at a time: each document's text is cut
    out, fixed and verified on its own, and spliced back, so a fix costs the
    size of its document, not of the file; the whole result is verified once
    more at the end.
    """
    todo = sorted((d for d in diagnostics if applicable(d, unsafe)),
                  key=lambda d: (d.doc_index, d.line, d.column, d.rule))
    refused = [(d, "the new value is a tagged value (such as !Ref), which --fix does not write")
               for d in todo if _holds_tagged(d)]
    if refused:
        todo = [d for d in todo if not _holds_tagged(d)]
        done = _fix_allowed(name, text, kind, todo)
        done.failed = refused + done.failed
        return done
    return _fix_allowed(name, text, kind, todo)


def _holds_tagged(d: Diagnostic) -> bool:
    """Does one of ``d``'s edits carry a tagged value (``!Ref X``), which no editor writes?"""
    stack = [e.value for e in d.fix.edits]  # type: ignore[union-attr]
    while stack:
        value = stack.pop()
        if isinstance(value, Tagged):
            return True
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, (list, tuple)):
            stack.extend(value)
    return False


def _fix_allowed(name: str, text: str, kind: str, todo: list[Diagnostic]) -> TextFix:
    """Apply the fixes ``todo`` (sorted, each allowed) to ``text``."""
    if not todo:
        return TextFix(text)
    if kind == "yaml":
        require_ruamel()
    before = documents(name, text, kind)
    if before is None:
        return TextFix(text)  # does not load: never edited
    spans = document_spans(text) if kind == "yaml" else None
    if spans is not None and len(spans) == len(before):
        done = _fix_by_document(name, text, kind, todo, spans, before)
        if done is not None:
            return done
    # cutting the stream into documents failed or misled us: fix it whole
    return _fix_whole(_Editor.of(name, kind), text, todo, before)


def _fix_by_document(name: str, text: str, kind: str, todo: list[Diagnostic], spans: list[tuple[int, int]],
                     before: dict[int, Any]) -> Optional[TextFix]:
    """Fix each document of a YAML stream on its own and splice them back; None
    when a document does not load on its own or the result fails verification."""
    editor = _Editor.of(name, kind, prefers_double(compose_documents(text)))
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
        done = _fix_document(editor, text[start:end], diags)
        if done is None:
            return None
        pieces[index] = done.text
        out.applied.extend(done.applied)
        out.failed.extend(done.failed)
        out.changed.extend((index, p) for _, p in done.changed)
    new = text
    for index in sorted(pieces, reverse=True):
        start, end = spans[index]
        new = new[:start] + pieces[index] + new[end:]
    if new != text:
        try:
            verified(name, new, kind, before, out.changed)
        except FixError:
            return None
    out.text = new
    return out


def _fix_document(editor: _Editor, chunk: str, diags: list[Diagnostic]) -> Optional[TextFix]:
    """Fix one document cut out of its stream; the result names the original
    diagnostics. None when the chunk does not load as one document."""
    local = [replace(d, doc_index=0) for d in diags]
    original = {id(c): d for c, d in zip(local, diags)}
    chunk_before = documents(editor.name, chunk, editor.kind)
    if chunk_before is None or list(chunk_before) != [0]:
        return None
    done = _fix_whole(editor, chunk, local, chunk_before)
    return TextFix(done.text, [original[id(c)] for c in done.applied],
                   [(original[id(c)], why) for c, why in done.failed], done.changed)


def _fix_whole(editor: _Editor, text: str, todo: list[Diagnostic], before: dict[int, Any]) -> TextFix:
    """Apply the fixes to ``text`` in order; verify them together, else one by one."""
    out = TextFix(text)
    # first, every fix at once with one verification at the end (the usual case)
    if hasattr(editor.engine, "apply_batch"):
        current, staged = _stage_batch(editor, text, todo, out.failed)
    else:
        current, staged = _stage_each(editor, text, todo, out.failed)
    if not staged or current == text:
        return out
    changed = [(d.doc_index, p) for d, paths in staged for p in paths]
    try:
        verified(editor.name, current, editor.kind, before, changed)
    except FixError:  # some fix went wrong: apply them one by one, verifying each
        return _fix_one_by_one(editor, text, [d for d, _ in staged], before, out.failed)
    out.text = current
    out.applied = [d for d, _ in staged]
    out.changed = changed
    return out


def _stage_batch(editor: _Editor, text: str, todo: list[Diagnostic],
                 failed: list[tuple[Diagnostic, str]]) -> tuple[str, list[tuple[Diagnostic, list[Path]]]]:
    """Every fix applied in one batch: the new text, and the fixes that changed it
    with their paths; the fixes refused go to ``failed``."""
    try:
        current, results = editor.engine.apply_batch(text, [(d.doc_index, d.fix.edits) for d in todo],
                                                     **editor.extra)
    except _INTERNAL as exc:  # defensive: never a traceback
        current, results = text, [FixError(_internal(exc))] * len(todo)
    staged = []
    for d, res in zip(todo, results):
        if isinstance(res, FixError):
            failed.append((d, str(res)))
        elif res:
            staged.append((d, res))
    return current, staged


def _stage_each(editor: _Editor, text: str, todo: list[Diagnostic],
                failed: list[tuple[Diagnostic, str]]) -> tuple[str, list[tuple[Diagnostic, list[Path]]]]:
    """Like :func:`_stage_batch`, for an editor that applies one fix at a time."""
    current = text
    staged = []
    for d in todo:
        try:
            new, changed = editor.apply(current, d)
        except FixError as exc:
            failed.append((d, str(exc)))
            continue
        except _INTERNAL as exc:  # defensive: never a traceback
            failed.append((d, _internal(exc)))
            continue
        if new != current:
            staged.append((d, changed))
            current = new
    return current, staged


def _fix_one_by_one(editor: _Editor, text: str, fixes: list[Diagnostic], before: dict[int, Any],
                    failed: list[tuple[Diagnostic, str]]) -> TextFix:
    """Apply ``fixes`` one at a time, each verified; a fix that fails is dropped."""
    out = TextFix(text, failed=list(failed))
    current = text
    for d in fixes:
        try:
            new, changed = editor.apply(current, d)
            after = verified(editor.name, new, editor.kind, before, [(d.doc_index, p) for p in changed])
        except FixError as exc:
            out.failed.append((d, str(exc)))
            continue
        except _INTERNAL as exc:
            out.failed.append((d, _internal(exc)))
            continue
        current, before = new, after
        out.applied.append(d)
        out.changed.extend((d.doc_index, p) for p in changed)
    out.text = current
    return out
