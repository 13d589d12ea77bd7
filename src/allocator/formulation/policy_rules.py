"""Rules a model declares, one builder per kind; each builder's docstring holds its formula."""

from __future__ import annotations

from collections.abc import Callable
from itertools import compress, cycle, pairwise

import numpy as np

from allocator.formulation.model import Formulation, Linear, Sense, Terms, line_year
from allocator.formulation.registry import policy_rule
from allocator.schema.expr import years_of
from allocator.schema.money import UNIT_LABELS
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


@policy_rule("pillar_share")
def pillar_share(b: Formulation, rule: PillarShare) -> None:
    r"""A pillar's share of each year's government money stays between a floor and a ceiling.

    $$\text{lo}_p \sum_l g_{l,y} \le \sum_{l} a_{l,p}\, g_{l,y} \le \text{hi}_p \sum_l g_{l,y}$$

    On government money; $a_{l,p}$ is line $l$'s membership share of pillar $p$ (1 for a line wholly
    in the pillar). `{rule: pillar_share, pillar: talent, min: 0.10, max: 0.30}`; shares are
    fractions (`0.15` or `"15%"`).

    Names: `pillar_share_min[talent,2027]`, `pillar_share_max[talent,2027]`.
    """
    weights = b.pillar_weights(rule.pillar)
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
                _share_of(b, y, weights, share),
                sense,
                0.0,
                pillar=rule.pillar,
                year=y,
                text=f"{name} gets {words} {share:.1%} of {y} government money "
                f"({full} of a full budget)",
                unit="money",
            )


def _share_of(b: Formulation, year: int, weights: np.ndarray, share: float) -> Linear:
    """`Σ_l a_l g_{l,y} − share · Σ_l g_{l,y}`, each line's two coefficients added up as the
    matrix would add them (kept apart if one cancels exactly: the matrix then holds a zero)."""
    if np.any((weights == share) & (weights != 0)):
        return Linear(b.gov_columns(year), weights) + b.total_gov(year, -share)
    return Linear(b.gov_columns(year), weights - share)


@policy_rule("new_initiative_share")
def new_initiative_share(b: Formulation, rule: NewInitiativeShare) -> None:
    r"""New initiatives get at least a given share of each year's government money.

    $$\sum_{l\ \text{new}} g_{l,y} \ge \sigma \sum_l g_{l,y}$$

    `{rule: new_initiative_share, min: 0.477}`; `years: [2026]` holds it in those years only (a
    line's `new` flag marks it new in the budget that flags it).

    Name: `new_initiative_share[2026]`.
    """
    new = b.line_mask(lambda line: line.new).astype(float)
    for y in b.inst.years:
        if rule.years is not None and y not in rule.years:
            continue
        b.add(
            "new_initiative_share",
            (y,),
            _share_of(b, y, new, rule.min),
            ">=",
            0.0,
            year=y,
            text=f"new initiatives get at least {rule.min:.1%} of {y} government money "
            f"({b.money(rule.min * b.inst.budget_in(y))} of a full budget)",
            unit="money",
        )


@policy_rule("ramp")
def ramp(b: Formulation, rule: Ramp) -> None:
    r"""A line's government money moves by at most a share of its cap from one year to the next.

    $$
    |g_{l,y} - g_{l,y-1}| \le \rho\, \overline{m}_{l,y}
    \quad (\rho\, B_y \text{ for a line with no cap in } y)
    $$

    For every year after the first. `{rule: ramp, max_change: 0.30}`. On a one-year instance the
    rule builds nothing (reported as vacuous).

    Names: `ramp_up[TAL-01,2027]`, `ramp_down[TAL-01,2027]`.
    """
    years = b.inst.years
    t_count = len(years)
    budget = np.array([b.inst.budget_in(y) for y in years])
    caps = b.line_caps()
    steps = (rule.max_change * np.where(np.isnan(caps), budget, caps))[:, 1:].ravel()
    grid = b.gov_grid()
    now, before = grid[:, 1:].ravel(), grid[:, :-1].ravel()
    keys = list(compress(b.gov, cycle([False] + [True] * (t_count - 1))))  # after the first
    rows = np.arange(len(keys))
    ones, minus = np.ones(len(keys)), np.full(len(keys), -1.0)

    def says(verb: str) -> Callable[[tuple[str, int]], str]:
        return lambda key: (
            f"{b.lines[key[0]].name} {verb} by at most "
            f"{b.money(rule.max_change * b.line_cap(*key))} from the year before to {key[1]}"
        )

    for family, first, second, verb in (
        ("ramp_up", now, before, "grows"),
        ("ramp_down", before, now, "shrinks"),
    ):
        b.add_rows(
            family,
            keys,
            (np.concatenate([rows, rows]), np.concatenate([first, second]), np.append(ones, minus)),
            "<=",
            steps,
            figure=lambda key: None,
            subjects=line_year,
            text=says(verb),
            unit="money",
        )


def _count(b: Formulation, family: str, group: str, sense: Sense, limit: int, text: str) -> None:
    """`family[G]`: Σ_{l∈G} s[l] (sense) limit (lines that are not go/no-go count as 1)."""
    terms: Terms = []
    constant = 0.0
    lines = b.inst.lines
    for i in b.group_rows(group):
        t, c = b.select_terms(lines[i].id)
        terms += t
        constant += c
    b.add(
        family, (group,), terms, sense, float(limit), constant, group=group, text=text, unit="lines"
    )


@policy_rule("cardinality")
def cardinality(b: Formulation, rule: Cardinality) -> None:
    r"""At least, at most or exactly a given number of the lines of a group are funded.

    $$\underline{k} \le \sum_{l \in G} s_l \le \overline{k} \qquad (\sum_{l \in G} s_l = k
    \text{ with } \texttt{exactly})$$

    `{rule: cardinality, group: llm_teams, max: 5}`, `min: 2`, or `exactly: 3`. Lines that are not
    go/no-go count as 1.

    Names: `cardinality[llm_teams]` (at most, or exactly), `cardinality_min[llm_teams]`.
    """
    g = rule.group
    if rule.exactly is not None:
        text = f"exactly {rule.exactly} lines of group {g} are funded"
        _count(b, "cardinality", g, "==", rule.exactly, text)
    if rule.max is not None:
        _count(
            b, "cardinality", g, "<=", rule.max, f"at most {rule.max} lines of group {g} are funded"
        )
    if rule.min is not None:
        text = f"at least {rule.min} lines of group {g} are funded"
        _count(b, "cardinality_min", g, ">=", rule.min, text)


@policy_rule("exclusive")
def exclusive(b: Formulation, rule: Exclusive) -> None:
    r"""At most one line of a group is funded, or exactly one.

    $$\sum_{l \in G} s_l \le 1 \qquad (= 1 \text{ with } \texttt{exactly})$$

    `{rule: exclusive, group: hub_site_options}`; `exactly: true` when one of the options must be
    taken. Lines that are not go/no-go count as 1.

    Name: `exclusive[hub_site_options]`.
    """
    sense: Sense = "==" if rule.exactly else "<="
    words = "exactly one" if rule.exactly else "at most one"
    _count(b, "exclusive", rule.group, sense, 1, f"{words} line of group {rule.group} is funded")


@policy_rule("implies")
def implies(b: Formulation, rule: Implies) -> None:
    r"""If one go/no-go line is (or is not) funded, another must (or must not) be.

    $$\lambda_a \le \lambda_b, \qquad \lambda_l = s_l \text{ for } l,\ 1 - s_l \text{ for }
    \texttt{not } l$$

    `{rule: implies, if: A, then: B}` is $s_A \le s_B$ (B is a prerequisite of A, as `requires`);
    `then: not B` is $s_A + s_B \le 1$; `if: not A, then: B` is $s_A + s_B \ge 1$ (at least one);
    `both_ways: true` adds the converse ($s_A = s_B$ for `if: A, then: B`: together or neither).

    Names: `implies[A->B]`, `implies_back[A->B]` (the converse).
    """
    (a, a_on), (c, c_on) = rule.literal(rule.if_), rule.literal(rule.then)

    def literal(line: str, on: bool, sign: float) -> tuple[Terms, float]:
        column = b.selected[line]
        return ([(sign, column)], 0.0) if on else ([(-sign, column)], sign)

    def say(line: str, on: bool) -> str:
        return f"{b.lines[line].name} is {'' if on else 'not '}funded"

    pairs = [("implies", (a, a_on), (c, c_on))]
    if rule.both_ways:
        pairs.append(("implies_back", (c, c_on), (a, a_on)))
    for family, (x, x_on), (z, z_on) in pairs:
        lhs, k1 = literal(x, x_on, 1.0)
        rhs, k2 = literal(z, z_on, -1.0)
        b.add(
            family,
            (rule.subject,),
            lhs + rhs,
            "<=",
            0.0,
            k1 + k2,
            text=f"if {say(x, x_on)}, {say(z, z_on)}",
            unit="lines",
            line=x,
            then=z,
        )


@policy_rule("group_total")
def group_total(b: Formulation, rule: GroupTotal) -> None:
    r"""A line group's or region's money stays within amounts or shares, each year or over the plan.

    $$
    \underline{m}_G \le \sum_{l \in G} \sum_{y \in P} g_{l,y} \le \overline{m}_G \qquad
    \sigma_G \sum_{l}\sum_{y \in P} g_{l,y} \le \sum_{l \in G}\sum_{y \in P} g_{l,y}
    \le \bar\sigma_G \sum_l \sum_{y \in P} g_{l,y}
    $$

    $G$ is a line group (`group:`) or a region (`region:`); $P$ is each year (`over: year`, the
    default) or the whole horizon (`over: horizon`). Amounts `min`/`max` and shares
    `min_share`/`max_share` (written with a unit such as `"300억"`, an amount is read in bn KRW; a
    plain number is in the instance's currency unit).
    `{rule: group_total, region: gwangju, min: 20}`.

    Names: `group_min[gwangju,2027]`, `group_max[hubs,2027]`, `group_share_min[hubs,all]`,
    `group_share_max[hubs,all]`; a region that shares its name with a line group is written
    `region:gwangju` in the names.
    """
    subject = rule.subject
    if rule.group is not None:
        members = b.in_group(rule.group)
        what = f"group {rule.group}"
    else:
        region = str(rule.region)  # the schema asks for a group or a region
        members = b.line_mask(lambda line: line.region == region)
        what = next(r.name for r in b.inst.regions if r.id == region)
        if b.group_rows(region):  # a group of that name too
            subject = f"region:{rule.region}"
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
                (subject, year or "all"),
                terms,
                sense,
                0.0 if share else bound,
                group=rule.subject,
                year=year,
                text=f"{what} gets {words} {amount} {when}",
                unit="money",
            )


@policy_rule("relation")
def relation(b: Formulation, rule: Relation) -> None:
    r"""A linear relation between the money of pillars, line groups, lines or regions, each year.

    $$\sum_{n} c_n \sum_{l \in n} \phi_{n,l}\, m_{l,y} + c_0 \;(\le, \ge, =)\; 0
    \qquad m_{l,y} = g_{l,y} \ (\text{or } g_{l,y} + p_{l,y} \text{ with money: total})$$

    for each year y of `years` (default every year), the expression's right side moved to the
    left; φ is the share of line l's money that name n counts (1 for whole membership). A name
    qualified by years counts its money in those years instead of y: `rnd[2028] >= 1.1 * rnd[2027]`,
    `sum(talent[2026..2030]) >= 7000`; when every name is qualified the relation is one row.
    Name: `relation[talent>=0.5*rnd,2027]` (or `relation[NAME,2027]` with `name:`;
    `relation[NAME,all]` across years)."""
    parsed = rule.relation()
    names = resolve(parsed, b.inst)
    meaning: list[str] = []
    for ref, (kind, _lines) in names.items():
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
    what = f"{'; '.join(dict.fromkeys(meaning))}; {money}"
    rows: list[int | None] = [None] if parsed.across_years else list(rule.years or b.inst.years)
    for y in rows:
        coef: dict[tuple[str, int], float] = {}
        for ref, (_kind, lines) in names.items():
            for year in years_of(ref, y, b.inst.years):
                for lid, share in lines.items():
                    coef[lid, year] = coef.get((lid, year), 0.0) + parsed.coefs[ref] * share
        terms: Terms = [(c, b.gov[key]) for key, c in coef.items()]
        if rule.money == "total":
            terms += [(c, b.private[key]) for key, c in coef.items() if key in b.private]
        when = f"in {y}" if y is not None else "across the years it names"
        b.add(
            "relation",
            (rule.label, y if y is not None else "all"),
            terms,
            parsed.sense,
            0.0,
            constant,
            year=y,
            text=f"{rule.expr} {when} ({what} in {UNIT_LABELS[b.inst.currency_unit]})",
            unit="money",
        )


@policy_rule("growth")
def growth(b: Formulation, rule: Growth) -> None:
    r"""The money of a line, group, pillar, region or the total grows each year within rates.

    $$(1 + \underline{r})\, M_{y-1} \le M_y \le (1 + \overline{r})\, M_{y-1}, \qquad
    M_y = \sum_{l \in n} \phi_{n,l}\, g_{l,y}$$

    for each year after the first; $n$ is `of` (a name as in a relation, or `total` for every
    line), $\phi$ the share of a line's money it counts, $\overline{r}$ = `max` and
    $\underline{r}$ = `min` (growth rates: 0.1 is +10 %, −0.05 is −5 %).
    `{rule: growth, of: rnd, max: 0.1}`.

    Names: `growth_max[rnd,2027]`, `growth_min[rnd,2027]`.
    """
    members = rule.members(b.inst)
    years = b.inst.years
    bounds: list[tuple[str, float | None, Sense, str]] = [
        ("growth_max", rule.max, "<=", "at most"),
        ("growth_min", rule.min, ">=", "at least"),
    ]
    for family, rate, sense, words in bounds:
        if rate is None:
            continue
        for before, y in pairwise(years):
            terms: Terms = [(share, b.gov[lid, y]) for lid, share in members.items()]
            terms += [(-(1 + rate) * share, b.gov[lid, before]) for lid, share in members.items()]
            b.add(
                family,
                (rule.of, y),
                terms,
                sense,
                0.0,
                year=y,
                group=rule.of,
                text=f"{rule.of}'s government money in {y} is {words} {1 + rate:.4g} times "
                f"{before}'s ({rate:+.1%})",
                unit="money",
            )
