"""gpulint cost: the price snapshot, live prices (Stubber), the cost table, --diff, the budget gate."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import subprocess

import pytest
from helpers import load_script, run_cli

from gpulint.cli import main
from gpulint.cost import estimate as cost
from gpulint.cost import live as live_prices
from gpulint.cost import pricing, render

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(REPO, "examples", "cost")
SNAPSHOT = os.path.join(REPO, "lint", "data", "prices.json")


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every test here runs offline: a connection attempt fails the test instead of reaching AWS."""
    import socket

    attempts: list = []

    def refuse(self, address, *args, **kwargs):  # noqa: ANN001, ANN202
        attempts.append(address)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    # and whatever AWS region the machine is set up for does not leak into the figures
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.path.join(os.sep, "nonexistent", "aws-config"))
    yield
    assert not attempts, f"a test tried to connect to {attempts}"


def snapshot_price(service: str, instance_type: str, region: str = "us-east-1") -> float:
    """The first snapshot table's price for a type, read straight from the JSON (not through gpulint)."""
    with open(SNAPSHOT, encoding="utf-8") as fh:
        data = json.load(fh)
    for table in data["tables"]:
        if table["service"] == service and table["region"] == region and instance_type in table["prices"]:
            return table["prices"][instance_type]
    raise KeyError(instance_type)


def run(argv: list[str], cwd: str = REPO) -> tuple[int, str, str]:
    return run_cli(argv, cwd=cwd)


# --------------------------------------------------------------------------- the snapshot


def test_snapshot_is_dated_and_sourced() -> None:
    with open(SNAPSHOT, encoding="utf-8") as fh:
        data = json.load(fh)
    assert data["generated"] and data["source"]
    assert data["tables"]
    for table in data["tables"]:
        assert table["service"] in ("ec2", "sagemaker")
        assert table["source"] and "date" in table
        assert table["prices"]
        for name, price in table["prices"].items():
            assert isinstance(price, (int, float)) and price > 0, name
            assert name.startswith("ml.") == (table["service"] == "sagemaker"), name


def test_snapshot_covers_the_gpu_table_in_us_east_1() -> None:
    prices = pricing.SnapshotPrices()
    for t in ("g4dn.xlarge", "g4dn.12xlarge", "g5.xlarge", "g5.48xlarge", "g6.xlarge", "g6e.48xlarge",
              "p3.2xlarge", "p3dn.24xlarge", "p4d.24xlarge", "p4de.24xlarge", "p5.4xlarge", "p5.48xlarge",
              "p5en.48xlarge", "inf1.xlarge", "inf2.48xlarge", "trn1.32xlarge", "trn1n.32xlarge", "m5.large",
              "c5.xlarge", "r5.large", "t3.medium"):
        q = prices.on_demand(t, "us-east-1")
        assert q is not None, t
        assert q.hourly == snapshot_price("ec2", t)
        assert q.date == "2026-02-09" and "karpenter" in q.source
    sm = prices.on_demand("ml.g5.2xlarge", "us-east-1")
    assert sm is not None and sm.hourly == snapshot_price("sagemaker", "ml.g5.2xlarge") and sm.date is None


def test_snapshot_has_gpu_prices_for_the_main_regions() -> None:
    prices = pricing.SnapshotPrices()
    for region in ("us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-northeast-1"):
        for t in ("g4dn.xlarge", "g5.xlarge", "g5.48xlarge", "p4d.24xlarge", "inf2.xlarge"):
            q = prices.on_demand(t, region)
            assert q is not None, (t, region)
            assert q.hourly == snapshot_price("ec2", t, region) and q.date == "2026-08-26"
    # the same list price as us-east-1 in the US regions, more elsewhere
    assert prices.on_demand("g5.xlarge", "us-west-2").hourly == prices.on_demand("g5.xlarge", "us-east-1").hourly
    assert prices.on_demand("g5.xlarge", "ap-northeast-1").hourly > prices.on_demand("g5.xlarge", "us-east-1").hourly


def test_snapshot_never_invents_a_price() -> None:
    prices = pricing.SnapshotPrices()
    assert prices.on_demand("p5e.48xlarge", "us-east-1") is None  # not in the sources read
    assert prices.on_demand("g6.xlarge", "eu-west-1") is None  # the regional source lists no g6 there
    assert prices.on_demand("m5.large", "us-west-2") is None  # no CPU prices outside us-east-1
    assert prices.on_demand("g5.xlarge", "sa-east-1") is None  # no table for that region
    assert prices.spot("g5.xlarge", "us-east-1") is None
    assert "snapshot" in prices.spot_unavailable_reason("g5.xlarge")
    assert "SageMaker" in prices.spot_unavailable_reason("ml.p4d.24xlarge")


def test_pricing_endpoint_and_default_region() -> None:
    assert live_prices.pricing_endpoint_region("ap-northeast-1") == "ap-south-1"
    assert live_prices.pricing_endpoint_region("eu-west-1") == "eu-central-1"
    assert live_prices.pricing_endpoint_region("us-west-2") == "us-east-1"
    assert pricing.default_region("eu-west-1", {"AWS_REGION": "us-west-2"}) == ("eu-west-1", "--region")
    assert pricing.default_region(None, {"AWS_DEFAULT_REGION": "us-west-2"}) == ("us-west-2", "AWS_DEFAULT_REGION")
    assert pricing.default_region(None, {"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "x"})[0] == "eu-central-1"
    assert pricing.default_region(None, {"AWS_CONFIG_FILE": "/nonexistent/aws-config"}) == ("us-east-1", "default")


def test_region_from_the_aws_config_file(tmp_path) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\n\n[profile ml]\nregion=ap-northeast-1\n"
                      "[profile bare]\noutput = json\n")
    env = {"AWS_CONFIG_FILE": str(config)}
    assert pricing.default_region(None, env) == ("eu-west-1", "AWS config profile default")
    assert pricing.default_region(None, {**env, "AWS_PROFILE": "ml"}) == ("ap-northeast-1", "AWS config profile ml")
    assert pricing.default_region(None, {**env, "AWS_PROFILE": "bare"}) == ("us-east-1", "default")
    # the environment and --region come first
    assert pricing.default_region(None, {**env, "AWS_DEFAULT_REGION": "us-west-2"})[0] == "us-west-2"
    assert pricing.default_region("us-east-2", env) == ("us-east-2", "--region")
    config.write_text("not an ini file [\n")
    assert pricing.default_region(None, env) == ("us-east-1", "default")


# --------------------------------------------------------------------------- live prices (Stubber)

boto3 = pytest.importorskip("boto3")
from botocore.stub import ANY, Stubber  # noqa: E402


def ec2_price_item(instance_type: str, usd: str, region: str = "us-east-1") -> str:
    sku = "SKU" + instance_type.replace(".", "").upper()
    return json.dumps({
        "product": {
            "productFamily": "Compute Instance",
            "attributes": {
                "instanceType": instance_type, "regionCode": region, "operatingSystem": "Linux",
                "tenancy": "Shared", "preInstalledSw": "NA", "capacitystatus": "Used", "marketoption": "OnDemand",
                "servicecode": "AmazonEC2", "location": "US East (N. Virginia)",
            },
            "sku": sku,
        },
        "serviceCode": "AmazonEC2",
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {
            "priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
                "unit": "Hrs", "endRange": "Inf", "beginRange": "0",
                "description": f"${usd} per On Demand Linux {instance_type} Instance Hour",
                "rateCode": f"{sku}.JRTCKXETXF.6YS6EN2CT7", "appliesTo": [],
                "pricePerUnit": {"USD": usd},
            }},
            "sku": sku, "effectiveDate": "2026-02-01T00:00:00Z", "offerTermCode": "JRTCKXETXF", "termAttributes": {},
        }}},
        "version": "20260201000000",
        "publicationDate": "2026-02-01T00:00:00Z",
    })


def sagemaker_price_item(instance_type: str, usd: str, component: str = "Hosting") -> str:
    sku = "SM" + instance_type.replace(".", "").upper() + component.upper()
    return json.dumps({
        "product": {
            "productFamily": "ML Instance",
            "attributes": {"instanceName": instance_type, "regionCode": "us-east-1", "component": component,
                           "vCpu": "8", "gpu": "1", "servicecode": "AmazonSageMaker"},
            "sku": sku,
        },
        "serviceCode": "AmazonSageMaker",
        "terms": {"OnDemand": {f"{sku}.JRTCKXETXF": {"priceDimensions": {f"{sku}.JRTCKXETXF.6YS6EN2CT7": {
            "unit": "Hrs", "pricePerUnit": {"USD": usd},
            "description": f"${usd} per {instance_type} hour",
        }}}}},
    })


class Clock:
    def __init__(self, t: float = 1_800_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


def stubbed(service: str, region: str = "us-east-1"):  # noqa: ANN201
    client = boto3.client(service, region_name=region, aws_access_key_id="testing",
                          aws_secret_access_key="testing")
    return client, Stubber(client)


def live(tmp_path, clients: dict, clock: Clock | None = None) -> live_prices.LivePrices:
    clock = clock or Clock()
    return live_prices.LivePrices(
        cache=live_prices.DiskCache(str(tmp_path / "cache" / "prices.json"), clock=clock),
        client_factory=lambda service, region: clients[(service, region)],
        clock=clock,
    )


def test_live_ec2_price_paginates_and_caches(tmp_path) -> None:
    client, stub = stubbed("pricing")
    expected = {
        "ServiceCode": "AmazonEC2", "Filters": live_prices.ec2_filters("us-west-2", "g5.xlarge"),
        "FormatVersion": "aws_v1", "MaxResults": 100,
    }
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [], "NextToken": "page2"},
                      expected)
    stub.add_response("get_products",
                      {"FormatVersion": "aws_v1", "PriceList": [ec2_price_item("g5.xlarge", "1.2260000000", "us-west-2")]},
                      {**expected, "NextToken": "page2"})
    clock = Clock()
    prices = live(tmp_path, {("pricing", "us-east-1"): client}, clock)
    with stub:
        q = prices.on_demand("g5.xlarge", "us-west-2")
        stub.assert_no_pending_responses()
        # a second ask within the TTL is answered from the cache: the stub has no more responses
        again = prices.on_demand("g5.xlarge", "us-west-2")
    assert q is not None and q.hourly == 1.226 and q.source == "Price List API" and q.region == "us-west-2"
    assert q.date == dt.datetime.fromtimestamp(clock.t, dt.timezone.utc).date().isoformat()
    assert again is not None and again.hourly == 1.226 and "cached" in again.source
    assert prices.notes == []
    # the cache is on disk, so a new process reuses it; after the TTL it asks again
    fresh = live(tmp_path, {}, clock)
    assert fresh.on_demand("g5.xlarge", "us-west-2").hourly == 1.226
    clock.t += live_prices.CACHE_TTL_SECONDS + 1
    client2, stub2 = stubbed("pricing")
    stub2.add_response("get_products", {"FormatVersion": "aws_v1",
                                        "PriceList": [ec2_price_item("g5.xlarge", "1.3000000000", "us-west-2")]},
                       expected)
    expired = live(tmp_path, {("pricing", "us-east-1"): client2}, clock)
    with stub2:
        assert expired.on_demand("g5.xlarge", "us-west-2").hourly == 1.3


def test_live_sagemaker_price_uses_the_component_and_the_regional_endpoint(tmp_path) -> None:
    client, stub = stubbed("pricing", "eu-central-1")
    stub.add_response(
        "get_products",
        {"FormatVersion": "aws_v1", "PriceList": [sagemaker_price_item("ml.p4d.24xlarge", "45.0000000000", "Training")]},
        {"ServiceCode": "AmazonSageMaker",
         "Filters": live_prices.sagemaker_filters("eu-west-1", "ml.p4d.24xlarge", "Training"),
         "FormatVersion": "aws_v1", "MaxResults": 100},
    )
    prices = live(tmp_path, {("pricing", "eu-central-1"): client})
    with stub:
        q = prices.on_demand("ml.p4d.24xlarge", "eu-west-1", component="training")
    assert q is not None and q.hourly == 45.0 and q.region == "eu-west-1"
    assert prices.spot("ml.p4d.24xlarge", "eu-west-1") is None
    assert prices.spot_unavailable_reason("ml.p4d.24xlarge") == "SageMaker publishes no spot price"


def test_live_spot_price_takes_the_latest_per_zone(tmp_path) -> None:
    client, stub = stubbed("ec2")
    t0 = dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone.utc)
    history = [
        {"AvailabilityZone": "us-east-1a", "InstanceType": "g5.xlarge", "ProductDescription": "Linux/UNIX",
         "SpotPrice": "0.4500", "Timestamp": t0},
        {"AvailabilityZone": "us-east-1a", "InstanceType": "g5.xlarge", "ProductDescription": "Linux/UNIX",
         "SpotPrice": "0.9000", "Timestamp": t0 - dt.timedelta(hours=3)},
        {"AvailabilityZone": "us-east-1b", "InstanceType": "g5.xlarge", "ProductDescription": "Linux/UNIX",
         "SpotPrice": "0.3900", "Timestamp": t0},
    ]
    stub.add_response("describe_spot_price_history", {"SpotPriceHistory": history[:2], "NextToken": "n2"},
                      {"InstanceTypes": ["g5.xlarge"], "ProductDescriptions": ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
                       "StartTime": ANY})
    stub.add_response("describe_spot_price_history", {"SpotPriceHistory": history[2:], "NextToken": ""},
                      {"InstanceTypes": ["g5.xlarge"], "ProductDescriptions": ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
                       "StartTime": ANY, "NextToken": "n2"})
    prices = live(tmp_path, {("ec2", "us-east-1"): client})
    with stub:
        s = prices.spot("g5.xlarge", "us-east-1")
        stub.assert_no_pending_responses()
        cached = prices.spot("g5.xlarge", "us-east-1")
    assert s is not None and (s.low, s.high, s.zones) == (0.39, 0.45, 2)
    assert s.source == "EC2 spot price history"
    assert cached is not None and (cached.low, cached.high) == (0.39, 0.45) and "cached" in cached.source


def test_live_falls_back_to_the_snapshot_when_the_api_fails(tmp_path) -> None:
    client, stub = stubbed("pricing")
    stub.add_client_error("get_products", service_error_code="AccessDeniedException",
                          service_message="not authorized to perform: pricing:GetProducts", http_status_code=400)
    prices = live(tmp_path, {("pricing", "us-east-1"): client})
    with stub:
        q = prices.on_demand("g5.xlarge", "us-east-1")
        # after one failure gpulint stops asking: no further stubbed call is needed
        q2 = prices.on_demand("p4d.24xlarge", "us-east-1")
    assert q is not None and q.hourly == snapshot_price("ec2", "g5.xlarge") and q.source.startswith("snapshot:")
    assert q2 is not None and q2.hourly == snapshot_price("ec2", "p4d.24xlarge")
    assert prices.notes == [
        "--live: the AWS API failed (AccessDeniedException); using the price snapshot "
        "(prices of 2026-02-09, 2026-08-26, undated) instead"
    ]


def test_live_without_credentials_says_so_once(tmp_path, monkeypatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    status, out, err = run(["cost", "--live", "--format", "json", EXAMPLES])
    assert status == 0
    assert err.count("--live: no AWS credentials found; using the price snapshot") == 1
    data = json.loads(out)
    row = next(r for r in data["resources"] if r["name"] == "system")
    assert row["prices"]["m6i.large"]["source"].startswith("snapshot:")


def test_live_without_boto3_says_so_and_uses_the_snapshot(tmp_path, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "boto3", None)  # as if gpulint[aws] was not installed
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    status, out, err = run(["cost", "--live", "--format", "json", EXAMPLES])
    assert status == 0
    assert err.count("--live: boto3 is not installed (pip install 'gpulint[aws]'); using the price snapshot") == 1
    assert all(q is None or q["source"].startswith("snapshot:")
               for r in json.loads(out)["resources"] for q in r["prices"].values())


# --------------------------------------------------------------------------- the snapshot generator (Stubber)


def load_generator():  # noqa: ANN201
    return load_script("gen_price_snapshot")


def test_generator_builds_dated_tables_from_the_price_list_api() -> None:
    gen = load_generator()
    client, stub = stubbed("pricing")
    ec2_call = {"ServiceCode": "AmazonEC2", "Filters": live_prices.ec2_filters("us-east-1"), "FormatVersion": "aws_v1",
                "MaxResults": 100}
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "NextToken": "t1", "PriceList": [
        ec2_price_item("g5.xlarge", "1.0060000000"), ec2_price_item("x2iedn.xlarge", "0.8336300000")]}, ec2_call)
    stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [
        ec2_price_item("m5.large", "0.0960000000"), ec2_price_item("p4d.24xlarge", "21.9576420000")]},
        {**ec2_call, "NextToken": "t1"})
    for comp, items in (("Hosting", [sagemaker_price_item("ml.g5.2xlarge", "1.5150000000")]),
                        ("Training", [sagemaker_price_item("ml.g5.2xlarge", "1.5150000000", "Training"),
                                      sagemaker_price_item("ml.unlisted.xlarge", "9.0", "Training")]),
                        ("Transform", [])):
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": items},
                          {"ServiceCode": "AmazonSageMaker", "Filters": live_prices.sagemaker_filters("us-east-1", None, comp),
                           "FormatVersion": "aws_v1", "MaxResults": 100})
    endpoints = []

    def client_for(endpoint: str):  # noqa: ANN202
        endpoints.append(endpoint)
        return client

    with stub:
        snap = gen.build_snapshot(client_for, ["us-east-1"], ["g5.xlarge", "p4d.24xlarge"], ["ml.g5.2xlarge"],
                                  today="2026-11-23")
        stub.assert_no_pending_responses()
    assert endpoints == ["us-east-1"]
    assert snap["generated"] == "2026-11-23" and "Price List API" in snap["source"]
    by = {(t["service"], t.get("component")): t for t in snap["tables"]}
    # x2iedn is neither in the catalog list nor a common CPU family; m5 is a common family
    assert by[("ec2", None)]["prices"] == {"g5.xlarge": 1.006, "m5.large": 0.096, "p4d.24xlarge": 21.957642}
    assert by[("sagemaker", "hosting")]["prices"] == {"ml.g5.2xlarge": 1.515}
    assert by[("sagemaker", "training")]["prices"] == {"ml.g5.2xlarge": 1.515}
    assert ("sagemaker", "transform") not in by  # nothing priced: no empty table
    assert all(t["date"] == "2026-11-23" and t["region"] == "us-east-1" for t in snap["tables"])


def test_generated_snapshot_is_readable(tmp_path) -> None:
    snap = {"schema": 1, "generated": "2026-11-23", "source": "AWS Price List API", "tables": [
        {"service": "sagemaker", "region": "us-east-1", "market": "on-demand", "component": "training",
         "source": "AWS Price List API", "date": "2026-11-23", "prices": {"ml.g5.2xlarge": 1.6}},
        {"service": "sagemaker", "region": "us-east-1", "market": "on-demand", "component": "hosting",
         "source": "AWS Price List API", "date": "2026-11-23", "prices": {"ml.g5.2xlarge": 1.515}},
    ]}
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(snap))
    prices = pricing.SnapshotPrices(str(path))
    assert prices.on_demand("ml.g5.2xlarge", "us-east-1", "hosting").hourly == 1.515
    assert prices.on_demand("ml.g5.2xlarge", "us-east-1", "training").hourly == 1.6
    assert prices.on_demand("ml.g5.2xlarge", "us-east-1", "transform") is None


def test_parse_price_item_ignores_what_is_not_an_hourly_price() -> None:
    assert live_prices.parse_price_item(ec2_price_item("g5.xlarge", "1.006")) == ("g5.xlarge", 1.006)
    assert live_prices.parse_price_item("not json") is None
    assert live_prices.parse_price_item(json.dumps({"product": {"attributes": {}}})) is None
    zero = json.loads(ec2_price_item("g5.xlarge", "0.0000000000"))
    assert live_prices.parse_price_item(json.dumps(zero)) is None


# --------------------------------------------------------------------------- the cost table for examples/cost


def test_cost_table_for_the_examples_matches_hand_computed_figures() -> None:
    status, out, err = run(["cost", "--format", "json", "examples/cost"])
    assert status == 0, err
    data = json.loads(out)
    rows = {(r["kind"], r["name"]): r for r in data["resources"]}
    h = 730
    ec2 = lambda t: snapshot_price("ec2", t)  # noqa: E731
    sm = lambda t: snapshot_price("sagemaker", t)  # noqa: E731

    system = rows[("nodegroup", "system")]
    assert (system["file"], system["line"]) == ("examples/cost/cluster.yaml", 12)
    assert system["count"] == {"min": 2, "desired": 2, "max": 3, "from": "minSize/desiredCapacity/maxSize"}
    assert system["monthly_min"] == round(2 * ec2("m6i.large") * h, 2) == 140.16
    assert system["monthly_max"] == round(3 * ec2("m6i.large") * h, 2) == 210.24

    gpu = rows[("nodegroup", "gpu-serving")]
    cheap, dear = min(ec2("g5.xlarge"), ec2("g6.xlarge")), max(ec2("g5.xlarge"), ec2("g6.xlarge"))
    assert gpu["monthly_min"] == round(1 * cheap * h, 2) == 587.5
    assert gpu["monthly_max"] == round(6 * dear * h, 2) == 4406.28
    assert gpu["spot"] == {"g5.xlarge": None, "g6.xlarge": None}
    assert "no spot price in the snapshot" in gpu["spot_note"]

    finetune = rows[("nodegroup", "finetune")]
    assert finetune["monthly_min"] == 0
    assert finetune["monthly_max"] == round(2 * ec2("p4d.24xlarge") * h, 2) == 32058.16

    # 8 GPUs of g6e: g6e.16xlarge has 1 GPU, so 8 nodes of it are the dearest way to use the limit
    burst = rows[("nodepool", "gpu-burst")]
    assert burst["monthly_min"] == 0
    assert burst["count"]["max"] == 8
    assert burst["monthly_max"] == round(8 * ec2("g6e.16xlarge") * h, 2) == 44250.79
    # by hand: GPUs per g6e size (AWS's instance type pages), 8 // GPUs nodes, the dearest of those fills
    gpus = {"g6e.xlarge": 1, "g6e.2xlarge": 1, "g6e.4xlarge": 1, "g6e.8xlarge": 1, "g6e.16xlarge": 1,
            "g6e.12xlarge": 4, "g6e.24xlarge": 4, "g6e.48xlarge": 8}
    fills = {t: (8 // n) * ec2(t) for t, n in gpus.items()}
    dearest = max(fills, key=fills.__getitem__)
    assert burst["max_fill"] == {"instance_type": dearest, "count": 8 // gpus[dearest]}
    assert burst["monthly_max"] == round(fills[dearest] * h, 2)
    assert set(burst["instance_types"]) == {"g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge", "g6e.8xlarge",
                                            "g6e.12xlarge", "g6e.16xlarge", "g6e.24xlarge", "g6e.48xlarge"}

    variant = rows[("endpoint-variant", "chat-llm/AllTraffic")]
    assert variant["count"] == {"min": 1, "desired": 2, "max": 4,
                                "from": "scalable target endpoint/chat-llm/variant/AllTraffic"}
    assert variant["monthly_min"] == round(1 * sm("ml.g5.2xlarge") * h, 2) == 1105.95
    assert variant["monthly_max"] == round(4 * sm("ml.g5.2xlarge") * h, 2) == 4423.8

    job = rows[("training-job", "chat-llm-finetune")]
    assert job["runtime_hours"] == 10
    assert job["per_run"] == round(2 * sm("ml.p4d.24xlarge") * 10, 2) == 753.76
    assert job["spot_note"] == "SageMaker publishes no spot price"

    transform = rows[("transform-job", "embed-catalog")]
    assert transform["hourly"]["at_max"] == round(2 * sm("ml.g4dn.xlarge"), 4) == 1.4728
    assert transform["monthly_max"] is None and transform["per_run"] is None

    totals = data["totals"]
    assert totals["monthly_min"] == round(140.16 + 587.5 + 0 + 0 + 1105.95, 2) == 1833.61
    assert totals["monthly_max"] == round(210.24 + 4406.28 + 32058.16 + 44250.79 + 4423.8, 2) == 85349.27
    assert totals["jobs_per_run"] == 753.76
    assert totals["total_max"] == 86103.03
    assert data["budget"] is None and data["diagnostics"] == []
    assert any("karpenter-provider-aws" in s and "2026-02-09" in s for s in data["sources"])


def test_cost_table_for_all_examples_matches_hand_computed_figures() -> None:
    """examples/ beyond examples/cost: a cluster in us-west-2, an endpoint scaled through a
    CreateEndpoint name, instance pools with an unpriced type, a spot training job."""
    status, out, err = run(["cost", "--format", "json", "examples"])
    assert status == 0, err
    data = json.loads(out)
    rows = {(r["file"], r["kind"], r["name"]): r for r in data["resources"]}
    h = 730
    west = lambda t: snapshot_price("ec2", t, "us-west-2")  # noqa: E731
    sm = lambda t: snapshot_price("sagemaker", t)  # noqa: E731
    cluster = "examples/cluster/cluster.yaml"

    # examples/cluster/cluster.yaml names us-west-2; the snapshot has no CPU prices there
    system = rows[(cluster, "nodegroup", "system")]
    assert (system["region"], system["region_from"]) == ("us-west-2", "file")
    assert system["prices"] == {"m6i.large": None} and system["monthly_max"] is None
    serving = rows[(cluster, "nodegroup", "serving-l40s")]
    lo, hi = sorted((west("g6e.xlarge"), west("g6e.2xlarge")))
    assert (serving["monthly_min"], serving["monthly_max"]) == (round(1 * lo * h, 2), round(8 * hi * h, 2))
    assert serving["prices"]["g6e.xlarge"]["date"] == "2026-08-26"
    spot = rows[(cluster, "nodegroup", "batch-spot")]
    assert (spot["monthly_min"], spot["monthly_max"]) == (0, round(10 * west("g5.xlarge") * h, 2))
    assert spot["spot"] == {"g5.xlarge": None} and "no spot price in the snapshot" in spot["spot_note"]
    finetune = rows[(cluster, "nodegroup", "finetune")]  # desiredCapacity 3 above maxSize 2: max is maxSize
    assert finetune["count"]["max"] == 2 and finetune["monthly_max"] == round(2 * west("g6e.12xlarge") * h, 2)
    inf = rows[(cluster, "nodegroup", "inferentia")]  # inf2.12xlarge does not exist
    assert inf["monthly_max"] is None

    # instance pools: ml.g6e.48xlarge has no price, so both ends use ml.p5.48xlarge;
    # MinCapacity 0 / MaxCapacity 4 come from the target of endpoint chat-prod, which serves the config
    hetero = rows[("examples/sagemaker/chat-endpoint-config.json", "endpoint-variant", "chat-llm-hetero/chat")]
    assert hetero["prices"]["ml.g6e.48xlarge"] is None
    assert hetero["count"]["from"] == "scalable target endpoint/chat-prod/variant/chat"
    assert (hetero["monthly_min"], hetero["monthly_max"]) == (0, round(4 * sm("ml.p5.48xlarge") * h, 2))
    embed = rows[("examples/sagemaker/embeddings-endpoint-config.yaml", "endpoint-variant", "embeddings/embed")]
    assert embed["monthly_min"] == embed["monthly_max"] == round(2 * sm("ml.g5.2xlarge") * h, 2)
    job = rows[("examples/sagemaker/finetune-spot-job.yaml", "training-job", "llama-finetune-spot")]
    assert job["per_run"] == round(2 * sm("ml.p4d.24xlarge") * 24, 2)  # MaxRuntimeInSeconds 86400
    assert job["spot_note"] == "SageMaker publishes no spot price"
    rerank = rows[("examples/sagemaker/nightly-transform.json", "transform-job", "nightly-rerank")]
    assert rerank["hourly"]["at_max"] == sm("ml.g5.xlarge")

    # examples/python/support_bot.py: the SDK deploy, scaled 1-4 by the boto3 target; the estimator's 6 h run
    bot = rows[("examples/python/support_bot.py", "endpoint-variant", "support-bot/AllTraffic")]
    assert bot["count"]["from"] == "scalable target endpoint/support-bot/variant/AllTraffic"
    assert (bot["monthly_min"], bot["monthly_max"]) == (round(sm("ml.g5.2xlarge") * h, 2),
                                                        round(4 * sm("ml.g5.2xlarge") * h, 2))
    py_job = rows[("examples/python/support_bot.py", "training-job", "TrainingJob")]
    assert py_job["per_run"] == round(sm("ml.g5.12xlarge") * 6, 2)  # max_run=6 * 3600

    monthly = [r for r in data["resources"] if r["billing"] == "monthly"]
    assert data["totals"]["monthly_min"] == round(sum(r["monthly_min"] or 0 for r in monthly), 2)
    assert data["totals"]["monthly_max"] == round(sum(r["monthly_max"] or 0 for r in monthly), 2)
    assert data["totals"]["jobs_per_run"] == round(
        job["per_run"] + round(2 * sm("ml.p4d.24xlarge") * 10, 2) + py_job["per_run"], 2)
    assert data["totals"]["total_max"] == round(data["totals"]["monthly_max"] + data["totals"]["jobs_per_run"], 2)
    assert sorted(data["totals"]["unpriced"]) == ["nodegroup inferentia", "nodegroup system"]
    _, text, _ = run(["cost", "examples"])
    assert ("Not in the totals: nodegroup system (examples/cluster/cluster.yaml): no us-west-2 price for "
            "m6i.large.") in text.splitlines()
    assert ("Not in the totals: nodegroup inferentia (examples/cluster/cluster.yaml): inf2.12xlarge is not a "
            "known instance type.") in text.splitlines()


def test_cost_text_table_is_aligned_and_names_its_sources() -> None:
    status, out, _ = run(["cost", "examples/cost"])
    assert status == 0
    lines = out.splitlines()
    header = lines[0]
    assert header.startswith("FILE") and "MONTH AT MAX" in header
    # every table row is as wide as its columns: the MONTH AT MAX column ends at the same place
    end = header.index("MONTH AT MAX") + len("MONTH AT MAX")
    table = lines[1:lines.index("")]
    assert len(table) == 7
    assert all(row[:end].rstrip().endswith(("$210.24", "$4,406.28", "$32,058.16", "$44,250.79", "$4,423.80",
                                            "$753.76/run", "$1.47/h")) for row in table)
    assert "Always-on total (730 h a month): $1,833.61 at min, $85,349.27 at max" in out
    assert "Total at max capacity: $86,103.03 a month" in out
    # prices are printed as the snapshot gives them, so each monthly figure can be recomputed from its row
    finetune = next(line for line in table if "nodegroup finetune" in line)
    assert f" {snapshot_price('ec2', 'p4d.24xlarge')!r} " in finetune
    burst = next(line for line in table if "nodepool gpu-burst" in line)
    assert f" {snapshot_price('ec2', 'g6e.xlarge')!r}-{snapshot_price('ec2', 'g6e.48xlarge')!r} " in burst
    assert (f"At max: nodepool gpu-burst = 8 x g6e.16xlarge at ${snapshot_price('ec2', 'g6e.16xlarge')!r}/h, "
            "the dearest way to reach spec.limits (nvidia.com/gpu: 8).") in lines
    assert "[1] snapshot: karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go (2026-02-09), " \
           "us-east-1" in out
    assert "(undated), us-east-1" in out


@pytest.mark.parametrize("folder", ["examples/cost", "examples"])
def test_every_column_of_the_text_table_lines_up(folder) -> None:
    """Left-aligned columns start under their heading, right-aligned ones end under it."""
    status, out, _ = run(["cost", folder])
    lines = out.splitlines()
    header, table = lines[0], lines[1:lines.index("")]
    left = ["FILE", "RESOURCE", "INSTANCE TYPE", "PRICE"]
    right = ["MIN/DES/MAX", "$/HOUR", "SPOT $/HOUR", "MONTH AT MIN", "MONTH AT MAX"]
    for row in table:
        for label in left:
            at = header.index(label)
            assert row[at] != " " and (at == 0 or row[at - 1] == " "), (label, row)
        for label in right:
            end = header.index(label) + len(label)
            if label == "SPOT $/HOUR" and not row[end - 1].strip():
                continue  # not a spot resource: the cell is empty
            assert row[end - 1] != " " and row[end] == " ", (label, row)


def test_readme_shows_the_real_cost_table() -> None:
    """The README's `gpulint cost examples/cost` block is what the command prints today."""
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    start = readme.index("$ gpulint cost examples/cost\n") + len("$ gpulint cost examples/cost\n")
    shown = readme[start:readme.index("```", start)]
    status, out, _ = run(["cost", "examples/cost"])
    assert status == 0
    assert shown == out


def write(path: str, text: str) -> str:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)
    return path


NODEGROUP = """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: c
  region: {region}
managedNodeGroups:
  - name: gpu
    instanceType: {itype}
    minSize: {lo}
    maxSize: {hi}
"""


def test_region_comes_from_the_file_then_region_then_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    write(str(tmp_path / "a.yaml"), NODEGROUP.format(region="eu-west-1", itype="g5.xlarge", lo=1, hi=2))
    write(str(tmp_path / "b.yaml"), NODEGROUP.format(region="${REGION}", itype="g5.xlarge", lo=1, hi=2))
    status, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    rows = {r["file"]: r for r in json.loads(out)["resources"]}
    assert (rows["a.yaml"]["region"], rows["a.yaml"]["region_from"]) == ("eu-west-1", "file")
    assert rows["a.yaml"]["prices"]["g5.xlarge"]["hourly"] == snapshot_price("ec2", "g5.xlarge", "eu-west-1")
    assert rows["a.yaml"]["prices"]["g5.xlarge"]["date"] == "2026-08-26"
    assert (rows["b.yaml"]["region"], rows["b.yaml"]["region_from"]) == ("us-east-1", "default")
    assert rows["b.yaml"]["monthly_max"] == round(2 * snapshot_price("ec2", "g5.xlarge") * 730, 2)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-south-1")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    assert {r["file"]: r["region"] for r in json.loads(out)["resources"]}["b.yaml"] == "ap-south-1"
    _, out, _ = run(["cost", "--format", "json", "--region", "us-west-2", "."], cwd=str(tmp_path))
    regions = {r["file"]: (r["region"], r["region_from"]) for r in json.loads(out)["resources"]}
    assert regions == {"a.yaml": ("eu-west-1", "file"), "b.yaml": ("us-west-2", "--region")}
    # the AWS config file's profile region comes after the environment
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    write(str(tmp_path / "aws" / "config"), "[default]\nregion = eu-central-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws" / "config"))
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    regions = {r["file"]: (r["region"], r["region_from"]) for r in json.loads(out)["resources"]}
    assert regions == {"a.yaml": ("eu-west-1", "file"), "b.yaml": ("eu-central-1", "AWS config profile default")}


def test_unknown_prices_and_counts_are_said_not_guessed(tmp_path) -> None:
    write(str(tmp_path / "c.yaml"), NODEGROUP.format(region="us-east-1", itype="p5e.48xlarge", lo=0, hi=2))
    write(str(tmp_path / "d.yaml"), NODEGROUP.format(region="us-east-1", itype="g5.xlarge", lo="${MIN}", hi=3))
    write(str(tmp_path / "e.yaml"), """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: anything}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}
""")
    write(str(tmp_path / "f.yaml"), "managedNodeGroups: [not, a, cluster]\n: - broken\n")
    status, out, err = run(["cost", "."], cwd=str(tmp_path))
    assert status == 0 and "Traceback" not in err
    assert "no price" in out
    assert "Not in the totals: nodegroup gpu (c.yaml): no us-east-1 price for p5e.48xlarge." in out
    assert "Not in the totals: nodegroup gpu (d.yaml): its instance count is not known." in out
    assert "Not in the totals: nodepool anything (e.yaml) has no limits, so no maximum." in out
    assert "Total at max capacity: $0.00 a month" in out


def test_nodepool_gpu_requirements_select_types_through_the_catalog(tmp_path) -> None:
    write(str(tmp_path / "np.yaml"), """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: a10g}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.k8s.aws/instance-gpu-name, operator: In, values: [a10g]}
        - {key: karpenter.k8s.aws/instance-gpu-count, operator: Lt, values: ["2"]}
        - {key: karpenter.k8s.aws/instance-hypervisor, operator: In, values: [nitro]}
  limits:
    nvidia.com/gpu: 4
""")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    row = json.loads(out)["resources"][0]
    # the 1-GPU A10G types: g5.xlarge to g5.16xlarge (g5.12xlarge and up have 4 or 8)
    assert sorted(row["instance_types"]) == ["g5.16xlarge", "g5.2xlarge", "g5.4xlarge", "g5.8xlarge", "g5.xlarge"]
    assert row["count"]["max"] == 4
    assert row["monthly_max"] == round(4 * snapshot_price("ec2", "g5.16xlarge") * 730, 2)
    assert row["notes"] == ["not applied: karpenter.k8s.aws/instance-hypervisor; the pool may allow fewer of "
                            "these types"]


def test_nodepool_generation_and_category_narrow_the_types(tmp_path) -> None:
    write(str(tmp_path / "np.yaml"), """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: gpu}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.k8s.aws/instance-category, operator: In, values: [g]}
        - {key: karpenter.k8s.aws/instance-generation, operator: Gt, values: ["5"]}
        - {key: karpenter.k8s.aws/instance-gpu-count, operator: In, values: ["1"]}
        - {key: karpenter.k8s.aws/instance-gpu-name, operator: In, values: [l4]}
  limits:
    nvidia.com/gpu: 4
""")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    row = json.loads(out)["resources"][0]
    # g6 (L4) with one GPU; g5 is generation 5, g6e has L40S
    assert sorted(row["instance_types"]) == ["g6.16xlarge", "g6.2xlarge", "g6.4xlarge", "g6.8xlarge", "g6.xlarge"]
    assert row["monthly_max"] == round(4 * snapshot_price("ec2", "g6.16xlarge") * 730, 2) == 9918.66
    assert row["notes"] == []


def test_inference_components_are_costed_on_their_variant(tmp_path) -> None:
    write(str(tmp_path / "ec.json"), json.dumps({
        "EndpointConfigName": "ic-config",
        "ProductionVariants": [{"VariantName": "main", "InstanceType": "ml.g5.12xlarge", "InitialInstanceCount": 1,
                                "ManagedInstanceScaling": {"Status": "ENABLED", "MinInstanceCount": 1,
                                                           "MaxInstanceCount": 3}}],
    }))
    write(str(tmp_path / "ep.json"), json.dumps({"EndpointName": "ic-endpoint", "EndpointConfigName": "ic-config"}))
    write(str(tmp_path / "ic.yaml"), """InferenceComponentName: llama
EndpointName: ic-endpoint
VariantName: main
Specification:
  ModelName: llama
  ComputeResourceRequirements: {NumberOfAcceleratorDevicesRequired: 1, MinMemoryRequiredInMb: 1024}
RuntimeConfig: {CopyCount: 2}
---
ServiceNamespace: sagemaker
ResourceId: inference-component/llama
ScalableDimension: sagemaker:inference-component:DesiredCopyCount
MinCapacity: 1
MaxCapacity: 8
""")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    data = json.loads(out)
    rows = {r["kind"]: r for r in data["resources"]}
    variant = rows["endpoint-variant"]
    assert variant["count"]["from"] == "ManagedInstanceScaling"
    assert variant["monthly_max"] == round(3 * snapshot_price("sagemaker", "ml.g5.12xlarge") * 730, 2)
    ic = rows["inference-component"]
    assert ic["count"] == {"min": 1, "desired": 2, "max": 8, "from": "scalable target inference-component/llama"}
    assert ic["instance_types"] == ["ml.g5.12xlarge"] and ic["monthly_max"] is None
    assert ic["notes"] == ["copies run on endpoint-variant ic-config/main, costed there"]
    assert data["totals"]["monthly_max"] == variant["monthly_max"]


# --------------------------------------------------------------------------- the budget gate


def test_budget_gate_exit_status() -> None:
    status, out, _ = run(["cost", "--budget", "86103.03", "examples/cost"])
    assert status == 0 and "within the budget of $86,103.03" in out
    status, out, _ = run(["cost", "--budget", "86000", "examples/cost"])
    assert status == 1
    assert ("examples/cost/karpenter.yaml:18:11: error cost-budget-exceeded estimated cost at max capacity is "
            "$86,103.03 a month, above the budget of $86,000.00; the largest item is nodepool gpu-burst at "
            "$44,250.79") in out
    status, out, _ = run(["cost", "--format", "json", "--budget", "1000", "examples/cost"])
    data = json.loads(out)
    assert status == 1 and data["budget"] == {"monthly_usd": 1000.0, "exceeded": True}
    assert [(d["rule"], d["code"], d["file"], d["line"]) for d in data["diagnostics"]] == [
        ("cost-budget-exceeded", "COST501", "examples/cost/karpenter.yaml", 18)]
    status, _, err = run(["cost", "--budget", "lots", "examples/cost"])
    assert status == 2 and "expected a number of US dollars" in err


def test_a_missing_path_is_a_usage_error_not_a_passing_gate() -> None:
    status, out, err = run(["cost", "--budget", "1", "examples/cots"])
    assert (status, out) == (2, "")
    assert err == "gpulint: examples/cots: no such file or directory\n"


def test_budget_from_the_config_gates_cost_and_lint(tmp_path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "cost")
    (tmp_path / ".gpulint.yaml").write_text("budget: 50000\n")
    status, out, _ = run(["cost", "cost"], cwd=str(tmp_path))
    assert status == 1 and "over the budget of $50,000.00" in out
    status, out, _ = run(["--format", "json", "cost"], cwd=str(tmp_path))
    diags = [d for d in json.loads(out) if d["rule"] == "cost-budget-exceeded"]
    assert status == 1
    assert [(d["file"], d["line"], d["severity"]) for d in diags] == [("cost/karpenter.yaml", 18, "error")]
    # ignoring the rule switches the gate off in lint runs
    status, out, _ = run(["--format", "json", "--ignore", "cost-budget-exceeded", "cost"], cwd=str(tmp_path))
    assert not [d for d in json.loads(out) if d["rule"] == "cost-budget-exceeded"]
    (tmp_path / ".gpulint.yaml").write_text("budget: -5\n")
    status, _, err = run(["cost", "cost"], cwd=str(tmp_path))
    assert status == 2 and "budget" in err


def test_lint_with_cost_puts_the_monthly_range_on_the_summary_line() -> None:
    status, out, _ = run(["--cost", "examples/cost"])
    assert status == 0
    assert out.splitlines()[-1] == (
        "No problems found in 6 files. Estimated cost: $1,833.61-$85,349.27 a month plus $753.76 of job runs"
        "; price snapshot (prices of 2026-02-09, 2026-08-26, undated)."
    )
    _, out, _ = run(["examples/cost"])
    assert "Estimated cost" not in out


# --------------------------------------------------------------------------- --diff REF

git = shutil.which("git")


@pytest.mark.skipif(git is None, reason="git is not installed")
def test_diff_against_a_git_ref(tmp_path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    def g(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"})

    g("init", "-q")
    write(str(repo / "infra" / "cluster.yaml"), NODEGROUP.format(region="us-east-1", itype="g5.xlarge", lo=1, hi=2))
    write(str(repo / "infra" / "old.yaml"), NODEGROUP.format(region="us-east-1", itype="m5.large", lo=1, hi=1))
    write(str(repo / "README.md"), "not a config\n")
    g("add", ".")
    g("commit", "-q", "-m", "base")
    # the branch: a bigger node group, a new training job, a removed file
    write(str(repo / "infra" / "cluster.yaml"), NODEGROUP.format(region="us-east-1", itype="g5.xlarge", lo=1, hi=8))
    os.remove(repo / "infra" / "old.yaml")
    write(str(repo / "infra" / "train.json"), json.dumps({
        "TrainingJobName": "t", "ResourceConfig": {"InstanceType": "ml.g5.2xlarge", "InstanceCount": 1,
                                                   "VolumeSizeInGB": 50},
        "StoppingCondition": {"MaxRuntimeInSeconds": 7200}}))
    g5, m5, sm = snapshot_price("ec2", "g5.xlarge"), snapshot_price("ec2", "m5.large"), \
        snapshot_price("sagemaker", "ml.g5.2xlarge")

    status, out, err = run(["cost", "--diff", "HEAD", "--format", "json", "infra"], cwd=str(repo))
    assert status == 0, err
    data = json.loads(out)
    items = {(i["file"], i["name"]): i for i in data["resources"]}
    grown = items[("infra/cluster.yaml", "gpu")]
    assert grown["status"] == "changed"
    assert grown["before"]["max"] == round(2 * g5 * 730, 2) and grown["after"]["max"] == round(8 * g5 * 730, 2)
    assert grown["change_max"] == round(round(8 * g5 * 730, 2) - round(2 * g5 * 730, 2), 2)
    removed = items[("infra/old.yaml", "gpu")]
    assert removed["status"] == "removed" and removed["change_max"] == -round(m5 * 730, 2)
    added = items[("infra/train.json", "t")]
    assert added["status"] == "added" and added["change_max"] == round(sm * 2, 2)
    before_total = round(2 * g5 * 730, 2) + round(m5 * 730, 2)
    after_total = round(8 * g5 * 730, 2) + round(sm * 2, 2)
    assert data["totals"]["before"]["total_max"] == round(before_total, 2)
    assert data["totals"]["after"]["total_max"] == round(after_total, 2)
    assert data["totals"]["change_total_max"] == round(after_total - before_total, 2)

    status, out, _ = run(["cost", "--diff", "HEAD", "infra"], cwd=str(repo / "infra"))
    assert status == 2  # infra/infra does not exist in the working tree or at HEAD
    status, out, _ = run(["cost", "--diff", "HEAD", "--budget", "1000"], cwd=str(repo))
    assert status == 1
    assert "changed  infra/cluster.yaml" in out and "added    infra/train.json" in out
    assert "removed  infra/old.yaml" in out
    assert f"-> {render.money(round(after_total, 2))} (working tree)" in out
    assert "error cost-budget-exceeded" in out
    assert "Prices (on-demand unless marked spot): snapshot: karpenter-provider-aws" in out
    assert "pricing.yml (undated), us-east-1" in out
    status, _, err = run(["cost", "--diff", "no-such-ref"], cwd=str(repo))
    assert status == 2 and "'no-such-ref' is not a commit" in err


@pytest.mark.skipif(git is None, reason="git is not installed")
def test_diff_names_many_types_as_the_table_does(tmp_path) -> None:
    """A NodePool allowing a whole family reads 'g6e.* (8)' in the diff too, not eight names."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLES, repo / "infra")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)
    nodepool = repo / "infra" / "karpenter.yaml"
    nodepool.write_text(nodepool.read_text().replace("nvidia.com/gpu: 8", "nvidia.com/gpu: 16"))
    status, out, err = run(["cost", "--diff", "HEAD", "infra"], cwd=str(repo))
    assert status == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("changed")]
    g6e16 = snapshot_price("ec2", "g6e.16xlarge")
    assert line.split() == ["changed", "infra/karpenter.yaml", "nodepool", "gpu-burst", "g6e.*", "(8)", "x8",
                            "g6e.*", "(8)", "x16", render.money(round(8 * g6e16 * 730, 2)),
                            render.money(round(16 * g6e16 * 730, 2)), "+" + render.money(round(8 * g6e16 * 730, 2))]


def test_diff_outside_a_repository_is_a_usage_error(tmp_path) -> None:
    status, _, err = run(["cost", "--diff", "HEAD"], cwd=str(tmp_path))
    assert status == 2 and "not inside a git repository" in err


# --------------------------------------------------------------------------- more inputs and paths


def test_ack_custom_resources_are_costed_like_api_documents(tmp_path) -> None:
    write(str(tmp_path / "ack.yaml"), """apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: EndpointConfig
metadata:
  name: ack-config
spec:
  endpointConfigName: ack-config
  productionVariants:
    - variantName: main
      modelName: m
      instanceType: ml.g5.12xlarge
      initialInstanceCount: 1
status:
  ackResourceMetadata:
    region: us-east-1
---
apiVersion: applicationautoscaling.services.k8s.aws/v1alpha1
kind: ScalableTarget
metadata:
  name: ack-target
spec:
  serviceNamespace: sagemaker
  resourceID: endpoint/ack-config/variant/main
  scalableDimension: sagemaker:variant:DesiredInstanceCount
  minCapacity: 1
  maxCapacity: 2
---
apiVersion: sagemaker.services.k8s.aws/v1alpha1
kind: TrainingJob
metadata:
  name: ack-train
spec:
  trainingJobName: ack-train
  resourceConfig:
    instanceType: ml.p4d.24xlarge
    instanceCount: 1
    volumeSizeInGB: 100
  stoppingCondition:
    maxRuntimeInSeconds: 3600
""")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    rows = {r["kind"]: r for r in json.loads(out)["resources"]}
    variant = rows["endpoint-variant"]
    assert (variant["name"], variant["line"], variant["region_from"]) == ("ack-config/main", 10, "file")
    assert variant["count"]["min"] == 1 and variant["count"]["max"] == 2
    assert variant["monthly_max"] == round(2 * snapshot_price("sagemaker", "ml.g5.12xlarge") * 730, 2)
    train = rows["training-job"]
    assert train["per_run"] == round(snapshot_price("sagemaker", "ml.p4d.24xlarge") * 1, 2)


def test_self_managed_mixed_spot_nodegroup(tmp_path) -> None:
    write(str(tmp_path / "c.yaml"), """apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: c, region: us-west-2}
nodeGroups:
  - name: mixed
    minSize: 2
    maxSize: 10
    instancesDistribution:
      instanceTypes: [g5.2xlarge, g6.2xlarge]
      onDemandBaseCapacity: 0
      onDemandPercentageAboveBaseCapacity: 0
      spotAllocationStrategy: capacity-optimized
  - name: plain
""")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    rows = {r["name"]: r for r in json.loads(out)["resources"]}
    mixed = rows["mixed"]
    assert mixed["line"] == 9 and mixed["spot"] is not None and mixed["region"] == "us-west-2"
    g5, g6 = snapshot_price("ec2", "g5.2xlarge", "us-west-2"), snapshot_price("ec2", "g6.2xlarge", "us-west-2")
    assert mixed["monthly_min"] == round(2 * min(g5, g6) * 730, 2)
    assert mixed["monthly_max"] == round(10 * max(g5, g6) * 730, 2)
    # no instance type and no sizes: eksctl's defaults (m5.large, 2 nodes)
    plain = rows["plain"]
    assert plain["instance_types"] == ["m5.large"] and plain["count"]["min"] == 2 and plain["count"]["max"] == 2
    assert plain["notes"] == ["no instance type given: eksctl's default m5.large"]
    assert plain["prices"] == {"m5.large": None}  # no us-west-2 CPU price in the snapshot


def test_cost_reads_standard_input() -> None:
    data = NODEGROUP.format(region="us-east-1", itype="g5.xlarge", lo=1, hi=3).encode()
    out, err = io.StringIO(), io.StringIO()
    status = main(["cost", "--format", "json", "--stdin-filename", "cluster.yaml", "-"], stdout=out, stderr=err,
                  stdin_data=data)
    row = json.loads(out.getvalue())["resources"][0]
    assert status == 0 and row["file"] == "cluster.yaml" and row["line"] == 8
    assert row["monthly_max"] == round(3 * snapshot_price("ec2", "g5.xlarge") * 730, 2)


def test_live_prices_reach_the_table_with_their_source(tmp_path, monkeypatch) -> None:
    pricing_client, pstub = stubbed("pricing")
    ec2_client, estub = stubbed("ec2")
    pstub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [ec2_price_item("g5.xlarge", "1.1")]},
                       {"ServiceCode": "AmazonEC2", "Filters": live_prices.ec2_filters("us-east-1", "g5.xlarge"),
                        "FormatVersion": "aws_v1", "MaxResults": 100})
    estub.add_response("describe_spot_price_history", {"SpotPriceHistory": [
        {"AvailabilityZone": "us-east-1c", "InstanceType": "g5.xlarge", "ProductDescription": "Linux/UNIX",
         "SpotPrice": "0.40", "Timestamp": dt.datetime(2026, 11, 23, tzinfo=dt.timezone.utc)}]},
        {"InstanceTypes": ["g5.xlarge"], "ProductDescriptions": ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
         "StartTime": ANY})
    clients = {("pricing", "us-east-1"): pricing_client, ("ec2", "us-east-1"): ec2_client}
    monkeypatch.setattr(cost, "make_prices", lambda live, snapshot=None: live_prices.LivePrices(
        cache=live_prices.DiskCache(str(tmp_path / "c.json")), client_factory=lambda s, r: clients[(s, r)]))
    write(str(tmp_path / "c.yaml"), NODEGROUP.format(region="us-east-1", itype="g5.xlarge", lo=1, hi=2)
          .replace("    minSize", "    spot: true\n    minSize"))
    with pstub, estub:
        status, out, err = run(["cost", "--live", "c.yaml"], cwd=str(tmp_path))
    assert status == 0 and err == ""
    assert "nodegroup gpu" in out and "$1,606.00" in out  # 2 x 1.1 x 730
    assert "0.4" in out.splitlines()[1]
    today = dt.date.today().isoformat()
    assert f"[1] Price List API ({today}), us-east-1" in out
    assert f"[2] EC2 spot price history ({today}), us-east-1" in out


def test_plain_lint_imports_no_cost_or_aws_code() -> None:
    import sys
    code = ("import sys; from gpulint.cli import main; main(['examples/kubernetes']); "
            "print(sorted(m for m in sys.modules if m.startswith('gpulint.cost.') or m in ('boto3', 'botocore')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_serverless_variants_are_listed_but_not_costed(tmp_path) -> None:
    write(str(tmp_path / "sl.json"), json.dumps({"EndpointConfigName": "sl", "ProductionVariants": [
        {"VariantName": "small", "ModelName": "m", "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5}},
        {"VariantName": "gpu", "ModelName": "m", "InstanceType": "ml.g5.2xlarge", "InitialInstanceCount": 1},
    ]}, indent=2))
    status, out, _ = run(["cost", "sl.json"], cwd=str(tmp_path))
    assert status == 0
    assert "Not in the totals: endpoint-variant sl/small (sl.json) is serverless, billed per request and compute " \
           "time." in out
    month = round(snapshot_price("sagemaker", "ml.g5.2xlarge") * 730, 2)
    assert f"Total at max capacity: {render.money(month)} a month" in out
    _, out, _ = run(["cost", "--format", "json", "sl.json"], cwd=str(tmp_path))
    small = json.loads(out)["resources"][0]
    assert (small["name"], small["billing"], small["line"], small["monthly_max"]) == ("sl/small", "serverless", 7, None)


def test_instance_pools_cost_the_cheapest_at_min_and_the_dearest_at_max(tmp_path) -> None:
    write(str(tmp_path / "pools.json"), json.dumps({
        "EndpointConfigName": "hetero",
        "ProductionVariants": [{
            "VariantName": "main", "ModelName": "m", "InitialInstanceCount": 2,
            "InstancePools": [{"InstanceType": "ml.g5.12xlarge", "Priority": 1},
                              {"InstanceType": "ml.g6.12xlarge", "Priority": 2},
                              {"InstanceType": "ml.p5e.48xlarge", "Priority": 3}],
            "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
        }],
    }, indent=2))
    write(str(tmp_path / "target.yaml"), """ServiceNamespace: sagemaker
ResourceId: endpoint/hetero/variant/main
ScalableDimension: sagemaker:variant:DesiredInstanceCount
MinCapacity: 1
MaxCapacity: 5
""")
    status, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    row = json.loads(out)["resources"][0]
    g5, g6 = snapshot_price("sagemaker", "ml.g5.12xlarge"), snapshot_price("sagemaker", "ml.g6.12xlarge")
    assert row["instance_types"] == ["ml.g5.12xlarge", "ml.g6.12xlarge", "ml.p5e.48xlarge"]
    assert row["prices"]["ml.p5e.48xlarge"] is None  # no sourced price: left out, and said so
    assert row["monthly_min"] == round(1 * min(g5, g6) * 730, 2)
    assert row["monthly_max"] == round(5 * max(g5, g6) * 730, 2)
    _, text, _ = run(["cost", "."], cwd=str(tmp_path))
    assert "* endpoint-variant hetero/main: no price for ml.p5e.48xlarge; costed from the priced types." in text


def test_a_region_that_is_not_one_falls_back_and_unsized_types_are_named(tmp_path) -> None:
    write(str(tmp_path / "c.yaml"), NODEGROUP.format(region="PLACEHOLDER_AWS_REGION", itype="p5.48xlarge", lo=0, hi=1))
    write(str(tmp_path / "np.yaml"), """apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: cpu}
spec:
  template:
    spec:
      requirements:
        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [c5]}
  limits:
    cpu: 100
""")
    _, out, _ = run(["cost", "--format", "json", "."], cwd=str(tmp_path))
    rows = {r["name"]: r for r in json.loads(out)["resources"]}
    assert (rows["gpu"]["region"], rows["gpu"]["region_from"]) == ("us-east-1", "default")
    assert rows["gpu"]["monthly_max"] == round(snapshot_price("ec2", "p5.48xlarge") * 730, 2)
    pool = rows["cpu"]
    # every sized c5 type costs the same per vCPU (0.0425 $/h): 100 vCPUs of it
    per_vcpu = snapshot_price("ec2", "c5.large") / 2
    assert pool["monthly_max"] == round(50 * 2 * per_vcpu * 730, 2) == 3102.5
    assert pool["notes"] == ["left out of the maximum: c5.metal (the instance catalog does not give their size)"]
