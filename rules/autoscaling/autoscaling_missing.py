"""The rule autoscaling-missing (AAS404): an endpoint config variant has no scalable target in the
linted set."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import EndpointConfig, index


@register
class AutoscalingMissing(Rule):
    """## What it does
    Reports an endpoint config variant that no scalable target (or scaling
    policy, which needs one) in the linted set covers
    (``ResourceId: endpoint/<endpoint>/variant/<variant>``). The
    endpoint name comes from an Endpoint document that names the config;
    without one, any target for that variant name on an endpoint not known to
    use another config counts as covering it; a config of the same kind (ACK,
    CloudFormation, API document) as Endpoint documents that name other
    configs is taken as a superseded version, not deployed. A target whose
    ResourceId is known only at deploy time (a CloudFormation ``!Sub`` or
    ``!Ref``, a placeholder) covers every variant its text could name. The rule is
    silent when no scaling documents are linted at all (the scaling may live elsewhere), for
    serverless variants, and for variants that host inference components (no
    ``ModelName``, or ``ManagedInstanceScaling``): those scale by copy count.

    ## Why is this bad?
    SageMaker endpoints do not scale by default: without a scalable target and
    a policy the variant keeps ``InitialInstanceCount`` instances however much
    traffic arrives, and GPUs sit idle when none does.

    ## Example
    An endpoint config with variants ``a`` and ``b`` and a scalable target only
    for ``endpoint/llm/variant/a``.

    ## Use instead
    Register a scalable target (and a scaling policy) for every variant.

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling.html
    """

    code = "AAS404"
    name = "autoscaling-missing"
    severity = Severity.INFO
    summary = "An endpoint config variant has no scalable target in the linted set"
    domain = "autoscaling"
    targets = (EndpointConfig,)
    cross_file = True
    source_url = "https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-policy.html"

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        idx = index(ctx.project)
        if not idx.has_scaling or not obj.name:
            return
        names, known = idx.endpoint_names(obj)
        if not names:
            return
        for variant in obj.variants():
            if variant.name is None or variant.serverless or variant.managed_scaling or variant.scaling_unknown:
                continue
            if "ModelName" not in variant.data:
                continue  # a variant without a model hosts inference components, which scale by copy count
            if known:
                covered = any(idx.variant_scaled(e, variant.name) for e in names)
            else:
                covered = idx.variant_scaled(names[0], variant.name) or idx.unresolved_variant_scaling(variant.name)
            if covered:
                continue
            where = ", ".join(f"endpoint/{e}/variant/{variant.name}" for e in names)
            yield Finding(
                obj.at("ProductionVariants", variant.index, "VariantName"),
                f"variant '{variant.name}' has no scalable target ({where}) among the linted files; "
                "SageMaker endpoints do not scale by default: register one with a scaling policy",
            )
