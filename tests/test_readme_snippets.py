"""The README's pre-commit and GitHub Actions snippets, run as written on a fresh clone.

A fresh clone of this repository at its HEAD commit is installed by the action's own install
step (which needs the package index, once per module); the workflow snippet then runs its steps
with the inputs it documents, and each pre-commit snippet is the `.pre-commit-config.yaml` of a
new repository, run by pre-commit with the gpulint installed from the clone.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from test_github import render_env
from test_readme import README, precommit_blocks

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GIT_ENV = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*"}

pytestmark = pytest.mark.skipif(shutil.which("git") is None or shutil.which("bash") is None,
                                reason="needs git and bash")

BAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: vllm/vllm-openai:v0.6.3
          resources:
            requests: {nvidia.com/gpu: 1}
            limits: {nvidia.com/gpu: 2}
"""
FINDING = "error gpu-request-limit-mismatch container 'vllm' requests nvidia.com/gpu: 1 but its limit is 2"
ENDPOINT_CONFIG = json.dumps({
    "EndpointConfigName": "chat",
    "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "chat", "InstanceType": "ml.g5.2xlarge",
                            "InitialInstanceCount": 1}],
})


def _git(*args: str, cwd) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def _user_repo(root, files: dict[str, str]):
    os.makedirs(root)
    _git("init", "-q", ".", cwd=root)
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    _git("add", "-A", cwd=root)
    return root


def _action() -> dict:
    with open(os.path.join(REPO, "action.yml"), encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _run_step(step: dict, inputs: dict, outputs: dict, cwd, runner: dict) -> subprocess.CompletedProcess:
    """One composite-action step as the runner runs it: bash -e, its env, GITHUB_OUTPUT read back."""
    output = os.path.join(runner["RUNNER_TEMP"], f"output-{step.get('id', 'step')}")
    open(output, "w").close()
    env = {**os.environ, **runner, **render_env(step, inputs, outputs), "GITHUB_OUTPUT": output}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=900)
    with open(output, encoding="utf-8") as fh:
        outputs[step.get("id", "")] = dict(line.split("=", 1) for line in fh.read().splitlines() if "=" in line)
    return proc


@pytest.fixture(scope="module")
def runner(tmp_path_factory) -> dict:
    """The runner's files, and a fresh clone of this repository as the action's folder."""
    temp = tmp_path_factory.mktemp("runner")
    clone = temp / "action"
    try:
        _git("clone", "-q", "--no-hardlinks", REPO, str(clone), cwd=temp)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"{REPO} cannot be cloned: {exc.stderr}")
    path_file = temp / "github_path"
    path_file.write_text("")
    return {"RUNNER_TEMP": str(temp), "GITHUB_ACTION_PATH": str(clone), "GITHUB_PATH": str(path_file)}


@pytest.fixture(scope="module")
def installed(runner) -> dict:
    """The action's install step, run once: its outputs (the path of the gpulint it installed)."""
    step = next(s for s in _action()["runs"]["steps"] if s.get("id") == "install")
    outputs: dict = {}
    proc = _run_step(step, {}, outputs, runner["RUNNER_TEMP"], runner)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert open(runner["GITHUB_PATH"]).read() == ""  # nothing added to the job's PATH
    assert os.path.isfile(outputs["install"]["gpulint"]) or os.path.isfile(outputs["install"]["gpulint"] + ".exe")
    return outputs


def _workflow() -> dict:
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "uses: gpulint/gpulint@" in b)
    return yaml.safe_load(block)


def test_the_github_workflow_snippet_runs_as_written(runner, installed, tmp_path):
    workflow = _workflow()
    steps = workflow["jobs"]["gpulint"]["steps"]
    root = _user_repo(tmp_path / "user", {"deploy/serving.yaml": BAD, "sagemaker/endpoint-config.json": ENDPOINT_CONFIG})
    failed = False
    for step in steps:
        uses = step["uses"]
        if uses.startswith(("actions/checkout@", "actions/setup-python@")):
            continue  # the repository is checked out in `root`; this Python is set up
        if uses.startswith("gpulint/gpulint@"):
            action = _action()
            inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
            inputs.update({k: str(v) for k, v in step["with"].items()})
            outputs = dict(installed)  # the install step ran in this job already (the module fixture)
            lint = next(s for s in action["runs"]["steps"] if s.get("id") == "lint")
            proc = _run_step(lint, inputs, outputs, root, runner)
            failed = proc.returncode != 0
            assert proc.returncode == 1, proc.stderr  # an error-level finding, with --fail-on error
            assert proc.stdout.startswith("::error file=deploy/serving.yaml,line=12,col=")
            assert "title=gpu-request-limit-mismatch (GPU102)" in proc.stdout
            assert outputs["lint"] == {"sarif-file": step["with"]["sarif-file"]}
        elif uses.startswith("github/codeql-action/upload-sarif@"):
            assert failed and step["if"] == "always()"  # it runs after the failed step
            with open(root / step["with"]["sarif_file"], encoding="utf-8") as fh:
                sarif = json.load(fh)
            assert sarif["version"] == "2.1.0"
            assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["GPU102"]
        else:
            pytest.fail(f"the workflow snippet uses {uses}, which this test does not know how to run")
    assert open(runner["GITHUB_PATH"]).read() == ""


@pytest.mark.parametrize("index", range(len(precommit_blocks())))
def test_the_precommit_snippets_run_as_written(installed, tmp_path, index):
    block = precommit_blocks()[index]
    bin_dir = tmp_path / "bin"  # only gpulint from the clone on PATH, as `pip install .` would give
    bin_dir.mkdir()
    os.symlink(installed["install"]["gpulint"], bin_dir / "gpulint")
    env = {**os.environ, **GIT_ENV, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    root = _user_repo(tmp_path / "user", {".pre-commit-config.yaml": block, "apps/llm.yaml": BAD,
                                          "README.md": "not yaml: [\n", "values.yaml": "replicas: 2\n"})

    def pre_commit() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)

    if "--baseline" in block:  # adopted with a baseline: today's findings recorded, the commit passes
        gpulint = subprocess.run(["gpulint", "--write-baseline", ".gpulint-baseline.json", "."], cwd=root, env=env,
                                 capture_output=True, text=True)
        assert gpulint.returncode == 0, gpulint.stderr
        _git("add", "-A", cwd=root)
        proc = pre_commit()
        assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout + proc.stderr
        return
    proc = pre_commit()
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "gpulint....." in proc.stdout and "Failed" in proc.stdout
    assert f"apps/llm.yaml:12:40: {FINDING}" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr and "[WARNING]" not in proc.stdout + proc.stderr
    (root / "apps" / "llm.yaml").write_text(BAD.replace("requests: {nvidia.com/gpu: 1}", "requests: {nvidia.com/gpu: 2}"))
    _git("add", "-A", cwd=root)
    proc = pre_commit()
    assert proc.returncode == 0 and "Passed" in proc.stdout, proc.stdout + proc.stderr
