"""The rule keda-cooldown-short (GPU107): a KEDA ScaledObject scales a GPU workload in (or to zero)
too eagerly."""

from __future__ import annotations

from typing import Iterator

from pydantic import Field

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.kubernetes import ScaledObject, fixed_size, gpu_scale_target


class KedaOptions(RuleOptions):
    min_seconds: int = Field(300, ge=0, description="Shortest acceptable cooldown or scale-down window, in seconds.")


@register
class KedaCooldownShort(Rule):
    """## What it does
    Flags a KEDA ScaledObject whose target is a GPU workload in the linted set
    and that scales in too eagerly:

    - it can scale to zero (``minReplicaCount`` 0, or absent: KEDA's default is 0;
      or ``idleReplicaCount: 0``) and ``cooldownPeriod`` is below the minimum
      (default 300 s, KEDA's own default); or
    - ``advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds``
      is below the minimum.

    ``cooldownPeriod`` governs only the last step, from 1 replica to 0; scaling
    between 1 and N is the HPA's job. So with ``minReplicaCount >= 1`` a short
    ``cooldownPeriod`` does nothing and is not reported (unless
    ``idleReplicaCount: 0`` sends the workload to zero while idle). A short
    scale-down window with ``selectPolicy: Disabled`` (no scale-down at all) is
    not reported either, nor is a ScaledObject paused with the
    ``autoscaling.keda.sh/paused`` or ``autoscaling.keda.sh/paused-replicas``
    annotation.

    The target is found by kind and name among the linted files (one in the
    ScaledObject's own file or folder first); a target outside the linted set, or
    one that is not a GPU workload, is left alone.

    ## Why is this bad?
    A GPU replica takes minutes to come back (node provisioning, image pull,
    model load). Scaling it away after a short lull means the next burst of
    traffic waits for all of that: the Monday-morning latency incident.

    ## Example
    ```yaml
    spec:
      scaleTargetRef: {name: llm-server}
      cooldownPeriod: 60          # minReplicaCount defaults to 0
    ```

    ## Use instead
    ```yaml
    spec:
      scaleTargetRef: {name: llm-server}
      minReplicaCount: 1          # or keep scale-to-zero with cooldownPeriod: 300+
      cooldownPeriod: 300
    ```

    ## Fix safety
    Safe: ``--fix`` raises the value to the configured minimum.

    ## References
    - https://keda.sh/docs/latest/reference/scaledobject-spec/
    """

    code = "GPU107"
    name = "keda-cooldown-short"
    severity = Severity.WARNING
    summary = "A KEDA ScaledObject scales a GPU workload in (or to zero) too eagerly"
    domain = "kubernetes"
    targets = (ScaledObject,)
    cross_file = True
    Options = KedaOptions
    source_url = "https://keda.sh/docs/latest/reference/scaledobject-spec/"
    fix = Applicability.SAFE
    fix_summary = "raise `cooldownPeriod` / `stabilizationWindowSeconds` to `min-seconds`"

    def check(self, obj: ScaledObject, ctx: Context) -> Iterator[Finding]:
        spec = obj.spec
        ann = obj.annotations
        paused = str(ann.get("autoscaling.keda.sh/paused", "")).lower() == "true"
        if paused or "autoscaling.keda.sh/paused-replicas" in ann:
            return  # paused: KEDA does not scale the target at all
        workload = gpu_scale_target(obj, spec.scaleTargetRef, ctx.project)
        if workload is None:
            return
        minimum = ctx.options.min_seconds
        target = workload.display()
        min_replicas = spec.minReplicaCount if spec.minReplicaCount is not None else 0
        cooldown = spec.cooldownPeriod
        if isinstance(min_replicas, int) and min_replicas == 0:
            how = "minReplicaCount is 0" if spec.minReplicaCount is not None else "minReplicaCount defaults to 0"
        elif isinstance(spec.idleReplicaCount, int) and spec.idleReplicaCount == 0:
            how = "idleReplicaCount is 0"
        else:
            how = ""
        if how and isinstance(cooldown, int) and cooldown < minimum:
            yield Finding(
                obj.at("spec", "cooldownPeriod"),
                f"ScaledObject scales GPU {target} to zero after only {cooldown} s without traffic ({how}); "
                f"bringing a GPU replica back takes minutes: set cooldownPeriod to at least {minimum} "
                + ("or drop idleReplicaCount" if how.startswith("idle") else "or minReplicaCount to 1"),
                fix=Fix([Edit(obj.at("spec", "cooldownPeriod"), minimum)], Applicability.SAFE,
                        f"set cooldownPeriod to {minimum}"),
            )
        adv = spec.advanced
        behavior = adv.horizontalPodAutoscalerConfig.behavior if adv and adv.horizontalPodAutoscalerConfig else None
        down = behavior.scaleDown if behavior else None
        window = down.stabilizationWindowSeconds if down else None
        # selectPolicy: Disabled turns scale-down off altogether: no window is too short then
        never_down = down is not None and down.selectPolicy == "Disabled"
        if fixed_size(spec.minReplicaCount, spec.maxReplicaCount) and spec.minReplicaCount:
            never_down = True  # minReplicaCount == maxReplicaCount >= 1: nothing to scale in
        if isinstance(window, int) and window < minimum and not never_down:
            yield Finding(
                obj.at("spec", "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleDown",
                       "stabilizationWindowSeconds"),
                f"ScaledObject lets the HPA remove GPU {target} replicas after a {window} s scale-down window; "
                f"a GPU replica takes minutes to come back: raise stabilizationWindowSeconds to at least {minimum}",
                fix=Fix([Edit(obj.at("spec", "advanced", "horizontalPodAutoscalerConfig", "behavior", "scaleDown",
                                      "stabilizationWindowSeconds"), minimum)], Applicability.SAFE,
                        f"set stabilizationWindowSeconds to {minimum}"),
            )
