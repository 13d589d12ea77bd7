"""Rules a model declares, one builder per kind; the formulas are in docs/rules.md."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np

from allocator.build.model import Built, Linear, Sense, Terms, line_year
from allocator.build.registry import policy_rule
from allocator.schema.model import (
    Cardinality,
    Exclusive,
    GroupTotal,
    NewInitiativeShare,
    PillarShare,
    Ramp,
    Relation,
    resolve,
)
from allocator.schema.money import UNIT_LABELS


@policy_rule("pillar_share")
def pillar_share(b: Built, rule: PillarShare) -> None:
    """pillar_share_min/max[p,y]: lo·Σ_l g ≤ Σ_l a[l,p]·g ≤ hi·Σ_l g (a: membership share)."""
    weights = np.array([line.shares.get(rule.pillar, 0.0) for line in b.inst.lines])
    name = b.pillar_name(rule.pillar)
    bounds: list[tuple[str, float | None, Sense, str]] = [
        ("pillar_share_min", rule.min, ">=", "at least"),
        ("pillar_share_max", rule.max, "<=", "at most"),
    ]
    for family, share, sense, words in bounds:
        if share is None:
            continue
        for y in b.inst.years:
            full = b.money(share * b.inst.budget_in(y))
            b.add(
                family,
                (rule.pillar, y),
                Linear(b.gov_columns(y), weights) + b.total_gov(y, -share),
                sense,
                0.0,
                pillar=rule.pillar,
                year=y,
                text=f"{name} gets {words} {share:.1%} of {y} government money "
                f"({full} of a full budget)",
            )


@policy_rule("new_initiative_share")
def new_initiative_share(b: Built, rule: NewInitiativeShare) -> None:
    """new_initiative_share[y]: Σ_{l new} g ≥ σ·Σ_l g."""
    new = b.line_mask(lambda line: line.new)
    for y in b.inst.years:
        terms = b.total_gov(y, 1.0, new) + b.total_gov(y, -rule.min)
        b.add(
            "new_initiative_share",
            (y,),
            terms,
            ">=",
            0.0,
            year=y,
            text=f"new initiatives get at least {rule.min:.1%} of {y} government money "
            f"({b.money(rule.min * b.inst.budget_in(y))} of a full budget)",
        )


@policy_rule("ramp")
def ramp(b: Built, rule: Ramp) -> None:
    """ramp_up/ramp_down[l,y]: |g[l,y] − g[l,y−1]| ≤ ρ·max[l,y] (ρ·B[y] for a line, no max)."""
    keys: list[tuple[str, int]] = []
    steps: list[float] = []
    rows: list[int] = []
    now: list[int] = []
    before: list[int] = []
    for line in b.inst.lines:
        for prev, y in pairwise(b.inst.years):
            cap = b.line_max(line.id, y)
            steps.append(rule.max_change * (cap if cap is not None else b.inst.budget_in(y)))
            rows.append(len(keys))
            keys.append((line.id, y))
            now.append(b.gov[line.id, y])
            before.append(b.gov[line.id, prev])
    step = dict(zip(keys, steps, strict=True))
    ones, minus = [1.0] * len(keys), [-1.0] * len(keys)

    def says(verb: str) -> Callable[[tuple[str, int]], str]:
        return lambda key: (
            f"{b.lines[key[0]].name} {verb} by at most {b.money(step[key])} from the year "
            f"before to {key[1]}"
        )

    for family, first, second, verb in (
        ("ramp_up", now, before, "grows"),
        ("ramp_down", before, now, "shrinks"),
    ):
        b.add_rows(
            family,
            keys,
            (rows + rows, first + second, ones + minus),
            "<=",
            steps,
            figure=lambda key: None,
            subjects=line_year,
            text=says(verb),
        )


def _at_most(b: Built, family: str, group: str, limit: int, text: str) -> None:
    """`family[G]`: Σ_{l∈G} s[l] ≤ limit (lines that are not go/no-go count as 1)."""
    terms: Terms = []
    constant = 0.0
    for line in b.inst.lines:
        if group in line.groups:
            t, c = b.select_terms(line.id)
            terms += t
            constant += c
    b.add(family, (group,), terms, "<=", float(limit), constant, group=group, text=text)


@policy_rule("cardinality")
def cardinality(b: Built, rule: Cardinality) -> None:
    """cardinality[G]: Σ_{l∈G} s[l] ≤ k."""
    _at_most(
        b,
        "cardinality",
        rule.group,
        rule.max,
        f"at most {rule.max} lines of group {rule.group} are funded",
    )


@policy_rule("exclusive")
def exclusive(b: Built, rule: Exclusive) -> None:
    """exclusive[G]: Σ_{l∈G} s[l] ≤ 1."""
    _at_most(b, "exclusive", rule.group, 1, f"at most one line of group {rule.group} is funded")


@policy_rule("group_total")
def group_total(b: Built, rule: GroupTotal) -> None:
    """group_min/group_max[G,y]: lo ≤ Σ_{l∈G} g ≤ hi; group_share_min/max[G,y]:
    σ·Σ_l g ≤ Σ_{l∈G} g ≤ σ̄·Σ_l g (a line group or a region; per year or over the horizon)."""
    if rule.group is not None:
        members = b.line_mask(lambda line: rule.group in line.groups)
        what = f"group {rule.group}"
    else:
        members = b.line_mask(lambda line: line.region == rule.region)
        what = next(r.name for r in b.inst.regions if r.id == rule.region)
    years = b.inst.years
    periods = [[y] for y in years] if rule.over == "year" else [years]
    bounds: list[tuple[str, float | None, Sense, str, bool]] = [
        ("group_min", rule.min, ">=", "at least", False),
        ("group_max", rule.max, "<=", "at most", False),
        ("group_share_min", rule.min_share, ">=", "at least", True),
        ("group_share_max", rule.max_share, "<=", "at most", True),
    ]
    for family, bound, sense, words, share in bounds:
        if bound is None:
            continue
        for period in periods:
            year: int | None = period[0] if rule.over == "year" else None
            terms = Linear(np.zeros(0, np.int64), np.zeros(0))
            for y in period:
                terms = terms + b.total_gov(y, 1.0, members)
                if share:
                    terms = terms + b.total_gov(y, -bound)
            when = f"in {year}" if year else f"over {years[0]}–{years[-1]}"
            amount = f"{bound:.1%} of government money" if share else b.money(bound)
            b.add(
                family,
                (rule.subject, year or "all"),
                terms,
                sense,
                0.0 if share else bound,
                group=rule.subject,
                year=year,
                text=f"{what} gets {words} {amount} {when}",
            )


@policy_rule("relation")
def relation(b: Built, rule: Relation) -> None:
    r"""A linear relation between the money of pillars, line groups, lines or regions, each year.

    $$\sum_{n} c_n \sum_{l \in n} \phi_{n,l}\, m_{l,y} + c_0 \;(\le, \ge, =)\; 0
    \qquad m_{l,y} = g_{l,y} \ (\text{or } g_{l,y} + p_{l,y} \text{ with money: total})$$

    for each year y of `years` (default every year), the expression's right side moved to the
    left; φ is the share of line l's money that name n counts (1 for whole membership).
    Name: `relation[talent>=0.5*rnd,2027]` (or `relation[NAME,2027]` with `name:`)."""
    parsed = rule.relation()
    coef: dict[str, float] = {}
    meaning: list[str] = []
    for ref, (kind, lines) in resolve(parsed, b.inst).items():
        for lid, share in lines.items():
            coef[lid] = coef.get(lid, 0.0) + parsed.coefs[ref] * share
        name = ref[1]
        shown = (
            b.pillar_name(name)
            if kind == "pillar"
            else b.lines[name].name
            if kind == "line"
            else name
        )
        meaning.append(f"{name}: {kind} {shown}")
    constant = parsed.constant(b.inst.currency_unit)
    money = "government money" if rule.money == "government" else "government plus private money"
    what = f"{'; '.join(meaning)}; {money}"
    for y in rule.years or b.inst.years:
        terms: Terms = [(c, b.gov[lid, y]) for lid, c in coef.items()]
        if rule.money == "total":
            terms += [(c, b.private[lid, y]) for lid, c in coef.items() if (lid, y) in b.private]
        b.add(
            "relation",
            (rule.label, y),
            terms,
            parsed.sense,
            0.0,
            constant,
            year=y,
            text=f"{rule.expr} in {y} ({what} in {UNIT_LABELS[b.inst.currency_unit]})",
        )
