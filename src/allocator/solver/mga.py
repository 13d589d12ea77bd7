"""Maximally different alternatives (modelling to generate alternatives, max-min form): within
the near-optimal region, the plan whose smallest L1 distance to every earlier plan is largest,
as a MIP in one HiGHS session.

For each earlier plan p and each coordinate j that can move (government money of a line in a
year, with its near-optimal range [lo_j, hi_j]), a distance t_pj ≤ |x_j − p_j| is linearised
with a binary z_pj that picks the side:

    t_pj ≤ x_j − p_j + M_j (1 − z_pj),   t_pj ≤ p_j − x_j + M_j z_pj,   0 ≤ t_pj ≤ M_j / 2

with M_j = 2 max(hi_j − p_j, p_j − lo_j) (each row must stay slack on its unchosen side, where
it reads t ≤ |x − p| − 2|x − p| + M); then δ ≤ Σ_j t_pj for every p, and δ is maximised. The
optimum δ* is the exact largest distance any plan in the region keeps from all earlier plans:
when it is below the distance asked for, no such plan exists."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np

from allocator.solver.highs import Matrix, SolveOptions, new_highs
from allocator.solver.runner import run_in_thread

INF = highspy.kHighsInf


@dataclass(frozen=True)
class Farthest:
    """The farthest plan found: its column values and its smallest distance to earlier plans
    (None when HiGHS found no plan: the region is empty or a limit was hit)."""

    x: np.ndarray | None
    distance: float
    status: str


def farthest(
    matrix: Matrix,
    options: SolveOptions,
    coords: np.ndarray,
    plans: list[np.ndarray],
    low: np.ndarray,
    high: np.ndarray,
) -> Farthest:
    """The plan of `matrix` (the model with its near-optimal row) whose smallest L1 distance
    over the columns `coords` to each of `plans` (values of those columns) is largest, given
    each coordinate's range [`low`, `high`] in the region."""
    h: Any = new_highs(matrix, options)
    n = matrix.lp.num_col_
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.changeObjectiveOffset(0.0)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(high))) if high.size else 1.0)
    movable = [k for k in range(coords.size) if high[k] - low[k] > tol]
    delta = n
    h.addCol(1.0, 0.0, INF, 0, np.zeros(0, np.int32), np.zeros(0))
    column = n + 1
    for plan in plans:
        t_cols = []
        for k in movable:
            j, p = int(coords[k]), float(plan[k])
            reach = max(high[k] - p, p - low[k], 0.0)
            big = 2 * reach
            t, z = column, column + 1
            h.addCol(0.0, 0.0, reach, 0, np.zeros(0, np.int32), np.zeros(0))
            h.addCol(0.0, 0.0, 1.0, 0, np.zeros(0, np.int32), np.zeros(0))
            h.changeColIntegrality(z, highspy.HighsVarType.kInteger)
            column += 2
            cols = np.array([t, j, z], dtype=np.int32)
            # t − x + M z ≤ M − p  and  t + x − M z ≤ p
            h.addRow(-INF, big - p, 3, cols, np.array([1.0, -1.0, big]))
            h.addRow(-INF, p, 3, cols, np.array([1.0, 1.0, -big]))
            t_cols.append(t)
        cols = np.array([delta, *t_cols], dtype=np.int32)
        h.addRow(-INF, 0.0, cols.size, cols, np.array([1.0] + [-1.0] * len(t_cols)))
    run_in_thread(h)
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return Farthest(None, 0.0, h.modelStatusToString(status))
    x = np.asarray(h.getSolution().col_value, dtype=float)
    return Farthest(x[:n], float(x[delta]), "optimal")
