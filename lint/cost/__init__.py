"""Cost estimates: what the capacity in the linted model costs, and the budget gate."""
