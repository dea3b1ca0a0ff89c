"""Cost rules: the budget gate over the estimated monthly cost of the run."""
