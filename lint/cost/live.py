"""Live AWS prices (``gpulint cost --live``): the Price List API and EC2 spot price history.

:class:`LivePrices` asks ``pricing.get_products`` for on-demand prices and
``ec2.describe_spot_price_history`` for EC2 spot prices, through boto3
(imported only here, only when asked), with the short timeouts and the wall
clock of :mod:`gpulint.model.aws_client`. Answers are cached on disk
(:class:`DiskCache`) with a time-to-live; the cache is read like any input
(a regular file, a byte limit, JSON of the expected shape with finite prices of
zero or more) and a bad one is ignored, said so, and written anew. With no
credentials, or when the API fails or is too slow, it falls back to the
snapshot and says so once.

The Price List parsing helpers are shared with ``scripts/gen_price_snapshot.py``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any, Optional

from gpulint.cost.pricing import (
    Prices,
    Quote,
    SnapshotPrices,
    SpotQuote,
    is_price,
    parse_json,
    service_of,
)
from gpulint.load.bounded import SideFileError, read_regular
from gpulint.model import aws_client

CACHE_TTL_SECONDS = 24 * 3600
#: the price cache holds one small entry per type and region asked for
MAX_CACHE_BYTES = 4 * 2**20

#: SageMaker price components gpulint asks for, per kind of resource
SAGEMAKER_COMPONENTS = {"hosting": "Hosting", "training": "Training", "transform": "Transform"}


def pricing_endpoint_region(region: str) -> str:
    """The Price List API endpoint that serves ``region`` (it has only a few)."""
    if region.startswith("ap-"):
        return "ap-south-1"
    if region.startswith("eu-"):
        return "eu-central-1"
    if region.startswith("cn-"):
        return "cn-northwest-1"
    return "us-east-1"


# --------------------------------------------------------------------------- Price List parsing (shared)


def ec2_filters(region: str, instance_type: Optional[str] = None) -> list[dict[str, str]]:
    """Filters for the Linux, shared-tenancy, on-demand EC2 price of a type."""
    terms = {
        "regionCode": region,
        "operatingSystem": "Linux",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
        "marketoption": "OnDemand",
        "tenancy": "Shared",
        "productFamily": "Compute Instance",
    }
    if instance_type:
        terms["instanceType"] = instance_type
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in terms.items()]


def sagemaker_filters(region: str, instance_type: Optional[str] = None, component: str = "Hosting") -> list[dict[str, str]]:
    terms = {"regionCode": region, "productFamily": "ML Instance", "component": component}
    if instance_type:
        terms["instanceName"] = instance_type
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in terms.items()]


def parse_price_item(item: Any) -> Optional[tuple[str, float]]:
    """(instance type, hourly USD) from one ``PriceList`` entry (a JSON string), or None.

    Reads ``terms.OnDemand.*.priceDimensions.*.pricePerUnit.USD`` for an hourly
    unit; a product with several on-demand dimensions keeps the highest (they
    are normally one).
    """
    try:
        data = json.loads(item) if isinstance(item, str) else item
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    attrs = (data.get("product") or {}).get("attributes") or {}
    name = attrs.get("instanceName") or attrs.get("instanceType")
    if not isinstance(name, str) or not name:
        return None
    best: Optional[float] = None
    for term in ((data.get("terms") or {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            unit = str(dim.get("unit", "")).lower()
            if unit and unit not in ("hrs", "hr", "hour", "hours"):
                continue
            try:
                usd = float((dim.get("pricePerUnit") or {}).get("USD"))
            except (TypeError, ValueError):
                continue
            if is_price(usd) and usd > 0 and (best is None or usd > best):
                best = usd
    return (name, best) if best is not None else None


def get_products(client: Any, service_code: str, filters: list[dict[str, str]]) -> dict[str, float]:
    """Every priced type the filters match, following ``NextToken``."""
    out: dict[str, float] = {}
    kwargs: dict[str, Any] = {"ServiceCode": service_code, "Filters": filters, "FormatVersion": "aws_v1",
                              "MaxResults": 100}
    while True:
        resp = client.get_products(**kwargs)
        for item in resp.get("PriceList", []):
            parsed = parse_price_item(item)
            if parsed:
                name, usd = parsed
                out[name] = max(usd, out.get(name, 0.0))
        token = resp.get("NextToken")
        if not token:
            return out
        kwargs["NextToken"] = token


def spot_history(client: Any, instance_types: list[str], now: Any = None) -> dict[str, dict[str, float]]:
    """{type: {zone: latest price}} from ``describe_spot_price_history`` (Linux), following ``NextToken``."""
    import datetime as _dt

    start = now or _dt.datetime.now(_dt.timezone.utc)
    latest: dict[tuple[str, str], tuple[Any, float]] = {}
    kwargs: dict[str, Any] = {
        "InstanceTypes": instance_types,
        "ProductDescriptions": ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"],
        "StartTime": start,
    }
    while True:
        resp = client.describe_spot_price_history(**kwargs)
        for entry in resp.get("SpotPriceHistory", []):
            try:
                price = float(entry["SpotPrice"])
            except (KeyError, TypeError, ValueError):
                continue
            if not is_price(price):
                continue
            key = (entry.get("InstanceType", ""), entry.get("AvailabilityZone", ""))
            stamp = entry.get("Timestamp")
            if key not in latest or (stamp is not None and latest[key][0] is not None and stamp > latest[key][0]):
                latest[key] = (stamp, price)
        token = resp.get("NextToken")
        if not token:
            break
        kwargs["NextToken"] = token
    out: dict[str, dict[str, float]] = {}
    for (itype, zone), (_, price) in latest.items():
        out.setdefault(itype, {})[zone] = price
    return out


# --------------------------------------------------------------------------- live prices


def cache_dir(environ: Optional[dict] = None) -> str:
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gpulint")


class DiskCache:
    """A small JSON file of ``key -> {"t": epoch seconds, "v": value}`` with a time-to-live.

    It is read as untrusted input: a regular file (not a link, FIFO or device) of at most
    ``MAX_CACHE_BYTES``, strict JSON of that shape, ``od|`` values a price or null, ``spot|``
    values a mapping of zone to price, every price finite and zero or more. Anything else makes
    the whole cache unused (``problem`` says why) until it is written anew.
    """

    def __init__(self, path: str, ttl: float = CACHE_TTL_SECONDS, clock: Any = time.time) -> None:
        self.path = path
        self.ttl = ttl
        self.clock = clock
        self._data: Optional[dict] = None
        #: why the file on disk was not used; None when it was, or when there was none
        self.problem: Optional[str] = None

    def _load(self) -> dict:
        if self._data is None:
            self._data = {}
            try:
                data = parse_json(read_regular(self.path, MAX_CACHE_BYTES, follow=False))
                check_cache(data)
                self._data = data
            except SideFileError as exc:
                if not exc.missing:
                    self.problem = f"is not a valid price cache ({exc})"
            except OSError as exc:
                self.problem = f"cannot be read ({exc.strerror or type(exc).__name__})"
            except ValueError as exc:
                self.problem = f"is not a valid price cache ({exc})"
        return self._data

    def get(self, key: str) -> tuple[bool, Any, Optional[float]]:
        """(hit, value, time stored). An entry stored in the future is stale."""
        entry = self._load().get(key)
        if not isinstance(entry, dict) or "t" not in entry:
            return False, None, None
        age = self.clock() - float(entry["t"])
        if age > self.ttl or age < -60:
            return False, None, None
        return True, entry.get("v"), float(entry["t"])

    def put(self, key: str, value: Any) -> None:
        data = self._load()
        data[key] = {"t": self.clock(), "v": value}
        import tempfile

        try:
            folder = os.path.dirname(self.path) or "."
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".prices.", suffix=".tmp", dir=folder)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, allow_nan=False)
                os.replace(tmp, self.path)  # replaces a link or FIFO itself, never what it points to
            except BaseException:
                os.unlink(tmp)
                raise
        except (OSError, ValueError):
            pass  # a cache that cannot be written is only slower


def check_cache(data: Any) -> None:
    """ValueError (no file content in it) when ``data`` is not a price cache."""
    if not isinstance(data, dict):
        raise ValueError("expected a mapping")
    for key, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != {"t", "v"}:
            raise ValueError("an entry is not {t, v}")
        t, v = entry["t"], entry["v"]
        if not is_price(t):  # a finite time, zero or more
            raise ValueError("an entry's time is not a finite number")
        if key.startswith("od|"):
            ok = v is None or is_price(v)
        elif key.startswith("spot|"):
            ok = isinstance(v, dict) and all(isinstance(z, str) and is_price(p) for z, p in v.items())
        else:
            ok = False
        if not ok:
            raise ValueError("an entry is not a price of zero or more")


def _iso_date(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(epoch))


@dataclass
class LivePrices(Prices):
    """Prices from the AWS APIs, cached on disk, with the snapshot behind them."""

    fallback: Prices = field(default_factory=SnapshotPrices)
    cache: Optional[DiskCache] = None
    #: factory (service name, region) -> boto3 client; tests pass Stubber-backed clients
    client_factory: Any = None
    clock: Any = time.time
    notes: list[str] = field(default_factory=list)
    #: the wall clock of live work: after ``deadline`` seconds of it in all, the snapshot answers
    timer: Any = time.monotonic
    deadline: float = aws_client.DEADLINE_S
    _spent: float = 0.0
    _failed: Optional[str] = None
    _checked: bool = False
    _cache_noted: bool = False

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = DiskCache(os.path.join(cache_dir(), "prices.json"), clock=self.clock)

    # -- plumbing

    def _client(self, service: str, region: str) -> Any:
        if self.client_factory is not None:
            return self.client_factory(service, region)
        return aws_client.make_client(service, region)  # boto3, only for --live

    def _available(self) -> bool:
        if self._failed:
            return False
        if self._checked or self.client_factory is not None:
            return True
        self._checked = True
        try:
            import boto3
        except ImportError:
            return self._fail("boto3 is not installed (pip install 'gpulint[aws]')")
        try:
            creds = self._timed(lambda: boto3.Session().get_credentials())
        except aws_client.DeadlineExceeded:
            return self._fail(f"AWS credentials were not found within {self.deadline:g} s")
        except Exception as exc:  # noqa: BLE001 - any credential-chain failure means no live prices
            return self._fail(f"cannot read AWS credentials ({type(exc).__name__})")
        if creds is None:
            return self._fail("no AWS credentials found")
        return True

    def _fail(self, why: str) -> bool:
        if not self._failed:
            self._failed = why
            self.notes.append(f"--live: {why}; using the {self.fallback.describe()} instead")
        return False

    def _timed(self, fn: Any) -> Any:
        """``fn()`` within what is left of the deadline; the time it took counts against it."""
        start = self.timer()
        try:
            return aws_client.within(fn, self.deadline - self._spent)
        finally:
            self._spent += max(0.0, self.timer() - start)

    def _call(self, fn: Any) -> Any:
        if self._failed:
            return None
        try:
            return self._timed(fn)
        except aws_client.DeadlineExceeded:
            self._fail(f"the AWS API did not answer within {self.deadline:g} s")
            return None
        except Exception as exc:  # noqa: BLE001 - botocore raises many kinds; all mean "fall back"
            code = ""
            response = getattr(exc, "response", None)
            if isinstance(response, dict):
                code = str((response.get("Error") or {}).get("Code") or "")
            self._fail(f"the AWS API failed ({code or type(exc).__name__})")
            return None

    def _cached(self, key: str) -> tuple[bool, Any, Optional[float]]:
        """The cache's entry for ``key``; a cache file that was not usable is said once."""
        if self.cache is None:
            return False, None, None
        found = self.cache.get(key)
        if self.cache.problem and not self._cache_noted:
            self._cache_noted = True
            self.notes.append(f"--live: the price cache {self.cache.path} {self.cache.problem}; it is ignored "
                              "and written anew")
        return found

    # -- Prices

    def on_demand(self, instance_type: str, region: str, component: str = "hosting") -> Optional[Quote]:
        service = service_of(instance_type)
        key = f"od|{service}|{component if service == 'sagemaker' else ''}|{region}|{instance_type}"
        hit, value, stored = self._cached(key)
        if hit:
            if value is None:
                return self.fallback.on_demand(instance_type, region, component)
            return Quote(float(value), "Price List API (cached)", _iso_date(stored or self.clock()), region)
        if not self._available():
            return self.fallback.on_demand(instance_type, region, component)
        client = self._call(lambda: self._client("pricing", pricing_endpoint_region(region)))
        if client is None:
            return self.fallback.on_demand(instance_type, region, component)
        if service == "ec2":
            found = self._call(lambda: get_products(client, "AmazonEC2", ec2_filters(region, instance_type)))
        else:
            comp = SAGEMAKER_COMPONENTS.get(component, "Hosting")
            found = self._call(
                lambda: get_products(client, "AmazonSageMaker", sagemaker_filters(region, instance_type, comp))
            )
        if found is None:
            return self.fallback.on_demand(instance_type, region, component)
        price = found.get(instance_type)
        if self.cache:
            self.cache.put(key, price)
        if price is None:
            return self.fallback.on_demand(instance_type, region, component)
        return Quote(price, "Price List API", _iso_date(self.clock()), region)

    def spot(self, instance_type: str, region: str) -> Optional[SpotQuote]:
        if service_of(instance_type) != "ec2":
            return None
        key = f"spot|{region}|{instance_type}"
        hit, value, stored = self._cached(key)
        if hit:
            return _spot_quote(value, "EC2 spot price history (cached)", _iso_date(stored or self.clock()), region)
        if not self._available():
            return self.fallback.spot(instance_type, region)
        client = self._call(lambda: self._client("ec2", region))
        if client is None:
            return self.fallback.spot(instance_type, region)
        found = self._call(lambda: spot_history(client, [instance_type]))
        if found is None:
            return self.fallback.spot(instance_type, region)
        zones = found.get(instance_type) or {}
        if self.cache:
            self.cache.put(key, zones)
        return _spot_quote(zones, "EC2 spot price history", _iso_date(self.clock()), region)

    def spot_unavailable_reason(self, instance_type: str) -> str:
        if service_of(instance_type) == "sagemaker":
            return "SageMaker publishes no spot price"
        if self._failed:
            return self.fallback.spot_unavailable_reason(instance_type)
        return "no current spot price for this type in the region"

    def known_types(self, service: str, region: str) -> set[str]:
        return self.fallback.known_types(service, region)

    def describe(self) -> str:
        return "live AWS prices"


def _spot_quote(zones: Any, source: str, date: str, region: str) -> Optional[SpotQuote]:
    if not isinstance(zones, dict) or not zones:
        return None
    values = [float(v) for v in zones.values()]
    return SpotQuote(min(values), max(values), len(values), source, date, region)
