"""Karpenter ``EC2NodeClass`` (``karpenter.k8s.aws/v1``, ``v1beta1``): the AMI a NodePool's nodes boot.

A :class:`NodeClass` keeps what says which AMI family the nodes run: ``spec.amiFamily`` and the
``alias`` terms of ``spec.amiSelectorTerms`` (``al2023@latest``, ``bottlerocket@v1.20.0``;
in v1 an alias names the family, and ``amiFamily`` may be left out). :attr:`NodeClass.family`
is the family when that is certain, else None (AMIs selected by ID, name or tags, a
placeholder, or terms of several families).

A NodePool names its class by ``spec.template.spec.nodeClassRef`` (:func:`node_class_for`). The
class is looked up by name: the one class of that name in the NodePool's own file, else the way
node pools are joined with workloads: the files a ``context`` mapping declares for the NodePool's
file, else the NodePool's own folder and then each folder above it, the nearest folder holding a
class of that name winning. Two classes of that name at
the same level, or a reference gpulint cannot read, resolve to nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, ClassVar, Optional

from gpulint.load import Document, Source
from gpulint.model.cluster.pools import NodePool
from gpulint.model.core import ModelObject, is_placeholder
from gpulint.model.recognize import Recognised, recogniser

NODECLASS_GROUP = "karpenter.k8s.aws"

#: alias families (``family@version``) and the amiFamily each stands for
ALIAS_FAMILIES = {"al2": "AL2", "al2023": "AL2023", "bottlerocket": "Bottlerocket",
                  "windows2019": "Windows2019", "windows2022": "Windows2022", "windows2025": "Windows2025"}


@dataclass(eq=False)
class NodeClass(ModelObject):
    """A Karpenter EC2NodeClass: the AMI family its nodes boot."""

    #: ``spec.amiFamily`` as written (None when absent)
    ami_family: Any = None
    #: the ``alias`` of each ``spec.amiSelectorTerms`` entry that has one, as written
    aliases: list[Any] = field(default_factory=list)
    #: some selector term picks AMIs by ID, name, owner or tags
    selects_by_other: bool = False

    type_label: ClassVar[str] = "EC2NodeClass"

    @property
    def family(self) -> Optional[str]:
        """The AMI family the nodes run, when certain (``AL2023``, ``Bottlerocket``, ...)."""
        family = self.ami_family
        written = family if isinstance(family, str) and family and not is_placeholder(family) else None
        from_aliases = {_alias_family(a) for a in self.aliases}
        if from_aliases:
            if None in from_aliases or len(from_aliases) != 1 or self.selects_by_other:
                return None
            alias = from_aliases.pop()
            # amiFamily: Custom with an alias boots that AMI with the author's own bootstrap
            return alias if family is None or written == alias else None
        return written


def _alias_family(alias: Any) -> Optional[str]:
    if not isinstance(alias, str) or is_placeholder(alias):
        return None
    return ALIAS_FAMILIES.get(alias.split("@", 1)[0].strip().lower())


@recogniser(priority=5)
def recognise_nodeclass(source: Source, doc: Document) -> Optional[Recognised]:
    data = doc.data
    if not isinstance(data, dict) or data.get("kind") != "EC2NodeClass":
        return None
    if data.get("apiVersion") not in (f"{NODECLASS_GROUP}/v1", f"{NODECLASS_GROUP}/v1beta1"):
        return None
    result = Recognised()
    meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
    terms = spec.get("amiSelectorTerms")
    aliases: list[Any] = []
    other = False
    for term in terms if isinstance(terms, list) else []:
        if isinstance(term, dict) and "alias" in term:
            aliases.append(term["alias"])
        elif term is not None:
            other = True
    if terms is not None and not isinstance(terms, list):
        other = True  # a placeholder: unknown terms
    name = meta.get("name")
    result.objects.append(NodeClass(
        source=source, doc_index=doc.index, base=(), kind="EC2NodeClass",
        name=name if isinstance(name, str) and not is_placeholder(name) else None,
        ami_family=spec.get("amiFamily"), aliases=aliases, selects_by_other=other,
    ))
    return result


def class_ref(data: dict) -> Optional[tuple[Any, Any, Any]]:
    """A NodePool's ``nodeClassRef`` as (group, kind, name): v1 writes ``group``, v1beta1 ``apiVersion``."""
    ref = data.get("nodeClassRef") if isinstance(data, dict) else None
    if not isinstance(ref, dict):
        return None
    group = ref.get("group")
    if group is None and isinstance(ref.get("apiVersion"), str):
        group = ref["apiVersion"].split("/")[0]
    return group, ref.get("kind"), ref.get("name")


def node_class_for(project: Any, pool: NodePool, config: Any = None) -> Optional[NodeClass]:
    """The EC2NodeClass ``pool`` (a Karpenter NodePool) names, when exactly one is certain."""
    ref = pool.node_class_ref
    if pool.provider != "karpenter" or ref is None:
        return None
    group, kind, name = ref
    if group not in (None, NODECLASS_GROUP) or kind not in (None, "EC2NodeClass"):
        return None  # EKS Auto Mode's NodeClass, another provider's class
    if not isinstance(name, str) or is_placeholder(name):
        return None
    named = [c for c in project.of_type(NodeClass) if c.name == name]
    if not named:
        return None
    same_file = [c for c in named if c.source is pool.source]
    if len(same_file) == 1:
        return same_file[0]  # written together: certain
    declared = _declared_files(pool, config)
    if declared is not None:
        found = [c for c in named if os.path.realpath(c.file) in declared]
        return found[0] if len(found) == 1 else None
    here = os.path.dirname(os.path.realpath(pool.file))
    while True:
        found = [c for c in named if os.path.dirname(os.path.realpath(c.file)) == here]
        if found:
            return found[0] if len(found) == 1 else None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _declared_files(pool: NodePool, config: Any) -> Optional[set[str]]:
    """The files a ``context`` mapping declares for the pool's file (real paths), or None."""
    import glob as _glob

    from gpulint.model.cluster.joins import _declared

    keys = _declared(pool, config)
    if not keys:
        return None
    out: set[str] = set()
    for k in keys:
        for pattern in config.context[k]:
            found = _glob.glob(os.path.join(_glob.escape(config.root), pattern), recursive=True)
            out |= {os.path.realpath(f) for f in found}
    return out
