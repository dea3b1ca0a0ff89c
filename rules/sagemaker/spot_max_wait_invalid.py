"""The rule spot-max-wait-invalid (SM304): managed spot training whose MaxWaitTimeInSeconds is
below MaxRuntimeInSeconds."""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.sagemaker import TrainingJob, as_int, is_unknown, spelled
from gpulint.rules.sagemaker import SM_SPOT_DOC


class SpotWaitOptions(RuleOptions):
    require_max_wait: bool = Field(
        False,
        description="Also report spot jobs that do not set StoppingCondition.MaxWaitTimeInSeconds at all "
        "(a team convention: whether the service requires it is not documented).",
    )
    wait_margin_seconds: int = Field(
        3600, ge=0, description="What the fix adds to MaxRuntimeInSeconds for MaxWaitTimeInSeconds, in seconds."
    )


@register
class SpotMaxWaitInvalid(Rule):
    """## What it does
    Flags a training job with ``EnableManagedSpotTraining: true`` whose
    ``StoppingCondition.MaxWaitTimeInSeconds`` is below ``MaxRuntimeInSeconds``.
    With ``require-max-wait: true`` it also flags a spot job that does not set
    ``MaxWaitTimeInSeconds`` at all. A saved ``DescribeTrainingJob`` response
    is not checked: it records a job the service accepted.

    ## Why is this bad?
    ``MaxWaitTimeInSeconds`` bounds the whole life of a spot job: the time
    spent waiting for spot capacity plus the time it runs. The API requires it
    to be at least ``MaxRuntimeInSeconds``; below that the request is rejected.

    A spot job without it has no stated bound on how long it may wait for
    capacity; the SageMaker Python SDK sends it only when ``max_wait`` is
    given, and AWS's spot-training guide always sets it together with
    ``use_spot_instances``. Whether the service rejects a spot job without it
    is not documented, so that half of the check is off unless a team makes it
    its convention with ``require-max-wait: true``.

    ## Example
    ```yaml
    EnableManagedSpotTraining: true
    StoppingCondition:
      MaxRuntimeInSeconds: 86400
      MaxWaitTimeInSeconds: 3600
    ```

    ## Use instead
    ```yaml
    EnableManagedSpotTraining: true
    StoppingCondition:
      MaxRuntimeInSeconds: 86400
      MaxWaitTimeInSeconds: 172800
    ```

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` sets ``MaxWaitTimeInSeconds`` to
    ``MaxRuntimeInSeconds`` plus a margin for waiting on spot capacity
    (``wait-margin-seconds``, default 3600), adding it when it is missing,
    required and ``MaxRuntimeInSeconds`` is set. How long a job may wait for capacity is a
    cost and schedule decision a reviewer should check.

    ## References
    - https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_StoppingCondition.html
    - https://docs.aws.amazon.com/sagemaker/latest/dg/model-managed-spot-training.html
    """

    code = "SM304"
    name = "spot-max-wait-invalid"
    severity = Severity.ERROR
    summary = "Managed spot training whose MaxWaitTimeInSeconds is below MaxRuntimeInSeconds"
    domain = "sagemaker"
    targets = (TrainingJob,)
    Options = SpotWaitOptions
    source_url = SM_SPOT_DOC
    fix = Applicability.UNSAFE
    fix_summary = "`MaxWaitTimeInSeconds` = `MaxRuntimeInSeconds` + `wait-margin-seconds` (default 3600)"

    def check(self, obj: TrainingJob, ctx: Context) -> Iterator[Finding]:
        if not obj.spot or obj.form == "response":
            return  # a saved describe response records a job the service accepted
        stop = obj.get("StoppingCondition")
        if is_unknown(stop) or (stop is not None and not isinstance(stop, dict)):
            return  # unknown, or a schema violation already
        stop = stop or {}
        raw_wait = stop.get("MaxWaitTimeInSeconds")
        if raw_wait is None:
            if ctx.options.require_max_wait:
                where: tuple = ("EnableManagedSpotTraining",)
                if "MaxRuntimeInSeconds" in stop:
                    where = ("StoppingCondition", "MaxRuntimeInSeconds")
                elif "StoppingCondition" in obj.data:
                    where = ("StoppingCondition",)
                runtime = as_int(stop.get("MaxRuntimeInSeconds"))
                fix = None
                if runtime is not None:
                    wait = runtime + ctx.options.wait_margin_seconds
                    fix = Fix([Edit(obj.at("StoppingCondition") + (spelled(obj, "MaxWaitTimeInSeconds"),), wait,
                                    "add")],
                              Applicability.UNSAFE, f"set MaxWaitTimeInSeconds to {wait}")
                yield Finding(
                    obj.at(*where),
                    "managed spot training without StoppingCondition.MaxWaitTimeInSeconds: set it (at least "
                    "MaxRuntimeInSeconds) to bound the time spent waiting for spot capacity plus running",
                    fix=fix,
                )
            return
        wait, runtime = as_int(raw_wait), as_int(stop.get("MaxRuntimeInSeconds"))
        if wait is not None and runtime is not None and wait < runtime:
            yield Finding(
                obj.at("StoppingCondition", "MaxWaitTimeInSeconds"),
                f"MaxWaitTimeInSeconds {wait} is below MaxRuntimeInSeconds {runtime}; it counts waiting for spot "
                "capacity plus running, and must be at least MaxRuntimeInSeconds",
                fix=Fix([Edit(obj.at("StoppingCondition", "MaxWaitTimeInSeconds"),
                              runtime + ctx.options.wait_margin_seconds)],
                        Applicability.UNSAFE,
                        f"set MaxWaitTimeInSeconds to {runtime + ctx.options.wait_margin_seconds}"),
                also=[obj.at("StoppingCondition", "MaxRuntimeInSeconds")],
            )
