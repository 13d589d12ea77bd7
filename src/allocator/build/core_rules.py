"""Rules every instance carries; the formulas are in docs/rules.md."""

from __future__ import annotations

import numpy as np

from allocator.build.model import Built, Linear, Sense, Terms, line_year
from allocator.build.registry import core_rule


@core_rule("budget")
def budget(b: Built) -> None:
    """budget[y]: Σ_l g[l,y] + c[y] − c[y−1] ≤ B[y] (= B[y] with must_spend; c: carry-over)."""
    sense: Sense = "==" if b.spec.must_spend else "<="
    verb = "equals" if b.spec.must_spend else "is at most"
    years = b.inst.years
    for i, y in enumerate(years):
        cap = b.inst.budget_in(y)
        carried: Terms = [(1.0, b.carry[y])] if y in b.carry else []
        if i and years[i - 1] in b.carry:
            carried.append((-1.0, b.carry[years[i - 1]]))
        b.add(
            "budget",
            (y,),
            b.total_gov(y) + Linear.of(carried),
            sense,
            cap,
            figure=f"budget.{y}",
            year=y,
            text=f"government money in {y} {verb} the budget, {b.money(cap)}",
        )


@core_rule("private_pool")
def private_pool(b: Built) -> None:
    """private_pool[y]: Σ_l p[l,y] ≤ Π[y]."""
    for y in b.inst.years:
        terms: Terms = [(1.0, v) for (_, year), v in b.private.items() if year == y]
        if terms:
            pool = b.inst.pool_in(y)
            b.add(
                "private_pool",
                (y,),
                terms,
                "<=",
                pool,
                figure=f"private_pool.{y}",
                year=y,
                text=f"private money in {y} is at most the fund's pool, {b.money(pool)}",
            )


@core_rule("leverage")
def leverage(b: Built) -> None:
    """leverage[l,y]: p[l,y] ≤ λ_l · g[l,y] (lines with λ = 0 get no private variable)."""
    keys = list(b.private)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for k, (lid, y) in enumerate(keys):
        rows += (k, k)
        cols += (b.private[lid, y], b.gov[lid, y])
        vals += (1.0, -b.lines[lid].leverage)
    b.add_rows(
        "leverage",
        keys,
        (rows, cols, vals),
        "<=",
        [0.0] * len(keys),
        figure=lambda key: f"lines.{key[0]}.leverage",
        subjects=line_year,
        text=lambda key: (
            f"{b.lines[key[0]].name} draws at most {b.lines[key[0]].leverage:g} "
            f"private won per government won in {key[1]}"
        ),
    )


@core_rule("line_bounds")
def line_bounds(b: Built) -> None:
    """line_min[l,y]: g ≥ min·s; line_max[l,y]: g ≤ max·s (B[y]·s for a go/no-go line, no max)."""
    floors: list[tuple[str, int]] = []
    caps: list[tuple[str, int]] = []
    fl: tuple[list[int], list[int], list[float]] = ([], [], [])
    cp: tuple[list[int], list[int], list[float]] = ([], [], [])
    floor_rhs: list[float] = []
    cap_rhs: list[float] = []
    for line in b.inst.lines:
        s = b.selected.get(line.id)
        for y in b.inst.years:
            g = b.gov[line.id, y]
            lo, hi = b.line_min(line.id, y), b.line_max(line.id, y)
            if lo > 0:
                _bound_row(floors, fl, floor_rhs, (line.id, y), g, s, lo)
            if hi is None and s is not None:
                hi = b.inst.budget_in(y)
            if hi is not None:
                _bound_row(caps, cp, cap_rhs, (line.id, y), g, s, hi)

    def chosen(lid: str) -> str:
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
            f"{b.money(b.line_min(*key))} in {key[1]}{chosen(key[0])}"
        ),
    )
    b.add_rows(
        "line_max",
        caps,
        cp,
        "<=",
        cap_rhs,
        subjects=line_year,
        figure=lambda key: (
            f"lines.{key[0]}.max" if b.line_max(*key) is not None else f"budget.{key[1]}"
        ),
        text=lambda key: (
            f"{b.lines[key[0]].name} gets at most "
            f"{b.money(_cap(b, *key))} in {key[1]}"
            + (", nothing unless selected" if b.lines[key[0]].select else "")
        ),
    )


def _cap(b: Built, line: str, year: int) -> float:
    cap = b.line_max(line, year)
    return cap if cap is not None else b.inst.budget_in(year)


def _bound_row(
    keys: list[tuple[str, int]],
    entries: tuple[list[int], list[int], list[float]],
    rhs: list[float],
    key: tuple[str, int],
    gov: int,
    selected: int | None,
    bound: float,
) -> None:
    """g ≥/≤ bound, or g − bound·s ≥/≤ 0 for a go/no-go line."""
    k = len(keys)
    keys.append(key)
    rows, cols, vals = entries
    rows.append(k)
    cols.append(gov)
    vals.append(1.0)
    if selected is None:
        rhs.append(bound)
    else:
        rows.append(k)
        cols.append(selected)
        vals.append(-bound)
        rhs.append(0.0)


@core_rule("integer_units")
def integer_units(b: Built) -> None:
    """integer_units[l,y]: g[l,y] + p[l,y] + Σ_f d[f,l,y] = unit_cost_l · n[l,y], n whole."""
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
    )


@core_rule("requires")
def requires(b: Built) -> None:
    """requires[a,b]: s[a] ≤ s[b] (s ≡ 1 for lines that are not go/no-go decisions)."""
    for line in b.inst.lines:
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
            )


@core_rule("kpi_level")
def kpi_level(b: Built) -> None:
    """kpi_level[k,y]: level = baseline in service + Σ yield·(g+p+d) over the years ≤ y whose
    additions are still in service (that year only for flows)."""
    years = b.inst.years
    lines = b.inst.lines
    private = {
        y: np.array([b.private.get((line.id, y), -1) for line in lines], np.int64) for y in years
    }
    for kpi in b.inst.kpis:
        rate = np.array([line.yields.get(kpi.id, 0.0) for line in lines])
        yielding = rate != 0
        life = kpi.lifetime
        for i, y in enumerate(years):
            counted = years[: i + 1] if kpi.cumulative else [y]
            counted = [yy for yy in counted if life is None or yy + life > y]
            terms = Linear(np.array([b.level[kpi.id, y]]), np.array([1.0]))
            for yy in counted:
                terms = terms + Linear(b.gov_columns(yy)[yielding], -rate[yielding])
                funded = yielding & (private[yy] >= 0)
                terms = terms + Linear(private[yy][funded], -rate[funded])
                terms = terms + Linear.of(
                    [
                        (-b.lines[lid].yields[kpi.id], col)
                        for (_, lid, year), col in b.draw.items()
                        if year == yy and kpi.id in b.lines[lid].yields
                    ]
                )
            in_service = kpi.baseline
            if life is not None and kpi.baseline_year is not None and kpi.baseline_year + life <= y:
                in_service = 0.0
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
                text=f"{kpi.name} in {y} = {in_service:,g} {kpi.unit} at the start plus what "
                f"the lines' money yields{ages}".replace("  ", " "),
            )


@core_rule("target")
def target(b: Built) -> None:
    """target[k,y]: level[k,y] ≥ target (hard), or level[k,y] + short[k,y] ≥ target (soft)."""
    kpis = {k.id: k for k in b.inst.kpis}
    for t in b.inst.targets:
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
        )
