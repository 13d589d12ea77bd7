"""Rule and objective registries: builders are found by name, never through an `if` chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar

from allocator.formulation.model import Formulation, Linear, Terms

CoreRule = Callable[[Formulation], None]
PolicyRule = Callable[[Formulation, Any], None]
ObjectiveBuilder = Callable[[Formulation], tuple[Terms | Linear, float, Literal["max", "min"]]]

CORE_RULES: dict[str, CoreRule] = {}
"""Rules every instance carries (budget, leverage, line bounds, KPI levels, targets, ...)."""
POLICY_RULES: dict[str, PolicyRule] = {}
"""Rules a model declares, by the `rule:` name used in model files."""
OBJECTIVES: dict[str, ObjectiveBuilder] = {}
"""Objectives by the `objective:` name used in model files."""

F = TypeVar("F", CoreRule, PolicyRule, ObjectiveBuilder)


def _registrar(table: dict[str, F], what: str) -> Callable[[str], Callable[[F], F]]:
    def named(name: str) -> Callable[[F], F]:
        def register(fn: F) -> F:
            if name in table:
                raise RuntimeError(f"{what} {name!r} registered twice")
            table[name] = fn
            return fn

        return register

    return named


core_rule = _registrar(CORE_RULES, "core rule")
"""Register a rule that every instance carries: `@core_rule("budget")`."""
policy_rule = _registrar(POLICY_RULES, "policy rule")
"""Register the builder of a rule kind that models declare: `@policy_rule("ramp")`."""
objective = _registrar(OBJECTIVES, "objective")
"""Register an objective builder: `@objective("max_impact")`."""
