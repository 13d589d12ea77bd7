"""Plans within a slack of the best: each line's and pillar's range, and alternative plans."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from allocator.analysis.common import one_objective
from allocator.api import resolve_model, solve
from allocator.errors import InputError, Issue
from allocator.formulation import build
from allocator.formulation.model import Linear
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.solver.highs import Resolver, Solution
from allocator.solver.status import Status

MAX_ALTERNATIVES = 100
"""The most alternative plans one call looks for."""


@dataclass
class NearOptimal:
    """Plans within a slack of the best: how far each line and pillar can move, and alternatives."""

    slack: float
    objective: float
    ranges: pd.DataFrame
    """kind (line or pillar), id, name, optimum, low, high: government money over the horizon."""
    alternatives: list[Result]

    def sentences(self) -> list[str]:
        """ "AI talent can range from 1,210.4 to 1,590.0 within 2 % of the best"."""
        return [
            f"{row['name']} can range from {row['low']:,.1f} to {row['high']:,.1f} "
            f"(optimum {row['optimum']:,.1f}) within {self.slack:.0%} of the best"
            for _, row in self.ranges.iterrows()
        ]


def near_optimal(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    slack: float = 0.02,
    alternatives: int = 0,
) -> NearOptimal:
    """Within `slack` of the optimum: each line's and pillar's range of government money (two
    solves each) and `alternatives` plans that avoid the lines earlier plans funded (modelling to
    generate alternatives, the Hop-Skip-Jump way). Every plan is verified against every rule."""
    if isinstance(slack, bool) or not isinstance(slack, int | float) or not 0 <= slack <= 1:
        raise InputError(
            [Issue("--slack", "", slack, "a share of the optimum from 0 to 1, such as 0.02")]
        )
    if isinstance(alternatives, bool) or not isinstance(alternatives, int):
        raise InputError([Issue("--alternatives", "", alternatives, "a whole number")])
    if not 0 <= alternatives <= MAX_ALTERNATIVES:
        raise InputError(
            [Issue("--alternatives", "", alternatives, f"from 0 to {MAX_ALTERNATIVES}")]
        )
    spec = one_objective(resolve_model(inst, model), "near-optimal")
    base = solve(inst, spec)
    if base.status != Status.optimal or base.objective is None:
        raise InputError(
            [
                Issue(
                    inst.name,
                    "",
                    base.status.value,
                    "near-optimal plans need an optimal base; see `allocator solve`",
                )
            ]
        )
    built = build(inst, spec)
    cost, offset, sense = built.cost.copy(), built.offset, built.sense
    nonzero = np.flatnonzero(cost)
    bound = (
        base.objective - slack * abs(base.objective)
        if sense == "max"
        else (base.objective + slack * abs(base.objective))
    )
    built.add(
        "near_optimal",
        ("objective",),
        Linear(nonzero, cost[nonzero]),
        ">=" if sense == "max" else "<=",
        bound - offset,
        text=f"the objective stays within {slack:.0%} of the best ({bound:,.4f})",
        unit="points",
    )
    resolver = Resolver()

    def extreme(weights: np.ndarray, direction: Literal["max", "min"]) -> Solution:
        built.cost, built.sense, built.offset = weights, direction, 0.0
        return resolver.solve(built)

    groups: list[tuple[str, str, str, list[str]]] = [
        ("line", line.id, line.name, [line.id]) for line in inst.lines
    ] + [
        ("pillar", p.id, p.name, [ln.id for ln in inst.lines if ln.pillar == p.id])
        for p in inst.pillars
    ]
    optimum = base.allocation.query("source == 'government'").groupby("line").amount.sum()
    rows = []
    for kind, ident, name, members in groups:
        weights = np.zeros(built.columns)
        for lid in members:
            for y in inst.years:
                weights[built.gov[lid, y]] = 1.0
        low, high = (extreme(weights, d) for d in ("min", "max"))
        rows.append(
            {
                "kind": kind,
                "id": ident,
                "name": name,
                "optimum": float(optimum[members].sum()),
                "low": float(weights @ low.x),
                "high": float(weights @ high.x),
            }
        )
    plans: list[Result] = []
    used = np.zeros(built.columns)
    funded = [j for j in built.gov.values() if base.solution and base.solution.value(j) > 1e-6]
    used[funded] = 1.0
    for _ in range(alternatives):
        sol = extreme(used.copy(), "min")
        if not sol.status.has_allocation:
            break
        sol.objective = float(cost @ sol.x + offset)
        built.cost, built.sense, built.offset = cost, sense, offset
        plans.append(Result.from_solution(built, sol))
        used[[j for j in built.gov.values() if sol.value(j) > 1e-6]] = 1.0
    built.cost, built.sense, built.offset = cost, sense, offset
    return NearOptimal(slack, base.objective, pd.DataFrame.from_records(rows), plans)
