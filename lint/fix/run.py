"""``--fix``, ``--diff`` and ``--unsafe-fixes``: lint, fix, lint again, write.

A rule attaches a :class:`~gpulint.diagnostics.Fix` (edits by path, and whether
the fix is safe) to a finding; :func:`run_fixes` drives the fixing of a whole
run, one step after another:

- Lint. Only files that loaded without error are edited, and only for
  diagnostics that survived suppressions and ``--select``/``--ignore``. Each
  file's text is fixed and verified by :func:`~gpulint.fix.apply.fix_text`.
- The files are linted again with the fixed text until nothing more applies
  (a fix may make another one possible), at most a few rounds. Only the files
  whose text changed are loaded and recognised again; the rules, cross-file
  joins included, run over the whole Project (:mod:`gpulint.engine.reuse`). With
  ``--unsafe-fixes`` the safe fixes go first, and the unsafe ones are applied
  to what the relint of that result still finds.
- A changed file is written atomically (:func:`~gpulint.fix.write.write_atomic`),
  unless it changed on disk while gpulint ran (checked right before the
  rename). A file without write permission, or a failing write, is reported and
  left as it was.
- Only files reached without a symbolic link, inside the paths the run was
  given, are fixed (:func:`~gpulint.fix.write.unsafe_target`): a symbolic link
  in the tree may point anywhere, and a fix never writes through one.
- Standard input is never written: its fixed text is what the run gives back,
  as bytes: the input's own bytes where nothing changed (so a file that is not
  UTF-8 comes back as it came), with its byte-order mark and line endings where
  something did. Standard input named like another input of the run is refused
  (:class:`InputNameClash`).
- Line endings, a missing final newline and a byte-order mark are kept. A fix
  that was dropped, or could not be made (a value it cannot write), is reported
  in a note, and not offered again; the rest of the run goes on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Optional

from gpulint.config import Config
from gpulint.diagnostics import Applicability, Diagnostic, printable
from gpulint.engine.inputs import Input, collect_inputs
from gpulint.engine.reuse import LoadedMemo
from gpulint.engine.run import Linter, Result
from gpulint.fix.apply import applicable, fix_text
from gpulint.fix.edits import FixUnavailable
from gpulint.fix.write import FileChanged, read_file, same_path, unsafe_target, write_atomic
from gpulint.load import LoadError, Source, decode

#: rounds of lint-and-fix (a fix may enable another; this bounds the loop)
MAX_ROUNDS = 4
_BOM = b"\xef\xbb\xbf"


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
    #: standard input's bytes, as they came
    raw: Optional[bytes] = None

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    @property
    def output(self) -> bytes:
        """The bytes to write: the fixed text with the input's byte-order mark;
        the input's own bytes when nothing changed and they are known."""
        if not self.changed and self.raw is not None:
            return self.raw
        return (_BOM if self.bom else b"") + self.fixed.encode("utf-8")


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

    @property
    def stdin_bytes(self) -> Optional[bytes]:
        """What --fix gives back for standard input (see :attr:`FileFix.output`)."""
        for f in self.files:
            if f.stdin:
                return f.output
        return None


class InputNameClash(ValueError):
    """Standard input was given the name of another input of the run."""


def run_fixes(paths: list[str], config: Optional[Config] = None, select: Iterable[str] = (),
              ignore: Iterable[str] = (), stdin_filename: Optional[str] = None,
              stdin_data: Optional[bytes] = None, unsafe: bool = False, write: bool = True,
              region: Optional[str] = None, **options: Any) -> FixOutcome:
    """Lint, fix, lint again; write the changed files when ``write``. ``options`` go to
    ``collect_inputs`` (``resolver``, ``force_exclude``).

    Raises :class:`~gpulint.fix.edits.FixUnavailable` when a YAML file has a fix
    to apply and ruamel.yaml is not installed, and :class:`InputNameClash` (before
    anything is fixed) when standard input is named like a file of the run.
    """
    config = config or Config()
    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data, **options)
    _check_stdin_name(inputs)
    linter = Linter(config, list(select), list(ignore), region)
    linter.memo = LoadedMemo()  # each relint loads only the files fixes changed
    roots = [p for p in paths if p != "-"]
    run = _Run(inputs, notes, linter, linter.run(inputs), unsafe, roots)
    _fix_rounds(run)
    _echo_stdin(run)
    _note_failed_fixes(run)
    if write:
        _write_files(run)
    _drop_refused_fixes(run)
    if not unsafe and not write:  # with --fix, the report's summary says it
        _note_unsafe_fixes(run)
    run.result.notes = run.notes + run.result.notes
    return FixOutcome(run.result, list(run.files.values()), run.notes)


_FixKey = tuple[str, str, int, tuple]


def _fix_key(d: Diagnostic) -> _FixKey:
    return (d.file, d.rule, d.doc_index, tuple(d.path))


def _check_stdin_name(inputs: list[Input]) -> None:
    """Standard input named like a file of the run (``--stdin-filename a.yaml - .``) would
    be fixed, reported and echoed as that file: refused before anything is fixed."""
    names = [i.name for i in inputs if i.data is not None]
    for name in names:
        for item in inputs:
            if item.data is None and same_path(name, item.name):
                raise InputNameClash(
                    f"--stdin-filename {printable(name)} names standard input like the file "
                    f"{printable(item.name)} of this run; give standard input a name of its own"
                )


@dataclass
class _Run:
    """The state of one fixing run, passed along its steps."""

    inputs: list[Input]
    notes: list[str]
    linter: Linter
    result: Result
    unsafe: bool
    #: the files and folders the run was given: nothing outside them is written
    roots: list[str] = field(default_factory=list)
    files: dict[str, FileFix] = field(default_factory=dict)
    #: the bytes each file had when it was read to be fixed (checked again before writing)
    raw: dict[str, bytes] = field(default_factory=dict)
    real_paths: dict[str, str] = field(default_factory=dict)
    #: a fix that failed once fails again: it is not retried in later rounds
    tried_and_failed: set[_FixKey] = field(default_factory=set)
    #: files that are not fixed (a link, changed meanwhile, ...): not tried again
    skipped: set[str] = field(default_factory=set)

    @property
    def stdin_names(self) -> set[str]:
        return {i.name for i in self.inputs if i.data is not None}

    def relint(self, files: dict[str, FileFix]) -> None:
        self.result = self.linter.run(_with_text(self.inputs, files))


def _fix_rounds(run: _Run) -> None:
    """Fix and relint until nothing more applies. With --unsafe-fixes the safe fixes
    go first and the unsafe ones are judged on their result (raising
    ScaleInCooldown may leave no ScaleOutCooldown to lower)."""
    safe_phase = run.unsafe
    for _ in range(MAX_ROUNDS + int(run.unsafe)):
        if _fix_round(run, run.unsafe and not safe_phase):
            run.relint(run.files)
        elif safe_phase:
            safe_phase = False
        else:
            break


def _fix_round(run: _Run, unsafe_now: bool) -> bool:
    """Apply the fixes the last lint found; whether any text changed."""
    by_file: dict[str, list[Diagnostic]] = {}
    for d in run.result.diagnostics:
        if applicable(d, unsafe_now):
            by_file.setdefault(d.file, []).append(d)
    sources = {s.name: s for s in run.result.sources}
    progressed = False
    for name, diags in by_file.items():
        source = sources.get(name)
        if source is None or source.error is not None:
            continue  # a file that failed to load is never written
        if name in run.skipped:
            continue
        entry = run.files.get(name)
        if entry is None:
            entry = _open_file(run, source)
            if entry is None:  # not fixed, said once; its fixes are not offered again
                run.skipped.add(name)
                run.tried_and_failed.update(_fix_key(d) for d in diags)
                continue
        if _fix_file(run, entry, source.kind, diags):
            progressed = True
    return progressed


def _open_file(run: _Run, source: Source) -> Optional[FileFix]:
    """Start fixing the file of ``source``: None (with a note) when it must not be
    written, cannot be read again or changed since it was linted, or was already
    taken under another name."""
    name, original = source.name, source.text
    if name in run.stdin_names:
        raw = next(i.data for i in run.inputs if i.name == name)
        entry = run.files[name] = FileFix(name, original, original, stdin=True, bom=raw.startswith(_BOM), raw=raw)
        return entry
    why = unsafe_target(name, run.roots)
    if why is not None:
        run.notes.append(f"{printable(name)}: {why}; not fixed{_link_hint(run, name)}")
        return None
    real = os.path.realpath(name)
    if real in run.real_paths and run.real_paths[real] != name:
        return None  # the same file named twice (`a.yaml ./a.yaml`): fixed once
    run.real_paths[real] = name
    try:
        data = read_file(name)
    except OSError as exc:
        run.notes.append(f"{printable(name)}: cannot read it again to fix it: {exc.strerror or exc}")
        return None
    try:
        same = decode(data) == original
    except LoadError:
        same = False
    if not same:
        run.notes.append(f"{printable(name)}: changed while gpulint ran; not fixed")
        return None
    run.raw[name] = data
    entry = run.files[name] = FileFix(name, original, original, bom=data.startswith(_BOM))
    return entry


def _link_hint(run: _Run, name: str) -> str:
    """For a link to a file inside the run's paths: how to fix that file (a folder walk
    names a file once, and may have named it by the link)."""
    if not os.path.islink(name):
        return ""
    target = os.path.relpath(os.path.realpath(name))
    if not os.path.isfile(target) or unsafe_target(target, run.roots) is not None:
        return ""
    return f" (name {printable(target)} to fix the file it points to)"


def _fix_file(run: _Run, entry: FileFix, kind: str, diags: list[Diagnostic]) -> bool:
    """Apply ``diags``' fixes to the file's current text; whether it changed."""
    diags = [d for d in diags if _fix_key(d) not in run.tried_and_failed]
    try:
        done = fix_text(entry.name, entry.fixed, kind, diags, run.unsafe)
    except FixUnavailable:
        raise
    except Exception as exc:  # defensive: one file's fixes never end the run
        why = f"internal error: {type(exc).__name__}"
        entry.failed.extend((d, why) for d in diags)
        run.tried_and_failed.update(_fix_key(d) for d in diags)
        return False
    entry.failed.extend(done.failed)
    run.tried_and_failed.update(_fix_key(d) for d, _ in done.failed)
    if done.text == entry.fixed:
        return False
    entry.fixed = done.text
    entry.applied.extend(done.applied)
    return True


def _echo_stdin(run: _Run) -> None:
    """Standard input is echoed even when nothing in it was fixed."""
    for item in run.inputs:
        if item.data is not None and item.name not in run.files:
            source = next((s for s in run.result.sources if s.name == item.name), None)
            text = source.text if source is not None and source.text else item.data.decode("utf-8", "replace")
            run.files[item.name] = FileFix(item.name, text, text, stdin=True, raw=item.data)


def _note_failed_fixes(run: _Run) -> None:
    for entry in run.files.values():
        for d, why in entry.failed:
            run.notes.append(f"{printable(d.file)}:{d.line}:{d.column}: fix for {d.rule} not applied: {why}")


def _write_files(run: _Run) -> None:
    """Write every changed file (never standard input); relint what was written
    when a write failed, so the report speaks of the files as they are."""
    failed_writes = False
    for entry in run.files.values():
        if entry.changed and not entry.stdin and not _write_fixed(run, entry):
            failed_writes = True
    if failed_writes:
        run.relint({n: f for n, f in run.files.items() if f.written or f.stdin})


def _write_fixed(run: _Run, entry: FileFix) -> bool:
    """Write one fixed file, keeping its byte-order mark; False (with a note) when it failed
    or the file changed on disk since it was read."""
    try:
        write_atomic(entry.name, entry.output, expected=run.raw[entry.name])
        entry.written = True
    except FileChanged:
        entry.error = "changed while fixing"
        run.notes.append(f"{printable(entry.name)}: changed while fixing; not written")
        return False
    except OSError as exc:
        entry.error = exc.strerror or str(exc)
        run.notes.append(f"{printable(entry.name)}: cannot write the fixes ({entry.error}); the file is unchanged")
        return False
    return True


def _drop_refused_fixes(run: _Run) -> None:
    """A fix that was tried and refused is not offered again ("1 fixable with --fix")."""
    if run.tried_and_failed:
        run.result.diagnostics = [
            replace(d, fix=None) if _fix_key(d) in run.tried_and_failed else d
            for d in run.result.diagnostics
        ]


def _note_unsafe_fixes(run: _Run) -> None:
    hidden = sum(1 for d in run.result.diagnostics
                 if d.fix is not None and d.fix.applicability == Applicability.UNSAFE)
    if hidden:
        run.notes.append(f"{hidden} more problem(s) can be fixed with --unsafe-fixes (review those changes)")


def _with_text(inputs: list[Input], files: dict[str, FileFix]) -> list[Input]:
    by_real = {os.path.realpath(name): f for name, f in files.items() if not f.stdin}
    out = []
    for item in inputs:
        entry = files.get(item.name)
        if entry is None and item.data is None:
            entry = by_real.get(os.path.realpath(item.name))  # the same file under another name
        if entry is not None and entry.changed:
            out.append(replace(item, data=entry.fixed.encode("utf-8")))
        else:
            out.append(item)
    return out
