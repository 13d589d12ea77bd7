"""Checks of the planning features, from the plan's numbers alone: funds (leverage chain, caps,
eligibility), committed schedules, multi-year cohorts and piecewise curves."""

from __future__ import annotations

from typing import Any, cast

from allocator.check import planning as checker
from allocator.schema.base import for_year
from tests.oracle_check.registry import INTEGER_TOLERANCE, Context, core_check, key


def _drawn(c: Context, fund_id: str, lines: list[str], y: int) -> float:
    return sum(c.plan.draws.get((fund_id, lid, y), 0.0) for lid in lines)


@core_check("fund_leverage")
def fund_leverage(c: Context) -> None:
    """Σ_{y'≤y} draws ≤ λ_f · Σ_{y'≤y} seed; draws are never negative and go to eligible lines."""
    inst, plan = c.inst, c.plan
    funds = {f.id: f for f in inst.funds}
    for (fund_id, lid, y), amount in plan.draws.items():
        name = key("draw", fund_id, lid, y)
        c.need(
            0.0, amount, "fund_leverage", name, f"{fund_id} puts negative money into {lid} in {y}"
        )
        if lid not in funds[fund_id].lines and amount > 0:
            c.fail(
                "fund_leverage",
                name,
                f"{fund_id} puts money into {lid}, which is not eligible",
                amount,
                "money",
                f"funds.{fund_id}.lines",
            )
    years = inst.years
    for fund in inst.funds:
        for i, y in enumerate(years):
            so_far = years[: i + 1]
            drawn = sum(_drawn(c, fund.id, fund.lines, x) for x in so_far)
            seeded = sum(plan.g(lid, x) for lid in fund.seed for x in so_far)
            c.need(
                drawn,
                fund.leverage * seeded,
                "fund_leverage",
                key("fund_leverage", fund.id, y),
                f"{fund.id} by {y}: draws above {fund.leverage:g} × seed",
                figure=f"funds.{fund.id}.leverage",
            )


@core_check("fund_limits")
def fund_limits(c: Context) -> None:
    """Draws within the yearly cap and the horizon total; at least the leverage floor."""
    inst, plan = c.inst, c.plan
    for fund in inst.funds:
        drawn = {y: _drawn(c, fund.id, fund.lines, y) for y in inst.years}
        for y in inst.years:
            cap = for_year(fund.cap, y, None)
            if cap is not None:
                c.need(
                    drawn[y],
                    cap,
                    "fund_limits",
                    key("fund_cap", fund.id, y),
                    f"{fund.id} in {y}: draws above its cap",
                    figure=f"funds.{fund.id}.cap",
                )
        total = sum(drawn.values())
        seeded = sum(plan.g(lid, y) for lid in fund.seed for y in inst.years)
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
    for line in c.inst.lines:
        if line.total_max is None:
            continue
        total = sum(c.plan.money(line.id, y) for y in c.inst.years)
        c.need(
            total,
            line.total_max,
            "line_total",
            key("line_total", line.id),
            f"{line.id}: above its total over the horizon",
            figure=f"lines.{line.id}.total_max",
        )


# Unchanged when the checker moved to arrays (scalar, self-contained): the checker's own
# function, registered here in the same order; a copy would only compare the code with itself.
core_check("fund_line_cap")(cast(Any, checker.fund_line_cap))


@core_check("schedule")
def schedule(c: Context) -> None:
    """g[l,y] = schedule[l,y] · s[l]."""
    for line in c.inst.lines:
        if line.schedule is None:
            continue
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
    plan, years = c.plan, c.inst.years
    for line in c.inst.lines:
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
    for line in c.inst.lines:
        if not line.curve:
            continue
        for y in c.inst.years:
            c.need(
                c.plan.g(line.id, y),
                line.curve[-1][0],
                "curve",
                key("curve", line.id, y),
                f"{line.id} in {y}: beyond its curve",
                figure=f"lines.{line.id}.curve",
            )


@core_check("resources")
def resources(c: Context) -> None:
    """Σ_l uses[l,r]·g[l,y] + Σ_l needs[l,r,y]·(s[l] or scale[l]) ≤ limit[r,y]."""
    inst, plan = c.inst, c.plan
    for res in inst.resources:
        for y in inst.years:
            limit = for_year(res.limit, y, None)
            if limit is None:
                continue
            used = sum(line.uses.get(res.id, 0.0) * plan.g(line.id, y) for line in inst.lines)
            for line in inst.lines:
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
