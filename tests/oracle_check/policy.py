"""Checks of the rule kinds a model declares, one registered per kind (`@check("ramp")`)."""

from __future__ import annotations

import itertools
from typing import Any, cast

from allocator.check import policy as checker
from allocator.schema.base import for_year
from allocator.schema.expr import years_of
from allocator.schema.rules import (
    Cardinality,
    Exclusive,
    GroupTotal,
    Growth,
    NewInitiativeShare,
    PillarShare,
    Ramp,
    Relation,
    resolve,
)
from tests.oracle_check.registry import Context, check, key


def _total(c: Context, y: int) -> float:
    return sum(c.plan.g(line.id, y) for line in c.inst.lines)


@check("pillar_share")
def pillar_share(c: Context, rule: PillarShare, i: int) -> None:
    """lo · Σ_l g[l,y] ≤ Σ_{l∈p} share · g[l,y] ≤ hi · Σ_l g[l,y]."""
    for y in c.inst.years:
        total = _total(c, y)
        mine = sum(
            line.shares.get(rule.pillar, 0.0) * c.plan.g(line.id, y) for line in c.inst.lines
        )
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
    for y in c.inst.years:
        if rule.years is not None and y not in rule.years:
            continue
        total = _total(c, y)
        new = sum(c.plan.g(line.id, y) for line in c.inst.lines if line.new)
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
    years = c.inst.years
    for j in range(1, len(years)):
        y = years[j]
        for line in c.inst.lines:
            cap = for_year(line.max, y, None)
            step = rule.max_change * (cap if cap is not None else c.inst.budget_in(y))
            now, before = c.plan.g(line.id, y), c.plan.g(line.id, years[j - 1])
            family = "ramp_up" if now >= before else "ramp_down"
            c.need(
                abs(now - before),
                step,
                "ramp",
                key(family, line.id, y),
                f"{line.id} changes too fast into {y}",
                now,
                figure=f"rules[{i}].max_change",
            )


def _chosen(c: Context, group: str) -> float:
    return sum(c.plan.s(line.id) for line in c.inst.lines if group in line.groups)


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


# Unchanged when the checker moved to arrays (scalar, self-contained): the checker's own
# function, registered here in the same order; a copy would only compare the code with itself.
check("implies")(cast(Any, checker.implies))


@check("group_total")
def group_total(c: Context, rule: GroupTotal, i: int) -> None:
    """A group's or region's government money within amounts or shares, per year or overall."""
    inst, plan = c.inst, c.plan
    members = [
        line.id
        for line in inst.lines
        if (rule.group in line.groups if rule.group is not None else line.region == rule.region)
    ]
    periods = [[y] for y in inst.years] if rule.over == "year" else [inst.years]
    for period in periods:
        mine = sum(plan.g(lid, y) for lid in members for y in period)
        total = sum(plan.g(line.id, y) for line in inst.lines for y in period)
        when = period[0] if len(period) == 1 else "all"
        at = f"{rule.subject} in {period[0]}" if len(period) == 1 else f"{rule.subject} overall"
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
            money = sum(
                share * (c.plan.g(lid, t) + (c.plan.p(lid, t) if rule.money == "total" else 0.0))
                for lid, share in names[ref][1].items()
                for t in spans
            )
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
        now = sum(share * c.plan.g(lid, y) for lid, share in members.items())
        then = sum(share * c.plan.g(lid, before) for lid, share in members.items())
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
