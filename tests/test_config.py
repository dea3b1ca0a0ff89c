"""Configuration: discovery, both file formats, rule options and clear errors."""

from __future__ import annotations

import json
import textwrap

import pytest
from helpers import run_cli

from gpulint.config import Config, ConfigError, find_config, from_mapping, load_config

# A GPU container whose liveness probe gives up after 0 + 20 x 10 = 200 s: fine
# for the default budget (120 s), too short for a budget of 300 s.
PROBE_200 = """\
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
            limits: {nvidia.com/gpu: 1}
          livenessProbe:
            httpGet: {path: /health, port: 8000}
            periodSeconds: 10
            failureThreshold: 20
"""
PROBE_LINE = 14  # the livenessProbe mapping (its first line)

# A GPU pod without tolerations: silent unless extended-resource-toleration is off.
NO_TOLERATION = """\
apiVersion: v1
kind: Pod
metadata:
  name: trainer
spec:
  containers:
    - name: trainer
      image: pytorch/pytorch:2.4.0-cuda12.1-cudnn9-runtime
      resources:
        limits: {nvidia.com/gpu: 1}
"""


def run(argv: list[str]) -> tuple[int, str, str]:
    return run_cli(argv)


def lint_json(argv: list[str]) -> tuple[int, list[dict]]:
    status, out, err = run(["--format", "json", *argv])
    assert status in (0, 1), err
    return status, json.loads(out)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with a workload in a nested folder; cwd is the nested folder."""
    (tmp_path / "deploy" / "gpu").mkdir(parents=True)
    (tmp_path / "deploy" / "gpu" / "server.yaml").write_text(PROBE_200)
    monkeypatch.chdir(tmp_path / "deploy" / "gpu")
    return tmp_path


# --------------------------------------------------------------------------- discovery


def test_defaults_without_a_config(project) -> None:
    assert find_config() is None or not str(find_config()).startswith(str(project))
    status, diags = lint_json(["server.yaml"])
    assert (status, diags) == (0, [])


def test_gpulint_yaml_found_upward_from_the_current_folder(project) -> None:
    (project / ".gpulint.yaml").write_text("rules:\n  gpu-probe-too-short: {budget-seconds: 300}\n")
    assert find_config() == str(project / ".gpulint.yaml")
    status, diags = lint_json(["server.yaml"])
    assert [(d["rule"], d["line"], d["severity"]) for d in diags] == [("gpu-probe-too-short", PROBE_LINE, "warning")]
    assert "300 s" in diags[0]["message"]
    assert status == 1


def test_pyproject_tool_gpulint_found_upward(project) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.gpulint]\nfail-on = "error"\n\n'
        '[tool.gpulint.rules.gpu-probe-too-short]\nbudget-seconds = 300\nseverity = "error"\n'
    )
    assert find_config() == str(project / "pyproject.toml")
    status, diags = lint_json(["server.yaml"])
    assert [(d["rule"], d["line"], d["severity"]) for d in diags] == [("gpu-probe-too-short", PROBE_LINE, "error")]
    assert status == 1


def test_pyproject_without_the_table_is_skipped(project) -> None:
    (project / "deploy" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (project / ".gpulint.yaml").write_text("rules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    assert find_config() == str(project / ".gpulint.yaml")


def test_nearest_config_wins(project) -> None:
    (project / ".gpulint.yaml").write_text("rules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    (project / "deploy" / "pyproject.toml").write_text("[tool.gpulint]\nignore = []\n")
    assert find_config() == str(project / "deploy" / "pyproject.toml")
    assert lint_json(["server.yaml"]) == (0, [])


def test_gpulint_yaml_beats_pyproject_in_the_same_folder(project) -> None:
    (project / "pyproject.toml").write_text("[tool.gpulint]\nignore = []\n")
    (project / ".gpulint.yaml").write_text("ignore: []\n")
    assert find_config() == str(project / ".gpulint.yaml")


def test_explicit_config_overrides_discovery(project) -> None:
    (project / ".gpulint.yaml").write_text("rules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    (project / "other.yaml").write_text("fail-on: error\n")
    assert lint_json(["--config", str(project / "other.yaml"), "server.yaml"]) == (0, [])


@pytest.mark.parametrize("fmt", ["yaml", "toml"])
def test_same_keys_in_both_formats(tmp_path, fmt: str) -> None:
    settings = {
        "select": ["GPU1"],
        "ignore": ["gpu-hpa-cpu-metric"],
        "fail-on": "error",
        "extended-resource-toleration": False,
        "exclude": ["charts/**"],
        "context": ["cluster/*.yaml"],
        "max-file-size": 1000,
        "rules": {"gpu-probe-too-short": {"budget-seconds": 300, "severity": "error"},
                  "keda-cooldown-short": {"min-seconds": 600}},
    }
    if fmt == "yaml":
        path = tmp_path / ".gpulint.yaml"
        path.write_text(json.dumps(settings))  # JSON is YAML
    else:
        path = tmp_path / "pyproject.toml"
        path.write_text(textwrap.dedent("""\
            [tool.gpulint]
            select = ["GPU1"]
            ignore = ["gpu-hpa-cpu-metric"]
            fail-on = "error"
            extended-resource-toleration = false
            exclude = ["charts/**"]
            context = ["cluster/*.yaml"]
            max-file-size = 1000

            [tool.gpulint.rules]
            gpu-probe-too-short = {budget-seconds = 300, severity = "error"}
            keda-cooldown-short = {min-seconds = 600}
            """))
    cfg = load_config(str(path))
    assert cfg.select == ["GPU1"] and cfg.ignore == ["gpu-hpa-cpu-metric"]
    assert cfg.fail_on == "error" and cfg.extended_resource_toleration is False
    assert cfg.exclude == ["charts/**"] and cfg.context == ["cluster/*.yaml"] and cfg.max_file_size == 1000
    assert cfg.root == str(tmp_path.resolve())
    from gpulint.engine.rule import get_rule

    assert cfg.options_for(get_rule("gpu-probe-too-short")).budget_seconds == 300
    assert cfg.options_for(get_rule("keda-cooldown-short")).min_seconds == 600
    assert cfg.severity_for("gpu-probe-too-short", None).label == "error"  # type: ignore[arg-type]


def test_a_single_string_is_a_one_item_list() -> None:
    cfg = from_mapping({"ignore": "gpu-hpa-cpu-metric", "exclude": "charts/**"})
    assert cfg.ignore == ["gpu-hpa-cpu-metric"] and cfg.exclude == ["charts/**"]


def test_empty_config_file_is_the_defaults(tmp_path) -> None:
    (tmp_path / ".gpulint.yaml").write_text("# nothing configured yet\n")
    cfg = load_config(str(tmp_path / ".gpulint.yaml"))
    assert cfg.model_dump(exclude={"path"}) == Config().model_dump(exclude={"path"})


# --------------------------------------------------------------------------- settings take effect


def test_extended_resource_toleration_off(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pod.yaml").write_text(NO_TOLERATION)
    assert lint_json(["pod.yaml"]) == (0, [])
    (tmp_path / ".gpulint.yaml").write_text("extended-resource-toleration: false\n")
    status, diags = lint_json(["pod.yaml"])
    assert [(d["rule"], d["line"]) for d in diags] == [("gpu-toleration-missing", 6)]


def test_severity_override_and_fail_on(project) -> None:
    (project / ".gpulint.yaml").write_text(
        "fail-on: error\nrules: {gpu-probe-too-short: {budget-seconds: 300, severity: info}}\n"
    )
    status, diags = lint_json(["server.yaml"])
    assert [(d["rule"], d["severity"]) for d in diags] == [("gpu-probe-too-short", "info")]
    assert status == 0  # info is below fail-on: error
    status, _ = lint_json(["--fail-on", "info", "server.yaml"])
    assert status == 1  # the command line beats the config


def test_rule_configured_by_code(project) -> None:
    (project / ".gpulint.yaml").write_text("rules: {GPU105: {budget-seconds: 300}}\n")
    status, diags = lint_json(["server.yaml"])
    assert [d["rule"] for d in diags] == ["gpu-probe-too-short"]


def test_ignore_and_select_in_config(project) -> None:
    (project / ".gpulint.yaml").write_text("ignore: [GPU105]\nrules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    assert lint_json(["server.yaml"]) == (0, [])
    (project / ".gpulint.yaml").write_text("select: [GL]\nrules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    assert lint_json(["server.yaml"]) == (0, [])


def test_exclude_is_relative_to_the_config(project, monkeypatch) -> None:
    (project / ".gpulint.yaml").write_text("exclude: ['deploy/gpu']\nrules: {gpu-probe-too-short: {budget-seconds: 300}}\n")
    monkeypatch.chdir(project)
    assert lint_json(["."]) == (0, [])
    # a file named on the command line is always linted
    status, diags = lint_json(["deploy/gpu/server.yaml"])
    assert [d["rule"] for d in diags] == ["gpu-probe-too-short"]


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text, message",
    [
        ("bogus: 1\n", "unknown setting 'bogus' (settings: select, ignore, fail-on,"),
        ("fail_on: error\n", "unknown setting 'fail_on'; did you mean 'fail-on'?"),
        ("failOn: error\n", "unknown setting 'failOn'; did you mean 'fail-on'?"),
        ("fail-on: loud\n", "fail-on: Input should be 'error', 'warning' or 'info', found 'loud'"),
        ("select: 3\n", "select: expected a list, found 3"),
        ("extended-resource-toleration: maybe\n", "extended-resource-toleration: Input should be a valid boolean"),
        ("max-file-size: 0\n", "max-file-size: Input should be greater than or equal to 1, found 0"),
        ("rules: [1]\n", "rules: expected a mapping"),
        ("rules: {gpu-probe-too-short: 5}\n", "rules.gpu-probe-too-short: expected a mapping, found 5"),
        ("rules: {nope: {}}\n", "rules.nope: no such rule"),
        ("rules: {gpu-probe-too-shot: {}}\n", "rules.gpu-probe-too-shot: no such rule; did you mean 'gpu-probe-too-short'?"),
        ("rules: {gpu-probe-too-short: {budget: 3}}\n",
         "rules.gpu-probe-too-short.budget: unknown option; did you mean 'budget-seconds'? "
         "(gpu-probe-too-short takes: budget-seconds, severity)"),
        ("rules: {gpu-probe-too-short: {budget_seconds: 3}}\n",
         "rules.gpu-probe-too-short.budget_seconds: unknown option; did you mean 'budget-seconds'?"),
        ("rules: {gpu-probe-too-short: {budget-seconds: abc}}\n",
         "rules.gpu-probe-too-short.budget-seconds: Input should be a valid integer"),
        ("rules: {gpu-probe-too-short: {budget-seconds: 0}}\n",
         "rules.gpu-probe-too-short.budget-seconds: Input should be greater than or equal to 1, found 0"),
        ("rules: {gpu-probe-too-short: {severity: fatal}}\n",
         "rules.gpu-probe-too-short.severity: Input should be 'error', 'warning' or 'info', found 'fatal'"),
        ("rules: {GPU105: {}, gpu-probe-too-short: {}}\n", "gpu-probe-too-short (GPU105) is configured twice"),
        ("ignore: [gpu-limit-mising]\n", "ignore: no rule named or coded 'gpu-limit-mising'; did you mean 'gpu-limit-missing'?"),
        ("select: [XYZ9]\n", "select: no rule named or coded 'XYZ9'"),
        ("[1, 2]\n", "expected a mapping of settings"),
        ("a: [\n",
         ".gpulint.yaml:2:1: invalid YAML: did not find expected node content while parsing a flow node"),
    ],
)
def test_bad_config_is_a_clear_error_with_exit_2(tmp_path, monkeypatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".gpulint.yaml").write_text(text)
    (tmp_path / "pod.yaml").write_text(NO_TOLERATION)
    status, out, err = run(["pod.yaml"])
    assert status == 2
    assert out == ""
    assert err.startswith(f"gpulint: {tmp_path.resolve() / '.gpulint.yaml'}")
    assert message in err


@pytest.mark.parametrize(
    "text, message",
    [
        ("[tool.gpulint]\nbogus = 1\n", "unknown setting 'bogus'"),
        ("[tool.gpulint]\nfail-on = 3\n", "fail-on: Input should be 'error', 'warning' or 'info', found 3"),
        ("[tool]\ngpulint = 3\n", "[tool.gpulint] must be a table of settings"),
        ("[tool.gpulint\n", "pyproject.toml:1:14: invalid TOML: Expected ']' at the end of a table declaration"),
    ],
)
def test_bad_pyproject_is_a_clear_error(tmp_path, monkeypatch, text: str, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(text)
    (tmp_path / "pod.yaml").write_text(NO_TOLERATION)
    status, out, err = run(["pod.yaml"])
    assert (status, out) == (2, "")
    assert message in err


def test_missing_explicit_config(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    status, out, err = run(["--config", "nope.yaml", "."])
    assert (status, out, err) == (2, "", "gpulint: nope.yaml: no such config file\n")


def test_config_error_is_an_exception_for_library_users() -> None:
    with pytest.raises(ConfigError, match="unknown setting 'bogus'"):
        from_mapping({"bogus": 1})
    # keyword construction in Python uses field names
    assert Config(fail_on="error").fail_on == "error"
