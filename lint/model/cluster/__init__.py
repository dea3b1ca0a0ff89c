"""Cluster side of the model: eksctl nodegroups and Karpenter NodePools as node pools.

This module is the package's public API: rules, the cost estimate and tests
import from ``gpulint.model.cluster`` the names listed in ``__all__``; the
submodules are the package's own layout.

* :mod:`.shapes`: the pydantic shapes of eksctl nodegroups and Karpenter NodePool specs;
* :mod:`.pools`: :class:`NodePool`, :class:`ClusterConfig`, :class:`Taint`, :class:`Requirement`;
* :mod:`.labels`: node label values, selector operators, Karpenter's well-known labels;
* :mod:`.eksctl`, :mod:`.karpenter`, :mod:`.cloudformation`: the recognisers that turn eksctl
  ClusterConfigs, Karpenter NodePools and ``AWS::EKS::Nodegroup`` resources into node pools;
* :mod:`.nodeclass`: Karpenter EC2NodeClasses (the AMI family) and the class a NodePool names;
* :mod:`.joins`: which node pools a workload is joined with, and why (folders, ``context``);
* :mod:`.matching`: which of those pools and instance types a workload can land on;
* :mod:`.node_pools`: how rules describe pools (which never launch, a list of pools).

Importing the package registers its recognisers. The run imports it only once
a cluster document (``ClusterConfig``, ``NodePool``, ``EC2NodeClass``, a template with an
``AWS::EKS::Nodegroup``) is seen, so a run over
Kubernetes manifests alone never loads it (see ``DOMAIN_GATES`` in
:mod:`gpulint.model.recognize`).
"""

from __future__ import annotations

# importing the recogniser modules registers their recognisers
from gpulint.model.cluster import cloudformation, eksctl, karpenter, nodeclass  # noqa: F401
from gpulint.model.cluster.joins import Join, describe, join_for, join_note, pools_for
from gpulint.model.cluster.karpenter import karpenter_candidates
from gpulint.model.cluster.labels import KARPENTER_TYPE_LABELS, is_type_placeholder
from gpulint.model.cluster.matching import (
    Scope,
    close_key,
    has_selector,
    landable,
    match_types,
    max_accelerators,
    pool_matches,
)
from gpulint.model.cluster.node_pools import never_launches, pools_text, subject
from gpulint.model.cluster.nodeclass import NodeClass, node_class_for
from gpulint.model.cluster.pools import ClusterConfig, InstanceTypeRef, NodePool, Requirement, Taint

__all__ = [
    "KARPENTER_TYPE_LABELS",
    "ClusterConfig",
    "InstanceTypeRef",
    "Join",
    "NodeClass",
    "NodePool",
    "Requirement",
    "Scope",
    "Taint",
    "close_key",
    "describe",
    "has_selector",
    "is_type_placeholder",
    "join_for",
    "join_note",
    "karpenter_candidates",
    "landable",
    "match_types",
    "max_accelerators",
    "never_launches",
    "node_class_for",
    "pool_matches",
    "pools_for",
    "pools_text",
    "subject",
]
