"""The rule gpu-quantity-invalid (GPU103): an accelerator quantity is not a whole, non-negative
number."""

from __future__ import annotations

from typing import Any, Iterator

from gpulint.diagnostics import Severity
from gpulint.engine.rule import Context, Finding, Rule, register
from gpulint.model.core import MAX_COUNT_DIGITS, is_accelerator, parse_count, parse_quantity
from gpulint.model.kubernetes import Workload, gpu_containers, quantity_text, unknown_quantity
from gpulint.rules.kubernetes import K8S_GPU_DOC


@register
class GpuQuantityInvalid(Rule):
    """## What it does
    Flags an accelerator quantity that is not a whole, non-negative number of
    devices: ``0.5``, ``500m``, ``-1``, ``"two"``, a number of more than 18
    digits, digits other than ASCII ``0``-``9`` (``"２"``), and ``null``, which
    the API server reads as a quantity of 0 rather than as unset.

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
    - https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
      (``Quantity.UnmarshalJSON``: ``null`` is a zero quantity; ``ParseQuantity``: ASCII digits)
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
                    if not is_accelerator(res) or unknown_quantity(value):
                        continue
                    path = c.path + ("resources", which, res)
                    if value is None:
                        yield Finding(
                            path,
                            f"{c.label} sets {which}.{res} to null, which the API server reads as a quantity of 0, "
                            f"not as unset; set a whole number of devices (e.g. 1) or remove the entry",
                        )
                    elif parse_count(value) is None:
                        yield Finding(path, f"{c.label} sets {which}.{res} to {_problem(value)}")


_ADVICE = ("accelerators are allocated as whole units (e.g. 1); for a share of a GPU "
           "use a MIG or time-sliced resource")


def _problem(value: Any) -> str:
    """What is wrong with a quantity that is not a count, for the message."""
    text = value.strip() if isinstance(value, str) else None
    if text is not None:
        quantity = parse_quantity(text)
        whole = text.isascii() and text.isdigit() or quantity is not None and quantity.denominator == 1
    else:
        quantity = value
        whole = isinstance(value, int) or isinstance(value, float) and value.is_integer()
    if whole and not isinstance(value, bool) and (quantity is None or quantity >= 0):
        return (f"a number of more than {MAX_COUNT_DIGITS} digits, which is not a count of devices; "
                f"accelerators are allocated as whole units (e.g. 1)")
    shown = quantity_text(value)
    if len(shown) > 40:
        shown = shown[:36] + "...'"
    if text is not None and not text.isascii() and any(ch.isdigit() for ch in text):
        return (f"{shown}, which is not a whole number of devices: the API server reads only the ASCII "
                f"digits 0-9; {_ADVICE}")
    return f"{shown}, which is not a whole number of devices; {_ADVICE}"
