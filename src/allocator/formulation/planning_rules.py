"""Core rules of the planning features — funds with a leverage chain, carry-over, committed
schedules, multi-year cohorts and piecewise returns; each emits nothing for an instance that does
not use its feature. Each builder's docstring holds its formula (the docs' rule pages)."""

from __future__ import annotations

import numpy as np

from allocator.formulation.model import Formulation, Linear, Sense, Terms
from allocator.formulation.registry import core_rule
from allocator.schema.base import for_year
from allocator.schema.planning import Fund


def _seed(b: Formulation, fund: Fund, years: list[int], coef: float) -> Linear:
    return Linear.of([(coef, b.gov[lid, y]) for lid in fund.seed for y in years])


def _drawn(b: Formulation, fund: Fund, years: list[int]) -> Linear:
    """Σ d[f,l,y] over the fund's lines and `years`, line by line (from a grid made once)."""
    key = ("draw", fund.id)
    if key not in b._arrays:
        every = b.inst.years
        b._arrays[key] = np.array(
            [[b.draw[fund.id, lid, y] for y in every] for lid in fund.lines], dtype=np.int64
        ).reshape(len(fund.lines), len(every))
    at = {y: t for t, y in enumerate(b.inst.years)}
    cols = b._arrays[key][:, [at[y] for y in years]].ravel()
    return Linear(cols, np.ones(cols.size))


@core_rule("fund_leverage")
def fund_leverage(b: Formulation) -> None:
    r"""A named fund draws at most its leverage times the public seed paid in so far.

    $$
    \sum_{y' \le y} \sum_{l \in E_f} d_{f,l,y'}
    \le \lambda_f \sum_{y' \le y} \sum_{s \in S_f} g_{s,y'}
    $$

    A named fund $f$ (`funds:` in the instance) draws private money $d_{f,l,y} \ge 0$ into its
    eligible lines $E_f$ (`lines`), at most $\lambda_f$ (`leverage`) won per won of public seed paid
    in so far by its seed lines $S_f$ (`seed`): seed paid in 2026 still backs draws in 2030. The
    drawn money counts for the lines' KPIs, whole units and `private_impact`, and appears as source
    $f$ in `Result.allocation` and `Result.funding()`.

    Name: `fund_leverage[ngf,2027]`.
    """
    years = b.inst.years
    for fund in b.inst.funds:
        for i, y in enumerate(years):
            so_far = years[: i + 1]
            b.add(
                "fund_leverage",
                (fund.id, y),
                _drawn(b, fund, so_far) + _seed(b, fund, so_far, -fund.leverage),
                "<=",
                0.0,
                figure=f"funds.{fund.id}.leverage",
                fund=fund.id,
                year=y,
                text=f"{fund.name} draws, by {y}, at most {fund.leverage:g} private won per won "
                "of public seed paid in so far",
                unit="money",
            )


@core_rule("fund_limits")
def fund_limits(b: Formulation) -> None:
    r"""A fund's draws stay within its yearly cap, its horizon total and its leverage floor.

    $$
    \sum_{l \in E_f} d_{f,l,y} \le \text{cap}_{f,y} \qquad
    \underline{D}_f \le \sum_{l,y} d_{f,l,y} \le \overline{D}_f \qquad
    \sum_{l,y} d_{f,l,y} \ge \rho_f \sum_{s,y} g_{s,y}
    $$

    The fund's per-year `cap`, whole-horizon `total_min`/`total_cap`, and fund-level floor
    `min_leverage` $\rho_f$ ("at least 3 won private per won public across the fund"). Each row is
    made only when its figure is given.

    Names: `fund_cap[ngf,2026]`, `fund_total_min[ngf]`, `fund_total_cap[ngf]`,
    `fund_min_leverage[ngf]`.
    """
    years = b.inst.years
    for fund in b.inst.funds:
        for y in years:
            cap = for_year(fund.cap, y, None)
            if cap is not None:
                b.add(
                    "fund_cap",
                    (fund.id, y),
                    _drawn(b, fund, [y]),
                    "<=",
                    cap,
                    figure=f"funds.{fund.id}.cap",
                    fund=fund.id,
                    year=y,
                    text=f"{fund.name} draws at most {b.money(cap)} of private money in {y}",
                    unit="money",
                )
        whole: list[tuple[str, float | None, Sense, str]] = [
            ("fund_total_cap", fund.total_cap, "<=", "at most"),
            ("fund_total_min", fund.total_min, ">=", "at least"),
        ]
        for family, amount, sense, words in whole:
            if amount is not None:
                b.add(
                    family,
                    (fund.id,),
                    _drawn(b, fund, years),
                    sense,
                    amount,
                    figure=f"funds.{fund.id}.{family.removeprefix('fund_')}",
                    fund=fund.id,
                    text=f"{fund.name} draws {words} {b.money(amount)} of private money over "
                    f"{years[0]}–{years[-1]}",
                    unit="money",
                )
        if fund.min_leverage > 0:
            b.add(
                "fund_min_leverage",
                (fund.id,),
                _drawn(b, fund, years) + _seed(b, fund, years, -fund.min_leverage),
                ">=",
                0.0,
                figure=f"funds.{fund.id}.min_leverage",
                fund=fund.id,
                text=f"{fund.name} draws at least {fund.min_leverage:g} private won per won of "
                "public seed over the horizon",
                unit="money",
            )


@core_rule("selection")
def selection(b: Formulation) -> None:
    r"""A go/no-go line that is not selected draws nothing from any fund.

    $$
    d_{f,l,y} \le M_{f,y} \, s_l
    \qquad M_{f,y} = \min\Big(\text{cap}_{f,y},\ \overline{D}_f,\
    \lambda_f \sum_{y' \le y} \sum_{s \in S_f} \overline{g}_{s,y'}\Big)
    $$

    For every go/no-go line $l$ (`select: true`) eligible for a named fund $f$. $M_{f,y}$ is the
    most the fund can draw in year $y$ at all — its yearly cap, its horizon cap, or its leverage
    times the most its seed lines can be paid so far ($\overline{g}_{s,y'}$ is the seed line's
    `max`, else the year's budget plus the largest carry-over into it) — so the row never cuts a
    plan in which the line is selected. Government money is held to zero by the line bounds and
    private-pool money by leverage; with this row an unselected line gets nothing from any source,
    so its whole units, KPI yields and `private_impact` are zero too.

    Name: `selection[ngf,RND-11,2026]`.
    """
    inst, years = b.inst, b.inst.years
    for fund in inst.funds:
        seeded = 0.0
        for i, y in enumerate(years):
            earlier = sum(inst.budget_in(x) for x in years[:i])
            carried = min(inst.carry_cap(years[i - 1]), earlier) if i else 0.0
            for sid in fund.seed:
                cap = for_year(b.lines[sid].max, y, None)
                seeded += cap if cap is not None else inst.budget_in(y) + carried
            limits = [fund.leverage * seeded, for_year(fund.cap, y, None), fund.total_cap]
            most = min(v for v in limits if v is not None)
            for lid in fund.lines:
                column = b.selected.get(lid)
                if column is None:
                    continue
                b.add(
                    "selection",
                    (fund.id, lid, y),
                    [(1.0, b.draw[fund.id, lid, y]), (-most, column)],
                    "<=",
                    0.0,
                    figure=f"lines.{lid}.select",
                    fund=fund.id,
                    line=lid,
                    year=y,
                    text=f"{b.lines[lid].name} draws from {fund.name} in {y} only if it is "
                    "selected",
                    unit="money",
                )


@core_rule("carryover")
def carryover(b: Formulation) -> None:
    r"""Unspent government money may be carried into the next year, up to a cap.

    $$0 \le c_y \le \overline{c}_y \quad \text{for every year but the last}$$

    Unspent government money carried into the next year enters `budget` as $+c_y$ in $y$ and
    $-(1+r)\,c_y$ in $y+1$ ($r$: `cash.rate`, else 0). Instance field `carryover` (per year or one
    figure), or `cash.carry` (default unlimited: no row). What is left out of the last year
    (with `cash` or `objective: max_final_cash`) is the final cash, not capped.

    Name: `carryover_max[2026]`.
    """
    last = b.inst.years[-1]
    for y, col in b.carry.items():
        cap = b.inst.carry_cap(y)
        if y == last or cap == float("inf"):
            continue
        where = b.inst.cash.carry if b.inst.cash is not None else b.inst.carryover
        b.add(
            "carryover_max",
            (y,),
            [(1.0, col)],
            "<=",
            cap,
            figure=(
                ("cash.carry" if b.inst.cash is not None else "carryover")
                + (f".{y}" if isinstance(where, dict) else "")
            ),
            year=y,
            text=f"at most {b.money(cap)} of {y} government money is carried into the next year",
            unit="money",
        )


@core_rule("borrowing")
def borrowing(b: Formulation) -> None:
    r"""Money borrowed in a period stays within its cap and is repaid with interest the next.

    $$0 \le b_y \le \overline{b}_y \quad \text{for every period but the last}$$

    `cash.borrow` $\overline{b}_y$ (per period or one figure); the loan enters `budget` as $-b_y$ in
    $y$ (money in) and $+(1 + r_b)\,b_y$ in the next period (repayment, $r_b$ = `cash.borrow_rate`).
    Nothing is borrowed in the last period, which has no later period to repay in.

    Name: `borrow_max[0]`.
    """
    cash = b.inst.cash
    for y, col in b.borrow.items():
        assert cash is not None
        cap = for_year(cash.borrow, y, 0.0) or 0.0
        b.add(
            "borrow_max",
            (y,),
            [(1.0, col)],
            "<=",
            cap,
            figure="cash.borrow" + (f".{y}" if isinstance(cash.borrow, dict) else ""),
            year=y,
            text=f"at most {b.money(cap)} is borrowed in {y}, repaid with "
            f"{cash.borrow_rate:.4g} interest per unit the next period",
            unit="money",
        )


@core_rule("profile")
def profile(b: Formulation) -> None:
    r"""A project's money each year is its outlay profile times the scale it is taken at.

    $$g_{l,y} = \max(\pi_{l,y}, 0)\; x_l, \qquad
    \underline{x}_l \le x_l \le \overline{x}_l$$

    $\pi_{l,y}$ is the line's `profile` (its outlay in $y$ when taken whole; 0 in years it leaves
    out). The scale $x_l$ is continuous in [`min_scale`, `max_scale`] (default [0, 1]: a divisible
    project), a whole number of copies with `integer: true`, or the go/no-go choice $s_l$ with
    `select: true` (the continuous twin of `schedule`). A negative $\pi_{l,y}$ is money coming
    back: it enters that year's `budget` as $-\phi_{l,y} x_l$ with $\phi_{l,y} = -\pi_{l,y}$. The
    objective counts the line's `value` (its NPV) as $v_l x_l$.

    Names: `profile[A,0]`; `scale_min[A]`, `scale_max[A]` (the bounds on $x_l$, as rows so that
    the explanation prices them as a textbook's LP printout does).
    """
    for line in b.inst.lines:
        if line.profile is None:
            continue
        x = b.scale[line.id]
        top = b.inst.scale_max[line.id]
        bounds: list[tuple[str, float | None, Sense, str]] = [
            ("scale_min", line.min_scale or None, ">=", "at least"),
            ("scale_max", top, "<=", "at most"),
        ]
        for family, bound, sense, words in bounds if not line.select else []:
            if bound is not None:
                b.add(
                    family,
                    (line.id,),
                    [(1.0, x)],
                    sense,
                    bound,
                    figure=f"lines.{line.id}.{family.replace('scale_', '')}_scale",
                    line=line.id,
                    text=f"{line.name} is taken {words} {bound:g}"
                    + (" times" if line.integer else " of the whole project"),
                    unit="units",
                )
        for y in b.inst.years:
            amount = line.profile.get(y, 0.0)
            b.add(
                "profile",
                (line.id, y),
                [(1.0, b.gov[line.id, y]), (-max(amount, 0.0), x)],
                "==",
                0.0,
                figure=f"lines.{line.id}.profile",
                line=line.id,
                year=y,
                text=f"{line.name} gets {b.money(max(amount, 0.0))} in {y} per whole project "
                "taken" + (f" and returns {b.money(-amount)}" if amount < 0 else ""),
                unit="money",
            )


@core_rule("schedule")
def schedule(b: Formulation) -> None:
    r"""A committed project gets exactly its scheduled money each year, or nothing.

    $$g_{l,y} = \text{schedule}_{l,y}\; s_l$$

    A committed project: exactly its scheduled government money each year (0 in years the schedule
    leaves out), all or nothing when `select: true`.

    Name: `schedule[INF-02,2027]`.
    """
    for line in b.inst.lines:
        if line.schedule is None:
            continue
        for y in b.inst.years:
            amount = for_year(line.schedule, y, 0.0) or 0.0
            chosen, constant = b.select_terms(line.id, -amount)
            b.add(
                "schedule",
                (line.id, y),
                [(1.0, b.gov[line.id, y]), *chosen],
                "==",
                0.0,
                constant,
                figure=f"lines.{line.id}.schedule",
                line=line.id,
                year=y,
                text=f"{line.name} gets exactly {b.money(amount)} in {y}"
                + (" if selected" if line.select else ""),
                unit="money",
            )


@core_rule("cohort")
def cohort(b: Formulation) -> None:
    r"""Units started in a year are funded, whole, for their span; at most so many start.

    $$
    n_{l,y} = \sum_{y - \text{span}_l < y' \le y} \nu_{l,y'}, \quad \nu_{l,y} \in \mathbb{Z}_{\ge 0}
    \qquad \sum_y \nu_{l,y} \le K_l
    $$

    For an integer line with a `span`: units (teams) started in $y'$ ($\nu$) are funded, whole, in
    each of the `span` years from their start — once started, continue — and at most
    `max_starts` $K_l$ units start over the horizon.

    Names: `cohort[RND-01,2027]`, `max_starts[RND-01]`.
    """
    years = b.inst.years
    for line in b.inst.lines:
        if not line.span:
            continue
        span = line.span
        for y in years:
            running = [(-1.0, b.starts[line.id, yy]) for yy in years if y - span < yy <= y]
            b.add(
                "cohort",
                (line.id, y),
                [(1.0, b.units[line.id, y]), *running],
                "==",
                0.0,
                figure=f"lines.{line.id}.span",
                line=line.id,
                year=y,
                text=f"{line.name} in {y} funds every unit started in the {span} years up to "
                f"{y}: once started, it continues for {span} years",
                unit="units",
            )
        if line.max_starts is not None:
            b.add(
                "max_starts",
                (line.id,),
                [(1.0, b.starts[line.id, y]) for y in years],
                "<=",
                line.max_starts,
                figure=f"lines.{line.id}.max_starts",
                line=line.id,
                text=f"{line.name} starts at most {line.max_starts} units over "
                f"{years[0]}–{years[-1]}",
                unit="units",
            )


@core_rule("curve")
def curve(b: Formulation) -> None:
    r"""A line's money is valued along its piecewise-linear returns curve.

    $$g_{l,y} = \sum_k \sigma_{l,y,k}, \quad 0 \le \sigma_{l,y,k} \le w_{l,k}$$

    A line's `curve` (points $(m_0{=}0, v_0{=}0), (m_1, v_1), \dots$, linear between them) values
    its government money in each year instead of `impact`: segment $k$ has width
    $w_k = m_{k+1} - m_k$ and slope $r_k = (v_{k+1} - v_k)/w_k$, and the objective counts
    $\sum_k r_k\,\sigma_{l,y,k}$. Money beyond the last point is not allowed. A concave curve
    (slopes not increasing: diminishing returns) stays an LP, since the optimiser fills segments in
    order by itself. Otherwise (a threshold: value only once a scale is reached) binaries
    $z_{l,y,k}$ force the order (incremental formulation):
    $\sigma_{l,y,k-1} \ge w_{k-1}\, z_{l,y,k}$ and $\sigma_{l,y,k} \le w_k\, z_{l,y,k}$ for
    $k \ge 1$.

    Names: `curve[AX-01,2026]`, `curve_fill[INF-02,2026,1]`, `curve_open[INF-02,2026,1]`.
    """
    for line in b.inst.lines:
        if not line.curve:
            continue
        points = line.curve
        for y in b.inst.years:
            parts = [(-1.0, b.segment[line.id, y, k]) for k in range(len(points) - 1)]
            b.add(
                "curve",
                (line.id, y),
                [(1.0, b.gov[line.id, y]), *parts],
                "==",
                0.0,
                figure=f"lines.{line.id}.curve",
                line=line.id,
                year=y,
                text=f"{line.name}'s {y} money is valued on its curve, up to "
                f"{b.money(points[-1][0])}",
                unit="money",
            )
            for k in range(1, len(points) - 1):
                if (line.id, y, k) not in b.reached:
                    continue
                z = b.reached[line.id, y, k]
                before, width = points[k][0] - points[k - 1][0], points[k + 1][0] - points[k][0]
                order: list[tuple[str, Terms, Sense, str]] = [
                    (
                        "curve_fill",
                        [(1.0, b.segment[line.id, y, k - 1]), (-before, z)],
                        ">=",
                        f"reaches its curve's segment {k + 1} in {y} only after filling "
                        f"segment {k}",
                    ),
                    (
                        "curve_open",
                        [(1.0, b.segment[line.id, y, k]), (-width, z)],
                        "<=",
                        f"spends on its curve's segment {k + 1} in {y} only once it is reached",
                    ),
                ]
                for family, terms, sense, words in order:
                    b.add(
                        family,
                        (line.id, y, k),
                        terms,
                        sense,
                        0.0,
                        figure=f"lines.{line.id}.curve",
                        line=line.id,
                        year=y,
                        text=f"{line.name} {words}",
                        unit="money",
                    )


@core_rule("resources")
def resources(b: Formulation) -> None:
    r"""A non-money resource's use in a year stays within its limit.

    $$\sum_l u_{l,r}\, g_{l,y} + \sum_l n_{l,r,y}\, x_l \le R_{r,y}$$

    For each of the instance's `resources` $r$ (staff-years, GPUs of capacity, floor space) and
    year with a `limit` $R_{r,y}$: $u_{l,r}$ is the line's `uses` (units per unit of government
    money) and $n_{l,r,y}$ its `needs` (units a chosen project takes that year), times its
    go/no-go choice $s_l$ or, for a line with a `profile`, its scale $x_l$.

    Name: `resource[staff,2027]`.
    """
    for res in b.inst.resources:
        for y in b.inst.years:
            limit = for_year(res.limit, y, None)
            if limit is None:
                continue
            terms: Terms = [
                (line.uses[res.id], b.gov[line.id, y])
                for line in b.inst.lines
                if res.id in line.uses
            ]
            for line in b.inst.lines:
                need = for_year(line.needs.get(res.id), y, 0.0) or 0.0
                if need:
                    terms.append((need, b.scale.get(line.id, b.selected.get(line.id, -1))))
            b.add(
                "resource",
                (res.id, y),
                terms,
                "<=",
                limit,
                figure=f"resources.{res.id}.limit",
                year=y,
                text=f"{res.name} used in {y} is at most {limit:,g} {res.unit}",
                unit=res.unit,
            )
