"""The budget gate: the estimate at max capacity against a monthly budget, failing closed.

Three findings, for ``gpulint cost --budget`` and for a lint run with
``budget:`` in its config alike:

- ``cost-budget-exceeded`` (error) on the largest item when the total is above
  the budget;
- ``cost-budget-exceeded`` (error) saying the estimate failed, when pricing a
  resource (or the whole estimate) raised: the budget cannot be checked;
- ``cost-unpriced`` (warning) on each resource whose cost at max capacity is
  not fully known (no price in its region, no count, no bound): the total left
  it out, so a total within the budget proves nothing about it.

A lint run computes the estimate from the Project it has just recognised and
reports on reported files only (context files count in the total, but are not
reported on); a failure with no reported place to point at is reported on the
first reported file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional

from gpulint.cost.estimate import Estimate, Row, estimate_project, make_prices
from gpulint.cost.render import money

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.project import Project

EXCEEDED, UNPRICED = "cost-budget-exceeded", "cost-unpriced"


@dataclass
class BudgetFinding:
    """A finding of the gate: the rule, the row it is about (None: the run as a whole), the message."""

    rule: str
    row: Optional[Row]
    message: str


def budget_message(est: Estimate) -> str:
    msg = (f"estimated cost at max capacity is {money(est.total_max)} a month, above the budget of "
           f"{money(est.budget)}")
    top = est.largest()
    if top is not None:
        msg += f"; the largest item is {top.resource.label} at {money(top.cost_max)}"
        if top.resource.billing == "per-run":
            msg += " a run"
    if est.unbounded:
        msg += f"; {len(est.unbounded)} unbounded NodePool(s) not counted"
    msg += f"; {est.prices.describe()}"
    return msg


def failed_message(budget: float, what: str, error: str) -> str:
    """The error for an estimate that could not be made: the gate cannot pass it."""
    return (f"the cost estimate failed for {what} ({error}), so the budget of {money(budget)} a month "
            "cannot be checked")


def unpriced_message(row: Row, why: str, budget: float) -> str:
    return (f"the cost of {row.resource.label} at max capacity is not known: {why}; the total held to the "
            f"budget of {money(budget)} a month leaves it out")


def findings(est: Estimate, report: Optional[dict[str, bool]] = None) -> list[BudgetFinding]:
    """Every finding of the gate for an estimate with a budget; rows of files ``report`` marks
    False are not pointed at (a failure there is reported with no row)."""
    budget = est.budget
    if budget is None:
        return []
    report = report or {}

    def reported(row: Row) -> bool:
        return report.get(row.resource.file, True)

    out = [BudgetFinding(EXCEEDED, r if reported(r) else None, failed_message(budget, r.resource.label, r.error))
           for r in est.failed]
    out += [BudgetFinding(UNPRICED, r, unpriced_message(r, why, budget)) for r, why in est.gaps() if reported(r)]
    if est.over_budget:
        candidates = [r for r in est.rows if reported(r)
                      and r.cost_max is not None and r.resource.billing in ("monthly", "per-run")]
        if candidates:
            top = max(candidates, key=lambda r: (r.cost_max or 0.0, -r.line))
            out.append(BudgetFinding(EXCEEDED, top, budget_message(est)))
    return out


def budget_findings(project: "Project", budget: float, report: dict[str, bool],
                    region: Optional[str] = None) -> list[BudgetFinding]:
    """For a lint run: the gate's findings over the Project's estimate (snapshot prices, in ``region``
    for resources whose files name none). An estimate that cannot be made at all is one
    ``cost-budget-exceeded`` error with no row."""
    from gpulint.cost.pricing import SnapshotError

    try:
        est = estimate_project(project, make_prices(False), region, budget=budget)
    except Exception as exc:  # noqa: BLE001 - the gate fails closed, whatever went wrong
        why = str(exc) if isinstance(exc, SnapshotError) else type(exc).__name__  # its message names no content
        return [BudgetFinding(EXCEEDED, None, failed_message(budget, "this run", why))]
    return findings(est, report)
