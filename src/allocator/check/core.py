"""Checks of the core rules every instance carries: budget (with carry-over), the private pool,
leverage, line bounds and go/no-go selection, whole units, prerequisites, KPI levels and targets."""

from __future__ import annotations

from functools import cache

from allocator.check.registry import INTEGER_TOLERANCE, Context, Violation, core_check, key
from allocator.schema.base import for_year


@core_check("budget")
def budget(c: Context) -> None:
    """Σ_l g[l,y] + carried out + loans repaid ≤ B[y] + carried in with interest + inflows of
    profiled lines + returns on earlier money + money borrowed (= with must_spend); money is never
    negative."""
    inst, plan, grid = c.inst, c.plan, c.grid
    years = inst.years
    rate = inst.cash.rate if inst.cash is not None else 0.0
    loan_rate = inst.cash.borrow_rate if inst.cash is not None else 0.0
    keys = cache(lambda: list(plan.gov))  # (line, year) of each amount, named only if one fails
    c.need_all(
        0.0,
        grid.values(plan.gov),
        "budget",
        lambda i: key("gov", *keys()[i]),
        lambda i: f"government money for {keys()[i][0]} in {keys()[i][1]} is negative",
    )
    giving = grid.having(grid.given("profile"), grid.mask("returns"))
    spent, available = [], []
    for i, y in enumerate(years):
        before = years[i - 1] if i else None
        carried_in = (1 + rate) * plan.carry.get(before, 0.0) if before is not None else 0.0
        repaid = (1 + loan_rate) * plan.borrow.get(before, 0.0) if before is not None else 0.0
        back = 0.0
        for line in giving:
            flow = (line.profile or {}).get(y, 0.0)
            if flow < 0:
                back -= flow * plan.scale.get(line.id, 0.0)
            for lag, rho in line.returns.items():
                if i - lag >= 0:
                    back += rho * plan.g(line.id, years[i - lag])
        spent.append(float(grid.total[i]) + plan.carry.get(y, 0.0) + repaid)
        available.append(inst.budget_in(y) + carried_in + back + plan.borrow.get(y, 0.0))
    texts = ("government money exceeds the budget", "must_spend, but the budget is not all spent")
    c.need_all(
        grid.pair(spent, available),
        grid.pair(available, spent),
        "budget",
        lambda i: key("budget", years[i // 2]),
        lambda i: f"{years[i // 2]}: {texts[i % 2]}",
        figure=lambda i: f"budget.{years[i // 2]}",
        where=grid.pair(True, c.spec.must_spend),
    )


@core_check("carryover")
def carryover(c: Context) -> None:
    """0 ≤ carried out of y ≤ its cap (out of the last year only with a cash account or the
    final-cash objective: the final cash)."""
    inst = c.inst
    years = inst.years
    final = inst.cash is not None or c.spec.objective == "max_final_cash"
    for y in years:
        out = c.plan.carry.get(y, 0.0)
        name = key("carryover_max", y)
        c.need(0.0, out, "carryover", name, f"{y}: a negative carry-over")
        if y == years[-1] and final:
            continue
        cap = inst.carry_cap(y) if y != years[-1] else 0.0
        if out and cap != float("inf"):
            c.need(
                out,
                cap,
                "carryover",
                name,
                f"{y}: carry-over above its cap",
                figure="cash.carry" if inst.cash is not None else "carryover",
            )


@core_check("borrowing")
def borrowing(c: Context) -> None:
    """0 ≤ borrowed in y ≤ cash.borrow[y]; nothing borrowed in the last period."""
    cash, years = c.inst.cash, c.inst.years
    for y in years:
        amount = c.plan.borrow.get(y, 0.0)
        if not amount:
            continue
        cap = (for_year(cash.borrow, y, 0.0) or 0.0) if cash is not None else 0.0
        name = key("borrow_max", y)
        c.need(0.0, amount, "borrowing", name, f"{y}: a negative loan")
        c.need(
            amount,
            cap if y != years[-1] else 0.0,
            "borrowing",
            name,
            f"{y}: more borrowed than the cap allows (none in the last period)",
            figure="cash.borrow",
        )


@core_check("profile")
def profile(c: Context) -> None:
    """g[l,y] = max(profile[l,y], 0) · x[l] with min_scale ≤ x ≤ max_scale (whole with integer,
    0 or 1 with select)."""
    for line in c.grid.having(c.grid.given("profile")):
        x = c.plan.scale.get(line.id, 0.0)
        if line.select:
            x = c.plan.s(line.id)
        top = 1.0 if line.select else c.inst.scale_max[line.id]
        low = 0.0 if line.select else line.min_scale
        name = key("profile", line.id)
        c.need(low, x, "profile", name, f"{line.id}: taken below min_scale", unit="units")
        if top is not None:
            c.need(x, top, "profile", name, f"{line.id}: taken above max_scale", unit="units")
        if line.integer and abs(x - round(x)) > INTEGER_TOLERANCE:
            c.fail("profile", name, f"{line.id}: {x:g} copies is not a whole number", 1, "units")
        for y in c.inst.years:
            want = max(line.profile.get(y, 0.0), 0.0) * x
            got = c.plan.g(line.id, y)
            name = key("profile", line.id, y)
            text = f"{line.id} in {y}: money is not its profile times its scale"
            figure = f"lines.{line.id}.profile"
            c.need(got, want, "profile", name, text, figure=figure)
            c.need(want, got, "profile", name, text, figure=figure)


@core_check("private_pool")
def private_pool(c: Context) -> None:
    """Σ_l p[l,y] ≤ Π[y]; private money is never negative."""
    inst, plan, grid = c.inst, c.plan, c.grid
    keys = cache(lambda: list(plan.private))
    c.need_all(
        0.0,
        grid.values(plan.private),
        "private_pool",
        lambda i: key("private", *keys()[i]),
        lambda i: f"private money for {keys()[i][0]} in {keys()[i][1]} is negative",
    )
    years = inst.years
    c.need_all(
        grid.private.sum(axis=0),
        [inst.pool_in(y) for y in years],
        "private_pool",
        lambda i: key("private_pool", years[i]),
        lambda i: f"{years[i]}: private money exceeds the fund's pool",
        figure=lambda i: f"private_pool.{years[i]}",
    )


@core_check("leverage")
def leverage(c: Context) -> None:
    """p[l,y] ≤ λ_l · g[l,y]."""
    grid = c.grid
    lines, years = grid.lines, len(grid.years)
    c.need_all(
        grid.private,
        grid.attr("leverage")[:, None] * grid.gov,
        "leverage",
        lambda i: key("leverage", *grid.keys[i]),
        lambda i: (
            f"{grid.keys[i][0]} in {grid.keys[i][1]}: private money above "
            f"{lines[i // years].leverage:g} × government money"
        ),
        figure=lambda i: f"lines.{grid.keys[i][0]}.leverage",
    )


@core_check("line_bounds")
def line_bounds(c: Context) -> None:
    """min[l,y]·s[l] ≤ g[l,y] ≤ max[l,y]·s[l] (a go/no-go line with no max: B[y]·s[l]); a
    profiled line's money is held by `profile` instead."""
    grid = c.grid
    s = grid.s[:, None]
    low = grid.fixed("min", 0.0)
    high = grid.fixed("max", None)
    high = grid.where(grid.mask("select")[:, None] & grid.isnan(high), grid.budget, high)
    free = ~grid.given("profile")[:, None]
    has_max = free & ~grid.isnan(high)
    high = grid.where(has_max, high, 0.0)
    said = ("below its minimum", "above its maximum")
    family = ("line_min", "line_max")
    bound = ("min", "max")
    c.need_all(
        grid.pair(low * s, grid.gov),
        grid.pair(grid.gov, high * s),
        "line_bounds",
        lambda i: key(family[i % 2], *grid.keys[i // 2]),
        lambda i: f"{grid.keys[i // 2][0]} in {grid.keys[i // 2][1]}: {said[i % 2]}",
        figure=lambda i: f"lines.{grid.keys[i // 2][0]}.{bound[i % 2]}",
        where=grid.pair(free, has_max),
    )


@core_check("selection")
def selection(c: Context) -> None:
    """A go/no-go line that is not selected gets nothing from any source: government, the private
    pool and every fund."""
    plan, grid = c.plan, c.grid
    off: list[int] = []
    for i in grid.nonzero(grid.mask("select")):
        line = grid.lines[i]
        if plan.selected.get(line.id) not in (True, False):
            _check_off(c, off)
            off = []
            c.fail(
                "selection",
                key("selected", line.id),
                f"{line.id}: no go/no-go decision recorded",
                1.0,
                "lines",
            )
            continue
        if not plan.selected[line.id]:
            off.append(i)
    _check_off(c, off)


def _check_off(c: Context, off: list[int]) -> None:
    """Lines not selected (rows, in order) get no money in any year."""
    if not off:
        return
    grid, years = c.grid, c.grid.years
    n = len(years)
    ids = [grid.ids[i] for i in off]
    c.need_all(
        grid.money[off],
        0.0,
        "selection",
        lambda i: key("selection", ids[i // n], years[i % n]),
        lambda i: (
            f"{ids[i // n]} in {years[i % n]}: money from some source although the line is not "
            "selected"
        ),
        figure=lambda i: f"lines.{ids[i // n]}.select",
    )


@core_check("integer_units")
def integer_units(c: Context) -> None:
    """g[l,y] + p[l,y] + Σ_f d[f,l,y] = unit_cost · n[l,y] with n whole."""
    plan, grid = c.plan, c.grid
    rows = grid.nonzero(grid.mask("integer") & ~grid.given("profile"))
    if not rows:
        return
    years = grid.years
    n_years = len(years)
    lines = [grid.lines[i] for i in rows]
    keys = [(line.id, y) for line in lines for y in years]
    units = grid.values(plan.units, keys).reshape(len(rows), n_years)
    whole = grid.round(units)
    off = abs(units - whole)
    cost = grid.attr("unit_cost", 0.0)[rows][:, None] * whole
    found: list[tuple[int, int, Violation]] = []
    for i in grid.nonzero(off > INTEGER_TOLERANCE):
        lid, y = keys[i]
        n = float(units.flat[i])
        c.checked += 1
        text = f"{lid} in {y}: {n} units is not a whole number"
        found.append(
            (
                i,
                0,
                Violation(
                    "integer_units", key("integer_units", lid, y), text, float(off.flat[i]), "units"
                ),
            )
        )
    c.need_all(
        abs(grid.money[rows] - cost),
        0.0,
        "integer_units",
        lambda i: key("integer_units", *keys[i]),
        lambda i: f"{keys[i][0]} in {keys[i][1]}: money is not whole units",
        cost,
        figure=lambda i: f"lines.{keys[i][0]}.unit_cost",
        into=found,
    )
    c.add_in_order(found)


@core_check("requires")
def requires(c: Context) -> None:
    """s[a] ≤ s[b] for each prerequisite b of a; s[a] ≤ Σ s[b] over its requires_any."""
    grid = c.grid
    for line in grid.having(grid.mask("requires"), grid.mask("requires_any")):
        for other in line.requires:
            c.need(
                c.plan.s(line.id),
                c.plan.s(other),
                "requires",
                key("requires", line.id, other),
                f"{line.id} is funded without {other}, which it requires",
                unit="lines",
                figure=f"lines.{line.id}.requires",
            )
        if line.requires_any:
            c.need(
                c.plan.s(line.id),
                sum(c.plan.s(other) for other in line.requires_any),
                "requires",
                key("requires_any", line.id),
                f"{line.id} is funded without any of {', '.join(line.requires_any)}",
                unit="lines",
                figure=f"lines.{line.id}.requires_any",
            )


@core_check("kpi_level")
def kpi_level(c: Context) -> None:
    """The KPI levels the solve reported equal the levels recomputed from the money."""
    if not c.plan.levels:
        return
    levels = c.grid.levels()
    units = {k.id: k.unit or "units" for k in c.inst.kpis}
    for (kpi, y), reported in c.plan.levels.items():
        own = levels[kpi, y]
        c.need(
            abs(reported - own),
            0.0,
            "kpi_level",
            key("kpi_level", kpi, y),
            f"{kpi} in {y}: the reported level is not what the money yields",
            reported,
            own,
            unit=units[kpi],
        )


@core_check("target")
def target(c: Context) -> None:
    """level[k,y] ≥ target for every hard target (soft targets are in the objective);
    level[k,y] ≤ target for an upper bound (`at_most`)."""
    levels = c.grid.levels()
    units = {k.id: k.unit or "units" for k in c.inst.kpis}
    for t in c.inst.targets:
        if t.at_most:
            c.need(
                levels[t.kpi, t.year],
                t.value,
                "target",
                key("target_max", t.kpi, t.year),
                f"{t.kpi} in {t.year} is above its upper bound",
                unit=units[t.kpi],
                figure=f"targets.{t.kpi}.{t.year}",
            )
            continue
        if c.spec.soft_target(t.kpi, t.year):
            continue
        c.need(
            t.value,
            levels[t.kpi, t.year],
            "target",
            key("target", t.kpi, t.year),
            f"target {t.kpi} {t.year} is not met",
            unit=units[t.kpi],
            figure=f"targets.{t.kpi}.{t.year}",
        )
