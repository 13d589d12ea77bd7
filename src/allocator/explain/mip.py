"""What a figure is worth in a MIP, by re-solving the MIP itself.

The fixed-integer LP's duals say what a figure is worth while the chosen projects are held; a
different figure may make a different choice best. For each priced rule this module moves its
figure — every right-hand side and coefficient the figure sets, found by building the model once
more with the figure nudged — and follows the MIP optimum away from the current figure on both
sides (`allocator.solver.parametric`): the slope, where it stops holding (by bisection to a
tolerance of `TOLERANCE` of the figure's scale), and the optimum just past each end. Rules with
no figure of their own (shares, ramps, relations) move their right-hand side: room given to the
rule. The work is capped (`default_resolves`), spent on the rules that move the objective most;
the rest keep their fixed-choice prices, labelled as such."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocator.errors import AllocatorError
from allocator.explain.words import row_unit, step
from allocator.formulation import Formulation, Row, build
from allocator.schema.scenario import Scenario, apply_scenario, locate
from allocator.solver.highs import Solution, compile_matrix
from allocator.solver.parametric import FigureSteps, Move, Parametric, ParametricError
from allocator.solver.probe import Ranging

WORK = 5_000
"""The default budget of MIP re-solves, in re-solves times columns (a MIP re-solve costs about
in proportion to its size, and a count, unlike a time limit, gives the same answer every time):
100 re-solves on `korea-2026` (50 columns; every priced rule, about 2 s), 16 on
`korea-2026-2030` (301 columns; the rules that move the objective most, about 15 s)."""
MINIMUM = 8
"""At least this many MIP re-solves by default, however big the model."""


def default_resolves(built: Formulation) -> int:
    """The MIP re-solves `shadow_prices` spends unless told (see `WORK`)."""
    return max(MINIMUM, WORK // max(1, built.columns))


TOLERANCE = 1e-4
"""Breakpoints are located to this share of the figure's scale (its value, or one natural step
when that is larger)."""
PER_YEAR = ("min", "max", "schedule", "cap", "carryover", "budget", "private_pool")
"""Figures that may differ by year: a row of one year moves that year's figure only."""
NON_NEGATIVE = ("budget.", "private_pool.", "lines.", "funds.", "carryover", "kpis.", "targets.")
"""Figures that cannot go below zero: their search stops at 0."""


@dataclass(frozen=True)
class Study:
    """A rule's figure followed through MIP re-solves."""

    rule: str
    figure: str | None
    """The instance path moved (`budget.2026`), or None when the rule's right-hand side was."""
    steps: FigureSteps
    limits: tuple[float, float]
    """The lowest and highest figure tried."""
    unit: str
    """The unit of the figure moved (`money`, a KPI's unit, `ratio`, ...; see `figure_unit`)."""


def unchosen(built: Formulation, sol: Solution, row: Row) -> bool:
    """Whether the row belongs to a go/no-go line the answer does not fund (its price would be
    an artefact of holding that line at zero)."""
    lines = [row.subjects.get("line"), row.subjects.get("requires")]
    for lid in lines:
        j = built.selected.get(lid) if isinstance(lid, str) else None
        if j is not None and sol.value(j) < 0.5:
            return True
    return False


def figure_path(built: Formulation, row: Row) -> str | None:
    """The instance path of the number this row's figure is, down to its year where it varies
    by year (`lines.INF-01.min.2026`); None when the row has no single number behind it."""
    if row.figure is None or (row.family in ("line_max",) and row.figure.startswith("budget.")):
        return None
    data, spec = built.inst.model_dump(), built.spec.model_dump()
    year = row.subjects.get("year")
    paths = [row.figure]
    last = row.figure.rsplit(".", 1)[-1]
    if year is not None and not last.isdigit() and last in PER_YEAR:
        paths.insert(0, f"{row.figure}.{year}")
    for path in paths:
        try:
            _, _, value = locate(data, spec, path.split("."), built.inst.years)
        except (KeyError, TypeError, ValueError):
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            return path
    return None


def figure_unit(built: Formulation, row: Row, path: str | None) -> str:
    """The unit of the figure at `path` (or, with no path, of the row's right-hand side):
    `money`, a KPI's unit, `ratio` (won per won), `units` or `years`."""
    if path is None:
        return row_unit(built, row)
    parts = path.split(".")
    if parts[-1] in ("leverage", "min_leverage") or (len(parts) > 2 and parts[2] == "leverage"):
        return "ratio"
    if parts[0] in ("kpis", "targets"):
        kpi = next((k for k in built.inst.kpis if k.id == parts[1]), None)
        return kpi.unit if kpi is not None and kpi.unit else "units"
    if len(parts) > 2 and parts[2] == "max_starts":
        return "units"
    if len(parts) > 2 and parts[2] == "span":
        return "years"
    return "money"


def _scale(built: Formulation, row: Row, unit: str, value: float) -> float:
    """How far a figure's search reaches on each side: its own size, and at least one natural
    step of its unit (100 bn KRW of money; 1 of a ratio, a count or a KPI unit)."""
    if unit == "money":
        return max(abs(value), step(built, row) if row_unit(built, row) == "money" else 0.0, 1.0)
    return max(abs(value), 1.0)


def figure_value(built: Formulation, path: str) -> float:
    """The number at `path` in the instance."""
    data, spec = built.inst.model_dump(), built.spec.model_dump()
    _, _, value = locate(data, spec, path.split("."), built.inst.years)
    return float(value)


def _figure_move(built: Formulation, sol: Solution, path: str, scale: float) -> Move | None:
    """The move of the figure at `path`: the model built once more with the figure nudged, and
    the difference taken (None when the nudged model differs in shape or is not valid)."""
    assert sol.matrix is not None
    value = figure_value(built, path)
    for nudge in (scale * 0.01, -scale * 0.01):
        try:
            inst, spec, _ = apply_scenario(
                built.inst, built.spec, Scenario(name="figure", changes={path: value + nudge})
            )
            moved = compile_matrix(build(inst, spec))
        except (AllocatorError, ValueError):
            continue
        move = Move.between(sol.matrix, moved, value, nudge)
        if move is not None:
            return move
    return None


def study(
    built: Formulation,
    sol: Solution,
    names: list[str],
    ranging: Ranging | None,
    resolves: int | None = None,
    advance: Callable[[], Any] | None = None,
) -> dict[str, Study]:
    """Follow each named rule's figure through MIP re-solves, in the order given, until
    `resolves` MIP re-solves (default: `default_resolves`) are spent."""
    resolves = default_resolves(built) if resolves is None else resolves
    if sol.matrix is None or sol.objective is None or resolves <= 0 or not names:
        return {}
    matrix = sol.matrix
    index = {name: i for i, name in enumerate(matrix.rows)}
    session = Parametric(matrix, sol.options)
    choice = np.round(sol.x[session.whole]) if session.whole.size else np.zeros(0)
    found: dict[str, Study] = {}
    for name in names:
        if session.resolves >= resolves:
            break
        row = built.rows[name]
        i = index[name]
        path = figure_path(built, row)
        unit = figure_unit(built, row, path)
        move = None
        if path is not None:
            move = _figure_move(
                built, sol, path, _scale(built, row, unit, figure_value(built, path))
            )
        if move is None:
            path, move, unit = None, Move.of_row(matrix, i), row_unit(built, row)
        value = move.value
        scale = _scale(built, row, unit, value) if path else max(abs(value), step(built, row))
        floor = 0.0 if path and path.startswith(NON_NEGATIVE) and value >= 0 else -math.inf
        limits = (max(floor, value - scale), value + scale)
        slopes: tuple[float | None, float | None] = (None, None)
        reach: tuple[float | None, float | None] = (None, None)
        single = move.rows.size == 1 and not move.entries and int(move.rows[0]) == i
        if ranging is not None and single and sol.row_dual is not None:
            dual = float(sol.row_dual[i])
            low, high = float(ranging.row_low[i]), float(ranging.row_high[i])
            tol = TOLERANCE * scale
            if high - value > tol:
                slopes, reach = (slopes[0], dual), (reach[0], high)
            if value - low > tol:
                slopes, reach = (dual, slopes[1]), (low, reach[1])
        try:
            steps = session.steps(
                move, sol.objective, choice, TOLERANCE * scale, limits, slopes, reach
            )
        except ParametricError:
            session.restore()
            continue
        found[name] = Study(name, path, steps, limits, unit)
        if advance is not None:
            advance()
    return found


def importance(built: Formulation, sol: Solution, name: str) -> float:
    """How much a rule's fixed-choice price moves the objective per natural step (its order in
    the re-solve budget)."""
    dual = sol.duals.get(name, 0.0)
    return abs(dual) * step(built, built.rows[name])


def step_function(
    built: Formulation,
    sol: Solution,
    rule: str,
    low: float,
    high: float,
    tolerance: float | None = None,
) -> pd.DataFrame:
    """The MIP optimum as a function of `rule`'s figure from `low` to `high`, by re-solves in one
    HiGHS session: one row per piece on which it is linear (start, end, the optimum at the
    start, slope per unit of the figure), each end located by bisection to `tolerance`
    (default `TOLERANCE` of the figure's scale). Stretches where no plan fits are left out."""
    if sol.matrix is None or rule not in built.rows:
        known = ", ".join(list(built.rows)[:8])
        raise AllocatorError(f"{rule}: no such rule in this model (rules include {known}, ...)")
    row = built.rows[rule]
    path = figure_path(built, row)
    unit = figure_unit(built, row, path)
    move = None
    if path is not None:
        move = _figure_move(built, sol, path, _scale(built, row, unit, figure_value(built, path)))
    if move is None:
        path, move = None, Move.of_row(sol.matrix, sol.matrix.rows.index(rule))
    tol = tolerance if tolerance is not None else TOLERANCE * max(abs(move.value), 1.0)
    session = Parametric(sol.matrix, sol.options)
    pieces = session.step_function(move, low, high, tol)
    return pd.DataFrame(
        {
            "start": [p.start for p in pieces],
            "end": [p.end for p in pieces],
            "objective": [p.objective for p in pieces],
            "slope": [math.nan if p.slope is None else p.slope for p in pieces],
            "figure": path or rule,
            "tolerance": tol,
        }
    )
