"""Core rules of the planning features — funds with a leverage chain, carry-over, committed
schedules, multi-year cohorts and piecewise returns; each emits nothing for an instance that does
not use its feature. The formulas are in docs/rules.md."""

from __future__ import annotations

from allocator.build.model import Built, Sense, Terms
from allocator.build.registry import core_rule
from allocator.schema.base import for_year
from allocator.schema.planning import Fund


def _seed(b: Built, fund: Fund, years: list[int], coef: float) -> Terms:
    return [(coef, b.gov[lid, y]) for lid in fund.seed for y in years]


def _drawn(b: Built, fund: Fund, years: list[int]) -> Terms:
    return [(1.0, b.draw[fund.id, lid, y]) for lid in fund.lines for y in years]


@core_rule("fund_leverage")
def fund_leverage(b: Built) -> None:
    """fund_leverage[f,y]: Σ_{y'≤y} Σ_l d[f,l,y'] ≤ λ_f · Σ_{y'≤y} Σ_{s∈seed} g[s,y']."""
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
            )


@core_rule("fund_limits")
def fund_limits(b: Built) -> None:
    """fund_cap[f,y], fund_total_cap[f], fund_total_min[f], fund_min_leverage[f]: caps and floors
    on what a fund draws, per year and over the horizon."""
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
            )


@core_rule("carryover")
def carryover(b: Built) -> None:
    """carryover_max[y]: c[y] ≤ carry-over cap of y (c enters budget[y] and budget[y+1])."""
    for y, col in b.carry.items():
        cap = for_year(b.inst.carryover, y, 0.0) or 0.0
        b.add(
            "carryover_max",
            (y,),
            [(1.0, col)],
            "<=",
            cap,
            figure=f"carryover.{y}" if isinstance(b.inst.carryover, dict) else "carryover",
            year=y,
            text=f"at most {b.money(cap)} of {y} government money is carried into the next year",
        )


@core_rule("schedule")
def schedule(b: Built) -> None:
    """schedule[l,y]: g[l,y] = schedule[l,y] · s_l (s_l ≡ 1 unless the line is go/no-go)."""
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
            )


@core_rule("cohort")
def cohort(b: Built) -> None:
    """cohort[l,y]: n[l,y] = Σ_{y−span < y' ≤ y} starts[l,y']; max_starts[l]: Σ_y starts ≤ K."""
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
            )


@core_rule("curve")
def curve(b: Built) -> None:
    """curve[l,y]: g[l,y] = Σ_k seg[l,y,k], 0 ≤ seg_k ≤ w_k; for a curve that is not concave,
    curve_fill[l,y,k]: seg_{k−1} ≥ w_{k−1}·z_k and curve_open[l,y,k]: seg_k ≤ w_k·z_k."""
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
            )
            for k in range(1, len(points) - 1):
                if (line.id, y, k) not in b.reached:
                    continue
                z = b.reached[line.id, y, k]
                before, width = points[k][0] - points[k - 1][0], points[k + 1][0] - points[k][0]
                b.add(
                    "curve_fill",
                    (line.id, y, k),
                    [(1.0, b.segment[line.id, y, k - 1]), (-before, z)],
                    ">=",
                    0.0,
                    figure=f"lines.{line.id}.curve",
                    line=line.id,
                    year=y,
                    text=f"{line.name} reaches its curve's segment {k + 1} in {y} only after "
                    f"filling segment {k}",
                )
                b.add(
                    "curve_open",
                    (line.id, y, k),
                    [(1.0, b.segment[line.id, y, k]), (-width, z)],
                    "<=",
                    0.0,
                    figure=f"lines.{line.id}.curve",
                    line=line.id,
                    year=y,
                    text=f"{line.name} spends on its curve's segment {k + 1} in {y} only once it "
                    "is reached",
                )
