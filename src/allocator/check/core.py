"""Checks of the core rules every instance carries: budget (with carry-over), the private pool,
leverage, line bounds and go/no-go selection, whole units, prerequisites, KPI levels and targets."""

from __future__ import annotations

from allocator.check.registry import INTEGER_TOLERANCE, Context, core_check, key
from allocator.check.verify import kpi_levels
from allocator.schema.base import for_year


@core_check("budget")
def budget(c: Context) -> None:
    """Σ_l g[l,y] + carried out ≤ B[y] + carried in (= with must_spend); money is never negative."""
    inst, plan = c.inst, c.plan
    years = inst.years
    for (lid, y), amount in plan.gov.items():
        c.need(
            0.0,
            amount,
            "budget",
            key("gov", lid, y),
            f"government money for {lid} in {y} is negative",
        )
    for i, y in enumerate(years):
        carried_in = plan.carry.get(years[i - 1], 0.0) if i else 0.0
        spent = sum(plan.g(line.id, y) for line in inst.lines) + plan.carry.get(y, 0.0)
        available = inst.budget_in(y) + carried_in
        name, figure = key("budget", y), f"budget.{y}"
        c.need(
            spent,
            available,
            "budget",
            name,
            f"{y}: government money exceeds the budget",
            figure=figure,
        )
        if c.spec.must_spend:
            c.need(
                available,
                spent,
                "budget",
                name,
                f"{y}: must_spend, but the budget is not all spent",
                figure=figure,
            )


@core_check("carryover")
def carryover(c: Context) -> None:
    """0 ≤ carried out of y ≤ its cap (nothing carried out of the last year)."""
    years = c.inst.years
    for y in years:
        out = c.plan.carry.get(y, 0.0)
        name = key("carryover_max", y)
        c.need(0.0, out, "carryover", name, f"{y}: a negative carry-over")
        if out:
            cap = for_year(c.inst.carryover, y, 0.0) or 0.0
            c.need(
                out,
                cap if y != years[-1] else 0.0,
                "carryover",
                name,
                f"{y}: carry-over above its cap",
                figure="carryover",
            )


@core_check("private_pool")
def private_pool(c: Context) -> None:
    """Σ_l p[l,y] ≤ Π[y]; private money is never negative."""
    inst, plan = c.inst, c.plan
    for (lid, y), amount in plan.private.items():
        c.need(
            0.0,
            amount,
            "private_pool",
            key("private", lid, y),
            f"private money for {lid} in {y} is negative",
        )
    for y in inst.years:
        c.need(
            sum(plan.p(line.id, y) for line in inst.lines),
            inst.pool_in(y),
            "private_pool",
            key("private_pool", y),
            f"{y}: private money exceeds the fund's pool",
            figure=f"private_pool.{y}",
        )


@core_check("leverage")
def leverage(c: Context) -> None:
    """p[l,y] ≤ λ_l · g[l,y]."""
    for line in c.inst.lines:
        for y in c.inst.years:
            c.need(
                c.plan.p(line.id, y),
                line.leverage * c.plan.g(line.id, y),
                "leverage",
                key("leverage", line.id, y),
                f"{line.id} in {y}: private money above {line.leverage:g} × government money",
                figure=f"lines.{line.id}.leverage",
            )


@core_check("line_bounds")
def line_bounds(c: Context) -> None:
    """min[l,y]·s[l] ≤ g[l,y] ≤ max[l,y]·s[l] (a go/no-go line with no max: B[y]·s[l])."""
    inst, plan = c.inst, c.plan
    for line in inst.lines:
        s = plan.s(line.id)
        for y in inst.years:
            lo = for_year(line.min, y, 0.0) or 0.0
            hi = for_year(line.max, y, None)
            if hi is None and line.select:
                hi = inst.budget_in(y)
            g = plan.g(line.id, y)
            c.need(
                lo * s,
                g,
                "line_bounds",
                key("line_min", line.id, y),
                f"{line.id} in {y}: below its minimum",
                figure=f"lines.{line.id}.min",
            )
            if hi is not None:
                c.need(
                    g,
                    hi * s,
                    "line_bounds",
                    key("line_max", line.id, y),
                    f"{line.id} in {y}: above its maximum",
                    figure=f"lines.{line.id}.max",
                )


@core_check("selection")
def selection(c: Context) -> None:
    """A go/no-go line that is not selected gets nothing from any source: government, the private
    pool and every fund."""
    plan = c.plan
    for line in c.inst.lines:
        if not line.select:
            continue
        if plan.selected.get(line.id) not in (True, False):
            c.fail(
                "selection",
                key("selected", line.id),
                f"{line.id}: no go/no-go decision recorded",
                1.0,
                "lines",
            )
            continue
        if plan.selected[line.id]:
            continue
        for y in c.inst.years:
            c.need(
                plan.money(line.id, y),
                0.0,
                "selection",
                key("selection", line.id, y),
                f"{line.id} in {y}: money from some source although the line is not selected",
                figure=f"lines.{line.id}.select",
            )


@core_check("integer_units")
def integer_units(c: Context) -> None:
    """g[l,y] + p[l,y] + Σ_f d[f,l,y] = unit_cost · n[l,y] with n whole."""
    plan = c.plan
    for line in c.inst.lines:
        if not line.integer:
            continue
        for y in c.inst.years:
            name = key("integer_units", line.id, y)
            n = plan.units.get((line.id, y), 0.0)
            if abs(n - round(n)) > INTEGER_TOLERANCE:
                c.fail(
                    "integer_units",
                    name,
                    f"{line.id} in {y}: {n} units is not a whole number",
                    abs(n - round(n)),
                    "units",
                )
            cost = (line.unit_cost or 0.0) * round(n)
            total = plan.money(line.id, y)
            c.need(
                abs(total - cost),
                0.0,
                "integer_units",
                name,
                f"{line.id} in {y}: money is not whole units",
                cost,
                figure=f"lines.{line.id}.unit_cost",
            )


@core_check("requires")
def requires(c: Context) -> None:
    """s[a] ≤ s[b] for each prerequisite b of a."""
    for line in c.inst.lines:
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


@core_check("kpi_level")
def kpi_level(c: Context) -> None:
    """The KPI levels the solve reported equal the levels recomputed from the money."""
    if not c.plan.levels:
        return
    levels = kpi_levels(c.inst, c.plan)
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
    levels = kpi_levels(c.inst, c.plan)
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
