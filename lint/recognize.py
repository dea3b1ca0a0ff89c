"""Recognisers turn loaded documents into objects of the common model.

A recogniser is a function ``(source, document) -> Recognised | None``; it
returns None for documents it does not claim, and a document nobody claims is
ignored (repositories hold many unrelated YAML files). Recognisers register
with :func:`recogniser`; each domain module (Kubernetes, eksctl/Karpenter,
SageMaker) registers its own when imported, and :func:`recognise` tries them
in priority order until one claims the document.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, TypeVar

from pydantic import BaseModel, ValidationError

from gpulint.diagnostics import Path
from gpulint.loader import Document, Source
from gpulint.model import ModelObject, describe


@dataclass
class Violation:
    """A shape problem found while recognising: becomes ``schema-violation``."""

    doc_index: int
    path: Path
    message: str
    #: the engine rule that reports it (falls back to schema-violation when not registered)
    rule: str = "schema-violation"


@dataclass
class Recognised:
    objects: list[ModelObject] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)


Recogniser = Callable[[Source, Document], Optional[Recognised]]
_REGISTRY: list[tuple[int, str, Recogniser]] = []
_LOADED = False

#: modules that register recognisers when imported, cheapest first
DOMAIN_MODULES = ("gpulint.kubernetes", "gpulint.sagemaker", "gpulint.cluster")


def recogniser(priority: int = 50) -> Callable[[Recogniser], Recogniser]:
    def register(fn: Recogniser) -> Recogniser:
        _REGISTRY.append((priority, f"{fn.__module__}.{fn.__qualname__}", fn))
        _REGISTRY.sort(key=lambda item: (item[0], item[1]))
        return fn

    return register


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        for name in DOMAIN_MODULES:
            importlib.import_module(name)
        _LOADED = True


def recognise(source: Source, document: Document) -> Recognised:
    _ensure_loaded()
    for _, _, fn in _REGISTRY:
        result = fn(source, document)
        if result is not None:
            return result
    return Recognised()


# --------------------------------------------------------------------------- shape helpers

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "missing": "is required",
}




def validate_shape(
    model: type[M],
    data: Any,
    doc_index: int,
    base: Path,
    violations: list[Violation],
    label: str = "",
) -> Optional[M]:
    """Validate ``data`` against ``model``; record violations; None when invalid.

    ``label`` names the node for messages (``spec.template.spec``).
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in loc).replace(".[", "[")
            where = f"{label}.{where}" if label and where else (label or where)
            kind = err["type"]
            if kind == "missing":
                message = f"'{where}' is required"
                path = base + loc[:-1]
            else:
                expected = _MESSAGES.get(kind, err["msg"])
                if kind in _MESSAGES:
                    message = f"'{where}': {expected}, found {describe(err.get('input'))}"
                else:
                    message = f"'{where}': {expected}"
                path = base + loc
            violations.append(Violation(doc_index, path, message))
        return None


def dig(data: Any, *path: Any) -> Any:
    """Follow ``path`` through dicts and lists; None when any step is missing."""
    for step in path:
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data
