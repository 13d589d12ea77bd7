"""The objectives; shortfalls count as a share of their target, times the KPI's weight."""

from __future__ import annotations

from typing import Literal

from allocator.build.model import Built, Terms
from allocator.build.registry import objective
from allocator.schema.model import Level
from allocator.schema.planning import slopes


def _weighted_shortfall(b: Built, sign: float) -> Terms:
    targets = {(t.kpi, t.year): t.value for t in b.inst.targets}
    return [
        (sign * b.spec.weight(kpi) / targets[kpi, year], var)
        for (kpi, year), var in b.shortfall.items()
    ]


def _impact(b: Built) -> Terms:
    terms: Terms = []
    for (lid, _y), g in b.gov.items():
        terms.append((b.lines[lid].impact, g))
    for (lid, _y), p in b.private.items():
        terms.append((b.lines[lid].private_impact, p))
    for (_f, lid, _y), d in b.draw.items():
        terms.append((b.lines[lid].private_impact, d))
    for (lid, _y, k), seg in b.segment.items():
        terms.append((slopes(b.lines[lid].curve or [])[k], seg))
    return terms


@objective("max_impact")
def max_impact(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    """max Σ impact·g (or the line's curve) + private_impact·(p + Σ_f d)
    − Σ w_k·short[k,y]/target[k,y]."""
    return _impact(b) + _weighted_shortfall(b, -1.0), 0.0, "max"


@objective("min_cost")
def min_cost(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    """min Σ g (every target hard)."""
    return [(1.0, g) for g in b.gov.values()], 0.0, "min"


@objective("goal")
def goal(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    """min Σ w_k·short[k,y]/target[k,y] (every target soft)."""
    return _weighted_shortfall(b, 1.0), 0.0, "min"


def level_objective(b: Built, level: Level) -> tuple[Terms, Literal["max", "min"]]:
    """The objective of one priority level: weighted shortfalls of its targets (as a share of
    each target), plus its impact (maximised) or government money (minimised) goals."""
    targets = {(t.kpi, t.year): t.value for t in b.inst.targets}
    sense: Literal["max", "min"] = "max" if level.maximise else "min"
    sign = -1.0 if level.maximise else 1.0
    terms: Terms = []
    for goal in level.goals:
        if goal.objective == "max_impact":
            w = goal.weight if goal.weight is not None else 1.0
            terms += [(w * c, j) for c, j in _impact(b)]
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
def lexicographic(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    r"""Priority levels optimised in order, each held at its optimum while the next is optimised.

    Level $k$ optimises
    $$z_k = \sum_{(j,y) \in k} w_j \frac{u_{j,y}}{T_{j,y}} + w_c \sum_{l,y} g_{l,y}
    \quad (\min) \qquad\text{or}\qquad
    z_k = w_i \sum_{l,y}(\iota_l g_{l,y} + \iota^p_l p_{l,y}) - \sum_{(j,y) \in k} w_j
    \frac{u_{j,y}}{T_{j,y}} - w_c \sum_{l,y} g_{l,y} \quad (\max, \text{ with max\_impact})$$
    subject to every rule and, for each earlier level $h < k$ with optimum $z_h^*$,
    $$z_h \le z_h^* + \tau_h \quad (\ge z_h^* - \tau_h \text{ for a maximising level}),
    \qquad \tau_h = \text{tolerance\_abs}_h + \text{tolerance}_h\,|z_h^*|.$$
    Names: `level_hold[legal_floors]`. The build carries the first level's objective; the solve
    layer (`allocator.lexicographic`) runs the levels in one HiGHS session."""
    terms, sense = level_objective(b, b.spec.levels[0])
    return terms, 0.0, sense
