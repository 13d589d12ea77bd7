"""The checker is complete by construction: for every registered check — each core rule and each
rule kind a model declares — a solved plan altered just past that rule is reported by that check.
The cases are keyed by the registry, so a new kind or core rule without a case here fails."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

import allocator
from allocator.check import CORE_CHECKS, RULE_CHECKS, Plan, verify
from allocator.schema.rules import RULE_KINDS
from tests.helpers import run, tiny

Tamper = Callable[[Plan], dict[str, Any]]
"""The plan's fields to replace: a solved plan pushed just past one rule."""


def _gov(plan: Plan, **moves: float) -> dict[str, Any]:
    gov = dict(plan.gov)
    for key, delta in moves.items():
        line, _, year = key.partition("_")
        gov[line, int(year or 2026)] = gov.get((line, int(year or 2026)), 0.0) + delta
    return {"gov": gov}


def _select(i: int, **more: Any) -> dict[str, Any]:
    return {
        "id": f"s{i}",
        "name": f"S{i}",
        "pillar": "b",
        "impact": 1,
        "max": 10,
        "select": True,
        "groups": ["g"],
        **more,
    }


TWO_YEARS = tiny(years=[2026, 2027])
SELECTABLE = tiny(lines=[*tiny()["lines"], _select(1), _select(2)])
FUND = tiny(
    private_pool=0,
    lines=[*tiny()["lines"], _select(1)],
    funds=[{"id": "F", "name": "F", "seed": ["y"], "lines": ["x", "s1"], "leverage": 2, "cap": 30}],
)
UNITS = tiny(
    lines=[
        *tiny()["lines"],
        {
            "id": "t",
            "name": "T",
            "pillar": "b",
            "impact": 4,
            "integer": True,
            "unit_cost": 3,
            "max": 9,
        },
    ],
)
COHORT = tiny(
    years=[2026, 2027],
    lines=[
        *tiny()["lines"],
        {
            "id": "t",
            "name": "T",
            "pillar": "b",
            "impact": 4,
            "integer": True,
            "unit_cost": 5,
            "span": 2,
            "max_starts": 1,
        },
    ],
)
KPI = tiny(
    kpis=[{"id": "k", "name": "K", "unit": "u"}],
    targets=[{"kpi": "k", "year": 2026, "value": 30}],
    lines=[
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100, "yields": {"k": 1}},
    ],
)


def _units(plan: Plan) -> dict[str, Any]:
    return {"units": {k: v + 0.5 for k, v in plan.units.items()}}


def _levels(plan: Plan) -> dict[str, Any]:
    return {"levels": {k: v + 7 for k, v in plan.levels.items()}}


PROFILED = tiny(
    years=[0, 1],
    lines=[
        *tiny()["lines"],
        {"id": "p", "name": "P", "pillar": "b", "profile": {0: 10, 1: -12}, "value": 5},
    ],
)
BORROWING = tiny(
    years=[0, 1],
    budget={0: 10, 1: 100},
    cash={"borrow": 20, "borrow_rate": 0.1},
    lines=[
        {"id": "x", "name": "X", "pillar": "a", "profile": {0: 20, 1: 0}, "value": 50},
        tiny()["lines"][1],
    ],
)


CASES: dict[str, tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any], Tamper]] = {
    # name: (instance, model rules, model fields, tamper)
    "budget": (tiny(), [], {}, lambda p: _gov(p, y=1)),
    "carryover": (TWO_YEARS, [], {}, lambda p: {"carry": {2026: 1.0}, **_gov(p, y=-1)}),
    "private_pool": (
        tiny(lines=[{**tiny()["lines"][0], "leverage": 1}]),
        [],
        {},
        lambda p: {"private": {("x", 2026): 1.0}},
    ),
    "leverage": (tiny(private_pool=10), [], {}, lambda p: {"private": {("x", 2026): 1.0}}),
    "line_bounds": (tiny(), [], {}, lambda p: _gov(p, x=1, y=-1)),
    "selection": (
        FUND,
        [],
        {},
        lambda p: {
            "draws": {**p.draws, ("F", "s1", 2026): 1.0},
            "selected": {**p.selected, "s1": False},
        },
    ),
    "integer_units": (UNITS, [], {}, _units),
    "requires": (
        tiny(lines=[*tiny()["lines"], _select(1, requires=["s2"]), _select(2)]),
        [],
        {},
        lambda p: {"selected": {"s1": True, "s2": False}},
    ),
    "kpi_level": (KPI, [], {}, _levels),
    "target": (KPI, [], {"targets": {"mode": "hard"}}, lambda p: _gov(p, x=1, y=-1)),
    "fund_leverage": (FUND, [], {}, lambda p: {"draws": {**p.draws, ("F", "x", 2026): 500.0}}),
    "fund_limits": (FUND, [], {}, lambda p: {"draws": {**p.draws, ("F", "x", 2026): 31.0}}),
    "line_total": (
        tiny(
            years=[2026, 2027], lines=[{**tiny()["lines"][0], "total_max": 100}, tiny()["lines"][1]]
        ),
        [],
        {},
        lambda p: _gov(p, x_2027=1, y_2027=-1),
    ),
    "fund_line_cap": (
        tiny(
            private_pool=0,
            lines=tiny()["lines"],
            funds=[
                {
                    "id": "F",
                    "name": "F",
                    "seed": ["y"],
                    "lines": ["x"],
                    "leverage": 2,
                    "line_caps": {"x": 5},
                }
            ],
        ),
        [],
        {},
        lambda p: {"draws": {**p.draws, ("F", "x", 2026): 6.0}},
    ),
    "schedule": (
        tiny(lines=[*tiny()["lines"], {"id": "z", "name": "Z", "pillar": "b", "schedule": 5}]),
        [],
        {},
        lambda p: _gov(p, z=1, y=-1),
    ),
    "profile": (PROFILED, [], {}, lambda p: {"scale": {"p": 1.5}}),
    "borrowing": (BORROWING, [], {}, lambda p: {"borrow": {0: 25.0}}),
    "resources": (
        tiny(
            resources=[{"id": "r", "name": "R", "limit": 30}],
            lines=[{**tiny()["lines"][0], "uses": {"r": 0.5}}, tiny()["lines"][1]],
        ),
        [],
        {},
        lambda p: _gov(p, x=1, y=-1),
    ),
    "cohort": (COHORT, [], {}, lambda p: {"starts": {**p.starts, ("t", 2027): 1.0}}),
    "curve": (
        tiny(
            lines=[*tiny()["lines"], {"id": "c", "name": "C", "pillar": "a", "curve": "0:0; 10:40"}]
        ),
        [],
        {},
        lambda p: _gov(p, c=1, y=-1),
    ),
    "pillar_share": (
        tiny(),
        [{"rule": "pillar_share", "pillar": "a", "max": 0.8}],
        {},
        lambda p: _gov(p, x=1, y=-1),
    ),
    "new_initiative_share": (
        tiny(lines=[tiny()["lines"][0], {**tiny()["lines"][1], "new": True}]),
        [{"rule": "new_initiative_share", "min": 0.2}],
        {},
        lambda p: _gov(p, x=1, y=-1),
    ),
    "ramp": (
        TWO_YEARS,
        [{"rule": "ramp", "max_change": 0.1}],
        {},
        lambda p: _gov(p, x_2027=-9, y_2027=9),
    ),
    "cardinality": (
        SELECTABLE,
        [{"rule": "cardinality", "group": "g", "max": 1}],
        {},
        lambda p: {"selected": {"s1": True, "s2": True}},
    ),
    "exclusive": (
        SELECTABLE,
        [{"rule": "exclusive", "group": "g"}],
        {},
        lambda p: {"selected": {"s1": True, "s2": True}},
    ),
    "growth": (
        TWO_YEARS,
        [{"rule": "growth", "of": "a", "max": 0.5}],
        {},
        lambda p: _gov(p, x_2026=-40, y_2026=40),
    ),
    "implies": (
        SELECTABLE,
        [{"rule": "implies", "if": "s1", "then": "not s2"}],
        {},
        lambda p: {"selected": {"s1": True, "s2": True}},
    ),
    "group_total": (
        tiny(lines=[{**tiny()["lines"][0], "groups": ["g"]}, tiny()["lines"][1]]),
        [{"rule": "group_total", "group": "g", "max": 50}],
        {},
        lambda p: _gov(p, x=1, y=-1),
    ),
    "relation": (
        tiny(),
        [{"rule": "relation", "expr": "b >= 0.25 * a"}],
        {},
        lambda p: _gov(p, x=1, y=-1),
    ),
}


def test_every_check_has_a_tamper_case() -> None:
    """A check added to the registry without a case here fails this test."""
    assert set(CASES) == set(CORE_CHECKS) | set(RULE_CHECKS)


def test_every_rule_kind_has_exactly_one_check() -> None:
    assert set(RULE_CHECKS) == set(RULE_KINDS)


@pytest.mark.parametrize("name", sorted(set(CORE_CHECKS) | set(RULE_CHECKS)))
def test_checker_reports_a_plan_pushed_past_each_rule(name: str) -> None:
    instance, rules, fields, tamper = CASES[name]
    res = run(instance, rules, **fields)
    assert res.status == allocator.Status.optimal
    plan = res.plan()
    assert verify(res.instance, res.model, plan, res.objective) == []
    broken = dataclasses.replace(plan, **tamper(plan))
    found = verify(res.instance, res.model, broken, None)
    mine = [v for v in found if v.kind == name]
    assert mine, f"{name}: the checker did not report it; it found {[str(v) for v in found]}"
    assert all(v.by > 0 and v.unit for v in mine)
