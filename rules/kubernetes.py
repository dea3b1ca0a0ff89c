"""Kubernetes GPU workload rules: requests and limits, tolerations, probes, autoscalers."""

from __future__ import annotations

import os
import re
import sys
import weakref
from typing import Any, Iterator, Optional

from pydantic import Field

from gpulint.diagnostics import Applicability, Edit, Fix, Severity
from gpulint.model.core import (
    ContainerRef,
    HorizontalPodAutoscaler,
    K8sObject,
    ModelObject,
    PodTemplate,
    Probe,
    ScaledObject,
    Unknown,
    Workload,
    is_accelerator,
    is_placeholder,
    parse_count,
)
from gpulint.model.kubernetes import Kustomization
from gpulint.model.project import Project
from gpulint.engine.rule import Context, Finding, Rule, RuleOptions, register

K8S_GPU_DOC = "https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/"


def _fmt(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


_PATCH_FILES: "weakref.WeakKeyDictionary[Project, frozenset[str]]" = weakref.WeakKeyDictionary()


def merged(obj: Workload, template: PodTemplate, project: Project) -> bool:
    """Is this pod spec merged over a base gpulint cannot see?

    True for fragments the recogniser marked (a container without an image, a
    KServe model over its ServingRuntime, an LLMInferenceService) and for files
    a kustomization in the linted set applies as patches. What such a spec
    leaves out is unknown, so rules about absent fields stay silent.
    """
    return template.partial or patched(obj, project)


def _is_patch(obj: ModelObject, project: Project) -> bool:
    """For rules that stay silent on absent fields of a merged spec (see :func:`merged`): what they
    report on a kustomize patch depends on whether its kustomization is in the run."""
    return isinstance(obj, Workload) and patched(obj, project)


def patched(obj: Workload, project: Project) -> bool:
    """Does a kustomization in the linted set apply ``obj``'s file as a patch?"""
    patches = _PATCH_FILES.get(project)
    if patches is None:
        patches = frozenset(p for k in project.of_type(Kustomization) for p in k.patch_files)
        _PATCH_FILES[project] = patches
    return bool(patches) and os.path.normpath(obj.file) in patches


_SED_PLACEHOLDER = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")


def unknown_quantity(value: Any) -> bool:
    """A quantity gpulint cannot know: a template placeholder, or a bare
    ``GPU_COUNT``-style token that a sed or envsubst step replaces before apply."""
    return is_placeholder(value) or isinstance(value, str) and bool(_SED_PLACEHOLDER.fullmatch(value.strip()))


def gpu_containers(obj: Workload) -> Iterator[tuple[PodTemplate, ContainerRef]]:
    for t in obj.templates:
        for c in t.containers():
            yield t, c


# --------------------------------------------------------------------------- requests and limits


@register
class GpuLimitMissing(Rule):
    """## What it does
    Flags a container that requests an accelerator (``nvidia.com/gpu``,
    ``aws.amazon.com/neuron``, ``amd.com/gpu``, ...) in ``resources.requests``
    without a limit for it. Limits alone are fine: Kubernetes copies them into
    the requests. A pod spec merged over a base gpulint cannot see (a kustomize
    patch whose container has no image, a KServe ``predictor.model`` over its
    ServingRuntime, an LLMInferenceService over its config templates) may get
    the limit from that base, so it is not reported.

    ## Why is this bad?
    Accelerators are extended resources, which cannot be overcommitted. The API
    server rejects the object with ``Limit must be set for non overcommitable
    resources``, so the Deployment never rolls out.

    ## Example
    ```yaml
    resources:
      requests:
        nvidia.com/gpu: 1
    ```

    ## Use instead
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 1
    ```

    ## Fix safety
    Safe: ``--fix`` adds a limit equal to the request (creating ``limits:`` in
    the style of ``requests:``), which is what the API server demands.

    ## References
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
    """

    code = "GPU101"
    name = "gpu-limit-missing"
    severity = Severity.ERROR
    summary = "An accelerator is requested without a limit (the API server rejects it)"
    targets = (Workload,)
    source_url = K8S_GPU_DOC
    fix = Applicability.SAFE

    reads_other_files = classmethod(lambda cls, obj, project: _is_patch(obj, project))

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        for t, c in gpu_containers(obj):
            if merged(obj, t, ctx.project):
                continue  # a patch or merged template: the limit may come from the base
            limits = c.resources("limits")
            for res, value in c.resources("requests").items():
                if is_accelerator(res) and res not in limits:
                    valid = parse_count(value) is not None or unknown_quantity(value)
                    advice = f"add limits.{res}: {_fmt(value)}" if valid else f"add a whole-number limit for {res}"
                    fix = Fix(
                        [Edit(c.path + ("resources", "limits", res), value, "add",
                              style_of=c.path + ("resources", "requests"))],
                        Applicability.SAFE,
                        f"add limits.{res}: {_fmt(value)}",
                    ) if valid else None
                    yield Finding(
                        c.path + ("resources", "requests", res),
                        f"{c.label} requests {res}: {_fmt(value)} but sets no limit for it; "
                        f"the API server rejects requests without limits for devices: {advice}",
                        fix=fix,
                    )


@register
class GpuRequestLimitMismatch(Rule):
    """## What it does
    Flags a container whose request and limit for the same accelerator differ.

    ## Why is this bad?
    Devices cannot be overcommitted: Kubernetes requires the request to equal the
    limit and rejects the object otherwise (``must be equal to nvidia.com/gpu
    limit``). Even where a template is not applied directly, the two numbers
    disagree about how many devices the container gets.

    ## Example
    ```yaml
    resources:
      requests: {nvidia.com/gpu: 1}
      limits: {nvidia.com/gpu: 2}
    ```

    ## Use instead
    ```yaml
    resources:
      limits: {nvidia.com/gpu: 2}
    ```

    ## Fix safety
    Safe: ``--fix`` sets the request to the limit, the number the device plugin
    allocates.

    ## References
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
    """

    code = "GPU102"
    name = "gpu-request-limit-mismatch"
    severity = Severity.ERROR
    summary = "Accelerator request and limit differ (devices cannot be overcommitted)"
    targets = (Workload,)
    source_url = K8S_GPU_DOC
    fix = Applicability.SAFE

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        for _, c in gpu_containers(obj):
            limits = c.resources("limits")
            for res, req in c.resources("requests").items():
                if not is_accelerator(res) or res not in limits:
                    continue
                lim = limits[res]
                if unknown_quantity(req) or unknown_quantity(lim):
                    continue
                r, l = parse_count(req), parse_count(lim)
                if r is None or l is None or r == l:
                    continue
                yield Finding(
                    c.path + ("resources", "requests", res),
                    f"{c.label} requests {res}: {_fmt(req)} but its limit is {_fmt(lim)}; "
                    f"devices cannot be overcommitted, so the two must be equal (set the request to {_fmt(lim)})",
                    fix=Fix([Edit(c.path + ("resources", "requests", res), lim)], Applicability.SAFE,
                            f"set requests.{res} to {_fmt(lim)}"),
                )


@register
class GpuQuantityInvalid(Rule):
    """## What it does
    Flags an accelerator quantity that is not a whole, non-negative number of
    devices: ``0.5``, ``500m``, ``-1``, ``"two"``.

    ## Why is this bad?
    Extended resources are integer-only; the API server rejects the object with
    ``must be an integer``. Fractional GPUs exist only through time-slicing, MPS
    or MIG, which the device plugin advertises as separate whole units
    (``nvidia.com/mig-1g.5gb: 1``).

    ## Example
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 0.5
    ```

    ## Use instead
    ```yaml
    resources:
      limits:
        nvidia.com/gpu: 1     # or a MIG slice: nvidia.com/mig-1g.5gb: 1
    ```

    ## Fix safety
    No automatic fix: only you know how many devices you meant.

    ## References
    - https://kubernetes.io/docs/tasks/manage-gpus/scheduling-gpus/
    - https://github.com/NVIDIA/k8s-device-plugin#shared-access-to-gpus
    """

    code = "GPU103"
    name = "gpu-quantity-invalid"
    severity = Severity.ERROR
    summary = "An accelerator quantity is not a whole, non-negative number"
    targets = (Workload,)
    source_url = K8S_GPU_DOC

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        for _, c in gpu_containers(obj):
            for which in ("requests", "limits"):
                for res, value in c.resources(which).items():
                    if not is_accelerator(res) or unknown_quantity(value) or value is None:
                        continue
                    if parse_count(value) is None:
                        yield Finding(
                            c.path + ("resources", which, res),
                            f"{c.label} sets {which}.{res} to {_fmt(value)}, which is not a whole number of "
                            f"devices; accelerators are allocated as whole units (e.g. 1); for a share of a GPU "
                            f"use a MIG or time-sliced resource",
                        )


# --------------------------------------------------------------------------- tolerations

#: the taint key conventionally put on nodes that carry each accelerator resource
CONVENTIONAL_TAINT = {
    "nvidia.com/gpu": "nvidia.com/gpu",
    "amd.com/gpu": "amd.com/gpu",
    "aws.amazon.com/neuron": "aws.amazon.com/neuron",
    "habana.ai/gaudi": "habana.ai/gaudi",
}


#: the taint's value is not known (no cluster context): any ``Equal`` value may match it
ANY_VALUE = "\0any"


def tolerates(tolerations: list[Any], key: str, value: Optional[str], effect: str) -> bool:
    """Does any toleration match the taint ``key=value:effect``?

    ``value`` None is a taint without a value; :data:`ANY_VALUE` means the value
    is unknown, and an ``Equal`` toleration for the key gets the benefit of the doubt.
    """
    for t in tolerations:
        op = t.operator if isinstance(t.operator, str) else "Equal"
        t_key = t.key if isinstance(t.key, str) else ""
        t_effect = t.effect if isinstance(t.effect, str) else ""
        if any(is_placeholder(v) for v in (t.key, t.operator, t.effect, t.value)):
            return True  # unknown until render time: give it the benefit of the doubt
        if t_effect and t_effect != effect:
            continue
        if op == "Exists":
            if not t_key or t_key == key:
                return True
            continue
        if op == "Equal" and t_key == key:
            if value == ANY_VALUE:
                return True
            t_value = "" if t.value is None else str(t.value).lower() if isinstance(t.value, bool) else str(t.value)
            if t_value == (value or ""):
                return True
    return False


def implicit_tolerations(template: PodTemplate, enabled: bool) -> set[str]:
    """Taint keys the ExtendedResourceToleration admission plugin tolerates for this pod."""
    if not enabled:
        return set()
    return {res for res in template.accelerators() if template_requests(template, res)}


def template_requests(template: PodTemplate, resource: str) -> bool:
    """The pod requests ``resource`` (a limit counts: it becomes the request)."""
    for c in template.containers():
        if resource in c.resources("requests") or resource in c.resources("limits"):
            return True
    return False


@register
class GpuTolerationMissing(Rule):
    """## What it does
    Flags a GPU workload that cannot tolerate the taints of the nodes it needs.

    GPU nodes are usually tainted so that CPU pods stay off them; a GPU pod must
    then tolerate the taint or it stays ``Pending`` forever. On EKS (since 1.19)
    the ``ExtendedResourceToleration`` admission plugin adds
    ``{key: <resource>, operator: Exists, effect: NoSchedule}`` to every pod that
    requests that extended resource, so a GPU pod needs no explicit toleration
    for a taint keyed ``nvidia.com/gpu`` with effect ``NoSchedule``. gpulint models
    that through the ``extended-resource-toleration`` setting (default ``true``).

    Without cluster configuration in the linted set, the rule checks the
    conventional taint (key = the resource name, effect ``NoSchedule``), so by
    default it stays silent; set ``extended-resource-toleration: false`` for
    clusters that do not run the plugin. With eksctl or Karpenter node pools in
    the linted set, the rule checks the real taints of the pools the workload can
    land on (``dedicated=gpu:NoSchedule``, ``nvidia.com/gpu:NoExecute`` are not
    covered by the plugin).

    Without cluster context the taint's value is unknown, so any toleration for
    the key (``Exists``, or ``Equal`` with whatever value) counts, as does an
    ``Exists`` toleration with an empty key. Fragments (a container without an
    image: a kustomize patch) and KServe LLMInferenceServices, whose pod specs are
    merged over templates gpulint cannot see, are left alone.

    ## Why is this bad?
    A pod that tolerates no pool it can run on never schedules: the rollout
    hangs, or a training job waits while the GPU nodes sit idle.

    ## Example
    ```yaml
    # .gpulint.yaml: extended-resource-toleration: false
    spec:
      containers:
        - name: trainer
          resources:
            limits: {nvidia.com/gpu: 1}
    ```

    ## Use instead
    ```yaml
    spec:
      tolerations:
        - key: nvidia.com/gpu
          operator: Exists
          effect: NoSchedule
      containers:
        - name: trainer
          resources:
            limits: {nvidia.com/gpu: 1}
    ```

    ## Fix safety
    Unsafe: ``--fix --unsafe-fixes`` adds the toleration for the conventional
    (or, with cluster context, the actual) taint; tolerating a taint changes
    where the pod may run, which a reviewer should look at.

    ## References
    - https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
    - https://docs.aws.amazon.com/eks/latest/userguide/platform-versions.html
    """

    code = "GPU104"
    name = "gpu-toleration-missing"
    severity = Severity.WARNING
    summary = "A GPU workload cannot tolerate the taints of the GPU nodes it needs"
    targets = (Workload,)
    cross_file = True
    source_url = "https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/"
    fix = Applicability.UNSAFE

    def check(self, obj: Workload, ctx: Context) -> Iterator[Finding]:
        ert = ctx.config.extended_resource_toleration
        for t in obj.templates:
            accels = t.accelerators()
            if not accels or merged(obj, t, ctx.project):
                continue
            with_cluster = None
            if "gpulint.model.cluster" in sys.modules:  # loaded once a cluster config was seen; else no pools
                from gpulint.rules.cluster import cluster_toleration_findings

                with_cluster = cluster_toleration_findings(obj, t, ctx)
            if with_cluster is not None:  # node pools under lint: check their real taints instead
                yield from with_cluster
                continue
            tolerations = t.spec.tolerations or []
            implicit = implicit_tolerations(t, ert)
            for res in sorted(accels):
                key = CONVENTIONAL_TAINT.get(res)
                if key is None or key in implicit:
                    continue
                if not tolerates(tolerations, key, ANY_VALUE, "NoSchedule"):
                    where = t.path + ("tolerations",) if t.spec.tolerations is not None else t.path
                    yield Finding(
                        where,
                        f"pod {_role(t)}requests {res} but does not tolerate the taint {key}:NoSchedule that GPU "
                        f"nodes conventionally carry, and extended-resource-toleration is off; it will stay "
                        f"Pending: add a toleration {{key: {key}, operator: Exists, effect: NoSchedule}}",
                        fix=Fix(
                            [Edit(t.path + ("tolerations", "-"),
                                  {"key": key, "operator": "Exists", "effect": "NoSchedule"}, "add")],
                            Applicability.UNSAFE,
                            f"add a toleration for {key}:NoSchedule",
                        ),
                    )


def _role(t: PodTemplate) -> str:
    return f"'{t.role}' " if t.role else ""


# --------------------------------------------------------------------------- probes


class ProbeOptions(RuleOptions):
    budget_seconds: int = Field(
        120, ge=1, description="Seconds a GPU container must be allowed to start before a probe may kill it."
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
    targets = (Workload,)
    Options = ProbeOptions
    source_url = "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/"

    reads_other_files = classmethod(lambda cls, obj, project: _is_patch(obj, project))

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


# --------------------------------------------------------------------------- autoscalers

_CPU_MEMORY = {"cpu", "memory"}


def gpu_scale_target(obj: K8sObject, ref: Any, project: Project) -> Optional[Workload]:
    """The GPU workload a scaleTargetRef names, or None when it is not (surely) one.

    A repository often holds several objects of the same kind and name (examples,
    overlays, environments): a target in the autoscaler's own file wins, then one
    in its folder; if the candidates left disagree about being GPU workloads, the
    target is ambiguous and the autoscaler is left alone.
    """
    candidates = project.scale_target(ref, obj.namespace)
    if not candidates:
        return None
    # whole objects first: a kustomize patch of the same kind and name is a fragment
    complete = [w for w in candidates if w.templates and not any(merged(w, t, project) for t in w.templates)]
    candidates = complete or candidates
    same_file = [w for w in candidates if w.source is obj.source]
    if same_file:
        candidates = same_file
    else:
        folder = os.path.dirname(obj.file)
        same_folder = [w for w in candidates if os.path.dirname(w.file) == folder]
        candidates = same_folder or candidates
    if all(w.is_gpu for w in candidates):
        return candidates[0]
    return None


@register
class GpuHpaCpuMetric(Rule):
    """## What it does
    Flags a HorizontalPodAutoscaler whose target is a GPU workload in the linted
    set and that scales only on CPU or memory, or on nothing (which means 80 %
    average CPU).

    The target is found by kind, name and namespace among the linted files (one
    in the HPA's own file or folder first; whole objects before kustomize
    patches). A target outside the linted set, an ambiguous one, or an HPA
    pinned at one size (``minReplicas == maxReplicas``) is left alone.

    ## Why is this bad?
    A GPU inference server is bound by the GPU: its CPU stays low while requests
    queue up, so the HPA never scales out under load (or scales on noise). Scale
    on what saturates: GPU utilisation from the DCGM exporter, queue depth, or
    requests in flight, through a ``Pods`` or ``External`` metric.

    ## Example
    ```yaml
    spec:
      scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: llm-server}
      metrics:
        - type: Resource
          resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
    ```

    ## Use instead
    ```yaml
    spec:
      metrics:
        - type: Pods
          pods:
            metric: {name: DCGM_FI_DEV_GPU_UTIL}
            target: {type: AverageValue, averageValue: "80"}
    ```

    ## Fix safety
    No automatic fix: the right metric depends on your metrics pipeline.

    ## References
    - https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/
    """

    code = "GPU106"
    name = "gpu-hpa-cpu-metric"
    severity = Severity.WARNING
    summary = "An HPA scales a GPU workload only on CPU or memory"
    targets = (HorizontalPodAutoscaler,)
    cross_file = True
    source_url = "https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/horizontal-pod-autoscaler-v2/"

    def check(self, obj: HorizontalPodAutoscaler, ctx: Context) -> Iterator[Finding]:
        spec = obj.spec
        target = gpu_scale_target(obj, spec.scaleTargetRef, ctx.project)
        if target is None:
            return
        metrics = spec.metrics or []
        names: set[str] = set()
        for m in metrics:
            mtype = m.type
            if is_placeholder(mtype):
                return
            if mtype == "Resource" and m.resource is not None and isinstance(m.resource.name, str):
                names.add(m.resource.name)
            elif mtype == "ContainerResource" and m.containerResource is not None and isinstance(
                m.containerResource.name, str
            ):
                names.add(m.containerResource.name)
            else:
                return  # Pods, Object, External or unknown: not CPU-only
        if metrics:
            what = " and ".join(sorted(names))
            path = obj.at("spec", "metrics")
        elif spec.targetCPUUtilizationPercentage is not None:
            what = "cpu"
            path = obj.at("spec", "targetCPUUtilizationPercentage")
        else:
            what = "cpu (the default when no metric is set)"
            path = obj.at("spec", "scaleTargetRef")
        if names - _CPU_MEMORY:
            return
        if _fixed_size(spec.minReplicas if spec.minReplicas is not None else 1, spec.maxReplicas):
            return  # min == max: the HPA never changes the replica count, whatever it measures
        yield Finding(
            path,
            f"HPA scales GPU {target.display()} on {what} only; a GPU server saturates its GPU long before its "
            f"CPU, so it will not scale out under load: scale on a GPU, queue or request metric "
            f"(type Pods or External)",
            related=[target.file],
        )


def _fixed_size(low: Any, high: Any) -> bool:
    return isinstance(low, int) and isinstance(high, int) and high <= low


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
    targets = (ScaledObject,)
    cross_file = True
    Options = KedaOptions
    source_url = "https://keda.sh/docs/latest/reference/scaledobject-spec/"
    fix = Applicability.SAFE

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
        if _fixed_size(spec.minReplicaCount, spec.maxReplicaCount) and spec.minReplicaCount:
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
