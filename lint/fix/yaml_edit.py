"""Surgical YAML edits for ``--fix``.

An edit is applied to the text of the whole stream, at the exact spans of the
nodes libyaml composes (start and end offsets of every scalar and collection),
so every byte outside the changed value stays as it was: comments, blank
lines, indentation, key order, quoting, other documents and their separators.

New text is rendered by ruamel.yaml's round-trip dumper (which decides quoting
and writes block structure) with the indentation measured around the insertion
point, then spliced in:

- ``set`` replaces one scalar, in the quoting style it had (plain, single or
  double quoted); a block scalar, an anchored, aliased or tagged node is left
  alone.
- ``add`` inserts a key into a mapping (after its last entry, indented like its
  siblings) or appends an item to a list (``path[-1] == "-"``); missing
  parents are created, in block or flow style like the same key elsewhere in
  the document or the sibling collections, and new strings are quoted the way
  their neighbours are.

Each edit is planned as a :class:`Splice` against one composition of the text;
:func:`apply_batch` splices a document's fixes in from the end backwards.

A whole-document ruamel round trip is not used: it re-indents, re-spaces and
re-wraps what it did not change. Anything this module cannot do exactly raises
:class:`FixError`, and the fix is skipped rather than approximated.
"""

from __future__ import annotations

import io
import json
from collections import deque
from typing import Any, Optional

import yaml

from gpulint.load import MERGE_TAG, compose_documents
from gpulint.diagnostics import Edit, Path
from dataclasses import dataclass

_PLAIN = ("", None)
_QUOTED = ('"', "'")


class FixError(Exception):
    """This edit cannot be applied exactly."""


class FixUnavailable(Exception):
    """A library that --fix needs is not installed."""


# --------------------------------------------------------------------------- ruamel


def _ruamel() -> Any:
    try:
        from ruamel.yaml import YAML
    except ImportError:  # a broken install; exercised through a patched import in the tests
        raise FixUnavailable(
            "--fix and --diff need ruamel.yaml, a dependency of gpulint, to edit YAML files; "
            "reinstall gpulint (pip install --force-reinstall gpulint)"
        ) from None
    return YAML


def require_ruamel() -> None:
    _ruamel()


def _dump(value: Any, flow: bool, mapping: int = 2, sequence: int = 2, offset: int = 0) -> str:
    yaml_cls = _ruamel()
    dumper = yaml_cls(typ="rt")
    dumper.width = 1 << 16
    dumper.default_flow_style = True if flow else False
    dumper.indent(mapping=mapping, sequence=sequence, offset=offset)
    out = io.StringIO()
    dumper.dump(value, out)
    text = out.getvalue()
    if text.endswith("\n...\n"):
        text = text[: -len("\n...\n")]
    return text.rstrip("\n")


def render_scalar(value: Any, flow_context: bool = False, double: bool = False) -> str:
    """A scalar as ruamel writes it (plain when that reads back the same, quoted otherwise).

    ``double``: quote with double rather than single quotes when quotes are needed.
    """
    if isinstance(value, (dict, list)):
        raise FixError("expected a single value")
    text = _dump(value, flow=False)
    if "\n" in text or (double and text.startswith("'")):
        text = json.dumps(value, ensure_ascii=False)
    if flow_context and not _reads_back(f"[{text}]", [value]):
        text = json.dumps(value, ensure_ascii=False)
    return text


def _quoted(value: Any, double: bool, always: Optional[str] = None) -> Any:
    """``value`` with its strings marked for quoting: with double quotes when they need
    quotes and ``double``; every string in the ``always`` style (``'"'`` or ``"'"``)."""
    if not double and always is None:
        return value
    if isinstance(value, dict):
        return {k: _quoted(v, double, always) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted(v, double, always) for v in value]
    if isinstance(value, str):
        from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

        if always == '"' or (always is None and render_scalar(value).startswith("'")):
            return DoubleQuotedScalarString(value)
        if always == "'":
            return SingleQuotedScalarString(value)
    return value


def _value_quotes(mapping: Any) -> Optional[str]:
    """The quotes of the string values of ``mapping``, when it has some and all agree."""
    styles = [v.style or "" for _, v in mapping.value
              if isinstance(v, yaml.ScalarNode) and v.tag == "tag:yaml.org,2002:str"]
    if len(styles) >= 1 and len(set(styles)) == 1 and styles[0] in _QUOTED:
        return styles[0]
    return None


def _namesake_quotes(key: Any, root: Any) -> Optional[str]:
    """The quotes every string value has in the mappings under ``key`` elsewhere, if all agree."""
    styles = set()
    for m in _block_mappings(root):
        for k, v in m.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(key) and isinstance(v, yaml.MappingNode):
                for _, item in v.value:
                    if isinstance(item, yaml.ScalarNode) and item.tag == "tag:yaml.org,2002:str":
                        styles.add(item.style or "")
    return styles.pop() if len(styles) == 1 and next(iter(styles)) in _QUOTED else None


def prefers_double(roots: list[Any]) -> bool:
    """Does the file quote its strings with double quotes more often than with single?"""
    styles = {'"': 0, "'": 0}
    stack = [r for r in roots if r is not None]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.style in styles:
                styles[node.style] += 1
        elif isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return styles['"'] > styles["'"]


def _reads_back(text: str, expected: Any) -> bool:
    try:
        return yaml.load(text, Loader=yaml.CSafeLoader) == expected
    except yaml.YAMLError:
        return False


def _flow(value: Any, double: bool = False) -> str:
    if not isinstance(value, (dict, list)):
        return render_scalar(value, flow_context=True, double=double)
    return _dump(_quoted(value, double), flow=True)


def _flow_pair(key: Any, value: Any, json_style: bool, double: bool = False) -> str:
    if json_style:
        return f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
    text = _dump({key: _quoted(value, double)}, flow=True)
    if not (text.startswith("{") and text.endswith("}")):
        raise FixError("cannot render the new entry in flow style")
    return text[1:-1]


# --------------------------------------------------------------------------- nodes


def compose(text: str) -> list[Any]:
    return compose_documents(text)


def _is_flow(node: Any) -> bool:
    return isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and bool(node.flow_style)


def _refcounts(root: Any) -> dict[int, int]:
    counts: dict[int, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        seen = counts.get(id(node), 0)
        counts[id(node)] = seen + 1
        if seen:
            continue
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                stack.append(k)
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return counts


def _find_key(mapping: Any, step: Any) -> Optional[tuple[Any, Any]]:
    found = None
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.tag != MERGE_TAG and k.value == str(step):
            found = (k, v)
    return found


def _has_merge(mapping: Any) -> bool:
    return any(k.tag == MERGE_TAG for k, _ in mapping.value)


def _walk(text: str, root: Any, path: Path) -> tuple[list[Any], int]:
    """Nodes from the root along ``path``, and how many steps exist."""
    # a node is shared only through an alias (`*name`): without one, nothing is
    counts = _refcounts(root) if "*" in text else {}
    chain = [root]
    node = root
    for i, step in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            pair = _find_key(node, step)
            if pair is None:
                if _has_merge(node):
                    raise FixError("the mapping takes keys from a YAML merge key ('<<')")
                return chain, i
            node = pair[1]
        elif isinstance(node, yaml.SequenceNode):
            if step == "-":
                return chain, i
            if not isinstance(step, int) or not 0 <= step < len(node.value):
                raise FixError(f"no list item {step!r}")
            node = node.value[step]
        else:
            return chain, i
        if counts.get(id(node), 0) > 1:
            raise FixError("the value is shared through a YAML anchor and alias")
        if text[node.start_mark.index : node.start_mark.index + 1] in ("&", "*"):
            raise FixError("the value carries a YAML anchor")
        chain.append(node)
    return chain, len(path)


# --------------------------------------------------------------------------- text helpers


def newline_of(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def _line_end(text: str, offset: int) -> int:
    """Offset of the line break that ends the line holding ``offset`` (or the end of text)."""
    i = text.find("\n", offset)
    if i < 0:
        return len(text)
    return i - 1 if i > 0 and text[i - 1] == "\r" else i


def _next_line(text: str, line_end: int) -> int:
    if text.startswith("\r\n", line_end):
        return line_end + 2
    return line_end + 1


def _content_end(text: str, node: Any, column: int) -> int:
    """Where new lines go after ``node``: the end of its last content line.

    Comment lines right after it that are indented deeper than ``column``
    belong to it and stay above the insertion.
    """
    leaf = node
    while isinstance(leaf, (yaml.MappingNode, yaml.SequenceNode)) and not leaf.flow_style and leaf.value:
        leaf = leaf.value[-1][1] if isinstance(leaf, yaml.MappingNode) else leaf.value[-1]
    end = leaf.end_mark.index
    keep = False
    if isinstance(leaf, yaml.ScalarNode) and leaf.style in ("|", ">"):
        header = text[leaf.start_mark.index:_line_end(text, leaf.start_mark.index)].split("#", 1)[0]
        keep = "+" in header
        if not keep:
            while end > leaf.start_mark.index and text[end - 1] in " \t\r\n":
                end -= 1
    if keep and end > leaf.start_mark.index and text[end - 1] == "\n":
        # `|+` keeps its trailing blank lines: new lines go after them, so they stay the scalar's
        pos = end - 2 if text[end - 2] == "\r" else end - 1
    else:
        pos = _line_end(text, end)
    comments: list[tuple[int, int]] = []  # (indentation, line end) of the comment lines that follow
    scan = pos
    next_indent = -1  # indentation of the next content line (-1: none, or the end of the document)
    while scan < len(text):
        start = _next_line(text, scan)
        stop = _line_end(text, start)
        line = text[start:stop]
        body = line.lstrip(" \t")
        if body.startswith("#"):
            comments.append((len(line) - len(body), stop))
        elif body and not body.startswith(("---", "...")):
            next_indent = len(line) - len(body)
            break
        elif body:
            break
        else:
            comments.append((-1, stop))  # a blank line
        scan = stop
    for indent, stop in comments:
        # a comment indented deeper than the entries belongs to the last one; one level with
        # them belongs to this block unless a sibling follows it
        if indent > column or (indent == column and next_indent < column):
            pos = stop
        else:
            break
    return pos


# --------------------------------------------------------------------------- indentation


#: block mappings per root, for the edit in progress (cleared by apply_edit)
_MAPPINGS: dict[int, list[Any]] = {}


def _block_mappings(root: Any) -> list[Any]:
    """Block mappings under ``root``, nearest first."""
    found = _MAPPINGS.get(id(root))
    if found is None:
        found = _MAPPINGS[id(root)] = list(_iter_block_mappings(root))
    return found


def _iter_block_mappings(root: Any) -> Any:
    stack = deque([root])
    seen: set[int] = set()
    while stack:
        node = stack.popleft()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            if not node.flow_style:
                yield node
            for _, v in node.value:
                stack.append(v)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _item_column(item: Any) -> int:
    if isinstance(item, yaml.MappingNode) and not item.flow_style and item.value:
        return item.value[0][0].start_mark.column
    return item.start_mark.column


class Indent:
    """How a document indents: nested mappings, and lists under a key."""

    def __init__(self, mapping: int = 2, offset: int = 0, item: int = 2) -> None:
        self.mapping = mapping  # key column -> column of the keys of its mapping value
        self.offset = offset  # key column -> column of the '-' of its list value
        self.item = item  # '-' column -> column of the item's content

    @classmethod
    def measure(cls, scopes: list[Any], near: Any) -> "Indent":
        """Measured first around ``near``, then in each of ``scopes`` (its ancestors, nearest first)."""
        mapping = offset = item = None
        for scope in (near, *scopes):
            for m in _block_mappings(scope):
                for k, v in m.value:
                    if mapping is None and isinstance(v, yaml.MappingNode) and not v.flow_style and v.value:
                        step = v.value[0][0].start_mark.column - k.start_mark.column
                        if step > 0:
                            mapping = step
                    if offset is None and isinstance(v, yaml.SequenceNode) and not v.flow_style and v.value:
                        dash = v.start_mark.column
                        if dash >= k.start_mark.column:
                            offset = dash - k.start_mark.column
                            item = max(2, _item_column(v.value[0]) - dash)
                if mapping is not None and offset is not None:
                    break
            if mapping is not None and offset is not None:
                break
        mapping = mapping or 2
        return cls(mapping, offset if offset is not None else 0, item or 2)


# --------------------------------------------------------------------------- edits


def _keys_quoted(mapping: Any) -> Optional[str]:
    styles = {k.style for k, _ in mapping.value if isinstance(k, yaml.ScalarNode)}
    if len(styles) == 1:
        style = styles.pop()
        if style in _QUOTED:
            return style
    return None


def _render_key(key: Any, quote: Optional[str]) -> str:
    if quote == '"':
        return json.dumps(str(key), ensure_ascii=False)
    if quote == "'":
        return "'" + str(key).replace("'", "''") + "'"
    text = render_scalar(key)
    return text


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
    namesakes = [v for m in _block_mappings(root) for k, v in m.value
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
    items = [item for m in _block_mappings(root) for k, v in m.value
             if isinstance(k, yaml.ScalarNode) and k.value == str(key)
             and isinstance(v, yaml.SequenceNode) and not v.flow_style
             for item in v.value if isinstance(item, yaml.MappingNode)]
    return bool(items) and sum(1 for i in items if i.flow_style) * 2 > len(items)


def _block_lines(key: Any, value: Any, mapping: Any, scopes: list[Any], double: bool, model: Any = None) -> list[str]:
    quote = _keys_quoted(mapping)
    rendered_key = _render_key(key, quote)
    if not isinstance(value, (dict, list)):
        quotes = _value_quotes(mapping) if isinstance(value, str) else None  # like the sibling values
        if quotes == '"':
            return [f"{rendered_key}: {json.dumps(value, ensure_ascii=False)}"]
        if quotes == "'":
            return [f"{rendered_key}: '" + value.replace("'", "''") + "'"]
        return [f"{rendered_key}: {render_scalar(value, double=double)}"]
    if isinstance(value, dict):
        always = _namesake_quotes(key, scopes[-1])  # `taints: {k: "v:Effect"}` like the others
        value = _quoted(value, double, always) if always else value
    if _collection_style(mapping, key, value, scopes[-1], model):
        return [f"{rendered_key}: {_flow(value, double)}"]
    ind = Indent.measure(scopes, mapping)
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and _flow_items(key, scopes[-1]):
        # the same list elsewhere holds its items in flow style: `- {key: a, value: b}`
        dash = " " * ind.offset + "-" + " " * (ind.item - 1)
        return [f"{rendered_key}:"] + [dash + _flow(item, double) for item in value]
    body = _dump({"__key__": _quoted(value, double)}, flow=False, mapping=ind.mapping, sequence=ind.offset + ind.item,
                 offset=ind.offset)
    lines = body.split("\n")
    if not lines[0].startswith("__key__:"):
        raise FixError("cannot render the new entry")
    lines[0] = rendered_key + lines[0][len("__key__"):]
    return lines


def _insert_in_mapping(text: str, scopes: list[Any], mapping: Any, key: Any, value: Any, nl: str, double: bool,
                       model: Any = None) -> "Splice":
    if mapping.flow_style:
        if text[mapping.start_mark.index] != "{":
            raise FixError("unexpected flow mapping")
        pair = _flow_pair(key, value, _keys_quoted(mapping) == '"', double)
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
    at = _content_end(text, mapping, column)
    fragment = nl.join(" " * column + line if line else line for line in lines)
    return Splice(at, at, nl + fragment)


def _append_to_list(text: str, scopes: list[Any], seq: Any, value: Any, nl: str, double: bool) -> "Splice":
    if seq.flow_style:
        if text[seq.start_mark.index] != "[":
            raise FixError("unexpected flow sequence")
        item = _flow(value, double)
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
    item_indent = max(2, _item_column(seq.value[0]) - dash)
    ind = Indent.measure(scopes, seq)
    kind = yaml.MappingNode if isinstance(value, dict) else yaml.SequenceNode
    alike = [item for item in seq.value if isinstance(item, kind)]
    if isinstance(value, (dict, list)) and alike and sum(1 for i in alike if i.flow_style) * 2 > len(alike):
        body = "-" + " " * (item_indent - 1) + _flow(value, double)  # the items are written in flow style
    elif isinstance(value, (dict, list)):
        body = _dump([_quoted(value, double)], flow=False, mapping=ind.mapping, sequence=item_indent, offset=0)
    else:
        body = "-" + " " * (item_indent - 1) + render_scalar(value, double=double)
    if not body.startswith("-"):
        raise FixError("cannot render the new item")
    at = _content_end(text, seq, dash)
    fragment = nl.join(" " * dash + line if line else line for line in body.split("\n"))
    return Splice(at, at, nl + fragment)


def _set_scalar(text: str, chain: list[Any], value: Any) -> "Splice":
    node = chain[-1]
    if not isinstance(node, yaml.ScalarNode):
        raise FixError("the value to replace is not a single value")
    start, end = node.start_mark.index, node.end_mark.index
    raw = text[start:end]
    if raw[:1] in ("!", "&", "*"):
        raise FixError("the value carries a YAML tag or anchor")
    style = node.style
    if style not in _PLAIN and style not in _QUOTED:
        raise FixError("the value is a block scalar")
    shown = _as_text(value)
    if style == '"':
        new = json.dumps(shown, ensure_ascii=False)
    elif style == "'":
        new = "'" + shown.replace("'", "''") + "'"
    else:
        flow = any(_is_flow(n) for n in chain[:-1])
        new = render_scalar(value, flow_context=flow)
        if isinstance(value, str) and new[:1] in _QUOTED and _plain_number(node):
            # the old plain value was a number (a quantity): keep it a plain number
            candidate = shown
            if _reads_back(f"k: {candidate}", {"k": _number(candidate)}):
                new = candidate
    if "\n" in raw and style in _PLAIN:
        raise FixError("the value spans several lines")
    if start == end and start > 0 and text[start - 1] not in " \t":
        new = " " + new  # an empty value (`key:`): the new one needs its space
    return Splice(start, end, new)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _plain_number(node: Any) -> bool:
    return node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return None


def nest(steps: Path, value: Any) -> Any:
    """The value to insert for the missing ``steps`` (all but the first)."""
    for step in reversed(steps[1:]):
        if step == "-":
            value = [value]
        elif isinstance(step, int):
            raise FixError(f"cannot create list item {step} of a missing list")
        else:
            value = {step: value}
    return value


@dataclass(frozen=True)
class Splice:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.new + text[self.end :]


def plan_edit(text: str, nodes: list[Any], doc_index: int, edit: Edit, double: bool,
              nl: str) -> tuple[Optional[Splice], Path]:
    """The text change that makes ``edit`` (None when it is already so), and the path it changes."""
    if doc_index >= len(nodes) or nodes[doc_index] is None:
        raise FixError("the document is gone")
    root = nodes[doc_index]
    path = tuple(edit.path)
    chain, depth = _walk(text, root, path)
    if edit.op == "set" and depth == len(path):
        return _set_scalar(text, chain, edit.value), path
    if edit.op not in ("set", "add"):
        raise FixError(f"unknown edit {edit.op!r}")
    if depth == len(path):
        if edit.op == "add" and not _same_node_value(chain[-1], edit.value):
            raise FixError(f"'{path[-1]}' is already set")
        return None, path
    parent = chain[-1]
    rest = path[depth:]
    first = rest[0]
    value = nest(rest, edit.value)
    if isinstance(parent, yaml.MappingNode):
        if first == "-" or isinstance(first, int):
            raise FixError("expected a list, found a mapping")
        model = None
        if edit.style_of is not None:
            found, steps = _walk(text, root, tuple(edit.style_of))
            model = found[-1] if steps == len(edit.style_of) else None
        return _insert_in_mapping(text, chain[::-1], parent, first, value, nl, double, model), path[: depth + 1]
    if isinstance(parent, yaml.SequenceNode):
        if first != "-":
            raise FixError(f"no list item {first!r}")
        return _append_to_list(text, chain[::-1], parent, value, nl, double), path[:depth] + (len(parent.value),)
    raise FixError(f"cannot add '{first}' under a single value")


def apply_edit(text: str, doc_index: int, edit: Edit, double: Optional[bool] = None) -> tuple[str, Path]:
    """``text`` with ``edit`` applied to document ``doc_index``; and the path that changed."""
    _MAPPINGS.clear()
    try:
        nodes = compose(text)
        if double is None:
            double = prefers_double(nodes)
        splice, path = plan_edit(text, nodes, doc_index, edit, double, newline_of(text))
    finally:
        _MAPPINGS.clear()
    return (splice.apply(text) if splice else text), path


def apply_batch(text: str, fixes: list[tuple[int, list[Edit]]],
                double: Optional[bool] = None) -> tuple[str, list[Any]]:
    """Apply several fixes (each a document index and its edits) to ``text``.

    The text is composed once and every fix planned against it; fixes whose
    changes do not touch each other are spliced in from the end of the text
    backwards, so none moves another. A fix that shares a spot with another
    (two fixes creating the same missing list, say) is applied afterwards on the
    new text, composed again. Returns the text and, per fix, the paths it
    changed (none when it was already so) or the FixError that stopped it.
    """
    results: list[Any] = [None] * len(fixes)
    _MAPPINGS.clear()
    try:
        nodes = compose(text)
        if double is None:
            double = prefers_double(nodes)
        nl = newline_of(text)
        planned: list[tuple[int, list[Splice], list[Path]]] = []
        for i, (doc_index, edits) in enumerate(fixes):
            try:
                pairs = [plan_edit(text, nodes, doc_index, e, double, nl) for e in edits]
            except FixError as exc:
                results[i] = exc
                continue
            planned.append((i, [sp for sp, _ in pairs if sp is not None], [p for _, p in pairs]))
    finally:
        _MAPPINGS.clear()
    # a fix touching the same spot as another waits for a second pass
    spots: dict[int, int] = {}
    for i, splices, _ in planned:
        for sp in splices:
            for offset in range(sp.start, sp.end + 1) if sp.end > sp.start else (sp.start,):
                spots[offset] = spots.get(offset, 0) + 1
    later: list[int] = []
    now: list[tuple[Splice, int]] = []
    for i, splices, paths in planned:
        shared = len(splices) > 1 or any(
            any(spots[o] > 1 for o in (range(sp.start, sp.end + 1) if sp.end > sp.start else (sp.start,)))
            for sp in splices)
        if shared:
            later.append(i)
        else:
            now.extend((sp, i) for sp in splices)
            results[i] = paths if splices else []
    for sp, _ in sorted(now, key=lambda item: (item[0].start, item[0].end), reverse=True):
        text = sp.apply(text)
    for i in later:
        doc_index, edits = fixes[i]
        new = text
        try:
            paths = []
            for e in edits:
                new, p = apply_edit(new, doc_index, e, double)
                paths.append(p)
        except FixError as exc:
            results[i] = exc
            continue
        results[i] = paths if new != text else []
        text = new
    return text, results


def _same_node_value(node: Any, value: Any) -> bool:
    if isinstance(node, yaml.ScalarNode) and not isinstance(value, (dict, list)):
        return node.value == _as_text(value)
    return False
