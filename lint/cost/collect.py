"""Costed resources, read from the model: what runs instances in a loaded Project.

:func:`collect_resources` turns the typed objects the recognisers produced into
:class:`Resource` records: eksctl nodegroups and Karpenter NodePools
(:mod:`gpulint.model.cluster`), SageMaker endpoint variants (with their
instance pools), inference components, training and transform jobs
(:mod:`gpulint.model.sagemaker`). Each gets the instance types and the count
range its document states; endpoint variants then take the range of the
Application Auto Scaling target of their endpoint (Endpoint documents name the
config an endpoint runs), and inference components the instance types of the
variant they run on. What the model keeps no field for is read from the
object's own data (``AwsObject.data`` in the API's spelling, ``raw`` as written).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional

from gpulint.cost.values import arn_region, as_count, invalid_count, is_region, stated

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.cost.nodepools import NodePoolSelection
    from gpulint.diagnostics import Path
    from gpulint.load.loader import Source
    from gpulint.model.cluster import NodePool
    from gpulint.model.core import ModelObject
    from gpulint.model.project import Project
    from gpulint.model.sagemaker import AwsObject

DEFAULT_TRAINING_RUNTIME_S = 86400  # SageMaker's default MaxRuntimeInSeconds (one day)
EKSCTL_DEFAULT_COUNT = 2  # eksctl's DefaultNodeCount
EKSCTL_DEFAULT_TYPE = "m5.large"
#: requirement keys that name a NodePool's instance types, in the order a row points at them
KARPENTER_TYPE_KEYS = ("node.kubernetes.io/instance-type", "karpenter.k8s.aws/instance-family",
                       "karpenter.k8s.aws/instance-category")


@dataclass
class Resource:
    """Something that runs instances, as written in one document."""

    kind: str  # endpoint-variant, inference-component, training-job, transform-job, nodegroup, nodepool
    name: str
    source: "Source"
    doc_index: int
    path: "Path"
    instance_types: list[str]
    count_min: Optional[int] = None
    count_desired: Optional[int] = None
    count_max: Optional[int] = None
    #: NodePools: max nodes per instance type (limits divided by the type's size); None = unknown
    max_by_type: Optional[dict[str, Optional[int]]] = None
    unbounded: bool = False
    spot: bool = False
    component: str = "hosting"  # SageMaker price component: hosting, training, transform
    billing: str = "monthly"  # monthly | per-run | hourly | included | serverless
    runtime_hours: Optional[float] = None
    region: Optional[str] = None  # stated in the file
    count_from: str = ""
    notes: list[str] = field(default_factory=list)
    #: NodePools: what the requirements allow, and spec.limits
    selection: Optional["NodePoolSelection"] = None
    limits: Optional[dict] = None

    @property
    def file(self) -> str:
        return self.source.name

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


def collect_resources(project: "Project") -> list[Resource]:
    """Every costed resource of ``project``, in the order of its objects, joins applied."""
    return _Collector(project).collect()


class _Collector:
    """Resources from model objects, plus what joins them (scalable targets, endpoints)."""

    def __init__(self, project: "Project") -> None:
        self.project = project
        self.resources: list[Resource] = []
        self.targets: dict[str, tuple[Optional[int], Optional[int]]] = {}
        self.endpoints: dict[str, set[str]] = {}  # endpoint config name -> endpoint names
        self.variants: dict[tuple[str, str], Resource] = {}  # (config name, variant) -> row
        self.components: list[tuple[Resource, Optional[str], Optional[str]]] = []
        self.cluster_regions: dict[tuple[int, int], Optional[str]] = {}

    def collect(self) -> list[Resource]:
        handlers = self._handlers()
        for obj in self.project.objects:
            handler = handlers.get(type(obj))
            if handler is not None:
                handler(obj)
        return self._finish()

    def _handlers(self) -> dict[type, Callable[[Any], None]]:
        """What to do with each model class; a domain no document of the run belongs to is not
        loaded, and has no objects."""
        handlers: dict[type, Callable[[Any], None]] = {}
        cluster = sys.modules.get("gpulint.model.cluster")
        if cluster is not None:
            for config in self.project.of_type(cluster.ClusterConfig):
                region = stated(config.region)
                self.cluster_regions[(id(config.source), config.doc_index)] = \
                    region if region and is_region(region) else None  # else the usual default applies
            handlers[cluster.NodePool] = self._node_pool
        sagemaker = sys.modules.get("gpulint.model.sagemaker")
        if sagemaker is not None:
            handlers.update({
                sagemaker.EndpointConfig: self._endpoint_config,
                sagemaker.Endpoint: self._endpoint,
                sagemaker.ScalableTarget: self._scalable_target,
                sagemaker.TrainingJob: self._training_job,
                sagemaker.TransformJob: self._transform_job,
                sagemaker.InferenceComponent: self._inference_component,
            })
        return handlers

    def _add(self, obj: "ModelObject", **fields: Any) -> Resource:
        res = Resource(source=obj.source, doc_index=obj.doc_index, **fields)
        self.resources.append(res)
        return res

    # -- eksctl and Karpenter

    def _node_pool(self, pool: "NodePool") -> None:
        if pool.provider == "karpenter":
            self._karpenter(pool)
        elif pool.provider == "eks":
            self._eks_nodegroup(pool)
        else:
            self._nodegroup(pool)

    def _nodegroup(self, pool: "NodePool") -> None:
        managed = pool.group == "managedNodeGroups"
        types, path, notes = _nodegroup_types(pool, managed)
        lo, desired, hi = _eksctl_sizes(pool, managed)
        if lo is None or hi is None:
            notes.append("sizes are not whole numbers of zero or more")
        self._add(
            pool, kind="nodegroup", name=stated(pool.name) or f"{pool.base[0]}[{pool.base[1]}]", path=path,
            instance_types=types, count_min=lo, count_desired=desired, count_max=hi, spot=pool.spot_explicit,
            region=self.cluster_regions.get((id(pool.source), pool.doc_index)),
            count_from="minSize/desiredCapacity/maxSize", notes=notes,
        )

    def _eks_nodegroup(self, pool: "NodePool") -> None:
        """An ``AWS::EKS::Nodegroup``: its listed types and ``ScalingConfig`` sizes as written (EKS
        fills in no size gpulint can be sure of, so a missing one stays unknown)."""
        types = [str(t) for t in pool.possible_types or ()]
        notes = [] if types else ["instance types are not given, or come from a launch template or parameter"]
        raw = (pool.min_size, pool.desired, pool.max_size)
        lo, desired, hi = (as_count(v) for v in raw)
        if any(v is not None and as_count(v) is None for v in raw):
            notes.append("sizes are not whole numbers of zero or more")
        self._add(
            pool, kind="nodegroup", name=stated(pool.name) or pool.logical, path=pool.types_path,
            instance_types=types, count_min=lo, count_desired=desired, count_max=hi, spot=pool.spot_explicit,
            region=None, count_from="ScalingConfig MinSize/DesiredSize/MaxSize", notes=notes,
        )

    def _karpenter(self, pool: "NodePool") -> None:
        from gpulint.cost.nodepools import NodePoolSelection

        first = {}
        for r in pool.requirements:
            first.setdefault(r.key, r)
        path: "Path" = ("spec",)
        for key in KARPENTER_TYPE_KEYS:
            if key in first:
                path = first[key].path
                break
        cap = first.get("karpenter.sh/capacity-type")
        res = self._add(
            pool, kind="nodepool", name=stated(pool.name) or "NodePool", path=path, instance_types=[],
            count_min=0, spot=bool(cap and cap.operator == "In" and "spot" in cap.values),
            count_from="spec.limits", selection=NodePoolSelection.from_requirements(first.values()),
            limits=pool.limits or None,
        )
        if not pool.limits:
            res.unbounded = True
            res.notes.append("no spec.limits: Karpenter may add nodes until cloud quotas stop it")

    # -- SageMaker

    def _endpoint_config(self, obj: "AwsObject") -> None:
        name = _name(obj, "EndpointConfig")
        variants = obj.get("ProductionVariants")
        if not isinstance(variants, list):
            return
        for i, v in enumerate(variants):
            if isinstance(v, dict):
                self._variant(obj, name, i, v)

    def _variant(self, obj: "AwsObject", config: str, i: int, v: dict) -> None:
        vname = stated(v.get("VariantName")) or f"variant[{i}]"
        where = ("ProductionVariants", i)
        if v.get("ServerlessConfig") is not None:
            self._add(obj, kind="endpoint-variant", name=f"{config}/{vname}",
                      path=obj.at(*where, "ServerlessConfig"), instance_types=[], billing="serverless",
                      region=_region(obj), count_from="ServerlessConfig",
                      notes=["serverless: billed per request and compute time, not per instance-hour"])
            return
        pools = v.get("InstancePools")
        if isinstance(pools, list) and pools:
            types = [t for t in (p.get("InstanceType") for p in pools if isinstance(p, dict)) if stated(t)]
            path = obj.at(*where, "InstancePools")
        elif stated(v.get("InstanceType")):
            types = [v["InstanceType"]]
            path = obj.at(*where, "InstanceType")
        else:
            return
        initial = as_count(v.get("InitialInstanceCount"))
        lo = hi = initial
        count_from = "InitialInstanceCount"
        mis = v.get("ManagedInstanceScaling")
        if isinstance(mis, dict) and mis.get("Status") != "DISABLED":
            lo = _override(lo, mis.get("MinInstanceCount"))
            hi = _override(hi, mis.get("MaxInstanceCount"))
            count_from = "ManagedInstanceScaling"
        self.variants[(config, vname)] = self._add(
            obj, kind="endpoint-variant", name=f"{config}/{vname}", path=path, instance_types=types,
            count_min=lo, count_desired=initial, count_max=hi, region=_region(obj), count_from=count_from,
        )

    def _endpoint(self, obj: "AwsObject") -> None:
        ep, cfg = stated(obj.name), stated(obj.get("EndpointConfigName"))
        if ep and cfg:
            self.endpoints.setdefault(cfg, set()).add(ep)

    def _scalable_target(self, obj: "AwsObject") -> None:
        if obj.get("ServiceNamespace") not in (None, "sagemaker"):
            return
        rid = stated(obj.get("ResourceId"))
        lo_raw, hi_raw = obj.get("MinCapacity"), obj.get("MaxCapacity")
        if rid and (lo_raw is not None or hi_raw is not None):  # a scaling policy names the target but no range
            old_lo, old_hi = self.targets.get(rid, (None, None))
            self.targets[rid] = (_target_bound(lo_raw, old_lo), _target_bound(hi_raw, old_hi))

    def _training_job(self, obj: "AwsObject") -> None:
        name = _name(obj, "TrainingJob")
        rc = obj.get("ResourceConfig")
        if not isinstance(rc, dict):
            return
        raw_runtime = obj.get("StoppingCondition", "MaxRuntimeInSeconds")
        runtime = as_count(raw_runtime)
        hours: Optional[float] = (runtime or DEFAULT_TRAINING_RUNTIME_S) / 3600.0
        notes = [] if runtime else ["no MaxRuntimeInSeconds: SageMaker's default of one day"]
        if invalid_count(raw_runtime):
            hours, notes = None, ["MaxRuntimeInSeconds is not a whole number of seconds: the cost of a run "
                                  "is not known"]
        parts: list[tuple[str, Optional[int], "Path", str]] = []
        groups = rc.get("InstanceGroups")
        if isinstance(groups, list) and groups:
            for i, g in enumerate(groups):
                if isinstance(g, dict) and stated(g.get("InstanceType")):
                    gname = stated(g.get("InstanceGroupName")) or f"group[{i}]"
                    parts.append((g["InstanceType"], as_count(g.get("InstanceCount")),
                                  obj.at("ResourceConfig", "InstanceGroups", i, "InstanceType"), f"{name}/{gname}"))
        elif stated(rc.get("InstanceType")):
            parts.append((rc["InstanceType"], as_count(rc.get("InstanceCount")),
                          obj.at("ResourceConfig", "InstanceType"), name))
        for itype, count, path, rname in parts:
            self._add(obj, kind="training-job", name=rname, path=path, instance_types=[itype], count_min=count,
                      count_desired=count, count_max=count, spot=obj.get("EnableManagedSpotTraining") is True,
                      component="training", billing="per-run",
                      runtime_hours=hours, region=_region(obj),
                      count_from="InstanceCount", notes=list(notes))

    def _transform_job(self, obj: "AwsObject") -> None:
        tr = obj.get("TransformResources")
        if not isinstance(tr, dict) or not stated(tr.get("InstanceType")):
            return
        count = as_count(tr.get("InstanceCount"))
        self._add(obj, kind="transform-job", name=_name(obj, "TransformJob"),
                  path=obj.at("TransformResources", "InstanceType"), instance_types=[tr["InstanceType"]],
                  count_min=count, count_desired=count, count_max=count, component="transform", billing="hourly",
                  region=_region(obj), count_from="InstanceCount",
                  notes=["billed while the job runs; the request sets no runtime bound"])

    def _inference_component(self, obj: "AwsObject") -> None:
        rt = obj.get("RuntimeConfig")
        copies = as_count(rt.get("CopyCount")) if isinstance(rt, dict) else None
        res = self._add(obj, kind="inference-component", name=_name(obj, "InferenceComponent"),
                        path=obj.at("RuntimeConfig") if isinstance(rt, dict) else obj.base, instance_types=[],
                        count_min=copies, count_desired=copies, count_max=copies, billing="included",
                        region=_region(obj), count_from="RuntimeConfig.CopyCount")
        self.components.append((res, stated(obj.get("EndpointName")), stated(obj.get("VariantName"))))

    # -- joins

    def _finish(self) -> list[Resource]:
        for (cfg, vname), res in self.variants.items():
            for ep in sorted(self.endpoints.get(cfg, set()) | {cfg}):
                target = self.targets.get(f"endpoint/{ep}/variant/{vname}")
                if target:
                    lo, hi = target
                    res.count_min = _joined(lo, res.count_min)
                    res.count_max = _joined(hi, res.count_max)
                    res.count_from = f"scalable target endpoint/{ep}/variant/{vname}"
                    break
        for res, ep, vname in self.components:
            target = self.targets.get(f"inference-component/{res.name}")
            if target:
                lo, hi = target
                res.count_min = _joined(lo, res.count_min)
                res.count_max = _joined(hi, res.count_max)
                res.count_from = f"scalable target inference-component/{res.name}"
            host = self._variant_for(ep, vname)
            if host is not None:
                res.instance_types = list(host.instance_types)
                res.notes.append(f"copies run on {host.label}, costed there")
            else:
                res.notes.append("copies run on their endpoint's instances, costed on the variant's row")
        return self.resources

    def _variant_for(self, endpoint: Optional[str], variant: Optional[str]) -> Optional[Resource]:
        if not endpoint:
            return None
        configs = {cfg for cfg, eps in self.endpoints.items() if endpoint in eps} | {endpoint}
        for (cfg, vname), res in self.variants.items():
            if cfg in configs and (variant is None or vname == variant):
                return res
        return None


#: a scalable target's capacity that is written but is no count (negative, a placeholder): the
#: variant's range is then unknown, never its InitialInstanceCount's
INVALID = -1


def _target_bound(raw: Any, old: Optional[int]) -> Optional[int]:
    if raw is None:
        return old
    count = as_count(raw)
    return INVALID if count is None else count


def _joined(bound: Optional[int], own: Optional[int]) -> Optional[int]:
    """A count after a scalable target's bound: the bound, the resource's own when the target states
    none, None when the target states one that is no count."""
    if bound is None:
        return own
    return None if bound == INVALID else bound


def _override(own: Optional[int], raw: Any) -> Optional[int]:
    """A count after ManagedInstanceScaling's member ``raw``: unknown when written but no count."""
    if raw is None:
        return own
    return as_count(raw)


def _name(obj: "AwsObject", default: str) -> str:
    """A SageMaker resource's name; a CloudFormation resource that names none goes by its logical ID,
    a Terraform one by its address."""
    name = stated(obj.name)
    if name:
        return name
    if obj.form == "terraform":
        doc = next((d for d in obj.source.documents if d.index == obj.doc_index), None)
        return (doc.label if doc is not None else None) or default
    return str(obj.base[1]) if obj.form == "cloudformation" else default


def _region(obj: "AwsObject") -> Optional[str]:
    """The region a SageMaker document states about itself: ACK status metadata, or an ARN among its members."""
    return stated(obj.region) if obj.form in ("ack", "operator") else arn_region(obj.raw)


def _nodegroup_types(pool: "NodePool", managed: bool) -> tuple[list[str], "Path", list[str]]:
    """(instance types, where they are named, notes) of an eksctl nodegroup."""
    base = pool.base

    def named_in(step: str) -> list[Any]:
        return [r.name for r in pool.instance_refs if r.path[len(base):len(base) + 1] == (step,)]

    listed, distributed, single = named_in("instanceTypes"), named_in("instancesDistribution"), named_in("instanceType")
    if managed and listed:
        return [t for t in listed if stated(t)], base + ("instanceTypes",), []
    if distributed:
        return [t for t in distributed if stated(t)], base + ("instancesDistribution", "instanceTypes"), []
    if single and stated(single[0]):
        return [single[0]], base + ("instanceType",), []
    if listed:  # a self-managed group has no instanceTypes of its own, but the model reads them as its types
        return [t for t in listed if stated(t)], base + ("instanceTypes",), []
    if not pool.instance_refs and pool.possible_types == (EKSCTL_DEFAULT_TYPE,):
        return [EKSCTL_DEFAULT_TYPE], base, [f"no instance type given: eksctl's default {EKSCTL_DEFAULT_TYPE}"]
    if not pool.instance_refs and pool.possible_types is None:
        return [], base, ["instance types are chosen at create time (instanceSelector or launch template)"]
    return [], base, []


def _eksctl_sizes(pool: "NodePool", managed: bool) -> tuple[Optional[int], Optional[int], Optional[int]]:
    """(min, desired, max) with eksctl's own defaults for what is left out; all None when a size is
    not a plain integer (a placeholder)."""
    raw = (pool.min_size, pool.desired, pool.max_size)
    if any(v is not None and as_count(v) is None for v in raw):
        return None, None, None
    given_lo, desired, given_hi = (as_count(v) for v in raw)
    lo = given_lo if given_lo is not None else (desired if desired is not None else EKSCTL_DEFAULT_COUNT)
    hi = given_hi if given_hi is not None else (desired if desired is not None else lo)
    if managed and hi == 0 and given_hi is None:
        hi = 1
    return lo, desired, hi
