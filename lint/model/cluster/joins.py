"""Which node pools a workload is joined with, and why.

A cross-file rule judges a workload against node pools only when the link is
certain or declared. :func:`join_for` gives a workload's :class:`Join`: the
pools (a :class:`~gpulint.model.cluster.matching.Scope`), the files they come
from with the reason each was joined, or why there are none.

* Declared: the config's ``context``. In its mapping form, a workload whose path
  (relative to the config's folder) matches a key is joined with exactly the
  pools of the files that key's globs name; in its list form, every workload is
  joined with the pools of the listed files, when they hold any.
* Otherwise by folder: the pools of the files in the workload's own folder and
  directly in each folder above it; never those of a sibling folder's subtree.
  Pools found this way that belong to more than one cluster (two eksctl
  ClusterConfigs of different names, ``AWS::EKS::Nodegroup`` resources of different
  ``ClusterName``, or a named cluster and Karpenter NodePools, which name no cluster) are not joined at all: the join is *ambiguous*, and
  :func:`join_note` says so once per run.

A workload that selects SageMaker HyperPod nodes (an ``ml.`` instance type, a
``sagemaker.amazonaws.com/`` label) is never joined, nor one of a cluster that
also gets nodes gpulint does not model (EKS Auto Mode, Fargate, hybrid nodes, the
Karpenter add-on without NodePools in the run): cross-file rules stay silent.
"""

from __future__ import annotations

import functools
import glob
import os
import re
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

from gpulint.model.cluster.labels import INSTANCE_TYPE_KEYS
from gpulint.model.cluster.matching import Scope, has_selector
from gpulint.model.cluster.pools import ClusterConfig, NodePool
from gpulint.model.core import ModelObject
from gpulint.model.kubernetes import PodTemplate, Workload

#: label keys of SageMaker HyperPod nodes: a pod selecting them runs on HyperPod
_HYPERPOD_DOMAIN = "sagemaker.amazonaws.com/"


@dataclass
class Join:
    """The node pools a workload is joined with (``scope``), or why it is not (``reason``)."""

    scope: Optional[Scope]
    #: (a pool file as the run names it, why it was joined)
    files: list[tuple[str, str]] = field(default_factory=list)
    #: why the cross-file rules stay silent on the workload ("" when it is joined)
    reason: str = ""
    #: not joined because its pools come from more than one cluster
    ambiguous: bool = False


@dataclass
class _Index:
    """The run's pools and cluster configs by folder, and the joins worked out so far."""

    pools: list[NodePool]
    configs: list[ClusterConfig]
    real: dict[str, str]  # file as named -> real path
    by_folder: dict[str, list[ModelObject]]  # real folder -> pools and configs of the files directly in it
    joins: dict[Any, Join] = field(default_factory=dict)
    globs: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # a workload's file as named -> its real folder
    #: (config, report) -> what the run says about the joins: asked once by each rule that reports joins
    notes: dict[tuple[int, int], tuple[Any, Any, list[str]]] = field(default_factory=dict)


_INDEX: "weakref.WeakKeyDictionary[Any, _Index]" = weakref.WeakKeyDictionary()
#: the project asked last and its index
_LAST: list[Optional[tuple["weakref.ref[Any]", _Index]]] = [None]


def pools_for(project: Any, obj: ModelObject, config: Any = None) -> Optional[Scope]:
    """The node pools ``obj`` (a workload) joins, or None when cross-file rules must stay silent."""
    return join_for(project, obj, config).scope


def join_for(project: Any, obj: ModelObject, config: Any = None) -> Join:
    """How ``obj`` (a workload) is joined with the run's node pools; ``config`` gives ``context``."""
    hyperpod = _hyperpod_selector(obj)
    if hyperpod:
        return Join(None, reason=f"it selects SageMaker HyperPod nodes ({hyperpod}), which are not eksctl or "
                                 f"Karpenter pools")
    index = _index(project)
    if not index.pools and not index.configs:
        return Join(None, reason="no eksctl ClusterConfig or Karpenter NodePool in the run")
    folder = index.folders.get(obj.file)
    if folder is None:
        folder = index.folders[obj.file] = os.path.dirname(os.path.realpath(obj.file))
    declared = _declared(obj, config)
    key = (folder, _context_key(config), tuple(declared or ()))
    if key not in index.joins:
        if declared:
            index.joins[key] = _declared_join(index, config, declared)
        else:
            index.joins[key] = _declared_list_join(index, config) or _folder_join(index, folder)
    return index.joins[key]


def _index(project: Any) -> _Index:
    last = _LAST[0]
    if last is not None and last[0]() is project:  # every workload of a run asks: no weak mapping look-up
        return last[1]
    index = _INDEX.get(project)
    if index is None:
        pools = list(project.of_type(NodePool))
        configs = list(project.of_type(ClusterConfig))
        real: dict[str, str] = {}
        by_folder: dict[str, list[ModelObject]] = {}
        for o in (*pools, *configs):
            if o.file not in real:
                real[o.file] = os.path.realpath(o.file)
            by_folder.setdefault(os.path.dirname(real[o.file]), []).append(o)
        index = _INDEX[project] = _Index(pools, configs, real, by_folder)
    _LAST[0] = (weakref.ref(project), index)
    return index


def _context_key(config: Any) -> Any:
    context = getattr(config, "context", None)
    return (config.root, repr(context)) if context else None


# --------------------------------------------------------------------------- declared: the config's context


def _declared(obj: ModelObject, config: Any) -> list[str]:
    """The keys of the mapping form of ``context`` that match ``obj``'s file."""
    context = getattr(config, "context", None)
    if not isinstance(context, dict):
        return []
    rel = os.path.relpath(os.path.realpath(obj.file), os.path.realpath(config.root)).replace(os.sep, "/")
    if rel.startswith("../"):
        return []
    return [k for k in context if glob_regex(k).match(rel)]


def _declared_join(index: _Index, config: Any, keys: list[str]) -> Join:
    """Exactly the pools of the files the matching mapping keys name."""
    why: dict[str, str] = {}
    for k in keys:
        for pattern in config.context[k]:
            for path in _glob(index, config, pattern):
                why.setdefault(path, f"context mapping {k!r} -> {pattern!r}")
    if not any(index.real[o.file] in why for o in (*index.pools, *index.configs)):
        globs = ", ".join(repr(g) for k in keys for g in config.context[k])
        return Join(None, reason=f"context maps it ({', '.join(repr(k) for k in keys)}) to {globs}, which name "
                                 f"no cluster file of the run")
    return _join(index, why, ambiguity=False)


def _declared_list_join(index: _Index, config: Any) -> Optional[Join]:
    """The list form of ``context`` applies to every workload, when its files hold node pools."""
    context = getattr(config, "context", None)
    if not context or not isinstance(context, list):
        return None
    why: dict[str, str] = {}
    for pattern in context:
        for path in _glob(index, config, pattern):
            why.setdefault(path, f"context glob {pattern!r}")
    if not any(index.real[o.file] in why for o in (*index.pools, *index.configs)):
        return None
    return _join(index, why, ambiguity=False)


def _glob(index: _Index, config: Any, pattern: str) -> set[str]:
    key = (config.root, pattern)
    if key not in index.globs:
        found = glob.glob(os.path.join(glob.escape(config.root), pattern), recursive=True)
        index.globs[key] = {os.path.realpath(f) for f in found}
    return index.globs[key]


@functools.lru_cache(maxsize=256)
def glob_regex(pattern: str) -> "re.Pattern[str]":
    """A regular expression for a path glob as ``glob.glob(recursive=True)`` reads it: ``*`` and ``?``
    stay within a folder, a ``**`` segment spans any number of folders."""
    parts = []
    segments = pattern.replace("\\", "/").strip("/").split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
            continue
        out = ""
        j = 0
        while j < len(seg):
            c = seg[j]
            end = seg.find("]", j + 2) if c == "[" else -1
            if c == "*":
                out += "[^/]*"
            elif c == "?":
                out += "[^/]"
            elif end > 0:
                body = seg[j + 1:end]
                out += "[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]"
                j = end
            else:
                out += re.escape(c)
            j += 1
        parts.append(out if last else out + "/")
    return re.compile("".join(parts) + r"\Z")


# --------------------------------------------------------------------------- by folder


def _folder_join(index: _Index, folder: str) -> Join:
    """The pools of the files in ``folder`` and directly in each folder above it."""
    why: dict[str, str] = {}
    here = folder
    while True:
        for o in index.by_folder.get(here, []):
            where = "own folder" if here == folder else f"ancestor folder {_shown_folder(o.file)}"
            why.setdefault(index.real[o.file], where)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    if not why:
        elsewhere = sorted({o.file for o in (*index.pools, *index.configs)})
        shown = ", ".join(elsewhere[:3]) + (f" and {len(elsewhere) - 3} more" if len(elsewhere) > 3 else "")
        return Join(None, reason=f"no node pool file in its folder or a folder above it (those in {shown} are "
                                 f"elsewhere: declare them under context: to join them)")
    return _join(index, why, ambiguity=True)


def _shown_folder(file: str) -> str:
    return os.path.dirname(file) or "."


# --------------------------------------------------------------------------- the pools joined


def _join(index: _Index, why: dict[str, str], ambiguity: bool) -> Join:
    """The Join of the pools and cluster configs of the files ``why`` names (real path -> reason)."""
    pools = [p for p in index.pools if index.real[p.file] in why]
    configs = [c for c in index.configs if index.real[c.file] in why]
    named = {index.real[o.file]: o.file for o in (*pools, *configs)}
    files = [(named[path], reason) for path, reason in why.items() if path in named]
    files.sort(key=lambda f: f[0])
    reason = _unmodelled(pools, configs)
    if reason:
        return Join(None, files, reason)
    if ambiguity:
        reason = _ambiguous(pools, configs)
        if reason:
            return Join(None, files, reason, ambiguous=True)
    if not pools:
        return Join(None, files, "the cluster files it is joined with define no node pool")
    keys: set[str] = set()
    for p in pools:
        keys |= p.defined_keys()
    return Join(Scope(pools, keys), files)


def _unmodelled(pools: list[NodePool], configs: list[ClusterConfig]) -> str:
    """Why the cluster gets nodes that no pool here describes ("" when it does not)."""
    for c in configs:
        if c.unmodelled:
            return f"{_cluster_name(c)} ({c.file}) also gets nodes gpulint does not model ({c.unmodelled})"
    for p in pools:
        if p.unmodelled:
            return f"{p.display()} ({p.file}) belongs to a template that also makes {p.unmodelled}"
        if p.auto_mode:
            return (f"{p.display()} ({p.file}) is an EKS Auto Mode pool: the cluster has built-in pools that no file "
                    f"describes")
    if not any(p.provider == "karpenter" for p in pools):
        for c in configs:
            if c.karpenter_addon:
                return f"{_cluster_name(c)} ({c.file}) runs Karpenter, and none of its NodePools is in the run"
    return ""


def _ambiguous(pools: list[NodePool], configs: list[ClusterConfig]) -> str:
    """Why pools found by folder belong to more than one cluster ("" when they belong to one)."""
    clusters: dict[str, tuple[str, str]] = {}  # cluster -> how it is named, the first file that names it
    for c in configs:
        clusters.setdefault(c.name or f"{c.file}#{c.doc_index}", (_cluster_name(c), c.file))
    for p in pools:
        if p.provider == "eks":  # an AWS::EKS::Nodegroup names its cluster (literally, or as a reference)
            key = p.cluster or f"{p.file}#{p.doc_index}#{p.cluster_ref}"
            shown = f"EKS cluster '{p.cluster}'" if p.cluster else f"the cluster {p.cluster_ref or '(unnamed)'}"
            clusters.setdefault(key, (shown, p.file))
    karpenter = sorted({p.file for p in pools if p.provider == "karpenter"})
    if len(clusters) > 1:
        shown = ", ".join(f"{name} ({f})" for name, f in list(clusters.values())[:3])
        what = "cluster" if any(p.provider == "eks" for p in pools) else "eksctl cluster"
        return f"its node pools come from more than one {what}: {shown}"
    if clusters and karpenter and not any(c.karpenter_addon for c in configs):
        [(name, f)] = clusters.values()
        return (f"its node pools mix {name} ({f}) with Karpenter NodePools ({', '.join(karpenter[:3])}), "
                f"which name no cluster")
    return ""


def _cluster_name(c: ClusterConfig) -> str:
    return f"eksctl cluster '{c.name}'" if c.name else f"an eksctl cluster without a name ({c.file}#{c.doc_index})"


# --------------------------------------------------------------------------- HyperPod


def _hyperpod_selector(obj: ModelObject) -> str:
    """The first selector of ``obj`` that targets SageMaker HyperPod nodes ("" when none does)."""
    for t in getattr(obj, "templates", ()):
        found = _template_hyperpod(t)
        if found:
            return found
    return ""


def _template_hyperpod(t: PodTemplate) -> str:
    for k, v in t.node_selector.items():
        if str(k).startswith(_HYPERPOD_DOMAIN):
            return f"the label {k}"
        if k in INSTANCE_TYPE_KEYS and isinstance(v, str) and v.startswith("ml."):
            return f"instance type {v}"
    for term in t.required_terms():
        for e in term.matchExpressions or []:
            if isinstance(e.key, str) and e.key.startswith(_HYPERPOD_DOMAIN):
                return f"the label {e.key}"
            values = [v for v in e.values or [] if isinstance(v, str)]
            if e.key in INSTANCE_TYPE_KEYS and e.operator == "In" and values and all(
                    v.startswith("ml.") for v in values):
                return f"instance type {values[0]}"
    return ""


# --------------------------------------------------------------------------- what a run says about joins


def checked(obj: Workload) -> bool:
    """Would a cluster-aware rule join ``obj``: does it ask for accelerators or select nodes?"""
    return obj.is_gpu or any(has_selector(t) and not t.partial for t in obj.templates)


def join_note(project: Any, config: Any, report: dict[str, bool]) -> list[str]:
    """One note for the run when cluster-aware rules stayed silent on reported workloads whose
    folders hold node pools of more than one cluster; none otherwise."""
    index = _index(project)
    if not index.pools:
        return []
    cached = index.notes.get((id(config), id(report)))
    if cached is not None and cached[0] is config and cached[1] is report:
        return list(cached[2])
    notes = _join_note(project, config, report)
    index.notes[(id(config), id(report))] = (config, report, notes)
    return list(notes)


def _join_note(project: Any, config: Any, report: dict[str, bool]) -> list[str]:
    skipped = [(w, j) for w, j in _joins(project, config, report) if j.ambiguous]
    if not skipped:
        return []
    w, j = skipped[0]
    root = os.path.realpath(config.root if config is not None else os.getcwd())
    folder = os.path.dirname(os.path.realpath(w.file))
    rel = os.path.relpath(folder, root).replace(os.sep, "/")
    pattern = "**" if rel == "." else f"{rel}/**"
    nearest = max((os.path.realpath(f) for f, _ in j.files), key=lambda f: (len(os.path.dirname(f)), f))
    target = os.path.relpath(nearest, root).replace(os.sep, "/")
    if rel.startswith("../") or target.startswith("../"):  # outside the config's folder: no glob can name it
        pattern, target = "<workloads>/**", "<cluster file>"
    where = getattr(config, "path", None) or ".gpulint.yaml"
    return [
        f"cluster-aware rules stayed silent on {len(skipped)} workload(s) joined by folder with node pools of more "
        f"than one cluster, e.g. {w.display()} in {w.file}: {j.reason}. Declare the cluster files a workload runs "
        f"on under context: in {where}, e.g. context: {{\"{pattern}\": [\"{target}\"]}}; gpulint --show-context "
        f"FILE shows how the workloads of a file are joined"
    ]


def _joins(project: Any, config: Any, report: dict[str, bool]) -> Iterable[tuple[Workload, Join]]:
    for w in project.of_type(Workload):
        if report.get(w.file, True) and checked(w):
            yield w, join_for(project, w, config)


def describe(project: Any, config: Any, obj: Workload) -> list[str]:
    """What ``gpulint --show-context`` says about ``obj``: one line per pool file it is joined with,
    with the reason, or why it is not joined."""
    join = join_for(project, obj, config)
    lines = [f"{file}: {why}" for file, why in join.files] if join.scope is not None else []
    if join.scope is None:
        lines.append(f"not joined: {join.reason}")
    return lines
