"""Surgical YAML edits for ``--fix``.

An edit is applied to the text of the whole stream, at the exact spans of the
nodes libyaml composes (start and end offsets of every scalar and collection),
so every byte outside the changed value stays as it was: comments, blank
lines, indentation, key order, quoting, other documents and their separators.

- ``set`` replaces one scalar, in the quoting style it had (plain, single or
  double quoted); a block scalar, an anchored, aliased or tagged node is left
  alone.
- ``add`` inserts a key into a mapping (after its last entry, indented like its
  siblings) or appends an item to a list (``path[-1] == "-"``); missing
  parents are created, in block or flow style like the same key elsewhere in
  the document or the sibling collections, and new strings are quoted the way
  their neighbours are (:mod:`gpulint.fix.yaml_insert`, rendered by ruamel.yaml
  in :mod:`gpulint.fix.yaml_render`).

Each edit is planned as a :class:`~gpulint.fix.edits.Splice` against one
composition of the text; :func:`apply_batch` splices a document's fixes in from
the end backwards.

A whole-document ruamel round trip is not used: it re-indents, re-spaces and
re-wraps what it did not change. Anything this module cannot do exactly raises
:class:`~gpulint.fix.edits.FixError`, and the fix is skipped rather than
approximated.
"""

from __future__ import annotations

import json
from typing import Any, Optional

import yaml

from gpulint.diagnostics import Edit, Path
from gpulint.fix.edits import FixError, Splice, nest, newline_of
from gpulint.fix.yaml_insert import append_to_list, insert_in_mapping
from gpulint.fix.yaml_layout import forget_block_mappings
from gpulint.fix.yaml_render import QUOTED, prefers_double, reads_back, render_scalar
from gpulint.load import MERGE_TAG, compose_documents

_PLAIN = ("", None)
#: a planned fix: its index in the batch, its text changes, the paths they change
_Planned = tuple[int, list[Splice], list[Path]]


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


def _set_scalar(text: str, chain: list[Any], value: Any) -> Splice:
    node = chain[-1]
    if not isinstance(node, yaml.ScalarNode):
        raise FixError("the value to replace is not a single value")
    start, end = node.start_mark.index, node.end_mark.index
    raw = text[start:end]
    if raw[:1] in ("!", "&", "*"):
        raise FixError("the value carries a YAML tag or anchor")
    style = node.style
    if style not in _PLAIN and style not in QUOTED:
        raise FixError("the value is a block scalar")
    shown = _as_text(value)
    if style == '"':
        new = json.dumps(shown, ensure_ascii=False)
    elif style == "'":
        new = "'" + shown.replace("'", "''") + "'"
    else:
        flow = any(_is_flow(n) for n in chain[:-1])
        new = render_scalar(value, flow_context=flow)
        if isinstance(value, str) and new[:1] in QUOTED and _plain_number(node):
            # the old plain value was a number (a quantity): keep it a plain number
            candidate = shown
            if reads_back(f"k: {candidate}", {"k": _number(candidate)}):
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
        return insert_in_mapping(text, chain[::-1], parent, first, value, nl, double, model), path[: depth + 1]
    if isinstance(parent, yaml.SequenceNode):
        if first != "-":
            raise FixError(f"no list item {first!r}")
        return append_to_list(text, chain[::-1], parent, value, nl, double), path[:depth] + (len(parent.value),)
    raise FixError(f"cannot add '{first}' under a single value")


def _same_node_value(node: Any, value: Any) -> bool:
    if isinstance(node, yaml.ScalarNode) and not isinstance(value, (dict, list)):
        return node.value == _as_text(value)
    return False


def apply_edit(text: str, doc_index: int, edit: Edit, double: Optional[bool] = None) -> tuple[str, Path]:
    """``text`` with ``edit`` applied to document ``doc_index``; and the path that changed."""
    forget_block_mappings()
    try:
        nodes = compose_documents(text)
        if double is None:
            double = prefers_double(nodes)
        splice, path = plan_edit(text, nodes, doc_index, edit, double, newline_of(text))
    finally:
        forget_block_mappings()
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
    planned, double = _plan_batch(text, fixes, double, results)
    text, later = _splice_apart(text, planned, results)
    for i in later:
        doc_index, edits = fixes[i]
        try:
            new, paths = _apply_edits(text, doc_index, edits, double)
        except FixError as exc:
            results[i] = exc
            continue
        results[i] = paths if new != text else []
        text = new
    return text, results


def _plan_batch(text: str, fixes: list[tuple[int, list[Edit]]], double: Optional[bool],
                results: list[Any]) -> tuple[list[_Planned], bool]:
    """Plan every fix against one composition of ``text``; a fix that cannot be
    planned gets its FixError in ``results``. Also whether to prefer double quotes."""
    forget_block_mappings()
    try:
        nodes = compose_documents(text)
        if double is None:
            double = prefers_double(nodes)
        nl = newline_of(text)
        planned: list[_Planned] = []
        for i, (doc_index, edits) in enumerate(fixes):
            try:
                pairs = [plan_edit(text, nodes, doc_index, e, double, nl) for e in edits]
            except FixError as exc:
                results[i] = exc
                continue
            planned.append((i, [sp for sp, _ in pairs if sp is not None], [p for _, p in pairs]))
    finally:
        forget_block_mappings()
    return planned, double


def _offsets(sp: Splice) -> Any:
    return range(sp.start, sp.end + 1) if sp.end > sp.start else (sp.start,)


def _splice_apart(text: str, planned: list[_Planned], results: list[Any]) -> tuple[str, list[int]]:
    """Splice in, from the end backwards, the planned fixes that touch no other
    fix's spot (their paths go to ``results``); the indexes of the others, which
    wait for a second pass."""
    spots: dict[int, int] = {}
    for _, splices, _ in planned:
        for sp in splices:
            for offset in _offsets(sp):
                spots[offset] = spots.get(offset, 0) + 1
    later: list[int] = []
    now: list[tuple[Splice, int]] = []
    for i, splices, paths in planned:
        if len(splices) > 1 or any(spots[o] > 1 for sp in splices for o in _offsets(sp)):
            later.append(i)
        else:
            now.extend((sp, i) for sp in splices)
            results[i] = paths if splices else []
    for sp, _ in sorted(now, key=lambda item: (item[0].start, item[0].end), reverse=True):
        text = sp.apply(text)
    return text, later


def _apply_edits(text: str, doc_index: int, edits: list[Edit], double: bool) -> tuple[str, list[Path]]:
    paths = []
    for e in edits:
        text, p = apply_edit(text, doc_index, e, double)
        paths.append(p)
    return text, paths
