"""The rule quota-exceeded (SM307): endpoints or training jobs need more instances of a type than
the account quota allows."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from pydantic import Field

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import EndpointConfig, TrainingJob, Variant, as_int, as_str, index


class QuotaOptions(RuleOptions):
    sum_training_jobs: bool = Field(
        False,
        description="Add up all linted training jobs per instance type (they run at the same time); "
        "by default each job is checked alone.",
    )


@register
class QuotaExceeded(Rule):
    """## What it does
    Adds up, for each instance type, the most instances the linted endpoint
    variants can run (the ``MaxCapacity`` of their scalable target, else
    ``InitialInstanceCount``, or ``ManagedInstanceScaling.MaxInstanceCount``
    when larger), counting each endpoint deployed from a config (a config
    that no Endpoint document names counts once, unless an Endpoint document
    gives its name to another config: a superseded config), and compares
    the total with the account quota ``<type> for endpoint usage``. Training
    jobs are compared with ``<type> for training job usage`` (or ``for spot
    training job usage`` with managed spot training), each job alone, or
    added up with ``sum-training-jobs: true``; a saved ``DescribeTrainingJob``
    response of a job that has ended (Completed, Failed, Stopped) holds no
    instances and is not counted.

    Quotas come from ``--quotas FILE`` (YAML or JSON, ``quotas:
    {"ml.p4d.24xlarge for endpoint usage": 6}``, the names of the Service
    Quotas console), ``--quotas live`` (the Service Quotas API through boto3,
    region and credentials from the usual AWS settings), or the ``quotas``
    config key. Without quotas the rule is silent; so it is for a type with no
    quota listed. Variants with ``InstancePools`` and serverless variants are
    not counted.

    ## Why is this bad?
    Creating or scaling past the quota fails with ``ResourceLimitExceeded``:
    the deployment stops half-way, or autoscaling silently stops adding
    instances at peak load. GPU quotas are small by default (often 0) and take
    days to raise.

    ## Example
    With ``ml.g5.12xlarge for endpoint usage`` = 4, two endpoint configs whose
    variants can each scale to 3 instances need 6.

    ## Use instead
    Lower the ``MaxCapacity`` of the scalable targets, or request a quota
    increase before deploying.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/regions-quotas.html
    - https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_ListServiceQuotas.html
    """

    code = "SM307"
    name = "quota-exceeded"
    severity = Severity.ERROR
    summary = "Endpoints or training jobs need more instances of a type than the account quota allows"
    domain = "sagemaker"
    targets = (EndpointConfig, TrainingJob)
    cross_file = True
    Options = QuotaOptions
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/dg/regions-quotas.html"

    def check(self, obj: Any, ctx: Context) -> Iterator[Finding]:
        from gpulint.model import quotas as quota_mod

        limits = quota_mod.for_config(ctx.config)
        if not limits:
            return
        if isinstance(obj, EndpointConfig):
            yield from self._endpoints(obj, ctx, limits)
        else:
            yield from self._training(obj, ctx, limits)

    # each usage of an instance type: (object, path, count, description)
    def _endpoint_usage(self, ctx: Context) -> dict[str, list[tuple[EndpointConfig, tuple, int, str]]]:
        cache = getattr(ctx, "_sm_endpoint_usage", None)
        if cache is not None:
            return cache
        usage: dict[str, list[tuple[EndpointConfig, tuple, int, str]]] = {}
        for config in sorted(ctx.project.of_type(EndpointConfig), key=lambda o: (o.file, o.doc_index)):
            names, known = index(ctx.project).endpoint_names(config)
            if not names:
                if config.name:
                    continue  # its name is another config's endpoint: not known to be deployed
                names = ["?"]
            for v in config.variants():
                itype = as_str(v.data.get("InstanceType"))
                if itype is None or v.pools or v.serverless or v.scaling_unknown:
                    continue
                for endpoint in names:
                    n, why = _variant_max(ctx, config, v, endpoint, known)
                    if n is None or n <= 0:
                        continue
                    desc = f"{config.file}: endpoint '{endpoint}' variant '{v.name}' {n} ({why})"
                    usage.setdefault(itype, []).append(
                        (config, ("ProductionVariants", v.index, "InstanceType"), n, desc))
        ctx._sm_endpoint_usage = usage  # type: ignore[attr-defined]
        return usage

    def _endpoints(self, obj: EndpointConfig, ctx: Context, limits: dict[str, float]) -> Iterator[Finding]:
        for itype, uses in sorted(self._endpoint_usage(ctx).items()):
            if uses[0][0] is not obj:
                continue  # reported once, on the first contributor
            quota_name = f"{itype} for endpoint usage"
            limit = limits.get(quota_name.lower())
            total = sum(u[2] for u in uses)
            if limit is None or total <= limit:
                continue
            yield Finding(
                obj.at(*uses[0][1]),
                f"endpoints can run up to {total} {itype} instance(s), above the quota "
                f"'{quota_name}' = {limit:g}: " + "; ".join(u[3] for u in uses),
                related=sorted({u[0].file for u in uses}),
            )

    def _training(self, obj: TrainingJob, ctx: Context, limits: dict[str, float]) -> Iterator[Finding]:
        jobs = [obj]
        if ctx.options.sum_training_jobs:
            jobs = sorted(ctx.project.of_type(TrainingJob), key=lambda o: (o.file, o.doc_index))
        own = _training_usage(obj)
        for (itype, spot), (path, _) in sorted(own.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            uses = []
            for job in jobs:
                entry = _training_usage(job).get((itype, spot))
                if entry is not None:
                    uses.append((job, entry[0], entry[1]))
            if uses[0][0] is not obj:
                continue
            quota_name = f"{itype} for {'spot training job' if spot else 'training job'} usage"
            limit = limits.get(quota_name.lower())
            total = sum(u[2] for u in uses)
            if limit is None or total <= limit:
                continue
            detail = "; ".join(f"{j.file}: training job '{j.name}' {n}" for j, _, n in uses)
            yield Finding(
                obj.at(*path),
                f"training needs {total} {itype} instance(s), above the quota '{quota_name}' = {limit:g}: {detail}",
                related=sorted({u[0].file for u in uses}),
            )


def _variant_max(ctx: Context, config: EndpointConfig, v: Variant, endpoint: str, known: bool) -> tuple[Optional[int], str]:
    """The most instances a variant of one endpoint can run, and where that number comes from."""
    idx = index(ctx.project)
    if v.name:
        targets = idx.variant_targets(endpoint, v.name)
        caps = [as_int(t.get("MaxCapacity")) for t in targets]
        if len(targets) == 1 and caps[0] is not None:
            return caps[0], f"MaxCapacity of its scalable target in {targets[0].file}"
    count = v.instance_count
    mis = v.managed_scaling
    top = as_int(mis.get("MaxInstanceCount")) if mis.get("Status") == "ENABLED" else None
    if top is not None and (count is None or top > count):
        return top, "ManagedInstanceScaling.MaxInstanceCount"
    return count, "InitialInstanceCount"


_FINISHED = ("Completed", "Failed", "Stopped")


def _training_usage(job: TrainingJob) -> dict[tuple[str, bool], tuple[tuple, int]]:
    """(instance type, spot) -> (path of the first mention, instance count) for one job."""
    out: dict[tuple[str, bool], tuple[tuple, int]] = {}
    rc = job.get("ResourceConfig")
    if not isinstance(rc, dict) or job.get("TrainingJobStatus") in _FINISHED:
        return out  # a saved response of a job that has ended holds no instances
    spot = job.spot
    itype, count = as_str(rc.get("InstanceType")), as_int(rc.get("InstanceCount"))
    if itype and count and count > 0:
        out[(itype, spot)] = (("ResourceConfig", "InstanceType"), count)
    groups = rc.get("InstanceGroups")
    if isinstance(groups, list):
        for i, g in enumerate(groups):
            if not isinstance(g, dict):
                continue
            gtype, gcount = as_str(g.get("InstanceType")), as_int(g.get("InstanceCount"))
            if gtype and gcount and gcount > 0:
                path, prev = out.get((gtype, spot), (("ResourceConfig", "InstanceGroups", i, "InstanceType"), 0))
                out[(gtype, spot)] = (path, prev + gcount)
    return out
