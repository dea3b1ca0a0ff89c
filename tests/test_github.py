"""GitHub integration: workflow-command annotations and the composite action."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from typing import Optional

import pytest
import yaml
from helpers import run_cli

from gpulint.cli import build_parser

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Workflow command syntax (GitHub docs, "Workflow commands for GitHub Actions"):
#   ::{error|warning|notice} file={name},line={line},endLine={endLine},col={col},endColumn={endColumn},title={title}::{message}
# Property values escape '%', CR, LF, ':' and ','; the message escapes '%', CR and LF.
_PROP_VALUE = r"(?:[^%:,\r\n]|%25|%0D|%0A|%3A|%2C)*"
_NUMERIC = {"line", "endLine", "col", "endColumn"}
ANNOTATION = re.compile(
    r"^::(?P<level>error|warning|notice)"
    r" (?P<props>(?:file|line|endLine|col|endColumn|title)=" + _PROP_VALUE
    + r"(?:,(?:file|line|endLine|col|endColumn|title)=" + _PROP_VALUE + r")*)"
    r"::(?P<message>(?:[^%\r\n]|%25|%0D|%0A)*)$"
)


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
    )


def _parse(line: str) -> tuple[str, dict, str]:
    m = ANNOTATION.match(line)
    assert m, f"not a valid workflow command: {line!r}"
    props = {}
    for part in m.group("props").split(","):
        key, _, value = part.partition("=")
        assert key not in props, f"property {key} twice in {line!r}"
        props[key] = _unescape(value)
        if key in _NUMERIC:
            assert value.isdigit() and int(value) >= 1, line
    return m.group("level"), props, _unescape(m.group("message"))


def _run(argv: list[str]) -> tuple[int, str]:
    return run_cli(argv)[:2]


GPU_DEPLOYMENT = """\
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

# duplicate keys whose name carries every character the syntax must escape
NASTY = 'apiVersion: v1\nkind: ConfigMap\ndata:\n  "a%b\\nc:d,e": x\n  "a%b\\nc:d,e": y\n'


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "k8s"
    sub.mkdir()
    (sub / "server.yaml").write_text(GPU_DEPLOYMENT)
    (sub / "we,ird:name%.yaml").write_text(NASTY)
    (sub / "broken.json").write_text('{"a": 1,}')
    monkeypatch.chdir(sub)
    return tmp_path


def test_every_line_is_a_valid_annotation_that_round_trips(repo):
    code, text = _run(["--format", "github", "."])
    assert code == 1
    lines = text.splitlines()
    assert len(lines) == 3
    _, json_text = _run(["--format", "json", "."])
    expected = json.loads(json_text)
    for line, diag in zip(lines, expected):
        level, props, message = _parse(line)
        assert level == {"error": "error", "warning": "warning", "info": "notice"}[diag["severity"]]
        assert message == diag["message"]
        assert props["file"] == "k8s/" + diag["file"]  # relative to the repository root
        assert int(props["line"]) == diag["line"]
        assert int(props["col"]) == diag["column"]
        assert props["title"] == f"{diag['rule']} ({diag['code']})"


def test_escaping_of_properties_and_message(repo):
    _, text = _run(["--format", "github", "we,ird:name%.yaml"])
    (line,) = text.splitlines()
    assert "file=k8s/we%2Cird%3Aname%25.yaml," in line
    level, props, message = _parse(line)
    assert level == "error"
    assert props["file"] == "k8s/we,ird:name%.yaml"
    assert props["line"] == "5"
    assert "duplicate key 'a%b\nc:d,e'" in message
    # the raw line keeps the newline escaped and the colon and comma as they are
    assert "duplicate key 'a%25b%0Ac:d,e'" in line


def test_exact_annotation_for_a_gpu_finding(repo):
    _, text = _run(["--format", "github", "server.yaml"])
    assert text == (
        "::error file=k8s/server.yaml,line=12,col=40,endLine=12,endColumn=41,"
        "title=gpu-request-limit-mismatch (GPU102)::container 'server' requests nvidia.com/gpu: 1 but its "
        "limit is 2; devices cannot be overcommitted, so the two must be equal (set the request to 2)\n"
    )


def test_info_is_a_notice(repo):
    (repo / ".gpulint.yaml").write_text("rules:\n  gpu-request-limit-mismatch: {severity: info}\n")
    _, text = _run(["--format", "github", "server.yaml"])
    assert _parse(text.strip())[0] == "notice"


def test_clean_run_prints_nothing(tmp_path, monkeypatch):
    (tmp_path / "ok.yaml").write_text(GPU_DEPLOYMENT.replace("gpu: 1}", "gpu: 2}"))
    monkeypatch.chdir(tmp_path)
    assert _run(["--format", "github", "."]) == (0, "")


# --------------------------------------------------------------------------- action.yml


@pytest.fixture(scope="module")
def action():
    with open(os.path.join(REPO, "action.yml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _option_strings() -> set[str]:
    out = set()
    for act in build_parser()._actions:
        out.update(act.option_strings)
    return out


def test_action_is_a_composite_action_with_the_documented_inputs(action):
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "format", "args", "sarif-file"}
    for name, spec in action["inputs"].items():
        assert spec.get("description"), name
    assert action["inputs"]["format"]["default"] in {"text", "json", "sarif", "github"}
    for step in action["runs"]["steps"]:
        assert step.get("shell") == "bash", "composite run steps need an explicit shell"
    step_ids = {s.get("id") for s in action["runs"]["steps"]}
    for name, spec in action["outputs"].items():
        m = re.fullmatch(r"\$\{\{ steps\.([\w-]+)\.outputs\.([\w-]+) \}\}", spec["value"])
        assert m and m.group(1) in step_ids, name


def test_action_references_only_existing_inputs_and_options(action):
    options = _option_strings()
    inputs = set(action["inputs"])
    for step in action["runs"]["steps"]:
        text = step["run"] + json.dumps(step.get("env", {}))
        for name in re.findall(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", text):
            assert name in inputs, name
        # inputs reach the script through env only (no expression injection into the script)
        assert "${{" not in step["run"]
        for line in step["run"].splitlines():
            if '"$GPULINT"' in line or "args+=" in line:
                for opt in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line):
                    assert opt in options, f"action.yml uses unknown option {opt}"


def test_action_runs_gpulint_once_and_keeps_its_environment_off_the_path(action):
    """One run makes both the annotations and the SARIF file; the job's python and pip stay the
    job's own (a step that runs `pip install` after the action must not install into gpulint's)."""
    scripts = "\n".join(step["run"] for step in action["runs"]["steps"])
    scripts = re.sub(r"(^|\s)#.*", "", scripts)  # comments
    assert "GITHUB_PATH" not in scripts and "GITHUB_ENV" not in scripts
    commands = [line for line in scripts.splitlines() if re.match(r'\s*"\$GPULINT"', line)]
    assert len(commands) == 1
    assert re.search(r"\bgpulint\s", scripts.replace('"$GPULINT"', "")) is None  # nothing else runs it


def render_env(step: dict, inputs: dict, outputs: Optional[dict] = None) -> dict:
    """The step's env as the runner sets it: inputs and earlier steps' outputs substituted."""
    env = {}
    for key, value in step.get("env", {}).items():
        value = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m.group(1)], value)
        value = re.sub(r"\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}",
                       lambda m: (outputs or {}).get(m.group(1), {}).get(m.group(2), ""), value)
        env[key] = value
    return env


@pytest.mark.skipif(shutil.which("bash") is None or shutil.which("gpulint") is None,
                    reason="needs bash and the gpulint command on PATH")
def test_action_lint_step_runs(action, tmp_path):
    """Run the action's lint step as the runner would, with gpulint already installed (the
    install step's output names it); tests/test_readme_snippets.py runs the install step too."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "server.yaml").write_text(GPU_DEPLOYMENT)
    (tmp_path / "k8s" / "*.yaml").write_text("")  # a glob character in a name must not expand
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "lint")
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    inputs.update({"paths": "k8s", "args": "--fail-on error", "sarif-file": "gpulint.sarif"})
    output = tmp_path / "github_output"
    installed = {"install": {"gpulint": shutil.which("gpulint")}}
    env = {**os.environ, **render_env(step, inputs, installed), "GITHUB_OUTPUT": str(output)}
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    _parse(proc.stdout.splitlines()[0])
    assert "title=gpu-request-limit-mismatch (GPU102)" in proc.stdout
    assert output.read_text() == "sarif-file=gpulint.sarif\n"
    sarif = json.loads((tmp_path / "gpulint.sarif").read_text())
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["GPU102"]

    # with --fail-on error, a warning-level configuration passes
    (tmp_path / ".gpulint.yaml").write_text("rules:\n  gpu-request-limit-mismatch: {severity: warning}\n")
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("::warning ")

    # a usage error: its exit status, and no SARIF output named
    output.write_text("")
    os.remove(tmp_path / "gpulint.sarif")
    env["GPULINT_PATHS"] = "k8s missing/"
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert (proc.returncode, proc.stderr) == (2, "gpulint: missing/: no such file or directory\n")
    assert output.read_text() == ""
