"""The checker's registries: one check per rule kind a model declares, and one per core rule every
instance carries, each found by name. `allocator.check` refuses to load when a declared rule kind
has no check, so a new kind cannot be verified by nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from allocator.check.plan import Plan
from allocator.check.registry import Violation
from allocator.check.registry import key as key  # the oracle modules import it from here

if TYPE_CHECKING:
    from allocator.schema import Instance, ModelSpec

RELATIVE_TOLERANCE = 1e-6
"""Slack allowed on each rule, relative to the largest figure the rule involves (at least 1)."""
INTEGER_TOLERANCE = 1e-6


@dataclass
class Context:
    """What a check reads (instance, model, plan) and where it records what the plan breaks."""

    inst: Instance
    spec: ModelSpec
    plan: Plan
    violations: list[Violation] = field(default_factory=list)
    checked: int = 0
    """How many rule instances were checked (held or broken)."""
    held: dict[str, str] = field(default_factory=dict)
    """Rule instances found to hold, by name, with the check (kind) that checked them."""

    def need(
        self,
        lhs: float,
        rhs: float,
        kind: str,
        name: str,
        text: str,
        *scale: float,
        unit: str = "money",
        figure: str | None = None,
    ) -> None:
        """Record a violation unless lhs ≤ rhs within the tolerance (relative to the figures)."""
        self.checked += 1
        tol = RELATIVE_TOLERANCE * max(1.0, abs(lhs), abs(rhs), *map(abs, scale))
        if lhs > rhs + tol:
            shown = f"{text} ({lhs:,.6g} > {rhs:,.6g})"
            self.violations.append(Violation(kind, name, shown, lhs - rhs, unit, figure))
        else:
            self.held.setdefault(name, kind)

    def fail(
        self, kind: str, name: str, text: str, by: float, unit: str, figure: str | None = None
    ) -> None:
        """Record a violation found otherwise than by comparing two sides."""
        self.checked += 1
        self.violations.append(Violation(kind, name, text, by, unit, figure))


CoreCheck = Callable[[Context], None]
RuleCheck = Callable[[Context, Any, int], None]
"""A model rule's check: the context, the rule, and its index in the model's `rules`."""

CORE_CHECKS: dict[str, CoreCheck] = {}
"""Checks of the rules every instance carries, by the core rule's name in the formulation."""
RULE_CHECKS: dict[str, RuleCheck] = {}
"""Checks of the rule kinds a model declares, by the `rule:` name used in model files."""


def core_check(name: str) -> Callable[[CoreCheck], CoreCheck]:
    """Register the check of a core rule: `@core_check("budget")`."""

    def register(fn: CoreCheck) -> CoreCheck:
        if name in CORE_CHECKS:
            raise RuntimeError(f"core check {name!r} registered twice")
        CORE_CHECKS[name] = fn
        return fn

    return register


def check(kind: str) -> Callable[[RuleCheck], RuleCheck]:
    """Register the check of a model rule kind: `@check("group_total")`."""

    def register(fn: RuleCheck) -> RuleCheck:
        if kind in RULE_CHECKS:
            raise RuntimeError(f"check {kind!r} registered twice")
        RULE_CHECKS[kind] = fn
        return fn

    return register
