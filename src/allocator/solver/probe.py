"""HiGHS probes the explanations ask for: ranging of a solved model, the objective with some
rows relaxed, feasibility checks, the irreducible infeasible subset (IIS) and its deletion filter,
and the least relaxation of one row (elastic). Each returns plain numbers; the explain layer turns
them into words and never talks to HiGHS itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import highspy
import numpy as np
from highspy._core import _Highs

from allocator.solver.compile import Matrix
from allocator.solver.highs import Solution, SolveOptions, new_highs, set_option
from allocator.solver.runner import call_in_thread, run_in_thread

INF = highspy.kHighsInf
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFEASIBLE = highspy.HighsModelStatus.kInfeasible


@dataclass(frozen=True)
class Ranging:
    """HiGHS's ranging of a solved LP (for a MIP, of the LP with its integers fixed): each row's
    right-hand-side interval over which its dual holds, each column's cost interval over which the
    solution stays optimal."""

    row_low: np.ndarray
    row_high: np.ndarray
    cost_low: np.ndarray
    cost_high: np.ndarray
    cost: np.ndarray


def ranging(sol: Solution) -> Ranging | None:
    """The ranging of `sol`'s session, or None when HiGHS cannot give it."""
    if sol.highs is None or sol.matrix is None:
        return None
    status, found = sol.highs.getRanging()
    if status.name != "kOk" or not found.valid:
        return None
    return Ranging(
        np.asarray(found.row_bound_dn.value_, dtype=float),
        np.asarray(found.row_bound_up.value_, dtype=float),
        np.asarray(found.col_cost_dn.value_, dtype=float),
        np.asarray(found.col_cost_up.value_, dtype=float),
        np.asarray(sol.matrix.arrays.col_cost_, dtype=float),
    )


@dataclass(frozen=True)
class Without:
    """The outcome of a re-solve with some rows relaxed."""

    optimal: bool
    objective: float
    status: str


def objective_without(sol: Solution, rows: np.ndarray, lower_only: bool) -> Without:
    """Re-solve `sol`'s model with `rows` dropped (or, with `lower_only`, only their lower side)."""
    assert sol.matrix is not None
    h: Any = new_highs(sol.matrix, sol.options)
    upper = np.asarray(sol.matrix.arrays.row_upper_)[rows]
    lower = np.full(rows.size, -INF)
    if not lower_only:
        upper = np.full(rows.size, INF)
    h.changeRowsBounds(rows.size, rows, lower, upper)
    run_in_thread(h)
    status = h.getModelStatus()
    if status == _OPTIMAL:
        return Without(True, float(h.getInfo().objective_function_value), "optimal")
    return Without(False, float("nan"), h.modelStatusToString(status))


def feasible(matrix: Matrix, options: SolveOptions, lp: Any = None) -> bool | None:
    h = new_highs(matrix, options)
    if lp is not None:
        h.passModel(lp)
    set_option(h, "objective_bound", INF)
    h.changeColsCost(
        matrix.lp.num_col_,
        np.arange(matrix.lp.num_col_, dtype=np.int32),
        np.zeros(matrix.lp.num_col_),
    )
    run_in_thread(h)
    status = h.getModelStatus()
    return True if status == _OPTIMAL else False if status == _INFEASIBLE else None


def irreducible_rows(matrix: Matrix, options: SolveOptions) -> tuple[list[int], str]:
    relaxed = copy_lp(matrix.lp)
    relaxed.integrality_ = []
    h = new_highs(matrix, options)
    h.passModel(relaxed)
    set_option(h, "iis_strategy", 4)
    run_in_thread(h)
    candidates = list(range(matrix.lp.num_row_))
    if h.getModelStatus() == _INFEASIBLE:
        status, iis = call_in_thread(h, _Highs.getIis)
        if status == highspy.HighsStatus.kOk and iis.valid_ and len(iis.row_index_):
            candidates = sorted(int(i) for i in iis.row_index_)
            if not matrix.integer:
                return candidates, "HiGHS irreducible infeasible subset (IIS)"
    return deletion_filter(matrix, options, candidates), "deletion filter over MIP solves"


def deletion_filter(matrix: Matrix, options: SolveOptions, candidates: list[int]) -> list[int]:
    """The rows of `candidates` the deletion filter keeps: in order, a row is dropped when the
    problem stays infeasible without it. Rows are tried in blocks: when the problem stays
    infeasible with a whole block dropped, so it does with any part of it (fewer rows, fewer
    answers), and the one-by-one filter would drop every row of the block; otherwise the block is
    halved. Same rows as one by one, in far fewer MIP solves when few rows collide. The probes
    share one HiGHS session (row bounds changed in place, solved from scratch)."""
    lp = matrix.lp
    n, m = lp.num_col_, lp.num_row_
    h: Any = new_highs(matrix, options)
    set_option(h, "objective_bound", INF)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    rows = np.arange(m, dtype=np.int32)
    lower, upper = np.array(lp.row_lower_, dtype=float), np.array(lp.row_upper_, dtype=float)
    active = np.zeros(m, dtype=bool)
    active[candidates] = True

    def infeasible_without(block: list[int]) -> bool:
        on = active.copy()
        on[block] = False
        h.changeRowsBounds(m, rows, np.where(on, lower, -INF), np.where(on, upper, INF))
        h.clearSolver()
        run_in_thread(h)
        return bool(h.getModelStatus() == _INFEASIBLE)

    def filter_block(block: list[int]) -> None:
        if infeasible_without(block):
            active[block] = False
        elif len(block) > 1:
            half = len(block) // 2
            filter_block(block[:half])
            filter_block(block[half:])

    order = list(dict.fromkeys(candidates))
    for start in range(0, len(order), BLOCK):
        filter_block(order[start : start + BLOCK])
    return sorted(int(i) for i in np.flatnonzero(active))


BLOCK = 64
"""Rows the deletion filter first tries to drop at once."""


def copy_lp(lp: Any) -> Any:
    out = highspy.HighsLp()
    for attr in (
        "num_col_",
        "num_row_",
        "col_cost_",
        "col_lower_",
        "col_upper_",
        "row_lower_",
        "row_upper_",
        "sense_",
        "offset_",
        "integrality_",
        "col_names_",
        "row_names_",
    ):
        setattr(out, attr, getattr(lp, attr))
    out.a_matrix_ = lp.a_matrix_
    return out


def elastic(
    matrix: Matrix, i: int, sense: str, options: SolveOptions, lowest: float | None = None
) -> float | None:
    """The least relaxation of row i that makes the problem feasible (None if none does). The
    row's right-hand side is raised (`<=`), lowered (`>=`) or moved (`==`); with `lowest`, it
    may be lowered by at most that much (a figure that cannot go below zero)."""
    lp = copy_lp(matrix.lp)
    n = lp.num_col_
    h = new_highs(matrix, options)
    h.passModel(lp)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
    h.changeObjectiveSense(highspy.ObjSense.kMinimize)
    signs = {"<=": [-1.0], ">=": [1.0], "==": [1.0, -1.0]}[sense]
    for sign in signs:
        cap = INF if lowest is None or sign < 0 else max(0.0, lowest)
        h.addCol(1.0, 0.0, cap, 1, np.array([i], dtype=np.int32), np.array([sign]))
    run_in_thread(h)
    if h.getModelStatus() != _OPTIMAL:
        return None
    values = np.asarray(h.getSolution().col_value)[n:]
    return float(values[0] - (values[1] if len(values) > 1 else 0.0))
