"""A plain LP solved with HiGHS for the analyses that build their own (inverse optimisation):
minimise c·x subject to row_lower ≤ A·x ≤ row_upper and col_lower ≤ x ≤ col_upper."""

from __future__ import annotations

from typing import Any

import highspy
import numpy as np
from scipy import sparse

from allocator.solver.runner import run_in_thread
from allocator.solver.status import Status

INF = highspy.kHighsInf


def solve_lp(
    cost: np.ndarray,
    a: Any,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
) -> tuple[Status, np.ndarray]:
    """The LP's status and its optimal x (empty unless optimal); infinite bounds as ±inf."""
    from allocator.solver.highs import _highs  # the quiet session with its log kept

    m = sparse.csc_array(a)
    m.sum_duplicates()
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = m.shape[1], m.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.where(np.isinf(col_lower), -INF, col_lower)
    lp.col_upper_ = np.where(np.isinf(col_upper), INF, col_upper)
    lp.row_lower_ = np.where(np.isinf(row_lower), -INF, row_lower)
    lp.row_upper_ = np.where(np.isinf(row_upper), INF, row_upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = m.shape[1], m.shape[0]
    lp.a_matrix_.start_ = m.indptr
    lp.a_matrix_.index_ = m.indices
    lp.a_matrix_.value_ = m.data
    h = _highs()
    h.passModel(lp)
    run_in_thread(h)
    model_status = h.getModelStatus()
    if model_status == highspy.HighsModelStatus.kOptimal:
        return Status.optimal, np.asarray(h.getSolution().col_value, dtype=float)
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return Status.infeasible, np.zeros(0)
    if model_status == highspy.HighsModelStatus.kUnbounded:
        return Status.unbounded, np.zeros(0)
    return Status.error, np.zeros(0)
