#!/usr/bin/env python3
"""Generate JSON Schemas for the SageMaker and Application Auto Scaling
documents gpulint validates, from the service models that botocore ships.

    python scripts/gen_aws_schemas.py            # writes schemas/aws/...
    python scripts/gen_aws_schemas.py --check    # exit 1 when the files differ

The schemas are committed; gpulint never imports botocore at lint time. Each
file describes one operation's request (``CreateEndpointConfig.json``) or a
saved response (``DescribeEndpointConfig.json``) and is self-contained: every
named shape becomes an entry of ``$defs`` whose ``title`` is the shape name.

What is carried over: structure members and ``required``, types, ``enum``,
string lengths, numeric ``minimum``/``maximum``, list lengths, and the
``pattern`` of a string where Python's ``re`` reads it the way the service
does (patterns with ``\\p{..}`` classes or surrogate ranges are left out).
Unknown members are allowed (``additionalProperties`` is never false): saved
responses and newer API members must not be violations.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "schemas", "aws")

#: service -> [(file name, shape name, kind)]; kind is "request" or "response"
DOCUMENTS: dict[str, list[tuple[str, str, str]]] = {
    "sagemaker": [
        ("CreateEndpointConfig", "CreateEndpointConfigInput", "request"),
        ("CreateEndpoint", "CreateEndpointInput", "request"),
        ("CreateModel", "CreateModelInput", "request"),
        ("CreateTrainingJob", "CreateTrainingJobRequest", "request"),
        ("CreateTransformJob", "CreateTransformJobRequest", "request"),
        ("CreateInferenceComponent", "CreateInferenceComponentInput", "request"),
        ("DescribeEndpointConfig", "DescribeEndpointConfigOutput", "response"),
        ("DescribeEndpoint", "DescribeEndpointOutput", "response"),
        ("DescribeModel", "DescribeModelOutput", "response"),
        ("DescribeTrainingJob", "DescribeTrainingJobResponse", "response"),
        ("DescribeTransformJob", "DescribeTransformJobResponse", "response"),
        ("DescribeInferenceComponent", "DescribeInferenceComponentOutput", "response"),
    ],
    "application-autoscaling": [
        ("RegisterScalableTarget", "RegisterScalableTargetRequest", "request"),
        ("PutScalingPolicy", "PutScalingPolicyRequest", "request"),
        ("ScalableTarget", "ScalableTarget", "response"),
        ("ScalingPolicy", "ScalingPolicy", "response"),
    ],
}


def safe_pattern(pattern: str) -> bool:
    """True when Python's ``re`` reads ``pattern`` as the service does."""
    if "\\p" in pattern or "\\P" in pattern or "\\u" in pattern or "\\x" in pattern:
        return False
    if "(?<" in pattern or "++" in pattern or "*+" in pattern or "?+" in pattern:
        return False
    if len(pattern) > 400:
        return False
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


class Converter:
    def __init__(self, shapes: dict[str, Any]) -> None:
        self.shapes = shapes
        self.defs: dict[str, Any] = {}

    def ref(self, name: str) -> dict[str, Any]:
        if name not in self.defs:
            self.defs[name] = {}  # placeholder breaks recursion
            self.defs[name] = self.convert(name)
        return {"$ref": f"#/$defs/{name}"}

    def convert(self, name: str) -> dict[str, Any]:
        shape = self.shapes[name]
        kind = shape["type"]
        out: dict[str, Any] = {"title": name}
        if kind == "structure":
            out["type"] = "object"
            out["properties"] = {m: self.ref(spec["shape"]) for m, spec in shape.get("members", {}).items()}
            if shape.get("required"):
                out["required"] = list(shape["required"])
        elif kind == "list":
            out["type"] = "array"
            out["items"] = self.ref(shape["member"]["shape"])
            if "min" in shape:
                out["minItems"] = int(shape["min"])
            if "max" in shape:
                out["maxItems"] = int(shape["max"])
        elif kind == "map":
            out["type"] = "object"
            out["additionalProperties"] = self.ref(shape["value"]["shape"])
            if "max" in shape:
                out["maxProperties"] = int(shape["max"])
        elif kind in ("string", "blob"):
            out["type"] = "string"
            if "enum" in shape:
                out["enum"] = list(shape["enum"])
            else:
                if "min" in shape:
                    out["minLength"] = int(shape["min"])
                if "max" in shape:
                    out["maxLength"] = int(shape["max"])
                pattern = shape.get("pattern")
                if pattern and safe_pattern(pattern):
                    out["pattern"] = pattern
        elif kind in ("integer", "long"):
            out["type"] = "integer"
            if "min" in shape:
                out["minimum"] = shape["min"]
            if "max" in shape:
                out["maximum"] = shape["max"]
        elif kind in ("float", "double"):
            out["type"] = "number"
            if "min" in shape:
                out["minimum"] = shape["min"]
            if "max" in shape:
                out["maximum"] = shape["max"]
        elif kind == "boolean":
            out["type"] = "boolean"
        elif kind == "timestamp":
            out["type"] = ["string", "number"]
        else:  # pragma: no cover - every botocore type is handled above
            raise ValueError(f"{name}: unknown shape type {kind}")
        return out


def build(service: str, shape: str, kind: str, model: dict[str, Any]) -> dict[str, Any]:
    conv = Converter(model["shapes"])
    top = conv.convert(shape)
    meta = model["metadata"]
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": (
            f"Generated by scripts/gen_aws_schemas.py from the botocore service model "
            f"'{service}' ({meta.get('apiVersion')}); do not edit."
        ),
        "x-document": kind,
        **top,
    }
    schema["$defs"] = {k: conv.defs[k] for k in sorted(conv.defs)}
    return schema


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, sort_keys=False) + "\n"


def generate() -> dict[str, str]:
    from botocore.loaders import Loader  # generation time only

    loader = Loader()
    files: dict[str, str] = {}
    for service, docs in DOCUMENTS.items():
        model = loader.load_service_model(service, "service-2")
        for fname, shape, kind in docs:
            files[os.path.join(service, f"{fname}.json")] = render(build(service, shape, kind, model))
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed files, write nothing")
    parser.add_argument("--out", default=OUT, help="output folder (default: schemas/aws)")
    args = parser.parse_args(argv)
    files = generate()
    stale = []
    for rel, text in files.items():
        path = os.path.join(args.out, rel)
        current = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if current == text:
            continue
        stale.append(rel)
        if not args.check:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
    if args.check and stale:
        print("out of date: " + ", ".join(sorted(stale)), file=sys.stderr)
        return 1
    if not args.check:
        import botocore

        print(f"wrote {len(stale)} of {len(files)} schema file(s) from botocore {botocore.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
