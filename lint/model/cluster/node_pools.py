"""Facts about node pools (eksctl nodegroups, Karpenter NodePools) that several
cluster rules share: whether a pool can launch a node at all, how a list of
pools is named in a message, and how a message names the workload it is about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gpulint.model.core import Unknown, is_placeholder

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.cluster import NodePool
    from gpulint.model.core import ModelObject
    from gpulint.model.kubernetes import PodTemplate


def never_launches(pool: "NodePool") -> bool:
    """A pool switched off: an eksctl ``maxSize: 0``, or a Karpenter limit of 0 (how its docs say to
    stop a NodePool from provisioning)."""
    if pool.provider in ("eksctl", "eks"):
        return isinstance(pool.max_size, int) and not isinstance(pool.max_size, Unknown) and pool.max_size == 0
    return any(str(v).strip() in ("0", "0.0") for v in pool.limits.values() if not is_placeholder(v))


def pools_text(pools: list["NodePool"], limit: int = 4) -> str:
    """``nodegroup 'a', managed nodegroup 'b' in cluster.yaml; NodePool 'c' in pools.yaml``."""
    by_file: dict[str, list[str]] = {}
    for p in pools[:limit]:
        by_file.setdefault(p.file, []).append(p.display())
    text = "; ".join(f"{', '.join(names)} in {f}" for f, names in by_file.items())
    more = len(pools) - limit
    return text + (f"; and {more} more" if more > 0 else "")


def subject(obj: "ModelObject", t: "PodTemplate") -> str:
    """``Deployment/etcd-gpu``, or with the template's role ``PyTorchJob/llama: Worker``."""
    role = ".".join(p for p in t.role.split(".") if p != "spec" and not p.endswith("ReplicaSpecs"))
    return f"{obj.display()}: {role}" if role else obj.display()
