"""New entries in a YAML document: a key added to a mapping, an item appended to a list.

The new text is rendered by ruamel.yaml (:mod:`gpulint.fix.yaml_render`) in the
style its neighbours use: flow or block like the same key elsewhere in the
document or the sibling collections, with the document's indentation
(:mod:`gpulint.fix.yaml_layout`), and spliced in after the last entry so every
other byte stays as it was.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from gpulint.fix.edits import FixError, Splice
from gpulint.fix.yaml_layout import Indent, block_mappings, content_end, item_column
from gpulint.fix.yaml_render import (
    dump,
    keys_quoted,
    namesake_quotes,
    render_flow,
    render_flow_pair,
    render_key,
    render_scalar,
    value_quotes,
    with_quotes,
)


def _collection_style(mapping: Any, key: Any, value: Any, root: Any, model: Any = None) -> bool:
    """True when a new collection in ``mapping`` should be written in flow style.

    Like ``model`` when given (``limits:`` like ``requests:``); else like the same
    key elsewhere in the document (``taints:`` like the other node groups'); else
    like the sibling collections of the same kind, then any sibling collection;
    else block.
    """
    if mapping.flow_style:
        return True
    if isinstance(model, (yaml.MappingNode, yaml.SequenceNode)):
        return bool(model.flow_style)
    kind = yaml.MappingNode if isinstance(value, dict) else yaml.SequenceNode
    namesakes = [v for m in block_mappings(root) for k, v in m.value
                 if isinstance(k, yaml.ScalarNode) and k.value == str(key) and isinstance(v, kind)]
    same = [v for _, v in mapping.value if isinstance(v, kind)]
    others = [v for _, v in mapping.value if isinstance(v, (yaml.MappingNode, yaml.SequenceNode))]
    pool = namesakes or same or others
    if not pool:
        return False
    flow = sum(1 for v in pool if v.flow_style)
    return flow * 2 > len(pool)


def _flow_items(key: Any, root: Any) -> bool:
    """Do the block lists under ``key`` elsewhere in the document hold flow-style mappings?"""
    items = [item for m in block_mappings(root) for k, v in m.value
             if isinstance(k, yaml.ScalarNode) and k.value == str(key)
             and isinstance(v, yaml.SequenceNode) and not v.flow_style
             for item in v.value if isinstance(item, yaml.MappingNode)]
    return bool(items) and sum(1 for i in items if i.flow_style) * 2 > len(items)


def _block_lines(key: Any, value: Any, mapping: Any, scopes: list[Any], double: bool, model: Any = None) -> list[str]:
    quote = keys_quoted(mapping)
    rendered_key = render_key(key, quote)
    if not isinstance(value, (dict, list)):
        quotes = value_quotes(mapping) if isinstance(value, str) else None  # like the sibling values
        if quotes == '"':
            return [f"{rendered_key}: {json.dumps(value, ensure_ascii=False)}"]
        if quotes == "'":
            return [f"{rendered_key}: '" + value.replace("'", "''") + "'"]
        return [f"{rendered_key}: {render_scalar(value, double=double)}"]
    if isinstance(value, dict):
        always = namesake_quotes(key, scopes[-1])  # `taints: {k: "v:Effect"}` like the others
        value = with_quotes(value, double, always) if always else value
    if _collection_style(mapping, key, value, scopes[-1], model):
        return [f"{rendered_key}: {render_flow(value, double)}"]
    ind = Indent.measure(scopes, mapping)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and _flow_items(key, scopes[-1]):
        # the same list elsewhere holds its items in flow style: `- {key: a, value: b}`
        dash = " " * ind.offset + "-" + " " * (ind.item - 1)
        return [f"{rendered_key}:"] + [dash + render_flow(item, double) for item in value]
    body = dump({"__key__": with_quotes(value, double)}, flow=False, mapping=ind.mapping, sequence=ind.offset + ind.item,
                 offset=ind.offset)
    lines = body.split("\n")
    if not lines[0].startswith("__key__:"):
        raise FixError("cannot render the new entry")
    lines[0] = rendered_key + lines[0][len("__key__"):]
    return lines


def insert_in_mapping(text: str, scopes: list[Any], mapping: Any, key: Any, value: Any, nl: str, double: bool,
                       model: Any = None) -> Splice:
    if mapping.flow_style:
        if text[mapping.start_mark.index] != "{":
            raise FixError("unexpected flow mapping")
        pair = render_flow_pair(key, value, keys_quoted(mapping) == '"', double)
        if mapping.value:
            at = mapping.value[-1][1].end_mark.index
            if mapping.value[-1][1].start_mark.index == at:  # `{a: }`: a null value has no text
                at = mapping.value[-1][0].end_mark.index
                while text[at] != ":":
                    at += 1
                at += 1
            return Splice(at, at, ", " + pair)
        at = mapping.start_mark.index + 1
        return Splice(at, at, pair)
    if not mapping.value:
        raise FixError("empty block mapping")
    column = mapping.value[0][0].start_mark.column
    lines = _block_lines(key, value, mapping, scopes, double, model)
    at = content_end(text, mapping, column)
    fragment = nl.join(" " * column + line if line else line for line in lines)
    return Splice(at, at, nl + fragment)


def append_to_list(text: str, scopes: list[Any], seq: Any, value: Any, nl: str, double: bool) -> Splice:
    if seq.flow_style:
        if text[seq.start_mark.index] != "[":
            raise FixError("unexpected flow sequence")
        item = render_flow(value, double)
        if seq.value:
            at = seq.value[-1].end_mark.index
            return Splice(at, at, ", " + item)
        at = seq.start_mark.index + 1
        return Splice(at, at, item)
    if not seq.value:
        raise FixError("empty block list")
    dash = seq.start_mark.column
    if text[seq.start_mark.index] != "-":
        raise FixError("unexpected block list")
    item_indent = max(2, item_column(seq.value[0]) - dash)
    ind = Indent.measure(scopes, seq)
    kind = yaml.MappingNode if isinstance(value, dict) else yaml.SequenceNode
    alike = [item for item in seq.value if isinstance(item, kind)]
    if isinstance(value, (dict, list)) and alike and sum(1 for i in alike if i.flow_style) * 2 > len(alike):
        body = "-" + " " * (item_indent - 1) + render_flow(value, double)  # the items are written in flow style
    elif isinstance(value, (dict, list)):
        body = dump([with_quotes(value, double)], flow=False, mapping=ind.mapping, sequence=item_indent, offset=0)
    else:
        body = "-" + " " * (item_indent - 1) + render_scalar(value, double=double)
    if not body.startswith("-"):
        raise FixError("cannot render the new item")
    at = content_end(text, seq, dash)
    fragment = nl.join(" " * dash + line if line else line for line in body.split("\n"))
    return Splice(at, at, nl + fragment)
