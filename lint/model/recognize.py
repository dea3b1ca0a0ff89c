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
from gpulint.load import Document, Source
from gpulint.model.core import ModelObject, describe


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
    #: False when no recogniser claimed the document (it is ignored, duplicate keys included)
    claimed: bool = True
    #: the document may hold more than this recogniser reads (a template's other resources): the
    #: recognisers after it are tried too, and what they find is added
    more: bool = False


Recogniser = Callable[[Source, Document], Optional[Recognised]]
_REGISTRY: list[tuple[int, str, Recogniser]] = []


def recogniser(priority: int = 50) -> Callable[[Recogniser], Recogniser]:
    def register(fn: Recogniser) -> Recogniser:
        _REGISTRY.append((priority, f"{fn.__module__}.{fn.__qualname__}", fn))
        _REGISTRY.sort(key=lambda item: (item[0], item[1]))
        return fn

    return register


def _cluster_gate(data: dict) -> bool:
    if data.get("kind") in ("ClusterConfig", "NodePool", "EC2NodeClass"):
        return True
    resources = data.get("Resources")  # a template with an AWS::EKS::Nodegroup
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and r.get("Type") == "AWS::EKS::Nodegroup" for r in resources.values())


def has_pascal_case_member(data: dict) -> bool:
    """AWS API documents and CloudFormation templates spell their members in PascalCase: a
    document with none is neither (the SageMaker recognisers require one too, so what a run
    recognises never depends on which document loaded the domain first)."""
    return any(isinstance(k, str) and k[:1].isupper() for k in data)


def _aws_gate(data: dict) -> bool:
    api = data.get("apiVersion")
    if isinstance(api, str) and isinstance(data.get("kind"), str):
        group = api.split("/")[0]  # AWS Controllers for Kubernetes, the legacy SageMaker operator
        return group.endswith(".services.k8s.aws") or group == "sagemaker.aws.amazon.com"
    return has_pascal_case_member(data)


#: a cheap test on a document's data, per domain module: could that module claim it? A module
#: is imported the first time its gate says yes, so a run over Kubernetes manifests never
#: imports the SageMaker or eksctl code (and the rule packs that go with them).
DOMAIN_GATES: dict[str, Optional[Callable[[dict], bool]]] = {
    "gpulint.model.kubernetes": None,  # always
    "gpulint.model.cluster": _cluster_gate,
    "gpulint.model.sagemaker": _aws_gate,
}
_PENDING: dict[str, Optional[Callable[[dict], bool]]] = dict(DOMAIN_GATES)


def _ensure_loaded(data: Any = None) -> None:
    """Import the domain modules that may claim ``data`` (all of them when ``data`` is None)."""
    if not _PENDING:
        return
    for name, gate in list(_PENDING.items()):
        if data is None or gate is None or (isinstance(data, dict) and gate(data)):
            importlib.import_module(name)
            del _PENDING[name]


def recognise(source: Source, document: Document) -> Recognised:
    _ensure_loaded(document.data)
    found: Optional[Recognised] = None
    for _, _, fn in _REGISTRY:
        result = fn(source, document)
        if result is None:
            continue
        if found is not None:
            result.objects[:0] = found.objects
            result.violations[:0] = found.violations
        if not result.more:
            return result
        found = result
    return found if found is not None else Recognised(claimed=False)


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
                entry = (err.get("ctx") or {}).get("entry")
                if entry is not None:  # a bad entry of a mapping: point at its value
                    path += (entry,)
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
