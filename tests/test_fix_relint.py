"""``--fix`` lints again only the files its fixes changed, and the result is the one a fresh run
on the fixed tree gives: the same diagnostics, notes and files, cross-file joins included."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from helpers import run_cli

from gpulint.engine import reuse
from gpulint.engine.run import lint_paths
from gpulint.fix.run import run_fixes

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))

from corpus import build_corpus  # noqa: E402


def _rows(result) -> list[tuple]:
    return [(d.file, d.line, d.column, d.rule, d.severity, d.message, d.doc_index, tuple(d.path),
             d.fix is not None) for d in result.diagnostics]


def _reloads(monkeypatch) -> list[list[str]]:
    """The inputs each run of a memo loaded (the first run loads them all)."""
    seen: list[list[str]] = []
    original = reuse.LoadedMemo.process

    def process(self, inputs, process_all):
        out = original(self, inputs, process_all)
        seen.append(list(self.reloaded))
        return out

    monkeypatch.setattr(reuse.LoadedMemo, "process", process)
    return seen


@pytest.mark.parametrize("unsafe", [False, True])
def test_fixed_examples_report_what_a_fresh_run_reports(tmp_path, monkeypatch, unsafe) -> None:
    root = str(tmp_path / "examples")
    shutil.copytree(os.path.join(REPO, "examples"), root)
    monkeypatch.chdir(tmp_path)
    before = {os.path.join(d, f): open(os.path.join(d, f), "rb").read()
              for d, _, files in os.walk(root) for f in files}
    reloads = _reloads(monkeypatch)
    outcome = run_fixes(["examples"], unsafe=unsafe)
    changed = sorted(f.name for f in outcome.changed)
    assert changed and all(f.written for f in outcome.changed)
    # the first run loads every file; each later one only what the fixes changed
    assert len(reloads[0]) == len(before) - 1  # README.md is not linted
    # a changed .tf file is loaded again with its whole module (the folder's .tf files link together)
    modules = {os.path.dirname(c) for c in changed if c.endswith(".tf")}
    again = set(changed) | {f for f in reloads[0] if f.endswith(".tf") and os.path.dirname(f) in modules}
    assert "examples/terraform/variables.tf" in again
    assert len(reloads) >= 2 and all(set(r) <= again for r in reloads[1:])
    assert sum(len(r) for r in reloads[1:]) < len(reloads[0])
    if unsafe:  # a taint added to the cluster file changes what the workloads beside it are told
        assert "examples/cluster/cluster.yaml" in changed
    fresh = lint_paths(["examples"])
    assert _rows(outcome.result) == _rows(fresh)
    assert outcome.result.notes[len(outcome.notes):] == fresh.notes
    assert [s.name for s in outcome.result.sources] == [s.name for s in fresh.sources]


def test_fix_cli_reports_what_plain_gpulint_reports_after(tmp_path, monkeypatch) -> None:
    stats = build_corpus(str(tmp_path / "tree"), 400)
    shutil.copytree(os.path.join(REPO, "examples", "cluster"), str(tmp_path / "tree" / "cluster"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GPULINT_JOBS", "1")
    status, fixed_out, _ = run_cli(["--fix", "--unsafe-fixes", "--format", "json", "tree"])
    _, fresh_out, _ = run_cli(["--format", "json", "tree"])
    assert stats["with_findings"] == 40
    assert fixed_out == fresh_out
    assert '"gpu-request-limit-mismatch"' not in fresh_out  # the seeded findings were fixed
