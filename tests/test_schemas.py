"""gpulint's JSON Schemas: generated from the code, committed, and in agreement with it.

- The committed files equal what ``scripts/gen_schemas.py`` generates, so they
  cannot drift from ``gpulint.config``, the rules' options, ``Diagnostic.to_dict``
  or the shapes in ``gpulint.model.core``.
- The config schema and the config loader accept and refuse the same files;
  the configs shown in README.md are valid.
- ``--format json`` output validates against the diagnostics schema.
- The Kubernetes workload schema and gpulint's ``schema-violation`` agree on
  every fixture document the schema describes.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import sys
from typing import Any, Iterator

import jsonschema
import pytest
import yaml
from helpers import load_script

from gpulint import cli
from gpulint import load as loader
from gpulint.config import ConfigError, from_mapping

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
SCHEMAS = os.path.join(REPO, "schemas")
NAMES = ["config.schema.json", "diagnostics.schema.json", "kubernetes-workload.schema.json"]


def _generator():
    return load_script("gen_schemas")


def schema(name: str) -> dict:
    with open(os.path.join(SCHEMAS, name), encoding="utf-8") as fh:
        return json.load(fh)


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name))


# --------------------------------------------------------------------------- generated, not edited


def test_committed_schemas_equal_the_generated_ones() -> None:
    generated = _generator().generate()
    assert sorted(generated) == NAMES
    for name, text in generated.items():
        with open(os.path.join(SCHEMAS, name), encoding="utf-8") as fh:
            committed = fh.read()
        assert committed == text, f"schemas/{name} is out of date: run python scripts/gen_schemas.py"


def test_check_mode_reports_drift(tmp_path) -> None:
    gen = _generator()
    assert gen.main(["--out", str(tmp_path)]) == 0  # writes all three
    assert gen.main(["--check", "--out", str(tmp_path)]) == 0
    (tmp_path / "diagnostics.schema.json").write_text("{}\n")
    assert gen.main(["--check", "--out", str(tmp_path)]) == 1


@pytest.mark.parametrize("name", NAMES)
def test_schemas_are_valid_draft_2020_12(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(schema(name))


def test_schemas_are_package_data() -> None:
    from importlib import resources

    files = {p.name for p in resources.files("gpulint.schemas").iterdir()}
    assert set(NAMES) <= files


# --------------------------------------------------------------------------- config


def test_config_schema_lists_every_rule_and_its_options() -> None:
    from gpulint.engine.rule import all_rules

    s = schema("config.schema.json")
    rules = s["properties"]["rules"]["properties"]
    for rule in all_rules():
        assert rules[rule.name] == {"$ref": f"#/$defs/{rule.name}"}
        assert rules[rule.code] == rules[rule.name]
        options = set(s["$defs"][rule.name]["properties"])
        assert options == {f.replace("_", "-") for f in rule.Options.model_fields} | {"severity"}
    assert s["$defs"]["gpu-probe-too-short"]["properties"]["budget-seconds"]["default"] == 120


CONFIGS_OK = [
    {},
    {"select": "GPU1", "ignore": ["gpu-hpa-cpu-metric", "GL002"]},
    {"fail-on": "info", "extended-resource-toleration": False, "max-file-size": 10},
    {"exclude": ["charts/**"], "context": "cluster/*.yaml"},
    {"context": {"apps/**": ["infra/eks/*.yaml"], "jobs/*.yaml": ["infra/eks/*.yaml", "karpenter/**/*.yaml"]}},
    {"rules": {"gpu-probe-too-short": {"budget-seconds": 600, "severity": "error"}}},
    {"rules": {"GPU105": {"budget-seconds": 600}}},
    {"rules": {"keda-cooldown-short": {"min-seconds": 0}, "parse-error": {"severity": "warning"}}},
    {"rules": {"gpu-probe-too-short": {"severity": None}}},
]
CONFIGS_BAD = [
    {"bogus": 1},
    {"fail_on": "error"},
    {"fail-on": "loud"},
    {"select": 3},
    {"select": [1]},
    {"extended-resource-toleration": "yes"},
    {"max-file-size": 0},
    {"rules": []},
    {"rules": {"no-such-rule": {}}},
    {"rules": {"gpu-probe-too-short": 5}},
    {"rules": {"gpu-probe-too-short": {"budget": 1}}},
    {"rules": {"gpu-probe-too-short": {"budget-seconds": "soon"}}},
    {"rules": {"gpu-probe-too-short": {"budget-seconds": 0}}},
    {"rules": {"gpu-probe-too-short": {"severity": "fatal"}}},
    {"rules": {"gpu105": {}}},
    {"rules": {"gpu-probe-too-short": None}},
    {"select": None},
    {"fail-on": None},
    {"context": [1]},
    {"context": {"apps/**": "infra/eks/*.yaml"}},
    {"context": ["../infra/*.yaml"]},
    {"context": ["/etc/eks/cluster.yaml"]},
    {"context": {"../apps/**": ["infra/*.yaml"]}},
    {"context": {"apps/**": ["infra/../../x.yaml"]}},
]


@pytest.mark.parametrize("data", CONFIGS_OK, ids=json.dumps)
def test_good_configs_pass_both_schema_and_loader(data: dict) -> None:
    assert list(validator("config.schema.json").iter_errors(data)) == []
    from_mapping(data)


@pytest.mark.parametrize("data", CONFIGS_BAD, ids=json.dumps)
def test_bad_configs_fail_both_schema_and_loader(data: dict) -> None:
    assert list(validator("config.schema.json").iter_errors(data)) != []
    with pytest.raises(ConfigError):
        from_mapping(data)


def _readme_blocks(lang: str) -> list[str]:
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    return re.findall(r"```" + lang + r"\n(.*?)```", text, re.DOTALL)


def test_readme_configs_validate() -> None:
    from gpulint.config import setting_names

    configs = []
    for block in _readme_blocks("yaml"):
        data = yaml.safe_load(block)
        if isinstance(data, dict) and data and set(data) <= set(setting_names()):
            configs.append(data)
    for block in _readme_blocks("toml"):
        if "[tool.gpulint" in block:
            tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
            configs.append(tomllib.loads(block)["tool"]["gpulint"])
    assert configs, "README.md shows no config"
    for data in configs:
        errors = [e.message for e in validator("config.schema.json").iter_errors(data)]
        assert errors == [], data
        from_mapping(data)


# --------------------------------------------------------------------------- diagnostics


def _json_output(argv: list[str]) -> list[dict]:
    out = io.StringIO()
    cli.main(["--format", "json", *argv], stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_json_output_validates() -> None:
    diags = _json_output([os.path.join(HERE, "fixtures")])
    assert len(diags) > 50
    # the output exercises every optional member the schema describes
    assert any(d["fixable"] for d in diags) and any("path" in d for d in diags)
    assert {d["severity"] for d in diags} >= {"error", "warning"}
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator("diagnostics.schema.json").iter_errors(diags)]
    assert errors == []


def test_empty_json_output_validates(tmp_path) -> None:
    (tmp_path / "ok.yaml").write_text("a: 1\n")
    diags = _json_output([str(tmp_path)])
    assert diags == []
    validator("diagnostics.schema.json").validate(diags)


def test_diagnostics_schema_rejects_what_the_output_never_holds() -> None:
    good = {"rule": "parse-error", "code": "GL001", "severity": "error", "file": "a.yaml", "line": 1, "column": 1,
            "end_line": 1, "end_column": 1, "message": "invalid YAML", "fixable": False}
    v = validator("diagnostics.schema.json")
    v.validate([good])
    for bad in ({**good, "line": 0}, {**good, "severity": "fatal"}, {**good, "rule": "Parse_Error"},
                {k: v_ for k, v_ in good.items() if k != "message"}, {**good, "extra": 1}):
        assert list(v.iter_errors([bad])), bad


# --------------------------------------------------------------------------- Kubernetes


def _plain(value):
    """Loaded YAML as JSON data: tagged scalars become placeholders, keys strings."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, loader.Tagged):
        return f"<{value.tag} {value.value}>"
    return value


def _described(data) -> bool:
    from gpulint.model.kubernetes import recognise as kubernetes

    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return False
    api, kind = data.get("apiVersion"), data["kind"]
    if not isinstance(api, str):
        return False
    group = api.split("/")[0] if "/" in api else ""
    if kind in kubernetes.TEMPLATE_PATHS:
        return group in ("", "apps", "batch", "extensions")
    return (kind, group) in {("InferenceService", "serving.kserve.io"), ("HorizontalPodAutoscaler", "autoscaling"),
                             ("ScaledObject", "keda.sh")}


def _fixture_files() -> list[str]:
    files = glob.glob(os.path.join(HERE, "fixtures", "**", "*.yaml"), recursive=True)
    files += glob.glob(os.path.join(HERE, "fixtures", "**", "*.yml"), recursive=True)
    return sorted(files)


def test_kubernetes_schema_agrees_with_schema_violation() -> None:
    from gpulint.model.recognize import recognise

    v = validator("kubernetes-workload.schema.json")
    checked = 0
    problems = []
    for path in _fixture_files():
        with open(path, "rb") as fh:
            source = loader.load(path, fh.read())
        if source.error is not None:
            continue
        for doc in source.documents:
            if not _described(doc.data):
                continue
            checked += 1
            # what the recognisers report, before suppressions and rule selection
            flagged = any(x.rule == "schema-violation" for x in recognise(source, doc).violations)
            errors = list(v.iter_errors(_plain(doc.data)))
            if bool(errors) != flagged:
                problems.append(f"{os.path.relpath(path, HERE)} document {doc.index} (line {doc.line}): "
                                f"schema says {[e.message[:80] for e in errors] or 'valid'}, "
                                f"gpulint {'flags' if flagged else 'accepts'} it")
    assert checked > 20
    assert not problems, "\n".join(problems)


def test_kubernetes_schema_points_where_gpulint_points() -> None:
    v = validator("kubernetes-workload.schema.json")
    with open(os.path.join(HERE, "fixtures", "bad", "wrong-types.yaml"), "rb") as fh:
        source = loader.load("wrong-types.yaml", fh.read())
    paths = []
    for doc in source.documents:
        for e in v.iter_errors(_plain(doc.data)):
            paths.append(tuple(e.absolute_path))
    assert paths == [
        ("spec", "template", "spec", "containers"),
        ("spec", "containers", 0, "resources"),
        ("spec", "containers", 0, "livenessProbe"),
        ("metadata",),
    ]


def test_kubernetes_schema_accepts_placeholders() -> None:
    v = validator("kubernetes-workload.schema.json")
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "{{ .Release.Name }}", "labels": "${LABELS}"},
           "spec": {"containers": [{"name": "a", "image": "b", "livenessProbe": {"periodSeconds": "${PERIOD}"},
                                    "resources": {"limits": "{{ toYaml .Values.resources }}"}}]}}
    assert list(v.iter_errors(doc)) == []
    doc["spec"]["containers"][0]["livenessProbe"]["periodSeconds"] = "ten"
    assert [list(e.absolute_path) for e in v.iter_errors(doc)] == [["spec", "containers", 0, "livenessProbe"]]


SHIPPED = sorted(
    os.path.relpath(p, os.path.join(REPO, "schemas"))
    for p in glob.glob(os.path.join(REPO, "schemas", "**", "*.json"), recursive=True)
)


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for item in node:
            yield from _patterns(item)


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_schema_is_valid_and_its_patterns_compile(name: str) -> None:
    with open(os.path.join(REPO, "schemas", name), encoding="utf-8") as fh:
        root = json.load(fh)
    jsonschema.Draft202012Validator.check_schema(root)
    for pattern in _patterns(root):  # every pattern, including those no document exercises
        re.compile(pattern)


def test_the_aws_schemas_are_shipped() -> None:
    assert any(n.startswith(os.path.join("aws", "sagemaker")) for n in SHIPPED)
    assert any(n.startswith(os.path.join("aws", "application-autoscaling")) for n in SHIPPED)
