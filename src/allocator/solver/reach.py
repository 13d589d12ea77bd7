"""How far a KPI can go under the rules: re-solves of a solved model's matrix with a new objective.

`extreme_level` maximises (or minimises) one KPI level `ℓ[k,y]` subject to every hard rule of the
built model — the same rows, bounds and integrality, so a MIP stays a MIP. Soft targets stay soft
(their shortfall variables are free to absorb any gap), and the `level_hold` rows of a
lexicographic model are freed: they hold an objective, not a rule. `with_column_fixed` re-solves
the model's own objective with one column fixed (a soft target's shortfall at 0: the best plan
that meets it). Both answer as a `Solution`; its `bound` is the proof (for a maximum, no plan
goes above it), its `objective` the best level a plan reaches."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import highspy
import numpy as np

from allocator.formulation import Formulation
from allocator.solver.compile import Matrix, compile_matrix
from allocator.solver.highs import Solution, SolveOptions, new_highs, solve_session
from allocator.solver.lexicographic import HOLD_FAMILY

REACH_SECONDS = 10.0
"""Time limit of one reach solve unless the caller gives one (a MIP's answer is then "at least
X", with the bound beside it)."""


def matrix_of(built: Formulation, sol: Solution | None) -> Matrix:
    """The matrix the solve used, or the built model compiled afresh (a Pyomo solver's answer)."""
    if sol is not None and sol.matrix is not None:
        return sol.matrix
    return compile_matrix(built)


def _rows_of(matrix: Matrix, family: str) -> np.ndarray:
    """The row numbers of one rule family, from the matrix's block sizes (no names needed)."""
    rows: list[int] = []
    start = 0
    for name, size in matrix.shape[0] if matrix.shape else ():
        if name == family:
            rows += range(start, start + size)
        start += size
    return np.asarray(rows, dtype=np.int32)


def _limited(options: SolveOptions, seconds: float | None) -> SolveOptions:
    limit = REACH_SECONDS if seconds is None else seconds
    if options.time_limit is not None:
        limit = min(limit, options.time_limit)
    return replace(options, time_limit=limit)


def extreme_level(
    built: Formulation,
    matrix: Matrix,
    column: int,
    sense: str,
    options: SolveOptions,
    seconds: float | None = None,
) -> Solution:
    """Maximise (`sense="max"`) or minimise column `column` (a KPI level) under every hard rule.

    The answer's `objective` is the level a plan reaches (a MIP's with its integers fixed), its
    `bound` the proven limit (equal for an LP or a proven MIP), its `x` the plan."""
    options = _limited(options, seconds)
    h: Any = new_highs(matrix, options)
    holds = _rows_of(matrix, HOLD_FAMILY)
    if holds.size:
        free = np.full(holds.size, highspy.kHighsInf)
        h.changeRowsBounds(holds.size, holds, -free, free)
    n = matrix.lp.num_col_
    cost = np.zeros(n)
    cost[column] = 1.0
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    h.changeObjectiveOffset(0.0)
    h.changeObjectiveSense(
        highspy.ObjSense.kMaximize if sense == "max" else highspy.ObjSense.kMinimize
    )
    return solve_session(built, matrix, h, options)


def solved_basis(sol: Solution | None, matrix: Matrix) -> Any:
    """The optimal basis of the LP `sol` solved on `matrix` (None for a MIP, or without one)."""
    if sol is None or sol.highs is None or matrix.integer:
        return None
    basis = sol.highs.getBasis()
    shape = (len(basis.col_status), len(basis.row_status))
    return basis if basis.valid and shape == (matrix.lp.num_col_, matrix.lp.num_row_) else None


def with_column_fixed(
    built: Formulation,
    matrix: Matrix,
    column: int,
    value: float,
    options: SolveOptions,
    seconds: float | None = None,
    basis: Any = None,
) -> Solution:
    """The model's own objective with column `column` fixed at `value` (a soft target's shortfall
    at 0: the best plan that meets the target). An LP starts from `basis`, the model's optimal
    basis (`solved_basis`): only a bound moved, so the dual simplex takes few steps from it
    (a tenth of the time from scratch on 5,000 lines)."""
    options = _limited(options, seconds)
    h = new_highs(matrix, options)
    h.changeColBounds(column, value, value)
    if basis is not None and h.setBasis(basis) != highspy.HighsStatus.kOk:
        h = new_highs(matrix, options)  # not taken: from scratch, as without one
        h.changeColBounds(column, value, value)
    return solve_session(built, matrix, h, options)
