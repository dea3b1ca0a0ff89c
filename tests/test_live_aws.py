"""Live AWS calls and the price cache, offline: botocore's Stubber, events that raise the errors a
network gives, and the Config every client is made with.

- The price cache is read like any input: a regular file, a byte limit, JSON of
  the expected shape with finite prices of zero or more; a bad one is said,
  ignored and written anew, never trusted.
- Every client gets connect and read timeouts of at most 10 s and at most 2
  retries; a failing live call falls back to the snapshot with a note (cost) or
  exits 2 with a clear message (``--quotas live``), and live work stops at a
  wall-clock deadline.
"""

from __future__ import annotations

import io
import json
import os
import time

import pytest
from helpers import load_script

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError  # noqa: E402
from botocore.stub import Stubber  # noqa: E402

from gpulint.cli import main  # noqa: E402
from gpulint.cost import live as live_prices  # noqa: E402
from gpulint.model import aws_client, quotas  # noqa: E402

NOW = 1_800_000_000.0
KEY = "od|ec2||us-west-2|g5.xlarge"
SNAPSHOT_NOTE = "using the price snapshot (prices of 2026-02-09, 2026-08-26, undated) instead"


@pytest.fixture(autouse=True)
def offline(monkeypatch):
    import socket

    def refuse(self, address, *args, **kwargs):  # noqa: ANN001, ANN202
        raise AssertionError(f"a test tried to connect to {address}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # boto3's default session keeps the credentials it found: the test ones stay in this test
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.path.join(os.sep, "nonexistent", "aws-config"))


def price_item(usd: str) -> str:
    return json.dumps({
        "product": {"productFamily": "Compute Instance", "attributes": {"instanceType": "g5.xlarge"}},
        "terms": {"OnDemand": {"T": {"priceDimensions": {"D": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}}}}},
    })


def stubbed_pricing(*usd: str) -> tuple:
    """A pricing client that answers one get_products call per price given."""
    client = boto3.client("pricing", region_name="us-east-1")
    stub = Stubber(client)
    for price in usd:
        stub.add_response("get_products", {"FormatVersion": "aws_v1", "PriceList": [price_item(price)]},
                          {"ServiceCode": "AmazonEC2", "Filters": live_prices.ec2_filters("us-west-2", "g5.xlarge"),
                           "FormatVersion": "aws_v1", "MaxResults": 100})
    return client, stub


def prices_with_cache(path: str, client=None, **kwargs) -> live_prices.LivePrices:  # noqa: ANN001
    clock = lambda: NOW  # noqa: E731
    return live_prices.LivePrices(cache=live_prices.DiskCache(path, clock=clock),
                                  client_factory=lambda service, region: client, clock=clock, **kwargs)


# --------------------------------------------------------------------------- the price cache


def entry(value, t=NOW - 60):  # noqa: ANN001, ANN201
    return {KEY: {"t": t, "v": value}}


BAD_CACHES = {
    "negative price": (json.dumps(entry(-1.0)), "is not a valid price cache (an entry is not a price of zero or more)"),
    "infinite price": ('{"%s": {"t": %r, "v": 1e999}}' % (KEY, NOW - 60),
                       "is not a valid price cache (an entry is not a price of zero or more)"),
    "NaN price": ('{"%s": {"t": %r, "v": NaN}}' % (KEY, NOW - 60),
                  "is not a valid price cache (NaN is not a number JSON allows)"),
    "price as text": (json.dumps(entry("1.2")), "is not a valid price cache (an entry is not a price of zero or more)"),
    "NaN time": ('{"%s": {"t": NaN, "v": 1.0}}' % KEY, "is not a valid price cache (NaN is not a number JSON allows)"),
    "not a mapping": ("[1, 2]", "is not a valid price cache (expected a mapping)"),
    "entry without time": (json.dumps({KEY: {"v": 1.0}}), "is not a valid price cache (an entry is not {t, v})"),
    "spot as a number": (json.dumps({"spot|us-west-2|g5.xlarge": {"t": NOW, "v": 0.4}}),
                         "is not a valid price cache (an entry is not a price of zero or more)"),
    "unknown key": (json.dumps({"other": {"t": NOW, "v": 1.0}}),
                    "is not a valid price cache (an entry is not a price of zero or more)"),
    "not JSON": ("{", "is not a valid price cache (Expecting property name enclosed in double quotes: line 1 "
                      "column 2 (char 1))"),
    "not UTF-8": (b"\xff\xfe{}", "is not a valid price cache (not UTF-8 text)"),
    "nested too deeply": ("[" * 100000 + "]" * 100000, "is not a valid price cache (nested too deeply)"),
}


@pytest.mark.parametrize("name", sorted(BAD_CACHES))
def test_a_bad_cache_is_ignored_said_and_written_anew(tmp_path, name: str) -> None:
    text, problem = BAD_CACHES[name]
    path = tmp_path / "prices.json"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    client, stub = stubbed_pricing("1.2260000000")
    prices = prices_with_cache(str(path), client)
    with stub:
        q = prices.on_demand("g5.xlarge", "us-west-2")
        stub.assert_no_pending_responses()  # the API was asked: the cache was not trusted
    assert q is not None and (q.hourly, q.source) == (1.226, "Price List API")
    assert prices.notes == [f"--live: the price cache {path} {problem}; it is ignored and written anew"]
    # written anew: a regular file with the answer just read, and nothing of the bad one
    assert json.loads(path.read_text()) == {KEY: {"t": NOW, "v": 1.226}}
    assert prices_with_cache(str(path)).on_demand("g5.xlarge", "us-west-2").hourly == 1.226


def test_a_negative_cached_price_used_to_be_trusted(tmp_path) -> None:
    """The regression itself: a cache entry of -1 $/h made every g5.xlarge row cost less than nothing."""
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(entry(-1.0)))
    client, stub = stubbed_pricing("1.2260000000")
    with stub:
        q = prices_with_cache(str(path), client).on_demand("g5.xlarge", "us-west-2")
    assert q is not None and q.hourly == 1.226


R = "; refusing to read it"


@pytest.mark.parametrize("kind", ["fifo", "symlink to /dev/zero", "symlink to a good cache", "folder", "too big"])
def test_a_cache_that_is_not_a_small_regular_file_is_not_read(tmp_path, monkeypatch, kind: str) -> None:
    path = tmp_path / "prices.json"
    good = tmp_path / "elsewhere.json"
    good.write_text(json.dumps(entry(0.5)))
    problem = f"is not a valid price cache (a named pipe (FIFO), not a regular file{R})"
    if kind == "fifo":
        os.mkfifo(path)  # opening it for reading without O_NONBLOCK would wait forever
    elif kind == "symlink to /dev/zero":
        os.symlink("/dev/zero", path)  # reading it without a limit would never end
        problem = f"is not a valid price cache (a symbolic link, not a regular file{R})"
    elif kind == "symlink to a good cache":
        os.symlink(good, path)
        problem = f"is not a valid price cache (a symbolic link, not a regular file{R})"
    elif kind == "folder":
        path.mkdir()
        problem = f"is not a valid price cache (a folder, not a regular file{R})"
    else:
        monkeypatch.setattr(live_prices, "MAX_CACHE_BYTES", 64)
        path.write_text(json.dumps({**entry(0.5), **{f"od|ec2||us-east-1|pad{i}": {"t": NOW, "v": 1} for i in range(9)}}))
        problem = "is not a valid price cache (larger than 64 bytes, the most gpulint reads of this file; refusing to read it)"
    client, stub = stubbed_pricing("1.2260000000")
    prices = prices_with_cache(str(path), client)
    start = time.monotonic()
    with stub:
        q = prices.on_demand("g5.xlarge", "us-west-2")
    assert time.monotonic() - start < 5
    assert q is not None and q.hourly == 1.226
    assert prices.notes == [f"--live: the price cache {path} {problem}; it is ignored and written anew"]
    if kind != "folder":  # a folder cannot be replaced by a file: the cache only stays slower
        assert os.path.isfile(path) and not os.path.islink(path)
        assert json.loads(path.read_text()) == {KEY: {"t": NOW, "v": 1.226}}
    assert json.loads(good.read_text()) == entry(0.5)  # what a link pointed at is never written


def test_an_entry_from_the_future_is_stale(tmp_path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(entry(0.5, t=NOW + 10 * 86400)))
    client, stub = stubbed_pricing("1.2260000000")
    prices = prices_with_cache(str(path), client)
    with stub:
        assert prices.on_demand("g5.xlarge", "us-west-2").hourly == 1.226
    assert prices.notes == []


def test_a_good_cache_is_still_used(tmp_path) -> None:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({**entry(0.5), "spot|us-west-2|g5.xlarge": {"t": NOW - 60, "v": {"us-west-2a": 0.3}}}))
    prices = prices_with_cache(str(path), client=None)  # no client: any API call would fail
    q, s = prices.on_demand("g5.xlarge", "us-west-2"), prices.spot("g5.xlarge", "us-west-2")
    assert (q.hourly, q.source) == (0.5, "Price List API (cached)")
    assert (s.low, s.high, s.source) == (0.3, 0.3, "EC2 spot price history (cached)")
    assert prices.notes == []


def test_the_api_giving_a_non_finite_price_is_no_price() -> None:
    assert live_prices.parse_price_item(price_item("Infinity")) is None
    assert live_prices.parse_price_item(price_item("NaN")) is None
    assert live_prices.parse_price_item(price_item("-1")) is None
    assert live_prices.parse_price_item(price_item("1.5")) == ("g5.xlarge", 1.5)


# --------------------------------------------------------------------------- client Config


def assert_short(config) -> None:  # noqa: ANN001
    assert config.connect_timeout <= 10 and config.read_timeout <= 10
    assert (config.connect_timeout, config.read_timeout) == (5, 10)
    assert config.retries == {"max_attempts": 2, "mode": "standard"}


def test_the_client_config() -> None:
    assert_short(aws_client.client_config())
    client = aws_client.make_client("pricing", "us-east-1")
    assert (client.meta.config.connect_timeout, client.meta.config.read_timeout) == (5, 10)
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}  # 2 retries


class Recorded:
    """What boto3.client returns while ``made`` records: a client with no prices and no pages."""

    def __init__(self, region: str) -> None:
        self.meta = type("Meta", (), {"region_name": region})()

    def get_products(self, **kwargs):  # noqa: ANN003, ANN201
        return {"FormatVersion": "aws_v1", "PriceList": []}

    def get_paginator(self, name: str):  # noqa: ANN201
        raise RuntimeError("no pages here")


@pytest.fixture
def made(monkeypatch):
    """Every boto3.client call: (service, kwargs)."""
    calls: list = []

    def record(service, **kwargs):  # noqa: ANN001, ANN003, ANN202
        calls.append((service, kwargs))
        return Recorded(kwargs.get("region_name") or "us-east-1")

    monkeypatch.setattr(boto3, "client", record)
    return calls


def test_live_prices_and_live_quotas_make_their_clients_with_the_config(made) -> None:
    live_prices.LivePrices(cache=live_prices.DiskCache(os.devnull))._client("pricing", "us-east-1")
    quotas._default_client()
    assert [(s, kw.get("region_name")) for s, kw in made] == [("pricing", "us-east-1"), ("service-quotas", None)]
    for _, kwargs in made:
        assert_short(kwargs["config"])


def test_the_generator_scripts_make_their_clients_with_the_config(tmp_path, made, capsys) -> None:
    snapshot = load_script("gen_price_snapshot")
    assert snapshot.main(["--regions", "us-east-1", "--output", str(tmp_path / "p.json")]) == 0
    catalog = load_script("gen_instance_catalog")
    catalog.main(["--live", "--region", "us-west-2", "--output", str(tmp_path / "i.json")])
    assert [s for s, _ in made] == ["pricing", "ec2"]
    for _, kwargs in made:
        assert_short(kwargs["config"])


# --------------------------------------------------------------------------- failing and slow calls


def failing_client(service: str, error: type, operation: str) -> tuple:
    """A real client whose every request fails as a network would, before anything is sent."""
    client = aws_client.make_client(service, "us-east-1")
    attempts: list = []

    def fail(request, **kwargs):  # noqa: ANN001, ANN003, ANN202
        attempts.append(request.url)
        raise error(endpoint_url=request.url)

    client.meta.events.register(f"before-send.*.{operation}", fail)
    return client, attempts


@pytest.mark.parametrize("error", [ReadTimeoutError, ConnectTimeoutError])
def test_a_timing_out_price_call_is_retried_twice_then_falls_back(tmp_path, error: type) -> None:
    client, attempts = failing_client("pricing", error, "GetProducts")
    prices = prices_with_cache(str(tmp_path / "prices.json"), client)
    start = time.monotonic()
    q = prices.on_demand("g5.xlarge", "us-east-1")
    assert time.monotonic() - start < 10
    assert len(attempts) == 3  # the first attempt and 2 retries
    assert q is not None and q.source.startswith("snapshot:")
    assert prices.notes == [f"--live: the AWS API failed ({error.__name__}); {SNAPSHOT_NOTE}"]
    prices.on_demand("p4d.24xlarge", "us-east-1")
    assert len(attempts) == 3  # not asked again


class Slow:
    """A client that takes its time: what a server trickling bytes looks like to the caller."""

    def __init__(self, seconds: float) -> None:
        self.seconds, self.calls = seconds, 0

    def get_products(self, **kwargs):  # noqa: ANN003, ANN201
        self.calls += 1
        time.sleep(self.seconds)
        return {"PriceList": []}

    def get_paginator(self, name: str):  # noqa: ANN201
        slow = self

        class Pages:
            def paginate(self, **kwargs):  # noqa: ANN003, ANN202
                time.sleep(slow.seconds)
                return iter([])

        return Pages()


def test_live_prices_give_up_at_the_deadline(tmp_path) -> None:
    slow = Slow(3)
    prices = prices_with_cache(str(tmp_path / "prices.json"), slow, deadline=0.3)
    start = time.monotonic()
    q = prices.on_demand("g5.xlarge", "us-east-1")
    q2 = prices.on_demand("p4d.24xlarge", "us-east-1")
    assert time.monotonic() - start < 2
    assert slow.calls == 1
    assert q is not None and q2 is not None and q.source.startswith("snapshot:")
    assert prices.notes == [f"--live: the AWS API did not answer within 0.3 s; {SNAPSHOT_NOTE}"]


def test_the_deadline_is_within_30_seconds() -> None:
    assert aws_client.DEADLINE_S <= 30 and live_prices.LivePrices(cache=live_prices.DiskCache(os.devnull)).deadline \
        == aws_client.DEADLINE_S


CONFIG_YAML = """EndpointConfigName: cfg
ProductionVariants:
  - VariantName: AllTraffic
    ModelName: m
    InstanceType: ml.g5.12xlarge
    InitialInstanceCount: 4
"""


def quotas_live(tmp_path) -> tuple[int, str, float]:
    path = tmp_path / "c.yaml"
    path.write_text(CONFIG_YAML)
    err = io.StringIO()
    start = time.monotonic()
    code = main(["--quotas", "live", str(path)], stdout=io.StringIO(), stderr=err)
    return code, err.getvalue(), time.monotonic() - start


def test_a_timing_out_quotas_call_is_a_clear_error(tmp_path, monkeypatch) -> None:
    client, attempts = failing_client("service-quotas", ConnectTimeoutError, "ListServiceQuotas")
    monkeypatch.setattr(quotas, "make_client", lambda region=None: client)
    code, err, took = quotas_live(tmp_path)
    assert (code, len(attempts)) == (2, 3)
    assert err == ('gpulint: cannot reach the Service Quotas API: Connect timeout on endpoint URL: '
                   '"https://servicequotas.us-east-1.amazonaws.com/"\n')
    assert took < 10


def test_a_slow_quotas_call_stops_at_the_deadline(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(quotas, "make_client", lambda region=None: Slow(3))
    monkeypatch.setattr(aws_client, "DEADLINE_S", 0.3)
    code, err, took = quotas_live(tmp_path)
    assert code == 2 and took < 2
    assert err == "gpulint: the Service Quotas API did not answer within 0.3 s; try again, or pass '--quotas FILE'\n"


def test_live_quotas_keep_only_finite_values_of_zero_or_more() -> None:
    client = boto3.client("service-quotas", region_name="us-east-1")
    stub = Stubber(client)
    quota = {"ServiceCode": "sagemaker", "QuotaCode": "L-1", "Unit": "None", "Adjustable": True, "GlobalQuota": False}
    stub.add_response("list_service_quotas", {"Quotas": [
        {**quota, "QuotaName": "ml.g5.12xlarge for endpoint usage", "Value": 2.0},
        {**quota, "QuotaName": "ml.p4d.24xlarge for endpoint usage", "Value": float("nan")},
        {**quota, "QuotaName": "ml.p5.48xlarge for endpoint usage", "Value": float("inf")},
    ]}, {"ServiceCode": "sagemaker"})
    with stub:
        got = quotas.from_service_quotas(client)
    assert got == {"ml.g5.12xlarge for endpoint usage": 2.0}
