"""The rule gpu-probe-too-short (GPU105): a GPU container's probes would kill it before a model can
load."""

from __future__ import annotations

from typing import Iterator, Optional

from pydantic import Field

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register
from gpulint.model.core import Unknown
from gpulint.model.kubernetes import Probe, Workload, gpu_containers, is_patch, merged


class ProbeOptions(RuleOptions):
    budget_seconds: int = Field(
        120, ge=1, description="Seconds a GPU container must be allowed to start before a probe may kill it."
    )


@register
class GpuProbeTooShort(Rule):
    """## What it does
    Flags a GPU container whose probes would kill it before a model can load:
    there is no ``startupProbe`` and the liveness probe gives up after
    ``initialDelaySeconds + failureThreshold x periodSeconds`` seconds (Kubernetes
    defaults: 0 + 3 x 10 = 30 s), below a budget (default 120 s); or the
    ``startupProbe`` itself allows less than the budget. Only containers that
    ask for an accelerator are checked. When the pod spec is merged over a base
    gpulint cannot see (a kustomize patch; a KServe LLMInferenceService, whose
    config templates bring a startupProbe), a missing startupProbe is not
    reported. KubeRay pods (RayCluster, RayService, RayJob) are left alone:
    their probes watch the raylet and the dashboard, which come up in seconds,
    while models load later inside Ray actors.

    ## Why is this bad?
    Loading weights onto a GPU takes minutes for large models. The kubelet kills
    the container when the liveness probe fails, the model starts loading again,
    and the pod crash-loops without ever serving: a classic with Triton and vLLM.

    ## Example
    ```yaml
    livenessProbe:
      httpGet: {path: /health, port: 8000}
      periodSeconds: 10
    ```

    ## Use instead
    ```yaml
    startupProbe:                 # liveness waits until this succeeds
      httpGet: {path: /health, port: 8000}
      periodSeconds: 10
      failureThreshold: 60        # up to 600 s to load
    livenessProbe:
      httpGet: {path: /health, port: 8000}
      periodSeconds: 10
    ```

    A startupProbe is better than a long ``initialDelaySeconds`` on the liveness
    probe, which delays the detection of every later hang too.

    ## Fix safety
    No automatic fix: the right budget depends on the model.

    ## References
    - https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
    """

    code = "GPU105"
    name = "gpu-probe-too-short"
    severity = Severity.WARNING
    summary = "A GPU container's probes would kill it before a model can load"
    domain = "kubernetes"
    targets = (Workload,)
    Options = ProbeOptions
    source_url = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"

    reads_other_files = classmethod(lambda cls, obj, project: is_patch(obj, project))

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        if obj.group == "ray.io":
            return  # Ray pods' probes watch the raylet and dashboard; models load later, in actors
        budget = ctx.options.budget_seconds
        for t, c in gpu_containers(obj):
            if not c.accelerators() or c.init and not c.is_sidecar:
                continue
            if c.spec.startupProbe is not None:
                probe, field = c.spec.startupProbe, "startupProbe"
            elif merged(obj, t, ctx.project):
                continue  # the base (kustomize base, KServe config template) may bring a startupProbe
            elif c.spec.livenessProbe is not None:
                probe, field = c.spec.livenessProbe, "livenessProbe"
            else:
                continue
            computed = probe_budget(probe)
            if computed is None:
                continue
            total, how = computed
            if total >= budget:
                continue
            if field == "livenessProbe":
                advice = (f"add a startupProbe allowing at least {budget} s "
                          f"(e.g. failureThreshold {-(-budget // 10)} x periodSeconds 10)")
                lead = "has no startupProbe, and its liveness probe"
            else:
                advice = f"raise failureThreshold x periodSeconds to at least {budget} s"
                lead = "has a startup probe that"
            yield Finding(
                c.path + (field,),
                f"GPU {c.label} {lead} kills it after {total} s ({how}), less than the {budget} s a model "
                f"may need to load: {advice}",
            )


def probe_budget(probe: Probe) -> Optional[tuple[int, str]]:
    """Seconds until the probe kills a container that never answers, and how."""
    values = {
        "initialDelaySeconds": probe.initialDelaySeconds,
        "failureThreshold": probe.failureThreshold,
        "periodSeconds": probe.periodSeconds,
    }
    if any(isinstance(v, Unknown) for v in values.values()):
        return None
    delay = values["initialDelaySeconds"] if values["initialDelaySeconds"] is not None else 0
    threshold = values["failureThreshold"] if values["failureThreshold"] is not None else 3
    period = values["periodSeconds"] if values["periodSeconds"] is not None else 10
    total = delay + threshold * period
    return total, f"initialDelaySeconds {delay} + failureThreshold {threshold} x periodSeconds {period}"
