"""The price of robustness: what a robust optimum (`robust: {gamma: G}` on `max_impact`) gives up
against the nominal optimum, both measured with the impact values as stated."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from allocator.api import solve
from allocator.check.verify import robust_protection
from allocator.errors import AllocatorError
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec, resolve_model


@dataclass
class Robustness:
    """The robust optimum, the nominal one, and the nominal objective the protection costs."""

    robust: Result
    nominal: Result
    robust_nominal_value: float
    """The robust plan's objective with every impact as stated (no protection)."""

    @property
    def price(self) -> float:
        """Nominal optimum − the robust plan's nominal objective (≥ 0)."""
        return float(self.nominal.objective or 0.0) - self.robust_nominal_value

    def sentence(self) -> str:
        """The protection and its price in words."""
        r = self.robust.model.robust
        gamma = r.gamma if r else 0.0
        return (
            f"robust against {gamma:g} impact value(s) at their worst: worst-case objective "
            f"{self.robust.objective:,.6g}; with the values as stated this plan scores "
            f"{self.robust_nominal_value:,.6g} against the nominal optimum's "
            f"{self.nominal.objective:,.6g} — the price of robustness is {self.price:,.6g} "
            "points"
        )


def robustness(inst: Instance, model: ModelSpec | str | Path | None = None) -> Robustness:
    """Solve the robust model and the same model without `robust`, and compare them."""
    spec = resolve_model(inst, model)
    if spec.robust is None:
        raise AllocatorError(f"{spec.name} has no `robust:` block; add robust: {{gamma: 2}}")
    robust = solve(inst, spec)
    nominal = solve(inst, spec.model_copy(update={"robust": None}))
    if not (robust.status.has_allocation and nominal.status.has_allocation):
        raise AllocatorError(
            f"no price of robustness: the robust solve ended {robust.status.value}, the "
            f"nominal one {nominal.status.value}"
        )
    value = float(robust.objective or 0.0) + robust_protection(inst, spec, robust.plan())
    return Robustness(robust, nominal, value)
