"""Kubernetes recognisers: workloads (built-in kinds, KServe, Ray, training
operators, LeaderWorkerSet, and any custom resource that embeds a pod spec),
HorizontalPodAutoscalers and KEDA ScaledObjects."""

from __future__ import annotations

from typing import Any, Iterator, Optional

from gpulint.diagnostics import Path
from gpulint.load import Document, Source
from gpulint.model.kubernetes.objects import (
    ContainerRef,
    HorizontalPodAutoscaler,
    K8sObject,
    PodTemplate,
    ScaledObject,
    Workload,
)
from gpulint.model.kubernetes.shapes import (
    Container,
    HPASpec,
    KServeComponentScaling,
    ObjectMeta,
    PodSpec,
    ScaledObjectSpec,
)
from gpulint.model.recognize import Recognised, Violation, dig, recogniser, validate_shape

IGNORE_ANNOTATION = "gpulint.io/ignore"

#: kind -> path of the pod template (metadata + spec) inside the object
TEMPLATE_PATHS: dict[str, tuple[Path, ...]] = {
    "Pod": ((),),  # metadata/spec at the top
    "PodTemplate": (("template",),),
    "Deployment": (("spec", "template"),),
    "StatefulSet": (("spec", "template"),),
    "ReplicaSet": (("spec", "template"),),
    "ReplicationController": (("spec", "template"),),
    "DaemonSet": (("spec", "template"),),
    "Job": (("spec", "template"),),
    "CronJob": (("spec", "jobTemplate", "spec", "template"),),
}
BUILTIN_GROUPS = {"", "apps", "batch", "extensions", "apps/v1beta1", "apps/v1beta2"}
#: groups whose resources hold AWS API requests, not pods, though their containers name an ``image``
#: (the legacy SageMaker operator's HostingDeployment models, ACK's SageMaker Model)
AWS_REQUEST_GROUPS = {"sagemaker.aws.amazon.com", "sagemaker.services.k8s.aws"}

KSERVE_COMPONENTS = ("predictor", "transformer", "explainer")
LLM_KINDS = ("LLMInferenceService", "LLMInferenceServiceConfig")
KSERVE_FRAMEWORKS = (
    "model", "sklearn", "xgboost", "tensorflow", "pytorch", "triton", "onnx", "huggingface",
    "pmml", "lightgbm", "paddle", "art", "alibi",
)


def ignored_rules(annotations: Any) -> frozenset[str]:
    if not isinstance(annotations, dict):
        return frozenset()
    value = annotations.get(IGNORE_ANNOTATION)
    if not isinstance(value, str):
        return frozenset()
    return frozenset(part.strip() for part in value.split(",") if part.strip())


def _meta(data: Any, doc_index: int, base: Path, violations: list[Violation]) -> ObjectMeta:
    raw = data.get("metadata") if isinstance(data, dict) else None
    if raw is None:
        return ObjectMeta()
    meta = validate_shape(ObjectMeta, raw, doc_index, base + ("metadata",), violations, "metadata")
    return meta or ObjectMeta()


def _pod_spec(raw: Any, doc_index: int, path: Path, violations: list[Violation], label: str) -> Optional[PodSpec]:
    if not isinstance(raw, dict):
        if raw is not None:
            violations.append(Violation(doc_index, path, f"'{label}': expected a mapping"))
        return None
    if "containers" not in raw:
        raw = {**raw, "containers": []}
    return validate_shape(PodSpec, raw, doc_index, path, violations, label)


def _template(
    obj_data: Any, tpath: Path, doc_index: int, violations: list[Violation], role: str = ""
) -> Optional[PodTemplate]:
    """The pod template at ``tpath`` (a mapping with metadata + spec)."""
    tdata = dig(obj_data, *tpath) if tpath else obj_data
    if tdata is None:
        return None
    label = ".".join(str(p) for p in tpath) or ""
    if not isinstance(tdata, dict):
        violations.append(Violation(doc_index, tpath, f"'{label}': expected a mapping"))
        return None
    spec = _pod_spec(tdata.get("spec"), doc_index, tpath + ("spec",), violations, f"{label}.spec".lstrip("."))
    if spec is None:
        return None
    meta = tdata.get("metadata") if isinstance(tdata.get("metadata"), dict) else {}
    ann = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
    return PodTemplate(tpath + ("spec",), spec, role=role, annotations=ann, labels=labels)


def _find_pod_specs(data: Any, path: Path, depth: int = 0) -> Iterator[Path]:
    """Paths of every mapping shaped like a pod spec: ``containers`` holds objects with ``image``."""
    if depth > 12:
        return
    if isinstance(data, dict):
        containers = data.get("containers")
        if isinstance(containers, list) and any(isinstance(c, dict) and "image" in c for c in containers):
            yield path
            return
        for key, value in data.items():
            if isinstance(value, (dict, list)) and key not in ("status", "metadata"):
                yield from _find_pod_specs(value, path + (key,), depth + 1)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, (dict, list)):
                yield from _find_pod_specs(value, path + (i,), depth + 1)


def _role(path: Path) -> str:
    parts: list[str] = []
    for step in path:
        if step in ("spec", "template"):
            continue
        parts.append(f"[{step}]" if isinstance(step, int) else str(step))
    return ".".join(parts).replace(".[", "[")


def _kserve_templates(data: dict, doc_index: int, violations: list[Violation]) -> list[PodTemplate]:
    out: list[PodTemplate] = []
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return out
    for comp in KSERVE_COMPONENTS:
        cdata = spec.get(comp)
        if cdata is None:
            continue
        cpath: Path = ("spec", comp)
        pod = _pod_spec(cdata, doc_index, cpath, violations, f"spec.{comp}")
        if pod is None:
            continue
        extras: list[ContainerRef] = []
        for fw in KSERVE_FRAMEWORKS:
            raw = cdata.get(fw)
            if raw is None:
                continue
            c = validate_shape(Container, raw, doc_index, cpath + (fw,), violations, f"spec.{comp}.{fw}")
            if c is not None:
                extras.append(ContainerRef(cpath + (fw,), c))
        ann = cdata.get("annotations") if isinstance(cdata.get("annotations"), dict) else {}
        labels = cdata.get("labels") if isinstance(cdata.get("labels"), dict) else {}
        # a model (or framework) container is merged over a ServingRuntime, which may
        # bring probes, tolerations and resources of its own: absent fields are unknown
        scaling = validate_shape(KServeComponentScaling, cdata, doc_index, cpath, violations, f"spec.{comp}")
        out.append(PodTemplate(cpath, pod, role=comp, annotations=ann, labels=labels, extra_containers=extras,
                               partial=bool(extras), scaling=scaling))
        worker = cdata.get("workerSpec")
        if isinstance(worker, dict):
            wpod = _pod_spec(worker, doc_index, cpath + ("workerSpec",), violations, f"spec.{comp}.workerSpec")
            if wpod is not None:
                # with a model, the workerSpec is merged over the runtime's workerSpec too
                out.append(PodTemplate(cpath + ("workerSpec",), wpod, role=f"{comp}.workerSpec",
                                       partial=bool(extras)))
    return out


def _llm_templates(data: dict, doc_index: int, violations: list[Violation]) -> list[PodTemplate]:
    """KServe LLMInferenceService (and its Config): pod specs merged over config templates.

    ``spec.template`` and ``spec.worker`` (and the same under ``spec.prefill``) are
    PodSpecs whose containers usually carry no image: KServe merges them over its
    well-known config templates (which bring the image, probes and more), so what
    the file leaves out is unknown rather than absent.
    """
    out: list[PodTemplate] = []
    for where in (("spec",), ("spec", "prefill")):
        for field_name in ("template", "worker"):
            path = where + (field_name,)
            raw = dig(data, *path)
            if raw is None:
                continue
            label = ".".join(str(p) for p in path)
            pod = _pod_spec(raw, doc_index, path, violations, label)
            if pod is None:
                continue
            role = ".".join(p for p in path[1:] if p != "template")
            out.append(PodTemplate(path, pod, role=role, partial=True))
    return out


def _mark_patches(templates: list[PodTemplate]) -> list[PodTemplate]:
    """A built-in workload whose container has no image, or that has no containers,
    is a fragment (a kustomize patch, an overlay): the API server requires both, so
    the rest of the object lives elsewhere and what the fragment leaves out is unknown."""
    for t in templates:
        if not t.spec.containers or any(c.image is None for c in t.spec.containers):
            t.partial = True
    return templates


def _templates(kind: str, group: str, data: dict, doc_index: int, violations: list[Violation]) -> list[PodTemplate]:
    if group in BUILTIN_GROUPS and kind in TEMPLATE_PATHS:
        out = []
        for tpath in TEMPLATE_PATHS[kind]:
            t = _template(data, tpath, doc_index, violations, role="")
            if t is not None:
                out.append(t)
        return _mark_patches(out)
    if group == "serving.kserve.io" and kind == "InferenceService":
        return _mark_patches(_kserve_templates(data, doc_index, violations))
    if group == "serving.kserve.io" and kind in LLM_KINDS:
        return _llm_templates(data, doc_index, violations)
    # Custom resources (Ray, training operators, LeaderWorkerSet, ...): any pod-spec shape.
    out = []
    spec = data.get("spec")
    for ppath in _find_pod_specs(spec, ("spec",)):
        parent = ppath[:-1]
        if ppath and ppath[-1] == "spec" and isinstance(dig(data, *parent), dict):
            t = _template(data, parent, doc_index, violations, role=_role(parent))
        else:
            pod = _pod_spec(dig(data, *ppath), doc_index, ppath, violations, _role(ppath))
            t = PodTemplate(ppath, pod, role=_role(ppath)) if pod is not None else None
        if t is not None:
            out.append(t)
    return out


def _recognise_object(source: Source, doc: Document, data: dict, base: Path, result: Recognised) -> None:
    api = data.get("apiVersion")
    kind = data.get("kind")
    if not isinstance(api, str) or not isinstance(kind, str):
        return
    if kind == "List" and isinstance(data.get("items"), list):
        for i, item in enumerate(data["items"]):
            if isinstance(item, dict):
                _recognise_object(source, doc, item, base + ("items", i), result)
        return
    group = api.split("/")[0] if "/" in api else ""
    if group in AWS_REQUEST_GROUPS:
        return
    local: list[Violation] = []
    meta = _meta(data, doc.index, (), local)
    common = dict(
        source=source,
        doc_index=doc.index,
        base=base,
        kind=kind,
        name=meta.name if isinstance(meta.name, str) else None,
        api_version=api,
        namespace=meta.namespace if isinstance(meta.namespace, str) else None,
        labels=meta.labels or {},
        annotations=meta.annotations or {},
    )
    obj: Optional[K8sObject] = None
    if kind == "HorizontalPodAutoscaler" and group == "autoscaling":
        spec = validate_shape(HPASpec, data.get("spec") or {}, doc.index, ("spec",), local, "spec")
        if spec is not None:
            obj = HorizontalPodAutoscaler(**common, spec=spec)
    elif kind == "ScaledObject" and group == "keda.sh":
        spec = validate_shape(ScaledObjectSpec, data.get("spec") or {}, doc.index, ("spec",), local, "spec")
        if spec is not None:
            obj = ScaledObject(**common, spec=spec)
    else:
        templates = _templates(kind, group, data, doc.index, local)
        if templates or (group in BUILTIN_GROUPS and kind in TEMPLATE_PATHS):
            for t in templates:
                t.path = base + t.path
                for c in t.extra_containers:
                    c.path = base + c.path
            obj = Workload(**common, templates=templates)
    for v in local:
        v.path = base + v.path
    result.violations.extend(local)
    if obj is None:
        return
    ignores: dict[Path, frozenset[str]] = {}
    top = ignored_rules(meta.annotations)
    if top:
        ignores[base] = top
    if isinstance(obj, Workload):
        for t in obj.templates:
            rules = ignored_rules(t.annotations)
            if rules:
                # the template's metadata sits beside its spec
                ignores[t.path[:-1] if t.path[-1:] == ("spec",) else t.path] = rules
    obj.ignores = ignores
    result.objects.append(obj)


@recogniser(priority=10)
def recognise_kubernetes(source: Source, doc: Document) -> Optional[Recognised]:
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str) or "apiVersion" not in data:
        return None
    result = Recognised()
    _recognise_object(source, doc, data, (), result)
    return result
