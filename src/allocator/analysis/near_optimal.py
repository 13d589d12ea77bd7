"""Plans within a slack of the best: each line's and pillar's range, and alternative plans that
differ from the optimum and from each other by at least a stated distance.

Alternatives are maximally different (modelling to generate alternatives in its max-min form,
`allocator.solver.mga`): each is the plan within the slack whose smallest L1 distance, in
government money per line and year, to the optimum and to every earlier alternative is largest.
That largest distance is exact, so when it falls short of the distance asked for, no plan within
the slack is that far from all the plans already shown, and the output says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from allocator.analysis.common import one_objective
from allocator.api import resolve_model, solve
from allocator.errors import InputError, Issue
from allocator.formulation import build
from allocator.formulation.model import Formulation, Linear
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.solver.highs import Resolver, Solution, SolveOptions, compile_matrix
from allocator.solver.mga import farthest
from allocator.solver.status import Status
from allocator.words import Lang, amount, percent

DISTANCE = 0.01
"""The default distance alternatives keep from each other: this share of the horizon's budget
(99.3 bn KRW of government money moved on `korea-2026`)."""

MAX_ALTERNATIVES = 100
"""The most alternative plans one call looks for."""


@dataclass
class NearOptimal:
    """Plans within a slack of the best: how far each line and pillar can move, and alternatives
    at least `distance` (in the currency unit, government money moved) from the optimum and
    from each other."""

    slack: float
    objective: float
    ranges: pd.DataFrame
    """kind (line or pillar), id, name, optimum, low, high: government money over the horizon."""
    alternatives: list[Result]
    distance: float = 0.0
    """The distance asked for: government money moved, in the instance's currency unit."""
    apart: list[float] = field(default_factory=list)
    """Each alternative's smallest distance to the optimum and the alternatives before it."""
    moved: list[float] = field(default_factory=list)
    """Each alternative's distance from the optimum."""
    farthest: float | None = None
    """When fewer alternatives than asked were found: the largest distance any further plan
    within the slack keeps from the plans found (below `distance`)."""
    currency_unit: str = "bn_krw"

    def sentences(self, lang: Lang = "en") -> list[str]:
        """ "AI talent can range from 1,210.4 bn KRW to 1,590.0 bn KRW of government money
        (optimum 1,290.7 bn KRW) within 2.00% of the best"."""
        unit = self.currency_unit
        out = []
        for _, row in self.ranges.iterrows():
            low, high, best = (amount(row[c], unit, lang) for c in ("low", "high", "optimum"))
            if lang == "ko":
                out.append(
                    f"{row['name']}: 최적값에서 {percent(self.slack)} 이내의 계획에서 정부 재정 "
                    f"{low}~{high} (최적 {best})"
                )
            else:
                out.append(
                    f"{row['name']} can range from {low} to {high} of government money "
                    f"(optimum {best}) within {percent(self.slack)} of the best"
                )
        return out

    def alternative_sentences(self, asked: int, lang: Lang = "en") -> list[str]:
        """How far each alternative is from the optimum and from the plans before it; and, when
        fewer were found than `asked`, that no further plan that far exists within the slack."""
        unit = self.currency_unit
        out = []
        for i, (moved, apart) in enumerate(zip(self.moved, self.apart, strict=True), start=1):
            out.append(
                f"alternative {i} moves {amount(moved, unit, lang)} of government money from the "
                f"optimum, and at least {amount(apart, unit, lang)} from every plan before it"
                if lang == "en"
                else f"대안 {i}: 최적안에서 정부 재정 {amount(moved, unit, lang)} 이동, 앞선 모든 "
                f"계획과 최소 {amount(apart, unit, lang)} 차이"
            )
        if len(self.alternatives) < asked:
            far = amount(self.farthest or 0.0, unit, lang)
            need = amount(self.distance, unit, lang)
            if lang == "ko":
                out.append(
                    f"최적값에서 {percent(self.slack)} 이내에는 앞선 계획들과 정부 재정이 {need} "
                    f"이상 다른 계획이 더 없음 (가장 먼 계획도 {far} 차이)"
                )
            else:
                out.append(
                    f"no further plan within {percent(self.slack)} of the best differs from the "
                    f"plans above by {need} or more of government money (the farthest differs "
                    f"by {far})"
                )
        return out


def near_optimal(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    slack: float = 0.02,
    alternatives: int = 0,
    distance: float | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> NearOptimal:
    """Within `slack` of the optimum: each line's and pillar's range of government money (two
    solves each) and up to `alternatives` maximally different plans, each at least `distance`
    (default `DISTANCE` of the horizon's budget, in the currency unit) from the optimum and the
    alternatives before it. Every plan is verified against every rule. `progress(done, total)`
    is called after each solve."""
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
    if base.status != Status.optimal or base.objective is None or base.solution is None:
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
    if distance is None:
        distance = DISTANCE * sum(inst.budget_in(y) for y in inst.years)
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
    groups: list[tuple[str, str, str, list[str]]] = [
        ("line", line.id, line.name, [line.id]) for line in inst.lines
    ] + [
        ("pillar", p.id, p.name, [ln.id for ln in inst.lines if ln.pillar == p.id])
        for p in inst.pillars
    ]
    total = 2 * len(groups) + alternatives
    done = [0]

    def tick() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    def extreme(weights: np.ndarray, direction: Literal["max", "min"]) -> Solution:
        built.cost, built.sense, built.offset = weights, direction, 0.0
        found = resolver.solve_objective(built)  # only the objective moves between extremes
        tick()
        return found

    by_line = base.allocation.query("source == 'government'").groupby("line").amount.sum()
    optimum = dict(zip(by_line.index, by_line.to_numpy(), strict=True))
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
                # numpy's sum, as the Series' own (a Series indexed for every row cost more)
                "optimum": float(np.array([optimum[lid] for lid in members], dtype=float).sum()),
                "low": float(weights @ low.x),
                "high": float(weights @ high.x),
            }
        )
    built.cost, built.sense, built.offset = cost, sense, offset
    ranges = pd.DataFrame.from_records(rows)
    found = NearOptimal(
        slack, base.objective, ranges, [], distance, currency_unit=inst.currency_unit
    )
    if alternatives > 0:
        _alternatives(built, base, ranges, alternatives, found, tick)
    return found


def _alternatives(
    built: Formulation,
    base: Result,
    ranges: pd.DataFrame,
    count: int,
    found: NearOptimal,
    tick: Callable[[], None],
) -> None:
    """Add up to `count` maximally different plans to `found`, each at least `found.distance`
    from the plans before it; stop, saying how far the farthest further plan is, when none is."""
    inst = built.inst
    keys = [(ln.id, y) for ln in inst.lines for y in inst.years]
    coords = np.array([built.gov[k] for k in keys], dtype=np.int64)
    line = ranges[ranges.kind == "line"].set_index("id")
    one_year = len(inst.years) == 1
    low = np.array([line.at[lid, "low"] if one_year else 0.0 for lid, _ in keys])
    high = np.array([line.at[lid, "high"] for lid, _ in keys])
    assert base.solution is not None
    plans = [base.solution.x[coords].copy()]
    matrix = compile_matrix(built)
    resolver = Resolver(SolveOptions())
    lower, upper = list(built.lower), list(built.upper)
    for _ in range(count):
        far = farthest(matrix, SolveOptions(), coords, plans, low, high)
        tick()
        if far.x is None or far.distance < found.distance - 1e-6 * max(1.0, found.distance):
            found.farthest = far.distance
            return
        values = far.x[coords]
        for j, value in zip(coords, values, strict=True):
            built.lower[j] = built.upper[j] = float(value)
        sol = resolver.solve(built)
        built.lower, built.upper = list(lower), list(upper)
        if not sol.status.has_allocation:
            found.farthest = far.distance
            return
        found.alternatives.append(Result.from_solution(built, sol))
        found.apart.append(far.distance)
        found.moved.append(float(np.abs(values - plans[0]).sum()))
        plans.append(values.copy())
