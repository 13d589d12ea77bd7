"""allocator's matrix built from numpy arrays alone, handed to HiGHS with one `passModel`.

The raw highspy route of the benchmarks (`raw_highs.py` as a whole process, `routes.raw_steps`
inside one): the same columns, rows and coefficients as allocator's, in allocator's order. It
imports numpy and highspy only — no pandas, no scipy — so a whole raw process pays for no more
than a user writing the model by hand would (scipy.sparse and pandas take about 0.2 s and
0.35 s to import here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np

INF = highspy.kHighsInf
MIP_GAP = 1e-7
"""allocator's default relative MIP gap; the other routes use it too."""


@dataclass
class Case:
    """An instance and model as flat arrays (lines × years, lines × KPIs, ...)."""

    years: list[int]
    line_ids: list[str]
    names: list[str]
    pillar_ids: list[str]
    pillar_names: list[str]
    pillar: np.ndarray
    new: np.ndarray
    leverage: np.ndarray
    impact: np.ndarray
    private_impact: np.ndarray
    lo: np.ndarray
    """Floor per line and year (0 where none)."""
    hi: np.ndarray
    """Cap per line and year (NaN where none)."""
    select: np.ndarray
    integer: np.ndarray
    unit_cost: np.ndarray
    groups: list[list[str]]
    kpi_ids: list[str]
    baseline: np.ndarray
    cumulative: np.ndarray
    yields: np.ndarray
    target_kpi: np.ndarray
    target_year: np.ndarray
    target_value: np.ndarray
    weight: np.ndarray
    """Per target: the KPI's shortfall weight."""
    budget: np.ndarray
    pool: np.ndarray
    must_spend: bool
    shares: list[tuple[int, float | None, float | None]] = field(default_factory=list)
    new_share: float | None = None
    ramp: float | None = None
    cardinality: list[tuple[str, int]] = field(default_factory=list)


class _Rows:
    """Rows collected block by block as (row, column, value) triplets with lower/upper bounds."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lower: list[np.ndarray] = []
        self.upper: list[np.ndarray] = []
        self.count = 0

    def add(
        self,
        local: np.ndarray,
        cols: np.ndarray,
        vals: np.ndarray,
        lower: np.ndarray,
        upper: np.ndarray,
    ) -> None:
        """A block of `len(lower)` rows; `local` numbers the block's own rows from 0."""
        self.r.append(np.asarray(local, dtype=np.int64) + self.count)
        self.c.append(np.asarray(cols, dtype=np.int64))
        self.v.append(np.asarray(vals, dtype=float))
        self.lower.append(np.asarray(lower, dtype=float))
        self.upper.append(np.asarray(upper, dtype=float))
        self.count += len(lower)


@dataclass
class RawModel:
    """The raw route's matrix and the column maps its results need."""

    a: Any
    cost: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    integrality: np.ndarray
    gov: np.ndarray
    private: np.ndarray
    """Column of p[l, y], −1 where the line has no private variable that year."""


def raw_build(case: Case) -> RawModel:
    """allocator's matrix, column for column and row for row, from numpy arrays."""
    n, t_count = case.lo.shape
    years = np.arange(t_count)
    # Columns: gov, private, units, selected, level, shortfall (each key-major, year-minor).
    gov = np.arange(n * t_count).reshape(n, t_count)
    at = n * t_count
    eligible = (case.leverage[:, None] > 0) & (case.pool[None, :] > 0)
    private = np.full((n, t_count), -1, dtype=np.int64)
    private[eligible] = at + np.arange(int(eligible.sum()))
    at += int(eligible.sum())
    units = np.full((n, t_count), -1, dtype=np.int64)
    units[case.integer] = at + np.arange(int(case.integer.sum()) * t_count).reshape(-1, t_count)
    at += int(case.integer.sum()) * t_count
    selected = np.full(n, -1, dtype=np.int64)
    selected[case.select] = at + np.arange(int(case.select.sum()))
    at += int(case.select.sum())
    k_count = len(case.kpi_ids)
    level = at + np.arange(k_count * t_count).reshape(k_count, t_count)
    at += k_count * t_count
    shortfall = at + np.arange(len(case.target_value))
    at += len(case.target_value)
    columns = at

    rows = _Rows()
    all_t = np.tile(years, n)
    # budget[y]
    cap = case.budget
    rows.add(
        all_t,
        gov.ravel(),
        np.ones(n * t_count),
        cap if case.must_spend else np.full(t_count, -INF),
        cap,
    )
    # private_pool[y]
    pooled = [t for t in range(t_count) if eligible[:, t].any()]
    if pooled:
        local = np.concatenate(
            [np.full(int(eligible[:, t].sum()), k) for k, t in enumerate(pooled)]
        )
        cols = np.concatenate([private[eligible[:, t], t] for t in pooled])
        rows.add(local, cols, np.ones(len(cols)), np.full(len(pooled), -INF), case.pool[pooled])
    # leverage[l,y]: p − λ g ≤ 0, one row per private column (in column order)
    li, ti = np.nonzero(eligible)
    m = len(li)
    rows.add(
        np.repeat(np.arange(m), 2),
        np.column_stack([private[li, ti], gov[li, ti]]).ravel(),
        np.column_stack([np.ones(m), -case.leverage[li]]).ravel(),
        np.full(m, -INF),
        np.zeros(m),
    )
    # line_min[l,y] (every floor), then line_max[l,y] (every cap), line by line and year by year
    hi_row = np.where(np.isnan(case.hi) & case.select[:, None], case.budget[None, :], case.hi)
    for is_max, present, grid in ((False, case.lo > 0, case.lo), (True, ~np.isnan(hi_row), hi_row)):
        li, ti = np.nonzero(present)
        bound = grid[li, ti]
        chosen = case.select[li]
        k = len(li)
        sided = np.where(chosen, 0.0, bound)  # a go/no-go line: g − bound·s against 0
        sel_rows = np.flatnonzero(chosen)
        rows.add(
            np.concatenate([np.arange(k), sel_rows]),
            np.concatenate([gov[li, ti], selected[li[sel_rows]]]),
            np.concatenate([np.ones(k), -bound[sel_rows]]),
            np.full(k, -INF) if is_max else sided,
            sided if is_max else np.full(k, INF),
        )
    # integer_units[l,y]: g + p − u·n = 0
    li, ti = np.nonzero(units >= 0)
    k = len(li)
    has_p = private[li, ti] >= 0
    rows.add(
        np.concatenate([np.arange(k), np.arange(k), np.flatnonzero(has_p)]),
        np.concatenate([gov[li, ti], units[li, ti], private[li, ti][has_p]]),
        np.concatenate([np.ones(k), -case.unit_cost[li], np.ones(int(has_p.sum()))]),
        np.zeros(k),
        np.zeros(k),
    )
    # kpi_level[k,y]: level − Σ_{y'≤y} Σ_l yield·(g + p) = baseline
    local_parts, col_parts, val_parts = [], [], []
    for kk in range(k_count):
        lines_k = np.flatnonzero(case.yields[:, kk])
        rate = case.yields[lines_k, kk]
        for t in range(t_count):
            r = kk * t_count + t
            counted = np.arange(t + 1) if case.cumulative[kk] else np.array([t])
            g_cols = gov[lines_k][:, counted].ravel()
            p_cols = private[lines_k][:, counted].ravel()
            rates = np.repeat(rate, len(counted))
            both_c = np.column_stack([g_cols, p_cols]).ravel()
            both_v = np.column_stack([-rates, -rates]).ravel()
            keep = both_c >= 0
            local_parts += [np.array([r]), np.full(int(keep.sum()), r)]
            col_parts += [np.array([level[kk, t]]), both_c[keep]]
            val_parts += [np.array([1.0]), both_v[keep]]
    base = np.repeat(case.baseline, t_count)
    if k_count:
        rows.add(
            np.concatenate(local_parts),
            np.concatenate(col_parts),
            np.concatenate(val_parts),
            base,
            base,
        )
    # target[k,y]: level + shortfall ≥ value (soft)
    q = len(case.target_value)
    if q:
        rows.add(
            np.repeat(np.arange(q), 2),
            np.column_stack([level[case.target_kpi, case.target_year], shortfall]).ravel(),
            np.ones(2 * q),
            case.target_value,
            np.full(q, INF),
        )
    # pillar_share_min / _max[p,y]: Σ_{l∈p} g − share·Σ_l g ≷ 0 (min rows, then max rows)
    for p, lo_share, hi_share in case.shares:
        member = case.pillar == p
        for share, is_min in ((lo_share, True), (hi_share, False)):
            if share is None:
                continue
            _share_rows(rows, gov, member, float(share), is_min)
    if case.new_share is not None:
        _share_rows(rows, gov, case.new, case.new_share, True)
    # ramp_up, ramp_down[l,y]: ±(g[l,y] − g[l,y−1]) ≤ ρ·max[l,y] (ρ·B[y] without a max)
    if case.ramp is not None and t_count > 1:
        step = case.ramp * np.where(np.isnan(case.hi), case.budget[None, :], case.hi)[:, 1:]
        now, before = gov[:, 1:].ravel(), gov[:, :-1].ravel()
        k = len(now)
        up, down = np.arange(k), k + np.arange(k)  # every ramp_up, then every ramp_down
        rows.add(
            np.concatenate([up, up, down, down]),
            np.concatenate([now, before, before, now]),
            np.concatenate([np.ones(k), -np.ones(k), np.ones(k), -np.ones(k)]),
            np.full(2 * k, -INF),
            np.tile(step.ravel(), 2),
        )
    # cardinality[G]: Σ_{l∈G} s ≤ k (a member that is not go/no-go counts as 1); members found in
    # one pass over the lines, not one per group (thousands of groups at 100,000 lines)
    members_of: dict[str, list[int]] = {}
    if case.cardinality:
        for i, line_groups in enumerate(case.groups):
            for group in line_groups:
                members_of.setdefault(group, []).append(i)
    for group, most in case.cardinality:
        members = np.unique(np.asarray(members_of.get(group, []), dtype=np.int64))
        chosen = members[case.select[members]]
        fixed = int((~case.select[members]).sum())
        rows.add(
            np.zeros(len(chosen)),
            selected[chosen],
            np.ones(len(chosen)),
            np.array([-INF]),
            np.array([most - fixed]),
        )

    r, c, v = (np.concatenate(part) for part in (rows.r, rows.c, rows.v))
    keep = v != 0
    a = Csc.of(r[keep], c[keep], v[keep], columns)
    cost = np.zeros(columns)
    cost[gov.ravel()] = np.repeat(case.impact, t_count)
    cost[private[eligible]] = np.broadcast_to(case.private_impact[:, None], (n, t_count))[eligible]
    cost[shortfall] = -case.weight / case.target_value
    col_lower = np.zeros(columns)
    col_lower[level.ravel()] = -INF
    col_upper = np.full(columns, INF)
    col_upper[selected[case.select]] = 1.0
    integrality = np.zeros(columns, dtype=np.uint8)
    integrality[units[units >= 0]] = 1
    integrality[selected[case.select]] = 1
    return RawModel(
        a,
        cost,
        col_lower,
        col_upper,
        np.concatenate(rows.lower),
        np.concatenate(rows.upper),
        integrality,
        gov,
        private,
    )


def _share_rows(
    rows: _Rows, gov: np.ndarray, member: np.ndarray, share: float, is_min: bool
) -> None:
    """Σ_{member} g[·,y] − share·Σ g[·,y] ≥ 0 (is_min) or ≤ 0, one row per year."""
    t_count = gov.shape[1]
    coef = np.where(member, 1.0 - share, -share)
    keep = coef != 0
    cols = gov[keep].T.ravel()  # year-major: row t holds every kept line's g[·, t]
    local = np.repeat(np.arange(t_count), int(keep.sum()))
    vals = np.tile(coef[keep], t_count)
    zero = np.zeros(t_count)
    rows.add(
        local,
        cols,
        vals,
        zero if is_min else np.full(t_count, -INF),
        np.full(t_count, INF) if is_min else zero,
    )


def raw_highs(model: RawModel) -> highspy.Highs:
    """A HiGHS session holding `model`, passed with one `passModel`."""
    lp = highspy.HighsLp()
    n = len(model.cost)
    lp.num_col_, lp.num_row_ = n, len(model.row_lower)
    lp.col_cost_ = model.cost
    lp.col_lower_, lp.col_upper_ = model.col_lower, model.col_upper
    lp.row_lower_, lp.row_upper_ = model.row_lower, model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(model.row_lower)
    lp.a_matrix_.start_ = model.a.indptr
    lp.a_matrix_.index_ = model.a.indices
    lp.a_matrix_.value_ = model.a.data
    lp.sense_ = highspy.ObjSense.kMaximize
    if model.integrality.any():
        kind = highspy.HighsVarType
        lp.integrality_ = [kind.kInteger if i else kind.kContinuous for i in model.integrality]
    h = quiet_highs()
    if h.passModel(lp) != highspy.HighsStatus.kOk:
        raise RuntimeError("HiGHS refused the raw model")
    return h


def quiet_highs() -> highspy.Highs:
    """A HiGHS session with allocator's options, not logging to the console."""
    h = highspy.Highs()
    h.setOptionValue("log_to_console", False)
    h.setOptionValue("mip_rel_gap", MIP_GAP)
    h.setOptionValue("random_seed", 0)
    return h


@dataclass
class Csc:
    """A column-wise sparse matrix as HiGHS takes it (scipy's `csc_array` layout: entries sorted
    by column, then row; entries at one place summed)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @property
    def nnz(self) -> int:
        return len(self.data)

    @classmethod
    def of(cls, r: np.ndarray, c: np.ndarray, v: np.ndarray, columns: int) -> Csc:
        order = np.lexsort((r, c))
        r, c, v = r[order], c[order], v[order]
        first = np.ones(len(c), dtype=bool)
        first[1:] = (c[1:] != c[:-1]) | (r[1:] != r[:-1])
        if not first.all():
            v = np.bincount(np.cumsum(first) - 1, weights=v)
            r, c = r[first], c[first]
        indptr = np.zeros(columns + 1, dtype=np.int32)
        np.cumsum(np.bincount(c, minlength=columns), out=indptr[1:])
        return cls(indptr, r.astype(np.int32), v)
