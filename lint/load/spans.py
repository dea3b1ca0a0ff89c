"""Positions: where a path into a loaded document sits in the file's text.

Positions are not stored on the data. A diagnostic asks its
:class:`~gpulint.load.source.Source` to ``locate`` a path, and
:class:`Positions` answers: for YAML it composes that one document again (from
the line its root node starts on) and walks the nodes, following merge keys the
way the loader does; for JSON it scans the text. So clean files cost one parse.
:func:`document_spans` gives where each document of a YAML stream starts and
ends, for ``--fix`` to cut a stream into documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

import yaml

from gpulint.diagnostics import Path
from gpulint.load.json_ import json_members, json_root, json_value_end
from gpulint.load.text import MAX_DEPTH, line_col
from gpulint.load.yaml_ import MERGE_TAG, Loader, compose_documents

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.load.document import Document
    from gpulint.load.source import Source


@dataclass(frozen=True)
class Span:
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = -1  # character offsets into the text, when known
    end: int = -1
    exact: bool = True  # False when the path ended early at an ancestor


class Positions:
    """Locates paths in one source; keeps the YAML documents it composed again
    until it is dropped."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._nodes: Optional[list[Any]] = None
        self._doc_cache: dict[int, tuple[Any, int, int]] = {}

    def locate(self, doc_index: int, path: Path) -> Span:
        if self.source.kind == "json":
            return _json_locate(self.source.text, path)
        node, line_offset, index_offset = self._doc_node(doc_index)
        if node is None:
            return Span(1, 1, 1, 1, exact=False)
        span = _node_locate(node, path)
        if not line_offset:
            return span
        return Span(span.line + line_offset, span.column, span.end_line + line_offset, span.end_column,
                    span.start + index_offset, span.end + index_offset, span.exact)

    def _doc_node(self, doc_index: int) -> tuple[Any, int, int]:
        """The composed node of one document, and the line/offset shift of its slice.

        Only the document asked about is composed again (from the start of the
        line its root node starts on), not the whole stream.
        """
        cache = self._doc_cache
        if doc_index in cache:
            return cache[doc_index]
        text = self.source.text
        doc = _document(self.source.documents, doc_index)
        found: tuple[Any, int, int] = (None, 0, 0)
        if doc is not None and doc.start >= 0:
            begin = text.rfind("\n", 0, doc.start) + 1
            try:
                nodes = compose_documents(text[begin:doc.end])
            except yaml.YAMLError:
                nodes = []
            if len(nodes) == 1 and nodes[0] is not None:
                found = (nodes[0], text.count("\n", 0, begin), begin)
        if found[0] is None:
            if self._nodes is None:
                self._nodes = compose_documents(text)
            if doc_index < len(self._nodes) and self._nodes[doc_index] is not None:
                found = (self._nodes[doc_index], 0, 0)
        cache[doc_index] = found
        return found


def _document(docs: list[Document], doc_index: int) -> Optional[Document]:
    if doc_index < len(docs) and docs[doc_index].index == doc_index:
        return docs[doc_index]  # the usual case: no empty documents before it
    return next((d for d in docs if d.index == doc_index), None)


# --------------------------------------------------------------------------- YAML


def _node_span(node: Any, exact: bool = True) -> Span:
    s, e = node.start_mark, node.end_mark
    return Span(s.line + 1, s.column + 1, e.line + 1, e.column + 1, s.index, e.index, exact)


def _lookup(node: Any, key: str, depth: int = 0) -> Optional[tuple[Any, Any]]:
    """(key node, value node) for ``key`` in a mapping node, following merge keys
    the way the builder does: explicit keys first (the last duplicate wins), then
    each merged mapping in order."""
    found = None
    merges = []
    for k, v in node.value:
        if k.tag == MERGE_TAG:
            merges.append(v)
        elif isinstance(k, yaml.ScalarNode) and k.value == key:
            found = (k, v)
    if found is not None or depth > MAX_DEPTH:
        return found
    for merge in merges:
        for src in merge.value if isinstance(merge, yaml.SequenceNode) else [merge]:
            if isinstance(src, yaml.MappingNode):
                found = _lookup(src, key, depth + 1)
                if found is not None:
                    return found
    return None


def _node_locate(node: Any, path: Path) -> Span:
    """Walk composed nodes along ``path``; stop at the deepest node that exists."""
    current = node
    key_node = None
    for step in path:
        if isinstance(current, yaml.MappingNode):
            found = _lookup(current, str(step))
            if found is None:
                return _node_span(key_node or current, exact=False)
            key_node, current = found
        elif isinstance(current, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(current.value):
                return _node_span(current, exact=False)
            key_node, current = None, current.value[step]
        else:
            return _node_span(current, exact=False)
    return _node_span(current)


def document_spans(text: str) -> Optional[list[tuple[int, int]]]:
    """Where each document of a YAML stream starts and ends (character offsets);
    None when a document cannot be cut out on its own (directives) or the stream
    does not parse."""
    parser = Loader(text)
    spans: list[tuple[int, int]] = []
    start = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                if event.version or event.tags:
                    return None
                start = event.start_mark.index
            elif isinstance(event, yaml.DocumentEndEvent):
                spans.append((start, event.end_mark.index))
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()
    return spans


# --------------------------------------------------------------------------- JSON


def json_spans(text: str, path: Path) -> tuple[Optional[tuple[int, int]], tuple[int, int], bool]:
    """(key offsets or None, value offsets, exact) for ``path`` in JSON ``text``."""
    root = json_root(text)
    if root is None:
        return None, (0, 0), False
    span = root
    key_span: Optional[tuple[int, int]] = None
    for step in path:
        if text[span[0]] not in "[{":
            return key_span, span, False
        is_object = text[span[0]] == "{"
        found = None
        for key, key_at, v_at, v_end in json_members(text, span[0]):
            if key == step:
                found = (key_at, v_at, v_end)
                if not is_object:
                    break
                # a repeated key: the last one is the value that was loaded
        if found is None:
            return key_span, span, False
        key_at, v_at, v_end = found
        key_span = (key_at, json_value_end(text, key_at)) if is_object else None
        span = (v_at, v_end)
    return key_span, span, True


def _json_locate(text: str, path: Path) -> Span:
    _, (start, end), exact = json_spans(text, path)
    line, col = line_col(text, start)
    end_line, end_col = line_col(text, end)
    return Span(line, col, end_line, end_col, start, end, exact)
