"""The benchmark harness works (nothing here is timed): the corpus is deterministic,
has the documents and findings it says, and ``bench/run.py`` runs end to end."""

from __future__ import annotations

import filecmp
import os
import subprocess
import sys

from gpulint.engine.run import lint_paths

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "bench"))

from corpus import add_unrelated_python, build_corpus  # noqa: E402


def _same_tree(a: str, b: str) -> bool:
    cmp = filecmp.dircmp(a, b)
    if cmp.left_only or cmp.right_only or cmp.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, cmp.common_files, shallow=False)
    return not mismatch and not errors and all(_same_tree(os.path.join(a, d), os.path.join(b, d))
                                               for d in cmp.common_dirs)


def test_corpus_is_deterministic_and_counts_what_it_wrote(tmp_path, monkeypatch) -> None:
    first = build_corpus(str(tmp_path / "a"), 300)
    second = build_corpus(str(tmp_path / "b"), 300)
    assert first == second and _same_tree(str(tmp_path / "a"), str(tmp_path / "b"))
    assert first["documents"] == 300
    assert first["with_findings"] == 30  # every tenth document

    monkeypatch.setenv("GPULINT_JOBS", "1")
    result = lint_paths([str(tmp_path / "a")])
    assert result.files_checked == first["files"]
    assert not [d for d in result.diagnostics if d.rule == "internal-error"]
    seeded = {(o.file, o.doc_index) for o in result.project.objects if (o.name or "").startswith("seeded-")}
    found = {(d.file, d.doc_index) for d in result.diagnostics if d.rule == "gpu-request-limit-mismatch"}
    assert len(seeded) == first["with_findings"]
    assert seeded <= found  # every seeded finding is reported


def _run_py(tmp_path, *extra: str) -> str:
    missing = str(tmp_path / "no-such-tool")
    return subprocess.run(
        [sys.executable, os.path.join(REPO, "bench", "run.py"), "--rounds", "1", "--repeat", "1",
         "--keep", str(tmp_path), "--yamllint", missing, "--cfn-lint", missing, "--checkov", missing, *extra],
        capture_output=True, text=True, check=True, timeout=600,
    ).stdout


def test_run_py_prints_every_measurement_and_ratio(tmp_path) -> None:
    out = _run_py(tmp_path, "--sizes", "20,40", "--cases", "small,small-cfn,documents,fix")
    tables = out[out.index("machine:"):]
    for case, commands in {
        "small file": ("parse floor", "gpulint"),
        "small CloudFormation file": ("parse floor", "gpulint"),
        "20 documents": ("parse floor", "gpulint, GPULINT_JOBS=1", "gpulint"),
        "40 documents": ("parse floor", "gpulint, GPULINT_JOBS=1", "gpulint"),
        "fix tree": ("gpulint", "gpulint --fix"),
    }.items():
        block = tables[tables.index(f"\n{case}: ") + 1:].split("\n\n")[0].splitlines()
        assert [line.split()[0] for line in block[2:]] == [c.split()[0] for c in commands], case
    assert "fix tree: 173 files, 400 documents; --fix changes 42 files" in out
    for label in ("20 documents, one process / parse floor", "20 documents, default / parse floor (one process)",
                  "fix tree: gpulint --fix / gpulint", "40 documents / 20 documents, one process",
                  "peak RSS, 40 documents, default (MB)"):
        row = next(line for line in out.splitlines() if line.startswith(label))
        assert row.split()[-1] in ("ok", "MISSED", "(reference)"), row
    row = next(line for line in out.splitlines() if line.startswith("small file: gpulint / yamllint"))
    assert row.split()[-2:] == ["not", "measured"]


def test_the_mixed_corpus_adds_python_files_gpulint_never_parses(tmp_path, monkeypatch) -> None:
    import ast

    build_corpus(str(tmp_path / "plain"), 100)
    build_corpus(str(tmp_path / "mixed"), 100)
    first = add_unrelated_python(str(tmp_path / "mixed"), 60)
    again = add_unrelated_python(str(tmp_path / "again"), 60)
    assert first == again and first["files"] == 60
    assert _same_tree(str(tmp_path / "mixed" / "app"), str(tmp_path / "again" / "app"))
    python = [os.path.join(d, f) for d, _, fs in os.walk(str(tmp_path / "mixed" / "app")) for f in fs]
    assert len(python) == 60 and all(p.endswith(".py") for p in python)
    for path in python:
        text = open(path, encoding="utf-8").read()
        compile(text, path, "exec")  # real Python
        assert "boto3" not in text and "sagemaker" not in text

    def refuse(*_a, **_k):
        raise AssertionError("a Python file without boto3 or sagemaker was parsed")

    monkeypatch.setattr(ast, "parse", refuse)
    monkeypatch.setenv("GPULINT_JOBS", "1")
    plain = lint_paths([str(tmp_path / "plain")])
    mixed = lint_paths([str(tmp_path / "mixed")])
    assert mixed.files_checked == plain.files_checked + 60
    rel = lambda result, root: sorted((os.path.relpath(d.file, root), d.line, d.rule) for d in result.diagnostics)  # noqa: E731
    assert rel(mixed, str(tmp_path / "mixed")) == rel(plain, str(tmp_path / "plain"))


def test_mixed_py_prints_both_runs_and_the_ratio(tmp_path) -> None:
    out = subprocess.run(
        [sys.executable, os.path.join(REPO, "bench", "mixed.py"), "--rounds", "1", "--documents", "20",
         "--python-files", "20", "--keep", str(tmp_path)],
        capture_output=True, text=True, check=True, timeout=300,
    ).stdout
    for label in ("yaml only, GPULINT_JOBS=1", "yaml + python, GPULINT_JOBS=1", "yaml + python / yaml only, GPULINT_JOBS=1",
                  "yaml + python / yaml only", "plus 20 Python files"):
        assert label in out, label


def test_run_py_says_how_to_get_the_peers_when_they_are_missing(tmp_path) -> None:
    out = _run_py(tmp_path, "--sizes", "20", "--cases", "small")
    for tool in ("yamllint -d relaxed", "cfn-lint", "checkov --framework kubernetes"):
        assert f"{tool} was not found: pip install 'gpulint[bench]'" in out


def test_cloudformation_case_takes_only_sagemaker_templates(tmp_path) -> None:
    from cases import cloudformation_templates

    (tmp_path / "a.yaml").write_text("Resources:\n  M:\n    Type: AWS::SageMaker::Model\n")
    (tmp_path / "b.yaml").write_text("Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    (tmp_path / "c.yaml").write_text("kind: Deployment  # AWS::SageMaker:: in a comment, no template\n")
    assert cloudformation_templates(str(tmp_path)) == [str(tmp_path / "a.yaml")]
