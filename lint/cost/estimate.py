"""Cost estimates: what the instances named in a repository cost per month.

``gpulint cost`` reads the same files as a lint run and finds every costed
resource: SageMaker endpoint variants (with their instance pools), inference
components, training and transform jobs, eksctl node groups and Karpenter
NodePools. Each gets an instance count range (min / initial or desired / max)
from the file and from Application Auto Scaling targets in the linted set, a
price per instance-hour from :mod:`gpulint.cost.pricing`, and a monthly cost at min
and at max capacity (730 hours a month).

How a range is bounded:

- node groups and endpoint variants that allow several instance types cost the
  cheapest type at the minimum count and the dearest at the maximum;
- a Karpenter NodePool costs nothing at its minimum (Karpenter scales to zero)
  and, at its maximum, the most any allowed type can cost within
  ``spec.limits`` (``nodes``, or ``cpu`` / ``memory`` / accelerators when the
  instance catalog knows the type). A pool without limits is *unbounded* and
  is listed as such, outside the totals;
- a training job costs one run at ``MaxRuntimeInSeconds`` (default one day);
  the totals count it once a month. A transform job has no runtime bound, so
  only its hourly cost is shown;
- an inference component runs on its endpoint variant's instances, which are
  costed on the variant's row; its own row shows the copy counts only.

Nothing here imports boto3 unless live prices are asked for.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import TYPE_CHECKING, Any, Iterable, Optional, TextIO

from gpulint.cost.pricing import HOURS_PER_MONTH, Prices, Quote, SpotQuote, default_region
from dataclasses import dataclass, field

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.config import Config
    from gpulint.diagnostics import Path
    from gpulint.load import Source

DEFAULT_TRAINING_RUNTIME_S = 86400  # SageMaker's default MaxRuntimeInSeconds (one day)

# --------------------------------------------------------------------------- raw-document helpers


def _key(d: Any, name: str) -> Optional[str]:
    """The actual key in ``d`` that spells ``name`` in any case (API PascalCase, ACK camelCase)."""
    from gpulint.model.sagemaker import _match_key

    return _match_key(d, name) if isinstance(d, dict) else None


def _get(d: Any, name: str, default: Any = None) -> Any:
    k = _key(d, name)
    return d[k] if k is not None else default


def _int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value and not _placeholder(value) else None


def _placeholder(value: Any) -> bool:
    from gpulint.model.core import is_placeholder

    return is_placeholder(value)


_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-gov)?-[a-z]+-\d):")


def _region_in(data: Any) -> Optional[str]:
    """A region a document states about itself: an ARN among its top-level values, or ACK status metadata."""
    if not isinstance(data, dict):
        return None
    ack = _get(_get(data, "status") or {}, "ackResourceMetadata") or {}
    region = _str(_get(ack, "region"))
    if region:
        return region
    for value in data.values():
        if isinstance(value, str):
            m = _ARN_REGION.match(value)
            if m:
                return m.group(1)
    return None


# --------------------------------------------------------------------------- resources


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
    billing: str = "monthly"  # monthly | per-run | hourly | included
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


@dataclass
class Row:
    resource: Resource
    region: str
    region_from: str
    quotes: dict[str, Optional[Quote]]
    spot: dict[str, Optional[SpotQuote]]
    spot_reason: str = ""
    line: int = 0
    column: int = 0

    @property
    def priced(self) -> dict[str, Quote]:
        return {t: q for t, q in self.quotes.items() if q is not None}

    @property
    def missing(self) -> list[str]:
        return [t for t, q in self.quotes.items() if q is None]

    @property
    def hourly_low(self) -> Optional[float]:
        p = self.priced
        return min(q.hourly for q in p.values()) if p else None

    @property
    def hourly_high(self) -> Optional[float]:
        p = self.priced
        return max(q.hourly for q in p.values()) if p else None

    def _cost(self, count: Optional[int], price: Optional[float], hours: float) -> Optional[float]:
        if count is None or price is None:
            return None
        return round(count * price * hours, 2)

    @property
    def cost_min(self) -> Optional[float]:
        r = self.resource
        if r.billing == "monthly":
            return self._cost(r.count_min, self.hourly_low, HOURS_PER_MONTH)
        if r.billing == "per-run":
            return self.cost_max
        return None

    @property
    def cost_max(self) -> Optional[float]:
        r = self.resource
        if r.billing == "monthly":
            if r.unbounded:
                return None
            if r.max_by_type is not None:
                # types whose node count the limits cannot bound (no size in the catalog) are named in
                # the notes and left out of the maximum
                options = [n * q.hourly * HOURS_PER_MONTH for t, q in self.priced.items()
                           if (n := r.max_by_type.get(t)) is not None]
                return round(max(options), 2) if options else None
            return self._cost(r.count_max, self.hourly_high, HOURS_PER_MONTH)
        if r.billing == "per-run":
            return self._cost(r.count_max, self.hourly_high, r.runtime_hours or 0.0)
        return None

    @property
    def max_fill(self) -> Optional[tuple[str, int]]:
        """For a NodePool bounded by ``spec.limits``: the instance type and node count that
        cost the most within the limits (what MONTH AT MAX is made of)."""
        r = self.resource
        if r.max_by_type is None or r.unbounded:
            return None
        options = [(n * q.hourly, t, n) for t, q in self.priced.items() if (n := r.max_by_type.get(t)) is not None]
        if not options:
            return None
        _, t, n = max(options, key=lambda o: (o[0], o[1]))
        return t, n

    @property
    def hourly_at_max(self) -> Optional[float]:
        r = self.resource
        if r.billing in ("included", "serverless"):
            return None
        if r.max_by_type is not None:
            vals = [(r.max_by_type.get(t) or 0) * q.hourly for t, q in self.priced.items()
                    if r.max_by_type.get(t) is not None]
            return round(max(vals), 4) if vals else None
        if r.count_max is None or self.hourly_high is None:
            return None
        return round(r.count_max * self.hourly_high, 4)


# --------------------------------------------------------------------------- extraction

_SIZE_MIN_DEFAULT = 2  # eksctl DefaultNodeCount


class _Collector:
    """Resources from documents, plus what joins them (scalable targets, endpoints)."""

    def __init__(self) -> None:
        self.resources: list[Resource] = []
        self.targets: dict[str, tuple[Optional[int], Optional[int]]] = {}
        self.endpoints: dict[str, set[str]] = {}  # endpoint config name -> endpoint names
        self.variants: dict[tuple[str, str], Resource] = {}  # (config name, variant) -> row
        self.components: list[tuple[Resource, Optional[str], Optional[str]]] = []

    # -- dispatch

    def add_document(self, source: "Source", doc_index: int, data: Any) -> None:
        if not isinstance(data, dict):
            return
        api = data.get("apiVersion") if isinstance(data.get("apiVersion"), str) else ""
        kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
        if api.startswith("eksctl.io/") and kind == "ClusterConfig":
            self._eksctl(source, doc_index, data)
        elif api.startswith("karpenter.sh/") and kind == "NodePool":
            self._nodepool(source, doc_index, data)
        elif api.startswith("sagemaker.services.k8s.aws/"):
            spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
            name = _str(_get(data.get("metadata") or {}, "name"))
            region = _region_in(data)
            base = ("spec",)
            if kind == "EndpointConfig":
                self._endpoint_config(source, doc_index, spec, base, name, region)
            elif kind == "Endpoint":
                self._endpoint(spec, name)
            elif kind == "TrainingJob":
                self._training_job(source, doc_index, spec, base, name, region)
            elif kind == "TransformJob":
                self._transform_job(source, doc_index, spec, base, name, region)
            elif kind == "InferenceComponent":
                self._inference_component(source, doc_index, spec, base, name, region)
        elif api.startswith("applicationautoscaling.services.k8s.aws/") and kind == "ScalableTarget":
            spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
            self._scalable_target(spec)
        elif not api and not kind:
            self._api_document(source, doc_index, data)

    def _api_document(self, source: "Source", doc_index: int, data: dict) -> None:
        region = _region_in(data)
        if isinstance(_get(data, "ScalableTargets"), list):  # describe_scalable_targets
            for t in _get(data, "ScalableTargets"):
                self._scalable_target(t)
            return
        if isinstance(_get(data, "ProductionVariants"), list):
            name = _str(_get(data, "EndpointConfigName"))
            self._endpoint_config(source, doc_index, data, (), name, region)
            if _str(_get(data, "EndpointName")):  # describe_endpoint carries both
                self._endpoint(data, None)
        elif _str(_get(data, "EndpointConfigName")) and _str(_get(data, "EndpointName")):
            self._endpoint(data, None)
        elif _get(data, "ServiceNamespace") == "sagemaker" and _get(data, "ResourceId") is not None:
            self._scalable_target(data)
        elif isinstance(_get(data, "ResourceConfig"), dict):
            self._training_job(source, doc_index, data, (), _str(_get(data, "TrainingJobName")), region)
        elif isinstance(_get(data, "TransformResources"), dict):
            self._transform_job(source, doc_index, data, (), _str(_get(data, "TransformJobName")), region)
        elif _str(_get(data, "InferenceComponentName")) and _get(data, "EndpointName") is not None:
            self._inference_component(source, doc_index, data, (), _str(_get(data, "InferenceComponentName")),
                                      region)

    # -- eksctl

    def _eksctl(self, source: "Source", doc_index: int, data: dict) -> None:
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        region = _str(meta.get("region"))
        if region and not _REGION.match(region):
            region = None  # e.g. PLACEHOLDER_AWS_REGION: not a region, so the usual default applies
        for group_key, managed in (("nodeGroups", False), ("managedNodeGroups", True)):
            groups = data.get(group_key)
            if not isinstance(groups, list):
                continue
            for i, ng in enumerate(groups):
                if isinstance(ng, dict):
                    self._nodegroup(source, doc_index, ng, (group_key, i), managed, region)

    def _nodegroup(self, source: "Source", doc_index: int, ng: dict, base: tuple, managed: bool,
                   region: Optional[str]) -> None:
        name = _str(ng.get("name")) or f"{base[0]}[{base[1]}]"
        notes: list[str] = []
        dist = ng.get("instancesDistribution") if isinstance(ng.get("instancesDistribution"), dict) else None
        types: list[str] = []
        path = base
        spot = False
        if managed and isinstance(ng.get("instanceTypes"), list):
            types = [t for t in ng["instanceTypes"] if _str(t)]
            path = base + ("instanceTypes",)
        elif dist is not None and isinstance(dist.get("instanceTypes"), list):
            types = [t for t in dist["instanceTypes"] if _str(t)]
            path = base + ("instancesDistribution", "instanceTypes")
        elif _str(ng.get("instanceType")) and ng.get("instanceType") != "mixed":
            types = [ng["instanceType"]]
            path = base + ("instanceType",)
        elif ng.get("instanceSelector") is not None:
            notes.append("instance types are chosen by instanceSelector at create time")
        elif ng.get("instanceType") is None:
            types = ["m5.large"]  # eksctl's default node type
            notes.append("no instance type given: eksctl's default m5.large")
        if managed:
            spot = ng.get("spot") is True
        elif dist is not None:
            pct = _int(dist.get("onDemandPercentageAboveBaseCapacity"))
            spot = pct is not None and pct < 100
        lo, desired, hi = _eksctl_sizes(ng, managed)
        if lo is None or hi is None:
            notes.append("sizes are not plain integers")
        self.resources.append(Resource(
            kind="nodegroup", name=name, source=source, doc_index=doc_index, path=path,
            instance_types=types, count_min=lo, count_desired=desired, count_max=hi, spot=spot,
            region=region, count_from="minSize/desiredCapacity/maxSize", notes=notes,
        ))

    # -- Karpenter

    def _nodepool(self, source: "Source", doc_index: int, data: dict) -> None:
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        name = _str(meta.get("name")) or "NodePool"
        spec = data.get("spec") if isinstance(data.get("spec"), dict) else {}
        tspec = ((spec.get("template") or {}).get("spec") or {}) if isinstance(spec.get("template"), dict) else {}
        reqs = tspec.get("requirements") if isinstance(tspec, dict) else None
        reqs = reqs if isinstance(reqs, list) else []
        by_key: dict[str, dict] = {}
        req_index: dict[str, int] = {}
        for i, r in enumerate(reqs):
            if isinstance(r, dict) and isinstance(r.get("key"), str):
                by_key.setdefault(r["key"], r)
                req_index.setdefault(r["key"], i)
        selection = NodePoolSelection.from_requirements(by_key)
        path: tuple = ("spec",)
        for key in ("node.kubernetes.io/instance-type", "karpenter.k8s.aws/instance-family",
                    "karpenter.k8s.aws/instance-category"):
            if key in req_index:
                path = ("spec", "template", "spec", "requirements", req_index[key])
                break
        limits = spec.get("limits") if isinstance(spec.get("limits"), dict) else None
        cap = by_key.get("karpenter.sh/capacity-type")
        spot = bool(cap and cap.get("operator") == "In" and "spot" in (cap.get("values") or []))
        res = Resource(
            kind="nodepool", name=name, source=source, doc_index=doc_index, path=path,
            instance_types=[], count_min=0, spot=spot, count_from="spec.limits", selection=selection,
            limits=limits,
        )
        if not limits:
            res.unbounded = True
            res.notes.append("no spec.limits: Karpenter may add nodes until cloud quotas stop it")
        self.resources.append(res)

    # -- SageMaker

    def _endpoint_config(self, source: "Source", doc_index: int, data: dict, base: tuple, name: Optional[str],
                         region: Optional[str]) -> None:
        name = _str(_get(data, "EndpointConfigName")) or name or "EndpointConfig"
        vkey = _key(data, "ProductionVariants")
        variants = data.get(vkey) if vkey else None
        if not isinstance(variants, list):
            return
        for i, v in enumerate(variants):
            if not isinstance(v, dict):
                continue
            vname = _str(_get(v, "VariantName")) or f"variant[{i}]"
            vpath = base + (vkey, i)
            notes: list[str] = []
            if _get(v, "ServerlessConfig") is not None:
                self.resources.append(Resource(
                    kind="endpoint-variant", name=f"{name}/{vname}", source=source, doc_index=doc_index,
                    path=vpath + (_key(v, "ServerlessConfig"),), instance_types=[], billing="serverless",
                    region=region, count_from="ServerlessConfig",
                    notes=["serverless: billed per request and compute time, not per instance-hour"],
                ))
                continue
            types: list[str] = []
            pools_key = _key(v, "InstancePools")
            pools = v.get(pools_key) if pools_key else None
            if isinstance(pools, list) and pools:
                types = [t for t in (_get(p, "InstanceType") for p in pools if isinstance(p, dict)) if _str(t)]
                path = vpath + (pools_key,)
            elif _str(_get(v, "InstanceType")):
                types = [_get(v, "InstanceType")]
                path = vpath + (_key(v, "InstanceType"),)
            else:
                continue
            initial = _int(_get(v, "InitialInstanceCount"))
            mis = _get(v, "ManagedInstanceScaling")
            lo = hi = initial
            count_from = "InitialInstanceCount"
            if isinstance(mis, dict) and _get(mis, "Status") != "DISABLED":
                if _int(_get(mis, "MinInstanceCount")) is not None:
                    lo = _int(_get(mis, "MinInstanceCount"))
                if _int(_get(mis, "MaxInstanceCount")) is not None:
                    hi = _int(_get(mis, "MaxInstanceCount"))
                count_from = "ManagedInstanceScaling"
            res = Resource(
                kind="endpoint-variant", name=f"{name}/{vname}", source=source, doc_index=doc_index, path=path,
                instance_types=types, count_min=lo, count_desired=initial, count_max=hi, region=region,
                count_from=count_from, notes=notes,
            )
            self.resources.append(res)
            self.variants[(name, vname)] = res

    def _endpoint(self, data: dict, name: Optional[str]) -> None:
        ep = _str(_get(data, "EndpointName")) or name
        cfg = _str(_get(data, "EndpointConfigName"))
        if ep and cfg:
            self.endpoints.setdefault(cfg, set()).add(ep)

    def _scalable_target(self, data: Any) -> None:
        if not isinstance(data, dict):
            return
        ns = _get(data, "ServiceNamespace")
        if ns not in (None, "sagemaker"):
            return
        rid = _str(_get(data, "ResourceId"))
        lo, hi = _int(_get(data, "MinCapacity")), _int(_get(data, "MaxCapacity"))
        if rid and (lo is not None or hi is not None):  # a scaling policy names the target but no range
            old_lo, old_hi = self.targets.get(rid, (None, None))
            self.targets[rid] = (lo if lo is not None else old_lo, hi if hi is not None else old_hi)

    def _training_job(self, source: "Source", doc_index: int, data: dict, base: tuple, name: Optional[str],
                      region: Optional[str]) -> None:
        name = _str(_get(data, "TrainingJobName")) or name or "TrainingJob"
        rkey = _key(data, "ResourceConfig")
        rc = data.get(rkey) if rkey else None
        if not isinstance(rc, dict):
            return
        spot = _get(data, "EnableManagedSpotTraining") is True
        stop = _get(data, "StoppingCondition")
        runtime = _int(_get(stop, "MaxRuntimeInSeconds")) if isinstance(stop, dict) else None
        notes = [] if runtime else ["no MaxRuntimeInSeconds: SageMaker's default of one day"]
        hours = (runtime or DEFAULT_TRAINING_RUNTIME_S) / 3600.0
        groups_key = _key(rc, "InstanceGroups")
        groups = rc.get(groups_key) if groups_key else None
        parts: list[tuple[str, Optional[int], tuple, str]] = []
        if isinstance(groups, list) and groups:
            for i, g in enumerate(groups):
                if isinstance(g, dict) and _str(_get(g, "InstanceType")):
                    gname = _str(_get(g, "InstanceGroupName")) or f"group[{i}]"
                    parts.append((_get(g, "InstanceType"), _int(_get(g, "InstanceCount")),
                                  base + (rkey, groups_key, i, _key(g, "InstanceType")), f"{name}/{gname}"))
        elif _str(_get(rc, "InstanceType")):
            parts.append((_get(rc, "InstanceType"), _int(_get(rc, "InstanceCount")),
                          base + (rkey, _key(rc, "InstanceType")), name))
        for itype, count, path, rname in parts:
            self.resources.append(Resource(
                kind="training-job", name=rname, source=source, doc_index=doc_index, path=path,
                instance_types=[itype], count_min=count, count_desired=count, count_max=count, spot=spot,
                component="training", billing="per-run", runtime_hours=hours, region=region,
                count_from="InstanceCount", notes=list(notes),
            ))

    def _transform_job(self, source: "Source", doc_index: int, data: dict, base: tuple, name: Optional[str],
                       region: Optional[str]) -> None:
        name = _str(_get(data, "TransformJobName")) or name or "TransformJob"
        tkey = _key(data, "TransformResources")
        tr = data.get(tkey) if tkey else None
        if not isinstance(tr, dict) or not _str(_get(tr, "InstanceType")):
            return
        count = _int(_get(tr, "InstanceCount"))
        self.resources.append(Resource(
            kind="transform-job", name=name, source=source, doc_index=doc_index,
            path=base + (tkey, _key(tr, "InstanceType")), instance_types=[_get(tr, "InstanceType")],
            count_min=count, count_desired=count, count_max=count, component="transform", billing="hourly",
            region=region, count_from="InstanceCount",
            notes=["billed while the job runs; the request sets no runtime bound"],
        ))

    def _inference_component(self, source: "Source", doc_index: int, data: dict, base: tuple,
                             name: Optional[str], region: Optional[str]) -> None:
        name = _str(_get(data, "InferenceComponentName")) or name or "InferenceComponent"
        rt = _get(data, "RuntimeConfig")
        copies = _int(_get(rt, "CopyCount")) if isinstance(rt, dict) else None
        path = base + ((_key(data, "RuntimeConfig"),) if isinstance(rt, dict) else ())
        res = Resource(
            kind="inference-component", name=name, source=source, doc_index=doc_index, path=path,
            instance_types=[], count_min=copies, count_desired=copies, count_max=copies, billing="included",
            region=region, count_from="RuntimeConfig.CopyCount",
        )
        self.resources.append(res)
        self.components.append((res, _str(_get(data, "EndpointName")), _str(_get(data, "VariantName"))))

    # -- joins

    def finish(self) -> list[Resource]:
        for (cfg, vname), res in self.variants.items():
            names = set(self.endpoints.get(cfg, set())) | {cfg}
            for ep in sorted(names):
                target = self.targets.get(f"endpoint/{ep}/variant/{vname}")
                if target:
                    lo, hi = target
                    if lo is not None:
                        res.count_min = lo
                    if hi is not None:
                        res.count_max = hi
                    res.count_from = f"scalable target endpoint/{ep}/variant/{vname}"
                    break
        for res, ep, vname in self.components:
            target = self.targets.get(f"inference-component/{res.name}")
            if target:
                lo, hi = target
                res.count_min = lo if lo is not None else res.count_min
                res.count_max = hi if hi is not None else res.count_max
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


def _short_list(names: list[str], n: int = 4) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


_REGION = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+$")


def _eksctl_sizes(ng: dict, managed: bool) -> tuple[Optional[int], Optional[int], Optional[int]]:
    """(min, desired, max) with eksctl's own defaults for what is left out."""
    raw = {k: ng.get(k) for k in ("minSize", "desiredCapacity", "maxSize")}
    vals = {k: _int(v) for k, v in raw.items()}
    for k, v in raw.items():
        if v is not None and vals[k] is None:
            return None, None, None
    desired = vals["desiredCapacity"]
    lo = vals["minSize"] if vals["minSize"] is not None else (desired if desired is not None else _SIZE_MIN_DEFAULT)
    hi = vals["maxSize"] if vals["maxSize"] is not None else (desired if desired is not None else lo)
    if managed and hi == 0 and vals["maxSize"] is None:
        hi = 1
    return lo, desired, hi


# --------------------------------------------------------------------------- Karpenter selection


_QUANTITY = re.compile(r"^([0-9.]+)(m|k|M|G|T|P|Ki|Mi|Gi|Ti|Pi)?$")
_MULT = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
         "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50}


def parse_quantity(value: Any) -> Optional[float]:
    """A Kubernetes quantity as a number (``100m`` -> 0.1, ``64Gi`` -> bytes)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        m = _QUANTITY.match(value.strip())
        if m:
            try:
                return float(m.group(1)) * _MULT[m.group(2)]
            except ValueError:
                return None
    return None


def _family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def _category(family: str) -> str:
    m = re.match(r"[a-z]+", family)
    return m.group(0) if m else family


@dataclass
class NodePoolSelection:
    """The instance types a NodePool's requirements allow, as far as names tell."""

    types: Optional[list[str]] = None  # explicit instance-type In list
    families: Optional[set[str]] = None
    categories: Optional[set[str]] = None
    sizes: Optional[set[str]] = None
    excluded: set[str] = field(default_factory=set)
    other_filters: list[str] = field(default_factory=list)
    #: GPU requirements checked against the instance catalog: key -> requirement
    gpu: dict[str, dict] = field(default_factory=dict)
    #: every requirement, for the cluster model's resolver of Karpenter labels
    raw: list[dict] = field(default_factory=list)

    @classmethod
    def from_requirements(cls, by_key: dict[str, dict]) -> "NodePoolSelection":
        sel = cls()
        sel.raw = list(by_key.values())

        def values(key: str) -> Optional[list[str]]:
            r = by_key.get(key)
            if not r or r.get("operator") != "In" or not isinstance(r.get("values"), list):
                return None
            return [v for v in r["values"] if isinstance(v, str)]

        sel.types = values("node.kubernetes.io/instance-type")
        fam = values("karpenter.k8s.aws/instance-family")
        sel.families = set(fam) if fam is not None else None
        cat = values("karpenter.k8s.aws/instance-category")
        sel.categories = set(cat) if cat is not None else None
        size = values("karpenter.k8s.aws/instance-size")
        sel.sizes = set(size) if size is not None else None
        r = by_key.get("node.kubernetes.io/instance-type")
        if r and r.get("operator") == "NotIn" and isinstance(r.get("values"), list):
            sel.excluded = {v for v in r["values"] if isinstance(v, str)}
        for key in ("karpenter.k8s.aws/instance-gpu-count", "karpenter.k8s.aws/instance-gpu-name"):
            if key in by_key:
                sel.gpu[key] = by_key[key]
        applied = set(_resolver_keys()) | {"karpenter.k8s.aws/instance-family", "karpenter.k8s.aws/instance-category",
                                           "karpenter.k8s.aws/instance-size"}
        for key in by_key:
            if key in sel.gpu or key in applied:
                continue
            if key.startswith("karpenter.k8s.aws/instance-"):
                sel.other_filters.append(key)
        return sel

    def resolve(self, known: Iterable[str]) -> Optional[list[str]]:
        """The allowed types among ``known`` (priced) names; None when names cannot tell."""
        if self.types is not None:
            return [t for t in self.types if t not in self.excluded]
        if self.families is None and self.categories is None and not self.gpu:
            return None
        out = []
        for t in sorted(known):
            fam = _family(t)
            if self.families is not None and fam not in self.families:
                continue
            if self.categories is not None and _category(fam) not in self.categories:
                continue
            if self.sizes is not None and t.split(".", 1)[-1] not in self.sizes:
                continue
            if t in self.excluded:
                continue
            if self.gpu and not _gpu_matches(t, self.gpu):
                continue
            out.append(t)
        return _cluster_filter(out, self.raw)


def _resolver_keys() -> tuple[str, ...]:
    """Requirement keys the cluster model computes for a type from the instance catalog."""
    try:
        from gpulint.model.cluster import KARPENTER_TYPE_LABELS
    except ImportError:  # pragma: no cover - the cluster model ships with gpulint
        return ()
    return tuple(KARPENTER_TYPE_LABELS)


def _cluster_filter(types: list[str], raw: list[dict]) -> list[str]:
    """Drop the types that the cluster model's Karpenter resolver rules out (generation, arch, cpu, ...).

    A type the instance catalog does not know is kept: nothing rules it out.
    """
    if not types or not raw:
        return types
    try:
        from gpulint.model import catalog
        from gpulint.model.cluster import Requirement, karpenter_candidates

        reqs = [Requirement(r["key"], r.get("operator") if isinstance(r.get("operator"), str) else "In",
                            list(r.get("values") or []), ()) for r in raw if isinstance(r.get("key"), str)]
        candidates = karpenter_candidates(reqs)
    except Exception:  # noqa: BLE001 - the resolver is a refinement; without it the names decide
        return types
    if candidates is None:
        return types
    keep = set(candidates)
    return [t for t in types if t in keep or not catalog.is_known(t)]


def _gpu_matches(instance_type: str, reqs: dict[str, dict]) -> bool:
    """Whether the catalog's GPU count and name for a type meet Karpenter GPU requirements."""
    from gpulint.model import catalog

    info = catalog.get(instance_type)
    if info is None:
        return False
    for key, req in reqs.items():
        op = req.get("operator")
        values = [str(v) for v in (req.get("values") or [])]
        if key.endswith("gpu-count"):
            n = info.accelerator_count("nvidia.com/gpu")
            if n is None:
                return False
            actual: Any = n
        else:
            gpu = info.gpu
            actual = (gpu.model or "").lower() if gpu is not None and gpu.model else None
        if op == "Exists":
            if not actual:
                return False
        elif op == "DoesNotExist":
            if actual:
                return False
        elif op in ("In", "NotIn"):
            hit = actual is not None and str(actual).lower() in {v.lower() for v in values}
            if hit != (op == "In"):
                return False
        elif op in ("Gt", "Lt", "Gte", "Lte") and key.endswith("gpu-count"):
            try:
                bound = int(values[0])
            except (IndexError, ValueError):
                return False
            if not {"Gt": actual > bound, "Lt": actual < bound, "Gte": actual >= bound,
                    "Lte": actual <= bound}[op]:
                return False
        else:
            return False
    return True


def _node_shape(instance_type: str) -> Optional[dict[str, float]]:
    """vCPUs, memory (bytes) and accelerator devices per node of a type, from the instance catalog.

    Keys are the names ``spec.limits`` uses (``cpu``, ``memory``, extended resources).
    A key is absent when the catalog does not know that figure.
    """
    try:
        from gpulint.model import catalog
    except ImportError:  # pragma: no cover - the catalog ships with gpulint
        return None
    info = catalog.get(instance_type)
    if info is None:
        return None
    shape: dict[str, float] = {}
    if info.vcpus:
        shape["cpu"] = float(info.vcpus)
    if info.memory_mib:
        shape["memory"] = float(info.memory_mib) * 2**20
    for resource in ("nvidia.com/gpu", "aws.amazon.com/neuron", "aws.amazon.com/neuroncore"):
        n = info.accelerator_count(resource)
        if n is not None:
            shape[resource] = float(n)
    return shape


def _nodes_within(limits: dict, instance_type: str) -> Optional[int]:
    """How many nodes of a type fit in ``spec.limits``; None when that cannot be told."""
    bounds: list[int] = []
    nodes = _int(limits.get("nodes"))
    if nodes is not None:
        bounds.append(nodes)
    other = {k: v for k, v in limits.items() if k != "nodes"}
    if other:
        shape = _node_shape(instance_type)
        for key, raw in other.items():
            limit = parse_quantity(raw)
            if limit is None:
                continue
            if shape is None:
                continue
            per_node = shape.get(key)
            if per_node is None or per_node <= 0:
                continue  # unknown, or the type has none of it: this limit does not bound it
            else:
                bounds.append(int(math.floor(limit / per_node + 1e-9)))
    return min(bounds) if bounds else None


# --------------------------------------------------------------------------- the estimate


@dataclass
class Estimate:
    rows: list[Row]
    prices: Prices
    notes: list[str] = field(default_factory=list)
    budget: Optional[float] = None

    def _bounded(self) -> list[Row]:
        return [r for r in self.rows if r.resource.billing in ("monthly", "per-run")]

    @property
    def monthly_min(self) -> float:
        return round(sum(r.cost_min or 0.0 for r in self.rows if r.resource.billing == "monthly"), 2)

    @property
    def monthly_max(self) -> float:
        return round(sum(r.cost_max or 0.0 for r in self.rows if r.resource.billing == "monthly"), 2)

    @property
    def jobs_per_run(self) -> float:
        return round(sum(r.cost_max or 0.0 for r in self.rows if r.resource.billing == "per-run"), 2)

    @property
    def total_max(self) -> float:
        """The budget figure: every always-on resource at max capacity, plus one run of every job."""
        return round(self.monthly_max + self.jobs_per_run, 2)

    @property
    def unpriced(self) -> list[Row]:
        return [r for r in self._bounded() if r.cost_max is None and not r.resource.unbounded]

    @property
    def unbounded(self) -> list[Row]:
        return [r for r in self.rows if r.resource.unbounded]

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total_max > self.budget

    def sources(self) -> list[str]:
        seen: list[str] = []
        for r in self.rows:
            for q in list(r.priced.values()) + [s for s in r.spot.values() if s is not None]:
                label = f"{q.label}, {q.region}"
                if label not in seen:
                    seen.append(label)
        return seen

    def largest(self) -> Optional[Row]:
        best = None
        for r in self._bounded():
            if r.cost_max is not None and (best is None or r.cost_max > (best.cost_max or 0)):
                best = r
        return best


def collect_resources(sources: Iterable["Source"]) -> list[Resource]:
    col = _Collector()
    for source in sources:
        for i, doc in enumerate(source.documents):
            data = doc.data
            if isinstance(data, dict):
                col.add_document(source, i, data)
    return col.finish()


def price_resources(resources: list[Resource], prices: Prices, region: Optional[str] = None,
                    environ: Optional[dict] = None) -> list[Row]:
    fallback, fallback_from = default_region(region, environ)
    rows = []
    for res in resources:
        if res.region:
            reg, reg_from = res.region, "file"
        else:
            reg, reg_from = fallback, fallback_from
        if res.kind == "nodepool" and res.selection is not None:
            sel = res.selection
            types = sel.resolve(prices.known_types("ec2", reg))
            if types is None:
                res.notes.append("the requirements name no instance types or families; gpulint cannot price them")
                types = []
            elif not types:
                res.notes.append("no priced instance type matches the requirements")
            if sel.other_filters and types:
                res.notes.append(f"not applied: {', '.join(sorted(sel.other_filters))}; the pool may allow "
                                 "fewer of these types")
            res.instance_types = types
            limits = res.limits
            if limits:
                res.max_by_type = {t: _nodes_within(limits, t) for t in types}
                if types and all(v is None for v in res.max_by_type.values()):
                    res.notes.append("spec.limits do not bound these types by name (the instance catalog "
                                     "does not know their size)")
                known = [v for v in res.max_by_type.values() if v is not None]
                res.count_max = max(known) if known else None
                loose = sorted(t for t, v in res.max_by_type.items() if v is None)
                if known and loose:
                    res.notes.append(f"left out of the maximum: {_short_list(loose)} (the instance catalog does "
                                     "not give their size)")
        quotes: dict[str, Optional[Quote]] = {}
        spot: dict[str, Optional[SpotQuote]] = {}
        if res.billing not in ("included", "serverless"):
            for t in res.instance_types:
                quotes[t] = prices.on_demand(t, reg, res.component)
            if res.spot:
                for t in res.instance_types:
                    spot[t] = prices.spot(t, reg)
        reason = ""
        if res.spot and not any(spot.values()) and res.instance_types:
            reason = prices.spot_unavailable_reason(res.instance_types[0])
        line, column = 1, 1
        try:
            span = res.source.locate(res.doc_index, res.path)
            line, column = span.line, span.column
        except Exception:  # noqa: BLE001 - a position is a nicety
            pass
        rows.append(Row(res, reg, reg_from, quotes, spot, reason, line, column))
    return rows


def estimate_sources(sources: list["Source"], prices: Prices, region: Optional[str] = None,
                     budget: Optional[float] = None, environ: Optional[dict] = None) -> Estimate:
    rows = price_resources(collect_resources(sources), prices, region, environ)
    rows.sort(key=lambda r: (r.resource.file, r.line, r.resource.name))
    return Estimate(rows, prices, list(prices.notes), budget)


def load_sources(paths: list[str], config: "Config", stdin_filename: Optional[str] = None,
                 stdin_data: Optional[bytes] = None) -> tuple[list["Source"], list[str]]:
    """Files (and context files) as the lint run would read them."""
    from gpulint.engine.inputs import collect_inputs
    from gpulint.engine.run import Linter

    inputs, notes = collect_inputs(paths, config, stdin_filename, stdin_data)
    linter = Linter(config, select=["parse-error"])
    sources = [linter.load(item) for item in inputs]
    return [s for s in sources if s.error is None], notes


def make_prices(live: bool, snapshot: Optional[str] = None) -> Prices:
    from gpulint.cost.pricing import LivePrices, SnapshotPrices

    snap = SnapshotPrices(snapshot)
    return LivePrices(fallback=snap) if live else snap


# --------------------------------------------------------------------------- output


def money(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}"


def _price(value: Optional[float]) -> str:
    """An hourly price as the source gives it (to a millionth of a dollar), so the monthly
    figures next to it can be recomputed by hand."""
    return "-" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def _count(v: Optional[int]) -> str:
    return "?" if v is None else str(v)


def _types_cell(types: list[str]) -> str:
    if not types:
        return "?"
    if len(types) <= 3:
        return ",".join(types)
    families: dict[str, int] = {}
    for t in types:
        families[t.rsplit(".", 1)[0]] = families.get(t.rsplit(".", 1)[0], 0) + 1
    return ",".join(f"{f}.* ({n})" for f, n in families.items())


def _row_cells(row: Row, src_index: dict[str, int]) -> list[str]:
    r = row.resource
    types = "-" if r.billing == "serverless" else _types_cell(r.instance_types)
    if r.billing == "serverless":
        counts = "-"
    elif r.kind == "nodepool":
        counts = f"0/-/{'unbounded' if r.unbounded else _count(r.count_max)}"
    else:
        counts = f"{_count(r.count_min)}/{'-' if r.count_desired is None else r.count_desired}/{_count(r.count_max)}"
    if r.billing == "included":
        hourly = "on variant"
    elif r.billing == "serverless":
        hourly = "serverless"
    elif not row.priced:
        hourly = "no price"
    else:
        lo, hi = row.hourly_low, row.hourly_high
        hourly = _price(lo) if lo == hi else f"{_price(lo)}-{_price(hi)}"
        if row.missing:
            hourly += "*"
    if r.spot:
        found = [s for s in row.spot.values() if s is not None]
        if found:
            lo = min(s.low for s in found)
            hi = max(s.high for s in found)
            spot = _price(lo) if lo == hi else f"{_price(lo)}-{_price(hi)}"
        else:
            spot = "no spot price"
    else:
        spot = ""
    if r.billing == "monthly":
        cmin, cmax = money(row.cost_min), ("unbounded" if r.unbounded else money(row.cost_max))
    elif r.billing == "per-run":
        cmin, cmax = "-", (money(row.cost_max) + "/run" if row.cost_max is not None else "-")
    elif r.billing == "hourly":
        cmin = "-"
        cmax = money(row.hourly_at_max) + "/h" if row.hourly_at_max is not None else "-"
    else:
        cmin = cmax = "-"
    labels = {f"{q.label}, {q.region}" for q in row.priced.values()}
    labels |= {f"{s.label}, {s.region}" for s in row.spot.values() if s is not None}
    src = ",".join(str(src_index[lab]) for lab in sorted(labels, key=lambda lab: src_index[lab]))
    return [f"{r.file}:{row.line}", f"{r.kind} {r.name}", types, counts, hourly, spot, cmin, cmax, src or "-"]


HEADERS = ["FILE", "RESOURCE", "INSTANCE TYPE", "MIN/DES/MAX", "$/HOUR", "SPOT $/HOUR", "MONTH AT MIN",
           "MONTH AT MAX", "PRICE"]


def render_text(est: Estimate, out: TextIO) -> None:
    if not est.rows:
        out.write("No costed resources found (SageMaker endpoints and jobs, eksctl node groups, Karpenter "
                  "NodePools).\n")
        return
    sources = est.sources()
    index = {s: i + 1 for i, s in enumerate(sources)}
    table = [HEADERS] + [_row_cells(r, index) for r in est.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    right = {3, 4, 5, 6, 7}
    for row in table:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.write("  ".join(cells).rstrip() + "\n")
    out.write("\n")
    out.write(f"Always-on total (730 h a month): {money(est.monthly_min)} at min, {money(est.monthly_max)} at max\n")
    if est.jobs_per_run:
        out.write(f"Training jobs, one run each at their maximum runtime: {money(est.jobs_per_run)}\n")
    out.write(f"Total at max capacity: {money(est.total_max)} a month")
    if est.budget is not None:
        verdict = "over" if est.over_budget else "within"
        out.write(f" ({verdict} the budget of {money(est.budget)})")
    out.write("\n")
    for r in est.unbounded:
        out.write(f"Not in the totals: {r.resource.label} ({r.resource.file}) has no limits, so no maximum.\n")
    for r in est.unpriced:
        if r.missing and not r.priced:
            from gpulint.model import catalog

            unknown = [t for t in r.missing if not catalog.is_known(t)]
            if unknown:
                verb = "is not a known instance type" if len(unknown) == 1 else "are not known instance types"
                why = f"{', '.join(unknown)} {verb}"
            else:
                why = f"no {r.region} price for {', '.join(r.missing)}"
        elif not r.resource.instance_types:
            why = "its instance types are not known"
        else:
            why = "its instance count is not known"
        out.write(f"Not in the totals: {r.resource.label} ({r.resource.file}): {why}.\n")
    for r in est.rows:
        if r.resource.billing == "serverless":
            out.write(f"Not in the totals: {r.resource.label} ({r.resource.file}) is serverless, billed per request "
                      "and compute time.\n")
    for r in est.rows:
        fill = r.max_fill
        if fill is not None and r.cost_max:
            t, n = fill
            limits = ", ".join(f"{k}: {v}" for k, v in (r.resource.limits or {}).items())
            out.write(f"At max: {r.resource.label} = {n} x {t} at ${_price(r.priced[t].hourly)}/h, the dearest "
                      f"way to reach spec.limits ({limits}).\n")
    partial = [r for r in est.rows if r.priced and r.missing]
    for r in partial:
        out.write(f"* {r.resource.label}: no price for {', '.join(r.missing)}; costed from the priced types.\n")
    spot_reasons = sorted({r.spot_reason for r in est.rows if r.spot_reason})
    for reason in spot_reasons:
        out.write(f"Spot: {reason}.\n")
    if sources:
        out.write("Prices (on-demand unless marked spot):\n")
        for s in sources:
            out.write(f"  [{index[s]}] {s}\n")


def row_data(row: Row) -> dict[str, Any]:
    r = row.resource
    return {
        "file": r.file,
        "line": row.line,
        "kind": r.kind,
        "name": r.name,
        "region": row.region,
        "region_from": row.region_from,
        "instance_types": list(r.instance_types),
        "count": {"min": r.count_min, "desired": r.count_desired, "max": None if r.unbounded else r.count_max,
                  "from": r.count_from},
        "billing": r.billing,
        "runtime_hours": r.runtime_hours,
        "unbounded": r.unbounded,
        "prices": {
            t: ({"hourly": q.hourly, "source": q.source, "date": q.date, "region": q.region} if q else None)
            for t, q in row.quotes.items()
        },
        "hourly": {"low": row.hourly_low, "high": row.hourly_high, "at_max": row.hourly_at_max},
        "max_fill": (None if (fill := row.max_fill) is None
                     else {"instance_type": fill[0], "count": fill[1]}),
        "spot": (
            {t: ({"low": s.low, "high": s.high, "zones": s.zones, "source": s.source, "date": s.date}
                 if s else None) for t, s in row.spot.items()}
            if r.spot else None
        ),
        "spot_note": row.spot_reason or None,
        "monthly_min": row.cost_min if r.billing == "monthly" else None,
        "monthly_max": row.cost_max if r.billing == "monthly" else None,
        "per_run": row.cost_max if r.billing == "per-run" else None,
        "notes": list(r.notes),
    }


def estimate_data(est: Estimate) -> dict[str, Any]:
    return {
        "hours_per_month": HOURS_PER_MONTH,
        "price_source": est.prices.describe(),
        "resources": [row_data(r) for r in est.rows],
        "totals": {
            "monthly_min": est.monthly_min,
            "monthly_max": est.monthly_max,
            "jobs_per_run": est.jobs_per_run,
            "total_max": est.total_max,
            "unbounded": [r.resource.label for r in est.unbounded],
            "unpriced": [r.resource.label for r in est.unpriced],
        },
        "budget": None if est.budget is None else {"monthly_usd": est.budget, "exceeded": est.over_budget},
        "sources": est.sources(),
        "notes": list(est.notes),
    }


def render_json(est: Estimate, out: TextIO, extra: Optional[dict] = None) -> None:
    data = estimate_data(est)
    if extra:
        data.update(extra)
    json.dump(data, out, indent=2)
    out.write("\n")


def summary_suffix(est: Estimate) -> str:
    """What ``gpulint --cost`` appends to the summary line."""
    text = f" Estimated cost: {money(est.monthly_min)}-{money(est.monthly_max)} a month"
    if est.jobs_per_run:
        text += f" plus {money(est.jobs_per_run)} of job runs"
    if est.unbounded:
        text += f" ({len(est.unbounded)} unbounded)"
    return text + f"; {est.prices.describe()}."


# --------------------------------------------------------------------------- the budget gate


def budget_message(est: Estimate) -> str:
    msg = (f"estimated cost at max capacity is {money(est.total_max)} a month, above the budget of "
           f"{money(est.budget)}")
    top = est.largest()
    if top is not None:
        msg += f"; the largest item is {top.resource.label} at {money(top.cost_max)}"
        if top.resource.billing == "per-run":
            msg += " a run"
    if est.unbounded:
        msg += f"; {len(est.unbounded)} unbounded NodePool(s) not counted"
    msg += f"; {est.prices.describe()}"
    return msg


class BudgetCollector:
    """The lint-run side of ``cost-budget-exceeded``: resources gathered while documents are loaded."""

    def __init__(self, budget: float, prices: Optional[Prices] = None, region: Optional[str] = None) -> None:
        self.budget = budget
        self.prices = prices
        self.region = region
        self.col = _Collector()
        self.reported: dict[str, bool] = {}

    def add(self, source: "Source", report: bool = True) -> None:
        self.reported[source.name] = report
        for i, doc in enumerate(source.documents):
            if isinstance(doc.data, dict):
                self.col.add_document(source, i, doc.data)

    def estimate(self) -> Estimate:
        prices = self.prices or make_prices(False)
        rows = price_resources(self.col.finish(), prices, self.region)
        rows.sort(key=lambda r: (r.resource.file, r.line, r.resource.name))
        return Estimate(rows, prices, list(prices.notes), self.budget)

    def finding(self) -> Optional[tuple[Row, str]]:
        """(row to report on, message) when over budget; the row is the largest reported item."""
        est = self.estimate()
        if not est.over_budget:
            return None
        candidates = [r for r in est.rows if self.reported.get(r.resource.file, True)
                      and r.cost_max is not None and r.resource.billing in ("monthly", "per-run")]
        if not candidates:
            return None
        top = max(candidates, key=lambda r: (r.cost_max or 0.0, -r.line))
        return top, budget_message(est)


# --------------------------------------------------------------------------- diff


def diff_data(before: Estimate, after: Estimate, base_before: str, base_after: str) -> dict[str, Any]:
    def key(row: Row, base: str) -> tuple[str, str, str]:
        rel = os.path.relpath(os.path.abspath(row.resource.file), base)
        return (rel.replace(os.sep, "/"), row.resource.kind, row.resource.name)

    old = {key(r, base_before): r for r in before.rows}
    new = {key(r, base_after): r for r in after.rows}
    items = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if a is None:
            status = "added"
        elif b is None:
            status = "removed"
        else:
            status = "changed" if _row_sig(a) != _row_sig(b) else "unchanged"
        item = {
            "file": k[0], "kind": k[1], "name": k[2], "status": status,
            "before": _diff_side(a), "after": _diff_side(b),
        }
        bmax = item["before"]["max"] if item["before"] else 0.0
        amax = item["after"]["max"] if item["after"] else 0.0
        item["change_max"] = None if bmax is None or amax is None else round((amax or 0) - (bmax or 0), 2)
        items.append(item)
    return {
        "resources": items,
        "totals": {
            "before": {"monthly_min": before.monthly_min, "monthly_max": before.monthly_max,
                       "jobs_per_run": before.jobs_per_run, "total_max": before.total_max},
            "after": {"monthly_min": after.monthly_min, "monthly_max": after.monthly_max,
                      "jobs_per_run": after.jobs_per_run, "total_max": after.total_max},
            "change_total_max": round(after.total_max - before.total_max, 2),
        },
    }


def _row_sig(row: Row) -> tuple:
    r = row.resource
    return (tuple(r.instance_types), r.count_min, r.count_desired, r.count_max, r.unbounded, r.spot,
            row.cost_min, row.cost_max, row.hourly_at_max)


def _diff_side(row: Optional[Row]) -> Optional[dict[str, Any]]:
    if row is None:
        return None
    r = row.resource
    return {
        "instance_types": list(r.instance_types),
        "count": [r.count_min, r.count_desired, None if r.unbounded else r.count_max],
        "min": row.cost_min if r.billing in ("monthly",) else None,
        "max": row.cost_max if r.billing in ("monthly", "per-run") else None,
        "billing": r.billing,
    }


def _signed(value: Optional[float]) -> str:
    if value is None:
        return "?"
    if abs(value) < 0.005:
        return "$0.00"
    return ("+" if value > 0 else "-") + money(abs(value))


def render_diff_text(data: dict, ref: str, out: TextIO) -> None:
    changed = [i for i in data["resources"] if i["status"] != "unchanged"]
    totals = data["totals"]
    if not changed:
        out.write(f"No cost changes against {ref}.\n")
    else:
        table = [["STATUS", "FILE", "RESOURCE", "BEFORE", "AFTER", "MONTH AT MAX BEFORE", "AFTER", "CHANGE"]]
        for i in changed:
            def side(s: Optional[dict]) -> str:
                if s is None:
                    return "-"
                c = s["count"]
                return f"{_types_cell(s['instance_types'])} x{_count(c[2]) if c[2] is not None else '?'}"

            def cost(s: Optional[dict]) -> str:
                if s is None:
                    return "-"
                return money(s["max"]) + ("/run" if s["billing"] == "per-run" and s["max"] is not None else "")

            table.append([i["status"], i["file"], f"{i['kind']} {i['name']}", side(i["before"]), side(i["after"]),
                          cost(i["before"]), cost(i["after"]), _signed(i["change_max"])])
        widths = [max(len(r[c]) for r in table) for c in range(len(table[0]))]
        for r in table:
            out.write("  ".join(c.rjust(w) if k >= 5 else c.ljust(w)
                                for k, (c, w) in enumerate(zip(r, widths))).rstrip() + "\n")
        out.write("\n")
    b, a = totals["before"], totals["after"]
    change = totals["change_total_max"]
    pct = ""
    if b["total_max"]:
        pct = f", {change / b['total_max'] * 100:+.1f}%"
    out.write(f"Total at max capacity: {money(b['total_max'])} ({ref}) -> {money(a['total_max'])} (working tree): "
              f"{_signed(change)} a month{pct}\n")
