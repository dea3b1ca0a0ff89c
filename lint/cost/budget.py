"""The budget gate (``cost-budget-exceeded``): the estimate at max capacity against a monthly budget.

``gpulint cost --budget`` reports it on the largest item of the table; a lint
run with ``budget:`` in its config computes the estimate from the Project it
has just recognised and reports on the largest item of a reported file
(context files count in the total, but are not reported on).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from gpulint.cost.estimate import Estimate, Row, estimate_project, make_prices
from gpulint.cost.render import money

if TYPE_CHECKING:  # pragma: no cover
    from gpulint.model.project import Project


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


def budget_finding(project: "Project", budget: float, report: dict[str, bool],
                   region: Optional[str] = None) -> Optional[tuple[Row, str]]:
    """For a lint run: (row to report on, message) when the Project's estimate (snapshot prices,
    in ``region`` for resources whose files name none) is over ``budget``. The row is the largest
    item in a file that ``report`` does not mark False."""
    est = estimate_project(project, make_prices(False), region, budget=budget)
    if not est.over_budget:
        return None
    candidates = [r for r in est.rows if report.get(r.resource.file, True)
                  and r.cost_max is not None and r.resource.billing in ("monthly", "per-run")]
    if not candidates:
        return None
    top = max(candidates, key=lambda r: (r.cost_max or 0.0, -r.line))
    return top, budget_message(est)
