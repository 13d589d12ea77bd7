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
    r"""Maximise the impact of the money, less the weighted shortfall of soft targets.

    $$
    \max \sum_{l,y} \big(\iota_l\, g_{l,y}
    + \iota^{p}_l\, (p_{l,y} + \textstyle\sum_f d_{f,l,y})\big)
    - \sum_{(k,y)} w_k \frac{u_{k,y}}{T_{k,y}}
    $$

    $\iota_l$ = `impact`, $\iota^p_l$ = `private_impact` (on the pool's and every fund's money). A
    line with a `curve` counts $\sum_k r_k \sigma_{l,y,k}$ instead of $\iota_l g_{l,y}$. The
    shortfall term is absent when targets are hard.
    """
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
    r"""Spend the least government money that meets every target.

    $$\min \sum_{l,y} g_{l,y} \quad \text{with every target hard}$$
    """
    return [(1.0, g) for g in b.gov.values()], 0.0, "min"


@objective("goal")
def goal(b: Built) -> tuple[Terms, float, Literal["max", "min"]]:
    r"""Come as close to the targets as the rules allow: minimise the weighted shortfall.

    $$\min \sum_{(k,y)} w_k \frac{u_{k,y}}{T_{k,y}} \quad \text{with every target soft}$$
    """
    return _weighted_shortfall(b, 1.0), 0.0, "min"
