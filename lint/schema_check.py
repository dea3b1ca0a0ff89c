"""A validator for the part of JSON Schema that gpulint's AWS schemas use.

The schemas in ``schemas/aws/`` are generated from the botocore service models
(``scripts/gen_aws_schemas.py``) and use a small, fixed set of keywords:
``type`` (a name or a list of names), ``properties``, ``additionalProperties``
(a schema), ``required``, ``items``, ``enum``, ``minimum``, ``maximum``,
``minLength``, ``maxLength``, ``pattern``, ``minItems``, ``maxItems``,
``maxProperties`` and ``$ref`` to ``#/$defs/...``; ``title``, ``$schema``,
``$comment`` and ``x-document`` are annotations. :class:`Validator` checks
exactly those, with Draft 2020-12 semantics (``1.0`` is an integer, ``true`` is
not a number, a keyword applies only to the types it is about), and reports
errors in the order jsonschema does, with the same attributes
(``validator``, ``validator_value``, ``instance``, ``absolute_path``, ``schema``).
A schema with any other keyword is refused when the validator is built, so a
regenerated schema cannot be checked half-way. tests/test_schema_check.py
compares it with jsonschema on every SageMaker document of the fixtures,
examples and corpus, and on generated ones.

Why not jsonschema itself: importing it (with ``referencing``, ``rpds`` and
``attrs``) took longer than the rest of a SageMaker run together.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

__all__ = ["SchemaError", "Validator", "KEYWORDS", "ANNOTATIONS"]

KEYWORDS = frozenset({
    "type", "properties", "additionalProperties", "required", "items", "enum", "minimum", "maximum",
    "minLength", "maxLength", "pattern", "minItems", "maxItems", "maxProperties", "$ref", "$defs",
})
ANNOTATIONS = frozenset({"title", "description", "$schema", "$comment", "x-document", "$id"})


class SchemaError:
    """One failed keyword: what jsonschema's ValidationError says, for the attributes gpulint reads."""

    __slots__ = ("validator", "validator_value", "instance", "absolute_path", "schema")

    def __init__(self, validator: str, value: Any, instance: Any, path: tuple, schema: dict) -> None:
        self.validator = validator
        self.validator_value = value
        self.instance = instance
        self.absolute_path = path
        self.schema = schema

    @property
    def message(self) -> str:
        return f"{self.instance!r} fails {self.validator} {self.validator_value!r}"

    def __repr__(self) -> str:
        return f"SchemaError({self.validator!r} at {list(self.absolute_path)})"


def _is_type(instance: Any, name: str) -> bool:
    kind = type(instance)
    if name == "string":
        return kind is str
    if name == "object":
        return kind is dict
    if name == "array":
        return kind is list
    if name == "boolean":
        return kind is bool
    if name == "integer":
        return kind is int or (kind is float and instance.is_integer())
    if name == "number":
        return kind is int or kind is float
    if name == "null":
        return instance is None
    return False


def _is_number(instance: Any) -> bool:
    return type(instance) in (int, float)


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: ``true`` is not ``1``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class Validator:
    """Validate instances against ``schema`` (whose ``$defs`` resolve its ``$ref``s)."""

    def __init__(self, schema: dict) -> None:
        self.root = schema
        self._patterns: dict[str, re.Pattern] = {}
        self._check_keywords(schema, set())

    def _check_keywords(self, schema: Any, seen: set) -> None:
        if not isinstance(schema, dict) or id(schema) in seen:
            return
        seen.add(id(schema))
        unknown = set(schema) - KEYWORDS - ANNOTATIONS
        if unknown:
            raise ValueError(f"schema keyword(s) not supported: {', '.join(sorted(unknown))}")
        for key in ("properties", "$defs"):
            for sub in (schema.get(key) or {}).values():
                self._check_keywords(sub, seen)
        for key in ("items", "additionalProperties"):
            self._check_keywords(schema.get(key), seen)

    def _resolve(self, ref: str) -> dict:
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"only #/$defs/ references are supported: {ref}")
        return self.root["$defs"][ref[len("#/$defs/"):]]

    def _pattern(self, pattern: str) -> re.Pattern:
        compiled = self._patterns.get(pattern)
        if compiled is None:
            compiled = self._patterns[pattern] = re.compile(pattern)
        return compiled

    def iter_errors(self, instance: Any) -> Iterator[SchemaError]:
        return self._errors(self.root, instance, ())

    def _errors(self, schema: dict, instance: Any, path: tuple) -> Iterator[SchemaError]:
        for keyword, value in schema.items():
            if keyword == "type":
                names = value if isinstance(value, list) else (value,)
                if not any(_is_type(instance, n) for n in names):
                    yield SchemaError("type", value, instance, path, schema)
            elif keyword == "properties":
                if type(instance) is dict:
                    for name, sub in value.items():
                        if name in instance:
                            yield from self._errors(sub, instance[name], path + (name,))
            elif keyword == "additionalProperties":
                if type(instance) is dict:
                    known = schema.get("properties") or {}
                    for name, item in instance.items():
                        if name not in known:
                            yield from self._errors(value, item, path + (name,))
            elif keyword == "required":
                if type(instance) is dict:
                    for name in value:
                        if name not in instance:
                            yield SchemaError("required", value, instance, path, schema)
            elif keyword == "items":
                if type(instance) is list:
                    for i, item in enumerate(instance):
                        yield from self._errors(value, item, path + (i,))
            elif keyword == "$ref":
                yield from self._errors(self._resolve(value), instance, path)
            elif keyword == "enum":
                if not any(_equal(instance, option) for option in value):
                    yield SchemaError("enum", value, instance, path, schema)
            elif keyword in ("minimum", "maximum"):
                if _is_number(instance) and (instance < value if keyword == "minimum" else instance > value):
                    yield SchemaError(keyword, value, instance, path, schema)
            elif keyword in ("minLength", "maxLength"):
                if type(instance) is str and (len(instance) < value if keyword == "minLength"
                                              else len(instance) > value):
                    yield SchemaError(keyword, value, instance, path, schema)
            elif keyword == "pattern":
                if type(instance) is str and not self._pattern(value).search(instance):
                    yield SchemaError("pattern", value, instance, path, schema)
            elif keyword in ("minItems", "maxItems"):
                if type(instance) is list and (len(instance) < value if keyword == "minItems"
                                               else len(instance) > value):
                    yield SchemaError(keyword, value, instance, path, schema)
            elif keyword == "maxProperties":
                if type(instance) is dict and len(instance) > value:
                    yield SchemaError("maxProperties", value, instance, path, schema)
