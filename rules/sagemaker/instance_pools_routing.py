"""The rule instance-pools-routing (SM306): a heterogeneous variant routes randomly instead of
LEAST_OUTSTANDING_REQUESTS."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import AwsObject, EndpointConfig, as_str, is_unknown, spelled
from gpulint.rules.sagemaker import SM_HETERO_DOC


@register
class InstancePoolsRouting(Rule):
    """## What it does
    Flags a production variant whose ``InstancePools`` hold more than one
    instance type while ``RoutingConfig.RoutingStrategy`` is not
    ``LEAST_OUTSTANDING_REQUESTS`` (the default is ``RANDOM``). Asynchronous
    endpoints are not checked: their requests wait in a queue, and routing
    strategies are documented for real-time inference.

    ## Why is this bad?
    Random routing sends every instance the same share of requests. In a
    heterogeneous variant the instances are not equal: a smaller or older GPU
    gets as much traffic as the biggest one, queues up and drives latency,
    while the faster instances idle. Least-outstanding-requests routing sends
    each request to the instance with the least work in flight.

    ## Example
    ```yaml
    InstancePools:
      - {InstanceType: ml.p5.48xlarge, Priority: 1}
      - {InstanceType: ml.g6e.48xlarge, Priority: 2}
    ```

    ## Use instead
    ```yaml
    InstancePools:
      - {InstanceType: ml.p5.48xlarge, Priority: 1}
      - {InstanceType: ml.g6e.48xlarge, Priority: 2}
    RoutingConfig:
      RoutingStrategy: LEAST_OUTSTANDING_REQUESTS
    ```

    ## Fix safety
    Safe: ``--fix`` sets ``RoutingConfig.RoutingStrategy`` to
    ``LEAST_OUTSTANDING_REQUESTS`` (adding ``RoutingConfig`` when it is
    missing).

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-heterogeneous.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantRoutingConfig.html
    """

    code = "SM306"
    name = "instance-pools-routing"
    severity = Severity.WARNING
    summary = "A heterogeneous variant routes randomly instead of LEAST_OUTSTANDING_REQUESTS"
    domain = "sagemaker"
    targets = (EndpointConfig,)
    source_url = SM_HETERO_DOC
    fix = Applicability.SAFE
    fix_summary = "set `RoutingConfig.RoutingStrategy: LEAST_OUTSTANDING_REQUESTS`"

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        if obj.is_async:
            return  # routing strategies are documented for real-time requests; async ones wait in a queue
        for v in obj.variants():
            types = {as_str(p.get("InstanceType")) for p in v.pools if isinstance(p, dict)}
            if len(types - {None}) < 2 or any(is_unknown(p.get("InstanceType")) for p in v.pools if isinstance(p, dict)):
                continue
            routing = v.data.get("RoutingConfig")
            strategy = routing.get("RoutingStrategy") if isinstance(routing, dict) else None
            if is_unknown(routing) or is_unknown(strategy) or strategy == "LEAST_OUTSTANDING_REQUESTS":
                continue
            where = ("RoutingConfig", "RoutingStrategy") if strategy is not None else (
                ("VariantName",) if "VariantName" in v.data else ("InstancePools",))
            shown = f"RoutingStrategy {strategy}" if strategy is not None else "no RoutingConfig (RANDOM)"
            yield Finding(
                obj.at("ProductionVariants", v.index, *where),
                f"variant '{v.name}' pools {len(types - {None})} instance types with {shown}: equal traffic goes "
                "to unequal hardware; set RoutingConfig.RoutingStrategy: LEAST_OUTSTANDING_REQUESTS",
                fix=_routing_fix(obj, v.index, routing),
            )


def _routing_fix(obj: AwsObject, index: int, routing: Any) -> Optional[Fix]:
    strategy = "LEAST_OUTSTANDING_REQUESTS"
    if isinstance(routing, dict):
        if "RoutingStrategy" in routing:
            path = obj.at("ProductionVariants", index, "RoutingConfig", "RoutingStrategy")
        else:
            path = obj.at("ProductionVariants", index, "RoutingConfig") + (spelled(obj, "RoutingStrategy"),)
        edit = Edit(path, strategy)
    elif routing is None:
        edit = Edit(obj.at("ProductionVariants", index) + (spelled(obj, "RoutingConfig"),),
                    {spelled(obj, "RoutingStrategy"): strategy}, "add")
    else:
        return None
    return Fix([edit], Applicability.SAFE, f"set RoutingConfig.RoutingStrategy to {strategy}")
