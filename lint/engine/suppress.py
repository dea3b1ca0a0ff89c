"""Suppressions: what silences a diagnostic, and which silencers silenced nothing.

Two ways to silence a finding: a ``# gpulint: disable=...`` comment (``disable`` on a line or
the next one, ``disable-next-line``, ``disable-file``), parsed per file by ``Suppressions``;
and the ``gpulint.io/ignore`` annotation on a Kubernetes object, read by the recogniser into
``ModelObject.ignores`` and matched by ``annotation_ignores`` as each finding is made.
``apply_suppressions`` applies a file's comments to its diagnostics once the rules have run,
and reports (as the ``unused-suppression`` rule) the comments and annotation entries that
suppressed nothing in a run where they had a chance to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Optional

from gpulint.diagnostics import Diagnostic, Path
from gpulint.engine.rule import Rule, all_rules, get_rule
from gpulint.load import Source, Span
from gpulint.model.core import ModelObject
from gpulint.model.kubernetes import IGNORE_ANNOTATION
from gpulint.model.project import Project

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Linter

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
    #: comments that name no rule: (line, first column, end column, directive)
    blanket: list[tuple[int, int, int, str]] = field(default_factory=list)

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
            if names is None:
                sup.blanket.append((lineno, m.start() + 1, m.end(1) + 1, what))
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
        # a finding about a pair (a request and its limit) may be silenced on either line
        for line in (diag.line, *diag.also_lines):
            rules = self.lines.get(line)
            if rules:
                for key in keys:
                    if key in rules:
                        self.used.add((self.origin[(line, key)], key))
                        return True
        return False

    def names_explicitly(self, line: int, names: set[str]) -> bool:
        """Does a comment that names one of ``names`` (not a blanket one) cover ``line``? The
        comment counts as used."""
        for name in names:
            if name in self.file_rules:
                self.used.add((self.file_line[name], name))
                return True
            if name in self.lines.get(line, ()):
                self.used.add((self.origin[(line, name)], name))
                return True
        return False

    def unused(self) -> list[tuple[int, str]]:
        declared = {(line, r) for r, line in self.file_line.items()}
        declared |= {(origin, r) for (_, r), origin in self.origin.items()}
        return sorted(declared - self.used)


def annotation_ignores(obj: Optional[ModelObject], path: Path, diag: Diagnostic) -> list[tuple[Path, str]]:
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


# --------------------------------------------------------------------------- unused suppressions


def apply_suppressions(linter: "Linter", source: Source, diags: list[Diagnostic], annotated: list[ModelObject],
                       in_file: list[ModelObject], project: Project) -> tuple[list[Diagnostic], list[tuple[int, str]]]:
    """The diagnostics of ``source`` that its suppression comments leave, plus its
    ``unused-suppression`` findings; and the (line, name) of every comment entry that
    suppressed nothing.

    ``diags`` went through the annotations already; ``annotated`` are the objects of the file
    that carry an ignore annotation, ``in_file`` all its objects.
    """
    sup = Suppressions.parse(source.text) if source.text else Suppressions()
    kept = [d for d in diags if not sup.suppresses(d)]
    blanket = _blanket_comments(linter, source, sup)
    unused = sup.unused()
    unused_blanket: set[int] = set()
    if (
        linter.is_active("unused-suppression")
        and source.error is None
        and not any(d.rule == "internal-error" for d in diags)
    ):
        found = (_unused_comments(linter, source, sup, in_file, project)
                 + _unused_annotations(linter, source, annotated, project))
        for d in found:
            # only an explicit disable of this rule silences it: a blanket one is what it reports on
            names = {d.rule, d.code}
            if not (names & sup.file_rules or names & sup.lines.get(d.line, set())):
                kept.append(d)
                if (d.line, "all") in unused:
                    unused_blanket.add(d.line)
    # a blanket comment reported as unused is to be removed, not made specific
    kept.extend(d for d in blanket if d.line not in unused_blanket)
    return kept, unused


_BLANKET_SCOPE = {
    "disable": "on its line",
    "disable-next-line": "on the next line",
    "disable-file": "in the whole file",
}


def _blanket_comments(linter: "Linter", source: Source, sup: Suppressions) -> list[Diagnostic]:
    """``blanket-suppression`` for each comment of ``source`` that names no rule; only a comment
    that names this rule silences it (a blanket one is what it reports on)."""
    if not sup.blanket or not linter.is_active("blanket-suppression"):
        return []
    rule = get_rule("blanket-suppression")
    assert rule is not None
    lines = source.text.splitlines()
    out: list[Diagnostic] = []
    for line, column, end_column, what in sup.blanket:
        if sup.names_explicitly(line, {rule.name, rule.code}):
            continue
        scope = _BLANKET_SCOPE[what]
        if what == "disable" and not lines[line - 1][: column - 1].strip():
            scope = "on its line and the next"
        message = (f"'# gpulint: {what}' names no rule, so it hides every finding {scope}; name the rules "
                   f"it is meant for: '# gpulint: {what}=RULE[,RULE]'")
        d = linter.engine_diag(rule.name, source, line, column, message, end=Span(line, column, line, end_column))
        if d:
            out.append(d)
    return out


def _unused_comments(linter: "Linter", source: Source, sup: Suppressions, in_file: list[ModelObject],
                     project: Project) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    lines = source.text.splitlines()
    for line, name in sup.unused():
        file_wide = sup.file_line.get(name) == line
        message = _unused_message(linter, name, "file-wide suppression" if file_wide else "suppression",
                                  in_file, project)
        if message is None:
            continue
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        m = _DIRECTIVE.search(text)
        column = m.start() + 1 if m else 1
        end = Span(line, column, line, m.end() + 1 if m else column)
        d = linter.engine_diag("unused-suppression", source, line, column, message, end=end)
        if d:
            out.append(d)
    return out


def _unused_annotations(linter: "Linter", source: Source, objects: list[ModelObject],
                        project: Project) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    seen: set[tuple[int, Path, str]] = set()
    for obj in objects:
        for prefix, names in obj.ignores.items():
            for name in sorted(names):
                key = (obj.doc_index, prefix, name)
                if key in seen or (source.name, *key) in linter.annotation_used:
                    continue
                seen.add(key)
                message = _unused_message(linter, name, f"{IGNORE_ANNOTATION} on {obj.display()}: suppression",
                                          [obj], project)
                if message is None:
                    continue
                path = prefix + ("metadata", "annotations", IGNORE_ANNOTATION)
                span = source.locate(obj.doc_index, path)
                d = linter.engine_diag("unused-suppression", source, span.line, span.column, message,
                                       obj.doc_index, path, span)
                if d:
                    out.append(d)
    return out


def _unused_message(linter: "Linter", name: str, what: str, objects: list[ModelObject],
                    project: Project) -> Optional[str]:
    """Why the suppression of ``name`` is worth reporting, or None to stay silent.

    ``objects`` are those the suppression may cover; a rule whose findings on them can
    depend on files outside this run may need the suppression in another run.
    """
    if name == "unused-suppression":
        return None
    if name == "all":
        if not all(linter.is_active(r.name) for r in all_rules()):
            return None  # some rules did not run: a blanket suppression may be needed for them
        if any(r.targets and _reads_other_files(r, objects, project) for r in linter.rules):
            return None  # it may be there for a rule that reads other files
        return f"{what} of all rules suppressed nothing; remove it"
    rule = get_rule(name)
    if rule is None:
        import difflib

        close = difflib.get_close_matches(name, [r.name for r in all_rules()], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"{what} names '{name}', which is not a gpulint rule{hint}; fix the name or remove it"
    if not linter.is_active(rule.name):
        return None  # not selected in this run: it had no chance to fire
    if _reads_other_files(rule, objects, project):
        return None
    return f"{what} of {name} suppressed nothing; remove it"


def _reads_other_files(rule: type[Rule], objects: list[ModelObject], project: Project) -> bool:
    if rule.cross_file and not rule.targets:  # an engine rule over the whole run (the budget)
        return True
    return any(isinstance(obj, rule.targets) and rule.reads_other_files(obj, project) for obj in objects)


#: schema problems shown per document; one more diagnostic counts the rest
SCHEMA_PROBLEMS_SHOWN = 5


def cap_schema_problems(diags: list[Diagnostic]) -> list[Diagnostic]:
    """``diags`` (one file's, suppressions applied) with at most ``SCHEMA_PROBLEMS_SHOWN``
    schema-violation diagnostics per document, the first in the file; the rest are counted
    by one more schema-violation diagnostic, placed where the first of them is."""
    by_doc: dict[int, list[Diagnostic]] = {}
    for d in diags:
        if d.rule == "schema-violation":
            by_doc.setdefault(d.doc_index, []).append(d)
    hidden: set[int] = set()
    counts: list[Diagnostic] = []
    for group in by_doc.values():
        if len(group) <= SCHEMA_PROBLEMS_SHOWN:
            continue
        rest = sorted(group, key=Diagnostic.sort_key)[SCHEMA_PROBLEMS_SHOWN:]
        hidden.update(id(d) for d in rest)
        n = len(rest)
        message = f"... and {n} more schema problem{'s' if n > 1 else ''} in this document"
        counts.append(replace(rest[0], message=message, end_line=None, end_column=None, fix=None, related=[]))
    if not counts:
        return diags
    return [d for d in diags if id(d) not in hidden] + counts
