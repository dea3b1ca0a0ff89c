"""The command line: options, exit codes, the directory walk and the rule docs.

Most tests call ``gpulint.cli.main(argv, stdout=..., stderr=...)``; a few run
the installed ``gpulint`` console script in a subprocess.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from helpers import run_cli

from gpulint import __version__, cli
from gpulint.engine.rule import all_rules

GPU = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llm
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
          livenessProbe:
            httpGet: {path: /health, port: 8000}
"""
WRONG = """\
apiVersion: v1
kind: Pod
metadata:
  name: wrong
spec:
  containers: "server"
"""
MISMATCH = ("gpu.yaml", 12, 40, "error", "gpu-request-limit-mismatch")
PROBE = ("gpu.yaml", 15, 13, "warning", "gpu-probe-too-short")
SHAPE = ("wrong.yaml", 6, 15, "error", "schema-violation")

TEXT_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) (?P<rule>[a-z0-9-]+) (?P<msg>.+)$")
ANSI = re.compile(r"\x1b\[")


def run(argv: list[str], stdin: bytes | None = None) -> tuple[int, str, str]:
    return run_cli(argv, stdin)


def found(text: str) -> list[tuple]:
    """(file, line, col, severity, rule) for every diagnostic line of text output."""
    rows = []
    for line in text.splitlines():
        m = TEXT_LINE.match(line)
        if m:
            rows.append((m["file"], int(m["line"]), int(m["col"]), m["sev"], m["rule"]))
    return rows


@pytest.fixture
def proj(tmp_path, monkeypatch):
    (tmp_path / "gpu.yaml").write_text(GPU)
    (tmp_path / "wrong.yaml").write_text(WRONG)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return tmp_path


# --------------------------------------------------------------------------- text output


def test_text_output_is_exact(proj) -> None:
    status, out, err = run(["."])
    lines = out.splitlines()
    assert len(lines) == 4
    # the rule packs own their wording; the engine owns the format and its own messages
    assert lines[0].startswith("gpu.yaml:12:40: error gpu-request-limit-mismatch container 'server' requests ")
    assert lines[1].startswith("gpu.yaml:15:13: warning gpu-probe-too-short GPU container 'server' ")
    assert lines[2] == "wrong.yaml:6:15: error schema-violation 'spec.containers': expected a list, found 'server'"
    # the summary may go on to count the fixable findings
    assert lines[3].startswith("Found 3 problems (2 errors, 1 warning, 0 info) in 2 files (2 checked).")
    assert out.endswith("\n")
    assert (status, err) == (1, "")


def test_clean_run_summary(proj) -> None:
    (proj / "clean.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    assert run(["clean.yaml"]) == (0, "No problems found in 1 file.\n", "")


def test_no_colour_when_not_a_tty(proj) -> None:
    status, out, _ = run(["."])
    assert not ANSI.search(out)
    status, out, _ = run(["--color", "always", "."])
    assert ANSI.search(out)
    assert "\x1b[31merror\x1b[0m" in out and "\x1b[33mwarning\x1b[0m" in out


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_tty_unless_no_color(proj, monkeypatch) -> None:
    tty = _TTY()
    monkeypatch.setattr(sys, "stdout", tty)
    assert cli.main(["gpu.yaml"], stderr=io.StringIO()) == 1
    assert ANSI.search(tty.getvalue())
    tty = _TTY()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.setenv("NO_COLOR", "1")
    cli.main(["gpu.yaml"], stderr=io.StringIO())
    assert not ANSI.search(tty.getvalue())
    tty = _TTY()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.delenv("NO_COLOR")
    cli.main(["--color", "never", "gpu.yaml"], stderr=io.StringIO())
    assert not ANSI.search(tty.getvalue())


# --------------------------------------------------------------------------- selection


@pytest.mark.parametrize(
    "argv, expected",
    [
        # schema-violation (like parse-error and internal-error) is reported whatever the selection
        (["--select", "gpu-request-limit-mismatch"], [MISMATCH, SHAPE]),
        (["--select", "GPU102"], [MISMATCH, SHAPE]),
        (["--select", "gpu102"], [MISMATCH, SHAPE]),
        (["--select", "GPU"], [MISMATCH, PROBE, SHAPE]),
        (["--select", "GPU1"], [MISMATCH, PROBE, SHAPE]),
        (["--select", "GL"], [SHAPE]),
        (["--select", "GPU102,schema-violation"], [MISMATCH, SHAPE]),
        (["--select", "GPU102", "--select", "GL002"], [MISMATCH, SHAPE]),
        (["--select", "ALL"], [MISMATCH, PROBE, SHAPE]),
        (["--ignore", "gpu-probe-too-short"], [MISMATCH, SHAPE]),
        (["--ignore", "GPU105"], [MISMATCH, SHAPE]),
        (["--ignore", "GPU"], [SHAPE]),
        (["--ignore", "GPU,GL002"], [SHAPE]),
        (["--select", "GPU", "--ignore", "GPU105"], [MISMATCH, SHAPE]),
    ],
)
def test_select_and_ignore(proj, argv: list[str], expected: list[tuple]) -> None:
    status, out, err = run([*argv, "."])
    assert found(out) == expected
    assert status == (1 if expected else 0)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--select", "gpu-limit-mising"], "no rule named or coded 'gpu-limit-mising'; did you mean 'gpu-limit-missing'?"),
        (["--ignore", "zzz"], "no rule named or coded 'zzz'; 'gpulint rules' lists them"),
        (["--select", "GPU9"], "no rule named or coded 'GPU9'; 'gpulint rules' lists them"),
    ],
)
def test_unknown_rule_in_select_or_ignore_is_a_usage_error(proj, argv: list[str], message: str) -> None:
    status, out, err = run([*argv, "."])
    assert (status, out) == (2, "")
    assert err == f"gpulint: {message}\n"


def test_usage_errors_exit_2(proj) -> None:
    for argv in (["--format", "xml"], ["--fail-on", "loud"], ["--no-such-option"]):
        status, out, err = run(argv)
        assert (status, out) == (2, ""), argv
        assert err.startswith("gpulint: error: ")


# --------------------------------------------------------------------------- exit status


@pytest.fixture
def warn_only(tmp_path, monkeypatch):
    """A project whose only finding is a warning (and, with the config, an info)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gpu.yaml").write_text(GPU.replace("limits: {nvidia.com/gpu: 2}", "limits: {nvidia.com/gpu: 1}"))
    return tmp_path


@pytest.mark.parametrize("fail_on, status", [(None, 1), ("warning", 1), ("info", 1), ("error", 0)])
def test_fail_on_with_a_warning(warn_only, fail_on, status) -> None:
    argv = ["--fail-on", fail_on, "."] if fail_on else ["."]
    got, out, _ = run(argv)
    assert [r[4] for r in found(out)] == ["gpu-probe-too-short"]
    assert got == status


@pytest.mark.parametrize("fail_on, status", [("warning", 0), ("info", 1), ("error", 0)])
def test_fail_on_with_an_info(warn_only, fail_on, status) -> None:
    (warn_only / ".gpulint.yaml").write_text("rules: {gpu-probe-too-short: {severity: info}}\n")
    got, out, _ = run(["--fail-on", fail_on, "."])
    assert [(r[3], r[4]) for r in found(out)] == [("info", "gpu-probe-too-short")]
    assert got == status


def test_fail_on_error_with_an_error(proj) -> None:
    assert run(["--fail-on", "error", "."])[0] == 1


def test_exit_zero(proj) -> None:
    status, out, _ = run(["--exit-zero", "."])
    assert status == 0 and len(found(out)) == 3
    # a usage error is still a usage error
    assert run(["--exit-zero", "--select", "nope", "."])[0] == 2


# --------------------------------------------------------------------------- output control


def test_quiet_prints_diagnostics_only(proj) -> None:
    (proj / "chart" / "templates").mkdir(parents=True)
    (proj / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (proj / "chart" / "templates" / "d.yaml").write_text("replicas: {{ .Values.n }}\n")
    status, out, err = run(["--quiet", "."])
    assert found(out) == [MISMATCH, PROBE, SHAPE]
    assert len(out.splitlines()) == 3  # no summary line
    assert err == ""  # no notes either
    status, out, err = run(["."])
    assert err.startswith("gpulint: skipped 1 Helm template file(s) in chart;")


@pytest.mark.parametrize("quiet", [[], ["--quiet"]])
def test_a_missing_path_is_a_usage_error(proj, quiet: list[str]) -> None:
    """A mistyped or renamed path in a CI job must fail it, not pass with nothing linted."""
    assert run([*quiet, ".", "missing.yaml"]) == (2, "", "gpulint: missing.yaml: no such file or directory\n")
    assert run([*quiet, "--fix", "gone/"]) == (2, "", "gpulint: gone/: no such file or directory\n")
    assert run([*quiet, "-", "missing.yaml"], stdin=b"a: 1\n")[0] == 2


def test_statistics_prints_the_counts_instead_of_the_findings(proj) -> None:
    (proj / "gpu2.yaml").write_text(GPU)
    assert run(["--statistics", "."]) == (1, (
        "     2  GPU102   gpu-request-limit-mismatch\n"
        "     2  GPU105   gpu-probe-too-short\n"
        "     1  GL002    schema-violation\n"
        "Found 5 problems (3 errors, 2 warnings, 0 info) in 3 files (3 checked). 2 fixable with --fix.\n"), "")
    assert run(["--statistics", "--quiet", "."])[1] == (
        "     2  GPU102   gpu-request-limit-mismatch\n"
        "     2  GPU105   gpu-probe-too-short\n"
        "     1  GL002    schema-violation\n")
    # with --format json, the same counts as data, and nothing on stderr
    status, out, err = run(["--statistics", "--format", "json", "."])
    assert (status, err) == (1, "")
    assert json.loads(out) == [
        {"code": "GPU102", "name": "gpu-request-limit-mismatch", "severity": "error", "count": 2, "fixable": 2},
        {"code": "GPU105", "name": "gpu-probe-too-short", "severity": "warning", "count": 2, "fixable": 0},
        {"code": "GL002", "name": "schema-violation", "severity": "error", "count": 1, "fixable": 0},
    ]
    # other formats have no statistics of their own: the text counts
    assert run(["--statistics", "--format", "github", "-q", "."])[1].splitlines()[0] == (
        "     2  GPU102   gpu-request-limit-mismatch")
    (proj / "clean.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    assert run(["--statistics", "clean.yaml"]) == (0, "No problems found in 1 file.\n", "")
    assert run(["--statistics", "--format", "json", "clean.yaml"]) == (0, "[]\n", "")


def test_output_file(proj) -> None:
    status, out, err = run(["--format", "json", "--output-file", "report.json", "."])
    assert (status, out) == (1, "")
    report = json.loads((proj / "report.json").read_text())
    assert [(d["file"], d["line"], d["rule"]) for d in report] == [
        ("gpu.yaml", 12, "gpu-request-limit-mismatch"), ("gpu.yaml", 15, "gpu-probe-too-short"),
        ("wrong.yaml", 6, "schema-violation"),
    ]


def test_output_file_that_cannot_be_written(proj) -> None:
    status, out, err = run(["--output-file", str(proj / "no" / "such" / "dir" / "r.txt"), "."])
    assert (status, out) == (2, "")
    assert err.startswith("gpulint: cannot write ")


class _FullDisk(io.StringIO):
    def write(self, text: str) -> int:
        raise OSError(28, "No space left on device")


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "gitlab"])
def test_a_report_that_cannot_be_written_is_an_error_not_a_traceback(proj, fmt: str) -> None:
    err = io.StringIO()
    status = cli.main(["--format", fmt, "."], stdout=_FullDisk(), stderr=err)
    assert (status, err.getvalue()) == (2, "gpulint: cannot write the report to standard output: No space left on device\n")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this platform")
def test_output_file_on_a_full_device(proj) -> None:
    status, out, err = run(["--format", "sarif", "--output-file", "/dev/full", "."])
    assert (status, out, err) == (2, "", "gpulint: cannot write the report to /dev/full: No space left on device\n")


def test_an_unexpected_error_outside_the_file_guards_is_a_message(monkeypatch, capsys) -> None:
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "main", broken)
    monkeypatch.setattr(cli, "_leave", sys.exit)  # the real one ends the process at once
    with pytest.raises(SystemExit) as exc:
        cli.entry()
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.err == "gpulint: internal error: RuntimeError: boom (a bug in gpulint; please report it)\n"
    assert "Traceback" not in captured.out + captured.err


def test_version_goes_to_the_given_stdout() -> None:
    assert run(["--version"]) == (0, f"gpulint {__version__}\n", "")


def test_help() -> None:
    status, out, err = run(["--help"])
    assert status == 0 and out.startswith("usage: gpulint") and "--fail-on" in out and err == ""


# --------------------------------------------------------------------------- inputs


def test_stdin_with_a_filename(proj) -> None:
    status, out, err = run(["--stdin-filename", "deploy/llm.yaml", "-"], stdin=GPU.encode())
    assert found(out) == [("deploy/llm.yaml",) + MISMATCH[1:], ("deploy/llm.yaml",) + PROBE[1:]]
    status, out, err = run(["-"], stdin=WRONG.encode())
    assert found(out) == [("<stdin>",) + SHAPE[1:]]


def test_stdin_filename_alone_reads_standard_input(proj) -> None:
    """Piped input is what gets linted, never the current folder instead."""
    status, out, err = run(["--stdin-filename", "deploy/llm.yaml"], stdin=GPU.encode())
    assert found(out) == [("deploy/llm.yaml",) + MISMATCH[1:], ("deploy/llm.yaml",) + PROBE[1:]]
    status, out, err = run(["--stdin-filename", "deploy/llm.yaml", "gpu.yaml"], stdin=GPU.encode())
    assert (status, out, err) == (2, "", "gpulint: --stdin-filename names standard input, but '-' is not among the paths\n")


def test_default_path_is_the_current_folder(proj) -> None:
    assert run([]) == run(["."])
    assert found(run([])[1]) == [MISMATCH, PROBE, SHAPE]


POD = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: busybox
      resources: {requests: {nvidia.com/gpu: 1}}
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """Every file holds a finding, so the reported files are the linted files."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    for folder in (".git/refs", "node_modules/pkg", "venv", ".venv", "pyenv/lib", "build", "sub/deeper", "charts"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "pod.yaml").write_text(POD)
    (tmp_path / "pyenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a virtualenv under any name
    (tmp_path / ".gitignore").write_text("build/\nsecret*.yaml\n")
    (tmp_path / "sub" / ".gitignore").write_text("local.yml\n")
    for name in ("pod.yml", "pod.YAML", "pod.txt", "pod.yaml.bak", "secret-values.yaml", "sub/local.yml",
                 "sub/kept.yml"):
        (tmp_path / name).write_text(POD)
    (tmp_path / "pod.json").write_text(json.dumps({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "j"},
        "spec": {"containers": [{"name": "a", "image": "b", "resources": {"requests": {"nvidia.com/gpu": 1}}}]},
    }))
    return tmp_path


def reported(argv: list[str]) -> list[str]:
    status, out, err = run(["--format", "json", *argv])
    return sorted({d["file"] for d in json.loads(out)})


def test_directory_walk_skips_vcs_dependencies_virtualenvs_ignored_and_non_yaml(tree) -> None:
    assert reported(["."]) == [
        "charts/pod.yaml", "pod.YAML", "pod.json", "pod.yml", "sub/deeper/pod.yaml", "sub/kept.yml",
    ]


def test_walk_from_a_subfolder_honours_gitignore_files_above_it(tree) -> None:
    (tree / "sub" / "secret-x.yaml").write_text(POD)
    assert reported(["sub"]) == ["sub/deeper/pod.yaml", "sub/kept.yml"]


def test_explicitly_named_files_are_always_linted(tree) -> None:
    named = ["build/pod.yaml", "secret-values.yaml", "pod.txt", "node_modules/pkg/pod.yaml", "sub/local.yml"]
    assert reported(named) == sorted(named)


def test_exclude_setting_skips_walked_files_only(tree) -> None:
    (tree / ".gpulint.yaml").write_text("exclude: ['charts/**', 'sub/kept.yml']\n")
    assert reported(["."]) == ["pod.YAML", "pod.json", "pod.yml", "sub/deeper/pod.yaml"]
    assert reported(["charts/pod.yaml"]) == ["charts/pod.yaml"]


def test_gitignore_negation_and_nested_files_decide_as_git_does(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*.yaml\n!keep*.yaml\nbuild/\n")
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    (tmp_path / "build").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("!sub-keep.yaml\nkeep-not.yaml\n")
    names = ["a.yaml", "keep.yaml", "sub/b.yaml", "sub/sub-keep.yaml", "sub/keep-not.yaml", "sub/keep-yes.yaml",
             "sub/deep/keep.yaml", "build/keep.yaml"]
    for name in names:
        (tmp_path / name).write_text(POD)
    expected = ["keep.yaml", "sub/deep/keep.yaml", "sub/keep-yes.yaml", "sub/sub-keep.yaml"]
    assert reported(["."]) == expected
    if shutil.which("git"):  # the same answer as git's own
        shutil.rmtree(tmp_path / ".git")
        subprocess.run(["git", "init", "-q", "."], check=True)
        listed = subprocess.run(["git", "ls-files", "--others", "--exclude-standard", "--", "*.yaml"],
                                check=True, capture_output=True, text=True).stdout.split()
        assert sorted(listed) == expected


@pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symlinks")
def test_symlink_loop_does_not_hang(tree) -> None:
    os.symlink("..", tree / "sub" / "loop")
    os.symlink("loop2", tree / "sub" / "loop1")
    os.symlink("loop1", tree / "sub" / "loop2")  # a dangling cycle
    proc = subprocess.run(
        [sys.executable, "-m", "gpulint", "--format", "json", "."],
        capture_output=True, text=True, timeout=60, cwd=tree,
    )
    assert proc.returncode == 1, proc.stderr
    files = sorted({d["file"] for d in json.loads(proc.stdout)})
    assert files == ["charts/pod.yaml", "pod.YAML", "pod.json", "pod.yml", "sub/deeper/pod.yaml", "sub/kept.yml"]


# --------------------------------------------------------------------------- rule docs


def test_rules_lists_every_rule() -> None:
    status, out, err = run(["rules"])
    assert status == 0
    lines = out.splitlines()
    rules = all_rules()
    assert len(lines) == len(rules)
    for line, rule in zip(lines, rules):
        assert line.split()[:3] == [rule.code, rule.name, rule.severity.label]
        assert line.endswith(rule.summary)


SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety", "## References"]


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.name)
def test_rule_prints_its_documentation(rule) -> None:
    for key in (rule.name, rule.code):
        status, out, err = run(["rule", key])
        assert (status, err) == (0, "")
        assert out.startswith(f"# {rule.name} ({rule.code})\n\n{rule.summary}\n")
        assert f"Default severity: {rule.severity.label}" in out
        assert rule.documentation() in out
    positions = [out.find(s) for s in SECTIONS]
    assert -1 not in positions, f"{rule.name} lacks {[s for s, p in zip(SECTIONS, positions) if p < 0]}"
    assert positions == sorted(positions), f"{rule.name}: sections out of order"


def test_rule_lists_its_options() -> None:
    status, out, err = run(["rule", "gpu-probe-too-short"])
    assert "Options (under `rules: {gpu-probe-too-short: {...}}` in the config):" in out
    assert "  budget-seconds: default 120." in out


def test_rule_options_show_defaults_as_the_config_spells_them() -> None:
    status, out, _ = run(["rule", "spot-max-wait-invalid"])
    assert status == 0
    assert "  require-max-wait: default false. " in out
    assert "  wait-margin-seconds: default 3600. " in out


def test_unknown_rule_suggests_close_names() -> None:
    status, out, err = run(["rule", "gpu-limit-mising"])
    assert (status, out) == (2, "")
    assert err.startswith("gpulint: no rule named 'gpu-limit-mising'; did you mean gpu-limit-missing")
    status, out, err = run(["rule", "xyzzy"])
    assert (status, err) == (2, "gpulint: no rule named 'xyzzy'; 'gpulint rules' lists them\n")
    assert run(["rule"])[0] == 2


# --------------------------------------------------------------------------- the console script


def _console_script() -> list[str]:
    exe = shutil.which("gpulint")
    if exe is None:
        pytest.skip("the gpulint console script is not on PATH")
    return [exe]


def test_console_script_text_output_and_exit_status(proj) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    proc = subprocess.run(_console_script() + ["."], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 1
    assert found(proc.stdout) == [MISMATCH, PROBE, SHAPE]
    assert proc.stdout.splitlines()[-1].startswith("Found 3 problems (2 errors, 1 warning, 0 info) in 2 files (2 checked).")
    assert not ANSI.search(proc.stdout)  # a pipe is not a TTY
    assert proc.stderr == ""


def test_console_script_usage_error_and_version(proj) -> None:
    proc = subprocess.run(_console_script() + ["--select", "nope", "."], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "Traceback" not in proc.stderr
    proc = subprocess.run(_console_script() + ["--version"], capture_output=True, text=True, timeout=60)
    assert (proc.returncode, proc.stdout) == (0, f"gpulint {__version__}\n")


def test_console_script_reads_a_pipe(proj) -> None:
    proc = subprocess.run(_console_script() + ["--format", "json", "--stdin-filename", "x.yaml", "-"],
                          input=WRONG, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert [(d["file"], d["line"], d["rule"]) for d in json.loads(proc.stdout)] == [("x.yaml", 6, "schema-violation")]


# --------------------------------------------------------------------------- cross-file rules and changed files

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: llm
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llm}
  minReplicas: 1
  maxReplicas: 4
"""


@pytest.fixture
def changed_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "llm.yaml").write_text(GPU)
    (tmp_path / "deploy" / "hpa.yaml").write_text(HPA)
    return tmp_path


def _rows(argv: list[str]) -> list[tuple[str, int, str]]:
    status, out, err = run(["--format", "json", *argv])
    return [(d["file"], d["line"], d["rule"]) for d in json.loads(out)]


def test_cross_file_rule_needs_both_sides_in_the_run(changed_files) -> None:
    # as pre-commit does when only the HPA changed: its target is not linted
    assert _rows(["deploy/hpa.yaml"]) == []
    assert ("deploy/hpa.yaml", 6, "gpu-hpa-cpu-metric") in _rows(["deploy/hpa.yaml", "deploy/llm.yaml"])


def test_context_files_feed_cross_file_rules_without_being_reported(changed_files) -> None:
    (changed_files / ".gpulint.yaml").write_text("context: ['deploy/*.yaml']\n")
    assert _rows(["deploy/hpa.yaml"]) == [("deploy/hpa.yaml", 6, "gpu-hpa-cpu-metric")]
    # the HPA's finding belongs to the HPA's file, which was not passed
    assert _rows(["deploy/llm.yaml"]) == [("deploy/llm.yaml", 12, "gpu-request-limit-mismatch"),
                                          ("deploy/llm.yaml", 15, "gpu-probe-too-short")]
    status, out, err = run(["deploy/hpa.yaml"])
    assert out.splitlines()[-1].startswith("Found 1 problem (0 errors, 1 warning, 0 info) in 1 file (1 checked).")


# --------------------------------------------------------------------------- suppression comments


NO_LIMIT = """\
apiVersion: v1
kind: Pod
metadata: {{name: p}}
spec:
  containers:
    - name: a
      image: busybox
      resources:
        requests: {{nvidia.com/gpu: 1}}{comment}
"""


@pytest.mark.parametrize(
    "comment",
    [
        "  # gpulint: disable=gpu-limit-missing",
        "  # gpulint: disable=GPU101",
        "  # gpulint: disable=gpu-limit-missing because the LimitRange sets it",
        "  # gpulint: disable=gpu-limit-missing -- set by the LimitRange",
        "  # gpulint: disable=gpu-limit-missing (LimitRange)",
        "  # gpulint: disable = gpu-quantity-invalid , gpu-limit-missing: LimitRange",
        "  # gpulint: disable",
    ],
)
def test_suppression_comment_with_or_without_a_reason(tmp_path, monkeypatch, comment: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(NO_LIMIT.format(comment=comment))
    assert [r for r in _rows(["pod.yaml"]) if r[2] not in ("unused-suppression", "blanket-suppression")] == []


def test_suppression_names_only_the_rules_before_the_reason(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    comment = "  # gpulint: disable=gpu-quantity-invalid gpu-limit-missing is fine here"
    (tmp_path / "pod.yaml").write_text(NO_LIMIT.format(comment=comment))
    assert ("pod.yaml", 9, "gpu-limit-missing") in _rows(["pod.yaml"])
