"""What a cost estimate looks like: the text table, the JSON document, the summary suffix of
``gpulint --cost``, and the before/after comparison of ``gpulint cost --diff``.

Hourly prices are printed as their source gives them (to a millionth of a
dollar), so each monthly figure can be recomputed by hand from its row.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Optional, TextIO

from gpulint.cost.pricing import HOURS_PER_MONTH

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.cost.estimate import Estimate, Row

# --------------------------------------------------------------------------- output


def money(value: Optional[float]) -> str:
    if value is None:
        return "-"
    return f"${value:,.2f}"


def _price(value: Optional[float]) -> str:
    """An hourly price as the source gives it (to a millionth of a dollar), so the monthly
    figures next to it can be recomputed by hand."""
    return "-" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def _count(v: Optional[int]) -> str:
    return "?" if v is None else str(v)


def _types_cell(types: list[str]) -> str:
    if not types:
        return "?"
    if len(types) <= 3:
        return ",".join(types)
    families: dict[str, int] = {}
    for t in types:
        families[t.rsplit(".", 1)[0]] = families.get(t.rsplit(".", 1)[0], 0) + 1
    return ",".join(f"{f}.* ({n})" for f, n in families.items())


def _row_cells(row: Row, src_index: dict[str, int]) -> list[str]:
    r = row.resource
    types = "-" if r.billing == "serverless" else _types_cell(r.instance_types)
    if r.billing == "serverless":
        counts = "-"
    elif r.kind == "nodepool":
        counts = f"0/-/{'unbounded' if r.unbounded else _count(r.count_max)}"
    else:
        counts = f"{_count(r.count_min)}/{'-' if r.count_desired is None else r.count_desired}/{_count(r.count_max)}"
    if r.billing == "included":
        hourly = "on variant"
    elif r.billing == "serverless":
        hourly = "serverless"
    elif not row.priced:
        hourly = "no price"
    else:
        lo, hi = row.hourly_low, row.hourly_high
        hourly = _price(lo) if lo == hi else f"{_price(lo)}-{_price(hi)}"
        if row.missing:
            hourly += "*"
    if r.spot:
        found = [s for s in row.spot.values() if s is not None]
        if found:
            lo = min(s.low for s in found)
            hi = max(s.high for s in found)
            spot = _price(lo) if lo == hi else f"{_price(lo)}-{_price(hi)}"
        else:
            spot = "no spot price"
    else:
        spot = ""
    if r.billing == "monthly":
        cmin, cmax = money(row.cost_min), ("unbounded" if r.unbounded else money(row.cost_max))
    elif r.billing == "per-run":
        cmin, cmax = "-", (money(row.cost_max) + "/run" if row.cost_max is not None else "-")
    elif r.billing == "hourly":
        cmin = "-"
        cmax = money(row.hourly_at_max) + "/h" if row.hourly_at_max is not None else "-"
    else:
        cmin = cmax = "-"
    labels = {f"{q.label}, {q.region}" for q in row.priced.values()}
    labels |= {f"{s.label}, {s.region}" for s in row.spot.values() if s is not None}
    src = ",".join(str(src_index[lab]) for lab in sorted(labels, key=lambda lab: src_index[lab]))
    return [f"{r.file}:{row.line}", f"{r.kind} {r.name}", types, counts, hourly, spot, cmin, cmax, src or "-"]


HEADERS = ["FILE", "RESOURCE", "INSTANCE TYPE", "MIN/DES/MAX", "$/HOUR", "SPOT $/HOUR", "MONTH AT MIN",
           "MONTH AT MAX", "PRICE"]


def render_text(est: Estimate, out: TextIO) -> None:
    if not est.rows:
        out.write("No costed resources found (SageMaker endpoints and jobs, eksctl node groups, Karpenter "
                  "NodePools).\n")
        return
    sources = est.sources()
    index = {s: i + 1 for i, s in enumerate(sources)}
    table = [HEADERS] + [_row_cells(r, index) for r in est.rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(HEADERS))]
    right = {3, 4, 5, 6, 7}
    for row in table:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))]
        out.write("  ".join(cells).rstrip() + "\n")
    out.write("\n")
    out.write(f"Always-on total (730 h a month): {money(est.monthly_min)} at min, {money(est.monthly_max)} at max\n")
    if est.jobs_per_run:
        out.write(f"Training jobs, one run each at their maximum runtime: {money(est.jobs_per_run)}\n")
    out.write(f"Total at max capacity: {money(est.total_max)} a month")
    if est.budget is not None:
        verdict, partial = budget_verdict(est)
        out.write(f" ({verdict} the budget of {money(est.budget)}{partial})")
    out.write("\n")
    for r in est.unbounded:
        out.write(f"Not in the totals: {r.resource.label} ({r.resource.file}) has no limits, so no maximum.\n")
    for r in est.unpriced:
        if r.error:
            why = f"the estimate failed ({r.error})"
        elif r.missing and not r.priced:
            from gpulint.model import catalog

            unknown = [t for t in r.missing if not catalog.is_known(t)]
            if unknown:
                verb = "is not a known instance type" if len(unknown) == 1 else "are not known instance types"
                why = f"{', '.join(unknown)} {verb}"
            else:
                why = f"no {r.region} price for {', '.join(r.missing)}"
        elif not r.resource.instance_types:
            why = "its instance types are not known"
        else:
            why = "its instance count is not known"
        out.write(f"Not in the totals: {r.resource.label} ({r.resource.file}): {why}.\n")
    for r in est.rows:
        if r.resource.billing == "serverless":
            out.write(f"Not in the totals: {r.resource.label} ({r.resource.file}) is serverless, billed per request "
                      "and compute time.\n")
    for r in est.rows:
        fill = r.max_fill
        if fill is not None and r.cost_max:
            t, n = fill
            limits = ", ".join(f"{k}: {v}" for k, v in (r.resource.limits or {}).items())
            out.write(f"At max: {r.resource.label} = {n} x {t} at ${_price(r.priced[t].hourly)}/h, the dearest "
                      f"way to reach spec.limits ({limits}).\n")
    partial = [r for r in est.rows if r.priced and r.missing]
    for r in partial:
        out.write(f"* {r.resource.label}: no price for {', '.join(r.missing)}; costed from the priced types.\n")
    spot_reasons = sorted({r.spot_reason for r in est.rows if r.spot_reason})
    for reason in spot_reasons:
        out.write(f"Spot: {reason}.\n")
    if sources:
        out.write("Prices (on-demand unless marked spot):\n")
        for s in sources:
            out.write(f"  [{index[s]}] {s}\n")


def budget_verdict(est: Estimate) -> tuple[str, str]:
    """(``over`` or ``within``, and `` for what could be costed`` when some cost is not known)."""
    if est.over_budget:
        return "over", ""
    return "within", " for what could be costed" if est.failed or est.gaps() else ""


def row_data(row: Row) -> dict[str, Any]:
    r = row.resource
    return {
        "file": r.file,
        "line": row.line,
        "kind": r.kind,
        "name": r.name,
        "region": row.region,
        "region_from": row.region_from,
        "instance_types": list(r.instance_types),
        "count": {"min": r.count_min, "desired": r.count_desired, "max": None if r.unbounded else r.count_max,
                  "from": r.count_from},
        "billing": r.billing,
        "runtime_hours": r.runtime_hours,
        "unbounded": r.unbounded,
        "prices": {
            t: ({"hourly": q.hourly, "source": q.source, "date": q.date, "region": q.region} if q else None)
            for t, q in row.quotes.items()
        },
        "hourly": {"low": row.hourly_low, "high": row.hourly_high, "at_max": row.hourly_at_max},
        "max_fill": (None if (fill := row.max_fill) is None
                     else {"instance_type": fill[0], "count": fill[1]}),
        "spot": (
            {t: ({"low": s.low, "high": s.high, "zones": s.zones, "source": s.source, "date": s.date}
                 if s else None) for t, s in row.spot.items()}
            if r.spot else None
        ),
        "spot_note": row.spot_reason or None,
        "monthly_min": row.cost_min if r.billing == "monthly" else None,
        "monthly_max": row.cost_max if r.billing == "monthly" else None,
        "per_run": row.cost_max if r.billing == "per-run" else None,
        "notes": list(r.notes),
    }


def estimate_data(est: Estimate) -> dict[str, Any]:
    return {
        "hours_per_month": HOURS_PER_MONTH,
        "price_source": est.prices.describe(),
        "resources": [row_data(r) for r in est.rows],
        "totals": {
            "monthly_min": est.monthly_min,
            "monthly_max": est.monthly_max,
            "jobs_per_run": est.jobs_per_run,
            "total_max": est.total_max,
            "unbounded": [r.resource.label for r in est.unbounded],
            "unpriced": [r.resource.label for r in est.unpriced],
        },
        "budget": None if est.budget is None else {"monthly_usd": est.budget, "exceeded": est.over_budget},
        "sources": est.sources(),
        "notes": list(est.notes),
    }


def render_json(est: Estimate, out: TextIO, extra: Optional[dict] = None) -> None:
    data = estimate_data(est)
    if extra:
        data.update(extra)
    json.dump(data, out, indent=2)
    out.write("\n")


def summary_suffix(est: Estimate) -> str:
    """What ``gpulint --cost`` appends to the summary line."""
    text = f" Estimated cost: {money(est.monthly_min)}-{money(est.monthly_max)} a month"
    if est.jobs_per_run:
        text += f" plus {money(est.jobs_per_run)} of job runs"
    if est.unbounded:
        text += f" ({len(est.unbounded)} unbounded)"
    return text + f"; {est.prices.describe()}."


# --------------------------------------------------------------------------- diff


def diff_data(before: Estimate, after: Estimate, base_before: str, base_after: str) -> dict[str, Any]:
    def key(row: Row, base: str) -> tuple[str, str, str]:
        rel = os.path.relpath(os.path.abspath(row.resource.file), base)
        return (rel.replace(os.sep, "/"), row.resource.kind, row.resource.name)

    old = {key(r, base_before): r for r in before.rows}
    new = {key(r, base_after): r for r in after.rows}
    items = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if a is None:
            status = "added"
        elif b is None:
            status = "removed"
        else:
            status = "changed" if _row_sig(a) != _row_sig(b) else "unchanged"
        item = {
            "file": k[0], "kind": k[1], "name": k[2], "status": status,
            "before": _diff_side(a), "after": _diff_side(b),
        }
        bmax = item["before"]["max"] if item["before"] else 0.0
        amax = item["after"]["max"] if item["after"] else 0.0
        item["change_max"] = None if bmax is None or amax is None else round((amax or 0) - (bmax or 0), 2)
        items.append(item)
    return {
        "resources": items,
        "totals": {
            "before": {"monthly_min": before.monthly_min, "monthly_max": before.monthly_max,
                       "jobs_per_run": before.jobs_per_run, "total_max": before.total_max},
            "after": {"monthly_min": after.monthly_min, "monthly_max": after.monthly_max,
                      "jobs_per_run": after.jobs_per_run, "total_max": after.total_max},
            "change_total_max": round(after.total_max - before.total_max, 2),
        },
    }


def _row_sig(row: Row) -> tuple:
    r = row.resource
    return (tuple(r.instance_types), r.count_min, r.count_desired, r.count_max, r.unbounded, r.spot,
            row.cost_min, row.cost_max, row.hourly_at_max)


def _diff_side(row: Optional[Row]) -> Optional[dict[str, Any]]:
    if row is None:
        return None
    r = row.resource
    return {
        "instance_types": list(r.instance_types),
        "count": [r.count_min, r.count_desired, None if r.unbounded else r.count_max],
        "min": row.cost_min if r.billing in ("monthly",) else None,
        "max": row.cost_max if r.billing in ("monthly", "per-run") else None,
        "billing": r.billing,
    }


def _signed(value: Optional[float]) -> str:
    if value is None:
        return "?"
    if abs(value) < 0.005:
        return "$0.00"
    return ("+" if value > 0 else "-") + money(abs(value))


def render_diff_text(data: dict, ref: str, out: TextIO) -> None:
    changed = [i for i in data["resources"] if i["status"] != "unchanged"]
    totals = data["totals"]
    if not changed:
        out.write(f"No cost changes against {ref}.\n")
    else:
        table = [["STATUS", "FILE", "RESOURCE", "BEFORE", "AFTER", "MONTH AT MAX BEFORE", "AFTER", "CHANGE"]]
        for i in changed:
            def side(s: Optional[dict]) -> str:
                if s is None:
                    return "-"
                c = s["count"]
                return f"{_types_cell(s['instance_types'])} x{_count(c[2]) if c[2] is not None else '?'}"

            def cost(s: Optional[dict]) -> str:
                if s is None:
                    return "-"
                return money(s["max"]) + ("/run" if s["billing"] == "per-run" and s["max"] is not None else "")

            table.append([i["status"], i["file"], f"{i['kind']} {i['name']}", side(i["before"]), side(i["after"]),
                          cost(i["before"]), cost(i["after"]), _signed(i["change_max"])])
        widths = [max(len(r[c]) for r in table) for c in range(len(table[0]))]
        for r in table:
            out.write("  ".join(c.rjust(w) if k >= 5 else c.ljust(w)
                                for k, (c, w) in enumerate(zip(r, widths))).rstrip() + "\n")
        out.write("\n")
    b, a = totals["before"], totals["after"]
    change = totals["change_total_max"]
    pct = ""
    if b["total_max"]:
        pct = f", {change / b['total_max'] * 100:+.1f}%"
    out.write(f"Total at max capacity: {money(b['total_max'])} ({ref}) -> {money(a['total_max'])} (working tree): "
              f"{_signed(change)} a month{pct}\n")
