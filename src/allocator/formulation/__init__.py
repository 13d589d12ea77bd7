"""Build layer: the Pyomo model, one registered function per policy rule."""

from typing import get_args

from allocator.formulation import caps, core_rules, objectives, planning_rules, policy_rules
from allocator.formulation.assemble import build
from allocator.formulation.model import Constant, Formulation, Row
from allocator.formulation.registry import CORE_RULES, OBJECTIVES, POLICY_RULES
from allocator.schema.model import RULE_KINDS, ModelSpec

del caps, core_rules, objectives, planning_rules, policy_rules

_missing = set(RULE_KINDS) - set(POLICY_RULES)
_objectives = set(get_args(ModelSpec.model_fields["objective"].annotation)) - set(OBJECTIVES)
if _missing or _objectives:  # pragma: no cover - a broken registry fails every test at import
    raise RuntimeError(f"rule kinds without a builder: {sorted(_missing | _objectives)}")

__all__ = ["CORE_RULES", "OBJECTIVES", "POLICY_RULES", "Constant", "Formulation", "Row", "build"]
