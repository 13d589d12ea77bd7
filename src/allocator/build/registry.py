"""Rule and objective registries: builders are found by name, never through an `if` chain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from allocator.build.model import Built, Terms

CoreRule = Callable[[Built], None]
PolicyRule = Callable[[Built, Any], None]
ObjectiveBuilder = Callable[[Built], tuple[Terms, float, Literal["max", "min"]]]

CORE_RULES: dict[str, CoreRule] = {}
"""Rules every instance carries (budget, leverage, line bounds, KPI levels, targets, ...)."""
POLICY_RULES: dict[str, PolicyRule] = {}
"""Rules a model declares, by the `rule:` name used in model files."""
OBJECTIVES: dict[str, ObjectiveBuilder] = {}
"""Objectives by the `objective:` name used in model files."""


def core_rule(name: str) -> Callable[[CoreRule], CoreRule]:
    """Register a rule that every instance carries."""

    def register(fn: CoreRule) -> CoreRule:
        if name in CORE_RULES:
            raise RuntimeError(f"core rule {name!r} registered twice")
        CORE_RULES[name] = fn
        return fn

    return register


def policy_rule(kind: str) -> Callable[[PolicyRule], PolicyRule]:
    """Register the builder of a rule kind that models declare."""

    def register(fn: PolicyRule) -> PolicyRule:
        if kind in POLICY_RULES:
            raise RuntimeError(f"policy rule {kind!r} registered twice")
        POLICY_RULES[kind] = fn
        return fn

    return register


def objective(name: str) -> Callable[[ObjectiveBuilder], ObjectiveBuilder]:
    """Register an objective builder."""

    def register(fn: ObjectiveBuilder) -> ObjectiveBuilder:
        OBJECTIVES[name] = fn
        return fn

    return register
