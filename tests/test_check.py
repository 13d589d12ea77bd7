"""The independent checker catches a broken rule of each planning feature: a solved plan,
tampered with by hand, must be reported (so a builder bug cannot pass as an answer)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

import allocator
from allocator.check import Plan, verify
from tests.helpers import run, tiny


def _instance() -> dict[str, object]:
    """Two years; a fund seeded by y into x; a scheduled project z; teams t with a span; a
    curved line c; a GPU stock with a lifetime; carry-over."""
    lines = [
        {
            "id": "x",
            "name": "X",
            "pillar": "a",
            "impact": 3,
            "max": 80,
            "private_impact": 1,
            "yields": {"gpus": 1},
        },
        {"id": "y", "name": "Y", "pillar": {"a": 0.5, "b": 0.5}, "impact": 1, "max": 100},
        {
            "id": "z",
            "name": "Z",
            "pillar": "b",
            "impact": 2.5,
            "select": True,
            "schedule": {2026: 10, 2027: 20},
        },
        {
            "id": "t",
            "name": "T",
            "pillar": "b",
            "impact": 3.5,
            "integer": True,
            "unit_cost": 5,
            "span": 2,
            "max_starts": 2,
        },
        {"id": "c", "name": "C", "pillar": "a", "curve": "0:0; 10:40; 30:60"},
    ]
    return tiny(
        years=[2026, 2027],
        lines=lines,
        carryover=10,
        kpis=[{"id": "gpus", "name": "GPUs", "baseline": 5, "lifetime": 1, "baseline_year": 2025}],
        funds=[{"id": "F", "name": "F", "seed": ["y"], "lines": ["x"], "leverage": 2, "cap": 30}],
    )


@pytest.fixture(scope="module")
def solved() -> tuple[allocator.Result, Plan]:
    res = run(_instance())
    assert res.status == allocator.Status.optimal
    return res, res.plan()


def _broken(plan: Plan, change: Callable[[Plan], None]) -> Plan:
    copy = dataclasses.replace(
        plan,
        gov=dict(plan.gov),
        draws=dict(plan.draws),
        carry=dict(plan.carry),
        starts=dict(plan.starts),
        units=dict(plan.units),
    )
    change(copy)
    return copy


def _gov(plan: Plan) -> dict[tuple[str, int], float]:
    """The copy's government money, a plain dict (`_broken` made it one) to change."""
    assert isinstance(plan.gov, dict)
    return plan.gov


TAMPERS: dict[str, tuple[Callable[[Plan], None], str]] = {
    "draw above the leverage": (lambda p: p.draws.update({("F", "x", 2026): 1e4}), "× seed"),
    "draw above the cap": (lambda p: p.draws.update({("F", "x", 2027): 31}), "cap"),
    "off schedule": (lambda p: _gov(p).update({("z", 2027): 19}), "schedule"),
    "carry-over above its cap": (lambda p: p.carry.update({2026: 11}), "carry-over"),
    "fractional start": (lambda p: p.starts.update({("t", 2026): 0.5}), "whole"),
    "too many starts": (
        lambda p: p.starts.update({("t", 2026): 2, ("t", 2027): 1}),
        "more than 2",
    ),
    "beyond the curve": (lambda p: _gov(p).update({("c", 2026): 31}), "beyond its curve"),
}


@pytest.mark.parametrize("case", sorted(TAMPERS))
def test_checker_reports_a_broken_planning_rule(
    solved: tuple[allocator.Result, Plan], case: str
) -> None:
    res, plan = solved
    assert verify(res.instance, res.model, plan, res.objective) == []
    change, words = TAMPERS[case]
    failures = verify(res.instance, res.model, _broken(plan, change), None)
    assert any(words in str(f) for f in failures), failures


def test_checker_counts_only_stock_in_service(solved: tuple[allocator.Result, Plan]) -> None:
    """GPUs live one year: each year's level is what x bought that year (plus draws), and the
    baseline (added 2025) is gone by 2026."""
    res, plan = solved
    kpis = res.kpis.set_index("year")
    for y in (2026, 2027):
        bought = plan.g("x", y) + plan.draws.get(("F", "x", y), 0.0)
        assert kpis.loc[y, "level"] == pytest.approx(bought)
