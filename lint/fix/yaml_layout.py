"""Where new lines go in a YAML document's text, and how they are indented.

New entries go after the last content line of the mapping or list they join,
below the comment lines that belong to its last entry
(:func:`content_end`); their indentation is measured from the document
(:class:`Indent`): how nested mappings step in, and how lists sit under their
keys. The block mappings of a document are listed once per edit
(:func:`block_mappings`, reset by :func:`forget_block_mappings`).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import yaml

#: block mappings per root, for the edit in progress (cleared by forget_block_mappings)
_MAPPINGS: dict[int, list[Any]] = {}


def forget_block_mappings() -> None:
    """Drop the block mappings listed for the edit that is done."""
    _MAPPINGS.clear()


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


def content_end(text: str, node: Any, column: int) -> int:
    """Where new lines go after ``node``: the end of its last content line.

    Comment lines right after it that are indented deeper than ``column``
    belong to it and stay above the insertion.
    """
    pos = _last_line_end(text, node)
    comments, next_indent = _comments_after(text, pos)
    for indent, stop in comments:
        # a comment indented deeper than the entries belongs to the last one; one level with
        # them belongs to this block unless a sibling follows it
        if indent > column or (indent == column and next_indent < column):
            pos = stop
        else:
            break
    return pos


def _last_line_end(text: str, node: Any) -> int:
    """The end of the last line of ``node``'s content (a kept block scalar's blank lines included)."""
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
        return end - 2 if text[end - 2] == "\r" else end - 1
    return _line_end(text, end)


def _comments_after(text: str, pos: int) -> tuple[list[tuple[int, int]], int]:
    """The comment and blank lines right after ``pos`` as (indentation, line end),
    -1 for a blank line; and the indentation of the content line after them (-1:
    none, or the end of the document)."""
    comments: list[tuple[int, int]] = []
    scan = pos
    while scan < len(text):
        start = _next_line(text, scan)
        stop = _line_end(text, start)
        line = text[start:stop]
        body = line.lstrip(" \t")
        if body.startswith("#"):
            comments.append((len(line) - len(body), stop))
        elif body and not body.startswith(("---", "...")):
            return comments, len(line) - len(body)
        elif body:
            break
        else:
            comments.append((-1, stop))  # a blank line
        scan = stop
    return comments, -1


def block_mappings(root: Any) -> list[Any]:
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


def item_column(item: Any) -> int:
    """The column of a list item's content (its first key, for a block mapping)."""
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
            for m in block_mappings(scope):
                for k, v in m.value:
                    if mapping is None and isinstance(v, yaml.MappingNode) and not v.flow_style and v.value:
                        step = v.value[0][0].start_mark.column - k.start_mark.column
                        if step > 0:
                            mapping = step
                    if offset is None and isinstance(v, yaml.SequenceNode) and not v.flow_style and v.value:
                        dash = v.start_mark.column
                        if dash >= k.start_mark.column:
                            offset = dash - k.start_mark.column
                            item = max(2, item_column(v.value[0]) - dash)
                if mapping is not None and offset is not None:
                    break
            if mapping is not None and offset is not None:
                break
        mapping = mapping or 2
        return cls(mapping, offset if offset is not None else 0, item or 2)
