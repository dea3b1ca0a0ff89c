"""Packaging: the wheel holds everything gpulint needs, the plain lint path stays
lean, and the pre-commit hooks are declared as documented."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def _pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    with open(os.path.join(REPO, "pyproject.toml"), "rb") as fh:
        return tomllib.load(fh)


# --------------------------------------------------------------------------- the wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> list[str]:
    """Build a wheel offline from a copy of the repository; its file names."""
    pytest.importorskip("wheel", reason="the test extras install wheel")
    import setuptools

    if int(setuptools.__version__.split(".")[0]) < 69:
        pytest.skip("the test extras install setuptools>=69")
    src = tmp_path_factory.mktemp("src")
    out = tmp_path_factory.mktemp("dist")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if os.path.exists(os.path.join(REPO, name)):
            shutil.copy(os.path.join(REPO, name), src / name)
    for folder in set(_pyproject()["tool"]["setuptools"]["package-dir"].values()):
        shutil.copytree(os.path.join(REPO, folder), src / folder, ignore=ignore)
    proc = subprocess.run(
        [sys.executable, "-c", f"from setuptools import build_meta; build_meta.build_wheel({str(out)!r})"],
        cwd=src, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = glob.glob(str(out / "*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as zf:
        names = zf.namelist()
        entry_points = next((zf.read(n).decode() for n in names if n.endswith(".dist-info/entry_points.txt")), "")
    return names + [f"ENTRY_POINTS:{entry_points}"]


def test_wheel_contains_the_rules_and_schemas(wheel: list[str]) -> None:
    names = set(wheel)
    assert "gpulint/rules/kubernetes/gpu_limit_missing.py" in names
    assert "gpulint/cli.py" in names and "gpulint/reporters/sarif.py" in names
    for schema in ("config.schema.json", "diagnostics.schema.json", "kubernetes-workload.schema.json"):
        assert f"gpulint/schemas/{schema}" in names


def test_wheel_contains_every_source_and_data_file(wheel: list[str]) -> None:
    """A subpackage or data folder left out of pyproject.toml fails here, not on a user's machine."""
    names = set(wheel)
    missing = []
    for package, folder in _pyproject()["tool"]["setuptools"]["package-dir"].items():
        prefix = package.replace(".", "/")
        base = os.path.join(REPO, folder)
        for path in glob.glob(os.path.join(base, "**", "*"), recursive=True):
            rel = os.path.relpath(path, base).replace(os.sep, "/")
            if "__pycache__" in rel or os.path.isdir(path) or not path.endswith((".py", ".json")):
                continue
            # a nested folder that is its own mapped package is checked under that package
            top = rel.split("/")[0]
            if "/" in rel and f"{package}.{top}" in _pyproject()["tool"]["setuptools"]["package-dir"]:
                continue
            if f"{prefix}/{rel}" not in names:
                missing.append(f"{prefix}/{rel}")
    assert not missing, f"not in the wheel (add the package or data to pyproject.toml): {missing}"


def test_wheel_declares_the_console_script(wheel: list[str]) -> None:
    entry = next(n for n in wheel if n.startswith("ENTRY_POINTS:"))
    assert "gpulint = gpulint.cli:entry" in entry


# --------------------------------------------------------------------------- a lean lint path

_DRIVER = textwrap.dedent(
    """
    import io, json, sys
    from gpulint.cli import main
    out = io.StringIO()
    status = main(sys.argv[1:], stdout=out, stderr=io.StringIO())
    heavy = sorted(m for m in sys.modules
                   if m.split(".")[0] in ("boto3", "botocore", "ruamel", "s3transfer"))
    print(json.dumps({"status": status, "heavy": heavy, "out": out.getvalue()}))
    """
)

GPU_DEPLOYMENT = """\
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
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: llm
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llm}
  minReplicas: 1
  maxReplicas: 4
"""


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_plain_lint_path_imports_no_aws_sdk_nor_ruamel(tmp_path, fmt: str) -> None:
    import json

    (tmp_path / "llm.yaml").write_text(GPU_DEPLOYMENT)
    (tmp_path / ".gpulint.yaml").write_text("rules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.run([sys.executable, "-c", _DRIVER, "--format", fmt, "llm.yaml"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == 1  # it did lint: the mismatch and the CPU-only HPA are findings
    assert "gpu-request-limit-mismatch" in report["out"] and "gpu-hpa-cpu-metric" in report["out"]
    assert report["heavy"] == []


def test_the_heavy_packages_are_installed_so_the_check_means_something() -> None:
    # the test extras install them; without them the check above would pass trivially
    import importlib.util

    assert importlib.util.find_spec("boto3") is not None
    assert importlib.util.find_spec("ruamel.yaml") is not None


# --------------------------------------------------------------------------- pre-commit


def _hooks() -> dict[str, dict]:
    with open(os.path.join(REPO, ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        hooks = yaml.safe_load(fh)
    assert isinstance(hooks, list)
    return {h["id"]: h for h in hooks}


def test_pre_commit_hooks_are_declared() -> None:
    hooks = _hooks()
    assert set(hooks) == {"gpulint", "gpulint-fix"}
    lint = hooks["gpulint"]
    # --force-exclude in the entry: a configuration's own args replace the hook's
    assert (lint["entry"], lint["language"], lint["types_or"]) == (
        "gpulint --force-exclude", "python", ["yaml", "json", "terraform", "python"])
    # cross-file rules (HPA/KEDA -> workload) need every file in one process
    assert lint["require_serial"] is True
    assert "args" not in lint or "--fix" not in lint["args"]
    fix = hooks["gpulint-fix"]
    assert (fix["entry"], fix["language"], fix["types_or"], fix["args"]) == (
        "gpulint --force-exclude", "python", ["yaml", "json", "terraform", "python"], ["--fix"])
    assert fix["require_serial"] is True


def test_pre_commit_accepts_the_manifest() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    manifest = clientlib.load_manifest(os.path.join(REPO, ".pre-commit-hooks.yaml"))
    assert {h["id"] for h in manifest} == {"gpulint", "gpulint-fix"}


def test_hook_entry_is_the_console_script() -> None:
    scripts = _pyproject()["project"]["scripts"]
    for hook in _hooks().values():
        assert hook["entry"].split()[0] in scripts


def test_readme_pre_commit_snippet_uses_the_declared_hooks() -> None:
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    snippets = [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)]
    configs = [s for s in snippets if isinstance(s, dict) and "repos" in s]
    assert configs, "README.md shows no .pre-commit-config.yaml snippet"
    ids = {hook["id"] for cfg in configs for repo in cfg["repos"] for hook in repo["hooks"]}
    assert ids and ids <= set(_hooks())
