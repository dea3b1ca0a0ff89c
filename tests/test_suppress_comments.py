"""Suppression comments where people put them: on either line of a pair, on the next line, and
blanket ones reported as ``blanket-suppression``. (The fixture cases
``suppression-pairs*`` and ``suppressions-next-line.yaml`` hold the line-by-line expectations.)"""

from __future__ import annotations

import json

import pytest
from helpers import run_cli

from gpulint.config import from_mapping
from gpulint.engine.run import lint_paths

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
    - name: a
      image: busybox
      resources:
        requests:
          nvidia.com/gpu: 1{request}
        limits:
          nvidia.com/gpu: 2{limit}
"""


def rows(argv: list[str]) -> list[tuple]:
    status, out, err = run_cli(["--format", "json", *argv])
    assert status in (0, 1), err
    return [(d["file"], d["line"], d["column"], d["rule"], d["message"]) for d in json.loads(out)]


@pytest.fixture
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- pairs


def test_a_comment_on_the_limit_line_silences_the_mismatch_and_is_used(work) -> None:
    (work / "p.yaml").write_text(POD.format(request="", limit="  # gpulint: disable=gpu-request-limit-mismatch"))
    assert rows(["p.yaml"]) == []


def test_the_finding_still_points_at_the_request(work) -> None:
    (work / "p.yaml").write_text(POD.format(request="", limit=""))
    [(file, line, column, rule, _)] = rows(["p.yaml"])
    assert (file, line, column, rule) == ("p.yaml", 10, 27, "gpu-request-limit-mismatch")
    # the pair's other line is the engine's business, not part of the report
    status, out, _ = run_cli(["--format", "json", "p.yaml"])
    assert set(json.loads(out)[0]) == {"rule", "code", "severity", "file", "line", "column", "end_line",
                                       "end_column", "message", "fixable", "fix_applicability", "path"}


def test_a_comment_on_the_limit_line_naming_another_rule_does_not(work) -> None:
    (work / "p.yaml").write_text(POD.format(request="", limit="  # gpulint: disable=gpu-limit-missing"))
    assert [(r[1], r[3]) for r in rows(["p.yaml"])] == [(10, "gpu-request-limit-mismatch"), (12, "unused-suppression")]


def test_library_findings_carry_the_other_line() -> None:
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "p.yaml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(POD.format(request="", limit=""))
        [d] = lint_paths([path], from_mapping({})).diagnostics
    assert (d.rule, d.line, d.also_lines) == ("gpu-request-limit-mismatch", 10, (12,))


# --------------------------------------------------------------------------- blanket suppressions


BLANKET_MESSAGE = ("'# gpulint: disable' names no rule, so it hides every finding on its line; name the rules it "
                   "is meant for: '# gpulint: disable=RULE[,RULE]'")


def test_blanket_comment_is_reported_with_position_and_message(work) -> None:
    (work / "p.yaml").write_text(POD.format(request="  # gpulint: disable", limit=""))
    assert rows(["p.yaml"]) == [("p.yaml", 10, 30, "blanket-suppression", BLANKET_MESSAGE)]
    status, out, _ = run_cli(["p.yaml"])
    assert status == 0  # info: it does not fail the default run
    assert out.splitlines()[0] == f"p.yaml:10:30: info blanket-suppression {BLANKET_MESSAGE}"


@pytest.mark.parametrize("comment, column, message", [
    ("        # gpulint: disable\n", 9,
     "'# gpulint: disable' names no rule, so it hides every finding on its line and the next; name the rules it "
     "is meant for: '# gpulint: disable=RULE[,RULE]'"),
    ("        # gpulint: disable-next-line because\n", 9,
     "'# gpulint: disable-next-line' names no rule, so it hides every finding on the next line; name the rules it "
     "is meant for: '# gpulint: disable-next-line=RULE[,RULE]'"),
    ("# gpulint: disable-file\n", 1,
     "'# gpulint: disable-file' names no rule, so it hides every finding in the whole file; name the rules it is "
     "meant for: '# gpulint: disable-file=RULE[,RULE]'"),
])
def test_each_blanket_form(work, comment: str, column: int, message: str) -> None:
    lines = POD.format(request="", limit="").splitlines(keepends=True)
    lines.insert(9, comment)  # line 10, above the request
    (work / "p.yaml").write_text("".join(lines))
    assert rows(["p.yaml"]) == [("p.yaml", 10, column, "blanket-suppression", message)]


def test_blanket_is_silenced_only_by_naming_it(work) -> None:
    # the blanket comment cannot silence the report about itself
    (work / "p.yaml").write_text(POD.format(request="  # gpulint: disable", limit=""))
    assert [r[3] for r in rows(["p.yaml"])] == ["blanket-suppression"]
    (work / "p.yaml").write_text("# gpulint: disable-file=blanket-suppression\n"
                                 + POD.format(request="  # gpulint: disable", limit=""))
    assert rows(["p.yaml"]) == []  # and the file-wide comment counts as used
    (work / "p.yaml").write_text(POD.format(request="  # gpulint: disable", limit="").replace(
        "          nvidia.com/gpu: 1", "          # gpulint: disable=GL005\n          nvidia.com/gpu: 1"))
    assert rows(["p.yaml"]) == []
    (work / "p.yaml").write_text(POD.format(request="  # gpulint: disable", limit=""))
    assert rows(["--ignore", "blanket-suppression", "p.yaml"]) == []


def test_explicit_all_is_not_blanket(work) -> None:
    (work / "p.yaml").write_text(POD.format(request="  # gpulint: disable=all", limit=""))
    assert rows(["p.yaml"]) == []
