#!/usr/bin/env python3
"""Generate gpulint's instance catalog, ``lint/data/instances.json``.

Two modes:

``--live``
    Reads ``ec2.describe_instance_types`` through boto3 (paginated; there are no
    server-side GPU or Neuron filters, so the accelerator types and the common
    CPU families are kept by a client-side filter). Needs AWS credentials and a
    region from the usual AWS settings.

default (offline)
    Uses the hardware facts listed in this script (the accelerator table of
    DescribeInstanceTypes as published in Karpenter's generated instance-type
    reference, and the regular vCPU/memory shape of common CPU families).

Both modes take the set of valid names from the botocore service models: every
value of the ec2 ``InstanceType`` enum, and every ``ml.`` value of the
sagemaker ``*InstanceType`` enums (with the API usages it is valid for). A name
that is in those enums but has no hardware facts is *known* (not an unknown
instance type) with unknown accelerator counts; rules stay silent about it.

The file records when and how it was produced (``generated``, ``source``).

    python scripts/gen_instance_catalog.py            # offline
    python scripts/gen_instance_catalog.py --live     # needs AWS credentials
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
from typing import Any, Iterable, Optional

FORMAT = 1
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "lint", "data", "instances.json")

# --------------------------------------------------------------------------- offline facts

GIB = 1024

#: size suffix -> vCPUs for families whose sizes follow the regular shape
_SIZE_VCPUS = {"medium": 1, "large": 2, "xlarge": 4}
#: CPU families with a fixed memory-per-vCPU ratio (GiB), metal excluded
CPU_FAMILIES = {
    **{f: 4 for f in ("m5", "m5a", "m5d", "m5n", "m6a", "m6g", "m6gd", "m6i", "m6id", "m7a", "m7g", "m7gd", "m7i",
                      "m8g")},
    **{f: 2 for f in ("c5", "c5a", "c5d", "c6a", "c6g", "c6gd", "c6i", "c6id", "c7a", "c7g", "c7gd", "c7i", "c8g")},
    **{f: 8 for f in ("r5", "r5a", "r5d", "r5n", "r6a", "r6g", "r6gd", "r6i", "r6id", "r7a", "r7g", "r7gd", "r7i",
                      "r8g")},
}
#: burstable families: size -> (vCPUs, GiB)
BURSTABLE = {
    "nano": (2, 0.5), "micro": (2, 1), "small": (2, 2), "medium": (2, 4), "large": (2, 8), "xlarge": (4, 16),
    "2xlarge": (8, 32),
}
BURSTABLE_FAMILIES = ("t3", "t3a", "t4g")

NVIDIA = "nvidia.com/gpu"
NEURON = "aws.amazon.com/neuron"


def _gpu(model: str, count: int, mib: int) -> dict:
    return {"vendor": "NVIDIA", "model": model, "resource": NVIDIA, "count": count, "memory_mib": mib}


def _neuron(model: str, count: int, gib: int, cores: Optional[int]) -> dict:
    return {"vendor": "AWS", "model": model, "resource": NEURON, "count": count, "memory_mib": gib * GIB,
            "cores": cores}


def _rows(family: str, sizes: Iterable[tuple[str, Optional[int], int]], make) -> dict[str, dict]:
    return {f"{family}.{size}": {"vcpus": vcpus, "accelerators": [make(count)]} for size, vcpus, count in sizes}


def accelerator_facts() -> dict[str, dict]:
    """GPU and Neuron types: vCPUs and accelerators (host memory not recorded offline)."""
    out: dict[str, dict] = {}
    small = [("xlarge", 4, 1), ("2xlarge", 8, 1), ("4xlarge", 16, 1), ("8xlarge", 32, 1), ("16xlarge", 64, 1)]
    out.update(_rows("g4dn", small + [("12xlarge", 48, 4), ("metal", 96, 8)], lambda n: _gpu("T4", n, 16384)))
    big = small + [("12xlarge", 48, 4), ("24xlarge", 96, 4), ("48xlarge", 192, 8)]
    out.update(_rows("g5", big, lambda n: _gpu("A10G", n, 22888)))
    out.update(_rows("g6", big, lambda n: _gpu("L4", n, 22888)))
    out.update(_rows("g6e", big, lambda n: _gpu("L40S", n, 45776)))
    out.update(_rows("g7e", [("2xlarge", None, 1), ("4xlarge", None, 1), ("8xlarge", None, 1), ("12xlarge", None, 2),
                             ("24xlarge", None, 4), ("48xlarge", None, 8)],
                     lambda n: _gpu("RTX PRO Server 6000", n, 98304)))
    out.update(_rows("p3", [("2xlarge", None, 1), ("8xlarge", None, 4), ("16xlarge", None, 8)],
                     lambda n: _gpu("V100", n, 16384)))
    out.update(_rows("p3dn", [("24xlarge", 96, 8)], lambda n: _gpu("V100", n, 32768)))
    out.update(_rows("p4d", [("24xlarge", 96, 8)], lambda n: _gpu("A100", n, 40960)))
    out.update(_rows("p4de", [("24xlarge", 96, 8)], lambda n: _gpu("A100", n, 81920)))
    out.update(_rows("p5", [("4xlarge", 16, 1), ("48xlarge", 192, 8)], lambda n: _gpu("H100", n, 81920)))
    out.update(_rows("p5e", [("48xlarge", 192, 8)], lambda n: _gpu("H200", n, 144384)))
    out.update(_rows("p5en", [("48xlarge", 192, 8)], lambda n: _gpu("H200", n, 144384)))
    out.update(_rows("p6-b200", [("48xlarge", None, 8)], lambda n: _gpu("B200", n, 183359)))
    # Neuron: devices, and NeuronCores per device
    for size, vcpus, n in (("xlarge", 4, 1), ("2xlarge", 8, 1), ("6xlarge", 24, 4), ("24xlarge", 96, 16)):
        out[f"inf1.{size}"] = {"vcpus": vcpus, "accelerators": [_neuron("Inferentia", n, 8, 4 * n)]}
    for size, vcpus, n in (("xlarge", 4, 1), ("8xlarge", 32, 1), ("24xlarge", 96, 6), ("48xlarge", 192, 12)):
        out[f"inf2.{size}"] = {"vcpus": vcpus, "accelerators": [_neuron("Inferentia2", n, 32, 2 * n)]}
    out["trn1.2xlarge"] = {"vcpus": 8, "accelerators": [_neuron("Trainium", 1, 32, 2)]}
    for name in ("trn1.32xlarge", "trn1n.32xlarge"):
        out[name] = {"vcpus": 128, "accelerators": [_neuron("Trainium", 16, 32, 32)]}
    # trn2: the advertised NeuronCore count depends on the logical-core setting; left unknown
    out["trn2.48xlarge"] = {"vcpus": 192, "accelerators": [_neuron("Trainium2", 16, 96, None)]}
    return out


#: families with accelerators whose counts are not recorded offline (known to be accelerated)
ACCELERATED_FAMILIES = (
    "g3", "g3s", "g4ad", "g4dn", "g5", "g5g", "g6", "g6e", "g6f", "g7e", "gr6", "gr6f", "p2", "p3", "p3dn", "p4d",
    "p4de", "p5", "p5e", "p5en", "p6-b200", "p6-b300", "p6e-gb200", "inf1", "inf2", "trn1", "trn1n", "trn2",
    "trn2u", "dl1", "dl2q", "g2", "cg1",
)
#: families whose accelerators (FPGA, video transcoders) are not Kubernetes accelerator resources we model
OTHER_ACCELERATOR_FAMILIES = ("f1", "f2", "vt1")


def _size_vcpus(size: str) -> Optional[int]:
    if size in _SIZE_VCPUS:
        return _SIZE_VCPUS[size]
    m = re.fullmatch(r"(\d+)xlarge", size)
    return int(m.group(1)) * 4 if m else None


def cpu_facts(ec2_names: Iterable[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name in ec2_names:
        family, _, size = name.partition(".")
        if family in CPU_FAMILIES:
            vcpus = _size_vcpus(size)
            if vcpus is None:
                continue
            out[name] = {"vcpus": vcpus, "memory_mib": vcpus * CPU_FAMILIES[family] * GIB, "accelerators": []}
        elif family in BURSTABLE_FAMILIES and size in BURSTABLE:
            vcpus, gib = BURSTABLE[size]
            out[name] = {"vcpus": vcpus, "memory_mib": int(gib * GIB), "accelerators": []}
    return out


# --------------------------------------------------------------------------- botocore enums

#: EC2 names in use (AWS documentation, the eksctl Neuron device-plugin manifest) that the botocore
#: enum of this release lacks
EXTRA_EC2_NAMES = ("trn2u.48xlarge",)

#: sagemaker enum shape -> usage key
SAGEMAKER_ENUMS = {
    "ProductionVariantInstanceType": "hosting",
    "TrainingInstanceType": "training",
    "TransformInstanceType": "transform",
    "ProcessingInstanceType": "processing",
    "InstanceType": "notebook",
    "AppInstanceType": "studio",
    "ClusterInstanceType": "hyperpod",
}


def botocore_names() -> tuple[list[str], dict[str, list[str]]]:
    """(every EC2 instance type name, {ml. name: [usages]}) from the botocore service models."""
    import botocore.session

    session = botocore.session.get_session()
    ec2 = session.get_service_model("ec2").shape_for("InstanceType").enum
    sm_model = session.get_service_model("sagemaker")
    sagemaker: dict[str, list[str]] = {}
    for shape, usage in SAGEMAKER_ENUMS.items():
        if shape not in sm_model.shape_names:
            continue
        for name in sm_model.shape_for(shape).enum or []:
            if name.startswith("ml."):
                sagemaker.setdefault(name, []).append(usage)
    return sorted(set(ec2) | set(EXTRA_EC2_NAMES)), {k: sorted(v) for k, v in sorted(sagemaker.items())}


# --------------------------------------------------------------------------- live

#: CPU families kept from the live data besides accelerator types
LIVE_CPU_FAMILIES = tuple(CPU_FAMILIES) + BURSTABLE_FAMILIES

_GPU_RESOURCE = {"NVIDIA": NVIDIA, "AMD": "amd.com/gpu", "Habana": "habana.ai/gaudi"}


def _from_describe(item: dict) -> Optional[dict]:
    """One ``InstanceTypes[]`` entry of describe_instance_types -> a catalog entry (None: not kept)."""
    name = item.get("InstanceType", "")
    family = name.split(".")[0]
    gpu_info = item.get("GpuInfo") or {}
    neuron_info = item.get("NeuronInfo") or {}
    accels: list[dict] = []
    for g in gpu_info.get("Gpus") or []:
        vendor = g.get("Manufacturer") or ""
        partial = g.get("GpuPartitionSize")
        count = g.get("Count")
        if partial is not None and partial < 1:
            count = None  # fractional GPU: not whole devices
        accels.append({
            "vendor": vendor, "model": g.get("Name"), "resource": _GPU_RESOURCE.get(vendor),
            "count": count, "memory_mib": (g.get("MemoryInfo") or {}).get("SizeInMiB"),
        })
    for d in neuron_info.get("NeuronDevices") or []:
        count = d.get("Count")
        cores = (d.get("CoreInfo") or {}).get("Count")
        accels.append({
            "vendor": "AWS", "model": d.get("Name"), "resource": NEURON, "count": count,
            "memory_mib": (d.get("MemoryInfo") or {}).get("SizeInMiB"),
            "cores": cores * count if isinstance(cores, int) and isinstance(count, int) else None,
        })
    if not accels and family not in LIVE_CPU_FAMILIES:
        return None
    return {
        "vcpus": (item.get("VCpuInfo") or {}).get("DefaultVCpus"),
        "memory_mib": (item.get("MemoryInfo") or {}).get("SizeInMiB"),
        "accelerators": accels,
    }


def live_facts(client: Any) -> dict[str, dict]:
    """Hardware facts from describe_instance_types (all pages), filtered on the client."""
    out: dict[str, dict] = {}
    for page in client.get_paginator("describe_instance_types").paginate(PaginationConfig={"PageSize": 100}):
        for item in page.get("InstanceTypes", []):
            entry = _from_describe(item)
            if entry is not None:
                out[item["InstanceType"]] = entry
    return out


# --------------------------------------------------------------------------- assemble


def build(ec2_names: list[str], sagemaker: dict[str, list[str]], hardware: dict[str, dict],
          generated: str, source: str) -> dict:
    hw: dict[str, dict] = {}
    for name in sorted(set(hardware) | {n for n in ec2_names if n.split(".")[0] in ACCELERATED_FAMILIES}):
        entry = dict(hardware.get(name, {}))
        entry.setdefault("vcpus", None)
        entry.setdefault("memory_mib", None)
        if "accelerators" not in entry:
            entry["accelerators"] = None  # accelerated, counts unknown
        entry["accelerated"] = bool(entry["accelerators"]) or name.split(".")[0] in ACCELERATED_FAMILIES
        hw[name] = entry
    return {
        "format": FORMAT,
        "generated": generated,
        "source": source,
        "ec2": ec2_names,
        "accelerated_families": sorted(ACCELERATED_FAMILIES),
        "other_accelerator_families": sorted(OTHER_ACCELERATOR_FAMILIES),
        "sagemaker": sagemaker,
        "hardware": hw,
    }


OFFLINE_SOURCE = (
    "offline: names from the botocore {version} ec2 InstanceType enum (plus trn2u.48xlarge, which it lacks) "
    "and sagemaker *InstanceType enums; "
    "accelerator counts, models and per-device memory from DescribeInstanceTypes as published in Karpenter's "
    "instance-type reference; CPU families from their regular vCPU/memory shape; host memory of accelerator "
    "types not recorded"
)
LIVE_SOURCE = (
    "live: ec2.describe_instance_types in {region} (accelerator types and common CPU families); names from the "
    "botocore {version} ec2 and sagemaker enums"
)


def generate(client: Any = None, today: Optional[str] = None) -> dict:
    import botocore

    ec2_names, sagemaker = botocore_names()
    today = today or _dt.date.today().isoformat()
    if client is not None:
        hardware = live_facts(client)
        source = LIVE_SOURCE.format(region=client.meta.region_name, version=botocore.__version__)
        # accelerator facts the live data lacks (a region without the type) come from the offline table
        for name, entry in accelerator_facts().items():
            hardware.setdefault(name, entry)
    else:
        hardware = {**cpu_facts(ec2_names), **accelerator_facts()}
        source = OFFLINE_SOURCE.format(version=botocore.__version__)
    return build(ec2_names, sagemaker, hardware, today, source)


def dump(data: dict) -> str:
    """Stable, diff-friendly JSON: one hardware entry per line."""
    lines = ["{"]
    for key in ("format", "generated", "source"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(data[key])},")
    for key in ("ec2", "accelerated_families", "other_accelerator_families"):
        lines.append(f"  {json.dumps(key)}: {json.dumps(data[key])},")
    lines.append('  "sagemaker": {')
    items = list(data["sagemaker"].items())
    for i, (k, v) in enumerate(items):
        lines.append(f"    {json.dumps(k)}: {json.dumps(v)}{',' if i < len(items) - 1 else ''}")
    lines.append("  },")
    lines.append('  "hardware": {')
    hw = list(data["hardware"].items())
    for i, (k, v) in enumerate(hw):
        lines.append(f"    {json.dumps(k)}: {json.dumps(v, sort_keys=True)}{',' if i < len(hw) - 1 else ''}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="read describe_instance_types (needs AWS credentials)")
    parser.add_argument("--region", help="region for --live (default: AWS_REGION, else the usual AWS settings)")
    parser.add_argument("--output", "-o", default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    client = None
    if args.live:
        from gpulint.model.aws_client import make_client  # gpulint's short timeouts and retries

        # botocore reads AWS_DEFAULT_REGION but not AWS_REGION, which the AWS SDKs prefer
        client = make_client("ec2", args.region or os.environ.get("AWS_REGION") or None)
    try:
        data = generate(client)
    except Exception as exc:  # noqa: BLE001 - a clear message, not a traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(dump(data))
    print(f"wrote {args.output}: {len(data['ec2'])} EC2 names, {len(data['sagemaker'])} SageMaker names, "
          f"{len(data['hardware'])} with hardware facts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
