"""The rule cost-budget-exceeded (COST501): the estimated monthly cost at max capacity is above the
configured budget."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


@register
class CostBudgetExceeded(EngineRule):
    """## What it does
    Adds up what every costed resource in the linted files would cost at its
    maximum capacity for a month (730 hours): SageMaker endpoint variants at the
    MaxCapacity of their scalable target (else their instance count), eksctl
    node groups at maxSize, Karpenter NodePools at their ``spec.limits``, plus
    one run of every training job at its MaxRuntimeInSeconds. When the total is
    above the budget (``budget:`` in the config, or ``gpulint cost --budget``),
    it reports once, on the largest item. Prices come from the snapshot shipped
    with gpulint (or live AWS prices with ``gpulint cost --live``). The gate
    fails closed: when the estimate itself fails (for a resource, or for the
    run), this rule reports an error saying the budget cannot be checked; a
    resource it cannot price, count or bound is left out of the total and
    reported by ``cost-unpriced``. The rule is silent when no budget is set.

    ## Why is this bad?
    A one-line change (``maxSize: 4`` to ``maxSize: 40`` on a p5 node group) can
    add hundreds of thousands of dollars a month to the worst case. A budget in
    CI makes the reviewer look at it before it merges, not after the bill.

    ## Example
    ```yaml
    # .gpulint.yaml: budget: 20000
    managedNodeGroups:
      - name: train
        instanceType: p5.48xlarge   # 55.04 $/h x 730 h x 4 = $160,716.80 a month
        minSize: 0
        maxSize: 4
    ```

    ## Use instead
    ```yaml
    managedNodeGroups:
      - name: train
        instanceType: p5.48xlarge
        minSize: 0
        maxSize: 0   # scale up on purpose, or raise the budget knowingly
    ```
    `gpulint cost` prints the whole table, and `gpulint cost --diff main`
    shows what a branch changes.

    ## Fix safety
    No automatic fix: only a person can decide between spending and capacity.

    ## References
    - https://aws.amazon.com/ec2/pricing/on-demand/
    - https://aws.amazon.com/sagemaker/pricing/
    - https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_pricing_GetProducts.html
    """

    code = "COST501"
    name = "cost-budget-exceeded"
    severity = Severity.ERROR
    summary = "The estimated monthly cost at max capacity is above the configured budget"
    domain = "cost"
    cross_file = True  # a sum over every file of the run
