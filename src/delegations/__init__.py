"""Delegations: plan study visits."""
