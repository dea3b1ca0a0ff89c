"""Instance prices: where they come from, and the dated snapshot shipped with gpulint.

Every price carries where it came from and when (:class:`Quote`), so a cost
table can say, for each row, which source and date it rests on.

- :class:`Prices` is what an estimate asks: the on-demand price of a type in a
  region (SageMaker prices per component: hosting, training, transform), its
  spot prices, and why there are none.
- :class:`SnapshotPrices` reads ``gpulint/data/prices.json`` (loaded on first
  use). The snapshot is a list of *tables*; each names its service (``ec2`` or
  ``sagemaker``), region, market, source and date. A type missing from every
  table has no price: gpulint never guesses one. The file is checked like any
  input (:func:`gpulint.load.bounded.read_regular`, :func:`check_snapshot`): a price that is
  negative or not finite makes it unusable (:class:`SnapshotError`), never a
  lower total.
- :func:`default_region` is the region for files that state none.

Live AWS prices (``--live``) are :mod:`gpulint.cost.live`.
"""

from __future__ import annotations

import abc
import json
import math
import os
from dataclasses import dataclass
from typing import Any, Iterable, Optional

from gpulint.load.bounded import SideFileError, read_regular

DEFAULT_REGION = "us-east-1"
HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class Quote:
    """An hourly price and its provenance."""

    hourly: float
    source: str  # short label, e.g. "snapshot: karpenter-provider-aws zz_generated.pricing_aws.go"
    date: Optional[str]  # ISO date the price was read or generated; None when the source gives none
    region: str

    @property
    def label(self) -> str:
        return f"{self.source} ({self.date or 'undated'})"


@dataclass(frozen=True)
class SpotQuote:
    """Spot prices of one type in one region: the lowest and highest current price over its zones."""

    low: float
    high: float
    zones: int
    source: str
    date: Optional[str]
    region: str

    @property
    def label(self) -> str:
        return f"{self.source} ({self.date or 'undated'})"


# --------------------------------------------------------------------------- regions


def default_region(cli_region: Optional[str] = None, environ: Optional[dict] = None) -> tuple[str, str]:
    """(region, where it came from): ``--region``, then AWS_REGION / AWS_DEFAULT_REGION, then the
    ``region`` of the AWS profile in the AWS config file, then us-east-1."""
    env = os.environ if environ is None else environ
    if cli_region:
        return cli_region, "--region"
    for var in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(var):
            return env[var], var
    found = config_file_region(env)
    if found is not None:
        return found
    return DEFAULT_REGION, "default"


def config_file_region(env: Any) -> Optional[tuple[str, str]]:
    """The region the AWS CLI and SDKs would take from the config file (``AWS_CONFIG_FILE``,
    else ``~/.aws/config``) for the profile in AWS_PROFILE (else ``default``); read as text."""
    import configparser

    path = env.get("AWS_CONFIG_FILE") or os.path.join(os.path.expanduser("~"), ".aws", "config")
    profile = env.get("AWS_PROFILE") or "default"
    section = "default" if profile == "default" else f"profile {profile}"
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as fh:
            parser.read_file(fh)
        region = parser.get(section, "region", fallback=None)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    region = (region or "").strip()
    return (region, f"AWS config profile {profile}") if region else None


# --------------------------------------------------------------------------- the snapshot

_SNAPSHOT_CACHE: dict[str, dict] = {}
MAX_SNAPSHOT_BYTES = 16 * 2**20


class SnapshotError(Exception):
    """The price snapshot cannot be used; the message says which file and why (never its content)."""


def snapshot_path() -> str:
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "prices.json")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(data: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN or Infinity; ValueError for anything else (deep nesting included)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def is_price(value: Any) -> bool:
    """A price gpulint can add up: a finite number of zero or more (not a boolean)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


def check_snapshot(data: Any) -> None:
    """ValueError naming the first place where ``data`` is not a price snapshot."""
    tables = data.get("tables") if isinstance(data, dict) else None
    if not isinstance(tables, list):
        raise ValueError("expected a mapping with a list of 'tables'")
    for i, table in enumerate(tables):
        if not isinstance(table, dict):
            raise ValueError(f"tables[{i}] is not a mapping")
        for key in ("service", "region", "market"):
            if not isinstance(table.get(key), str):
                raise ValueError(f"tables[{i}].{key} is not a string")
        prices = table.get("prices")
        if not isinstance(prices, dict):
            raise ValueError(f"tables[{i}].prices is not a mapping")
        bad = sum(1 for v in prices.values() if not is_price(v))
        if bad:
            raise ValueError(f"tables[{i}].prices: {bad} price(s) not a finite number of zero or more")


def load_snapshot(path: Optional[str] = None) -> dict:
    """The snapshot as data (read and checked once per path); SnapshotError when it is unusable."""
    path = path or snapshot_path()
    if path not in _SNAPSHOT_CACHE:
        try:
            data = parse_json(read_regular(path, MAX_SNAPSHOT_BYTES))
            check_snapshot(data)
        except SideFileError as exc:
            raise SnapshotError(f"the price snapshot {path} is not usable: {exc}") from None
        except OSError as exc:
            raise SnapshotError(f"cannot read the price snapshot {path}: {exc.strerror or type(exc).__name__}") \
                from None
        except ValueError as exc:
            raise SnapshotError(f"the price snapshot {path} is not usable: {exc}") from None
        _SNAPSHOT_CACHE[path] = data
    return _SNAPSHOT_CACHE[path]


def service_of(instance_type: str) -> str:
    return "sagemaker" if instance_type.startswith("ml.") else "ec2"


class Prices(abc.ABC):
    """What a cost estimate asks of a price source."""

    #: one-line notes for the user (fallbacks, missing credentials)
    notes: list[str]

    @abc.abstractmethod
    def on_demand(self, instance_type: str, region: str, component: str = "hosting") -> Optional[Quote]:
        """The on-demand hourly price of a type in a region, or None when unknown."""

    @abc.abstractmethod
    def spot(self, instance_type: str, region: str) -> Optional[SpotQuote]:
        """The current spot price (EC2 only), or None when unknown."""

    @abc.abstractmethod
    def spot_unavailable_reason(self, instance_type: str) -> str:
        """Why there is no spot price for this type (for the table's footnote)."""

    @abc.abstractmethod
    def known_types(self, service: str, region: str) -> set[str]:
        """The instance types this source has any price for, per service and region."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the prices come from and how old they are, in one line."""


class SnapshotPrices(Prices):
    def __init__(self, path: Optional[str] = None) -> None:
        self.path = path
        self.notes = []

    @property
    def data(self) -> dict:
        return load_snapshot(self.path)

    def _tables(self, service: str, region: str, market: str = "on-demand") -> Iterable[dict]:
        for table in self.data.get("tables", []):
            if table.get("service") == service and table.get("region") == region and table.get("market") == market:
                yield table

    def on_demand(self, instance_type: str, region: str, component: str = "hosting") -> Optional[Quote]:
        service = service_of(instance_type)
        tables = list(self._tables(service, region))
        if service == "sagemaker":
            # a table may name the SageMaker component it prices; prefer an exact match
            tables.sort(key=lambda t: 0 if t.get("component") == component else 1)
            tables = [t for t in tables if t.get("component") in (None, component)]
        for table in tables:
            price = table.get("prices", {}).get(instance_type)
            if isinstance(price, (int, float)) and not isinstance(price, bool):
                return Quote(float(price), "snapshot: " + _short_source(table), table.get("date"), region)
        return None

    def spot(self, instance_type: str, region: str) -> Optional[SpotQuote]:
        for table in self._tables(service_of(instance_type), region, "spot"):
            price = table.get("prices", {}).get(instance_type)
            if isinstance(price, (int, float)) and not isinstance(price, bool):
                return SpotQuote(float(price), float(price), 0, "snapshot: " + _short_source(table),
                                 table.get("date"), region)
        return None

    def spot_unavailable_reason(self, instance_type: str) -> str:
        if service_of(instance_type) == "sagemaker":
            return "SageMaker publishes no spot price"
        return "no spot price in the snapshot (spot prices change hourly; use --live)"

    def known_types(self, service: str, region: str) -> set[str]:
        out: set[str] = set()
        for table in self._tables(service, region):
            out.update(table.get("prices", {}))
        return out

    def describe(self) -> str:
        """``price snapshot (prices of 2026-02-09, undated)``: the dates of its tables, not of the file."""
        dates = {t.get("date") for t in self.data.get("tables", [])}
        named = sorted(d for d in dates if d)
        if None in dates or "" in dates:
            named.append("undated")
        return f"price snapshot (prices of {', '.join(named) or 'unknown date'})"


def _short_source(table: dict) -> str:
    source = str(table.get("source", "unknown source"))
    # "repo path (commit ...), more words" -> "repo path"
    return source.split(" (")[0].split(", ")[0]
