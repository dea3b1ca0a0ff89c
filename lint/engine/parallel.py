"""Forked workers for large runs: loading and recognising files, then checking the rules.

A run with enough input (``PARALLEL_MIN_FILES`` files and ``PARALLEL_MIN_BYTES`` bytes) uses
up to eight cores. ``process_parallel`` loads and recognises chunks of files in forked
workers, which send the typed objects back pickled, in input order. ``check_parallel`` deals
the rules out to forked workers that share the whole Project with the parent, each rule whole
in one process; the results come back in rule order, so the report is the one a single
process would have made. Both raise when there is no fork or a worker dies, and the
``Linter`` then does the work in its own process.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Optional

from gpulint.diagnostics import Diagnostic
from gpulint.engine.inputs import Input
from gpulint.engine.rule import Rule
from gpulint.model.project import Project

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.engine.run import Linter, Loaded

#: below this much input, starting worker processes costs more than it saves
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
PARALLEL_MIN_FILES = 64

#: what the forked workers work with: set in the parent just before the fork
_WORKER: Optional["Linter"] = None
_RULE_RUN: Optional[tuple["Linter", list[type[Rule]], Project, dict[str, bool]]] = None


def parallel_jobs(inputs: list[Input]) -> int:
    """How many processes to load ``inputs`` with: 1 unless there is enough to pay for more."""
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


def _work(chunk: list[Input]) -> tuple[list["Loaded"], list[str]]:
    """One chunk of files, and the domain modules loaded to recognise them."""
    from gpulint.model.recognize import DOMAIN_GATES

    assert _WORKER is not None
    done = [_WORKER.process(item) for item in chunk]
    return done, [name for name in DOMAIN_GATES if name in sys.modules]


def process_parallel(linter: "Linter", inputs: list[Input], jobs: int) -> list["Loaded"]:
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
            out: list["Loaded"] = []
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


def _check_group(indices: list[int]) -> list[tuple[int, list[tuple[int, Diagnostic]], set]]:
    """Some of the rules, in a forked worker that shares the whole Project with its parent.

    Objects keep their addresses across a fork, so ``id(source)`` means the same here and there.
    """
    assert _RULE_RUN is not None
    linter, rules, project, report = _RULE_RUN
    out = []
    for i in indices:
        before = set(linter.annotation_used)
        found = linter.check_rule(rules[i], project, report)
        out.append((i, found, linter.annotation_used - before))
    return out


def check_parallel(linter: "Linter", rules: list[type[Rule]], project: Project, report: dict[str, bool],
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
