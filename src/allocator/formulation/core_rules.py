"""Rules every instance carries; each builder's docstring holds its formula (the docs' pages)."""

from __future__ import annotations

import numpy as np

from allocator.formulation.model import Formulation, Linear, Sense, Terms, line_year
from allocator.formulation.registry import core_rule
from allocator.schema.capital import inflow


@core_rule("budget")
def budget(b: Formulation) -> None:
    r"""Money spent in a year, plus what is carried out of it, stays within the money it has.

    $$
    \sum_{l} g_{l,y} + c_y - (1 + r)\,c_{y-1} - \sum_l \phi_{l,y}\,x_l
    - \sum_{l}\sum_{k \ge 1} \rho_{l,k}\, g_{l,y-k} - b_y + (1 + r_b)\, b_{y-1}
    \le B_y \quad (= B_y \text{ with } \texttt{must\_spend})
    $$

    $c_y \ge 0$ is money carried from $y$ into the next year; it exists only when the instance gives
    `carryover` or `cash` (and out of the last year only with `cash` or `max_final_cash`, where it
    is the final cash), so without them the row is $\sum_l g_{l,y} \le B_y$. $r$ is `cash.rate`
    (interest on carried money, default 0). $\phi_{l,y}$ is the inflow of a profiled line at
    scale 1 (the negative figures of its `profile`) and $x_l$ its scale; $\rho_{l,k}$ is the
    line's `returns` (money back per unit spent, $k$ periods later); $b_y$ is money borrowed
    (`cash.borrow`), repaid with interest $r_b$ (`cash.borrow_rate`) the next period. With
    `must_spend: true` in the model the whole budget is spent every year.

    Name: `budget[2026]`.
    """
    sense: Sense = "==" if b.spec.must_spend else "<="
    verb = "equals" if b.spec.must_spend else "is at most"
    inst = b.inst
    years = inst.years
    rate = inst.cash.rate if inst.cash is not None else 0.0
    lent = inst.cash.borrow_rate if inst.cash is not None else 0.0
    profiled = [line for line in inst.lines if line.profile is not None]
    returning = [line for line in inst.lines if line.returns]
    for i, y in enumerate(years):
        cap = inst.budget_in(y)
        carried: Terms = [(1.0, b.carry[y])] if y in b.carry else []
        if i and years[i - 1] in b.carry:
            carried.append((-(1.0 + rate), b.carry[years[i - 1]]))
        if y in b.borrow:
            carried.append((-1.0, b.borrow[y]))
        if i and years[i - 1] in b.borrow:
            carried.append((1.0 + lent, b.borrow[years[i - 1]]))
        carried += [
            (-inflow(line, y), b.scale[line.id]) for line in profiled if inflow(line, y) > 0
        ]
        carried += [
            (-rho, b.gov[line.id, years[i - lag]])
            for line in returning
            for lag, rho in line.returns.items()
            if i - lag >= 0 and rho
        ]
        b.add(
            "budget",
            (y,),
            b.total_gov(y) + Linear.of(carried),
            sense,
            cap,
            figure=f"budget.{y}",
            year=y,
            text=f"government money in {y} {verb} the budget, {b.money(cap)}"
            + (", plus the cash that comes back" if len(carried) > 2 else ""),
            unit="money",
        )


@core_rule("private_pool")
def private_pool(b: Formulation) -> None:
    r"""Private money drawn in a year stays within what the fund can mobilise that year.

    $$\sum_{l} p_{l,y} \le \Pi_y$$

    $\Pi_y = 0$ where the instance gives no pool.

    Name: `private_pool[2026]`.
    """
    grid = b.private_grid()
    for t, y in enumerate(b.inst.years):
        drawn = grid[:, t][grid[:, t] >= 0]
        if drawn.size:
            pool = b.inst.pool_in(y)
            b.add(
                "private_pool",
                (y,),
                Linear(drawn, np.ones(drawn.size)),
                "<=",
                pool,
                figure=f"private_pool.{y}",
                year=y,
                text=f"private money in {y} is at most the fund's pool, {b.money(pool)}",
                unit="money",
            )


@core_rule("leverage")
def leverage(b: Formulation) -> None:
    r"""A line draws at most its leverage ratio in private money per won of government money.

    $$p_{l,y} \le \lambda_l \, g_{l,y}$$

    $\lambda_l$ is private won per government won; $\lambda_l = 0$ means the line is not
    fund-eligible (it gets no private variable).

    Name: `leverage[INF-02,2026]`.
    """
    keys = list(b.private)
    grid = b.private_grid()
    at = np.flatnonzero(grid >= 0)  # line by line, as the private columns are numbered
    leverage = b.line_values("leverage")
    pairs = np.stack([grid.ravel()[at], b.gov_grid().ravel()[at]], axis=1)
    ratio = np.stack([np.ones(at.size), -leverage[at // len(b.inst.years)]], axis=1)
    rows, cols, vals = np.repeat(np.arange(at.size), 2), pairs.ravel(), ratio.ravel()
    b.add_rows(
        "leverage",
        keys,
        (rows, cols, vals),
        "<=",
        np.zeros(len(keys)),
        figure=lambda key: f"lines.{key[0]}.leverage",
        subjects=line_year,
        text=lambda key: (
            f"{b.lines[key[0]].name} draws at most {b.lines[key[0]].leverage:g} "
            f"private won per government won in {key[1]}"
        ),
        unit="money",
    )


@core_rule("line_bounds")
def line_bounds(b: Formulation) -> None:
    r"""A line's government money stays between its minimum and maximum (zero if not selected).

    $$\underline{m}_{l,y}\, s_l \le g_{l,y} \le \overline{m}_{l,y}\, s_l$$

    A line without `max` has no cap beyond the budget, except a go/no-go line, whose cap is then
    $B_y s_l$. A per-year `min`/`max` missing a year means 0 / no cap that year. A line with a
    `profile` has no bounds here: its money is its profile times its scale (`profile`).

    Names: `line_min[TAL-01,2026]`, `line_max[TAL-01,2026]`.
    """
    years = b.inst.years
    keys = list(b.gov)  # every (line, year), line by line: flat positions in the grids
    chosen = b.selected_columns()
    free = np.array([line.profile is None for line in b.inst.lines])[:, None]
    budget = np.array([b.inst.budget_in(y) for y in years])
    tops = np.where(np.isnan(b.line_caps()) & (chosen >= 0)[:, None], budget, b.line_caps())
    floors, fl, floor_rhs = _bound_rows(b, keys, np.flatnonzero(free & (b.line_floors() > 0)))
    capped, cp, cap_rhs = _bound_rows(b, keys, np.flatnonzero(free & ~np.isnan(tops)), tops)

    def selected(lid: str) -> str:
        return " if selected" if b.lines[lid].select else ""

    b.add_rows(
        "line_min",
        floors,
        fl,
        ">=",
        floor_rhs,
        subjects=line_year,
        figure=lambda key: f"lines.{key[0]}.min",
        text=lambda key: (
            f"{b.lines[key[0]].name} gets at least "
            f"{b.money(b.line_min(*key))} in {key[1]}{selected(key[0])}"
        ),
        unit="money",
    )
    b.add_rows(
        "line_max",
        capped,
        cp,
        "<=",
        cap_rhs,
        subjects=line_year,
        figure=lambda key: (
            f"lines.{key[0]}.max" if b.line_max(*key) is not None else f"budget.{key[1]}"
        ),
        text=lambda key: (
            f"{b.lines[key[0]].name} gets at most "
            f"{b.money(b.line_cap(*key))} in {key[1]}"
            + (", nothing unless selected" if b.lines[key[0]].select else "")
        ),
        unit="money",
    )


def _bound_rows(
    b: Formulation, keys: list[tuple[str, int]], at: np.ndarray, bounds: np.ndarray | None = None
) -> tuple[list[tuple[str, int]], tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Rows `g ≥/≤ bound`, or `g − bound·s ≥/≤ 0` for a go/no-go line, at the flat positions
    `at` of the lines × years grid (floors, or `bounds`): keys, entries, right-hand sides."""
    grid = b.line_floors() if bounds is None else bounds
    bound = grid.ravel()[at]
    chosen = b.selected_columns()[at // len(b.inst.years)]
    go = np.flatnonzero(chosen >= 0)
    rows = np.concatenate([np.arange(at.size), go])
    cols = np.concatenate([b.gov_grid().ravel()[at], chosen[go]])
    values = np.concatenate([np.ones(at.size), -bound[go]])
    rhs = np.where(chosen >= 0, 0.0, bound)
    return list(map(keys.__getitem__, at.tolist())), (rows, cols, values), rhs


@core_rule("integer_units")
def integer_units(b: Formulation) -> None:
    r"""An integer line is funded in whole units of its unit cost.

    $$g_{l,y} + p_{l,y} + \sum_f d_{f,l,y} = c_l \, n_{l,y}, \quad n_{l,y} \in \mathbb{Z}_{\ge 0}$$

    For lines with `integer: true` and a `unit_cost` $c_l > 0$; $d_{f,l,y}$ is what fund $f$ draws
    into the line (see `fund_leverage`).

    Name: `integer_units[gpu,2026]`.
    """
    keys = list(b.units)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for k, (lid, y) in enumerate(keys):
        money = b.money_in(lid, y)
        rows += [k] * (len(money) + 1)
        cols += [j for _, j in money] + [b.units[lid, y]]
        vals += [1.0] * len(money) + [-(b.lines[lid].unit_cost or 0.0)]
    b.add_rows(
        "integer_units",
        keys,
        (rows, cols, vals),
        "==",
        [0.0] * len(keys),
        figure=lambda key: f"lines.{key[0]}.unit_cost",
        subjects=line_year,
        text=lambda key: (
            f"{b.lines[key[0]].name} is funded in whole units of "
            f"{b.money(b.lines[key[0]].unit_cost or 0.0)} in {key[1]}"
        ),
        unit="money",
    )


@core_rule("requires")
def requires(b: Formulation) -> None:
    r"""A line is funded only if every line it requires, and one of those it requires any of, is.

    $$s_a \le s_b \quad \text{for each } b \in \texttt{requires}_a \qquad
    s_a \le \sum_{b \in \texttt{requires\_any}_a} s_b$$

    $s_l \equiv 1$ for a line that is not a go/no-go decision. `requires` is "all of",
    `requires_any` "any of" (a warehouse needs a factory in one of two cities).

    Names: `requires[llm_team_2,llm_compute]`, `requires_any[warehouse]`.
    """
    for line in [line for line in b.inst.lines if line.requires or line.requires_any]:
        for other in line.requires:
            mine, c_mine = b.select_terms(line.id, 1.0)
            theirs, c_theirs = b.select_terms(other, -1.0)
            b.add(
                "requires",
                (line.id, other),
                mine + theirs,
                "<=",
                0.0,
                c_mine + c_theirs,
                f"lines.{line.id}.requires",
                line=line.id,
                requires=other,
                text=f"{line.name} is funded only if {b.lines[other].name} is",
                unit="lines",
            )
        if line.requires_any:
            terms, constant = b.select_terms(line.id, 1.0)
            for other in line.requires_any:
                more, c_more = b.select_terms(other, -1.0)
                terms, constant = terms + more, constant + c_more
            names = " or ".join(b.lines[o].name for o in line.requires_any)
            b.add(
                "requires_any",
                (line.id,),
                terms,
                "<=",
                0.0,
                constant,
                f"lines.{line.id}.requires_any",
                line=line.id,
                text=f"{line.name} is funded only if {names} is",
                unit="lines",
            )


@core_rule("kpi_level")
def kpi_level(b: Formulation) -> None:
    r"""A KPI's level is its baseline in service plus what the money spent on the lines yields.

    $$
    \ell_{k,y} = \beta_k\,[y < y^\beta_k + L_k]
    + \sum_{y - L_k < y' \le y} \sum_l \eta_{l,k}\,\big(g_{l,y'} + p_{l,y'}
    + \textstyle\sum_f d_{f,l,y'}\big) + \sum_{y - L_k < y' \le y} a_{k,y'}
    $$

    For a cumulative KPI (a stock, the default); with `cumulative: false` (a per-year flow) only
    $y' = y$ counts. $\eta_{l,k}$ is the line's `yields` (KPI units per unit of money),
    $\beta_k$ the KPI's `baseline`. A stock with a `lifetime` $L_k$ (years) counts an addition only
    while it is in service (GPUs age out); its baseline retires $L_k$ years after `baseline_year`
    $y^\beta_k$ (never, when no `baseline_year` is given). Without `lifetime`, $L_k = \infty$: the
    formula of the core contract. $a_{k,y}$ are the KPI's exogenous `additions` (GPUs companies
    buy outside the budget) plus the lines' one-off `delivers` (a project's GPUs from the year it
    runs; times $s_l$ for a go/no-go line), counted like the yields: from their year, while in
    service.

    Name: `kpi_level[gpus,2028]`.
    """
    years = b.inst.years
    lines = b.inst.lines
    grid = b.private_grid()
    yields = [line.yields for line in lines]
    delivers = [line for line in lines if line.delivers]
    row = {line.id: i for i, line in enumerate(lines)}
    by_year: dict[int, tuple[list[int], list[int]]] = {y: ([], []) for y in years}
    for (_, lid, y), col in b.draw.items():  # fund draws by year: (line rows, columns)
        rows, cols = by_year[y]
        rows.append(row[lid])
        cols.append(col)
    draws = {
        y: (np.array(r, dtype=np.int64), np.array(c, dtype=np.int64))
        for y, (r, c) in by_year.items()
    }
    for kpi in b.inst.kpis:
        rate = np.array([made.get(kpi.id, 0.0) for made in yields])
        delivering = [line for line in delivers if kpi.id in line.delivers]
        life = kpi.lifetime
        spent = {yy: _yield_terms(b, rate, grid[:, t], yy, draws[yy]) for t, yy in enumerate(years)}
        for i, y in enumerate(years):
            counted = years[: i + 1] if kpi.cumulative else [y]
            counted = [yy for yy in counted if life is None or yy + life > y]
            parts = [Linear(np.array([b.level[kpi.id, y]]), np.array([1.0]))]
            parts += [spent[yy] for yy in counted]
            in_service = kpi.baseline
            if life is not None and kpi.baseline_year is not None and kpi.baseline_year + life <= y:
                in_service = 0.0
            in_service += sum((kpi.additions or {}).get(yy, 0.0) for yy in counted)
            for line in delivering:
                once = sum(line.delivers[kpi.id].get(yy, 0.0) for yy in counted)
                if not once:
                    continue
                if line.id in b.selected:
                    parts.append(Linear.of([(-once, b.selected[line.id])]))
                else:
                    in_service += once
            terms = Linear(
                np.concatenate([part.cols for part in parts]),
                np.concatenate([part.coefs for part in parts]),
            )
            ages = f", additions in service for {life} years" if life else ""
            b.add(
                "kpi_level",
                (kpi.id, y),
                terms,
                "==",
                in_service,
                figure=f"kpis.{kpi.id}.baseline",
                kpi=kpi.id,
                year=y,
                text=f"{kpi.name} in {y} = {in_service:,g} {kpi.unit} at the start"
                + (" and added outside the budget" if kpi.additions else "")
                + f" plus what the lines' money yields{ages}".replace("  ", " "),
                unit=kpi.unit or "units",
            )


def _yield_terms(
    b: Formulation,
    rate: np.ndarray,
    private: np.ndarray,
    year: int,
    draws: tuple[np.ndarray, np.ndarray],
) -> Linear:
    """`−Σ_l η_{l,k} (g_{l,y} + p_{l,y} + Σ_f d_{f,l,y})` for one year, as `kpi_level` counts it
    (`rate`: each line's yield; `private`: the year's private columns, -1 where a line draws
    none; `draws`: the year's fund draws as line rows and columns)."""
    yielding = rate != 0
    funded = yielding & (private >= 0)
    rows, cols = draws
    drawing = yielding[rows]
    return Linear(
        np.concatenate([b.gov_columns(year)[yielding], private[funded], cols[drawing]]),
        np.concatenate([-rate[yielding], -rate[funded], -rate[rows[drawing]]]),
    )


@core_rule("target")
def target(b: Formulation) -> None:
    r"""A KPI reaches its target, or (when targets are soft) its shortfall is counted.

    $$
    \ell_{k,y} \ge T_{k,y} \ \text{(hard)} \qquad
    \ell_{k,y} + u_{k,y} \ge T_{k,y},\ u_{k,y} \ge 0 \ \text{(soft)} \qquad
    \ell_{k,y} \le T_{k,y} \ \text{(at\_most)}
    $$

    Targets are soft under `max_impact` (unless the model says `targets: {mode: hard}`) and
    under `goal`; hard under `min_cost`. A target with `at_most: true` is an upper bound, hard
    under every regime and never in the objective.

    Names: `target[gpus,2028]`, `target_max[gpus,2030]`.
    """
    kpis = {k.id: k for k in b.inst.kpis}
    for t in b.inst.targets:
        if t.at_most:
            kpi = kpis[t.kpi]
            b.add(
                "target_max",
                (t.kpi, t.year),
                [(1.0, b.level[t.kpi, t.year])],
                "<=",
                t.value,
                figure=f"targets.{t.kpi}.{t.year}",
                kpi=t.kpi,
                year=t.year,
                text=f"{kpi.name} stays at most {t.value:,g} {kpi.unit} in {t.year}",
                unit=kpi.unit or "units",
            )
            continue
        terms: Terms = [(1.0, b.level[t.kpi, t.year])]
        soft = (t.kpi, t.year) in b.shortfall
        if soft:
            terms.append((1.0, b.shortfall[t.kpi, t.year]))
        kpi = kpis[t.kpi]
        b.add(
            "target",
            (t.kpi, t.year),
            terms,
            ">=",
            t.value,
            figure=f"targets.{t.kpi}.{t.year}",
            kpi=t.kpi,
            year=t.year,
            text=f"{kpi.name} reaches {t.value:,g} {kpi.unit} by {t.year}"
            + (" (soft: a shortfall is penalised)" if soft else ""),
            unit=kpi.unit or "units",
        )
