"""The hand-off: the rule blocks turned into one HiGHS matrix (column-wise, with numpy) with the
policy names of its rows and columns, and range checks on its figures. Constraints of one's own
on the Pyomo model join through Pyomo's standard-form compiler — imported only when the Pyomo
model exists, so a plain solve never loads Pyomo or SciPy."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import highspy
import numpy as np

from allocator.errors import NumericalError, NumericalWarning
from allocator.formulation import Formulation


@dataclass
class Arrays:
    """The model as the numpy arrays HiGHS's `passModel` takes (no Python object per entry),
    named as `highspy.HighsLp` names them. `a_start`, `a_index` and `a_value` (the column-wise
    matrix) are None once released (`Matrix.release`)."""

    num_col_: int
    num_row_: int
    col_cost_: np.ndarray
    col_lower_: np.ndarray
    col_upper_: np.ndarray
    row_lower_: np.ndarray
    row_upper_: np.ndarray
    offset_: float
    maximize: bool
    integrality: np.ndarray | None
    """HiGHS's variable kinds (int32) for a MIP; None for an LP."""
    a_start: np.ndarray | None
    a_index: np.ndarray | None
    a_value: np.ndarray | None

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The column-wise matrix: starts, row indices, values (refused once released)."""
        if self.a_start is None or self.a_index is None or self.a_value is None:
            raise ValueError("the matrix was released after its hand-off to HiGHS")
        return self.a_start, self.a_index, self.a_value

    @property
    def sense_(self) -> Any:
        return highspy.ObjSense.kMaximize if self.maximize else highspy.ObjSense.kMinimize

    def to_lp(self) -> Any:
        """The same model as a `highspy.HighsLp`."""
        start, index, value = self.columns()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = self.num_col_, self.num_row_
        lp.col_cost_ = self.col_cost_
        lp.offset_ = self.offset_
        lp.col_lower_, lp.col_upper_ = self.col_lower_, self.col_upper_
        lp.row_lower_, lp.row_upper_ = self.row_lower_, self.row_upper_
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = self.num_col_, self.num_row_
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.sense_ = self.sense_
        if self.integrality is not None:
            kind = highspy.HighsVarType
            lp.integrality_ = [kind(int(k)) for k in self.integrality]
        return lp

    def pass_to(self, h: Any) -> Any:
        """Load the model into the HiGHS session `h` from the numpy arrays as they are (rows,
        then columns with their entries, then the integer columns' kinds); returns the worst
        of HiGHS's statuses. `passModel` takes arrays too, but only with an integrality array,
        which HiGHS warns about for an LP."""
        start, index, value = self.columns()
        k = highspy.HighsStatus
        m, n = self.num_row_, self.num_col_
        h.clearModel()
        statuses = [
            h.changeObjectiveSense(self.sense_),
            h.changeObjectiveOffset(float(self.offset_)),
            h.addRows(
                m,
                self.row_lower_,
                self.row_upper_,
                0,
                np.zeros(0, np.int32),
                np.zeros(0, np.int32),
                np.zeros(0),
            ),
            h.addCols(
                n,
                self.col_cost_,
                self.col_lower_,
                self.col_upper_,
                int(value.size),
                start[:n].astype(np.int32, copy=False),
                index.astype(np.int32, copy=False),
                value,
            ),
        ]
        if self.integrality is not None:
            whole = np.arange(n, dtype=np.int32)
            statuses.append(h.changeColsIntegrality(n, whole, self.integrality))
        for worst in (k.kError, k.kWarning):
            if worst in statuses:
                return worst
        return k.kOk


@dataclass
class Matrix:
    """The model as HiGHS gets it (numpy arrays; a `highspy.HighsLp` made only when something
    asks for `lp`), with the policy names of its rows and columns (made only when asked)."""

    arrays: Arrays
    row_names: Callable[[], list[str]]
    integer: bool
    column_name: Callable[[int], str]
    shape: tuple[Any, ...] = ()
    """The rule blocks and their sizes: matrices of equal shape can be updated in place."""
    _lp: Any = field(default=None, repr=False)
    _restore: Callable[[], Any] | None = field(default=None, repr=False)

    @cached_property
    def rows(self) -> list[str]:
        """Row names in HiGHS order: `budget[2026]`, `pillar_share_min[talent,2027]`, ..."""
        return self.row_names()

    @property
    def whole(self) -> np.ndarray:
        """Column numbers of the integer variables (int32)."""
        kinds = self.arrays.integrality
        if kinds is None:
            return np.zeros(0, dtype=np.int32)
        return np.flatnonzero(kinds == int(highspy.HighsVarType.kInteger)).astype(np.int32)

    @property
    def released(self) -> bool:
        """Whether the column-wise matrix was let go after the hand-off (made again on use)."""
        return self.arrays.a_value is None and self._lp is None

    @property
    def lp(self) -> Any:
        """The model as a `highspy.HighsLp` (made on first use; after `release`, read back from
        the HiGHS session that holds it)."""
        if self._lp is None:
            if self.arrays.a_value is not None:
                self._lp = self.arrays.to_lp()
            else:
                assert self._restore is not None
                self._lp = self._restore()
        return self._lp

    def pass_to(self, h: Any) -> Any:
        """Load the model into HiGHS session `h`; returns HiGHS's status."""
        if self._lp is None and self.arrays.a_value is not None:
            return self.arrays.pass_to(h)
        return h.passModel(self.lp)

    def release(self, h: Any) -> None:
        """Let go of the column-wise matrix now that HiGHS session `h` holds its own copy: the
        costs, bounds and kinds stay here (they are small); `lp` reads the model back from `h`
        when something asks (with the columns' own bounds and kinds, which a MIP's re-solve with
        its integers fixed changes in the session)."""
        kept = replace(self.arrays, a_start=None, a_index=None, a_value=None)

        def restore() -> Any:  # holds `kept`, not the matrix it was made from
            lp = h.getLp()
            lp.col_lower_, lp.col_upper_ = kept.col_lower_, kept.col_upper_
            if kept.integrality is not None:
                kind = highspy.HighsVarType
                lp.integrality_ = [kind(int(k)) for k in kept.integrality]
            return lp

        self.arrays = kept
        self._lp = None
        self._restore = restore


SMALLEST_COEFFICIENT = 1e-9
"""HiGHS drops matrix entries at or below this magnitude (with only a log line)."""
LARGEST_FIGURE = 1e9
"""Above this, costs, bounds and right-hand sides risk HiGHS's tolerances: a warning is raised."""


def check_ranges(matrix: Matrix) -> None:
    """Refuse coefficients HiGHS would drop; warn on figures large enough to upset tolerances."""
    lp = matrix.arrays
    starts, indices, values = lp.columns()
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
        col = int(np.searchsorted(starts, tiny[0], side="right") - 1)
        row = matrix.rows[int(indices[tiny[0]])]
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
    sizes = [len(b.keys) for b in blocks]
    rule_rows = sum(sizes)
    custom = _custom_rows(built)
    extra_names = custom[1] if custom is not None else []
    m, n = rule_rows + len(extra_names), built.columns
    entries = [b.entries for b in blocks] + ([custom[0]] if custom is not None else [])
    ends = np.cumsum([0] + [len(values) for _, _, values in entries]).tolist()
    firsts = np.cumsum([0, *sizes]).tolist()[: len(entries)]  # each block's first row
    key, value = np.empty(ends[-1], dtype=np.int64), np.empty(ends[-1], dtype=float)
    for (rows, cols, values), first, at, end in zip(
        entries, firsts, ends[:-1], ends[1:], strict=True
    ):
        _keys(rows, cols, first, m, key[at:end])
        value[at:end] = values
    lower, upper = _sides(blocks, sizes)
    inf = highspy.kHighsInf
    dropped = _dropped_rows(built)
    if dropped:  # deactivated on the Pyomo model: free here too
        lower[dropped], upper[dropped] = -inf, inf
    if custom is not None:
        _entries, _names, extra_lower, extra_upper = custom
        lower, upper = np.concatenate([lower, extra_lower]), np.concatenate([upper, extra_upper])

    def names() -> list[str]:
        return [b.name(key) for b in blocks for key in b.keys] + extra_names

    shape = (tuple(zip((b.family for b in blocks), sizes, strict=True)), tuple(extra_names))
    start, index, value = _colwise(key, value, m, n)
    del key
    integer = any(built.integer)
    kind = highspy.HighsVarType
    arrays = Arrays(
        n,
        m,
        np.asarray(built.cost, dtype=float),
        np.asarray(built.lower, dtype=float),
        np.asarray(built.upper, dtype=float),
        np.ascontiguousarray(lower, dtype=float),
        np.ascontiguousarray(upper, dtype=float),
        float(built.offset),
        built.sense == "max",
        np.where(built.integer, int(kind.kInteger), int(kind.kContinuous)).astype(np.int32)
        if integer
        else None,
        start,
        index,
        value,
    )
    return Matrix(arrays, names, integer, built.column_name, shape)


def with_columns(matrix: Matrix, built: Formulation, sides: bool = False) -> Matrix:
    """`matrix`, compiled from a formulation with the same rows as `built` (the one `built` was
    copied from, say, to hold a plan with bounds of its own), with `built`'s own columns: costs,
    bounds, kinds, offset and sense. The rows, their names and the column-wise matrix are shared
    with `matrix`, not compiled again (a Monte Carlo sample solves its model twice: re-optimised,
    then with the base plan held). With `sides`, the rows' right-hand sides are read again from
    `built`'s rule blocks too (a frontier moves the bounds it holds its criteria at, in place,
    between solves). Where `built`'s rule blocks differ from `matrix`'s in shape, or `built` has
    a Pyomo model (rows of one's own), `built` is compiled afresh."""
    blocks = [b for b in built.row_blocks if b.active]
    sizes = [len(b.keys) for b in blocks]
    shape = (tuple(zip((b.family for b in blocks), sizes, strict=True)), ())
    if built.model_made or matrix.released or shape != matrix.shape:
        return compile_matrix(built)
    integer = any(built.integer)
    kind = highspy.HighsVarType
    arrays = replace(
        matrix.arrays,
        col_cost_=np.asarray(built.cost, dtype=float),
        col_lower_=np.asarray(built.lower, dtype=float),
        col_upper_=np.asarray(built.upper, dtype=float),
        offset_=float(built.offset),
        maximize=built.sense == "max",
        integrality=np.where(built.integer, int(kind.kInteger), int(kind.kContinuous)).astype(
            np.int32
        )
        if integer
        else None,
    )
    if sides:
        lower, upper = _sides(blocks, sizes)
        arrays.row_lower_ = np.ascontiguousarray(lower, dtype=float)
        arrays.row_upper_ = np.ascontiguousarray(upper, dtype=float)
    return Matrix(arrays, matrix.row_names, integer, built.column_name, matrix.shape)


_LE, _GE, _EQ = 0, 1, 2
_SENSE = {"<=": _LE, ">=": _GE, "==": _EQ}


def _sides(blocks: list[Any], sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """The rule rows' lower and upper sides from their blocks' senses and right-hand sides."""
    sense = np.repeat([_SENSE[b.sense] for b in blocks], sizes).astype(np.int8)
    rhs = _join([np.asarray(b.rhs, dtype=float) for b in blocks], float)
    inf = highspy.kHighsInf
    return np.where(sense == _LE, -inf, rhs), np.where(sense == _GE, inf, rhs)


def _join(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


def colwise(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, m: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row, column, value) triplets as a column-wise matrix of `m` rows and `n` columns:
    column starts, row indices and values, rows ascending within each column and repeated
    (row, column) entries summed (numpy only; what SciPy's CSC conversion gives)."""
    key = np.empty(len(values), dtype=np.int64)
    return _colwise(_keys(rows, cols, 0, m, key), np.asarray(values, dtype=float), m, n)


def _keys(rows: Any, cols: Any, offset: int, m: int, out: np.ndarray) -> np.ndarray:
    """Each entry's place in column-major order, `column · m + offset + row`, into `out`."""
    np.multiply(cols, max(m, 1), out=out, dtype=np.int64)
    out += rows
    if offset:
        out += offset
    return out


def _colwise(
    key: np.ndarray, values: np.ndarray, m: int, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`colwise` from the entries' column-major places (`_keys`)."""
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
