"""What a run reads, and with which config: each file its nearest config up to the repository
root, named files treated as the folder walk treats them, paths that name nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from helpers import run_cli

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chat
spec:
  template:
    spec:
      containers:
        - name: server
          image: vllm/vllm-openai:v0.6.3
          resources:
            limits: {nvidia.com/gpu: 1}
          livenessProbe:
            httpGet: {path: /health, port: 8000}
"""
PROBE = "gpu-probe-too-short"  # line 14, warning: the liveness probe gives up after 30 s

HPA = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: chat
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: chat}
  minReplicas: 1
  maxReplicas: 4
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: {type: Utilization, averageUtilization: 70}
"""
HPA_CPU = "gpu-hpa-cpu-metric"  # line 10, warning; needs the Deployment in the run

MISMATCH_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: vllm/vllm-openai:v0.6.3
      resources:
        requests: {nvidia.com/gpu: 1}
        limits: {nvidia.com/gpu: 2}
"""
MISMATCH = "gpu-request-limit-mismatch"  # line 10, error


def write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = os.path.join(str(root), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)


def lint(root, *argv: str) -> tuple[int, list[tuple[str, int, str, str]], str]:
    """(exit status, (file, line, rule, severity) of each finding, stderr), run from ``root``."""
    status, out, err = run_cli(["--format", "json", *argv], cwd=str(root))
    return status, [(d["file"], d["line"], d["rule"], d["severity"]) for d in json.loads(out or "[]")], err


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return root


# --------------------------------------------------------------------------- config per file


def test_each_file_takes_the_nearest_config(repo):
    write(repo, {
        ".gpulint.yaml": f"rules:\n  {PROBE}: {{severity: error}}\n",
        "apps/d.yaml": DEPLOYMENT,
        "team/pyproject.toml": f'[tool.gpulint]\nrules = {{ {PROBE} = {{ budget-seconds = 20 }} }}\n',
        "team/d.yaml": DEPLOYMENT,
        "team/deep/er/d.yaml": DEPLOYMENT,
        "ml/.gpulint.yaml": f"ignore: [{PROBE}]\n",
        "ml/d.yaml": DEPLOYMENT,
        "ml/pod.yaml": MISMATCH_POD,
    })
    status, diags, _ = lint(repo, ".")
    # apps/: the root config's severity; team/: its own budget (30 s passes 20 s); ml/: probe ignored
    assert (status, diags) == (1, [("apps/d.yaml", 14, PROBE, "error"), ("ml/pod.yaml", 10, MISMATCH, "error")])
    # the same from inside a folder, and for files named one by one
    assert lint(repo / "team", ".")[:2] == (0, [])
    named = lint(repo, "apps/d.yaml", "team/deep/er/d.yaml", "ml/d.yaml")
    assert named[:2] == (1, [("apps/d.yaml", 14, PROBE, "error")])


def test_select_ignore_severity_and_fail_on_apply_per_file(repo):
    write(repo, {
        "prod/.gpulint.yaml": "fail-on: warning\n",
        "prod/d.yaml": DEPLOYMENT,
        "lab/.gpulint.yaml": "fail-on: error\n",
        "lab/d.yaml": DEPLOYMENT,
        "sel/.gpulint.yaml": f"select: [{MISMATCH}]\n",
        "sel/d.yaml": DEPLOYMENT,
        "sel/pod.yaml": MISMATCH_POD,
    })
    # a warning in lab/ does not fail the run; the same warning in prod/ does
    assert lint(repo, "lab") == (0, [("lab/d.yaml", 14, PROBE, "warning")], "")
    assert lint(repo, "lab", "prod")[:2] == (1, [("lab/d.yaml", 14, PROBE, "warning"),
                                                 ("prod/d.yaml", 14, PROBE, "warning")])
    # --fail-on on the command line applies to every config
    assert lint(repo, "--fail-on", "error", "lab", "prod")[0] == 0
    assert lint(repo, "--fail-on", "warning", "lab")[0] == 1
    # select: only that rule for sel/; --select and --ignore from the command line apply to all
    assert lint(repo, "sel", "prod")[1] == [("prod/d.yaml", 14, PROBE, "warning"),
                                           ("sel/pod.yaml", 10, MISMATCH, "error")]
    assert lint(repo, "--ignore", MISMATCH, "sel", "prod")[1] == [("prod/d.yaml", 14, PROBE, "warning")]


def test_cross_file_joins_see_every_file_whatever_its_config(repo):
    """The HPA in ops/ joins the Deployment in apps/; the finding is its file's, under its config."""
    write(repo, {"apps/d.yaml": DEPLOYMENT, "apps/.gpulint.yaml": f"ignore: [{PROBE}]\n", "ops/hpa.yaml": HPA})
    assert lint(repo, ".")[:2] == (1, [("ops/hpa.yaml", 10, HPA_CPU, "warning")])
    write(repo, {"ops/.gpulint.yaml": f"rules:\n  {HPA_CPU}: {{severity: info}}\n"})
    assert lint(repo, ".")[:2] == (0, [("ops/hpa.yaml", 10, HPA_CPU, "info")])
    # the Deployment's config does not decide about the HPA's file
    write(repo, {"apps/.gpulint.yaml": f"ignore: [{PROBE}, {HPA_CPU}]\n"})
    assert lint(repo, ".")[1] == [("ops/hpa.yaml", 10, HPA_CPU, "info")]


def test_context_globs_of_each_config_are_relative_to_it(repo):
    write(repo, {"ops/.gpulint.yaml": "context: ['targets/*.yaml']\n", "ops/hpa.yaml": HPA,
                 "ops/targets/d.yaml": DEPLOYMENT})
    assert lint(repo, "ops/hpa.yaml")[1] == [("ops/hpa.yaml", 10, HPA_CPU, "warning")]
    assert lint(repo / "ops", "hpa.yaml")[1] == [("hpa.yaml", 10, HPA_CPU, "warning")]


def test_a_config_above_the_repository_root_is_never_read(tmp_path):
    (tmp_path / ".gpulint.yaml").write_text("ignore: [GPU, GL]\nfail-on: error\n")
    (tmp_path / "pyproject.toml").write_text("[tool.gpulint]\nignore = ['GPU']\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, {"k8s/d.yaml": DEPLOYMENT})
    assert lint(repo, ".")[:2] == (1, [("k8s/d.yaml", 14, PROBE, "warning")])
    assert lint(repo / "k8s", "d.yaml")[:2] == (1, [("d.yaml", 14, PROBE, "warning")])
    assert lint(tmp_path, "repo")[:2] == (1, [("repo/k8s/d.yaml", 14, PROBE, "warning")])
    # a worktree or submodule has a .git file: the same boundary
    shutil.rmtree(repo / ".git")
    (repo / ".git").write_text("gitdir: /elsewhere\n")
    assert lint(repo, ".")[0] == 1
    # outside any repository the search goes on upward, as before
    os.remove(repo / ".git")
    assert lint(repo, ".")[:2] == (0, [])


def test_the_config_option_applies_to_every_file(repo):
    write(repo, {"a/.gpulint.yaml": f"ignore: [{PROBE}]\n", "a/d.yaml": DEPLOYMENT,
                 "ci.yaml": "fail-on: error\n"})
    assert lint(repo, ".")[:2] == (0, [])
    assert lint(repo, "--config", "ci.yaml", ".") == (0, [("a/d.yaml", 14, PROBE, "warning")], "")


def test_gpulint_yaml_wins_over_pyproject_in_the_same_folder_with_a_note(repo):
    write(repo, {".gpulint.yaml": f"ignore: [{PROBE}]\n", "pyproject.toml": "[tool.gpulint]\nfail-on = 'info'\n",
                 "d.yaml": DEPLOYMENT})
    status, diags, err = lint(repo, ".")
    assert (status, diags) == (0, [])
    assert err.splitlines()[0] == "gpulint: " + os.path.join(os.path.realpath(repo), "pyproject.toml") + (
        ": not read; .gpulint.yaml in the same folder takes precedence")
    # a pyproject.toml without [tool.gpulint] is no config: no note
    (repo / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert "not read" not in lint(repo, ".")[2]


def test_a_broken_nested_config_is_a_usage_error(repo):
    write(repo, {"ok/d.yaml": DEPLOYMENT, "bad/.gpulint.yaml": "fail_on: error\n", "bad/d.yaml": DEPLOYMENT})
    assert lint(repo, "ok")[0] == 1  # not met: not read
    status, out, err = run_cli([".", "--format", "json"], cwd=str(repo))
    assert (status, out) == (2, "")
    assert err.startswith("gpulint: " + os.path.join(os.path.realpath(repo), "bad", ".gpulint.yaml")
                          + ": unknown setting 'fail_on'; did you mean 'fail-on'?")


def test_fix_uses_each_files_config(repo):
    write(repo, {"a/pod.yaml": MISMATCH_POD, "b/pod.yaml": MISMATCH_POD, "b/.gpulint.yaml": f"ignore: [{MISMATCH}]\n"})
    status, out, err = run_cli(["--fix", "."], cwd=str(repo))
    assert status == 0, out + err
    assert (repo / "a" / "pod.yaml").read_text() == MISMATCH_POD.replace("requests: {nvidia.com/gpu: 1}",
                                                                          "requests: {nvidia.com/gpu: 2}")
    assert (repo / "b" / "pod.yaml").read_text() == MISMATCH_POD


def test_standard_input_takes_the_config_of_its_stdin_filename(repo):
    write(repo, {"ml/.gpulint.yaml": f"ignore: [{MISMATCH}]\n"})
    status, out, _ = run_cli(["--format", "json", "--stdin-filename", "ml/pod.yaml", "-"], stdin=MISMATCH_POD.encode(),
                             cwd=str(repo))
    assert (status, json.loads(out)) == (0, [])
    status, out, _ = run_cli(["--format", "json", "--stdin-filename", "apps/pod.yaml", "-"],
                             stdin=MISMATCH_POD.encode(), cwd=str(repo))
    assert (status, [d["rule"] for d in json.loads(out)]) == (1, [MISMATCH])


def test_configs_per_file_in_worker_processes(repo, monkeypatch):
    """A large run loads its files in forked workers: each file still gets its own config."""
    from gpulint.engine import parallel
    from gpulint.engine.inputs import Input

    files = {f"d{i}/f{j}.yaml": DEPLOYMENT for i in range(4) for j in range(20)}
    files.update({"d1/.gpulint.yaml": f"rules:\n  {PROBE}: {{severity: error}}\n",
                  "d2/pyproject.toml": f"[tool.gpulint]\nignore = ['{PROBE}']\n", "d2/hpa.yaml": HPA})
    write(repo, files)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_FILES", 8)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 1)
    monkeypatch.delenv("GPULINT_JOBS", raising=False)
    if parallel.parallel_jobs([Input("x.yaml", b"x")] * 80) == 1:
        pytest.skip("one core: no worker processes")
    done = []
    real = parallel.process_parallel
    monkeypatch.setattr(parallel, "process_parallel", lambda *args: done.append(real(*args)) or done[-1])
    in_workers = lint(repo, ".")
    assert len(done) == 1  # loaded in the workers, not in the fallback
    monkeypatch.setenv("GPULINT_JOBS", "1")
    assert lint(repo, ".") == in_workers
    summary = sorted({(f.split("/")[0], rule, severity) for f, _, rule, severity in in_workers[1]})
    assert summary == [("d0", PROBE, "warning"), ("d1", PROBE, "error"), ("d2", HPA_CPU, "warning"),
                       ("d3", PROBE, "warning")]


# --------------------------------------------------------------------------- --show-settings


def test_show_settings_prints_the_resolved_config_and_where_it_comes_from(repo):
    write(repo, {".gpulint.yaml": "exclude: [vendor]\n",
                 "team/pyproject.toml": f"[tool.gpulint]\nfail-on = 'error'\nrules = {{ {PROBE} = {{ budget-seconds = 300 }} }}\n",
                 "team/d.yaml": DEPLOYMENT})
    status, out, err = run_cli(["--show-settings", "team/d.yaml"], cwd=str(repo))
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == ['# settings for "team/d.yaml"', "# from: [tool.gpulint] in team/pyproject.toml"]
    settings = yaml.safe_load(out)
    assert settings == {
        "select": [], "ignore": [], "fail-on": "error", "extended-resource-toleration": True, "context": [],
        "exclude": [], "max-file-size": 5242880, "rules": {PROBE: {"budget-seconds": 300}},
    }
    status, out, _ = run_cli(["--show-settings", "--fail-on", "info", "."], cwd=str(repo))
    assert status == 0
    assert out.splitlines()[1:3] == ["# from: .gpulint.yaml", "# with --fail-on from the command line"]
    assert yaml.safe_load(out)["fail-on"] == "info" and yaml.safe_load(out)["exclude"] == ["vendor"]
    status, out, _ = run_cli(["--show-settings", "--config", "pyproject.toml", "d.yaml"], cwd=str(repo / "team"))
    assert (status, out.splitlines()[1]) == (0, "# from: pyproject.toml (--config)")
    os.remove(repo / ".gpulint.yaml")
    status, out, _ = run_cli(["--show-settings", "x.yaml"], cwd=str(repo))
    assert out.splitlines()[1] == "# from: defaults (no config file at or above it, up to the repository root)"
    assert yaml.safe_load(out)["fail-on"] == "warning"


def test_show_settings_takes_one_path(repo):
    assert run_cli(["--show-settings", "a", "b"], cwd=str(repo))[0::2] == (
        2, "gpulint: --show-settings takes one file or folder\n")


# --------------------------------------------------------------------------- named files and the walk


def test_force_exclude_skips_named_files_the_walk_skips(repo):
    write(repo, {".gpulint.yaml": "exclude: ['vendor', '*.generated.yaml']\n", ".gitignore": "build/\n",
                 "vendor/pod.yaml": MISMATCH_POD, "k8s/x.generated.yaml": MISMATCH_POD, "build/pod.yaml": MISMATCH_POD,
                 "node_modules/pod.yaml": MISMATCH_POD, "k8s/pod.yaml": MISMATCH_POD,
                 "sub/.gpulint.yaml": "exclude: [old]\n", "sub/old/pod.yaml": MISMATCH_POD})
    named = ["vendor/pod.yaml", "k8s/x.generated.yaml", "build/pod.yaml", "node_modules/pod.yaml",
             "k8s/pod.yaml", "sub/old/pod.yaml"]
    walked = lint(repo, ".")
    assert walked[1] == [("k8s/pod.yaml", 10, MISMATCH, "error")]
    assert lint(repo, "--force-exclude", *named) == walked
    assert len(lint(repo, *named)[1]) == 6  # without it, named files are linted as named
    # from a subfolder, relative names
    assert lint(repo / "vendor", "--force-exclude", "pod.yaml")[:2] == (0, [])
    assert lint(repo / "vendor", "--force-exclude", ".")[:2] == (0, [])


def test_symlinks_are_not_followed_by_the_walk(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(tmp_path, {"outside/pod.yaml": MISMATCH_POD})
    write(repo, {"k8s/pod.yaml": MISMATCH_POD})
    os.symlink(tmp_path / "outside" / "pod.yaml", repo / "k8s" / "linked-out.yaml")
    os.symlink("pod.yaml", repo / "k8s" / "alias.yaml")
    assert lint(repo, ".")[1] == [("k8s/pod.yaml", 10, MISMATCH, "error")]
    # a link named on the command line is followed: it was asked for
    assert lint(repo, "k8s/linked-out.yaml")[1] == [("k8s/linked-out.yaml", 10, MISMATCH, "error")]


def test_a_folder_with_nothing_to_lint_says_so(repo):
    write(repo, {"empty/README.md": "# nothing\n", "k8s/pod.yaml": MISMATCH_POD})
    status, diags, err = lint(repo, "empty", "k8s")
    assert (status, diags) == (1, [("k8s/pod.yaml", 10, MISMATCH, "error")])
    assert err == "gpulint: empty: no YAML or JSON file to lint in this folder\n"


def test_files_no_recogniser_claims_produce_no_findings(repo):
    """CI configs, Helm values, package metadata: read (and counted as checked), never reported on."""
    write(repo, {".github/workflows/ci.yml": "on: [push]\njobs: {test: {runs-on: ubuntu-latest}}\n",
                 "values.yaml": "replicaCount: 1\nresources: {limits: {nvidia.com/gpu: 1}}\nkey: 1\nkey: 2\n",
                 "package.json": '{"name": "x", "version": "1.0.0"}\n'})
    status, out, err = run_cli(["."], cwd=str(repo))
    assert (status, out, err) == (0, "No problems found in 3 files.\n", "")


# --------------------------------------------------------------------------- the pre-commit hook


def _hook(hook_id: str = "gpulint") -> dict:
    with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), ".pre-commit-hooks.yaml"), encoding="utf-8") as fh:
        return next(h for h in yaml.safe_load(fh) if h["id"] == hook_id)


def _hook_files(root, hook: dict) -> list[str]:
    """The files pre-commit hands the hook on `pre-commit run --all-files`: git's files, through
    the hook's `files` pattern and `types_or` (identify's tags), as pre-commit filters them."""
    import re

    from identify.identify import tags_from_path

    listed = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    pattern = re.compile(hook.get("files", ""))
    types_or = set(hook.get("types_or", [])) or {"file"}
    types = set(hook.get("types", ["file"]))
    out = []
    for name in listed:
        tags = tags_from_path(os.path.join(root, name))
        if pattern.search(name) and types <= tags and types_or & tags:
            out.append(name)
    return out


def run_hook(root, hook: dict) -> tuple[int, list[tuple[str, int, str, str]], str]:
    """The hook as pre-commit runs it: its entry and args, then the file names, from the root."""
    import shlex

    argv = shlex.split(hook["entry"])[1:] + list(hook.get("args", [])) + _hook_files(root, hook)
    assert shlex.split(hook["entry"])[0] == "gpulint"
    return lint(root, *argv)


def _git_repo(root, files: dict[str, str]) -> None:
    env = {**os.environ, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "safe.directory", "GIT_CONFIG_VALUE_0": "*"}
    subprocess.run(["git", "init", "-q", str(root)], check=True, env=env)
    write(root, files)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)


TEMPLATE_NOT_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "vllm.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
  template:
    spec:
      containers:
        - name: server
          image: "{{ .Values.image }}"
          resources:
            limits:
              nvidia.com/gpu: {{ .Values.gpus }}
"""
TEMPLATE_WITH_BLOCKS = "{{- if .Values.enabled }}\napiVersion: v1\nkind: Pod\n{{- end }}\n"

SCENARIO = {
    ".gpulint.yaml": "exclude: [vendor]\n",
    "charts/vllm/Chart.yaml": "apiVersion: v2\nname: vllm\nversion: 0.1.0\n",
    "charts/vllm/values.yaml": "replicaCount: 1\ngpus: 1\n",
    "charts/vllm/templates/deployment.yaml": TEMPLATE_NOT_YAML,
    "charts/vllm/templates/pod.yaml": TEMPLATE_WITH_BLOCKS,
    "charts/vllm/templates/static.yaml": DEPLOYMENT,  # parses: linted
    "vendor/upstream/pod.yaml": MISMATCH_POD,  # excluded
    "vendor/upstream/broken.json": '{"a": 1,}\n',
    "ml/pyproject.toml": f"[tool.gpulint]\nignore = ['{MISMATCH}']\nrules = {{ {PROBE} = {{ budget-seconds = 20 }} }}\n",
    "ml/serving/pod.yaml": MISMATCH_POD,
    "ml/serving/d.yaml": DEPLOYMENT,
    "ops/hpa.yaml": HPA,
    "apps/d.yaml": DEPLOYMENT.replace("name: chat", "name: other"),
    ".clang-format": "BasedOnStyle: [\n",  # YAML to identify, not to the walk
    "notebook.ipynb": "{not json\n",
    "README.md": "# repo\n",
}

TERRAFORM_POLICY = """\
resource "aws_appautoscaling_policy" "chat" {
  name               = "chat"
  service_namespace  = "sagemaker"
  resource_id        = "endpoint/chat/variant/AllTraffic"
  scalable_dimension = "sagemaker:variant:DesiredInstanceCount"
  target_tracking_scaling_policy_configuration {
    target_value       = 70
    scale_in_cooldown  = var.cooldown
    scale_out_cooldown = 60
  }
}
"""

#: each variant changes the scenario; the hook must pass exactly when `gpulint .` does
VARIANTS = {
    "as-is": {},
    "clean": {"charts/vllm/templates/static.yaml": None, "apps/d.yaml": None, "ops/hpa.yaml": None},
    "clean-but-hpa": {"charts/vllm/templates/static.yaml": None, "apps/d.yaml": None,
                      "ops/hpa.yaml": HPA, "ml/serving/hpa.yaml": HPA},
    "nested-config-off": {"charts/vllm/templates/static.yaml": None, "apps/d.yaml": None,
                          "ops/hpa.yaml": None, "ml/pyproject.toml": "[tool.gpulint]\n"},
    "nested-fail-on-error": {"charts/vllm/templates/static.yaml": None, "apps/d.yaml": None,
                             "ml/pyproject.toml": "[tool.gpulint]\nfail-on = 'error'\nignore = ['GPU102']\n",
                             "ml/serving/hpa.yaml": HPA, "ops/hpa.yaml": None},
    "template-broken-without-chart": {"charts/vllm/Chart.yaml": None, "charts/vllm/templates/static.yaml": None,
                                      "apps/d.yaml": None, "ops/hpa.yaml": None},
    "exclude-dropped": {".gpulint.yaml": "exclude: []\n", "charts/vllm/templates/static.yaml": None,
                        "apps/d.yaml": None, "ops/hpa.yaml": None},
    "terraform": {"charts/vllm/templates/static.yaml": None, "apps/d.yaml": None, "ops/hpa.yaml": None,
                  "infra/scaling.tf": TERRAFORM_POLICY, "infra/variables.tf": 'variable "cooldown" { default = 60 }\n'},
}


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
@pytest.mark.parametrize("hook_id", ["gpulint"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_the_shipped_hook_passes_exactly_when_the_folder_walk_does(tmp_path, variant, hook_id):
    files = {**SCENARIO, **VARIANTS[variant]}
    root = tmp_path / "repo"
    _git_repo(root, {k: v for k, v in files.items() if v is not None})
    hook = _hook(hook_id)
    walked = lint(root, ".")
    hooked = run_hook(root, hook)
    assert hooked[:2] == walked[:2]
    assert hooked[2] == walked[2]  # the same notes (the Helm templates skipped)
    # nested-fail-on-error: warnings under ml/ do not fail the run (its fail-on is error)
    expected_status = {"as-is": 1, "clean": 0, "clean-but-hpa": 1, "nested-config-off": 1,
                       "nested-fail-on-error": 0, "template-broken-without-chart": 1, "exclude-dropped": 1,
                       "terraform": 1}
    assert walked[0] == expected_status[variant], walked


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_the_scenario_as_is(tmp_path):
    """What the equality above compares, spelled out once."""
    root = tmp_path / "repo"
    _git_repo(root, SCENARIO)
    status, diags, err = run_hook(root, _hook())
    assert (status, diags) == (1, [
        ("apps/d.yaml", 14, PROBE, "warning"),
        ("charts/vllm/templates/static.yaml", 14, PROBE, "warning"),
        ("ops/hpa.yaml", 10, HPA_CPU, "warning"),
    ])
    assert err == ("gpulint: skipped 2 Helm template file(s) in charts/vllm; "
                   "lint the rendered output instead: helm template ... | gpulint -\n")
    assert _hook_files(root, _hook()) == [
        ".gpulint.yaml", "apps/d.yaml", "charts/vllm/Chart.yaml", "charts/vllm/templates/deployment.yaml",
        "charts/vllm/templates/pod.yaml", "charts/vllm/templates/static.yaml", "charts/vllm/values.yaml",
        "ml/serving/d.yaml", "ml/serving/pod.yaml", "ops/hpa.yaml", "vendor/upstream/broken.json",
        "vendor/upstream/pod.yaml",
    ]


def test_the_hook_keeps_force_exclude_when_a_user_sets_args():
    """pre-commit replaces a hook's args with the user's (`args: [--baseline, ...]`): the option
    that makes named files follow the walk's rules is in the entry, where it stays."""
    for hook_id in ("gpulint", "gpulint-fix"):
        hook = _hook(hook_id)
        assert hook["entry"] == "gpulint --force-exclude"
        assert hook["files"] == r"(?i)\.(ya?ml|json|tf|py)$"
        assert hook["require_serial"] is True
    assert _hook("gpulint-fix")["args"] == ["--fix"]


def test_gpulint_process_from_the_hook_entry(tmp_path):
    """The entry is a command line gpulint accepts (no in-process shortcut)."""
    write(tmp_path, {"pod.yaml": MISMATCH_POD})
    (tmp_path / ".git").mkdir()
    proc = subprocess.run([sys.executable, "-m", "gpulint", "--force-exclude", "pod.yaml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout.startswith("pod.yaml:10:")
