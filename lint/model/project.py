"""The Project: every object of every file, indexed so rules can look across files."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Iterator, Optional, TypeVar

from gpulint.model.core import ModelObject
from gpulint.model.kubernetes import K8sObject, Workload

T = TypeVar("T", bound=ModelObject)


class Project:
    def __init__(self, objects: Iterable[ModelObject] = ()) -> None:
        self.objects: list[ModelObject] = list(objects)
        self._by_type: dict[type, list[ModelObject]] = defaultdict(list)
        for obj in self.objects:
            self._by_type[type(obj)].append(obj)
        self._k8s_index: Optional[dict[tuple[str, str], list[K8sObject]]] = None

    def add(self, obj: ModelObject) -> None:
        self.objects.append(obj)
        self._by_type[type(obj)].append(obj)
        self._k8s_index = None

    def of_type(self, *types: type[T]) -> Iterator[T]:
        """Objects that are instances of any of ``types`` (subclasses included)."""
        for cls, objs in self._by_type.items():
            if issubclass(cls, types):
                yield from objs  # type: ignore[misc]

    def has(self, *types: type) -> bool:
        return any(issubclass(cls, types) and objs for cls, objs in self._by_type.items())

    def find_k8s(self, kind: str, name: str, namespace: Optional[str] = None) -> list[K8sObject]:
        """Kubernetes objects by kind and name; namespaces match when both are known."""
        if self._k8s_index is None:
            index: dict[tuple[str, str], list[K8sObject]] = defaultdict(list)
            for obj in self.of_type(K8sObject):
                if obj.name:
                    index[(obj.kind, obj.name)].append(obj)
            self._k8s_index = index
        found = self._k8s_index.get((kind, name), [])
        if namespace is None:
            return list(found)
        return [o for o in found if o.namespace in (None, namespace)]

    def workloads(self) -> Iterator[Workload]:
        return self.of_type(Workload)

    def scale_target(self, ref: Any, namespace: Optional[str], default_kind: str = "Deployment") -> list[Workload]:
        """The workloads a scaleTargetRef names (HPA, KEDA)."""
        if ref is None or not isinstance(getattr(ref, "name", None), str):
            return []
        kind = ref.kind if isinstance(ref.kind, str) else default_kind
        return [o for o in self.find_k8s(kind, ref.name, namespace) if isinstance(o, Workload)]
