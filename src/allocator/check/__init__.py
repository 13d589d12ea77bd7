"""Check layer: the independent post-solve checker. It reads the instance, the model and the
numbers of a plan, never the formulation, and re-verifies every rule: one check per core rule and
one per model rule kind, each registered by name. The package refuses to load when a rule kind
declared in the schema has no check."""

from allocator.check import core, planning, policy
from allocator.check.plan import Cells, Plan
from allocator.check.registry import CORE_CHECKS, RULE_CHECKS, Violation
from allocator.check.verify import (
    impact_value,
    kpi_levels,
    level_value,
    line_values,
    objective_value,
    verdict,
    verify,
)
from allocator.schema.rules import RULE_KINDS

del core, planning, policy

_unchecked = sorted(set(RULE_KINDS) - set(RULE_CHECKS))
_unknown = sorted(set(RULE_CHECKS) - set(RULE_KINDS))
if _unchecked or _unknown:
    raise ImportError(
        "allocator.check: every rule kind needs exactly one check, registered with "
        f"@check(KIND) in allocator.check; without a check: {_unchecked or 'none'}; checks of "
        f"no declared kind: {_unknown or 'none'}"
    )

__all__ = [
    "CORE_CHECKS",
    "RULE_CHECKS",
    "Cells",
    "Plan",
    "Violation",
    "impact_value",
    "kpi_levels",
    "level_value",
    "line_values",
    "objective_value",
    "verdict",
    "verify",
]
