"""The rule cost-unpriced (COST502): with a budget set, a costed resource whose cost at max capacity
gpulint cannot work out, so the budget gate cannot vouch for it."""

from __future__ import annotations

from gpulint.diagnostics import Severity
from gpulint.engine.rule import EngineRule, register


@register
class CostUnpriced(EngineRule):
    """## What it does
    When a budget is set (``budget:`` in the config, or ``gpulint cost
    --budget``), reports each costed resource whose cost at max capacity is
    not fully known, at the line that names its instances: an instance type
    with no price in its region (the price snapshot covers a few regions), a
    name the instance catalog does not know, an instance count that is not a
    whole number of zero or more (a placeholder, a negative size), a training
    job whose ``MaxRuntimeInSeconds`` is not one, a Karpenter NodePool without
    ``spec.limits`` or whose limits do not bound some of its types, a node
    group whose types are chosen at create time. The total held to the budget
    leaves such a resource out (or counts only its priced types), so a total
    within the budget says nothing about it. The rule is silent when no budget
    is set; ``gpulint cost`` prints the same reasons under "Not in the totals".

    ## Why is this bad?
    A budget gate that adds $0 for what it cannot price passes exactly the
    changes it cannot see: moving a p5 node group to a region without a price,
    or writing ``maxSize: ${MAX_NODES}``, would make the estimate drop, not
    rise.

    ## Example
    ```yaml
    # .gpulint.yaml: budget: 20000
    metadata:
      region: sa-east-1              # no price for p4d.24xlarge here
    managedNodeGroups:
      - name: train
        instanceType: p4d.24xlarge
        maxSize: 2
    ```

    ## Use instead
    ```yaml
    metadata:
      region: us-east-1              # a region with a price, or run `gpulint cost --live`
    managedNodeGroups:
      - name: train
        instanceType: p4d.24xlarge
        maxSize: 2
    ```
    Or state the count as a number, or give the NodePool ``spec.limits``. When
    the resource is accounted for elsewhere, suppress the finding on its line
    (``# gpulint: disable=cost-unpriced``) for lint runs; ``gpulint cost`` reads
    no suppression comments, so there ``ignore: [cost-unpriced]`` in the config
    (or ``fail-on: error``) is what lets it pass.

    ## Fix safety
    No automatic fix: gpulint never guesses a price or a count.

    ## References
    - https://aws.amazon.com/ec2/pricing/on-demand/
    - https://karpenter.sh/docs/concepts/nodepools/
    """

    code = "COST502"
    name = "cost-unpriced"
    severity = Severity.WARNING
    summary = "With a budget set, a costed resource whose cost at max capacity cannot be worked out"
    domain = "cost"
    cross_file = True  # the estimate joins scalable targets to endpoint variants across files
