"""The hand-off: the rule blocks turned into one HiGHS matrix (column-wise, with numpy) with the
policy names of its rows and columns, and range checks on its figures. Constraints of one's own
on the Pyomo model join through Pyomo's standard-form compiler — imported only when the Pyomo
model exists, so a plain solve never loads Pyomo or SciPy."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import highspy
import numpy as np

from allocator.errors import NumericalError, NumericalWarning
from allocator.formulation import Formulation


@dataclass
class Matrix:
    """The model as HiGHS gets it, with the policy names of its rows and columns (the row names
    are made only when something asks for them)."""

    lp: Any
    row_names: Callable[[], list[str]]
    integer: bool
    column_name: Callable[[int], str]
    shape: tuple[Any, ...] = ()
    """The rule blocks and their sizes: matrices of equal shape can be updated in place."""

    @cached_property
    def rows(self) -> list[str]:
        """Row names in HiGHS order: `budget[2026]`, `pillar_share_min[talent,2027]`, ..."""
        return self.row_names()


SMALLEST_COEFFICIENT = 1e-9
"""HiGHS drops matrix entries at or below this magnitude (with only a log line)."""
LARGEST_FIGURE = 1e9
"""Above this, costs, bounds and right-hand sides risk HiGHS's tolerances: a warning is raised."""


def check_ranges(matrix: Matrix) -> None:
    """Refuse coefficients HiGHS would drop; warn on figures large enough to upset tolerances."""
    lp = matrix.lp
    a = lp.a_matrix_
    values = np.asarray(a.value_, dtype=float)
    n = lp.num_col_
    for label, row_names, figures in (
        ("coefficient", False, values),
        ("objective coefficient", False, np.asarray(lp.col_cost_, dtype=float)),
        ("bound", False, np.concatenate([lp.col_lower_, lp.col_upper_])),
        ("right-hand side", True, np.concatenate([lp.row_lower_, lp.row_upper_])),
    ):
        bad = np.flatnonzero(
            np.isnan(figures)
            | (np.isinf(figures) & (label != "bound") & (label != "right-hand side"))
        )
        if bad.size:
            i = int(bad[0])
            where = (
                "the constraint matrix"
                if label == "coefficient"
                else matrix.rows[i % len(matrix.rows)]
                if row_names
                else matrix.column_name(i % n)
            )
            raise NumericalError(f"{where}: {label} is {figures[i]}; HiGHS cannot use it")
    tiny = np.flatnonzero((np.abs(values) <= SMALLEST_COEFFICIENT) & (values != 0))
    if tiny.size:
        starts = np.asarray(a.start_)
        col = int(np.searchsorted(starts, tiny[0], side="right") - 1)
        row = matrix.rows[int(np.asarray(a.index_)[tiny[0]])]
        raise NumericalError(
            f"{row}: coefficient {values[tiny[0]]:.3g} on {matrix.column_name(col)} is at or below "
            f"{SMALLEST_COEFFICIENT:g}, which HiGHS drops; state the figure in a larger unit "
            f"(e.g. KPI units in thousands) ({tiny.size} such coefficients)"
        )
    for label, names, figures in (
        ("coefficient", None, values),
        (
            "right-hand side",
            lambda i: matrix.rows[i],
            np.concatenate([lp.row_lower_, lp.row_upper_]),
        ),
        ("objective coefficient", matrix.column_name, np.asarray(lp.col_cost_)),
    ):
        finite = np.where(np.isfinite(figures), np.abs(figures), 0.0)
        if finite.size and finite.max() > LARGEST_FIGURE:
            i = int(finite.argmax())
            size = len(matrix.rows) if label == "right-hand side" else n
            where = names(i % size) if names else "the constraint matrix"
            warnings.warn(
                NumericalWarning(
                    f"{where}: {label} {figures[i]:.3g} exceeds {LARGEST_FIGURE:g}; HiGHS may "
                    "lose precision — state money in bn KRW and KPIs in a unit near their size"
                ),
                stacklevel=3,
            )


def compile_matrix(built: Formulation) -> Matrix:
    """The built model as one HiGHS LP/MIP: the rules' sparse rows, plus any custom rule written
    as a Pyomo constraint on `built.model` (compiled by Pyomo's standard-form compiler)."""
    blocks = [b for b in built.row_blocks if b.active]
    r, c, v, rhs_parts, senses = [], [], [], [], []
    offset = 0
    for block in blocks:
        rows, cols, values = block.entries
        r.append(np.asarray(rows, dtype=np.int64) + offset)
        c.append(np.asarray(cols, dtype=np.int64))
        v.append(np.asarray(values, dtype=float))
        rhs_parts.append(np.asarray(block.rhs, dtype=float))
        senses.append(np.full(len(block.keys), _SENSE[block.sense], dtype=np.int8))
        offset += len(block.keys)
    n = built.columns
    sense = _join(senses, np.int8)
    rhs = _join(rhs_parts, float)
    inf = highspy.kHighsInf
    lower = np.where(sense == _LE, -inf, rhs)
    upper = np.where(sense == _GE, inf, rhs)
    dropped = _dropped_rows(built)
    if dropped:  # deactivated on the Pyomo model: free here too
        lower[dropped], upper[dropped] = -inf, inf
    custom = _custom_rows(built)
    extra_names: list[str] = []
    if custom is not None:
        (extra_r, extra_c, extra_v), extra_names, extra_lower, extra_upper = custom
        r.append(extra_r + offset)
        c.append(extra_c)
        v.append(extra_v)
        lower, upper = np.concatenate([lower, extra_lower]), np.concatenate([upper, extra_upper])

    def names() -> list[str]:
        return [b.name(key) for b in blocks for key in b.keys] + extra_names

    m = offset + len(extra_names)
    shape = (tuple((b.family, len(b.keys)) for b in blocks), tuple(extra_names))
    start, index, value = colwise(_join(r, np.int64), _join(c, np.int64), _join(v, float), m, n)
    del r, c, v
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, m
    lp.col_cost_ = np.asarray(built.cost, dtype=float)
    lp.offset_ = float(built.offset)
    lp.col_lower_ = np.asarray(built.lower, dtype=float)
    lp.col_upper_ = np.asarray(built.upper, dtype=float)
    lp.row_lower_, lp.row_upper_ = lower, upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.sense_ = highspy.ObjSense.kMaximize if built.sense == "max" else highspy.ObjSense.kMinimize
    integer = any(built.integer)
    if integer:
        kind = highspy.HighsVarType
        lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in built.integer]
    return Matrix(lp, names, integer, built.column_name, shape)


_LE, _GE, _EQ = 0, 1, 2
_SENSE = {"<=": _LE, ">=": _GE, "==": _EQ}


def _join(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def colwise(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, m: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) triplets as a column-wise matrix of `m` rows and `n` columns:
    column starts, row indices and values, rows ascending within each column and repeated
    (row, column) entries summed (numpy only; what SciPy's CSC conversion gives)."""
    key = cols * max(m, 1) + rows
    order = np.argsort(key, kind="stable")
    key, values = key[order], values[order]
    del order
    if key.size:
        first = np.empty(key.size, dtype=bool)
        first[0] = True
        np.not_equal(key[1:], key[:-1], out=first[1:])
        if not first.all():
            cuts = np.flatnonzero(first)
            values = np.add.reduceat(values, cuts)
            key = key[cuts]
    col, row = np.divmod(key, max(m, 1))
    small = np.int32 if max(m, n, key.size) < 2**31 - 1 else np.int64
    start = np.zeros(n + 1, dtype=small)
    np.cumsum(np.bincount(col, minlength=n), out=start[1:])
    return start, row.astype(small), np.ascontiguousarray(values, dtype=float)


Triplets = tuple[np.ndarray, np.ndarray, np.ndarray]
Custom = tuple[Triplets, list[str], np.ndarray, np.ndarray]
"""Rows of one's own: (row, column, value) triplets, names, lower and upper bounds."""


def _dropped_rows(built: Formulation) -> list[int]:
    """Rule rows deactivated on the Pyomo model (none when it was never made)."""
    if not built.model_made:
        return []
    from allocator.formulation.pyomo_model import dropped_rows

    return dropped_rows(built)


def _custom_rows(built: Formulation) -> Custom | None:
    """Rows of Pyomo constraints a user added to `built.model`, over the same columns (the rule
    rows `to_pyomo` made there are left out while compiling: they are the matrix's own rows).
    None when the Pyomo model was never made: then there are none."""
    if not built.model_made:
        return None
    from allocator.formulation.pyomo_model import row_components

    generated = [row for c in row_components(built) for row in c.values() if row.active]
    for row in generated:
        row.deactivate()
    try:
        return _compile_custom(built)
    finally:
        for row in generated:
            row.activate()


def _compile_custom(
    built: Formulation,
) -> tuple[Triplets, list[str], np.ndarray, np.ndarray] | None:
    import pyomo.environ as pyo
    from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
    from scipy import sparse

    if next(built.model.component_data_objects(pyo.Constraint, active=True), None) is None:
        return None
    info = LinearStandardFormCompiler().write(built.model, mixed_form=True, set_sense=None)
    where = {b.name: (b.start, {k: i for i, k in enumerate(b.keys)}) for b in built.blocks}
    columns = []
    for var in info.columns:
        start, keys = where[var.parent_component().name]
        columns.append(start + keys[var.index()])
    coo = sparse.coo_array(info.A)
    extra = (
        np.asarray(coo.row, dtype=np.int64),
        np.asarray(columns, dtype=np.int64)[coo.col],
        np.asarray(coo.data, dtype=float),
    )
    kinds = np.array([row.bound_type for row in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    inf = highspy.kHighsInf
    names = [row.constraint.name for row in info.rows]
    return extra, names, np.where(kinds == 1, -inf, rhs), np.where(kinds == -1, inf, rhs)
