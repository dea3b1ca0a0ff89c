"""The rule instance-pools-invalid (SM305): a variant's InstancePools conflict with InstanceType,
repeat a priority or type, or time out out of range."""

from __future__ import annotations

from typing import Any, Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.sagemaker import EndpointConfig, as_int, is_unknown
from gpulint.rules.sagemaker import SM_HETERO_DOC


@register
class InstancePoolsInvalid(Rule):
    """## What it does
    Flags a production variant that sets ``InstancePools`` together with
    ``InstanceType``, lists the same ``Priority`` or the same ``InstanceType``
    in two pools, or sets ``VariantInstanceProvisionTimeoutInSeconds`` outside
    300-3600. A saved ``DescribeEndpointConfig`` response is not checked: it
    records a config the service accepted.

    ## Why is this bad?
    A heterogeneous variant names its instance types in ``InstancePools``,
    in place of ``InstanceType``; SageMaker provisions pools in priority order
    (1 first), so two pools with one priority, or one type listed twice, leave
    the order undefined. The provisioning timeout is the total time SageMaker
    spends trying pools and must be between 300 and 3600 seconds.

    ## Example
    ```yaml
    InstanceType: ml.g5.12xlarge
    InstancePools:
      - {InstanceType: ml.g6e.12xlarge, Priority: 1}
      - {InstanceType: ml.g5.12xlarge, Priority: 1}
    VariantInstanceProvisionTimeoutInSeconds: 120
    ```

    ## Use instead
    ```yaml
    InstancePools:
      - {InstanceType: ml.g6e.12xlarge, Priority: 1}
      - {InstanceType: ml.g5.12xlarge, Priority: 2}
    VariantInstanceProvisionTimeoutInSeconds: 900
    ```

    ## Fix safety
    No automatic fix.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/dg/realtime-endpoints-heterogeneous.html
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariant.html
    """

    code = "SM305"
    name = "instance-pools-invalid"
    severity = Severity.ERROR
    summary = "A variant's InstancePools conflict with InstanceType, repeat a priority or type, or time out out of range"
    domain = "sagemaker"
    targets = (EndpointConfig,)
    source_url = SM_HETERO_DOC

    def check(self, obj: EndpointConfig, ctx: Context) -> Iterator[Finding]:
        if obj.form == "response":
            return  # a saved describe response records a config the service accepted
        for v in obj.variants():
            base = ("ProductionVariants", v.index)
            label = f"variant '{v.name}'" if v.name else "this variant"
            pools = v.pools
            if pools and v.data.get("InstanceType") is not None:
                yield Finding(
                    obj.at(*base, "InstanceType"),
                    f"{label} sets InstanceType and InstancePools; InstancePools replaces InstanceType: "
                    "list every type as a pool and remove InstanceType",
                )
            for member, what in (("Priority", "priority"), ("InstanceType", "instance type")):
                seen: dict[Any, int] = {}
                for i, pool in enumerate(pools):
                    if not isinstance(pool, dict):
                        continue
                    value = pool.get(member)
                    if value is None or is_unknown(value) or isinstance(value, (dict, list)):
                        continue
                    if value in seen:
                        yield Finding(
                            obj.at(*base, "InstancePools", i, member),
                            f"{label}: InstancePools[{i}] repeats {what} {value!r} of InstancePools[{seen[value]}]; "
                            f"each pool needs its own {what}",
                        )
                    else:
                        seen[value] = i
            timeout = as_int(v.data.get("VariantInstanceProvisionTimeoutInSeconds"))
            if timeout is not None and not 300 <= timeout <= 3600:
                yield Finding(
                    obj.at(*base, "VariantInstanceProvisionTimeoutInSeconds"),
                    f"VariantInstanceProvisionTimeoutInSeconds is {timeout}; SageMaker accepts 300 to 3600 seconds",
                )
