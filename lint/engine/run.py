"""The engine: files -> sources -> objects -> Project -> rules -> diagnostics.

``lint_paths`` is the library entry point (the CLI is a thin layer on it).
Nothing here exits the process or prints; bad input of any kind becomes a
diagnostic for its file and the run goes on.
"""

from __future__ import annotations

import errno
import gc
import importlib
import os
import re
import stat
import sys
from typing import Iterable, Optional

from gpulint.load import loader
from gpulint.config import Config
from gpulint.diagnostics import Diagnostic, Path, Severity
from gpulint.model.kubernetes import IGNORE_ANNOTATION
from gpulint.load.loader import Source, Span
from gpulint.model.core import ModelObject
from gpulint.model.project import Project
from gpulint.model.recognize import recognise
from dataclasses import dataclass, field
from gpulint.engine.rule import Context, Finding, Rule, all_rules, get_rule, loaded_rules
from gpulint.load.walk import walk


STDIN = "-"


@dataclass
class Input:
    """One file to lint, or standard input under a display name."""

    name: str
    data: Optional[bytes] = None  # None: read ``name`` from disk
    report: bool = True  # False for context files: loaded, not reported on


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    project: Project = field(default_factory=Project)
    files_checked: int = 0
    notes: list[str] = field(default_factory=list)
    #: suppressions that matched nothing: (file, line, rule-or-code)
    unused_suppressions: list[tuple[str, int, str]] = field(default_factory=list)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)


# --------------------------------------------------------------------------- rule selection


def _matches(rule: type[Rule], names: Iterable[str]) -> bool:
    for name in names:
        if name == "ALL" or name.lower() == "all":
            return True
        if name == rule.name or name.upper() == rule.code:
            return True
        if name.upper() and rule.code.startswith(name.upper()) and get_rule(name) is None:
            return True
    return False


def _selected(rule: type[Rule], select: list[str], ignore: list[str]) -> bool:
    return (not select or _matches(rule, select)) and not _matches(rule, ignore)


def active_rules(config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[Rule]]:
    """Every rule this configuration runs, whichever inputs are linted."""
    select = list(select) or list(config.select)
    ignore = list(config.ignore) + list(ignore)
    return [rule for rule in all_rules() if _selected(rule, select, ignore)]


# --------------------------------------------------------------------------- suppressions

# names are comma-separated; anything after the last one is a free-text reason
_DIRECTIVE = re.compile(
    r"#\s*gpulint:\s*(disable-file|disable-next-line|disable)\s*"
    r"(?:=\s*([A-Za-z0-9_\-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_\-]+)*))?"
)


@dataclass
class Suppressions:
    file_rules: set[str] = field(default_factory=set)
    file_line: dict[str, int] = field(default_factory=dict)
    #: line -> rules disabled on it (the comment's own line, or the next line for a lone comment)
    lines: dict[int, set[str]] = field(default_factory=dict)
    origin: dict[tuple[int, str], int] = field(default_factory=dict)  # (line, rule) -> comment line
    used: set[tuple[int, str]] = field(default_factory=set)  # (comment line, rule)

    @classmethod
    def parse(cls, text: str) -> "Suppressions":
        sup = cls()
        if "gpulint:" not in text:
            return sup
        for lineno, line in enumerate(text.splitlines(), 1):
            if "gpulint:" not in line:
                continue
            m = _DIRECTIVE.search(line)
            if not m:
                continue
            what, names = m.group(1), m.group(2)
            rules = {n.strip() for n in (names or "all").split(",") if n.strip()}
            if what == "disable-file":
                sup.file_rules |= rules
                for r in rules:
                    sup.file_line[r] = lineno
                continue
            own_line = line[: m.start()].strip() == ""
            targets = [lineno + 1] if (own_line or what == "disable-next-line") else [lineno]
            if what == "disable" and own_line:
                targets = [lineno, lineno + 1]
            for t in targets:
                sup.lines.setdefault(t, set()).update(rules)
                for r in rules:
                    sup.origin[(t, r)] = lineno
        return sup

    def suppresses(self, diag: Diagnostic) -> bool:
        keys = (diag.rule, diag.code, "all")
        for key in keys:
            if key in self.file_rules:
                self.used.add((self.file_line[key], key))
                return True
        rules = self.lines.get(diag.line)
        if rules:
            for key in keys:
                if key in rules:
                    self.used.add((self.origin[(diag.line, key)], key))
                    return True
        return False

    def unused(self) -> list[tuple[int, str]]:
        declared = {(line, r) for r, line in self.file_line.items()}
        declared |= {(origin, r) for (_, r), origin in self.origin.items()}
        return sorted(declared - self.used)


def _annotation_ignores(obj: Optional[ModelObject], path: Path, diag: Diagnostic) -> list[tuple[Path, str]]:
    """The (path prefix, name) of every annotation entry that suppresses ``diag``; empty if none does."""
    if obj is None or not obj.ignores:
        return []
    hits = []
    for prefix, rules in obj.ignores.items():
        if path[: len(prefix)] == prefix:
            for key in (diag.rule, diag.code, "all"):
                if key in rules:
                    hits.append((prefix, key))
                    break
    return hits


# --------------------------------------------------------------------------- the run


class Linter:
    def __init__(self, config: Config, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> None:
        self.config = config
        self._select = list(select) or list(config.select)
        self._ignore = list(config.ignore) + list(ignore)
        self._active: dict[str, bool] = {}
        loaded_rules()  # the engine's own rules; packs follow their domains (see ``rules``)
        #: the monthly budget the run's cost estimate is held to, only when the gate is on
        self._budget: Optional[float] = None
        if getattr(config, "budget", None) is not None and self.is_active("cost-budget-exceeded"):
            self._budget = config.budget
        #: annotation entries that suppressed something: (file, doc index, path prefix, name)
        self._annotation_used: set[tuple[str, int, Path, str]] = set()
        self._jobs = 1

    def is_active(self, name: str) -> bool:
        """Does this run report the rule ``name`` (select, ignore and config applied)?"""
        if name not in self._active:
            rule = get_rule(name)
            self._active[name] = rule is not None and _selected(rule, self._select, self._ignore)
        return self._active[name]

    @property
    def rules(self) -> list[type[Rule]]:
        """The active rules of the packs loaded so far: a pack is imported once a document of
        its domain has been recognised, so a run over Kubernetes files never imports the
        SageMaker rules."""
        return [r for r in loaded_rules() if self.is_active(r.name)]

    def _engine_diag(self, name: str, source: Source, line: int, column: int, message: str,
                     doc_index: int = 0, path: Path = (), end: Optional[Span] = None) -> Optional[Diagnostic]:
        if not self.is_active(name):
            return None
        rule = get_rule(name)
        assert rule is not None
        return Diagnostic(
            rule=rule.name,
            code=rule.code,
            severity=self.config.severity_for(rule.name, rule.severity),
            file=source.name,
            line=line,
            column=column,
            message=message,
            end_line=end.end_line if end else None,
            end_column=end.end_column if end else None,
            doc_index=doc_index,
            path=path,
        )

    def load(self, item: Input) -> Source:
        name = item.name
        try:
            if item.data is not None:
                raw = item.data
                if len(raw) > self.config.max_file_size:
                    src = Source(name, "", "yaml")
                    src.error = loader.LoadError(
                        f"input is {len(raw)} bytes, larger than max-file-size ({self.config.max_file_size}); skipped"
                    )
                    return src
            else:
                limit = self.config.max_file_size
                size = os.path.getsize(name)
                read = None if size > limit else _read_bounded(name, limit)
                if read is None:
                    src = Source(name, "", "yaml")
                    size_text = f"{size} bytes, " if size > limit else ""  # devices and pipes report no size
                    src.error = loader.LoadError(f"file is {size_text}larger than max-file-size ({limit}); skipped")
                    return src
                raw = read
        except OSError as exc:
            src = Source(name, "", "yaml")
            src.error = loader.LoadError(f"cannot read file: {exc.strerror or exc}")
            return src
        return loader.load(name, raw)

    def _process(self, item: Input) -> "_Loaded":
        """Everything that needs one file only: load, shape checks, recognition."""
        diags: list[Diagnostic] = []
        objects: list[ModelObject] = []
        try:
            source = self.load(item)
        except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the run
            source = Source(item.name, "", "json" if item.name.lower().endswith(".json") else "yaml")
            source.error = loader.LoadError("")  # not parsed: no rule runs on it
            d = self._internal_error(source, exc)
            if d:
                diags.append(d)
            return _Loaded(source, objects, diags, item.report)
        if source.error is not None:
            err = source.error
            d = self._engine_diag("parse-error", source, err.line, err.column, err.message)
            if d:
                diags.append(d)
            if not source.documents:
                return _Loaded(source, objects, diags, item.report)
        try:
            claimed: set[int] = set()
            for doc in source.documents:
                rec = recognise(source, doc)
                if rec.claimed:
                    claimed.add(doc.index)
                objects.extend(rec.objects)
                for v in rec.violations:
                    span = source.locate(v.doc_index, v.path)
                    rule_name = v.rule if get_rule(v.rule) is not None else "schema-violation"
                    d = self._engine_diag(rule_name, source, span.line, span.column, v.message,
                                          v.doc_index, v.path, span)
                    if d:
                        diags.append(d)
            # duplicate keys in documents gpulint recognises; other YAML (CI configs, Helm
            # values) is not gpulint's to judge, whatever its parser makes of a repeated key
            for dup in source.duplicates:
                if dup.doc_index not in claimed:
                    continue
                d = self._engine_diag(
                    "schema-violation", source, dup.line, dup.column,
                    f"duplicate key '{dup.key}'"
                    + (f" (first on line {dup.first_line})" if dup.first_line else "")
                    + "; Kubernetes and the AWS tools keep only the last value",
                    dup.doc_index,
                )
                if d:
                    diags.append(d)
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
            d = self._internal_error(source, exc)
            if d:
                diags.append(d)
        # raw data is no longer needed: the Project holds the typed model
        for doc in source.documents:
            doc.data = None
        source.release_positions()
        return _Loaded(source, objects, diags, item.report)

    def _process_all(self, inputs: list[Input]) -> list["_Loaded"]:
        """Per-file work, on every core when there is enough of it to pay for the processes."""
        jobs = _parallel_jobs(inputs)
        self._jobs = jobs  # the rules then run on as many cores
        if jobs > 1:
            try:
                return _process_parallel(self, inputs, jobs)
            except Exception:  # noqa: BLE001 - no fork, pickling trouble, a dead worker: do it here
                pass
        return [self._process(item) for item in inputs]

    def run(self, inputs: list[Input]) -> Result:
        # A run builds hundreds of thousands of small objects that all live until it ends: the
        # cyclic collector would walk them again and again (unpickling the workers' results
        # took six times longer with it on) and find nothing to free.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run(inputs)
        finally:
            if enabled:
                gc.enable()

    def _run(self, inputs: list[Input]) -> Result:
        result = Result()
        project = result.project
        report: dict[str, bool] = {}
        per_source_diags: dict[int, list[Diagnostic]] = {}
        for loaded in self._process_all(inputs):
            source = loaded.source
            report[source.name] = loaded.report
            result.sources.append(source)
            if loaded.report:
                result.files_checked += 1
            per_source_diags[id(source)] = loaded.diagnostics
            for obj in loaded.objects:
                project.add(obj)

        self._run_rules(project, per_source_diags, report)
        if self._budget is not None:
            try:
                from gpulint.cost.budget import budget_finding

                found = budget_finding(project, self._budget, report)
            except Exception as exc:  # noqa: BLE001 - the estimate must not stop the run
                found = None
                result.notes.append(f"cost estimate failed: {type(exc).__name__}: {exc}")
            if found is not None:
                row, message = found
                src = row.resource.source
                d = self._engine_diag("cost-budget-exceeded", src, row.line, row.column, message,
                                      row.resource.doc_index, row.resource.path)
                if d:
                    per_source_diags.setdefault(id(src), []).append(d)
        with_ignores: dict[int, list[ModelObject]] = {}
        by_source: dict[int, list[ModelObject]] = {}
        for obj in project.objects:
            by_source.setdefault(id(obj.source), []).append(obj)
            if obj.ignores:
                with_ignores.setdefault(id(obj.source), []).append(obj)

        for source in result.sources:
            diags = per_source_diags.get(id(source), [])
            if not report.get(source.name, True):
                continue
            sup = Suppressions.parse(source.text) if source.text else Suppressions()
            kept = [d for d in diags if not sup.suppresses(d)]
            for line, rule in sup.unused():
                result.unused_suppressions.append((source.name, line, rule))
            if (
                self.is_active("unused-suppression")
                and source.error is None
                and not any(d.rule == "internal-error" for d in diags)
            ):
                annotated = with_ignores.get(id(source), [])
                in_file = by_source.get(id(source), [])
                for d in self._unused_suppressions(source, sup, annotated, in_file, project):
                    # only an explicit disable of this rule silences it: a blanket one is what it reports on
                    names = {d.rule, d.code}
                    if not (names & sup.file_rules or names & sup.lines.get(d.line, set())):
                        kept.append(d)
            result.diagnostics.extend(kept)
            source.release_positions()
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result

    def _internal_error(self, source: Source, exc: BaseException) -> Optional[Diagnostic]:
        import traceback

        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
        if os.environ.get("GPULINT_DEBUG"):
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        return self._engine_diag(
            "internal-error", source, 1, 1, f"gpulint failed on this file: {type(exc).__name__}: {exc}{where}"
        )

    def _run_rules(self, project: Project, per_source: dict[int, list[Diagnostic]],
                   report: dict[str, bool]) -> None:
        rules = [r for r in self.rules if r.targets and project.has(*r.targets)]
        results: Optional[list[tuple[list[tuple[int, Diagnostic]], set]]] = None
        if self._jobs > 1 and len(rules) > 1:
            try:
                results = _check_parallel(self, rules, project, report, self._jobs)
            except Exception:  # noqa: BLE001 - no fork, a dead worker: check here instead
                results = None
        if results is None:
            results = [(self._check_rule(rule_cls, project, report), set()) for rule_cls in rules]
        # merged in rule order, as a single process would have produced them
        for found, used in results:
            for source_id, d in found:
                per_source.setdefault(source_id, []).append(d)
            self._annotation_used |= used

    def _check_rule(self, rule_cls: type[Rule], project: Project,
                    report: dict[str, bool]) -> list[tuple[int, Diagnostic]]:
        """One rule over every object it targets: (id of the diagnostic's source, diagnostic)."""
        out: list[tuple[int, Diagnostic]] = []
        rule = rule_cls()
        try:
            options = self.config.options_for(rule_cls)
        except Exception:  # noqa: BLE001 - validated earlier; defaults as a last resort
            options = rule_cls.Options()
        ctx = Context(project, self.config, options)
        severity = self.config.severity_for(rule_cls.name, rule_cls.severity)
        for obj in list(project.of_type(*rule_cls.targets)):
            if not report.get(obj.source.name, True):
                continue
            try:
                for finding in rule.check(obj, ctx):
                    d = self._diagnostic(rule_cls, severity, obj, finding)
                    if d is not None:
                        out.append((id(d_source(finding, obj)), d))
            except Exception as exc:  # noqa: BLE001
                d = self._internal_error(obj.source, exc)
                if d:
                    d.message += f" (rule {rule_cls.name})"
                    out.append((id(obj.source), d))
        return out

    def _diagnostic(self, rule: type[Rule], severity: Severity, obj: ModelObject, finding: Finding) -> Optional[Diagnostic]:
        target = finding.obj or obj
        span = target.source.locate(target.doc_index, finding.path)
        d = Diagnostic(
            rule=rule.name,
            code=rule.code,
            severity=severity,
            file=target.source.name,
            line=span.line,
            column=span.column,
            end_line=span.end_line,
            end_column=span.end_column,
            message=finding.message,
            doc_index=target.doc_index,
            path=finding.path,
            fix=finding.fix,
            related=finding.related,
        )
        hits = _annotation_ignores(target, finding.path, d)
        if hits:
            for prefix, key in hits:
                self._annotation_used.add((target.source.name, target.doc_index, prefix, key))
            return None
        return d

    # ----------------------------------------------------------------------- unused suppressions

    def _unused_message(self, name: str, what: str, objects: list[ModelObject],
                        project: Project) -> Optional[str]:
        """Why the suppression of ``name`` is worth reporting, or None to stay silent.

        ``objects`` are those the suppression may cover; a rule whose findings on them can
        depend on files outside this run may need the suppression in another run.
        """
        if name == "unused-suppression":
            return None
        if name == "all":
            if not all(self.is_active(r.name) for r in all_rules()):
                return None  # some rules did not run: a blanket suppression may be needed for them
            if any(r.targets and _reads_other_files(r, objects, project) for r in self.rules):
                return None  # it may be there for a rule that reads other files
            return f"{what} of all rules suppressed nothing; remove it"
        rule = get_rule(name)
        if rule is None:
            import difflib

            close = difflib.get_close_matches(name, [r.name for r in all_rules()], n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            return f"{what} names '{name}', which is not a gpulint rule{hint}; fix the name or remove it"
        if not self.is_active(rule.name):
            return None  # not selected in this run: it had no chance to fire
        if _reads_other_files(rule, objects, project):
            return None
        return f"{what} of {name} suppressed nothing; remove it"

    def _unused_suppressions(self, source: Source, sup: Suppressions, objects: list[ModelObject],
                             in_file: list[ModelObject], project: Project) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        lines = source.text.splitlines()
        for line, name in sup.unused():
            file_wide = sup.file_line.get(name) == line
            message = self._unused_message(name, "file-wide suppression" if file_wide else "suppression",
                                           in_file, project)
            if message is None:
                continue
            text = lines[line - 1] if 0 < line <= len(lines) else ""
            m = _DIRECTIVE.search(text)
            column = m.start() + 1 if m else 1
            end = Span(line, column, line, m.end() + 1 if m else column)
            d = self._engine_diag("unused-suppression", source, line, column, message, end=end)
            if d:
                out.append(d)
        seen: set[tuple[int, Path, str]] = set()
        for obj in objects:
            for prefix, names in obj.ignores.items():
                for name in sorted(names):
                    key = (obj.doc_index, prefix, name)
                    if key in seen or (source.name, *key) in self._annotation_used:
                        continue
                    seen.add(key)
                    message = self._unused_message(name, f"{IGNORE_ANNOTATION} on {obj.display()}: suppression",
                                                   [obj], project)
                    if message is None:
                        continue
                    path = prefix + ("metadata", "annotations", IGNORE_ANNOTATION)
                    span = source.locate(obj.doc_index, path)
                    d = self._engine_diag("unused-suppression", source, span.line, span.column, message,
                                          obj.doc_index, path, span)
                    if d:
                        out.append(d)
        return out


def _reads_other_files(rule: type[Rule], objects: list[ModelObject], project: Project) -> bool:
    if rule.cross_file and not rule.targets:  # an engine rule over the whole run (the budget)
        return True
    return any(isinstance(obj, rule.targets) and rule.reads_other_files(obj, project) for obj in objects)


#: how long a named pipe may stay silent before it is given up on
FIFO_WAIT_SECONDS = 30.0


def _read_bounded(path: str, limit: int) -> Optional[bytes]:
    """At most ``limit`` bytes of ``path``, or None when it holds more.

    Bounded so that a device (``/dev/zero``) cannot exhaust memory. Opened
    without blocking, so that a FIFO nobody writes to cannot hang the run: a
    pipe (``gpulint <(helm template ...)``, or a FIFO a producer writes to) is
    read once data arrives, and given up on after FIFO_WAIT_SECONDS of silence.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        if getattr(os, "O_NONBLOCK", 0):
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                import select

                ready, _, _ = select.select([fd], [], [], FIFO_WAIT_SECONDS)
                if not ready:
                    raise OSError(errno.ETIMEDOUT, f"nothing arrived on this pipe within {FIFO_WAIT_SECONDS:g} s")
            os.set_blocking(fd, True)
        chunks = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    return None if total > limit else b"".join(chunks)


@dataclass
class _Loaded:
    source: Source
    objects: list[ModelObject]
    diagnostics: list[Diagnostic]
    report: bool


#: below this much input, starting worker processes costs more than it saves
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_FILES = 64
_WORKER: Optional["Linter"] = None


def _parallel_jobs(inputs: list[Input]) -> int:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cpus < 2 or len(inputs) < PARALLEL_MIN_FILES or os.environ.get("GPULINT_JOBS") == "1":
        return 1
    total = 0
    for item in inputs:
        if item.data is not None:
            total += len(item.data)
        else:
            try:
                total += os.path.getsize(item.name)
            except OSError:
                pass
        if total >= PARALLEL_MIN_BYTES:
            return min(cpus, 8)
    return 1


def _work(chunk: list[Input]) -> tuple[list[_Loaded], list[str]]:
    """One chunk of files, and the domain modules loaded to recognise them."""
    from gpulint.model.recognize import DOMAIN_GATES

    assert _WORKER is not None
    done = [_WORKER._process(item) for item in chunk]
    return done, [name for name in DOMAIN_GATES if name in sys.modules]


def _process_parallel(linter: "Linter", inputs: list[Input], jobs: int) -> list[_Loaded]:
    """Load and recognise in forked workers; the typed objects come back pickled, in input order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _WORKER
    ctx = multiprocessing.get_context("fork")  # ValueError where there is no fork: caller falls back
    size = max(8, len(inputs) // (jobs * 8))
    chunks = [inputs[i:i + size] for i in range(0, len(inputs), size)]
    _WORKER = linter
    try:
        # unlike multiprocessing.Pool, the executor notices a worker that died (BrokenProcessPool)
        # instead of waiting for it forever; the caller then does the work in this process
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            out: list[_Loaded] = []
            domains: set[str] = set()
            for part, loaded in pool.map(_work, chunks):
                out.extend(part)
                domains.update(loaded)
        # the rule packs follow the domains: load here what the workers loaded
        for name in sorted(domains):
            importlib.import_module(name)
        return out
    finally:
        _WORKER = None


_RULE_RUN: Optional[tuple["Linter", list[type[Rule]], Project, dict[str, bool]]] = None


def _check_group(indices: list[int]) -> list[tuple[int, list[tuple[int, Diagnostic]], set]]:
    """Some of the rules, in a forked worker that shares the whole Project with its parent.

    Objects keep their addresses across a fork, so ``id(source)`` means the same here and there.
    """
    assert _RULE_RUN is not None
    linter, rules, project, report = _RULE_RUN
    out = []
    for i in indices:
        before = set(linter._annotation_used)
        found = linter._check_rule(rules[i], project, report)
        out.append((i, found, linter._annotation_used - before))
    return out


def _check_parallel(linter: "Linter", rules: list[type[Rule]], project: Project, report: dict[str, bool],
                    jobs: int) -> list[tuple[list[tuple[int, Diagnostic]], set]]:
    """Run the rules on ``jobs`` cores, each rule whole in one process; results in rule order."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    global _RULE_RUN
    ctx = multiprocessing.get_context("fork")
    # the costliest rules are those with the most objects to check: deal them out in turn
    weight = {i: sum(1 for _ in project.of_type(*r.targets)) for i, r in enumerate(rules)}
    order = sorted(weight, key=lambda i: -weight[i])
    groups: list[list[int]] = [[] for _ in range(jobs)]
    loads = [0] * jobs
    for i in order:
        k = loads.index(min(loads))
        groups[k].append(i)
        loads[k] += weight[i]
    _RULE_RUN = (linter, rules, project, report)
    try:
        with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
            by_rule: dict[int, tuple[list[tuple[int, Diagnostic]], set]] = {}
            for part in pool.map(_check_group, [g for g in groups if g]):
                for i, found, used in part:
                    by_rule[i] = (found, used)
    finally:
        _RULE_RUN = None
    return [by_rule[i] for i in range(len(rules))]


def d_source(finding: Finding, obj: ModelObject) -> Source:
    return (finding.obj or obj).source


def collect_inputs(paths: list[str], config: Config, stdin_filename: Optional[str] = None,
                   stdin_data: Optional[bytes] = None) -> tuple[list[Input], list[str]]:
    """Inputs for ``paths`` plus the context files from the config; and notes for the user."""
    notes: list[str] = []
    inputs: list[Input] = []
    file_paths = [p for p in paths if p != STDIN]
    if STDIN in paths:
        data = stdin_data if stdin_data is not None else sys.stdin.buffer.read()
        inputs.append(Input(stdin_filename or "<stdin>", data))
    missing = [p for p in file_paths if not os.path.exists(p)]
    for p in missing:
        notes.append(f"{p}: no such file or directory")
    walked = walk([p for p in file_paths if p not in missing], config.exclude, config.root)
    for folder, why in walked.unreadable:
        notes.append(f"{folder}: cannot read folder: {why}; skipped")
    if walked.helm_templates:
        charts = sorted({_chart_root(p) for p in walked.helm_templates})
        notes.append(
            f"skipped {len(walked.helm_templates)} Helm template file(s) in {', '.join(charts)}; "
            "lint the rendered output instead: helm template ... | gpulint -"
        )
    named = {os.path.abspath(f) for f in walked.files}
    inputs.extend(Input(f) for f in walked.files)
    if config.context:
        import glob

        for pattern in config.context:
            full = pattern if os.path.isabs(pattern) else os.path.join(config.root, pattern)
            for f in sorted(glob.glob(full, recursive=True)):
                if os.path.isfile(f) and os.path.abspath(f) not in named:
                    named.add(os.path.abspath(f))
                    inputs.append(Input(os.path.relpath(f), report=False))
    return inputs, notes


def _chart_root(path: str) -> str:
    folder = os.path.dirname(path)
    while folder and not os.path.isfile(os.path.join(folder, "Chart.yaml")):
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return folder or "."


def load_project(paths: list[str], config: Config, stdin_filename: Optional[str] = None,
                 stdin_data: Optional[bytes] = None) -> tuple[Project, list[str]]:
    """Load and recognise files as a lint run does, without running any rule: the Project, and notes."""
    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data)
    project = Project()
    for loaded in Linter(config)._process_all(inputs):
        for obj in loaded.objects:
            project.add(obj)
    return project, notes


def lint_paths(paths: list[str], config: Optional[Config] = None, select: Iterable[str] = (),
               ignore: Iterable[str] = (), stdin_filename: Optional[str] = None,
               stdin_data: Optional[bytes] = None) -> Result:
    """Lint files and folders; the library entry point."""
    config = config or Config()
    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data)
    result = Linter(config, select, ignore).run(inputs)
    result.notes = notes + result.notes
    return result
