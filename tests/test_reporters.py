"""Reporters turn diagnostics into text, JSON, GitHub annotations and SARIF.

Each reporter gets a hand-made Result, so what it prints is known exactly.
(tests/test_sarif.py validates SARIF against the full 2.1.0 schema and
tests/test_github.py parses annotations against the workflow-command syntax.)
"""

from __future__ import annotations

import io
import json
import os

import jsonschema
import pytest

from gpulint.diagnostics import Applicability, Diagnostic, Edit, Fix, Severity
from gpulint.engine.run import Result
from gpulint.reporters import FORMATS, get_reporter

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def diag(**kw) -> Diagnostic:
    base = dict(rule="gpu-limit-missing", code="GPU101", severity=Severity.ERROR, file="deploy/llm.yaml",
                line=12, column=40, end_line=12, end_column=41,
                message="container 'server' requests nvidia.com/gpu: 1 but sets no limit for it")
    base.update(kw)
    return Diagnostic(**base)


def render(fmt: str, result: Result, **options) -> str:
    out = io.StringIO()
    get_reporter(fmt)(result, out, {"colour": False, "quiet": False, **options})
    return out.getvalue()


@pytest.fixture
def result() -> Result:
    return Result(
        diagnostics=[
            diag(),
            diag(rule="gpu-probe-too-short", code="GPU105", severity=Severity.WARNING, line=15, column=13,
                 end_line=16, end_column=20, message="liveness probe kills it after 30 s"),
            diag(rule="schema-violation", code="GL002", file="wrong.yaml", line=6, column=15, end_line=None,
                 end_column=None, message="'spec.containers': expected a list, found 'server'",
                 path=("spec", "containers")),
            diag(rule="gpu-request-limit-mismatch", code="GPU102", severity=Severity.INFO, file="wrong.yaml",
                 line=9, column=3, message="requests 1 but its limit is 2",
                 fix=Fix([Edit(("spec", "x"), 2)], Applicability.SAFE, "set the request to 2")),
        ],
        files_checked=5,
    )


# --------------------------------------------------------------------------- text


def test_text(result: Result) -> None:
    assert render("text", result) == (
        "deploy/llm.yaml:12:40: error gpu-limit-missing container 'server' requests nvidia.com/gpu: 1 but sets "
        "no limit for it\n"
        "deploy/llm.yaml:15:13: warning gpu-probe-too-short liveness probe kills it after 30 s\n"
        "wrong.yaml:6:15: error schema-violation 'spec.containers': expected a list, found 'server'\n"
        "wrong.yaml:9:3: info gpu-request-limit-mismatch requests 1 but its limit is 2\n"
        "Found 4 problems (2 errors, 1 warning, 1 info) in 2 files (5 checked). 1 fixable with --fix.\n"
    )


def test_text_quiet_and_colour(result: Result) -> None:
    assert render("text", result, quiet=True).count("\n") == 4
    coloured = render("text", result, colour=True)
    assert coloured.splitlines()[0] == (
        "\x1b[1mdeploy/llm.yaml:12:40:\x1b[0m \x1b[31merror\x1b[0m \x1b[2mgpu-limit-missing\x1b[0m "
        "container 'server' requests nvidia.com/gpu: 1 but sets no limit for it"
    )
    assert "\x1b[33mwarning\x1b[0m" in coloured and "\x1b[36minfo\x1b[0m" in coloured


@pytest.mark.parametrize(
    "diags, files, summary",
    [
        ([], 0, "No problems found in 0 files."),
        ([], 1, "No problems found in 1 file."),
        ([diag()], 1, "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file (1 checked)."),
        ([diag(severity=Severity.WARNING), diag(severity=Severity.WARNING, file="b.yaml")], 3,
         "Found 2 problems (0 errors, 2 warnings, 0 info) in 2 files (3 checked)."),
        ([diag(fix=Fix([], Applicability.UNSAFE))], 1,
         "Found 1 problem (1 error, 0 warnings, 0 info) in 1 file (1 checked). 1 fixable with --fix --unsafe-fixes."),
        ([diag(fix=Fix([], Applicability.SAFE)), diag(fix=Fix([], Applicability.UNSAFE), line=14),
          diag(fix=Fix([], Applicability.UNSAFE), line=15)], 1,
         "Found 3 problems (3 errors, 0 warnings, 0 info) in 1 file (1 checked). 1 fixable with --fix. "
         "2 more fixable with --unsafe-fixes."),
    ],
)
def test_text_summary(diags: list, files: int, summary: str) -> None:
    assert render("text", Result(diagnostics=diags, files_checked=files)).splitlines()[-1] == summary


def test_text_never_passes_control_characters_through() -> None:
    # a quoted value from the linted file can hold terminal escapes and newlines
    d = diag(message="found '\x1b[31mRED\nnext\rline\x07'", file="odd\nname.yaml")
    out = render("text", Result(diagnostics=[d], files_checked=1), quiet=True)
    assert out == "odd\\nname.yaml:12:40: error gpu-limit-missing found '\\x1b[31mRED\\nnext\\rline\\x07'\n"


# --------------------------------------------------------------------------- json


def test_json(result: Result) -> None:
    data = json.loads(render("json", result))
    assert data[0] == {
        "rule": "gpu-limit-missing", "code": "GPU101", "severity": "error", "file": "deploy/llm.yaml",
        "line": 12, "column": 40, "end_line": 12, "end_column": 41,
        "message": "container 'server' requests nvidia.com/gpu: 1 but sets no limit for it", "fixable": False,
    }
    # an unknown end is the start; a path is listed; a fix says how safe it is
    assert (data[2]["end_line"], data[2]["end_column"], data[2]["path"]) == (6, 15, ["spec", "containers"])
    assert (data[3]["fixable"], data[3]["fix_applicability"]) == (True, "safe")
    with open(os.path.join(REPO, "schemas", "diagnostics.schema.json"), encoding="utf-8") as fh:
        jsonschema.Draft202012Validator(json.load(fh)).validate(data)


def test_json_keeps_messages_exact() -> None:
    d = diag(message="found '\x1b[31m' and \"quotes\", 100% sure\nsecond line")
    data = json.loads(render("json", Result(diagnostics=[d])))
    assert data[0]["message"] == d.message


def test_json_empty() -> None:
    assert render("json", Result()) == "[]\n"


# --------------------------------------------------------------------------- github


def test_github(result: Result, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = render("github", result).splitlines()
    assert lines == [
        "::error file=deploy/llm.yaml,line=12,col=40,endLine=12,endColumn=41,title=gpu-limit-missing (GPU101)"
        "::container 'server' requests nvidia.com/gpu: 1 but sets no limit for it",
        "::warning file=deploy/llm.yaml,line=15,col=13,endLine=16,title=gpu-probe-too-short (GPU105)"
        "::liveness probe kills it after 30 s",
        "::error file=wrong.yaml,line=6,col=15,title=schema-violation (GL002)"
        "::'spec.containers': expected a list, found 'server'",
        "::notice file=wrong.yaml,line=9,col=3,endLine=12,title=gpu-request-limit-mismatch (GPU102)"
        "::requests 1 but its limit is 2",
    ]


def test_github_escaping(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    d = diag(file="a,b:c%.yaml", message="100% of\r\nthe GPU: used, really", end_line=None, end_column=None)
    out = render("github", Result(diagnostics=[d]))
    assert out == (
        "::error file=a%2Cb%3Ac%25.yaml,line=12,col=40,title=gpu-limit-missing (GPU101)"
        "::100%25 of%0D%0Athe GPU: used, really\n"
    )


def test_github_prints_nothing_for_a_clean_run() -> None:
    assert render("github", Result(files_checked=3)) == ""


# --------------------------------------------------------------------------- sarif


def test_sarif_structure(result: Result, tmp_path, monkeypatch) -> None:
    from gpulint import __version__
    from gpulint.engine.rule import all_rules

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    sarif = json.loads(render("sarif", result))
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("gpulint", __version__)
    assert [r["id"] for r in driver["rules"]] == [r.code for r in all_rules()]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [
        ("GPU101", "error"), ("GPU105", "warning"), ("GL002", "error"), ("GPU102", "note"),
    ]
    first = run["results"][0]
    assert driver["rules"][first["ruleIndex"]]["name"] == "gpu-limit-missing"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "deploy/llm.yaml"
    assert location["region"] == {"startLine": 12, "startColumn": 40, "endLine": 12, "endColumn": 41}
    assert first["message"]["text"] == result.diagnostics[0].message


def test_every_format_is_registered_with_the_cli() -> None:
    from gpulint.cli import build_parser

    choices = next(a.choices for a in build_parser()._actions if a.dest == "format")
    assert set(FORMATS) == set(choices)
