"""Sources written in another language (Terraform, Python) whose documents are built, not parsed.

A Terraform resource or a boto3 call is read into a document shaped like the AWS request (or
CloudFormation resource) it stands for, so the recognisers and rules that check YAML and JSON
documents check it too, unchanged. Such a document carries its own position table: for each
path of its data that came from the file, the :class:`~gpulint.load.spans.Span` of the text it
came from (the literal's span, or the attribute's when the value is not a literal). A path
with no entry is located at its deepest ancestor that has one, ``exact`` False, and ``--fix``
never edits it.

Each language is one module with ``load(source)`` (fill ``source.documents``, set
``source.error`` or raise :class:`~gpulint.load.document.LoadError`) and
``render(value) -> str`` (a new literal in that language, for ``--fix``). They are imported
only when a run meets a file of their kind.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, Optional

from gpulint.diagnostics import Path

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.load.document import Document
    from gpulint.load.source import Source
    from gpulint.load.spans import Span

#: kind -> (module, file-name endings)
MAPPED_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "terraform": ("gpulint.load.terraform", (".tf",)),
    "python": ("gpulint.load.python_", (".py",)),
    # a JSON file that is a Terraform plan (``terraform show -json``): found by its content
    "terraform-plan": ("gpulint.load.terraform.plan", ()),
}

#: the endings of the files of every mapped kind (for the folder walk)
MAPPED_EXTENSIONS: tuple[str, ...] = tuple(end for _, ends in MAPPED_KINDS.values() for end in ends)


def kind_of(name: str) -> Optional[str]:
    """The mapped kind of a file, by its name; None for YAML and JSON."""
    lower = name.lower()
    for kind, (_, ends) in MAPPED_KINDS.items():
        if lower.endswith(ends):
            return kind
    return None


_MODULES: dict[str, Any] = {}


def language(kind: str) -> Any:
    """The module that reads (and renders literals of) ``kind``."""
    module = _MODULES.get(kind)
    if module is None:
        module = _MODULES[kind] = importlib.import_module(MAPPED_KINDS[kind][0])
    return module


def relevant(kind: str, raw: bytes) -> bool:
    """Can ``raw`` hold anything the language module reads? (Its ``relevant(raw)``, a cheap
    text check made before the file is decoded; every file when the module has none.)"""
    check = getattr(language(kind), "relevant", None)
    return check is None or bool(check(raw))


def unread_ok(kind: str) -> bool:
    """Does a file of ``kind`` that cannot be read get a note instead of a ``parse-error``? (The
    module's ``UNREAD_IS_NOTE``: Python code gpulint cannot parse is not gpulint's to judge.)"""
    return bool(getattr(language(kind), "UNREAD_IS_NOTE", False))


def load_mapped(source: Source) -> None:
    language(source.kind).load(source)


def read_plan(source: Source) -> None:
    """A JSON file that is a Terraform plan (``format_version`` and ``planned_values`` at its top)
    is read as one: its documents are those of the resources it plans."""
    data = source.documents[0].data if len(source.documents) == 1 else None
    if isinstance(data, dict) and "format_version" in data and isinstance(data.get("planned_values"), dict):
        source.kind = "terraform-plan"
        language("terraform-plan").convert(source)


def locate(doc: Optional[Document], path: Path) -> Span:
    """Where ``path`` of a built document came from: its own entry, else its deepest ancestor's
    (``exact`` False), else the document's first line."""
    from gpulint.load.spans import Span

    table = getattr(doc, "positions", None) or {}
    path = tuple(path)
    found = table.get(path)
    if found is not None:
        return found
    for cut in range(len(path) - 1, -1, -1):
        found = table.get(path[:cut])
        if found is not None:
            return Span(found.line, found.column, found.end_line, found.end_column, found.start, found.end,
                        exact=False)
    line = doc.line if doc is not None else 1
    return Span(line, 1, line, 1, exact=False)
