"""The three objectives; shortfalls count as a share of their target, times the KPI's weight."""

from __future__ import annotations

from typing import Literal

from allocator.build.model import Built, Terms
from allocator.build.registry import objective
from allocator.schema.planning import slopes


def _weighted_shortfall(b: Built, sign: float) -> Terms:
    targets = {(t.kpi, t.year): t.value for t in b.inst.targets}
    return [
        (sign * b.spec.weight(kpi) / targets[kpi, year], var)
        for (kpi, year), var in b.shortfall.items()
    ]


@objective("max_impact")
def max_impact(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    """max Σ impact·g (or the line's curve) + private_impact·(p + Σ_f d)
    − Σ w_k·short[k,y]/target[k,y]."""
    terms: Terms = []
    for (lid, _y), g in b.gov.items():
        terms.append((b.lines[lid].impact, g))
    for (lid, _y), p in b.private.items():
        terms.append((b.lines[lid].private_impact, p))
    for (_f, lid, _y), d in b.draw.items():
        terms.append((b.lines[lid].private_impact, d))
    for (lid, _y, k), seg in b.segment.items():
        terms.append((slopes(b.lines[lid].curve or [])[k], seg))
    return terms + _weighted_shortfall(b, -1.0), 0.0, "max"


@objective("min_cost")
def min_cost(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    """min Σ g (every target hard)."""
    return [(1.0, g) for g in b.gov.values()], 0.0, "min"


@objective("goal")
def goal(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    """min Σ w_k·short[k,y]/target[k,y] (every target soft)."""
    return _weighted_shortfall(b, 1.0), 0.0, "min"
