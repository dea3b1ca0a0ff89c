"""The indexed node-pool matching gives exactly the answers of the straightforward one.

Karpenter candidates are decided once per value a well-known label takes in the catalog, and a
workload is judged once per group of a pool's instance types that carry the same values for the
keys it selects by. Here both are compared, on random pools and selectors, with the plain
evaluation they replace: every requirement on every catalog type, every selector on every type.
"""

from __future__ import annotations

from typing import Any, Optional

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpulint.model import catalog
from gpulint.model.cluster import NodePool, Requirement, Scope, karpenter_candidates, match_types
from gpulint.model.cluster.labels import all_of, any_of, is_type_placeholder, op_holds, type_label
from gpulint.model.cluster.matching import _labels_match, _type_dependent
from gpulint.model.kubernetes import PodTemplate
from gpulint.model.kubernetes.shapes import PodSpec

TYPE_KEY = "node.kubernetes.io/instance-type"
NAMES = catalog.names(sagemaker=False)
#: GPU, Neuron and plain types of several families and sizes
SAMPLE = sorted({n for n in NAMES if n.split(".")[0] in {"g5", "g6", "p4d", "p5", "inf2", "trn1", "m5", "c7g", "t3"}})
KEYS = ["karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-category",
        "karpenter.k8s.aws/instance-generation", "karpenter.k8s.aws/instance-size",
        "karpenter.k8s.aws/instance-cpu", "karpenter.k8s.aws/instance-gpu-count",
        "karpenter.k8s.aws/instance-gpu-name", "karpenter.k8s.aws/instance-gpu-manufacturer",
        "karpenter.k8s.aws/instance-accelerator-count", "kubernetes.io/arch", "karpenter.sh/capacity-type",
        TYPE_KEY, "team", "example.com/gpu"]
VALUES = ["g5", "g", "p", "5", "6", "xlarge", "2xlarge", "48xlarge", "4", "8", "1", "0", "a10g", "l4", "h100",
          "nvidia", "amd64", "arm64", "spot", "on-demand", "ml", "yes", *SAMPLE[:6]]
OPS = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]

values = st.lists(st.sampled_from(VALUES), min_size=0, max_size=3)
expressions = st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(OPS), values), min_size=0, max_size=3)


def _requirements(exprs: list[tuple[str, str, list[str]]]) -> list[Requirement]:
    return [Requirement(k, op, list(vs), ("spec", i)) for i, (k, op, vs) in enumerate(exprs)]


def _old_candidates(requirements: list[Requirement]) -> Optional[tuple[str, ...]]:
    """Every requirement evaluated on every catalog type."""
    from gpulint.model.cluster.labels import INSTANCE_TYPE_KEYS, KARPENTER_TYPE_LABELS, TYPE_NEUTRAL_KEYS

    reqs = [r for r in requirements if r.key not in TYPE_NEUTRAL_KEYS
            and (r.key in KARPENTER_TYPE_LABELS or r.key in INSTANCE_TYPE_KEYS)]
    names = catalog.names(sagemaker=False)
    explicit = [r for r in reqs if r.key.endswith("/instance-type") and r.operator == "In"]
    if explicit:
        vals = explicit[0].values
        if any(not isinstance(v, str) or is_type_placeholder(v) for v in vals):
            return None
        names = [v for v in vals if catalog.is_known(v)]
        if len(names) != len(vals):
            return None
    out = []
    for name in names:
        results = [op_holds(r.operator, r.values, name if r.key.endswith("/instance-type") else type_label(name, r.key))
                   for r in reqs]
        if all_of(results) is not False:
            out.append(name)
    return tuple(out)


def _old_match_types(pool: NodePool, t: PodTemplate, scope: Scope,
                     only: Optional[tuple[str, Any]]) -> tuple[Optional[bool], Optional[list[str]]]:
    """Every selector evaluated on every type of the pool."""
    types: list[Optional[str]] = list(pool.possible_types) if pool.possible_types is not None else [None]
    if not types:
        return False, []
    terms = t.required_terms() if only is None else []
    dependent = _type_dependent(t, only)
    if dependent and pool.possible_types is not None:
        selector = [only] if only is not None else list(t.node_selector.items())
        for k, v in selector:
            if k == TYPE_KEY and isinstance(v, str) and not is_type_placeholder(v):
                types = [x for x in types if x == v]
        if not types:
            return False, []
    results, fitting = [], []
    for itype in types if dependent else types[:1]:
        verdict = _labels_match(pool, pool.node_labels(itype), t, scope, only, terms)
        results.append(verdict)
        if verdict is not False and itype is not None:
            fitting.append(itype)
    overall = any_of(results)
    if pool.possible_types is None:
        return overall, None
    if not dependent:
        fitting = list(pool.possible_types) if overall is not False else []
    return overall, fitting


@st.composite
def pools(draw) -> NodePool:
    provider = draw(st.sampled_from(["karpenter", "eksctl"]))
    labels = draw(st.dictionaries(st.sampled_from(["team", "example.com/gpu", "karpenter.k8s.aws/instance-family"]),
                                  st.sampled_from(VALUES), max_size=2))
    if provider == "karpenter":
        reqs = _requirements(draw(expressions))
        possible = karpenter_candidates(reqs)
        return NodePool(source=None, doc_index=0, base=(), kind="NodePool", name="p", provider="karpenter",
                        group="NodePool", possible_types=possible, labels=labels, requirements=reqs)
    types = draw(st.one_of(st.none(), st.lists(st.sampled_from(SAMPLE), min_size=1, max_size=6, unique=True)))
    return NodePool(source=None, doc_index=0, base=(), kind="nodeGroups", name="ng", provider="eksctl",
                    group="nodeGroups", cluster="c", possible_types=tuple(types) if types is not None else None,
                    labels=labels)


@st.composite
def templates(draw) -> PodTemplate:
    selector = draw(st.dictionaries(st.sampled_from(KEYS), st.sampled_from(VALUES), max_size=3))
    terms = draw(st.lists(expressions, max_size=2))
    spec: dict[str, Any] = {"containers": [{"name": "c"}], "nodeSelector": selector or None}
    if terms:
        spec["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": k, "operator": op, "values": vs} for k, op, vs in term]}
            for term in terms]}}}
    return PodTemplate(("spec",), PodSpec.model_validate(spec))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions)
def test_karpenter_candidates_match_the_plain_filter(exprs) -> None:
    reqs = _requirements(exprs)
    assert karpenter_candidates(reqs) == _old_candidates(reqs)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(), pools(), templates())
def test_indexed_matching_gives_the_plain_answers(pool, other, t) -> None:
    keys = pool.defined_keys() | other.defined_keys()
    indexed, plain = Scope([pool, other], set(keys)), Scope([pool, other], set(keys))
    for p in (pool, other):
        assert match_types(p, t, indexed) == _old_match_types(p, t, plain, None)
        for item in t.node_selector.items():
            assert match_types(p, t, indexed, only=item) == _old_match_types(p, t, plain, item)
