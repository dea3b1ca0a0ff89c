"""What a run produces: the :class:`Result` of a whole run, and the :class:`Loaded` state of one
input after the per-file work (loading and recognising), before the rules run."""

from __future__ import annotations

from dataclasses import dataclass, field

from gpulint.diagnostics import Diagnostic, Severity
from gpulint.load import Source
from gpulint.model.core import ModelObject
from gpulint.model.project import Project


@dataclass
class Result:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    #: the model of the run: every object recognised in its files (context files included), for
    #: later steps to reuse instead of loading the files again; the documents' raw data is
    #: released once recognised
    project: Project = field(default_factory=Project)
    files_checked: int = 0
    notes: list[str] = field(default_factory=list)
    #: suppressions that matched nothing: (file, line, rule-or-code)
    unused_suppressions: list[tuple[str, int, str]] = field(default_factory=list)
    #: the fail-on level of each file linted with a config other than the run's
    fail_on: dict[str, str] = field(default_factory=dict)

    def count(self, severity: Severity) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)


@dataclass
class Loaded:
    """One input after the per-file work: its source, typed objects and diagnostics so far."""

    source: Source
    objects: list[ModelObject]
    diagnostics: list[Diagnostic]
    report: bool
