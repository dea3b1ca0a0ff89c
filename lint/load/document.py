"""What loading a file produces: its documents, the tagged scalars and repeated
keys found in them, and the error that stops a file from loading.

These are plain values with no parsing behind them, so the YAML and JSON
loaders (:mod:`gpulint.load.yaml_`, :mod:`gpulint.load.json_`) and the
:class:`~gpulint.load.source.Source` that holds their results all build on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional


class LoadError(Exception):
    """The file cannot be turned into data. ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True)
class Tagged:
    """A scalar carrying a tag gpulint does not interpret (``!Ref Foo``)."""

    tag: str
    value: Any

    def __str__(self) -> str:
        return f"{self.tag} {self.value}"


@dataclass
class DuplicateKey:
    doc_index: int
    key: str
    line: int
    column: int
    first_line: int


@dataclass
class Document:
    index: int
    data: Any
    line: int  # where the document starts (1-based)
    start: int = -1  # character offsets of the document's root node in the text
    end: int = -1
    #: for a document built from another language (:mod:`gpulint.load.mapped`): path -> Span
    #: of the text each value came from; None for YAML and JSON, located by parsing again
    positions: Optional[dict] = None
    #: for a built document: the form of the objects made of it (the recognisers' default when
    #: None), and what in the file it stands for, for messages ("Python put_scaling_policy call",
    #: a Terraform address "aws_appautoscaling_policy.chat")
    form: Optional[str] = None
    label: Optional[str] = None
