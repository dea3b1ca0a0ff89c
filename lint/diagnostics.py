"""The diagnostic: what every rule produces and every reporter consumes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

Path = Tuple[Any, ...]


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        return cls[text.upper()]


class Applicability(str, enum.Enum):
    """How safe a fix is (ruff's scheme)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


@dataclass
class Edit:
    """One change to a document: set, insert or delete the value at ``path``.

    ``path`` is a tuple of mapping keys and list indices from the document root.
    ``op`` is ``set`` (replace the scalar at path, or add it when it is missing),
    ``add`` (add key ``path[-1]`` to the mapping at ``path[:-1]``, or append to a
    list when ``path[-1]`` is ``-``); missing parents are created.
    ``style_of``: the path of a collection whose style (block or flow) new
    collections copy; by default they follow the same key elsewhere in the
    document, then their siblings.
    """

    path: Path
    value: Any
    op: str = "set"
    style_of: Optional[Path] = None


@dataclass
class Fix:
    edits: list[Edit]
    applicability: Applicability = Applicability.SAFE
    description: str = ""


@dataclass
class Diagnostic:
    rule: str
    code: str
    severity: Severity
    file: str
    line: int
    column: int
    message: str
    end_line: Optional[int] = None
    end_column: Optional[int] = None
    doc_index: int = 0
    path: Path = ()
    fix: Optional[Fix] = None
    related: list[str] = field(default_factory=list)
    #: the lines of the other side of a pair the finding is about: a suppression comment there
    #: silences it too (not part of the reports)
    also_lines: tuple[int, ...] = ()

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.column, self.code, self.message)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule": self.rule,
            "code": self.code,
            "severity": self.severity.label,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line if self.end_line is not None else self.line,
            "end_column": self.end_column if self.end_column is not None else self.column,
            "message": self.message,
            "fixable": self.fixable,
        }
        if self.fix is not None:
            out["fix_applicability"] = self.fix.applicability.value
        if self.path:
            out["path"] = [p if isinstance(p, (int, str)) else str(p) for p in self.path]
        if self.related:
            out["related"] = list(self.related)
        return out
