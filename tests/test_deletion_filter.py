"""The deletion filter that explains an infeasible MIP whose LP relaxation is feasible: rows tried
in blocks give the same irreducible set as one by one (hand-derived cases)."""

from __future__ import annotations

import highspy
import numpy as np
import pytest

from allocator.solver.compile import Arrays, Matrix
from allocator.solver.options import SolveOptions
from allocator.solver.probe import BLOCK, deletion_filter, irreducible_rows

INF = highspy.kHighsInf


def _matrix(rows: list[tuple[list[float], float, float]], integer: bool = True) -> Matrix:
    """Columns x, y, integers in [0, 10]; each row (coefficients on x and y, lower, upper)."""
    dense = np.array([coefs for coefs, _, _ in rows]).T  # column by column
    starts, index, values = [0], [], []
    for column in dense:
        nonzero = np.flatnonzero(column)
        index += nonzero.tolist()
        values += column[nonzero].tolist()
        starts.append(len(index))
    kinds = np.full(2, int(highspy.HighsVarType.kInteger), dtype=np.int32) if integer else None
    arrays = Arrays(
        num_col_=2,
        num_row_=len(rows),
        col_cost_=np.zeros(2),
        col_lower_=np.zeros(2),
        col_upper_=np.full(2, 10.0),
        row_lower_=np.array([lo for _, lo, _ in rows]),
        row_upper_=np.array([hi for _, _, hi in rows]),
        offset_=0.0,
        maximize=False,
        integrality=kinds,
        a_start=np.array(starts, dtype=np.int32),
        a_index=np.array(index, dtype=np.int32),
        a_value=np.array(values, dtype=float),
    )
    names = [f"row[{i}]" for i in range(len(rows))]
    return Matrix(arrays, lambda: names, integer, lambda j: "xy"[j])


def _filler(k: int) -> tuple[list[float], float, float]:
    """A row every answer below keeps: x + y ≤ 12 + k."""
    return ([1.0, 1.0], -INF, 12.0 + k)


def test_two_rows_between_two_integers_are_the_whole_set_across_blocks() -> None:
    # x ≥ 0.2 and x ≤ 0.8 leave no whole x (the LP relaxation has x = 0.5); with 3·BLOCK filler
    # rows around them, the two sit in different blocks and must be the only rows kept.
    rows = [_filler(k) for k in range(3 * BLOCK)]
    first, second = BLOCK // 2, 2 * BLOCK + 7
    rows[first] = ([1.0, 0.0], 0.2, INF)
    rows[second] = ([1.0, 0.0], -INF, 0.8)
    matrix = _matrix(rows)
    kept = deletion_filter(matrix, SolveOptions(), list(range(len(rows))))
    assert kept == [first, second]
    assert irreducible_rows(matrix, SolveOptions()) == (
        [first, second],
        "deletion filter over MIP solves",
    )


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_the_first_set_in_the_order_tried_is_kept_as_one_by_one_would(order: str) -> None:
    # Two independent reasons: 2x = 1 (rows 3, 4: x ≥ 0.5, x ≤ 0.5) and 2y = 3 (rows 8, 9).
    # One by one in order 0, 1, ...: dropping 3 leaves 8, 9 infeasible, so 3 and 4 go and 8, 9
    # stay; in the reverse order, 9 and 8 go and 3, 4 stay.
    rows = [_filler(k) for k in range(12)]
    rows[3], rows[4] = ([2.0, 0.0], 1.0, INF), ([2.0, 0.0], -INF, 1.0)
    rows[8], rows[9] = ([0.0, 2.0], 3.0, INF), ([0.0, 2.0], -INF, 3.0)
    candidates = list(range(12)) if order == "forward" else list(range(11, -1, -1))
    kept = deletion_filter(_matrix(rows), SolveOptions(), candidates)
    assert kept == ([8, 9] if order == "forward" else [3, 4])
