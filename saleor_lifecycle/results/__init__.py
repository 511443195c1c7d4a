"""What each scenario earned: attribution, holdout uplift, reports."""
