"""Taints and tolerations as the Kubernetes scheduler matches them: whether a
pod's tolerations cover a taint, which tolerations the ExtendedResourceToleration
admission plugin adds to a pod that requests a device, and which taint of a node
pool keeps a pod off it. Node pools come from ``gpulint.model.cluster``, which
this module does not import: a run without cluster documents never loads it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from gpulint.model.core import is_placeholder
from gpulint.model.kubernetes.objects import PodTemplate

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.cluster import NodePool, Taint

#: the taint's value is not known (no cluster context): any ``Equal`` value may match it
ANY_VALUE = "\0any"


def tolerates(tolerations: list[Any], key: str, value: Optional[str], effect: str) -> bool:
    """Does any toleration match the taint ``key=value:effect``?

    ``value`` None is a taint without a value; :data:`ANY_VALUE` means the value
    is unknown, and an ``Equal`` toleration for the key gets the benefit of the doubt.
    """
    for t in tolerations:
        op = t.operator if isinstance(t.operator, str) else "Equal"
        t_key = t.key if isinstance(t.key, str) else ""
        t_effect = t.effect if isinstance(t.effect, str) else ""
        if any(is_placeholder(v) for v in (t.key, t.operator, t.effect, t.value)):
            return True  # unknown until render time: give it the benefit of the doubt
        if t_effect and t_effect != effect:
            continue
        if op == "Exists":
            if not t_key or t_key == key:
                return True
            continue
        if op == "Equal" and t_key == key:
            if value == ANY_VALUE:
                return True
            t_value = "" if t.value is None else str(t.value).lower() if isinstance(t.value, bool) else str(t.value)
            if t_value == (value or ""):
                return True
    return False


def implicit_tolerations(template: PodTemplate, enabled: bool) -> set[str]:
    """Taint keys the ExtendedResourceToleration admission plugin tolerates for this pod."""
    if not enabled:
        return set()
    return {res for res in template.accelerators() if template_requests(template, res)}


def template_requests(template: PodTemplate, resource: str) -> bool:
    """The pod requests ``resource`` (a limit counts: it becomes the request)."""
    for c in template.containers():
        if resource in c.resources("requests") or resource in c.resources("limits"):
            return True
    return False


def taint_value(value: Any) -> Optional[str]:
    """A taint's value as a toleration must spell it (YAML ``true`` is the string ``"true"``)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def blocking_taint(pool: "NodePool", tolerations: list[Any], implicit: set[str]) -> Optional["Taint"]:
    """The first NoSchedule/NoExecute taint of ``pool`` that the pod does not tolerate."""
    for taint in pool.blocking_taints:
        if taint.unknown:
            continue
        key = str(taint.key)
        if taint.effect == "NoSchedule" and key in implicit:
            continue
        if not tolerates(tolerations, key, taint_value(taint.value), str(taint.effect)):
            return taint
    return None
