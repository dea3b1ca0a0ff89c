"""pre-commit for real: a temporary repository whose config points at this checkout.

pre-commit clones this repository at its HEAD commit and installs gpulint from
it into its own environment (this needs the package index, once per test
module), so these tests check what is committed, exactly as users get it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed; pre-commit needs it")

BAD = """\
# vLLM server for the chat API
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
            requests:
              nvidia.com/gpu: 1  # one card per replica
            limits:
              nvidia.com/gpu: "2"
"""
FIXED = BAD.replace("nvidia.com/gpu: 1  # one card", "nvidia.com/gpu: 2  # one card")
CLEAN = FIXED


# a checkout owned by another user (CI containers) is still usable: this is a test, not a shared machine
GIT_ENV = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*"}


def _git(*args: str, cwd: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout.strip()


def _config(rev: str, hooks: list[str]) -> str:
    lines = ["repos:", f"  - repo: {REPO}", f"    rev: {rev}", "    hooks:"]
    lines += [f"      - id: {h}" for h in hooks]
    return "\n".join(lines) + "\n"


class Env:
    def __init__(self, rev: str, environ: dict[str, str]) -> None:
        self.rev = rev
        self.environ = environ

    def repo(self, root, files: dict[str, str], hooks: list[str]) -> str:
        root = str(root)
        os.makedirs(root, exist_ok=True)
        _git("init", "-q", root, cwd=root)
        with open(os.path.join(root, ".pre-commit-config.yaml"), "w", encoding="utf-8") as fh:
            fh.write(_config(self.rev, hooks))
        for name, text in files.items():
            path = os.path.join(root, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
        _git("add", "-A", cwd=root)
        return root

    def run(self, root: str, *argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", *argv], cwd=root, env=self.environ,
            capture_output=True, text=True, timeout=600,
        )


@pytest.fixture(scope="module")
def pc(tmp_path_factory) -> Env:
    """One pre-commit home for the module: each hook environment is installed once."""
    try:
        rev = _git("rev-parse", "HEAD", cwd=REPO)
    except RuntimeError as exc:
        pytest.skip(f"{REPO} is not a git checkout, so pre-commit cannot clone it: {exc}")
    home = tmp_path_factory.mktemp("pre-commit-home")
    environ = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never", "NO_COLOR": "1"}
    environ.pop("PRE_COMMIT", None)
    env = Env(rev, environ)
    root = env.repo(tmp_path_factory.mktemp("install"), {}, ["gpulint", "gpulint-fix"])
    proc = env.run(root, "install-hooks")
    assert proc.returncode == 0, f"installing the hook environments failed:\n{proc.stdout}\n{proc.stderr}"
    return env


def test_hook_fails_on_a_bad_manifest(pc, tmp_path):
    root = pc.repo(tmp_path, {"k8s/serving.yaml": BAD, "README.md": "not yaml: [\n"}, ["gpulint"])
    proc = pc.run(root, "run", "--all-files")
    assert proc.returncode == 1, proc.stdout
    assert "gpulint....." in proc.stdout and "Failed" in proc.stdout
    assert "k8s/serving.yaml:14:31: error gpu-request-limit-mismatch container 'vllm' requests" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    # the hook only lints; the file is untouched
    assert (tmp_path / "k8s" / "serving.yaml").read_text() == BAD


def test_hook_passes_on_a_clean_manifest(pc, tmp_path):
    root = pc.repo(tmp_path, {"k8s/serving.yaml": CLEAN, "values.yaml": "replicas: 2\n"}, ["gpulint"])
    proc = pc.run(root, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout
    assert "Passed" in proc.stdout


def test_hook_lints_json_and_reports_parse_errors(pc, tmp_path):
    root = pc.repo(tmp_path, {"sagemaker/endpoint-config.json": '{"EndpointConfigName": "x",}\n'}, ["gpulint"])
    proc = pc.run(root, "run", "--all-files")
    assert proc.returncode == 1
    assert "sagemaker/endpoint-config.json:1:" in proc.stdout and "parse-error" in proc.stdout


def test_fix_hook_rewrites_the_file(pc, tmp_path):
    root = pc.repo(tmp_path, {"k8s/serving.yaml": BAD}, ["gpulint-fix"])
    proc = pc.run(root, "run", "--all-files")
    # pre-commit fails a hook that modified files, so the fix can be reviewed and staged
    assert proc.returncode == 1, proc.stdout
    assert "files were modified by this hook" in proc.stdout
    with open(tmp_path / "k8s" / "serving.yaml", encoding="utf-8", newline="") as fh:
        assert fh.read() == FIXED  # only the request changed; comments and quoting kept
    # once staged, the hook passes and changes nothing
    _git("add", "-A", cwd=root)
    proc = pc.run(root, "run", "--all-files")
    assert proc.returncode == 0, proc.stdout
    with open(tmp_path / "k8s" / "serving.yaml", encoding="utf-8", newline="") as fh:
        assert fh.read() == FIXED


def test_only_changed_files_with_context_for_cross_file_rules(pc, tmp_path):
    """pre-commit passes only the named files; `context` brings the other side of a cross-file rule."""
    hpa = (
        "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: chat\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: chat}\n"
        "  minReplicas: 1\n  maxReplicas: 4\n"
        "  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n"
        "        target: {type: Utilization, averageUtilization: 70}\n"
    )
    files = {"k8s/serving.yaml": CLEAN, "k8s/hpa.yaml": hpa}
    root = pc.repo(tmp_path, files, ["gpulint"])
    alone = pc.run(root, "run", "--files", "k8s/hpa.yaml")
    assert alone.returncode == 0, alone.stdout  # the Deployment is not in the set: nothing to join
    with open(os.path.join(root, ".gpulint.yaml"), "w", encoding="utf-8") as fh:
        fh.write("context: ['k8s/*.yaml']\n")
    _git("add", "-A", cwd=root)
    joined = pc.run(root, "run", "--files", "k8s/hpa.yaml")
    assert joined.returncode == 1, joined.stdout
    assert "k8s/hpa.yaml:" in joined.stdout and "gpu-hpa-cpu-metric" in joined.stdout
    assert "k8s/serving.yaml" not in joined.stdout  # context files are loaded, not reported


def _lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.strip()}


@pytest.mark.parametrize("variant", ["as-is", "clean", "nested-fail-on-error", "exclude-dropped"])
def test_hook_passes_exactly_when_the_folder_walk_does(pc, tmp_path, variant):
    """pre-commit itself, over a repository with a Helm chart (templates that only Helm can read,
    and one that is plain YAML), an excluded folder and a nested pyproject.toml with its own
    [tool.gpulint]: the hook fails exactly when `gpulint .` does, with the same report."""
    from test_inputs import SCENARIO, VARIANTS

    files = {k: v for k, v in {**SCENARIO, **VARIANTS[variant]}.items() if v is not None}
    root = pc.repo(tmp_path, files, ["gpulint"])
    hooked = pc.run(root, "run", "--all-files")
    walked = subprocess.run([sys.executable, "-m", "gpulint", "."], cwd=root, capture_output=True, text=True,
                            timeout=120, env=pc.environ)
    assert (hooked.returncode, walked.returncode) == ({"clean": (0, 0), "nested-fail-on-error": (0, 0)}.get(
        variant, (1, 1))), hooked.stdout + walked.stdout + walked.stderr
    if walked.returncode:
        # the hook's output is gpulint's: every line of the walk's report and notes, and nothing else
        report = hooked.stdout.split("- exit code: 1", 1)[1]
        assert _lines(report) == _lines(walked.stdout + walked.stderr)
    assert "Traceback" not in hooked.stdout + hooked.stderr
