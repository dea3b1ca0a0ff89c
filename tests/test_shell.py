"""Shell-friendly output: --quiet, --statistics, --output-file, --version, exit codes, pipes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from gpulint import __version__

DIAG_LINE = re.compile(r"^[^:]+:\d+:\d+: (error|warning|info) [a-z0-9-]+ .+$")

MISMATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
"""
CLEAN = MISMATCH.replace("gpu: 1}", "gpu: 2}")


def gpulint(*argv: str, cwd, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    return subprocess.run([sys.executable, "-m", "gpulint", *argv], cwd=cwd, input=stdin, capture_output=True,
                          timeout=60, env=env)


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "bad.yaml").write_text(MISMATCH)
    (tmp_path / "good.yaml").write_text(CLEAN)
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (chart / "templates" / "d.yaml").write_text("kind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n")
    return tmp_path


def test_version(tmp_path):
    proc = gpulint("--version", cwd=tmp_path)
    assert (proc.returncode, proc.stdout.decode(), proc.stderr) == (0, f"gpulint {__version__}\n", b"")


def test_default_output_has_summary_on_stdout_and_notes_on_stderr(tree):
    proc = gpulint(".", cwd=tree)
    assert proc.returncode == 1
    lines = proc.stdout.decode().splitlines()
    assert DIAG_LINE.match(lines[0])
    assert lines[-1].startswith("Found 1 problem (1 error, 0 warnings, 0 info) in 1 file")
    assert "skipped 1 Helm template file(s)" in proc.stderr.decode()


def test_quiet_prints_diagnostics_only(tree):
    proc = gpulint("--quiet", ".", cwd=tree)
    assert proc.returncode == 1
    assert proc.stderr == b""
    lines = proc.stdout.decode().splitlines()
    assert lines == [
        "bad.yaml:12:40: error gpu-request-limit-mismatch container 'server' requests nvidia.com/gpu: 1 but "
        "its limit is 2; devices cannot be overcommitted, so the two must be equal (set the request to 2)"
    ]


def test_quiet_on_a_clean_tree_prints_nothing(tree):
    proc = gpulint("-q", "good.yaml", cwd=tree)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"", b"")


def test_output_is_plain_when_not_a_terminal(tree):
    proc = gpulint("bad.yaml", cwd=tree)
    assert b"\033[" not in proc.stdout


def test_statistics_counts_per_rule_instead_of_the_findings(tree):
    (tree / "bad2.yaml").write_text(MISMATCH + "---\n" + MISMATCH.replace("name: server\nspec", "name: other\nspec"))
    proc = gpulint("--quiet", "--statistics", "bad.yaml", "bad2.yaml", cwd=tree)
    assert proc.returncode == 1
    assert proc.stdout.decode() == "     3  GPU102   gpu-request-limit-mismatch\n"


def test_statistics_with_json_keeps_stdout_machine_readable(tree):
    proc = gpulint("--format", "json", "--statistics", "bad.yaml", cwd=tree)
    assert json.loads(proc.stdout) == [{"code": "GPU102", "name": "gpu-request-limit-mismatch", "severity": "error",
                                        "count": 1, "fixable": 1}]
    assert proc.stderr.decode() == ""


def test_output_file_receives_the_report_and_stdout_stays_empty(tree):
    proc = gpulint("--format", "json", "--output-file", "report.json", "bad.yaml", cwd=tree)
    assert proc.returncode == 1
    assert proc.stdout == b""
    assert [d["line"] for d in json.loads((tree / "report.json").read_text())] == [12]


def test_output_file_that_cannot_be_written_is_a_usage_error(tree):
    proc = gpulint("--output-file", "missing/dir/report.txt", "bad.yaml", cwd=tree)
    assert proc.returncode == 2
    assert proc.stderr.decode().startswith("gpulint: cannot write missing/dir/report.txt: ")
    assert b"Traceback" not in proc.stderr


def test_exit_codes(tree):
    assert gpulint("good.yaml", cwd=tree).returncode == 0
    assert gpulint("bad.yaml", cwd=tree).returncode == 1
    assert gpulint("--exit-zero", "bad.yaml", cwd=tree).returncode == 0
    assert gpulint("--fail-on", "nonsense", "bad.yaml", cwd=tree).returncode == 2
    assert gpulint("--no-such-option", cwd=tree).returncode == 2


def test_a_closed_pipe_is_not_a_traceback(tree):
    for i in range(400):
        (tree / f"m{i}.yaml").write_text(MISMATCH)
    proc = subprocess.run(
        f"{sys.executable} -m gpulint . | head -n 1", shell=True, cwd=tree, capture_output=True, timeout=120
    )
    assert len(proc.stdout.decode().splitlines()) == 1
    assert b"Traceback" not in proc.stderr and b"BrokenPipe" not in proc.stderr
