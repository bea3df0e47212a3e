"""Plan reviews: the plan at a git revision and the difference between two plans."""
