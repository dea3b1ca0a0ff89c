#!/usr/bin/env python3
"""Generate gpulint's own JSON Schemas from the code that defines them.

    python scripts/gen_schemas.py            # writes schemas/*.schema.json
    python scripts/gen_schemas.py --check    # exit 1 when a committed file differs

- ``schemas/config.schema.json``: the config file (``.gpulint.yaml`` or
  ``[tool.gpulint]`` in pyproject.toml), from ``gpulint.config.Config`` plus,
  under ``rules``, each rule's own options (``Rule.Options``) and ``severity``.
- ``schemas/diagnostics.schema.json``: the output of ``--format json``.
- ``schemas/kubernetes-workload.schema.json``: the subset of the Kubernetes
  workload shape gpulint reads (pod specs of the built-in workload kinds and
  KServe InferenceServices, HPA and KEDA ScaledObject specs), from the pydantic
  shapes in ``gpulint.model.core``. Like gpulint, it allows unknown fields and
  accepts unrendered template placeholders (``${VAR}``, ``{{ .Values.x }}``)
  wherever it checks a value.

The files are committed; tests/test_schemas.py fails when they drift.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "schemas"))
DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://github.com/gpulint/gpulint/blob/main/schemas/"

RULE_NAME = r"^[a-z0-9]+(-[a-z0-9]+)*$"
RULE_CODE = r"^[A-Z]+[0-9]{3}$"
SEVERITIES = ["error", "warning", "info"]


# --------------------------------------------------------------------------- helpers


def _clean(schema: Any) -> Any:
    """Drop pydantic's generated titles (``Initialdelayseconds``) and null defaults."""
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "title" and isinstance(value, str):
                continue
            if key == "default" and value is None:
                continue
            if key in ("properties", "$defs", "patternProperties"):
                out[key] = {k: _clean(v) for k, v in value.items()}
            else:
                out[key] = _clean(value)
        return out
    if isinstance(schema, list):
        return [_clean(v) for v in schema]
    return schema


def dump(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- config


def config_schema() -> dict:
    from gpulint.config import Config
    from gpulint.engine.rule import all_rules

    base = _clean(Config.model_json_schema(by_alias=True, mode="validation"))
    props = base["properties"]
    props.pop("path", None)
    for key in ("select", "ignore", "context", "exclude"):
        item = props[key]
        desc = item.pop("description", "")
        props[key] = {
            "description": desc + " A single string is a one-item list.",
            "anyOf": [{"type": "string"}, item],
        }
    defs: dict[str, Any] = {}
    rule_props: dict[str, Any] = {}
    for rule in all_rules():
        opts = rule.Options.model_json_schema(by_alias=True, mode="validation",
                                              ref_template="#/$defs/{model}")
        opts = _clean(opts)
        defs.update(opts.pop("$defs", {}))
        opt_props = dict(opts.get("properties", {}))
        opt_props["severity"] = {
            "description": f"Severity of {rule.name} (default: {rule.severity.label}; null keeps it).",
            "anyOf": [{"enum": SEVERITIES}, {"type": "null"}],
        }
        defs[rule.name] = {
            "description": f"{rule.code}: {rule.summary}",
            "type": "object",
            "properties": opt_props,
            "additionalProperties": False,
        }
        ref = {"$ref": f"#/$defs/{rule.name}"}
        rule_props[rule.name] = ref
        rule_props[rule.code] = ref
    props["rules"] = {
        "description": "Per-rule severity and options, keyed by rule name (or code).",
        "type": "object",
        "properties": rule_props,
        "additionalProperties": False,
    }
    base.pop("$defs", None)  # RuleConfig: replaced by one definition per rule
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "config.schema.json",
        "title": "gpulint configuration",
        "description": (
            "The settings of .gpulint.yaml, or of the [tool.gpulint] table in pyproject.toml "
            "(same keys, kebab-case)."
        ),
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }


# --------------------------------------------------------------------------- diagnostics


def diagnostics_schema() -> dict:
    position = {"type": "integer", "minimum": 1}
    diagnostic = {
        "type": "object",
        "required": ["rule", "code", "severity", "file", "line", "column", "end_line", "end_column",
                     "message", "fixable"],
        "properties": {
            "rule": {"description": "The rule's kebab-case name.", "type": "string", "pattern": RULE_NAME},
            "code": {"description": "The rule's stable code (GL001, GPU101, ...).", "type": "string",
                     "pattern": RULE_CODE},
            "severity": {"enum": SEVERITIES},
            "file": {"description": "The path as given or walked, or the --stdin-filename.", "type": "string"},
            "line": {**position, "description": "1-based line of the most specific node."},
            "column": {**position, "description": "1-based column (in characters) of that node."},
            "end_line": {**position, "description": "Where the node ends (equal to line when unknown)."},
            "end_column": {**position, "description": "Column just past the node's end."},
            "message": {"description": "What was found and what is expected.", "type": "string", "minLength": 1},
            "fixable": {"description": "A fix is attached (see fix_applicability).", "type": "boolean"},
            "fix_applicability": {
                "description": "safe: applied by --fix; unsafe: only with --unsafe-fixes; none: shown only.",
                "enum": ["safe", "unsafe", "none"],
            },
            "path": {
                "description": "Keys and list indices from the document root to the node.",
                "type": "array",
                "items": {"type": ["string", "integer"]},
            },
            "related": {"description": "Other places involved (cross-file rules).", "type": "array",
                        "items": {"type": "string"}},
        },
        "additionalProperties": False,
    }
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "diagnostics.schema.json",
        "title": "gpulint diagnostics (--format json)",
        "description": "A JSON array with one object per finding, sorted by file, line and column.",
        "type": "array",
        "items": {"$ref": "#/$defs/diagnostic"},
        "$defs": {"diagnostic": diagnostic},
    }


# --------------------------------------------------------------------------- Kubernetes


def _placeholder_pattern() -> str:
    from gpulint.model import core as model

    return model._PLACEHOLDER.pattern


def _shape_generator() -> type:
    """A pydantic schema generator that knows gpulint's value types."""
    from pydantic.json_schema import GenerateJsonSchema

    from gpulint.model import core as model

    placeholder = {"$ref": "#/$defs/placeholder"}
    known: dict[Callable[..., Any], dict] = {
        model._int_like: {"anyOf": [{"type": "integer"}, placeholder]},
        model._scalar: {"not": {"type": ["object", "array"]}},
        model._string_map: {
            "anyOf": [
                {"type": "object", "additionalProperties": {"not": {"type": ["object", "array"]}}},
                placeholder,
            ]
        },
    }

    class ShapeSchema(GenerateJsonSchema):
        def function_plain_schema(self, schema: Any) -> Any:
            fn = schema.get("function", {}).get("function")
            if fn in known:
                return dict(known[fn])
            return super().function_plain_schema(schema)

    return ShapeSchema


def _shapes(models: list[type]) -> dict[str, Any]:
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([(m, "validation") for m in models], ref_template="#/$defs/{model}",
                                schema_generator=_shape_generator())
    defs = _clean(top["$defs"])
    for name, shape in defs.items():
        shape.pop("additionalProperties", None)  # unknown fields are fine
        shape["type"] = "object"
        if shape.get("description", "").startswith("Base for document shapes"):
            shape.pop("description")
    defs["placeholder"] = {
        "description": "An unrendered template value (${VAR}, {{ .Values.x }}, <name>): unknown, not wrong.",
        "type": "string",
        "pattern": _placeholder_pattern(),
    }
    # gpulint treats a pod spec without containers as one with none
    defs["PodSpec"].pop("required", None)
    return dict(sorted(defs.items()))


def _kind_is(kinds: list[str], api: Optional[str] = None) -> dict:
    cond: dict[str, Any] = {"properties": {"kind": {"enum": kinds} if len(kinds) > 1 else {"const": kinds[0]}},
                            "required": ["kind"]}
    if api:
        cond["properties"]["apiVersion"] = {"type": "string", "pattern": api}
        cond["required"].append("apiVersion")
    return cond


def _at(path: tuple, leaf: dict) -> dict:
    """A schema that puts ``leaf`` at ``path`` inside mappings."""
    schema = leaf
    for step in reversed(path):
        schema = {"type": "object", "properties": {step: schema}}
    return schema


def kubernetes_schema() -> dict:
    from gpulint.model.kubernetes import recognise as kubernetes
    from gpulint.model.kubernetes import shapes

    defs = _shapes([shapes.PodSpec, shapes.Container, shapes.ObjectMeta, shapes.HPASpec, shapes.ScaledObjectSpec])
    defs["PodTemplateSpec"] = {
        "description": "A pod template: metadata and a pod spec.",
        "type": "object",
        "properties": {"metadata": {"$ref": "#/$defs/ObjectMeta"}, "spec": {"$ref": "#/$defs/PodSpec"}},
    }
    frameworks = {fw: {"$ref": "#/$defs/Container"} for fw in kubernetes.KSERVE_FRAMEWORKS}
    defs["KServeComponent"] = {
        "description": "A KServe component (predictor, transformer, explainer): a pod spec plus a model container.",
        "allOf": [{"$ref": "#/$defs/PodSpec"}],
        "type": "object",
        "properties": {**frameworks, "workerSpec": {"$ref": "#/$defs/PodSpec"}},
    }
    builtin_api = r"^(v1|(apps|batch|extensions)/[^/]+)$"
    by_path: dict[tuple, list[str]] = {}
    for kind, paths in kubernetes.TEMPLATE_PATHS.items():
        for path in paths:
            by_path.setdefault(tuple(path), []).append(kind)
    rules = []
    for path, kinds in by_path.items():
        target = _at(path + ("spec",), {"$ref": "#/$defs/PodSpec"}) if not path else _at(
            path, {"$ref": "#/$defs/PodTemplateSpec"})
        rules.append({"if": _kind_is(kinds, builtin_api), "then": target})
    components = {c: {"$ref": "#/$defs/KServeComponent"} for c in kubernetes.KSERVE_COMPONENTS}
    rules.append({"if": _kind_is(["InferenceService"], r"^serving\.kserve\.io/"),
                  "then": _at(("spec",), {"type": "object", "properties": components})})
    rules.append({"if": _kind_is(["HorizontalPodAutoscaler"], r"^autoscaling/"),
                  "then": _at((), {"properties": {"spec": {"$ref": "#/$defs/HPASpec"}}})})
    rules.append({"if": _kind_is(["ScaledObject"], r"^keda\.sh/"),
                  "then": _at((), {"properties": {"spec": {"$ref": "#/$defs/ScaledObjectSpec"}}})})
    return {
        "$schema": DRAFT,
        "$id": BASE_ID + "kubernetes-workload.schema.json",
        "title": "Kubernetes workloads as gpulint reads them",
        "description": (
            "The subset of the Kubernetes shape gpulint checks: pod specs of Pod, PodTemplate, Deployment, "
            "StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob and KServe "
            "InferenceService, and the specs of HorizontalPodAutoscaler and KEDA ScaledObject. Unknown "
            "fields are allowed, and unrendered template placeholders are accepted where a value is checked. "
            "Pod specs inside other custom resources (Ray, training operators, LeaderWorkerSet) are found "
            "by shape at lint time and are not described here."
        ),
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"$ref": "#/$defs/ObjectMeta"},
        },
        "allOf": rules,
        "$defs": defs,
    }


# --------------------------------------------------------------------------- main

SCHEMAS: dict[str, Callable[[], dict]] = {
    "config.schema.json": config_schema,
    "diagnostics.schema.json": diagnostics_schema,
    "kubernetes-workload.schema.json": kubernetes_schema,
}


def generate() -> dict[str, str]:
    """File name -> text, for every schema."""
    return {name: dump(fn()) for name, fn in SCHEMAS.items()}


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("--out", default=OUT, help="folder to write to (default: schemas/)")
    args = parser.parse_args(argv)
    stale = []
    os.makedirs(args.out, exist_ok=True)
    for name, text in generate().items():
        path = os.path.join(args.out, name)
        try:
            with open(path, encoding="utf-8") as fh:
                current = fh.read()
        except OSError:
            current = None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/gen_schemas.py", file=sys.stderr)
        return 1
    for name in stale:
        print(f"wrote {os.path.join(args.out, name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
