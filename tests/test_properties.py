"""Properties of the optimum on generated instances (tests/generate.py: feasible or infeasible by
construction, LP and MIP), each stated in its test's docstring."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator import Status
from tests.generate import random_case

SETTINGS = settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
seeds = st.integers(min_value=0, max_value=10**6)


def solve(inst: dict[str, Any], model: dict[str, Any]) -> allocator.Result:
    return allocator.solve(
        allocator.Instance.model_validate(inst),
        allocator.ModelSpec.model_validate(model),
        mip_gap=1e-9,
    )


def close(a: float | None, b: float | None) -> bool:
    assert a is not None
    assert b is not None
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-6)


def _scale(value: Any, c: float) -> Any:
    if isinstance(value, dict):
        return {k: v * c for k, v in value.items()}
    return value * c


@SETTINGS
@given(seeds, st.booleans())
def test_every_answer_passes_the_independent_checker(seed: int, mip: bool) -> None:
    """A returned allocation satisfies every rule of its instance, re-checked independently."""
    res = solve(*random_case(seed, mip=mip))
    assert res.status == Status.optimal
    assert res.verified, res.violations


@SETTINGS
@given(seeds, st.booleans(), st.floats(min_value=1.0, max_value=3.0))
def test_more_budget_never_lowers_max_impact(seed: int, mip: bool, factor: float) -> None:
    """Without must_spend, a larger budget only widens the feasible set of a max_impact model."""
    inst, model = random_case(seed, mip=mip)
    model.update(objective="max_impact", must_spend=False)
    richer = copy.deepcopy(inst)
    richer["budget"] = _scale(inst["budget"], factor)
    base, more = solve(inst, model), solve(richer, model)
    assert base.objective is not None
    assert more.objective is not None
    assert more.objective >= base.objective - 1e-6 * max(1.0, abs(base.objective))


@SETTINGS
@given(seeds, st.booleans(), st.sampled_from([0.001, 7.0, 1000.0]))
def test_scaling_money_scales_the_allocation(seed: int, mip: bool, c: float) -> None:
    """Every money figure × c (yields ÷ c, so KPI levels stay): with hard targets the optimum
    scales by c (max_impact, min_cost) and the base plan × c stays feasible and optimal."""
    inst, model = random_case(seed, mip=mip)
    if model["objective"] == "goal":
        model["objective"] = "min_cost"
    model["targets"] = {**model.get("targets", {}), "mode": "hard"}
    scaled = copy.deepcopy(inst)
    for field in ("budget", "private_pool"):
        if field in scaled:
            scaled[field] = _scale(scaled[field], c)
    for line in scaled["lines"]:
        for field in ("min", "max", "unit_cost"):
            if field in line:
                line[field] = _scale(line[field], c)
        line["yields"] = {k: v / c for k, v in line.get("yields", {}).items()}
    base, big = solve(inst, model), solve(scaled, model)
    assert base.status == big.status
    if base.status == Status.optimal:
        assert close(big.objective, c * base.objective)  # type: ignore[operator]


@SETTINGS
@given(seeds, st.booleans(), st.randoms(use_true_random=False))
def test_reordering_lines_changes_nothing(seed: int, mip: bool, rnd: Any) -> None:
    """The optimum does not depend on the order lines are listed in."""
    inst, model = random_case(seed, mip=mip)
    shuffled = copy.deepcopy(inst)
    rnd.shuffle(shuffled["lines"])
    a, b = solve(inst, model), solve(shuffled, model)
    assert a.status == b.status
    assert close(a.objective, b.objective)


@SETTINGS
@given(seeds)
def test_lp_primal_and_dual_objectives_agree(seed: int) -> None:
    """Strong duality: the LP optimum equals its dual objective built from HiGHS's duals."""
    res = solve(*random_case(seed, mip=False))
    assert res.solution is not None
    assert close(res.solution.dual_objective, res.objective)


@SETTINGS
@given(seeds)
def test_integer_lines_get_whole_units(seed: int) -> None:
    """Money on an integer line is a whole number of its unit cost, every year."""
    inst, model = random_case(seed, mip=True)
    res = solve(inst, model)
    alloc = res.allocation.groupby(["line", "year"]).amount.sum()
    for line in res.instance.lines:
        if line.integer:
            for year in res.instance.years:
                units = alloc[line.id, year] / line.unit_cost
                assert units == pytest.approx(round(units), abs=1e-6)


@SETTINGS
@given(seeds, st.booleans())
def test_infeasible_by_construction_is_reported_infeasible(seed: int, mip: bool) -> None:
    """An instance made infeasible on purpose is reported infeasible, with no allocation."""
    res = solve(*random_case(seed, mip=mip, infeasible=True))
    assert res.status == Status.infeasible
    with pytest.raises(allocator.NoAllocationError):
        _ = res.allocation


def _planning_case(draw: Any) -> dict[str, Any]:
    """Two or three years, three lines and every planning feature with drawn figures: a fund,
    a curve (concave or with a threshold), a team cohort, a GPU stock with a lifetime, carry-over,
    fractional membership."""
    years = [2026, 2027, 2028][: draw(st.integers(2, 3))]
    money = st.floats(1, 100, allow_nan=False).map(lambda v: round(v, 2))
    rate = st.floats(0, 4, allow_nan=False).map(lambda v: round(v, 2))
    points = sorted(draw(st.sets(st.integers(1, 120), min_size=1, max_size=3)))
    curve = [[0, 0]] + [[m, round(draw(st.floats(0, 300)), 2)] for m in points]
    lines = [
        {
            "id": "x",
            "name": "X",
            "pillar": {"a": 0.6, "b": 0.4},
            "impact": draw(rate),
            "max": draw(money),
            "private_impact": draw(rate),
            "yields": {"gpus": draw(rate)},
        },
        {"id": "c", "name": "C", "pillar": "b", "curve": curve},
        {
            "id": "t",
            "name": "T",
            "pillar": "a",
            "impact": draw(rate),
            "integer": True,
            "unit_cost": draw(money),
            "span": draw(st.integers(1, 3)),
            "max_starts": draw(st.integers(0, 3)),
        },
    ]
    fund = {
        "id": "f",
        "name": "F",
        "seed": ["t"],
        "lines": ["x"],
        "leverage": draw(rate),
        "cap": draw(money),
    }
    kpi = {
        "id": "gpus",
        "name": "GPUs",
        "baseline": draw(money),
        "lifetime": draw(st.integers(1, 3)),
        "baseline_year": 2025,
    }
    return {
        "name": "p",
        "years": years,
        "budget": draw(money),
        "carryover": draw(money),
        "pillars": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"}],
        "kpis": [kpi],
        "lines": lines,
        "funds": [fund],
        "targets": [{"kpi": "gpus", "year": years[-1], "value": draw(money)}],
    }


@SETTINGS
@given(st.data())
def test_planning_answers_pass_the_independent_checker(data: st.DataObject) -> None:
    """Whatever the figures of the planning features, the answer is optimal (every rule can hold
    by spending nothing but the schedule-free minimum: no floors are drawn) and the independent
    checker re-verifies every rule and the objective on it."""
    res = solve(_planning_case(data.draw), {"name": "m"})
    assert res.status == Status.optimal
    assert res.verified, res.violations
