"""Checks of the rule kinds a model declares, one registered per kind (`@check("ramp")`)."""

from __future__ import annotations

import itertools

from allocator.check.registry import Context, check, key
from allocator.schema.expr import years_of
from allocator.schema.rules import (
    Cardinality,
    Exclusive,
    GroupTotal,
    Growth,
    Implies,
    NewInitiativeShare,
    PillarShare,
    Ramp,
    Relation,
    resolve,
)


@check("pillar_share")
def pillar_share(c: Context, rule: PillarShare, i: int) -> None:
    """lo · Σ_l g[l,y] ≤ Σ_{l∈p} share · g[l,y] ≤ hi · Σ_l g[l,y]."""
    grid = c.grid
    totals = grid.total.tolist()
    mine_all = (grid.share_of(rule.pillar) @ grid.gov).tolist()
    for y, total, mine in zip(c.inst.years, totals, mine_all, strict=True):
        if rule.min is not None:
            c.need(
                rule.min * total,
                mine,
                "pillar_share",
                key("pillar_share_min", rule.pillar, y),
                f"{rule.pillar} in {y}: below {rule.min:.1%}",
                total,
                figure=f"rules[{i}].min",
            )
        if rule.max is not None:
            c.need(
                mine,
                rule.max * total,
                "pillar_share",
                key("pillar_share_max", rule.pillar, y),
                f"{rule.pillar} in {y}: above {rule.max:.1%}",
                total,
                figure=f"rules[{i}].max",
            )


@check("new_initiative_share")
def new_initiative_share(c: Context, rule: NewInitiativeShare, i: int) -> None:
    """Σ_{l new} g[l,y] ≥ σ · Σ_l g[l,y]."""
    grid = c.grid
    totals = grid.total.tolist()
    news = grid.gov[grid.mask("new")].sum(axis=0).tolist()
    for y, total, new in zip(c.inst.years, totals, news, strict=True):
        if rule.years is not None and y not in rule.years:
            continue
        c.need(
            rule.min * total,
            new,
            "new_initiative_share",
            key("new_initiative_share", y),
            f"{y}: new initiatives below {rule.min:.1%}",
            total,
            figure=f"rules[{i}].min",
        )


@check("ramp")
def ramp(c: Context, rule: Ramp, i: int) -> None:
    """|g[l,y] − g[l,y−1]| ≤ ρ · max[l,y] (ρ · B[y] for a line without a max)."""
    grid = c.grid
    years = grid.years
    if len(years) < 2:
        return
    high = grid.fixed("max", None)
    cap = grid.where(grid.isnan(high), grid.budget, high)[:, 1:]
    step = rule.max_change * cap
    now, before = grid.gov[:, 1:], grid.gov[:, :-1]
    up = (now >= before).T.ravel()
    ids, later = grid.ids, years[1:]
    n = len(ids)
    # year by year, then line by line (the order the rows are named in)
    c.need_all(
        abs(now - before).T,
        step.T,
        "ramp",
        lambda k: key("ramp_up" if up[k] else "ramp_down", ids[k % n], later[k // n]),
        lambda k: f"{ids[k % n]} changes too fast into {later[k // n]}",
        now.T,
        figure=f"rules[{i}].max_change",
    )


def _chosen(c: Context, group: str) -> float:
    grid = c.grid
    return float(grid.s[grid.in_group(group)].sum())


@check("cardinality")
def cardinality(c: Context, rule: Cardinality, i: int) -> None:
    """min ≤ Σ_{l∈G} s[l] ≤ max (= exactly)."""
    chosen = _chosen(c, rule.group)
    low = rule.exactly if rule.exactly is not None else rule.min
    high = rule.exactly if rule.exactly is not None else rule.max
    name, said = key("cardinality", rule.group), f"group {rule.group}: {chosen:g} lines selected"
    if high is not None:
        c.need(
            chosen,
            high,
            "cardinality",
            name,
            f"{said}, at most {high} allowed",
            unit="lines",
            figure=f"rules[{i}]",
        )
    if low is not None:
        c.need(
            low,
            chosen,
            "cardinality",
            name,
            f"{said}, at least {low} needed",
            unit="lines",
            figure=f"rules[{i}]",
        )


@check("exclusive")
def exclusive(c: Context, rule: Exclusive, i: int) -> None:
    """Σ_{l∈G} s[l] ≤ 1 (= 1 with exactly)."""
    chosen = _chosen(c, rule.group)
    name, said = key("exclusive", rule.group), f"group {rule.group}: {chosen:g} lines selected"
    c.need(
        chosen,
        1,
        "exclusive",
        name,
        f"{said}, at most 1 allowed",
        unit="lines",
        figure=f"rules[{i}]",
    )
    if rule.exactly:
        c.need(
            1,
            chosen,
            "exclusive",
            name,
            f"{said}, exactly 1 needed",
            unit="lines",
            figure=f"rules[{i}]",
        )


@check("implies")
def implies(c: Context, rule: Implies, i: int) -> None:
    """[if holds] ≤ [then holds] (and the converse with both_ways), each literal s or 1 − s."""

    def holds(text: str) -> float:
        line, on = rule.literal(text)
        s = c.plan.s(line)
        return s if on else 1.0 - s

    pairs = [(rule.if_, rule.then)] + ([(rule.then, rule.if_)] if rule.both_ways else [])
    for cond, then in pairs:
        c.need(
            holds(cond),
            holds(then),
            "implies",
            key("implies", rule.subject),
            f"{cond} holds but {then} does not",
            unit="lines",
            figure=f"rules[{i}]",
        )


@check("group_total")
def group_total(c: Context, rule: GroupTotal, i: int) -> None:
    """A group's or region's government money within amounts or shares, per year or overall."""
    inst, grid = c.inst, c.grid
    members = grid.in_group(rule.group) if rule.group is not None else grid.region_is(rule.region)
    mine_y = grid.gov[members].sum(axis=0)
    periods = (
        [[j] for j in range(len(inst.years))]
        if rule.over == "year"
        else [list(range(len(inst.years)))]
    )
    for period in periods:
        mine = float(mine_y[period].sum())
        total = float(grid.total[period].sum())
        first = inst.years[period[0]]
        when = first if len(period) == 1 else "all"
        at = f"{rule.subject} in {first}" if len(period) == 1 else f"{rule.subject} overall"
        if rule.min is not None:
            c.need(
                rule.min,
                mine,
                "group_total",
                key("group_min", rule.subject, when),
                f"{at}: below {rule.min:g}",
                figure=f"rules[{i}].min",
            )
        if rule.max is not None:
            c.need(
                mine,
                rule.max,
                "group_total",
                key("group_max", rule.subject, when),
                f"{at}: above {rule.max:g}",
                figure=f"rules[{i}].max",
            )
        if rule.min_share is not None:
            c.need(
                rule.min_share * total,
                mine,
                "group_total",
                key("group_share_min", rule.subject, when),
                f"{at}: below {rule.min_share:.1%}",
                total,
                figure=f"rules[{i}].min_share",
            )
        if rule.max_share is not None:
            c.need(
                mine,
                rule.max_share * total,
                "group_total",
                key("group_share_max", rule.subject, when),
                f"{at}: above {rule.max_share:.1%}",
                total,
                figure=f"rules[{i}].max_share",
            )


@check("relation")
def relation(c: Context, rule: Relation, i: int) -> None:
    """Each year's relation, summed name by name over the lines each name covers."""
    parsed = rule.relation()
    names = resolve(parsed, c.inst)
    constant = parsed.constant(c.inst.currency_unit)
    horizon = c.inst.years
    rows: list[int | None] = [None] if parsed.across_years else list(rule.years or horizon)
    for y in rows:
        value, size = constant, abs(constant)
        for ref, coef in parsed.coefs.items():
            spans = years_of(ref, y, horizon)
            money = c.grid.weighted(names[ref][1], list(spans), rule.money == "total")
            value += coef * money
            size += abs(coef * money)
        name = key("relation", rule.label, y if y is not None else "all")
        what = f"relation {rule.label} {'across years' if y is None else f'in {y}'} does not hold"
        what += f" ({rule.expr})"
        if parsed.sense in ("<=", "=="):
            c.need(value, 0.0, "relation", name, what, size, figure=f"rules[{i}].expr")
        if parsed.sense in (">=", "=="):
            c.need(0.0, value, "relation", name, what, size, figure=f"rules[{i}].expr")


@check("growth")
def growth(c: Context, rule: Growth, i: int) -> None:
    """(1 + min)·M[y−1] ≤ M[y] ≤ (1 + max)·M[y−1] for the money M the rule follows."""
    members = rule.members(c.inst)
    years = c.inst.years
    for before, y in itertools.pairwise(years):
        now = c.grid.weighted(members, [y], False)
        then = c.grid.weighted(members, [before], False)
        name = key("growth", rule.of, y)
        if rule.max is not None:
            c.need(
                now,
                (1 + rule.max) * then,
                "growth",
                name,
                f"{rule.of} grows faster than {rule.max:+.1%} into {y}",
                figure=f"rules[{i}].max",
            )
        if rule.min is not None:
            c.need(
                (1 + rule.min) * then,
                now,
                "growth",
                name,
                f"{rule.of} changes by less than {rule.min:+.1%} into {y}",
                figure=f"rules[{i}].min",
            )
