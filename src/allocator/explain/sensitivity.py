"""Shadow prices with the interval of right-hand side over which each holds, and the interval of
each funded line's impact coefficient over which the allocation stays optimal (HiGHS ranging)."""

from __future__ import annotations

import math

import pandas as pd

from allocator.explain.words import amount, objective_amount, row_unit, step
from allocator.formulation import Formulation
from allocator.solver import probe
from allocator.solver.highs import Solution

DUAL_TOLERANCE = 1e-9


def shadow_prices(built: Formulation, sol: Solution) -> pd.DataFrame:
    """Each rule with a non-zero shadow price: the objective's change per unit of its right-hand
    side, the interval over which that holds, and a sentence saying so in the instance's words.
    For a MIP the prices come from the LP with the integer decisions fixed: they hold for the
    chosen projects."""
    ranging = probe.ranging(sol)
    index = {name: i for i, name in enumerate(sol.matrix.rows)} if sol.matrix else {}
    scope = "the chosen projects" if sol.is_mip else "this allocation"
    records = []
    for name, dual in sol.duals.items():
        if abs(dual) <= DUAL_TOLERANCE or name not in built.rows:
            continue
        row = built.rows[name]
        low = high = math.nan
        if ranging is not None and name in index:
            i = index[name]
            low = float(ranging.row_low[i])
            high = float(ranging.row_high[i])
        records.append(
            {
                "rule": name,
                "text": row.text,
                "shadow_price": dual,
                "unit": row_unit(built, row),
                "rhs": row.rhs,
                "valid_from": low,
                "valid_to": high,
                "holds_for": scope,
                "sentence": _sentence(built, row.name, dual, low, high, scope),
            }
        )
    columns = [
        "rule",
        "text",
        "shadow_price",
        "unit",
        "rhs",
        "valid_from",
        "valid_to",
        "holds_for",
        "sentence",
    ]
    return pd.DataFrame.from_records(records, columns=columns)


def _sentence(
    built: Formulation, name: str, dual: float, low: float, high: float, scope: str
) -> str:
    row = built.rows[name]
    size = step(built, row)
    relax_up = row.sense != ">="
    change = dual * size * (1 if relax_up else -1)
    if built.spec.objective == "max_impact":
        verb = "is worth" if change > 0 else "costs"
    else:
        verb = "raises the objective by" if change > 0 else "lowers the objective by"
    direction = "more" if relax_up else "less"
    text = (
        f"{name} ({row.text}): {verb} {objective_amount(built, abs(change))} per "
        f"{amount(built, row, size)} {direction}"
    )
    limit = high if relax_up else low
    if math.isfinite(limit) and abs(limit) < 1e20:
        if row.figure and row.rhs:
            text += f", until the figure reaches {amount(built, row, limit + 0.0)}"
        else:
            text += f", for up to {amount(built, row, abs(limit - row.rhs))} of relaxation"
    return text + f" (holds for {scope})"


def impact_ranges(built: Formulation, sol: Solution) -> pd.DataFrame:
    """For each funded line and year: the interval its objective coefficient (impact, under
    max_impact) may move in without changing the optimal allocation."""
    ranging = probe.ranging(sol)
    if ranging is None or sol.matrix is None:
        return pd.DataFrame(
            columns=["line", "year", "coefficient", "stays_optimal_from", "stays_optimal_to"]
        )
    cost = ranging.cost
    records = []
    for (lid, year), j in built.gov.items():
        if sol.value(j) <= 1e-9:
            continue
        records.append(
            {
                "line": lid,
                "name": built.lines[lid].name,
                "year": year,
                "coefficient": float(cost[j]),
                "stays_optimal_from": float(ranging.cost_low[j]),
                "stays_optimal_to": float(ranging.cost_high[j]),
            }
        )
    return pd.DataFrame.from_records(records)
