"""Matching workloads to node pools: where a pod can land, and on which instance types.

The pools a workload is judged against (a :class:`Scope`) come from
:mod:`.joins`. :func:`pool_matches` evaluates a pod template's nodeSelector and required node
affinity against a pool: True, False, or None when the answer depends on
something gpulint cannot see (labels added at run time by node agents, values
unknown until render time). :func:`match_types` and :func:`landable` also give
the instance types a pod may get there.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, field
from typing import Any, Optional

from gpulint.model import catalog
from gpulint.model.cluster.labels import (
    ABSENT,
    ANY,
    INSTANCE_TYPE_KEYS,
    KARPENTER_TYPE_LABELS,
    all_of,
    any_of,
    is_type_placeholder,
    op_holds,
)
from gpulint.model.cluster.pools import NodePool, type_groups
from gpulint.model.core import is_placeholder
from gpulint.model.kubernetes import PodTemplate

#: label-key domains that node agents (GPU feature discovery, NFD, the cloud provider, kubelet) set at run time
_RUNTIME_DOMAINS = ("kubernetes.io", "k8s.io", "k8s.aws", "amazonaws.com", "nvidia.com", "amd.com", "google.com",
                    "habana.ai", "intel.com", "karpenter.sh", "azure.com", "gke.io")
_MODELLED_KEYS = frozenset({
    "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type", "alpha.eksctl.io/nodegroup-name",
    "alpha.eksctl.io/cluster-name", "eks.amazonaws.com/nodegroup", "eks.amazonaws.com/capacityType",
    "karpenter.sh/nodepool", "karpenter.sh/capacity-type", *KARPENTER_TYPE_LABELS,
}) - {"kubernetes.io/arch"}


def _is_runtime_key(key: str) -> bool:
    if "/" not in key:
        return False
    domain = key.split("/", 1)[0]
    return any(domain == d or domain.endswith("." + d) for d in _RUNTIME_DOMAINS)


@dataclass
class Scope:
    """The node pools a workload joins, the label keys they define, and answers already worked out."""

    pools: list[NodePool]
    defined_keys: set[str]
    _close: dict = field(default_factory=dict, repr=False)
    _matches: dict = field(default_factory=dict, repr=False)
    _landable: dict = field(default_factory=dict, repr=False)


def _selector_value(pool: NodePool, labels: dict[str, Any], key: str, scope: Scope) -> Any:
    if key in labels:
        return labels[key]
    if key in _MODELLED_KEYS:
        return ABSENT
    if pool.open_labels or _is_runtime_key(key):
        return ANY
    if key in scope.defined_keys or close_key(key, scope) is not None:
        return ABSENT  # a label of the cluster configs (or a near-miss of one) this pool does not carry
    return ANY


def close_key(key: str, scope: Scope) -> Optional[str]:
    """A defined label key that ``key`` is probably a typo of."""
    if key in scope.defined_keys or key in _MODELLED_KEYS or _is_runtime_key(key):
        return None
    if key not in scope._close:
        found = difflib.get_close_matches(key, sorted(scope.defined_keys), n=1, cutoff=0.85)
        scope._close[key] = found[0] if found else None
    return scope._close[key]


def _expr_holds(expr: Any, value: Any) -> Optional[bool]:
    op = expr.operator if isinstance(expr.operator, str) else None
    if op is None:
        return None
    return op_holds(op, list(expr.values or []), value)


def pool_matches(pool: NodePool, t: PodTemplate, scope: Scope,
                 only: Optional[tuple[str, Any]] = None) -> Optional[bool]:
    """Can a pod of template ``t`` land on some node of ``pool``, as far as labels go?"""
    return match_types(pool, t, scope, only)[0]


def match_types(pool: NodePool, t: PodTemplate, scope: Scope,
                only: Optional[tuple[str, Any]] = None) -> tuple[Optional[bool], Optional[list[str]]]:
    """(verdict, the pool's instance types a pod of ``t`` may get) by labels.

    The verdict is True (surely lands), False (cannot), None (cannot tell);
    the types are None when the pool's types are unknown.
    """
    key = (id(pool), _selector_key(t, only))
    cached = scope._matches.get(key)
    if cached is None:
        cached = scope._matches[key] = _match_types(pool, t, scope, only)
    return cached


def _selector_key(t: PodTemplate, only: Optional[tuple[str, Any]]) -> Any:
    if only is not None:
        return ("only", repr(only))
    terms = tuple(
        (tuple((repr(e.key), repr(e.operator), repr(e.values)) for e in term.matchExpressions or []),
         bool(term.matchFields))
        for term in t.required_terms()
    )
    return (tuple(sorted((repr(k), repr(v)) for k, v in t.node_selector.items())), terms)


def _match_types(pool: NodePool, t: PodTemplate, scope: Scope,
                 only: Optional[tuple[str, Any]]) -> tuple[Optional[bool], Optional[list[str]]]:
    types: list[Optional[str]] = list(pool.possible_types) if pool.possible_types is not None else [None]
    if not types:
        return False, []
    terms = t.required_terms() if only is None else []
    type_dependent = _type_dependent(t, only)
    if type_dependent and pool.possible_types is not None:
        # an instance-type selector names the only type it can match: skip the rest
        selector = [only] if only is not None else list(t.node_selector.items())
        for k, v in selector:
            if k in INSTANCE_TYPE_KEYS and isinstance(v, str) and not is_type_placeholder(v):
                types = [x for x in types if x == v]
        if not types:
            return False, []
    if type_dependent and len(types) > 1:
        # the parts that do not depend on the instance type must hold first (cheap, and usually decisive)
        if _labels_match(pool, pool.node_labels(types[0]), t, scope, only, terms, skip_type_keys=True) is False:
            return False, []
    results: list[Optional[bool]] = []
    fitting: list[str] = []
    if type_dependent:
        # types whose nodes carry the same values for every key the selector reads get the same answer:
        # each group is judged once, on its first type
        rejected: set[Any] = set()
        for group in type_groups(pool, tuple(types), _selector_keys(t, only)):
            verdict = _labels_match(pool, pool.node_labels(group[0]), t, scope, only, terms)
            results.append(verdict)
            if verdict is False:
                rejected.update(group)
        fitting = [itype for itype in types if itype is not None and itype not in rejected]
    else:
        results.append(_labels_match(pool, pool.node_labels(types[0]), t, scope, only, terms))
    overall = any_of(results)
    if pool.possible_types is None:
        return overall, None
    if not type_dependent:
        fitting = list(pool.possible_types) if overall is not False else []
    return overall, fitting


def _is_type_key(key: Any) -> bool:
    return isinstance(key, str) and (key.endswith("/instance-type") or key in KARPENTER_TYPE_LABELS)


def _labels_match(pool: NodePool, labels: dict[str, Any], t: PodTemplate, scope: Scope,
                  only: Optional[tuple[str, Any]], terms: list[Any], skip_type_keys: bool = False) -> Optional[bool]:
    parts: list[Optional[bool]] = []
    selector = [only] if only is not None else list(t.node_selector.items())
    for k, v in selector:
        if skip_type_keys and _is_type_key(k):
            continue
        if is_placeholder(k) or is_placeholder(v) or (k in INSTANCE_TYPE_KEYS and is_type_placeholder(v)):
            parts.append(None)
            continue
        parts.append(op_holds("In", [v], _selector_value(pool, labels, str(k), scope)))
    if terms:
        term_results = []
        for term in terms:
            exprs = []
            for e in term.matchExpressions or []:
                if skip_type_keys and _is_type_key(e.key):
                    continue
                if not isinstance(e.key, str) or is_placeholder(e.key) or (
                        e.key in INSTANCE_TYPE_KEYS and any(is_type_placeholder(v) for v in e.values or [])):
                    exprs.append(None)
                    continue
                exprs.append(_expr_holds(e, _selector_value(pool, labels, e.key, scope)))
            if term.matchFields:
                exprs.append(None)
            term_results.append(all_of(exprs))
        parts.append(any_of(term_results))
    return all_of(parts)


def _selector_keys(t: PodTemplate, only: Optional[tuple[str, Any]]) -> frozenset[str]:
    """The label keys a pod of ``t`` selects nodes by (``only``: the one selector entry judged)."""
    keys = {str(k) for k in t.node_selector} if only is None else {str(only[0])}
    if only is None:
        for term in t.required_terms():
            keys |= {e.key for e in term.matchExpressions or [] if isinstance(e.key, str)}
    return frozenset(keys)


def _type_dependent(t: PodTemplate, only: Optional[tuple[str, Any]]) -> bool:
    return any(k.endswith("/instance-type") or k in KARPENTER_TYPE_LABELS for k in _selector_keys(t, only))


def has_selector(t: PodTemplate) -> bool:
    return bool(t.node_selector) or bool(t.required_terms())


def landable(scope: Scope, t: PodTemplate) -> list[tuple[NodePool, Optional[list[str]]]]:
    """Pools a pod of ``t`` may land on by labels, with the instance types it may get there (None: unknown)."""
    cached = scope._landable.get(id(t))
    if cached is not None and cached[0] is t:
        return cached[1]
    out = []
    for pool in scope.pools:
        verdict, types = match_types(pool, t, scope)
        if verdict is not False:
            out.append((pool, types))
    scope._landable[id(t)] = (t, out)
    return out


def max_accelerators(types: Optional[list[str]], resource: str) -> tuple[Optional[int], Optional[str]]:
    """Most devices of ``resource`` on one node among ``types``, and the type that has them (None: unknown)."""
    if not types:
        return None, None
    return _max_accelerators(tuple(types), resource)


@functools.lru_cache(maxsize=4096)
def _max_accelerators(types: tuple[str, ...], resource: str) -> tuple[Optional[int], Optional[str]]:
    # every workload is checked against the same few pools' type lists: look each list up once
    best, best_name = -1, None
    for name in types:
        n = catalog.accelerator_count(name, resource)
        if n is None:
            return None, None
        if n > best:
            best, best_name = n, name
    return best, best_name
