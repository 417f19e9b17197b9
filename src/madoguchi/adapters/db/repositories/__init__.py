"""Repositories: one way to each aggregate, behind the unit of work (docs/architecture.md)."""
