"""Pod specs as the Kubernetes rules read them: the containers of a workload's
pod templates, whether a spec is merged over a base gpulint cannot see (a
kustomize patch, a KServe model over its ServingRuntime), quantities that are
only known at render time, and how a quantity or a template's role is named
in a message."""

from __future__ import annotations

import os
import re
import weakref
from typing import TYPE_CHECKING, Any, Iterator

from gpulint.model.core import ModelObject, is_placeholder
from gpulint.model.kubernetes.kustomize import Kustomization
from gpulint.model.kubernetes.objects import ContainerRef, PodTemplate, Workload

if TYPE_CHECKING:  # pragma: no cover - the Project indexes these objects
    from gpulint.model.project import Project

_PATCH_FILES: "weakref.WeakKeyDictionary[Project, frozenset[str]]" = weakref.WeakKeyDictionary()


def merged(obj: Workload, template: PodTemplate, project: Project) -> bool:
    """Is this pod spec merged over a base gpulint cannot see?

    True for fragments the recogniser marked (a container without an image, a
    KServe model over its ServingRuntime, an LLMInferenceService) and for files
    a kustomization in the linted set applies as patches. What such a spec
    leaves out is unknown, so rules about absent fields stay silent.
    """
    return template.partial or patched(obj, project)


def is_patch(obj: ModelObject, project: Project) -> bool:
    """For rules that stay silent on absent fields of a merged spec (see :func:`merged`): what they
    report on a kustomize patch depends on whether its kustomization is in the run."""
    return isinstance(obj, Workload) and patched(obj, project)


def patched(obj: Workload, project: Project) -> bool:
    """Does a kustomization in the linted set apply ``obj``'s file as a patch?"""
    patches = _PATCH_FILES.get(project)
    if patches is None:
        patches = frozenset(p for k in project.of_type(Kustomization) for p in k.patch_files)
        _PATCH_FILES[project] = patches
    return bool(patches) and os.path.normpath(obj.file) in patches


_SED_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def unknown_quantity(value: Any) -> bool:
    """A quantity gpulint cannot know: a template placeholder, or a bare
    ``GPU_COUNT``-style token that a sed or envsubst step replaces before apply."""
    return is_placeholder(value) or isinstance(value, str) and bool(_SED_PLACEHOLDER.fullmatch(value.strip()))


def gpu_containers(obj: Workload) -> Iterator[tuple[PodTemplate, ContainerRef]]:
    for t in obj.templates:
        for c in t.containers():
            yield t, c


def quantity_text(value: Any) -> str:
    """A quantity as a message shows it: strings quoted (``'500m'``), numbers bare."""
    return repr(value) if isinstance(value, str) else str(value)


def role_prefix(t: PodTemplate) -> str:
    """``'worker' `` for a template with a role (a Ray worker group, a training replica), else nothing."""
    return f"'{t.role}' " if t.role else ""
