"""JSON Schema validation of AWS documents, and the mapping between API and written paths.

Documents are validated against JSON Schemas generated from the botocore
service models (``schemas/aws``, see ``scripts/gen_aws_schemas.py``); nothing
here imports botocore, and jsonschema is imported only when the first AWS
document of a run is validated. :func:`normalise` spells a document's members
as the API does (ACK writes ``resourceID`` for ``ResourceId``);
:func:`validate` records each schema error as a violation at the path written
in the file, in gpulint's words, and leaves alone what is unknown until deploy
time or what the document's form (saved response, ACK resource, CloudFormation)
allows.
"""

from __future__ import annotations

import difflib
import json
import os
from typing import Any

from gpulint.model.core import describe
from gpulint.model.recognize import Violation
from gpulint.model.sagemaker.objects import AwsObject, is_unknown

_SCHEMAS: dict[str, dict] = {}
_VALIDATORS: dict[str, Any] = {}


def schema_dir() -> str:
    import gpulint.schemas

    return os.path.join(os.path.dirname(os.path.abspath(gpulint.schemas.__file__)), "aws")


def load_schema(name: str) -> dict:
    if name not in _SCHEMAS:
        with open(os.path.join(schema_dir(), name + ".json"), encoding="utf-8") as fh:
            _SCHEMAS[name] = json.load(fh)
    return _SCHEMAS[name]


def validator(name: str) -> Any:
    """A jsonschema validator for ``name``, built once (jsonschema is imported here, on the
    first AWS document of a run, so a Kubernetes-only run never imports it)."""
    if name not in _VALIDATORS:
        from jsonschema import Draft202012Validator

        _VALIDATORS[name] = Draft202012Validator(inline_refs(load_schema(name)))
    return _VALIDATORS[name]


def inline_refs(root: dict) -> dict:
    """``root`` with each ``#/$defs/X`` reference replaced by the definition itself.

    Following a reference costs jsonschema far more than the check it leads to,
    and the generated schemas reference a definition for nearly every member.
    Definitions are shared, not copied; a definition that refers to itself (a
    recursive shape) keeps its ``$ref``, which ``$defs`` still resolves.
    """
    defs = root.get("$defs") or {}
    done: dict[str, Any] = {}

    def walk(node: Any, stack: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, stack) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/") and len(node) == 1:
            key = ref[len("#/$defs/"):]
            if key in stack or key not in defs:
                return node
            if key not in done:
                done[key] = walk(defs[key], stack + (key,))
            return done[key]
        return {k: (v if k == "$defs" else walk(v, stack)) for k, v in node.items()}

    return walk(root, ())


def _resolve(schema: dict, root: dict) -> dict:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return root["$defs"][ref[len("#/$defs/"):]]
    return schema


def normalise(raw: Any, schema: dict, root: dict) -> Any:
    """``raw`` in the API's spelling: keys matched case-insensitively, nulls dropped."""
    schema = _resolve(schema, root)
    if isinstance(raw, dict):
        props = schema.get("properties")
        if isinstance(props, dict):
            lower = {k.lower(): k for k in props}
            out = {}
            for key, value in raw.items():
                if value is None:
                    continue
                name = lower.get(key.lower(), key) if isinstance(key, str) else key
                sub = props.get(name)
                out[name] = normalise(value, sub, root) if sub is not None else value
            return out
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return {k: normalise(v, extra, root) for k, v in raw.items() if v is not None}
        return {k: v for k, v in raw.items() if v is not None}
    if isinstance(raw, list):
        items = schema.get("items")
        if isinstance(items, dict):
            return [normalise(v, items, root) for v in raw]
        return list(raw)
    return raw


def _templated(value: Any) -> bool:
    if is_unknown(value):
        return True
    if isinstance(value, str) and "<" in value and ">" in value:
        return True  # s3://<YOUR BUCKET>/path
    return False


def _under_unknown(data: Any, steps: tuple) -> bool:
    """Does the path ``steps`` pass through an unknown value (an intrinsic, a placeholder)?
    Nothing inside one is what will be deployed (``{"Fn::If": [c, {...}, ...]}``)."""
    node = data
    for step in steps:
        if isinstance(node, dict):
            node = node.get(step)
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return False
        if _templated(node):
            return True
    return False


def _count_unknown(value: Any) -> bool:
    """A list with an unknown item has an unknown length (``!If [c, x, !Ref AWS::NoValue]``
    drops its item; ``${ITEMS}`` may stand for several)."""
    return isinstance(value, list) and any(_templated(item) for item in value)


INSTANCE_TYPE_RULE = "unknown-instance-type"

#: members that a dedicated rule checks; the schema stays quiet about their range
_RULE_OWNED = {"VariantInstanceProvisionTimeoutInSeconds"}


def suggest(value: str, choices: list[str]) -> list[str]:
    """Close names for a misspelt instance type."""
    if not value.startswith("ml.") and "ml." + value in choices:
        return ["ml." + value]
    out: list[str] = []
    for c in difflib.get_close_matches(value, choices, n=3, cutoff=0.75):
        if c not in out:
            out.append(c)
    return out[:3]


#: when a value breaks several constraints, the one reported (lowest first): '' breaks both
#: minLength and the pattern of a name, and "is shorter than 1 character" says it best
_RANK = {"type": 0, "enum": 1, "minLength": 2, "maxLength": 2, "minimum": 2, "maximum": 2, "pattern": 3}


#: forms that fill in required members themselves (names generated at deploy time)
_OWN_REQUIRED_SETS = ("response", "cloudformation", "operator", "terraform", "python-sdk")


def validate(obj: AwsObject, violations: list[Violation]) -> None:
    """Check ``obj.data`` against its schema; record violations at the written paths, one per
    value (and one per missing member)."""
    name = obj.response_schema if obj.form == "response" else obj.schema
    v = validator(name)
    seen: set[tuple] = set()
    by_value: dict[tuple, tuple[int, Violation]] = {}
    # a saved response also records what the service reports (status, deployment summaries, current
    # counts): those members are not the author's configuration, so only the request's members are checked
    created = set(load_schema(obj.schema).get("properties", {})) if obj.form == "response" else None
    for err in v.iter_errors(obj.data):
        steps = tuple(err.absolute_path)
        kind = err.validator
        if created is not None and steps and steps[0] not in created:
            continue
        if kind == "required":
            # responses leave members out; CloudFormation and the SageMaker operator generate names and
            # have their own required sets; so does Terraform, and the SageMaker Python SDK fills in
            # the members its calls leave out (form python-sdk)
            if obj.form not in _OWN_REQUIRED_SETS and isinstance(err.instance, dict) \
                    and not _unknown_at(obj, steps, err.instance):
                _missing(obj, steps, err.instance, err.validator_value, seen, violations)
            continue
        if _skipped(obj, err, steps):
            continue
        rank = _RANK.get(kind, 4)
        if steps in by_value and by_value[steps][0] <= rank:
            continue
        by_value[steps] = (rank, _violation(obj, err, steps))
    violations.extend(found for _, found in by_value.values())


def _unknown_at(obj: AwsObject, steps: tuple, inst: Any) -> bool:
    return _templated(inst) or _under_unknown(obj.data, steps[:-1])


def _skipped(obj: AwsObject, err: Any, steps: tuple) -> bool:
    """Is the error ``err`` at ``steps`` not worth reporting: about an unknown value, said better
    by another error, owned by a rule, or allowed by the document's form?"""
    inst, kind = err.instance, err.validator
    if _unknown_at(obj, steps, inst):
        return True
    if isinstance(inst, (dict, list)) and kind not in ("type", "minItems", "maxItems", "maxProperties"):
        return True
    if kind in ("minItems", "maxItems") and _count_unknown(inst):
        return True
    if steps and steps[-1] in _RULE_OWNED and kind in ("minimum", "maximum"):
        return True
    if kind == "enum" and not isinstance(inst, str):
        return True  # the type error says it
    if obj.form not in ("cloudformation", "terraform") or kind != "type":
        return False
    # CloudFormation and Terraform convert between strings and the other scalars: "1" and "true" where a number
    # or a boolean belongs, 1 and true where a string belongs (an environment variable's value)
    if isinstance(inst, str):
        return err.validator_value in ("integer", "number", "boolean")
    return isinstance(inst, (int, float)) and err.validator_value == "string"


def _violation(obj: AwsObject, err: Any, steps: tuple) -> Violation:
    inst, kind = err.instance, err.validator
    where = obj.label(*steps) or "the document"
    title = err.schema.get("title", "") if isinstance(err.schema, dict) else ""
    if kind == "enum" and isinstance(inst, str) and title.endswith("InstanceType"):
        close = suggest(inst, list(err.validator_value))
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        return Violation(obj.doc_index, obj.at(*steps),
                         f"'{where}': unknown instance type '{inst}' for {_instance_use(title)}{hint}",
                         rule=INSTANCE_TYPE_RULE)
    return Violation(obj.doc_index, obj.at(*steps), f"'{where}': {_message(err)}")


def _missing(obj: AwsObject, steps: tuple, inst: dict, required: list[str], seen: set[tuple],
             violations: list[Violation]) -> None:
    """Record each member of ``required`` that the mapping ``inst`` at ``steps`` lacks (once per place)."""
    for member in required:
        if member in inst:
            continue
        key = (steps, "required", member)
        if key in seen:
            continue
        seen.add(key)
        if obj.form == "ack" and _has_reference(obj, steps, member):
            continue
        where = obj.label(*steps)
        holder = f"'{where}'" if where else f"a {obj.type_label}"
        violations.append(Violation(
            obj.doc_index, obj.at(*steps),
            f"'{_spelling(obj, member)}' is required in {holder}",
        ))


def _instance_use(title: str) -> str:
    return {
        "ProductionVariantInstanceType": "SageMaker hosting",
        "TrainingInstanceType": "SageMaker training",
        "TransformInstanceType": "SageMaker batch transform",
    }.get(title, "SageMaker")


def _spelling(obj: AwsObject, member: str) -> str:
    if obj.form in ("ack", "operator"):
        return member[:1].lower() + member[1:]
    return member


def _has_reference(obj: AwsObject, steps: tuple, member: str) -> bool:
    """ACK lets ``fooRef`` stand in for ``foo`` (a reference to another resource)."""
    node = obj.raw
    for step in obj.at(*steps)[len(obj.base):]:
        node = node.get(step) if isinstance(node, dict) else (
            node[step] if isinstance(node, list) and isinstance(step, int) and step < len(node) else None)
    if not isinstance(node, dict):
        return False
    low = member.lower()
    wants = {low + "ref"}
    for suffix in ("name", "arn", "id"):
        if low.endswith(suffix) and len(low) > len(suffix):
            wants.add(low[: -len(suffix)] + "ref")
    return any(isinstance(k, str) and k.lower() in wants for k in node)


def _message(err: Any) -> str:
    kind, value, inst = err.validator, err.validator_value, err.instance
    if kind == "type":
        expected = {"object": "a mapping", "array": "a list", "string": "a string", "integer": "an integer",
                    "number": "a number", "boolean": "true or false"}
        want = value if isinstance(value, str) else "string"
        return f"expected {expected.get(want, want)}, found {describe(inst)}"
    if kind == "enum":
        opts = list(value)
        shown = ", ".join(repr(o) for o in opts[:8]) + (", ..." if len(opts) > 8 else "")
        close = difflib.get_close_matches(str(inst), [str(o) for o in opts], n=1, cutoff=0.7)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{describe(inst)} is not one of {shown}{hint}"
    if kind == "minimum":
        return f"{inst} is below the minimum {value}"
    if kind == "maximum":
        return f"{inst} is above the maximum {value}"
    if kind == "minLength":
        return f"{describe(inst)} is shorter than {value} character(s)"
    if kind == "maxLength":
        return f"{describe(inst)} is longer than {value} characters"
    if kind == "minItems":
        return f"expected at least {value} item(s), found {len(inst)}"
    if kind == "maxItems":
        return f"expected at most {value} items, found {len(inst)}"
    if kind == "maxProperties":
        return f"expected at most {value} entries, found {len(inst)}"
    if kind == "pattern":
        return f"{describe(inst)} does not match the pattern {value}"
    return err.message
