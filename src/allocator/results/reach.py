"""Whether each KPI target could be reached at all (`Result.reach()`).

For every at-least target the plan misses, the KPI's level in that year is maximised under every
hard rule of the same model (`allocator.solver.reach`; a MIP stays a MIP): below the target, the
target is out of reach under the rules and the maximum is what they allow; at or above it, the
target was missed by choice, and the model's own objective re-solved with the target met says
what meeting it would give up. For every at-most target the plan sits at, the lowest level the
rules allow. Met targets and caps with room cost nothing: no solve.

Each re-solve's plan goes to the independent checker: `checked` is true when it breaks no rule
and the checker's own KPI arithmetic gives the level the solver claimed."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from allocator.check import Cells, Plan, kpi_levels, verify
from allocator.formulation import Formulation
from allocator.schema import Instance, ModelSpec
from allocator.solver.highs import Solution
from allocator.solver.reach import extreme_level, matrix_of, solved_basis, with_column_fixed
from allocator.solver.status import Status
from allocator.words import Lang
from allocator.words.reach import (
    AT_CAP,
    BY_CHOICE,
    MET,
    OUT_OF_REACH,
    PREFERS,
    TIE,
    UNDECIDED,
    WITHIN,
    reach_sentence,
)

COLUMNS = [
    "kpi",
    "name",
    "unit",
    "year",
    "kind",
    "target",
    "level",
    "reachable",
    "bound",
    "proven",
    "verdict",
    "cost",
    "penalty",
    "weight",
    "checked",
    "seconds",
]
"""`kind`: at_least or at_most. `reachable`: the most (at_least) or least (at_most) a plan under
the hard rules reaches; `bound`: the proven limit (equal when `proven`); `cost`: how much the
objective falls when the target is met (objective points, net of the shortfall penalty it
removes); `penalty`: what the shortfall costs in the objective now (weight × shortfall ÷
target); `checked`: the re-solve's plan passed the independent checker."""


def plan_of(built: Formulation, x: np.ndarray) -> Plan:
    """A solve's numbers (`x` by column) as the checker reads them (money within 1e-9 of zero
    read as zero)."""

    def values(block: dict[Any, int], clean: bool = True) -> dict[Any, float]:
        got = x[np.fromiter(block.values(), np.int64, len(block))]
        if clean:
            got = np.where(np.abs(got) < 1e-9, 0.0, got)
        return dict(zip(block, got.tolist(), strict=True))

    def cells(grid: np.ndarray) -> Cells:
        """Money by (line, year) from its lines × years grid of columns (-1: no such cell)."""
        present = grid >= 0
        got = np.where(present, x[np.where(present, grid, 0)], 0.0)
        got[np.abs(got) < 1e-9] = 0.0
        return Cells(ids, inst.years, got, present)

    inst = built.inst
    ids = [line.id for line in inst.lines]
    return Plan(
        gov=cells(built.gov_grid()),
        private=cells(built.private_grid()),
        selected={k: v > 0.5 for k, v in values(built.selected, clean=False).items()},
        units=values(built.units, clean=False),
        draws=values(built.draw),
        carry=values(built.carry),
        borrow=values(built.borrow),
        scale=values(built.scale),
        starts=values(built.starts, clean=False),
        levels=values(built.level, clean=False),
    )


def _tolerance(value: float) -> float:
    return 1e-6 * max(1.0, abs(value))


def reach(
    built: Formulation,
    sol: Solution,
    plan: Plan,
    objective: float | None,
    seconds: float | None = None,
    levels: dict[tuple[str, int], float] | None = None,
) -> list[dict[str, Any]]:
    """One record per target (see `COLUMNS`); re-solves only for missed targets and caps
    reached. `levels`: the plan's KPI levels when already worked out."""
    inst, spec = built.inst, built.spec
    levels = levels if levels is not None else kpi_levels(inst, plan)
    kpis = {k.id: k for k in inst.kpis}
    records: list[dict[str, Any]] = []
    matrix = None
    for t in inst.targets:
        level = levels[t.kpi, t.year]
        row: dict[str, Any] = {
            "kpi": t.kpi,
            "name": kpis[t.kpi].name,
            "unit": kpis[t.kpi].unit,
            "year": t.year,
            "kind": "at_most" if t.at_most else "at_least",
            "target": t.value,
            "level": level,
            "reachable": math.nan,
            "bound": math.nan,
            "proven": False,
            "cost": math.nan,
            "penalty": math.nan,
            "weight": math.nan,
            "checked": None,
            "seconds": 0.0,
        }
        tol = _tolerance(t.value)
        if (easy := settled(t.value, t.at_most, level)) is not None:
            records.append(row | {"verdict": easy})
            continue
        started = time.perf_counter()
        if matrix is None:
            matrix = matrix_of(built, sol)
        sense = "min" if t.at_most else "max"
        column = built.level[t.kpi, t.year]
        got = extreme_level(built, matrix, column, sense, sol.options, seconds)
        row |= _extreme(inst, spec, built, got, t.kpi, t.year)
        if t.at_most:
            row["verdict"] = AT_CAP if got.status.has_allocation else UNDECIDED
        elif row["bound"] < t.value - tol:
            row["verdict"] = OUT_OF_REACH
        elif got.status.has_allocation and row["reachable"] >= t.value - tol:
            row |= _meeting(built, matrix, sol, objective, t.kpi, t.year, level, seconds)
        else:
            row["verdict"] = UNDECIDED
        row["seconds"] = time.perf_counter() - started
        records.append(row)
    return records


def settled(target: float, at_most: bool, level: float) -> str | None:
    """MET for an at-least target the level meets, WITHIN for an at-most target it stays under
    with room; None when the target needs a re-solve to say more (missed, or at the cap)."""
    tol = _tolerance(target)
    if at_most:
        return WITHIN if level < target - tol else None
    return MET if level >= target - tol else None


def _extreme(
    inst: Instance, spec: ModelSpec, built: Formulation, got: Solution, kpi: str, year: int
) -> dict[str, Any]:
    """The reach solve's level, bound and proof, and the checker's verdict on its plan."""
    if got.status == Status.unbounded:
        return {"reachable": math.inf, "bound": math.inf, "proven": True}
    if not got.status.has_allocation or got.objective is None:
        bound = got.bound if got.bound is not None else math.nan
        return {"reachable": math.nan, "bound": bound, "proven": False}
    plan = plan_of(built, got.x)
    checked_level = kpi_levels(inst, plan)[kpi, year]
    agrees = abs(checked_level - got.objective) <= _tolerance(got.objective)
    broken = verify(inst, spec, plan, None)
    bound = got.bound if got.bound is not None else got.objective
    return {
        "reachable": got.objective,
        "bound": bound,
        "proven": got.status == Status.optimal,
        "checked": agrees and not broken,
    }


def _meeting(
    built: Formulation,
    matrix: Any,
    sol: Solution,
    objective: float | None,
    kpi: str,
    year: int,
    level: float,
    seconds: float | None,
) -> dict[str, Any]:
    """A reachable target: what meeting it would cost the model's own objective (a re-solve
    with its shortfall at 0), against what its shortfall costs now."""
    spec = built.spec
    target = next(t.value for t in built.inst.targets if (t.kpi, t.year) == (kpi, year))
    weight = spec.weight(kpi)
    penalty = weight * max(0.0, target - level) / target if target else math.nan
    short = built.shortfall.get((kpi, year))
    if spec.objective == "lexicographic" or short is None or objective is None:
        return {"verdict": PREFERS, "weight": weight}
    basis = solved_basis(sol, matrix)
    met = with_column_fixed(built, matrix, short, 0.0, sol.options, seconds, basis)
    if met.status != Status.optimal or met.objective is None:
        return {"verdict": PREFERS, "weight": weight}
    sign = 1.0 if built.sense == "max" else -1.0
    cost = max(0.0, sign * (objective - met.objective))
    verdict = TIE if cost <= _tolerance(objective) else BY_CHOICE
    return {"verdict": verdict, "cost": cost, "penalty": penalty, "weight": weight}


def sentences(
    rows: list[dict[str, Any]], objective: str, currency_unit: str, lang: Lang
) -> list[str]:
    """Each record's verdict in words."""
    return [reach_sentence(row, objective, currency_unit, lang) for row in rows]
