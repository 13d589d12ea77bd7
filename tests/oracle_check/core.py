"""Checks of the core rules every instance carries: budget (with carry-over), the private pool,
leverage, line bounds and go/no-go selection, whole units, prerequisites, KPI levels and targets."""

from __future__ import annotations

from typing import Any, cast

from allocator.check import core as checker
from allocator.schema.base import for_year
from tests.oracle_check.registry import INTEGER_TOLERANCE, Context, core_check, key
from tests.oracle_check.verify import kpi_levels


@core_check("budget")
def budget(c: Context) -> None:
    """Σ_l g[l,y] + carried out + loans repaid ≤ B[y] + carried in with interest + inflows of
    profiled lines + returns on earlier money + money borrowed (= with must_spend); money is never
    negative."""
    inst, plan = c.inst, c.plan
    years = inst.years
    rate = inst.cash.rate if inst.cash is not None else 0.0
    loan_rate = inst.cash.borrow_rate if inst.cash is not None else 0.0
    for (lid, y), amount in plan.gov.items():
        c.need(
            0.0,
            amount,
            "budget",
            key("gov", lid, y),
            f"government money for {lid} in {y} is negative",
        )
    for i, y in enumerate(years):
        before = years[i - 1] if i else None
        carried_in = (1 + rate) * plan.carry.get(before, 0.0) if before is not None else 0.0
        repaid = (1 + loan_rate) * plan.borrow.get(before, 0.0) if before is not None else 0.0
        back = 0.0
        for line in inst.lines:
            flow = (line.profile or {}).get(y, 0.0)
            if flow < 0:
                back -= flow * plan.scale.get(line.id, 0.0)
            for lag, rho in line.returns.items():
                if i - lag >= 0:
                    back += rho * plan.g(line.id, years[i - lag])
        spent = sum(plan.g(line.id, y) for line in inst.lines) + plan.carry.get(y, 0.0) + repaid
        available = inst.budget_in(y) + carried_in + back + plan.borrow.get(y, 0.0)
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


# Unchanged when the checker moved to arrays (scalar, self-contained): the checker's own
# function, registered here in the same order; a copy would only compare the code with itself.
core_check("carryover")(cast(Any, checker.carryover))


# Unchanged when the checker moved to arrays (scalar, self-contained): the checker's own
# function, registered here in the same order; a copy would only compare the code with itself.
core_check("borrowing")(cast(Any, checker.borrowing))


@core_check("profile")
def profile(c: Context) -> None:
    """g[l,y] = max(profile[l,y], 0) · x[l] with min_scale ≤ x ≤ max_scale (whole with integer,
    0 or 1 with select)."""
    for line in c.inst.lines:
        if line.profile is None:
            continue
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
    """min[l,y]·s[l] ≤ g[l,y] ≤ max[l,y]·s[l] (a go/no-go line with no max: B[y]·s[l]); a
    profiled line's money is held by `profile` instead."""
    inst, plan = c.inst, c.plan
    for line in inst.lines:
        if line.profile is not None:
            continue
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
        if not line.integer or line.profile is not None:
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
    """s[a] ≤ s[b] for each prerequisite b of a; s[a] ≤ Σ s[b] over its requires_any."""
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
