"""Checks of the planning features, from the plan's numbers alone: funds (leverage chain, caps,
eligibility), committed schedules, multi-year cohorts and piecewise curves."""

from __future__ import annotations

from allocator.check.registry import INTEGER_TOLERANCE, Context, Violation, core_check, key
from allocator.schema.base import for_year


@core_check("fund_leverage")
def fund_leverage(c: Context) -> None:
    """Σ_{y'≤y} draws ≤ λ_f · Σ_{y'≤y} seed; draws are never negative and go to eligible lines."""
    inst, plan, grid = c.inst, c.plan, c.grid
    eligible = {f.id: set(f.lines) for f in inst.funds}
    keys = list(plan.draws)
    amounts = grid.values(plan.draws)
    found: list[tuple[int, int, Violation]] = []
    c.need_all(
        0.0,
        amounts,
        "fund_leverage",
        lambda i: key("draw", *keys[i]),
        lambda i: f"{keys[i][0]} puts negative money into {keys[i][1]} in {keys[i][2]}",
        into=found,
    )
    for i in grid.nonzero(amounts > 0):
        fund_id, lid, y = keys[i]
        if lid not in eligible[fund_id]:
            c.checked += 1
            text = f"{fund_id} puts money into {lid}, which is not eligible"
            figure = f"funds.{fund_id}.lines"
            name = key("draw", fund_id, lid, y)
            found.append(
                (i, 2, Violation("fund_leverage", name, text, float(amounts[i]), "money", figure))
            )
    c.add_in_order(found)
    years = inst.years
    for fund in inst.funds:
        drawn = grid.fund_drawn(fund).cumsum()
        seeded = grid.gov[grid.rows_of(fund.seed)].sum(axis=0).cumsum()
        for y, so_far, seed in zip(years, drawn.tolist(), seeded.tolist(), strict=True):
            c.need(
                so_far,
                fund.leverage * seed,
                "fund_leverage",
                key("fund_leverage", fund.id, y),
                f"{fund.id} by {y}: draws above {fund.leverage:g} × seed",
                figure=f"funds.{fund.id}.leverage",
            )


@core_check("fund_limits")
def fund_limits(c: Context) -> None:
    """Draws within the yearly cap and the horizon total; at least the leverage floor."""
    inst, grid = c.inst, c.grid
    years = inst.years
    for fund in inst.funds:
        drawn = grid.fund_drawn(fund)
        for j, y in enumerate(years):
            cap = for_year(fund.cap, y, None)
            if cap is not None:
                c.need(
                    float(drawn[j]),
                    cap,
                    "fund_limits",
                    key("fund_cap", fund.id, y),
                    f"{fund.id} in {y}: draws above its cap",
                    figure=f"funds.{fund.id}.cap",
                )
        total = float(drawn.sum())
        seeded = float(grid.gov[grid.rows_of(fund.seed)].sum())
        if fund.total_cap is not None:
            c.need(
                total,
                fund.total_cap,
                "fund_limits",
                key("fund_total_cap", fund.id),
                f"{fund.id}: draws above its horizon cap",
                figure=f"funds.{fund.id}.total_cap",
            )
        if fund.total_min is not None:
            c.need(
                fund.total_min,
                total,
                "fund_limits",
                key("fund_total_min", fund.id),
                f"{fund.id}: draws below its horizon floor",
                figure=f"funds.{fund.id}.total_min",
            )
        c.need(
            fund.min_leverage * seeded,
            total,
            "fund_limits",
            key("fund_min_leverage", fund.id),
            f"{fund.id}: below {fund.min_leverage:g} × seed",
            figure=f"funds.{fund.id}.min_leverage",
        )


@core_check("line_total")
def line_total(c: Context) -> None:
    """Σ_y money[l,y] ≤ total_max[l] (government, private pool and fund draws)."""
    grid = c.grid
    rows = [i for i, v in enumerate(grid.raw("total_max")) if v is not None]
    if not rows:
        return
    lines = [grid.lines[i] for i in rows]
    c.need_all(
        grid.money[rows].sum(axis=1),
        [line.total_max for line in lines],
        "line_total",
        lambda i: key("line_total", lines[i].id),
        lambda i: f"{lines[i].id}: above its total over the horizon",
        figure=lambda i: f"lines.{lines[i].id}.total_max",
    )


@core_check("fund_line_cap")
def fund_line_cap(c: Context) -> None:
    """d[f,l,y] ≤ line_caps[f][l] for every capped line and year."""
    for fund in c.inst.funds:
        for lid, caps in (fund.line_caps or {}).items():
            for y in c.inst.years:
                cap = for_year(caps, y, None)
                if cap is not None:
                    c.need(
                        c.plan.draws.get((fund.id, lid, y), 0.0),
                        cap,
                        "fund_line_cap",
                        key("fund_line_cap", fund.id, lid, y),
                        f"{fund.id} into {lid} in {y}: draws above its line cap",
                        figure=f"funds.{fund.id}.line_caps.{lid}",
                    )


@core_check("schedule")
def schedule(c: Context) -> None:
    """g[l,y] = schedule[l,y] · s[l]."""
    for line in c.grid.having(c.grid.given("schedule")):
        for y in c.inst.years:
            fixed = (for_year(line.schedule, y, 0.0) or 0.0) * c.plan.s(line.id)
            c.need(
                abs(c.plan.g(line.id, y) - fixed),
                0.0,
                "schedule",
                key("schedule", line.id, y),
                f"{line.id} in {y}: off its schedule",
                fixed,
                figure=f"lines.{line.id}.schedule",
            )


@core_check("cohort")
def cohort(c: Context) -> None:
    """n[l,y] = Σ_{y−span<y'≤y} starts[l,y'] with whole starts; Σ_y starts ≤ max_starts."""
    plan, years, grid = c.plan, c.inst.years, c.grid
    for line in grid.having(grid.mask("span"), grid.given("max_starts")):
        if line.span:
            for y in years:
                name = key("cohort", line.id, y)
                started = [
                    plan.starts.get((line.id, x), 0.0) for x in years if y - line.span < x <= y
                ]
                if any(
                    abs(n - round(n)) > INTEGER_TOLERANCE or n < -INTEGER_TOLERANCE for n in started
                ):
                    c.fail(
                        "cohort",
                        name,
                        f"{line.id} by {y}: units started are not whole numbers",
                        1.0,
                        "units",
                        f"lines.{line.id}.span",
                    )
                units = plan.units.get((line.id, y), 0.0)
                c.need(
                    abs(units - sum(started)),
                    0.0,
                    "cohort",
                    name,
                    f"{line.id} in {y}: units do not match the teams started",
                    unit="units",
                    figure=f"lines.{line.id}.span",
                )
        if line.max_starts is not None:
            begun = sum(plan.starts.get((line.id, y), 0.0) for y in years)
            c.need(
                begun,
                line.max_starts,
                "cohort",
                key("max_starts", line.id),
                f"{line.id}: more than {line.max_starts} units started",
                unit="units",
                figure=f"lines.{line.id}.max_starts",
            )


@core_check("curve")
def curve(c: Context) -> None:
    """g[l,y] ≤ the last point of the line's curve (its value is read off the curve)."""
    grid = c.grid
    rows = grid.nonzero(grid.mask("curve"))
    if not rows:
        return
    lines = [grid.lines[i] for i in rows]
    years = grid.years
    n = len(years)
    c.need_all(
        grid.gov[rows],
        [[line.curve[-1][0]] for line in lines if line.curve],
        "curve",
        lambda i: key("curve", lines[i // n].id, years[i % n]),
        lambda i: f"{lines[i // n].id} in {years[i % n]}: beyond its curve",
        figure=lambda i: f"lines.{lines[i // n].id}.curve",
    )


@core_check("resources")
def resources(c: Context) -> None:
    """Σ_l uses[l,r]·g[l,y] + Σ_l needs[l,r,y]·(s[l] or scale[l]) ≤ limit[r,y]."""
    inst, plan, grid = c.inst, c.plan, c.grid
    needing = grid.having(grid.mask("needs"))
    for res in inst.resources:
        uses = [(i, line.uses[res.id]) for i, line in enumerate(grid.lines) if res.id in line.uses]
        rows = [i for i, _ in uses]
        weights = grid.values(dict(uses)) if uses else None
        for j, y in enumerate(inst.years):
            limit = for_year(res.limit, y, None)
            if limit is None:
                continue
            used = float(weights @ grid.gov[rows, j]) if weights is not None else 0.0
            for line in needing:
                need = for_year(line.needs.get(res.id), y, 0.0) or 0.0
                taken = (
                    plan.scale.get(line.id, plan.s(line.id)) if not line.select else plan.s(line.id)
                )
                used += need * taken
            c.need(
                used,
                limit,
                "resources",
                key("resource", res.id, y),
                f"{y}: {res.name} used above its limit",
                unit=res.unit,
                figure=f"resources.{res.id}.limit",
            )
