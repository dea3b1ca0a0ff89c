"""CloudFormation intrinsic functions: values known only when the stack is deployed.

An intrinsic is written in one of two forms. JSON (and long-form YAML) templates
write a mapping of one key, ``{"Ref": "SubnetIds"}`` or ``{"Fn::Split": [",", ...]}``
(:func:`is_intrinsic`). Short-form YAML writes a tag, ``!Ref SubnetIds`` or
``!Split [",", !Ref SubnetIds]``: the loader keeps the tag of a scalar as a
:class:`~gpulint.load.Tagged` value, but builds a tagged sequence or mapping as a
plain list or dict, so ``!Split [",", !Ref SubnetIds]`` would read as a literal
list whose first item is ``","``. :func:`retag` composes the document again and
wraps every such collection in a :class:`~gpulint.load.Tagged` of its tag, so
that each intrinsic, whatever its form, is one unknown value
(:func:`~gpulint.model.sagemaker.objects.is_unknown`) for the schema checks and
the rules.
"""

from __future__ import annotations

from typing import Any, Optional

import yaml

from gpulint.load import Document, Source, Tagged, compose_documents

#: the keys of the one-key mappings that are intrinsic functions in a template
INTRINSICS = frozenset({
    "Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::If", "Fn::Select", "Fn::FindInMap",
    "Fn::ImportValue", "Fn::Split", "Fn::Base64", "Fn::GetAZs", "Fn::Cidr", "Fn::Transform",
    "Fn::ToJsonString", "Fn::Length", "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not",
})

#: tags YAML itself defines (``!!str``, ``!!map``, ...); any other tag on a collection is a
#: template's own (in CloudFormation, always an intrinsic function)
_STANDARD = "tag:yaml.org,2002:"
_MAX_DEPTH = 200


def is_intrinsic(value: Any) -> bool:
    """``{"Ref": ...}``, ``{"Fn::Split": ...}``: a one-key mapping naming an intrinsic."""
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in INTRINSICS


def document_node(source: Source, doc: Document) -> Optional[Any]:
    """The composed node of YAML document ``doc``, for :func:`retag`; None for JSON, for a
    document without a tag, or when the text cannot be composed again."""
    if source.kind != "yaml" or doc.start < 0 or "!" not in source.text[doc.start:doc.end]:
        return None
    text = source.text
    begin = text.rfind("\n", 0, doc.start) + 1
    try:
        nodes = compose_documents(text[begin:doc.end])
    except (yaml.YAMLError, RecursionError):
        return None
    return nodes[0] if len(nodes) == 1 else None


def retag(data: Any, root: Optional[Any], path: tuple) -> Any:
    """``data``, the value at ``path`` of the document composed as ``root``, with every
    collection written under a tag (``!Split [...]``, ``!If [...]``, ``!Join [...]``) replaced
    by a :class:`~gpulint.load.Tagged` holding it. Collections are copied only where
    something changes; ``data`` itself comes back when nothing is tagged."""
    node = root
    for step in path:
        node = _child(node, step)
    return data if node is None else _walk(data, node, 0)


def _child(node: Any, step: Any) -> Optional[Any]:
    """The node of the member ``step`` of a mapping node (the last one written wins, as in
    the loader), or of the item ``step`` of a sequence node."""
    if isinstance(node, yaml.MappingNode):
        found = None
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == step:
                found = value
        return found
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
        return node.value[step]
    return None


def _walk(value: Any, node: Any, depth: int) -> Any:
    if node is None or depth > _MAX_DEPTH or isinstance(node, yaml.ScalarNode):
        return value
    if not node.tag.startswith(_STANDARD):
        return value if isinstance(value, Tagged) else Tagged(node.tag, value)
    if isinstance(value, list) and isinstance(node, yaml.SequenceNode) and len(value) == len(node.value):
        items = [_walk(v, n, depth + 1) for v, n in zip(value, node.value)]
        return items if any(a is not b for a, b in zip(items, value)) else value
    if isinstance(value, dict) and isinstance(node, yaml.MappingNode):
        members = {key.value: v for key, v in node.value if isinstance(key, yaml.ScalarNode)}
        out = {k: _walk(v, members.get(k), depth + 1) if isinstance(k, str) else v for k, v in value.items()}
        return out if any(out[k] is not value[k] for k in value) else value
    return value
