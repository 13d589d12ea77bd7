"""The objectives; shortfalls count as a share of their target, times the KPI's weight."""

from __future__ import annotations

from typing import Literal

import numpy as np

from allocator.formulation.model import Formulation, Linear, Terms
from allocator.formulation.registry import objective
from allocator.schema.model import Level
from allocator.schema.planning import slopes
from allocator.schema.robust import impact_deviation


def _weighted_shortfall(b: Formulation, sign: float) -> Terms:
    targets = {(t.kpi, t.year): t.value for t in b.inst.targets if not t.at_most}
    return [
        (sign * b.spec.weight(kpi) / targets[kpi, year], var)
        for (kpi, year), var in b.shortfall.items()
    ]


def _impact(b: Formulation) -> Linear:
    years = len(b.inst.years)
    private = b.private_grid().ravel()
    drawn = np.flatnonzero(private >= 0)
    terms: Terms = []
    for (_f, lid, _y), d in b.draw.items():
        terms.append((b.lines[lid].private_impact, d))
    for (lid, _y, k), seg in b.segment.items():
        terms.append((slopes(b.lines[lid].curve or [])[k], seg))
    for line in b.inst.lines:
        if line.value:
            column = b.scale.get(line.id, b.selected.get(line.id))
            if column is not None:
                terms.append((line.value, column))
    impact = b.line_values("impact")
    private_impact = b.line_values("private_impact")
    gov = Linear(b.gov_grid().ravel(), np.repeat(impact, years))
    return gov + Linear(private[drawn], private_impact[drawn // years]) + Linear.of(terms)


@objective("max_impact")
def max_impact(b: Formulation) -> tuple[Linear, float, Literal["max", "min"]]:
    r"""Maximise the impact of the money, less the weighted shortfall of soft targets.

    $$
    \max \sum_{l,y} \big(\iota_l\, g_{l,y}
    + \iota^{p}_l\, (p_{l,y} + \textstyle\sum_f d_{f,l,y})\big)
    - \sum_{(k,y)} w_k \frac{u_{k,y}}{T_{k,y}}
    $$

    $\iota_l$ = `impact`, $\iota^p_l$ = `private_impact` (on the pool's and every fund's money). A
    line with a `curve` counts $\sum_k r_k \sigma_{l,y,k}$ instead of $\iota_l g_{l,y}$. A line's
    `value` $v_l$ (a project's NPV, a lump) adds $v_l x_l$: $x_l$ its scale (with a `profile`)
    or its go/no-go choice $s_l$. The shortfall term is absent when targets are hard.

    With `robust: {gamma: Γ}` (Bertsimas & Sim 2004) the impact is protected against up to Γ
    lines at their worst, each line's impact falling by $d_l$ (its `uncertainty` range, or the
    model's `band` for an assumed impact; `allocator.schema.robust`). The worst fall
    $\max_{|S| \le \Gamma} \sum_{l \in S} d_l G_l$, with $G_l = \sum_y g_{l,y}$, is an LP whose
    dual enters the objective as $-\Gamma \pi - \sum_l q_l$ under the rows
    `robust[l]`: $\pi + q_l \ge d_l \sum_y g_{l,y}$, $\pi, q_l \ge 0$.
    """
    terms = _impact(b) + Linear.of(_weighted_shortfall(b, -1.0))
    if b.protect:
        terms = terms + Linear.of(_robust(b))
    return terms, 0.0, "max"


def _robust(b: Formulation) -> Terms:
    """The rows `robust[l]` and the protection's objective terms (see `max_impact`)."""
    robust = b.spec.robust
    assert robust is not None
    deviations = impact_deviation(b.inst, robust.band)
    pi = b.protect["all"]
    for line in b.inst.lines:
        d = deviations[line.id]
        terms: Terms = [(1.0, pi), (1.0, b.protect[line.id])]
        terms += [(-d, b.gov[line.id, y]) for y in b.inst.years]
        b.add(
            "robust",
            (line.id,),
            terms,
            ">=",
            0.0,
            text=f"protection of {line.id}'s impact against a fall of {d:g} per unit",
            unit="points",
            line=line.id,
        )
    return [(-robust.gamma, pi)] + [(-1.0, b.protect[ln.id]) for ln in b.inst.lines]


@objective("min_cost")
def min_cost(b: Formulation) -> tuple[Linear, float, Literal["max", "min"]]:
    r"""Spend the least government money that meets every target.

    $$\min \sum_{l,y} g_{l,y} \quad \text{with every target hard}$$
    """
    columns = b.gov_grid().ravel()
    return Linear(columns, np.ones(columns.size)), 0.0, "min"


@objective("max_final_cash")
def max_final_cash(b: Formulation) -> tuple[Terms, float, Literal["max", "min"]]:
    r"""Maximise the cash left after the last period (wealth at the horizon).

    $$\max\ c_T \quad \text{with every target hard}$$

    $c_T$ is what the last period's `budget` row leaves unspent, after the inflows, returns,
    interest and loan repayments that come back into it (see `budget`).
    """
    return [(1.0, b.carry[b.inst.years[-1]])], 0.0, "max"


@objective("goal")
def goal(b: Formulation) -> tuple[Terms, float, Literal["max", "min"]]:
    r"""Come as close to the targets as the rules allow: minimise the weighted shortfall.

    $$\min \sum_{(k,y)} w_k \frac{u_{k,y}}{T_{k,y}} \quad \text{with every target soft}$$
    """
    return _weighted_shortfall(b, 1.0), 0.0, "min"


def level_objective(b: Formulation, level: Level) -> tuple[Terms, Literal["max", "min"]]:
    """The objective of one priority level: weighted shortfalls of its targets (as a share of
    each target), plus its impact (maximised) or government money (minimised) goals."""
    targets = {(t.kpi, t.year): t.value for t in b.inst.targets if not t.at_most}
    sense: Literal["max", "min"] = "max" if level.maximise else "min"
    sign = -1.0 if level.maximise else 1.0
    terms: Terms = []
    for goal in level.goals:
        if goal.objective == "max_impact":
            w = goal.weight if goal.weight is not None else 1.0
            impact = _impact(b)
            terms += zip((w * impact.coefs).tolist(), impact.cols.tolist(), strict=True)
        elif goal.objective == "min_cost":
            w = goal.weight if goal.weight is not None else 1.0
            terms += [(sign * w, g) for g in b.gov.values()]
        else:
            w = goal.weight if goal.weight is not None else b.spec.weight(str(goal.kpi))
            for (kpi, year), var in b.shortfall.items():
                if kpi == goal.kpi and goal.year in (None, year):
                    terms.append((sign * w / targets[kpi, year], var))
    return terms, sense


@objective("lexicographic")
def lexicographic(b: Formulation) -> tuple[Terms, float, Literal["max", "min"]]:
    r"""Priority levels optimised in order, each held at its optimum while the next is optimised.

    $$
    \begin{aligned}
    z_k &= \sum_{(j,y) \in k} w_j \frac{u_{j,y}}{T_{j,y}} + w_c \sum_{l,y} g_{l,y} \quad (\min)
    \quad\text{or}\quad w_i \sum_{l,y}(\iota_l g_{l,y} + \iota^p_l p_{l,y})
    - \sum_{(j,y) \in k} w_j \frac{u_{j,y}}{T_{j,y}} - w_c \sum_{l,y} g_{l,y} \quad (\max)\\
    z_h &\le z_h^* + \tau_h \ (\ge z_h^* - \tau_h \text{ for a maximising level}) \quad
    \forall h < k, \qquad \tau_h = \text{tolerance\_abs}_h + \text{tolerance}_h\,|z_h^*|
    \end{aligned}
    $$

    Level $k$ optimises $z_k$ (the second form when `max_impact` is among its goals) subject to
    every rule and every earlier level $h$ held near its optimum $z_h^*$. The build carries the
    first level's objective; the solve layer (`allocator.lexicographic`) runs the levels in one
    HiGHS session. Goals, weights and tolerances: the rules index, "Prioritised goals".

    Names: `level_hold[legal_floors]`."""
    terms, sense = level_objective(b, b.spec.levels[0])
    return terms, 0.0, sense
