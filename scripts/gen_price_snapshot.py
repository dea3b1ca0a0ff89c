#!/usr/bin/env python3
"""Regenerate gpulint's price snapshot (lint/data/prices.json) from the AWS Price List API.

    python scripts/gen_price_snapshot.py [--regions us-east-1,us-west-2,...] [--output FILE]

Needs boto3 and AWS credentials allowed to call ``pricing:GetProducts``. For
each region it asks ``pricing.get_products`` for every instance type of the
instance catalog (lint/data/instances.json) plus the common CPU types:

- EC2 (service code AmazonEC2): Linux, shared tenancy, on-demand, no
  pre-installed software, capacity status Used, product family Compute Instance;
- SageMaker (service code AmazonSageMaker): product family ML Instance, the
  ``ml.`` instance name, and the component (Hosting, Training, Transform).

Every ``PriceList`` entry is a JSON string; the hourly USD price is read from
``terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD``. Pages are followed
through ``NextToken``. A type the API does not price is left out: the cost
table then says "no price" for it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from typing import Any, Callable, Iterable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, REPO)

MAIN_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1",
                "ap-southeast-1", "ap-south-1")
#: SageMaker price components, as the snapshot names them and as the Price List API spells them
COMPONENTS = {"hosting": "Hosting", "training": "Training", "transform": "Transform"}
COMMON_CPU_FAMILIES = ("c5", "c6a", "c6i", "c7g", "c7i", "m5", "m6a", "m6g", "m6i", "m7g", "m7i", "r5", "r6i",
                       "r7i", "t3", "t3a")


def _pricing():  # noqa: ANN202
    from gpulint.cost import live

    return live


def catalog_types() -> tuple[list[str], list[str]]:
    """(EC2 types, SageMaker types) that the snapshot should price."""
    try:
        from gpulint.model import catalog

        names = catalog.names()
    except Exception:  # noqa: BLE001 - the catalog is optional for this script
        names = []
    ec2 = sorted({n for n in names if not n.startswith("ml.")})
    sagemaker = sorted({n for n in names if n.startswith("ml.")})
    return ec2, sagemaker


def fetch_region(client: Any, region: str, ec2_types: Iterable[str], sm_types: Iterable[str],
                 cpu_families: Iterable[str] = COMMON_CPU_FAMILIES,
                 components: Optional[dict[str, str]] = None) -> dict[str, dict[str, float]]:
    """{table name: {type: hourly USD}} for one region, from a ``pricing`` client."""
    p = _pricing()
    ec2: dict[str, float] = {}
    # one query for every Linux on-demand price in the region, then keep the types we want
    everything = p.get_products(client, "AmazonEC2", p.ec2_filters(region))
    wanted = set(ec2_types)
    families = set(cpu_families)
    for name, price in everything.items():
        if name in wanted or name.split(".", 1)[0] in families:
            ec2[name] = price
    tables: dict[str, dict[str, float]] = {"ec2": dict(sorted(ec2.items()))}
    sm_wanted = set(sm_types)
    for key, component in (components or COMPONENTS).items():
        found = p.get_products(client, "AmazonSageMaker", p.sagemaker_filters(region, None, component))
        keep = {n: v for n, v in found.items() if n.startswith("ml.") and (not sm_wanted or n in sm_wanted)}
        tables[f"sagemaker:{key}"] = dict(sorted(keep.items()))
    return tables


def build_snapshot(client_for: Callable[[str], Any], regions: Iterable[str], ec2_types: Iterable[str],
                   sm_types: Iterable[str], today: Optional[str] = None) -> dict:
    """The snapshot document: one table per (service, component, region)."""
    p = _pricing()
    date = today or dt.date.today().isoformat()
    tables = []
    ec2_types, sm_types = list(ec2_types), list(sm_types)
    for region in regions:
        client = client_for(p.pricing_endpoint_region(region))
        found = fetch_region(client, region, ec2_types, sm_types)
        for name, prices in found.items():
            if not prices:
                continue
            service, _, component = name.partition(":")
            table: dict[str, Any] = {"service": service, "region": region, "market": "on-demand"}
            if component:
                table["component"] = component
            table.update({
                "source": "AWS Price List API (pricing.get_products, service code "
                          + ("AmazonEC2" if service == "ec2" else "AmazonSageMaker") + ")",
                "date": date,
                "prices": prices,
            })
            tables.append(table)
    return {
        "schema": 1,
        "generated": date,
        "source": "AWS Price List API through boto3 (scripts/gen_price_snapshot.py)",
        "currency": "USD",
        "unit": "per instance-hour, on-demand, Linux, shared tenancy",
        "tables": tables,
    }


def main(argv: Optional[list[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--regions", default=",".join(MAIN_REGIONS), help="comma-separated regions")
    ap.add_argument("--output", default=os.path.join(REPO, "lint", "data", "prices.json"))
    args = ap.parse_args(argv)
    try:
        import boto3
    except ImportError:
        print("gen_price_snapshot: needs boto3 (pip install 'gpulint[aws]')", file=sys.stderr)
        return 2
    if boto3.Session().get_credentials() is None:
        print("gen_price_snapshot: no AWS credentials; the committed snapshot is kept", file=sys.stderr)
        return 2
    ec2_types, sm_types = catalog_types()
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    from gpulint.model.aws_client import make_client  # gpulint's short timeouts and retries

    snapshot = build_snapshot(lambda endpoint: make_client("pricing", endpoint), regions, ec2_types, sm_types)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(snapshot, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, args.output)
    n = sum(len(t["prices"]) for t in snapshot["tables"])
    print(f"wrote {args.output}: {n} prices in {len(snapshot['tables'])} tables")
    return 0


if __name__ == "__main__":
    sys.exit(main())
