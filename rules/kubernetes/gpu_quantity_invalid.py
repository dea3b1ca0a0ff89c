"""The rule gpu-quantity-invalid (GPU103): an accelerator quantity is not a whole, non-negative
number."""

from __future__ import annotations

from typing import Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import is_accelerator, parse_count
from gpulint.model.kubernetes import Workload, gpu_containers, quantity_text, unknown_quantity
from gpulint.rules.kubernetes import K8S_GPU_DOC


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
    domain = "kubernetes"
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
                            f"{c.label} sets {which}.{res} to {quantity_text(value)}, which is not a whole number of "
                            f"devices; accelerators are allocated as whole units (e.g. 1); for a share of a GPU "
                            f"use a MIG or time-sliced resource",
                        )
