"""Check layer: the independent post-solve checker. It reads the instance, the model and the
numbers of a plan, never the formulation, and re-verifies every rule."""

from allocator.check.verify import Plan, impact_value, kpi_levels, level_value, verify

__all__ = ["Plan", "impact_value", "kpi_levels", "level_value", "verify"]
