"""One input file and what came out of loading it; :func:`load` makes it.

:func:`load` decodes the bytes, picks the parser by the file name (``.json``
is strict JSON, ``.tf`` and ``.py`` are read by :mod:`gpulint.load.mapped`, everything else a
YAML stream) and never raises for bad input:
what cannot be loaded becomes the source's ``error``. A :class:`Source` answers
where a path sits in its text (:meth:`Source.locate`) only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from gpulint.diagnostics import Path
from gpulint.load.document import Document, DuplicateKey, LoadError
from gpulint.load import mapped
from gpulint.load.json_ import load_json
from gpulint.load.mapped import MAPPED_KINDS
from gpulint.load.spans import Positions, Span
from gpulint.load.text import decode
from gpulint.load.yaml_ import load_yaml


@dataclass
class Source:
    """One input file (or standard input) and what came out of loading it."""

    name: str
    text: str
    kind: str  # "yaml", "json", or a mapped kind ("terraform", "python": :mod:`gpulint.load.mapped`)
    documents: list[Document] = field(default_factory=list)
    duplicates: list[DuplicateKey] = field(default_factory=list)
    error: Optional[LoadError] = None
    #: why a file of a mapped kind was not read, when it was skipped without an error (a Python
    #: file this interpreter cannot parse): a note for the run, never a finding
    unread: Optional[str] = None
    _positions: Optional[Positions] = field(default=None, repr=False)

    @property
    def parsed(self) -> bool:
        """True when the whole file loaded. A YAML stream with a syntax error in a
        later document keeps the documents before it (and ``error``)."""
        return self.error is None

    def locate(self, doc_index: int, path: Path) -> Span:
        """Where ``path`` of document ``doc_index`` is; the deepest existing ancestor
        (``exact`` False) when the path does not exist."""
        if self.kind in MAPPED_KINDS:
            return mapped.locate(next((d for d in self.documents if d.index == doc_index), None), path)
        if self._positions is None:
            self._positions = Positions(self)
        return self._positions.locate(doc_index, path)

    def release_positions(self) -> None:
        self._positions = None


def load(name: str, raw: bytes, kind: Optional[str] = None) -> Source:
    """Load ``raw`` as the file ``name``. Never raises for bad input."""
    if kind is None:
        kind = mapped.kind_of(name) or ("json" if name.lower().endswith(".json") else "yaml")
    if kind in MAPPED_KINDS and not mapped.relevant(kind, raw):
        return Source(name, "", kind)  # nothing of interest in it: not even decoded
    try:
        text = decode(raw)
    except LoadError as exc:
        if kind in MAPPED_KINDS and mapped.unread_ok(kind):
            return Source(name, "", kind, unread=exc.message)
        return Source(name, "", kind, error=exc)
    source = Source(name, text, kind)
    try:
        if kind in MAPPED_KINDS:
            mapped.load_mapped(source)
        elif kind == "json":
            load_json(source)
            mapped.read_plan(source)
        else:
            load_yaml(source)
    except LoadError as exc:
        source.error = exc
        source.documents = []
    return source
