"""Delegations: plan study visits."""

__version__ = "0.1.0"
