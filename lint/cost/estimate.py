"""Cost estimates: what the instances named in a repository cost per month.

``gpulint cost`` reads the same Project as a lint run; :mod:`gpulint.cost.collect`
finds every costed resource in it with an instance count range (min / initial
or desired / max). Here each gets a price per instance-hour from
:mod:`gpulint.cost.pricing` and a monthly cost at min and at max capacity
(730 hours a month); :class:`Estimate` adds the rows up.

How a range is bounded:

- node groups and endpoint variants that allow several instance types cost the
  cheapest type at the minimum count and the dearest at the maximum;
- a Karpenter NodePool costs nothing at its minimum (Karpenter scales to zero)
  and, at its maximum, the most any allowed type can cost within
  ``spec.limits`` (``nodes``, or ``cpu`` / ``memory`` / accelerators when the
  instance catalog knows the type). A pool without limits is *unbounded* and
  is listed as such, outside the totals;
- a training job costs one run at ``MaxRuntimeInSeconds`` (default one day);
  the totals count it once a month. A transform job has no runtime bound, so
  only its hourly cost is shown;
- an inference component runs on its endpoint variant's instances, which are
  costed on the variant's row; its own row shows the copy counts only.

Nothing here imports boto3 unless live prices are asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from gpulint.cost.collect import Resource, collect_resources
from gpulint.cost.pricing import HOURS_PER_MONTH, Prices, Quote, SnapshotPrices, SpotQuote, default_region

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.project import Project

# --------------------------------------------------------------------------- rows


@dataclass
class Row:
    """A resource with its prices, its region and where it is written."""

    resource: Resource
    region: str
    region_from: str
    quotes: dict[str, Optional[Quote]]
    spot: dict[str, Optional[SpotQuote]]
    spot_reason: str = ""
    line: int = 0
    column: int = 0
    #: why pricing this resource failed (the exception's type); its cost is then unknown
    error: str = ""

    @property
    def priced(self) -> dict[str, Quote]:
        return {t: q for t, q in self.quotes.items() if q is not None}

    @property
    def missing(self) -> list[str]:
        return [t for t, q in self.quotes.items() if q is None]

    @property
    def hourly_low(self) -> Optional[float]:
        p = self.priced
        return min(q.hourly for q in p.values()) if p else None

    @property
    def hourly_high(self) -> Optional[float]:
        p = self.priced
        return max(q.hourly for q in p.values()) if p else None

    def _cost(self, count: Optional[int], price: Optional[float], hours: float) -> Optional[float]:
        if count is None or price is None:
            return None
        return round(count * price * hours, 2)

    @property
    def cost_min(self) -> Optional[float]:
        r = self.resource
        if r.billing == "monthly":
            return self._cost(r.count_min, self.hourly_low, HOURS_PER_MONTH)
        if r.billing == "per-run":
            return self.cost_max
        return None

    @property
    def cost_max(self) -> Optional[float]:
        r = self.resource
        if r.billing == "monthly":
            if r.unbounded:
                return None
            if r.max_by_type is not None:
                # types whose node count the limits cannot bound (no size in the catalog) are named in
                # the notes and left out of the maximum
                options = [n * q.hourly * HOURS_PER_MONTH for t, q in self.priced.items()
                           if (n := r.max_by_type.get(t)) is not None]
                return round(max(options), 2) if options else None
            return self._cost(r.count_max, self.hourly_high, HOURS_PER_MONTH)
        if r.billing == "per-run":
            if r.runtime_hours is None:
                return None
            return self._cost(r.count_max, self.hourly_high, r.runtime_hours)
        return None

    @property
    def max_fill(self) -> Optional[tuple[str, int]]:
        """For a NodePool bounded by ``spec.limits``: the instance type and node count that
        cost the most within the limits (what MONTH AT MAX is made of)."""
        r = self.resource
        if r.max_by_type is None or r.unbounded:
            return None
        options = [(n * q.hourly, t, n) for t, q in self.priced.items() if (n := r.max_by_type.get(t)) is not None]
        if not options:
            return None
        _, t, n = max(options, key=lambda o: (o[0], o[1]))
        return t, n

    @property
    def hourly_at_max(self) -> Optional[float]:
        r = self.resource
        if r.billing in ("included", "serverless"):
            return None
        if r.max_by_type is not None:
            vals = [(r.max_by_type.get(t) or 0) * q.hourly for t, q in self.priced.items()
                    if r.max_by_type.get(t) is not None]
            return round(max(vals), 4) if vals else None
        if r.count_max is None or self.hourly_high is None:
            return None
        return round(r.count_max * self.hourly_high, 4)


# --------------------------------------------------------------------------- the estimate


@dataclass
class Estimate:
    """Every priced row of a run, the totals, and the budget they are held to."""

    rows: list[Row]
    prices: Prices
    notes: list[str] = field(default_factory=list)
    budget: Optional[float] = None

    def _bounded(self) -> list[Row]:
        return [r for r in self.rows if r.resource.billing in ("monthly", "per-run")]

    @property
    def monthly_min(self) -> float:
        return round(sum(r.cost_min or 0.0 for r in self.rows if r.resource.billing == "monthly"), 2)

    @property
    def monthly_max(self) -> float:
        return round(sum(r.cost_max or 0.0 for r in self.rows if r.resource.billing == "monthly"), 2)

    @property
    def jobs_per_run(self) -> float:
        return round(sum(r.cost_max or 0.0 for r in self.rows if r.resource.billing == "per-run"), 2)

    @property
    def total_max(self) -> float:
        """The budget figure: every always-on resource at max capacity, plus one run of every job."""
        return round(self.monthly_max + self.jobs_per_run, 2)

    @property
    def unpriced(self) -> list[Row]:
        return [r for r in self._bounded() if r.cost_max is None and not r.resource.unbounded]

    @property
    def unbounded(self) -> list[Row]:
        return [r for r in self.rows if r.resource.unbounded]

    @property
    def failed(self) -> list[Row]:
        """Rows whose pricing failed: their cost is unknown, and a budget cannot be checked."""
        return [r for r in self.rows if r.error]

    def gaps(self) -> list[tuple[Row, str]]:
        """(row, why) for every resource in the totals whose cost at max capacity is not fully known:
        no price, no count, no bound, types left out of the maximum. A budget cannot vouch for them."""
        out = []
        for r in self._bounded():
            if r.error:
                continue
            why = gap_reason(r)
            if why:
                out.append((r, why))
        return out

    @property
    def over_budget(self) -> bool:
        return self.budget is not None and self.total_max > self.budget

    def sources(self) -> list[str]:
        seen: list[str] = []
        for r in self.rows:
            for q in list(r.priced.values()) + [s for s in r.spot.values() if s is not None]:
                label = f"{q.label}, {q.region}"
                if label not in seen:
                    seen.append(label)
        return seen

    def largest(self) -> Optional[Row]:
        best = None
        for r in self._bounded():
            if r.cost_max is not None and (best is None or r.cost_max > (best.cost_max or 0)):
                best = r
        return best




def price_resources(resources: list[Resource], prices: Prices, region: Optional[str] = None,
                    environ: Optional[dict] = None) -> list[Row]:
    """A priced row per resource; a resource without a region of its own is priced in ``region``
    (else the environment's, else the default)."""
    fallback, fallback_from = default_region(region, environ)
    rows = []
    for res in resources:
        if res.region:
            reg, reg_from = res.region, "file"
        else:
            reg, reg_from = fallback, fallback_from
        quotes: dict[str, Optional[Quote]] = {}
        spot: dict[str, Optional[SpotQuote]] = {}
        reason = error = ""
        try:
            reason = _price(res, prices, reg, quotes, spot)
        except Exception as exc:  # noqa: BLE001 - one resource's failure is its own, and is reported
            error = type(exc).__name__
            quotes, spot, res.max_by_type = {}, {}, None
        line, column = 1, 1
        try:
            span = res.source.locate(res.doc_index, res.path)
            line, column = span.line, span.column
        except Exception:  # noqa: BLE001 - a position is a nicety
            pass
        rows.append(Row(res, reg, reg_from, quotes, spot, reason, line, column, error))
    return rows


def _price(res: Resource, prices: Prices, region: str, quotes: dict[str, Optional[Quote]],
           spot: dict[str, Optional[SpotQuote]]) -> str:
    """Fill in the prices of ``res`` in ``region``; the reason it has no spot price, if it has none."""
    if res.kind == "nodepool" and res.selection is not None:
        _resolve_nodepool(res, prices, region)
    if res.billing not in ("included", "serverless"):
        for t in res.instance_types:
            quotes[t] = prices.on_demand(t, region, res.component)
        if res.spot:
            for t in res.instance_types:
                spot[t] = prices.spot(t, region)
    if res.spot and not any(spot.values()) and res.instance_types:
        return prices.spot_unavailable_reason(res.instance_types[0])
    return ""


def gap_reason(row: Row) -> str:
    """Why the cost of a row at max capacity is not fully known; empty when it is."""
    r = row.resource
    if r.unbounded:
        return "no spec.limits, so nothing bounds how many nodes it adds"
    if not r.instance_types:
        named = [n for n in r.notes if "instance type" in n]
        return named[0] if named else "its instance types are not known"
    if row.missing:
        from gpulint.model import catalog

        unknown = [t for t in row.missing if not catalog.is_known(t)]
        if unknown:
            verb = "is not a known instance type" if len(unknown) == 1 else "are not known instance types"
            return f"{_short_list(unknown)} {verb}"
        return f"no {row.region} price for {_short_list(row.missing)}"
    if r.max_by_type is not None:
        loose = sorted(t for t, n in r.max_by_type.items() if n is None)
        if loose:
            from gpulint.cost.nodepools import unreadable_limits

            bad = unreadable_limits(r.limits or {})
            why = (f"{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not a finite quantity of zero or more"
                   if bad else "the instance catalog does not give their size")
            return f"spec.limits do not bound {_short_list(loose)} ({why})"
    if r.count_max is None:
        sizes = [n for n in r.notes if n.startswith("sizes ")]
        return sizes[0] if sizes else "no maximum instance count gpulint can read"
    if r.billing == "per-run" and r.runtime_hours is None:
        return "its MaxRuntimeInSeconds is not a whole number of seconds"
    if row.cost_max is None:
        return "its cost at max capacity cannot be computed"
    return ""


def _resolve_nodepool(res: Resource, prices: Prices, region: str) -> None:
    """A NodePool's instance types among those priced in ``region``, and its maximum node count of each."""
    from gpulint.cost.nodepools import nodes_within

    sel = res.selection
    assert sel is not None
    types = sel.resolve(prices.known_types("ec2", region))
    if types is None:
        res.notes.append("the requirements name no instance types or families; gpulint cannot price them")
        types = []
    elif not types:
        res.notes.append("no priced instance type matches the requirements")
    if sel.other_filters and types:
        res.notes.append(f"not applied: {', '.join(sorted(sel.other_filters))}; the pool may allow "
                         "fewer of these types")
    res.instance_types = types
    limits = res.limits
    if limits:
        res.max_by_type = {t: nodes_within(limits, t) for t in types}
        if types and all(v is None for v in res.max_by_type.values()):
            res.notes.append("spec.limits do not bound these types by name (the instance catalog "
                             "does not know their size)")
        known = [v for v in res.max_by_type.values() if v is not None]
        res.count_max = max(known) if known else None
        loose = sorted(t for t, v in res.max_by_type.items() if v is None)
        if known and loose:
            res.notes.append(f"left out of the maximum: {_short_list(loose)} (the instance catalog does "
                             "not give their size)")


def _short_list(names: list[str], n: int = 4) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def estimate_project(project: "Project", prices: Prices, region: Optional[str] = None,
                     budget: Optional[float] = None, environ: Optional[dict] = None) -> Estimate:
    """The estimate for every costed resource of a loaded Project."""
    rows = price_resources(collect_resources(project), prices, region, environ)
    rows.sort(key=lambda r: (r.resource.file, r.line, r.resource.name))
    return Estimate(rows, prices, list(prices.notes), budget)


def make_prices(live: bool, snapshot: Optional[str] = None) -> Prices:
    """The snapshot's prices, or live AWS prices with the snapshot behind them. The snapshot is read
    and checked here: a bad one raises :class:`~gpulint.cost.pricing.SnapshotError` before any price."""
    snap = SnapshotPrices(snapshot)
    snap.data  # noqa: B018 - read and check it now
    if not live:
        return snap
    from gpulint.cost.live import LivePrices

    return LivePrices(fallback=snap)
