"""Kubernetes autoscalers (HorizontalPodAutoscalers, KEDA ScaledObjects) joined
to the GPU workloads they scale: which workload a ``scaleTargetRef`` names when a
repository holds several of the same kind and name, and whether the replica
bounds leave anything to scale."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Optional

from gpulint.model.kubernetes.objects import K8sObject, Workload
from gpulint.model.kubernetes.pods import merged

if TYPE_CHECKING:  # pragma: no cover - the Project indexes these objects
    from gpulint.model.project import Project


def gpu_scale_target(obj: K8sObject, ref: Any, project: Project) -> Optional[Workload]:
    """The GPU workload a scaleTargetRef names, or None when it is not (surely) one.

    A repository often holds several objects of the same kind and name (examples,
    overlays, environments): a target in the autoscaler's own file wins, then one
    in its folder; if the candidates left disagree about being GPU workloads, the
    target is ambiguous and the autoscaler is left alone.
    """
    candidates = project.scale_target(ref, obj.namespace)
    if not candidates:
        return None
    # whole objects first: a kustomize patch of the same kind and name is a fragment
    complete = [w for w in candidates if w.templates and not any(merged(w, t, project) for t in w.templates)]
    candidates = complete or candidates
    same_file = [w for w in candidates if w.source is obj.source]
    if same_file:
        candidates = same_file
    else:
        folder = os.path.dirname(obj.file)
        same_folder = [w for w in candidates if os.path.dirname(w.file) == folder]
        candidates = same_folder or candidates
    if all(w.is_gpu for w in candidates):
        return candidates[0]
    return None


def fixed_size(low: Any, high: Any) -> bool:
    """Replica bounds that leave nothing to scale (``max <= min``)."""
    return isinstance(low, int) and isinstance(high, int) and high <= low
