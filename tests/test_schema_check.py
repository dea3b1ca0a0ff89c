"""``gpulint.schema_check`` against jsonschema.

gpulint checks SageMaker and Application Auto Scaling documents with its own
validator for the keywords its generated schemas use (importing jsonschema cost
more than the rest of a run). Here both meet the same documents: every AWS
document of the fixtures, examples and shared corpus, as written and with parts
of it replaced by wrong values, and must report the same failures (keyword,
place and value) in the same order, up to the order of a map's entries, which
jsonschema visits in set order.
"""

from __future__ import annotations

import copy
import glob
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpulint import sagemaker
from gpulint.engine import lint_paths
from gpulint.schema_check import Validator

jsonschema = pytest.importorskip("jsonschema")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_NAMES = sorted(
    os.path.relpath(p, sagemaker.schema_dir())[:-len(".json")]
    for p in glob.glob(os.path.join(sagemaker.schema_dir(), "*", "*.json"))
)


def _documents() -> list[tuple[str, Any]]:
    roots = [os.path.join(REPO, "tests", "fixtures"), os.path.join(REPO, "examples")]
    corpus = os.path.join(REPO, "..", "shared", "corpus")
    if os.path.isdir(corpus):
        roots.append(corpus)
    result = lint_paths(roots)
    docs = []
    for obj in result.project.of_type(sagemaker.AwsObject):
        name = obj.response_schema if obj.form == "response" else obj.schema
        docs.append((name, obj.data))
    return docs


DOCUMENTS = _documents()
_THEIRS: dict[str, Any] = {}
_OURS: dict[str, Validator] = {}


def _failures(errors: Any) -> list[tuple]:
    return [(e.validator, tuple(e.absolute_path), repr(e.validator_value)[:200], repr(e.instance)[:200])
            for e in errors]


def _compare(name: str, data: Any) -> None:
    if name not in _THEIRS:
        schema = sagemaker.inline_refs(sagemaker.load_schema(name))
        _THEIRS[name] = jsonschema.Draft202012Validator(schema)
        _OURS[name] = Validator(schema)
    theirs = _failures(_THEIRS[name].iter_errors(data))
    ours = _failures(_OURS[name].iter_errors(data))
    if theirs != ours:  # jsonschema visits the entries of a map (additionalProperties) in set order
        assert sorted(theirs) == sorted(ours), name


def test_there_are_documents_of_every_kind() -> None:
    assert len(DOCUMENTS) >= 40
    kinds = {name.split("/")[1] for name, _ in DOCUMENTS}
    assert {"CreateEndpointConfig", "CreateModel", "CreateTrainingJob", "CreateTransformJob",
            "RegisterScalableTarget", "PutScalingPolicy"} <= kinds


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_every_shipped_schema_uses_only_supported_keywords(name: str) -> None:
    validator = Validator(sagemaker.inline_refs(sagemaker.load_schema(name)))  # refuses anything else
    patterns: list[str] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    patterns.append(value)
                else:
                    collect(value)
        elif isinstance(node, list):
            for item in node:
                collect(item)

    collect(validator.root)
    for pattern in patterns:  # every pattern compiles, including those no document exercises
        validator._pattern(pattern)


def test_an_unsupported_keyword_is_refused() -> None:
    with pytest.raises(ValueError, match="not supported: oneOf"):
        Validator({"type": "object", "properties": {"a": {"oneOf": [{"type": "string"}]}}})


def test_documents_as_written_fail_the_same_way() -> None:
    failing = 0
    for name, data in DOCUMENTS:
        _compare(name, data)
        failing += bool(_failures(_OURS[name].iter_errors(data)))
    assert failing >= 5  # the fixtures hold wrong documents too: the comparison is not all-clean


JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10**9), st.floats(allow_nan=False, width=32),
    st.sampled_from(["", "x", "ml.g5.xlarge", "ml.g5.xlarg", "AllTraffic", "a" * 300, "1", "1.0", "true",
                     "Enabled", "s3://bucket/key", "arn:aws:iam::123456789012:role/r"]),
    st.just([]), st.just({}), st.lists(st.integers(0, 3), max_size=3),
    st.dictionaries(st.sampled_from(["A", "Name", "x"]), st.integers(0, 3), max_size=2),
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, prefix + (k,)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, prefix + (i,)))
    return out


def _replace(node: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = copy.copy(node)
    node[path[0]] = _replace(node[path[0]], path[1:], value)
    return node


@settings(max_examples=int(os.environ.get("SCHEMA_EXAMPLES", "150")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_documents_with_wrong_parts_fail_the_same_way(data: st.DataObject) -> None:
    name, doc = data.draw(st.sampled_from(DOCUMENTS))
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(doc)
        path = data.draw(st.sampled_from(paths))
        if data.draw(st.booleans()) and path and isinstance(doc, dict):
            parent = _replace(doc, (), doc)
            # delete a member (a required one makes a 'required' failure)
            target = parent
            for step in path[:-1]:
                target = target[step]
            if isinstance(target, dict):
                doc = _replace(doc, path[:-1], {k: v for k, v in target.items() if k != path[-1]})
                continue
        doc = _replace(doc, path, data.draw(JUNK))
    _compare(name, doc)
