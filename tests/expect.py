"""Fixture cases with their expected diagnostics written inside them.

Each rule has a folder ``tests/fixtures/rules/<rule-name>/`` holding the cases
written for it: where it fires, and near-misses (marked by a ``near-miss``
comment) where it must not. Scenarios about several rules at once
(suppressions, kustomize overlays, the forms of SageMaker documents) live in
``tests/fixtures/cases/``. In either folder a case is a file, or a folder of
files. In YAML (and Terraform), a comment ``# expect: rule-name`` (several: ``# expect: a, b``)
marks the line where exactly that diagnostic must be reported (in Python files too); a line without
a marker must have none. JSON cannot hold comments, so ``x.json`` lists its
expectations in ``x.json.expect``, one ``LINE rule-name`` per line. A case's
config comes from ``gpulint.yaml`` in a case folder (read as that folder's
config file: ``context`` globs are relative to it), or from a first-line
comment ``# config: {flow yaml}`` in a single-file case."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any, Optional

import yaml

from gpulint.config import from_mapping
from gpulint.engine.run import lint_paths

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
CASES = os.path.join(FIXTURES, "cases")
RULE_CASES = os.path.join(FIXTURES, "rules")
#: the files a case is made of (Python marks its lines with the same ``# expect:`` comments)
CASE_EXTENSIONS = (".yaml", ".yml", ".json", ".tf", ".py")
_MARK = re.compile(r"#\s*expect:\s*([a-z0-9\-, ]+)")


def expected_for_file(path: str) -> Counter:
    out: Counter = Counter()
    if path.endswith(".json"):
        side = path + ".expect"
        if os.path.exists(side):
            for line in open(side, encoding="utf-8"):
                line = line.strip()
                if line and not line.startswith("#"):
                    num, rule = line.split()
                    out[(int(num), rule)] += 1
        return out
    with open(path, encoding="utf-8", errors="replace") as fh:
        for num, line in enumerate(fh, 1):
            m = _MARK.search(line)
            if m:
                for rule in m.group(1).split(","):
                    if rule.strip():
                        out[(num, rule.strip())] += 1
    return out


def case_config(case: str) -> dict[str, Any]:
    if os.path.isdir(case):
        cfg = os.path.join(case, "gpulint.yaml")
        if os.path.exists(cfg):
            return yaml.safe_load(open(cfg, encoding="utf-8")) or {}
        return {}
    with open(case, encoding="utf-8", errors="replace") as fh:
        first = fh.readline()
    m = re.match(r"#\s*config:\s*(.*)", first)
    return yaml.safe_load(m.group(1)) if m else {}


def case_files(case: str) -> list[str]:
    if os.path.isdir(case):
        out = []
        for root, _, files in os.walk(case):
            for f in files:
                if f.endswith(CASE_EXTENSIONS) and f != "gpulint.yaml":
                    out.append(os.path.join(root, f))
        return sorted(out)
    return [case]


def cases_in(folder: str) -> list[str]:
    """The cases of a folder: each YAML or JSON file in it, and each folder in it."""
    out = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if os.path.isdir(path) or name.endswith(CASE_EXTENSIONS):
            out.append(path)
    return out


def rule_folders() -> list[str]:
    return [os.path.join(RULE_CASES, name) for name in sorted(os.listdir(RULE_CASES))]


def all_cases() -> list[str]:
    out = cases_in(CASES)
    for folder in rule_folders():
        out.extend(cases_in(folder))
    return out


def run_case(case: str, extra_config: Optional[dict] = None) -> tuple[Counter, Counter]:
    """(expected, actual) counters of (file relative to case, line, rule)."""
    cfg = {**case_config(case), **(extra_config or {})}
    # a case folder's config is read as if it were the folder's .gpulint.yaml: its globs are relative to it
    config = from_mapping(cfg, os.path.join(case, "gpulint.yaml") if os.path.isdir(case) else None)
    files = case_files(case)
    base = case if os.path.isdir(case) else os.path.dirname(case)
    result = lint_paths(files, config)
    expected: Counter = Counter()
    for f in files:
        for (line, rule), n in expected_for_file(f).items():
            expected[(os.path.relpath(f, base), line, rule)] += n
    actual: Counter = Counter()
    for d in result.diagnostics:
        actual[(os.path.relpath(d.file, base), d.line, d.rule)] += 1
    return expected, actual
