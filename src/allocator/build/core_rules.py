"""Rules every instance carries; the formulas are in docs/rules.md."""

from __future__ import annotations

from allocator.build.model import Built, Sense, Terms
from allocator.build.registry import core_rule


@core_rule("budget")
def budget(b: Built) -> None:
    """budget[y]: Σ_l g[l,y] ≤ B[y] (= B[y] with must_spend)."""
    sense: Sense = "==" if b.spec.must_spend else "<="
    verb = "equals" if b.spec.must_spend else "is at most"
    for y in b.inst.years:
        cap = b.inst.budget_in(y)
        b.add(
            "budget",
            (y,),
            b.total_gov(y),
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
    for (lid, y), p in b.private.items():
        lam = b.lines[lid].leverage
        b.add(
            "leverage",
            (lid, y),
            [(1.0, p), (-lam, b.gov[lid, y])],
            "<=",
            0.0,
            figure=f"lines.{lid}.leverage",
            line=lid,
            year=y,
            text=f"{b.lines[lid].name} draws at most {lam:g} private won per government won in {y}",
        )


@core_rule("line_bounds")
def line_bounds(b: Built) -> None:
    """line_min[l,y]: g ≥ min·s; line_max[l,y]: g ≤ max·s (B[y]·s for a go/no-go line, no max)."""
    for line in b.inst.lines:
        chosen = " if selected" if line.select else ""
        for y in b.inst.years:
            g = b.gov[line.id, y]
            lo, hi = b.line_min(line.id, y), b.line_max(line.id, y)
            if lo > 0:
                terms, const = b.select_terms(line.id, -lo)
                b.add(
                    "line_min",
                    (line.id, y),
                    [(1.0, g), *terms],
                    ">=",
                    0.0,
                    const,
                    f"lines.{line.id}.min",
                    line=line.id,
                    year=y,
                    text=f"{line.name} gets at least {b.money(lo)} in {y}{chosen}",
                )
            cap_figure = f"lines.{line.id}.max"
            if hi is None and line.select:
                hi, cap_figure = b.inst.budget_in(y), f"budget.{y}"
            if hi is not None:
                terms, const = b.select_terms(line.id, -hi)
                b.add(
                    "line_max",
                    (line.id, y),
                    [(1.0, g), *terms],
                    "<=",
                    0.0,
                    const,
                    cap_figure,
                    line=line.id,
                    year=y,
                    text=f"{line.name} gets at most {b.money(hi)} in {y}"
                    + (", nothing unless selected" if line.select else ""),
                )


@core_rule("integer_units")
def integer_units(b: Built) -> None:
    """integer_units[l,y]: g[l,y] + p[l,y] = unit_cost_l · n[l,y] with n whole."""
    for (lid, y), n in b.units.items():
        cost = b.lines[lid].unit_cost or 0.0
        terms: Terms = [(1.0, b.gov[lid, y]), (-cost, n)]
        if (lid, y) in b.private:
            terms.append((1.0, b.private[lid, y]))
        b.add(
            "integer_units",
            (lid, y),
            terms,
            "==",
            0.0,
            figure=f"lines.{lid}.unit_cost",
            line=lid,
            year=y,
            text=f"{b.lines[lid].name} is funded in whole units of {b.money(cost)} in {y}",
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
    """kpi_level[k,y]: level = baseline + Σ yield·(g+p) over years ≤ y (that year for flows)."""
    years = b.inst.years
    for kpi in b.inst.kpis:
        for i, y in enumerate(years):
            counted = years[: i + 1] if kpi.cumulative else [y]
            terms: Terms = [(1.0, b.level[kpi.id, y])]
            for line in b.inst.lines:
                rate = line.yields.get(kpi.id, 0.0)
                if rate == 0:
                    continue
                for yy in counted:
                    terms.append((-rate, b.gov[line.id, yy]))
                    if (line.id, yy) in b.private:
                        terms.append((-rate, b.private[line.id, yy]))
            b.add(
                "kpi_level",
                (kpi.id, y),
                terms,
                "==",
                kpi.baseline,
                figure=f"kpis.{kpi.id}.baseline",
                kpi=kpi.id,
                year=y,
                text=f"{kpi.name} in {y} = {kpi.baseline:,g} {kpi.unit} at the start plus what "
                "the lines' money yields".replace("  ", " "),
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
