"""Kustomizations: which files a kustomization applies as patches over a base gpulint cannot see."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator, Optional

from gpulint.load import Document, Source
from gpulint.model.core import ModelObject
from gpulint.model.recognize import Recognised, dig, recogniser

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


@dataclass(eq=False)
class Kustomization(ModelObject):
    """A kustomization file: which files in the linted set are patches, not whole objects."""

    #: normalised paths of the strategic-merge patch files it applies
    patch_files: frozenset[str] = frozenset()

    type_label = "kustomization"


def _patch_paths(data: dict) -> list[str]:
    def entries(key: str) -> list[Any]:
        value = data.get(key)
        return value if isinstance(value, list) else []

    paths: list[str] = []
    for entry in entries("patchesStrategicMerge"):
        if isinstance(entry, str) and "\n" not in entry:  # an inline patch is a multi-line string
            paths.append(entry)
    for key in ("patches", "patchesJson6902"):
        for entry in entries(key):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                paths.append(entry["path"])
    return paths


@recogniser(priority=9)
def recognise_kustomization(source: Source, doc: Document) -> Optional[Recognised]:
    """``kustomization.yaml`` (with or without apiVersion/kind): records its patch files, so
    rules do not mistake a patch (a fragment merged into a base) for a whole object."""
    data = doc.data
    if not isinstance(data, dict):
        return None
    named = os.path.basename(source.name) in KUSTOMIZATION_FILES
    api = data.get("apiVersion")
    typed = isinstance(api, str) and api.startswith("kustomize.config.k8s.io/") and data.get("kind") in (
        "Kustomization", "Component")
    if not (named or typed):
        return None
    folder = os.path.dirname(source.name)
    patches = frozenset(os.path.normpath(os.path.join(folder, p)) for p in _patch_paths(data))
    name = dig(data, "metadata", "name")
    obj = Kustomization(source, doc.index, (), str(data.get("kind") or "Kustomization"),
                        name if isinstance(name, str) else None, patch_files=patches)
    return Recognised(objects=[obj])


def is_patch_file(obj: ModelObject, kustomizations: Iterator[Kustomization]) -> bool:
    path = os.path.normpath(obj.file)
    return any(path in k.patch_files for k in kustomizations)
