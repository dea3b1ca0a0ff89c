"""The rule unknown-instance-type (NODE204): an instance type that does not exist (with the closest
valid names)."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model import catalog
from gpulint.model.cluster import NodePool, is_type_placeholder
from gpulint.model.core import ModelObject, is_placeholder
from gpulint.model.kubernetes import Workload

_EC2_NAME = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$", re.IGNORECASE)
_TYPE_KEYS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
FAMILY_KEY = "karpenter.k8s.aws/instance-family"


@register
class UnknownInstanceType(Rule):
    """## What it does
    Flags an instance type that does not exist, with the closest valid names:
    in eksctl nodegroups (``instanceType``, ``instanceTypes``,
    ``instancesDistribution.instanceTypes``), in Karpenter NodePool
    requirements (``node.kubernetes.io/instance-type``, and
    ``karpenter.k8s.aws/instance-family`` against the known families), in
    workload nodeSelectors and required node affinity on the instance-type
    label, and in SageMaker request documents (``ml.`` names, per API).

    The valid names come from gpulint's instance catalog (the EC2 and SageMaker
    API enums). Values not filled in yet are not checked (template placeholders
    such as ``${INSTANCE_TYPE}`` or ``<instance-type>``, ALL_CAPS names such as
    ``PLACEHOLDER_INSTANCE_TYPE`` or ``REPLACE_ME``), and a workload's
    instance-type label is checked only when it looks like an EC2 name of a
    known family (``g5.2xlarg``), so SageMaker HyperPod nodes (``ml.g5.8xlarge``)
    and other clouds' machine types (``b3c.4x16``, ``n1-standard-4``) are left
    alone.

    A Karpenter requirement with an unknown value is a warning, not an error:
    Karpenter accepts the NodePool and ignores the value (no instance type
    carries it), so the pool launches the other types it allows.

    ## Why is this bad?
    A misspelt type fails late: ``eksctl create`` errors after the cluster
    stack exists, Karpenter silently never launches the type, and a pod that
    selects a non-existent type stays Pending forever.

    ## Example
    ```yaml
    managedNodeGroups:
      - name: gpu
        instanceType: g5.2xlarg
    ```

    ## Use instead
    ```yaml
    managedNodeGroups:
      - name: gpu
        instanceType: g5.2xlarge
    ```

    ## Fix safety
    No automatic fix: the closest name is a suggestion, not necessarily what you meant.

    ## References
    - https://aws.amazon.com/ec2/instance-types/
    - https://karpenter.sh/docs/reference/instance-types/
    """

    code = "NODE204"
    name = "unknown-instance-type"
    severity = Severity.ERROR
    summary = "An instance type that does not exist (with the closest valid names)"
    domain = "cluster"
    targets = (NodePool, Workload)
    source_url = "https://karpenter.sh/docs/reference/instance-types/"

    def check(self, obj: ModelObject, ctx: Context) -> Iterator[Finding]:
        karpenter = isinstance(obj, NodePool) and obj.provider == "karpenter"
        for name, path, sagemaker, kind in instance_type_refs(obj):
            if not sagemaker and is_type_placeholder(name):
                continue  # not filled in yet
            message = family_message(name) if kind == "family" else catalog.check_name(name, sagemaker=sagemaker)
            if message and karpenter:
                sep = " " if message.endswith("?") else "; "
                yield Finding(path, f"{message}{sep}Karpenter accepts the NodePool and ignores this value (no "
                                    f"instance type carries it)", severity=Severity.WARNING)
            elif message:
                yield Finding(path, message)


def instance_type_refs(obj: Any) -> Iterator[tuple[Any, tuple, bool, str]]:
    """(name, path, sagemaker, kind) for every instance type ``obj`` names.

    ``kind`` is "type" or "family". Objects of other domains take part by
    defining ``instance_type_refs()`` returning items with ``name``, ``path`` and
    ``sagemaker`` attributes.
    """
    if isinstance(obj, NodePool):
        for ref in obj.instance_refs:
            yield ref.name, ref.path, False, "type"
        for r in obj.requirements:
            if r.key == FAMILY_KEY and r.operator in ("In", "NotIn"):
                for j, v in enumerate(r.values):
                    yield v, r.path + ("values", j), False, "family"
        return
    if isinstance(obj, Workload):
        for t in obj.templates:
            for k, v in t.node_selector.items():
                if k in _TYPE_KEYS and _looks_ec2(v):
                    yield v, t.path + ("nodeSelector", k), False, "type"
            for i, term in enumerate(t.required_terms()):
                for j, e in enumerate(term.matchExpressions or []):
                    if e.key in _TYPE_KEYS and e.operator in ("In", "NotIn"):
                        for n, v in enumerate(e.values or []):
                            if _looks_ec2(v):
                                yield v, t.path + ("affinity", "nodeAffinity",
                                                   "requiredDuringSchedulingIgnoredDuringExecution",
                                                   "nodeSelectorTerms", i, "matchExpressions", j, "values", n), \
                                    False, "type"
        return
    method = getattr(obj, "instance_type_refs", None)
    if callable(method):
        for ref in method():
            yield ref.name, ref.path, bool(getattr(ref, "sagemaker", False)), "type"


def _looks_ec2(value: Any) -> bool:
    """An EC2 name (``family.size``) of a known family: a workload may run on other clouds, whose
    machine types can look alike (IBM Cloud's ``b3c.4x16``); a misspelt size is still caught."""
    return isinstance(value, str) and bool(_EC2_NAME.match(value)) and value.split(".")[0] in _family_set()


def _family_set() -> frozenset[str]:
    global _FAMILY_SET
    if _FAMILY_SET is None:
        _FAMILY_SET = frozenset(_families())
    return _FAMILY_SET


_FAMILY_SET: Optional[frozenset[str]] = None


def _families() -> list[str]:
    return sorted({n.split(".")[0] for n in catalog.names(sagemaker=False)})


def family_message(name: Any) -> Optional[str]:
    if not isinstance(name, str) or is_placeholder(name):
        return None
    families = _families()
    if name in families:
        return None
    import difflib

    close = difflib.get_close_matches(name, families, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"'{name}' is not a known EC2 instance family{hint}"
