"""Loading: files found by the walk, read with bounds, parsed into data with positions.

The pipeline's first step: :func:`load` turns one file's bytes into a
:class:`Source` (its :class:`Document` list, repeated keys, or the
:class:`LoadError` that stopped it), and :meth:`Source.locate` turns a path into
a :class:`Span` when a diagnostic needs one. The span helpers below are what
``--fix`` edits by: the composed YAML nodes of a stream and where its documents
start and end, and the offsets of JSON values and members.

Modules: :mod:`~gpulint.load.walk` (finding files), :mod:`~gpulint.load.text`
(bytes to text, nesting bound), :mod:`~gpulint.load.yaml_` and
:mod:`~gpulint.load.json_` (the parsers), :mod:`~gpulint.load.spans`
(positions), :mod:`~gpulint.load.source` (:class:`Source` and :func:`load`),
:mod:`~gpulint.load.document` (the values loading produces).
"""

from __future__ import annotations

from gpulint.load.document import Document, DuplicateKey, LoadError, Tagged
from gpulint.load.json_ import json_members, json_root, json_value_end
from gpulint.load.source import Source, load
from gpulint.load.spans import Span, document_spans
from gpulint.load.text import decode
from gpulint.load.yaml_ import MERGE_TAG, compose_documents

__all__ = [
    "Document",
    "DuplicateKey",
    "LoadError",
    "MERGE_TAG",
    "Source",
    "Span",
    "Tagged",
    "compose_documents",
    "decode",
    "document_spans",
    "json_members",
    "json_root",
    "json_value_end",
    "load",
]
