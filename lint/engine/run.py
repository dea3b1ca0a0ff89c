"""The engine: files -> sources -> objects -> Project -> rules -> diagnostics.

``lint_paths`` is the library entry point (the CLI is a thin layer on it); the ``Linter``
runs one configuration over a list of inputs (see ``gpulint.engine.inputs``): it loads and
recognises each file (in forked workers for large runs, see ``gpulint.engine.parallel``),
gathers the typed objects into one Project, runs the active rules over it, and applies the
suppressions (``gpulint.engine.suppress``). Nothing here exits the process or prints; bad
input of any kind becomes a diagnostic for its file and the run goes on.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any, Iterable, Optional

from gpulint.config import Config
from gpulint.diagnostics import Diagnostic, Path, Severity
from gpulint.engine import parallel
from gpulint.engine.inputs import Input, collect_inputs, read_source
from gpulint.engine.results import Loaded, Result
from gpulint.engine.reuse import LoadedMemo
from gpulint.engine.rule import Context, Finding, Rule, get_rule, loaded_rules
from gpulint.engine.suppress import annotation_ignores, apply_suppressions, cap_schema_problems
from gpulint.load import LoadError, Source, Span
from gpulint.model.core import ModelObject
from gpulint.model.project import Project
from gpulint.model.recognize import recognise

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


#: what the engine reports about the files themselves: no ``--select`` or ``--ignore`` (nor the
#: config's ``select`` / ``ignore``) hides them, so a run narrowed to a few rules still fails on a
#: file it could not read or check
ALWAYS_REPORTED = ("parse-error", "schema-violation", "internal-error")


def _selected(rule: type[Rule], select: list[str], ignore: list[str]) -> bool:
    if rule.name in ALWAYS_REPORTED:
        return True
    return (not select or _matches(rule, select)) and not _matches(rule, ignore)


# --------------------------------------------------------------------------- the run


class Linter:
    def __init__(self, config: Config, select: Iterable[str] = (), ignore: Iterable[str] = (),
                 region: Optional[str] = None) -> None:
        self.config = config
        #: the region the budget gate prices resources in when their files name none (``--region``;
        #: None: the environment's, as ``gpulint cost`` does)
        self.region = region
        self._select = list(select) or list(config.select)
        self._ignore = list(config.ignore) + list(ignore)
        self._active: dict[str, bool] = {}
        loaded_rules()  # the engine's own rules; packs follow their domains (see ``rules``)
        #: the monthly budget the run's cost estimate is held to, only when the gate is on
        self._budget: Optional[float] = None
        if getattr(config, "budget", None) is not None and (
                self.is_active("cost-budget-exceeded") or self.is_active("cost-unpriced")):
            self._budget = config.budget
        #: annotation entries that suppressed something: (file, doc index, path prefix, name)
        self.annotation_used: set[tuple[str, int, Path, str]] = set()
        self._jobs = 1
        self._given = (list(select), list(ignore))
        #: the linters of the other configs of a run, by config file (see ``for_config``)
        self._others: dict[Optional[str], "Linter"] = {}
        #: what the last run loaded, when a later run may reuse it (``gpulint.engine.reuse``)
        self.memo: Optional[LoadedMemo] = None

    def for_config(self, config: Optional[Config]) -> "Linter":
        """The linter for files linted with ``config`` (None: this linter's own): the same
        --select and --ignore, that config's settings. Keyed by the config's file, so that a
        config that came through a pickle (to a worker process) finds its linter."""
        if config is None or config is self.config or config.path == self.config.path:
            return self
        found = self._others.get(config.path)
        if found is None:
            found = self._others[config.path] = Linter(config, *self._given, self.region)
        return found

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

    def engine_diag(self, name: str, source: Source, line: int, column: int, message: str,
                    doc_index: int = 0, path: Path = (), end: Optional[Span] = None) -> Optional[Diagnostic]:
        """A diagnostic of the engine's own rule ``name``; None when the rule is not active."""
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

    # ----------------------------------------------------------------------- one file

    def process(self, item: Input) -> Loaded:
        """Everything that needs one file only: load, shape checks, recognition."""
        if item.config is not None and self.for_config(item.config) is not self:
            return self.for_config(item.config).process(item)
        diags: list[Diagnostic] = []
        objects: list[ModelObject] = []
        try:
            source = read_source(item, self.config.max_file_size)
        except Exception as exc:  # noqa: BLE001 - a loader bug must not stop the run
            source = Source(item.name, "", "json" if item.name.lower().endswith(".json") else "yaml")
            source.error = LoadError("")  # not parsed: no rule runs on it
            d = self._internal_error(source, exc)
            if d:
                diags.append(d)
            return Loaded(source, objects, diags, item.report)
        if source.error is not None:
            err = source.error
            d = self.engine_diag("parse-error", source, err.line, err.column, err.message)
            if d:
                diags.append(d)
            if not source.documents:
                return Loaded(source, objects, diags, item.report)
        try:
            self._recognise(source, objects, diags)
        except Exception as exc:  # noqa: BLE001 - one file's failure must not stop the run
            d = self._internal_error(source, exc)
            if d:
                diags.append(d)
        # raw data is no longer needed: the Project holds the typed model
        for doc in source.documents:
            doc.data = None
        source.release_positions()
        return Loaded(source, objects, diags, item.report)

    def _recognise(self, source: Source, objects: list[ModelObject], diags: list[Diagnostic]) -> None:
        """The typed objects of every document of ``source`` into ``objects``; what is wrong
        with their shape, and the duplicate keys in them, into ``diags``."""
        claimed: set[int] = set()
        for doc in source.documents:
            rec = recognise(source, doc)
            if rec.claimed:
                claimed.add(doc.index)
            objects.extend(rec.objects)
            for v in rec.violations:
                span = source.locate(v.doc_index, v.path)
                rule_name = v.rule if get_rule(v.rule) is not None else "schema-violation"
                d = self.engine_diag(rule_name, source, span.line, span.column, v.message,
                                     v.doc_index, v.path, span)
                if d:
                    diags.append(d)
        # duplicate keys in documents gpulint recognises; other YAML (CI configs, Helm
        # values) is not gpulint's to judge, whatever its parser makes of a repeated key
        for dup in source.duplicates:
            if dup.doc_index not in claimed:
                continue
            d = self.engine_diag(
                "schema-violation", source, dup.line, dup.column,
                f"duplicate key '{dup.key}'"
                + (f" (first on line {dup.first_line})" if dup.first_line else "")
                + "; Kubernetes and the AWS tools keep only the last value",
                dup.doc_index,
            )
            if d:
                diags.append(d)

    def _internal_error(self, source: Source, exc: BaseException) -> Optional[Diagnostic]:
        import traceback

        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {os.path.basename(tb[-1].filename)}:{tb[-1].lineno}" if tb else ""
        if os.environ.get("GPULINT_DEBUG"):
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
        return self.engine_diag(
            "internal-error", source, 1, 1, f"gpulint failed on this file: {type(exc).__name__}: {exc}{where}"
        )

    # ----------------------------------------------------------------------- the whole run

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
        report: dict[str, bool] = {}
        per_source_diags: dict[int, list[Diagnostic]] = {}
        owners: dict[int, Linter] = {}  # id(source) -> the linter of its config
        for item, loaded in zip(inputs, self.process_all(inputs)):
            source = loaded.source
            report[source.name] = loaded.report
            result.sources.append(source)
            if loaded.report:
                result.files_checked += 1
            per_source_diags[id(source)] = loaded.diagnostics
            owners[id(source)] = self.for_config(item.config)
            for obj in loaded.objects:
                result.project.add(obj)
        result.notes.extend(unread_notes(result.sources))
        if all(owner is self for owner in owners.values()):
            self._run_rules(result.project, per_source_diags, report)
            self._rule_notes(result, report)
            self._check_budget(result, per_source_diags, report)
            self._suppress(result, per_source_diags, report)
        else:
            self._run_per_config(result, per_source_diags, report, owners)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result

    def _run_per_config(self, result: Result, per_source_diags: dict[int, list[Diagnostic]],
                        report: dict[str, bool], owners: dict[int, "Linter"]) -> None:
        """The rules of each config over the whole Project (the cross-file joins see every
        file), each config keeping the findings in its own files; then each file's
        suppressions, as its config has it."""
        linters = list({id(owner): owner for owner in owners.values()}.values())
        for linter in linters:
            mine = {sid for sid, owner in owners.items() if owner is linter}
            found: dict[int, list[Diagnostic]] = {}
            linter._run_rules(result.project, found, report)
            names = {s.name for s in result.sources if id(s) in mine}
            linter._rule_notes(result, {n: r and n in names for n, r in report.items()})
            linter._check_budget(result, found, {n: r and n in names for n, r in report.items()})
            for sid in mine:
                per_source_diags[sid].extend(found.get(sid, []))
        for linter in linters:
            names = {s.name for s in result.sources if owners[id(s)] is linter}
            linter._suppress(result, per_source_diags, {n: r and n in names for n, r in report.items()})
            for name in names:
                result.fail_on[name] = linter.config.fail_on

    def process_all(self, inputs: list[Input]) -> list[Loaded]:
        """Per-file work, on every core when there is enough of it to pay for the processes; with a
        ``memo`` (see ``gpulint.engine.reuse``) only for the inputs the last run did not have."""
        if self.memo is not None:
            return self.memo.process(inputs, self._process_all)
        return self._process_all(inputs)

    def _process_all(self, inputs: list[Input]) -> list[Loaded]:
        jobs = parallel.parallel_jobs(inputs)
        self._jobs = jobs  # the rules then run on as many cores
        done: Optional[list[Loaded]] = None
        if jobs > 1:
            try:
                done = parallel.process_parallel(self, inputs, jobs)
            except Exception:  # noqa: BLE001 - no fork, pickling trouble, a dead worker: do it here
                pass
        if done is None:
            done = [self.process(item) for item in inputs]
        if any(loaded.source.kind == "terraform" for loaded in done):
            from gpulint.engine.linking import link_terraform

            link_terraform(self, inputs, done)
        return done

    def _check_budget(self, result: Result, per_source_diags: dict[int, list[Diagnostic]],
                      report: dict[str, bool]) -> None:
        """The budget gate over the resources of the whole run, when a budget is set. It fails closed:
        an estimate that fails is an error, a resource it cannot price a warning."""
        if self._budget is None:
            return
        from gpulint.cost.budget import budget_findings

        # a finding about the run as a whole goes on the first reported file with a recognised object
        modelled = {id(obj.source) for obj in result.project.objects}
        reported = [s for s in sorted(result.sources, key=lambda s: s.name) if report.get(s.name, True)]
        fallback = next((s for s in reported if id(s) in modelled), reported[0] if reported else None)
        for found in budget_findings(result.project, self._budget, report, self.region):
            if found.row is not None:
                res = found.row.resource
                src, line, column, doc_index, path = res.source, found.row.line, found.row.column, \
                    res.doc_index, res.path
            elif fallback is not None:
                src, line, column, doc_index, path = fallback, 1, 1, 0, ()
            else:
                continue
            d = self.engine_diag(found.rule, src, line, column, found.message, doc_index, path)
            if d:
                per_source_diags.setdefault(id(src), []).append(d)

    def _suppress(self, result: Result, per_source_diags: dict[int, list[Diagnostic]],
                  report: dict[str, bool]) -> None:
        """Each reported file's diagnostics, its suppressions applied, into ``result``."""
        project = result.project
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
            kept, unused = apply_suppressions(self, source, diags, with_ignores.get(id(source), []),
                                              by_source.get(id(source), []), project)
            result.unused_suppressions.extend((source.name, line, rule) for line, rule in unused)
            result.diagnostics.extend(cap_schema_problems(kept))
            source.release_positions()

    # ----------------------------------------------------------------------- the rules

    def _run_rules(self, project: Project, per_source: dict[int, list[Diagnostic]],
                   report: dict[str, bool]) -> None:
        rules = [r for r in self.rules if r.targets and project.has(*r.targets)]
        results: Optional[list[tuple[list[tuple[int, Diagnostic]], set]]] = None
        if self._jobs > 1 and len(rules) > 1:
            try:
                results = parallel.check_parallel(self, rules, project, report, self._jobs)
            except Exception:  # noqa: BLE001 - no fork, a dead worker: check here instead
                results = None
        if results is None:
            results = [(self.check_rule(rule_cls, project, report), set()) for rule_cls in rules]
        # merged in rule order, as a single process would have produced them
        for found, used in results:
            for source_id, d in found:
                per_source.setdefault(source_id, []).append(d)
            self.annotation_used |= used

    def _rule_notes(self, result: Result, report: dict[str, bool]) -> None:
        """What the active rules say about the run as a whole, each distinct note once."""
        for rule_cls in self.rules:
            if not (rule_cls.targets and result.project.has(*rule_cls.targets)):
                continue
            try:
                notes = rule_cls.run_notes(result.project, self.config, report)
            except Exception as exc:  # noqa: BLE001 - a note must not stop the run
                notes = [f"rule {rule_cls.name} failed to write its notes: {type(exc).__name__}: {exc}"]
            result.notes.extend(n for n in notes if n not in result.notes)

    def check_rule(self, rule_cls: type[Rule], project: Project,
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
        if finding.severity is not None:  # a severity set in the config still wins
            severity = self.config.severity_for(rule.name, finding.severity)
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
            also_lines=_also_lines(target, finding, span.line),
        )
        hits = annotation_ignores(target, finding.path, d)
        if hits:
            for prefix, key in hits:
                self.annotation_used.add((target.source.name, target.doc_index, prefix, key))
            return None
        return d


def _also_lines(target: ModelObject, finding: Finding, line: int) -> tuple[int, ...]:
    """The lines of the finding's other positions that exist in the document (not its own)."""
    lines: list[int] = []
    for path in finding.also:
        span = target.source.locate(target.doc_index, path)
        if span.exact and span.line != line and span.line not in lines:
            lines.append(span.line)
    return tuple(lines)


def unread_notes(sources: list[Source]) -> list[str]:
    """One note for the files skipped without an error (Python gpulint cannot parse), by kind."""
    by_kind: dict[str, list[Source]] = {}
    for source in sources:
        if source.unread is not None:
            by_kind.setdefault(source.kind, []).append(source)
    return [f"skipped {len(skipped)} {kind.capitalize()} file(s) that could not be read, e.g. "
            f"{skipped[0].name}: {skipped[0].unread}" for kind, skipped in sorted(by_kind.items())]


def d_source(finding: Finding, obj: ModelObject) -> Source:
    return (finding.obj or obj).source


def load_project(paths: list[str], config: Config, stdin_filename: Optional[str] = None,
                 stdin_data: Optional[bytes] = None, diagnostics: Optional[list[Diagnostic]] = None,
                 **options: Any) -> tuple[Project, list[str]]:
    """Load and recognise files as a lint run does, without running any rule: the Project, and
    notes; what loading found (parse errors, schema violations) into ``diagnostics`` when given.
    ``options`` go to ``collect_inputs`` (``resolver``, ``force_exclude``)."""
    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data, **options)
    project = Project()
    sources = []
    for loaded in Linter(config).process_all(inputs):
        sources.append(loaded.source)
        for obj in loaded.objects:
            project.add(obj)
        if diagnostics is not None:
            diagnostics.extend(loaded.diagnostics)
    return project, notes + unread_notes(sources)


def lint_paths(paths: list[str], config: Optional[Config] = None, select: Iterable[str] = (),
               ignore: Iterable[str] = (), stdin_filename: Optional[str] = None,
               stdin_data: Optional[bytes] = None, region: Optional[str] = None, **options: Any) -> Result:
    """Lint files and folders; the library entry point (``region``: as ``--region``). ``config``
    applies to every file, unless ``options`` holds a ``resolver`` (a ``ConfigResolver``) that
    finds each file's own; the other option is ``force_exclude`` (see ``collect_inputs``)."""
    config = config or Config()
    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data, **options)
    result = Linter(config, select, ignore, region).run(inputs)
    result.notes = notes + result.notes
    return result
