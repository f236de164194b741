"""Checks: the finding catalogue and the rule functions that yield findings."""
