"""One test per rule: a tiny instance where the rule binds and changes the answer.

Base case (see conftest.BASE): budget 100; x (pillar a, impact 3, max 80), y (pillar b, impact 1,
max 100). With no rule beyond the core ones the optimum is x = 80, y = 20, objective 260."""

from __future__ import annotations

from typing import Any

import pytest

from allocator import InputError, Status
from tests.helpers import gov, private, run, tiny


def test_max_impact_base_case_optimum() -> None:
    res = run(tiny())
    assert res.status == Status.optimal
    assert res.objective == pytest.approx(260)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((80, 20))


def test_budget_binds() -> None:
    res = run(tiny(budget=50))
    assert res.objective == pytest.approx(150)
    assert gov(res, "x") == pytest.approx(50)


def test_must_spend_forces_a_loss_making_line() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": -1, "max": 100},
    ]
    assert run(tiny(lines=lines)).objective == pytest.approx(240)
    res = run(tiny(lines=lines), must_spend=True)
    assert res.objective == pytest.approx(220)
    assert gov(res, "y") == pytest.approx(20)


def _levered(pool: float) -> dict[str, object]:
    return tiny(
        private_pool=pool,
        lines=[
            {
                "id": "x",
                "name": "X",
                "pillar": "a",
                "impact": 3,
                "max": 80,
                "leverage": 2,
                "private_impact": 1,
            },
            {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
        ],
    )


def test_private_pool_binds() -> None:
    res = run(_levered(100))
    assert private(res, "x") == pytest.approx(100)
    assert res.objective == pytest.approx(260 + 100)


def test_leverage_binds() -> None:
    res = run(_levered(500))
    assert private(res, "x") == pytest.approx(160)
    assert res.objective == pytest.approx(260 + 160)


def test_no_pool_means_no_private_money() -> None:
    res = run(_levered(0))
    assert private(res, "x") == 0
    assert res.objective == pytest.approx(260)


def test_line_bounds_min_binds() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "min": 30},
    ]
    res = run(tiny(lines=lines))
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((70, 30))
    assert res.objective == pytest.approx(240)


def test_line_bounds_max_binds_per_year() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": {2026: 40, 2027: 90}},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1},
    ]
    res = run(tiny(years=[2026, 2027], lines=lines))
    assert gov(res, "x", 2026) == pytest.approx(40)
    assert gov(res, "x", 2027) == pytest.approx(90)
    assert res.objective == pytest.approx(3 * 130 + 70)


def test_go_no_go_line_is_all_or_nothing() -> None:
    # z is worth 2 per won but, if chosen, must get at least 50: without select it is forced in
    # (x 50, z 50: 250); with select the plan may drop it and take x 80, y 20 (260).
    z = {"id": "z", "name": "Z", "pillar": "b", "impact": 2, "min": 50, "max": 60}
    forced = run(tiny(lines=[*tiny()["lines"], z]))
    assert forced.objective == pytest.approx(250)
    optional = run(tiny(lines=[*tiny()["lines"], {**z, "select": True}]))
    assert optional.objective == pytest.approx(260)
    assert gov(optional, "z") == 0
    assert optional.selected.set_index("line").selected.to_dict() == {"z": False}


def test_pillar_share_min_binds() -> None:
    res = run(tiny(), [{"rule": "pillar_share", "pillar": "b", "min": 0.4}])
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((60, 40))
    assert "pillar_share_min[b,2026]" in set(res.explain().rule)


def test_pillar_share_max_binds() -> None:
    res = run(tiny(), [{"rule": "pillar_share", "pillar": "a", "max": "50%"}])
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((50, 50))
    assert res.objective == pytest.approx(200)


def test_new_initiative_share_binds() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "new": True},
    ]
    res = run(tiny(lines=lines), [{"rule": "new_initiative_share", "min": 0.3}])
    assert gov(res, "y") == pytest.approx(30)
    assert res.objective == pytest.approx(240)


def test_new_initiative_share_in_the_years_given() -> None:
    """Budget 100 a year; x worth 3 (max 80), z worth 2 (max 20), new y worth 1. Held in 2026
    only: 2026 gives y 0.3 × 100 = 30 and x the other 70 (210 + 30 = 240 beats x 50, z 20: 220);
    2027 is free: x 80, z 20 (280). Objective 520. A year outside the instance is named."""
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "new": True, "max": 100},
        {"id": "z", "name": "Z", "pillar": "b", "impact": 2, "max": 20},
    ]
    rule = {"rule": "new_initiative_share", "min": 0.3, "years": [2026]}
    res = run(tiny(years=[2026, 2027], lines=lines), [rule])
    assert gov(res, "y", 2026) == pytest.approx(30)
    assert gov(res, "y", 2027) == pytest.approx(0)
    assert res.objective == pytest.approx(70 * 3 + 30 + 80 * 3 + 20 * 2)
    assert "new_initiative_share[2027]" not in set(res.explain().rule)
    with pytest.raises(InputError, match=r"years.*2031 is outside the instance's years"):
        run(tiny(years=[2026, 2027], lines=lines), [{**rule, "years": [2031]}])


def test_ramp_limits_growth_to_a_share_of_the_cap() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": {2026: 20, 2027: 80}},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1},
    ]
    res = run(tiny(years=[2026, 2027], lines=lines), [{"rule": "ramp", "max_change": 0.25}])
    assert gov(res, "x", 2027) == pytest.approx(20 + 0.25 * 80)
    # y has no cap: its step is 0.25 of the budget, so y moves 80 → 60 (by 20 ≤ 25).
    assert gov(res, "y", 2027) == pytest.approx(60)


def test_ramp_without_a_cap_uses_the_budget() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 1, "max": {2026: 0}},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 0},
    ]
    res = run(tiny(years=[2026, 2027], lines=lines), [{"rule": "ramp", "max_change": 0.1}])
    assert gov(res, "x", 2027) == pytest.approx(10)


def test_requires_pulls_in_a_prerequisite() -> None:
    lines = [
        {
            "id": "x",
            "name": "X",
            "pillar": "a",
            "impact": 3,
            "max": 80,
            "select": True,
            "requires": ["y"],
        },
        {"id": "y", "name": "Y", "pillar": "b", "impact": -1, "min": 30, "select": True},
    ]
    res = run(tiny(lines=lines))
    assert gov(res, "y") == pytest.approx(30)
    assert res.objective == pytest.approx(3 * 70 - 30)


def test_exclusive_allows_one_of_a_group() -> None:
    lines = [
        {
            "id": "x",
            "name": "X",
            "pillar": "a",
            "impact": 3,
            "max": 50,
            "select": True,
            "groups": ["site"],
        },
        {
            "id": "y",
            "name": "Y",
            "pillar": "b",
            "impact": 2,
            "max": 50,
            "select": True,
            "groups": ["site"],
        },
    ]
    assert run(tiny(lines=lines)).objective == pytest.approx(250)
    res = run(tiny(lines=lines), [{"rule": "exclusive", "group": "site"}])
    assert res.objective == pytest.approx(150)
    assert gov(res, "y") == 0


def test_cardinality_caps_a_group() -> None:
    lines = [
        {
            "id": f"t{i}",
            "name": f"Team {i}",
            "pillar": "a",
            "impact": 4 - i,
            "max": 30,
            "select": True,
            "groups": ["llm"],
        }
        for i in range(3)
    ]
    res = run(tiny(lines=lines), [{"rule": "cardinality", "group": "llm", "max": 2}])
    assert res.objective == pytest.approx(4 * 30 + 3 * 30)
    assert gov(res, "t2") == 0


def test_exclusive_over_fixed_lines_is_infeasible() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "groups": ["g"]},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "groups": ["g"]},
    ]
    res = run(tiny(lines=lines), [{"rule": "exclusive", "group": "g"}])
    assert res.status == Status.infeasible
    assert list(res.explain().rule) == ["exclusive[g]"]


def test_integer_units_come_whole() -> None:
    lines = [
        {
            "id": "x",
            "name": "X",
            "pillar": "a",
            "impact": 3,
            "max": 80,
            "integer": True,
            "unit_cost": 30,
        },
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1},
    ]
    res = run(tiny(lines=lines))
    assert gov(res, "x") == pytest.approx(60)
    assert res.objective == pytest.approx(220)


def _kpi_case(cumulative: bool, hard_value: float) -> dict[str, object]:
    return tiny(
        years=[2026, 2027],
        kpis=[
            {
                "id": "k",
                "name": "Experts",
                "unit": "people",
                "baseline": 5,
                "cumulative": cumulative,
            }
        ],
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
            {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "yields": {"k": 2}},
        ],
        targets=[{"kpi": "k", "year": 2027, "value": hard_value}],
    )


def test_kpi_level_cumulative_counts_every_year_so_far() -> None:
    # level 2027 = 5 + 2·(y26 + y27); a hard target of 125 needs y26 + y27 ≥ 60.
    res = run(_kpi_case(True, 125), targets={"mode": "hard"})
    kpis = res.kpis.set_index("year")
    assert kpis.loc[2027, "level"] == pytest.approx(125)
    # Unconstrained, y gets 20 a year (40 in all): 20 more must move from x, at 2 impact each.
    assert res.objective == pytest.approx(2 * 260 - 2 * 20)
    assert gov(res, "y", 2026) + gov(res, "y", 2027) == pytest.approx(60)


def test_kpi_level_flow_counts_only_its_year() -> None:
    # level 2027 = 5 + 2·y27; the hard target 125 needs y27 ≥ 60, so x27 ≤ 40.
    res = run(_kpi_case(False, 125), targets={"mode": "hard"})
    assert gov(res, "y", 2027) == pytest.approx(60)
    assert res.objective == pytest.approx(260 + 3 * 40 + 60)


def test_soft_target_trades_shortfall_for_impact() -> None:
    # Each won moved from x to y costs 2 impact and closes 2/125 of the flow target: with weight
    # 100 that is worth 1.6 < 2, so the soft target is left short; with weight 200 (3.2 > 2) it
    # is met.
    cheap = run(_kpi_case(False, 125), targets={"weights": {"k": 100}})
    assert gov(cheap, "y", 2027) == pytest.approx(20)
    short = 125 - (5 + 2 * 20)
    assert cheap.objective == pytest.approx(520 - 100 * short / 125)
    dear = run(_kpi_case(False, 125), targets={"weights": {"k": 200}})
    assert gov(dear, "y", 2027) == pytest.approx(60)
    assert dear.kpis.set_index("year").loc[2027, "shortfall"] == pytest.approx(0)


def test_hard_target_out_of_reach_is_infeasible() -> None:
    res = run(_kpi_case(False, 1000), targets={"mode": "hard"})
    assert res.status == Status.infeasible


def test_min_cost_meets_hard_targets_at_least_cost() -> None:
    res = run(_kpi_case(True, 125), objective="min_cost")
    assert res.objective == pytest.approx(60)
    assert gov(res, "x", 2026) + gov(res, "x", 2027) == pytest.approx(0)


def test_goal_minimises_weighted_shortfall() -> None:
    res = run(_kpi_case(False, 1000), objective="goal", targets={"weights": {"k": 3}})
    # best flow: y27 = 100 → level 205, shortfall 795 of 1000, weight 3.
    assert res.objective == pytest.approx(3 * 795 / 1000)


# -- planning features (funds, carry-over, schedules, cohorts, stocks, curves, regions) --------


def _fund(**fund: object) -> dict[str, object]:
    """x (a, impact 3, max 80, private_impact 1.5) takes the fund's money; y (b, impact 1) seeds."""
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80, "private_impact": 1.5},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    spec = {"id": "F", "name": "Fund F", "seed": ["y"], "lines": ["x"], "leverage": 2, **fund}
    return tiny(lines=lines, funds=[spec])


def test_fund_leverage_and_cap_set_the_seed() -> None:
    """Each won seeded into y is worth 1 + 2 × 1.5 = 4 > 3 (x) while the fund can still draw;
    the cap of 60 is reached at a seed of 30: y = 30, x = 70, draw 60, objective
    70·3 + 30 + 60·1.5 = 330."""
    res = run(_fund(cap=60))
    assert res.objective == pytest.approx(330)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((70, 30))
    funding = res.funding()
    drawn = funding[(funding.source == "F") & (funding.pillar == "a")].amount.sum()
    assert drawn == pytest.approx(60)
    assert res.audit().set_index("rule").loc["fund_cap[F,2026]", "state"] == "binding"


def test_fund_leverage_is_cumulative_over_years() -> None:
    """Seed paid in 2026 backs draws in 2027: the fund may draw nothing in 2026 (cap 0) and y
    gets no money in 2027 (max 0). 2026: x 0, y 100 (each seed won is worth 1 + 2·1.5 = 4 > 3
    through 2027's draw); 2027: x 80 and a draw of 200: 100 + 240 + 300 = 640."""
    data = _fund(cap={2026: 0})
    data["years"] = [2026, 2027]
    data["lines"][1]["max"] = {2026: 100, 2027: 0}  # type: ignore[index]
    res = run(data)
    assert res.objective == pytest.approx(640)
    assert gov(res, "y", 2026) == pytest.approx(100)
    alloc = res.allocation
    assert alloc[(alloc.source == "F") & (alloc.year == 2027)].amount.sum() == pytest.approx(200)


def test_fund_limits_floor_and_minimum_leverage() -> None:
    """With no value on the fund's money (private_impact 0): a horizon floor of 50 forces a
    seed of 25 (x 75, y 25: 250); a minimum leverage of 1.5 with a cap of 20 holds the seed to
    20 / 1.5 = 13.33 (x 80: 240 + 13.33)."""
    floor = _fund(total_min=50)
    floor["lines"][0]["private_impact"] = 0  # type: ignore[index]
    res = run(floor)
    assert res.objective == pytest.approx(250)
    assert gov(res, "y") == pytest.approx(25)
    ratio = _fund(min_leverage=1.5, cap=20)
    ratio["lines"][0]["private_impact"] = 0  # type: ignore[index]
    res = run(ratio)
    assert res.objective == pytest.approx(240 + 20 / 1.5)


def test_carryover_moves_money_to_the_year_it_is_worth_more() -> None:
    """x is capped at 20 in 2026 and 150 in 2027; a won carried is worth 3 in 2027 instead of 1
    (y) in 2026, so the 50 cap is carried: 2026 x 20 + y 30; 2027 x 150: 60 + 30 + 450 = 540
    (440 without carry-over)."""
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": {2026: 20, 2027: 150}},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    data = tiny(years=[2026, 2027], lines=lines)
    assert run(data).objective == pytest.approx(440)
    res = run({**data, "carryover": 50})
    assert res.objective == pytest.approx(540)
    assert gov(res, "x", 2027) == pytest.approx(150)
    assert res.audit().set_index("rule").loc["carryover_max[2026]", "state"] == "binding"


def _scheduled(impact: float) -> dict[str, object]:
    line = {
        "id": "z",
        "name": "Z centre",
        "pillar": "a",
        "impact": impact,
        "select": True,
        "schedule": {2026: 40, 2027: 100},
    }
    return tiny(years=[2026, 2027], lines=[*tiny()["lines"], line])


def test_schedule_funds_a_project_all_or_nothing() -> None:
    """Without z: x 80 + y 20 a year, 520. With z (impact 2.5) on its schedule: 2026 x 60 +
    z 40 = 280, 2027 z 100 = 250 (worse than 260 alone, but the schedule ties the years): 530.
    With impact 2 the project loses (260 + 200 < 520) and is not selected."""
    res = run(_scheduled(2.5))
    assert res.objective == pytest.approx(530)
    assert (gov(res, "z", 2026), gov(res, "z", 2027)) == pytest.approx((40, 100))
    res = run(_scheduled(2.0))
    assert res.objective == pytest.approx(520)
    assert gov(res, "z", 2027) == pytest.approx(0)


def test_cohort_keeps_started_teams_funded_and_caps_starts() -> None:
    """Teams cost 10 a year for a span of 2 years (value 4 per won against x's 3): each
    team-year adds 10; at most 3 teams start, best in 2026 or 2027 (two team-years each inside
    the horizon): 3 × 2 × 10 = 60 over x alone (900): 960."""
    team = {
        "id": "t",
        "name": "LLM teams",
        "pillar": "b",
        "impact": 4,
        "integer": True,
        "unit_cost": 10,
        "span": 2,
        "max_starts": 3,
    }
    x = {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 100}
    res = run(tiny(years=[2026, 2027, 2028], lines=[x, team]))
    assert res.objective == pytest.approx(960)
    per_year = [gov(res, "t", y) / 10 for y in (2026, 2027, 2028)]
    assert sum(per_year) == pytest.approx(6)
    starts = res.plan().starts
    assert sum(starts.values()) == pytest.approx(3)
    for y, n in ((2027, per_year[1]), (2028, per_year[2])):
        assert n >= starts["t", y - 1] - 1e-9  # once started, it continues


def test_kpi_level_retires_additions_after_their_lifetime() -> None:
    """GPUs live 2 years; the baseline 10 was added in 2025, so it is gone in 2027. A target of
    30 in 2028 then needs 30 bought in 2027-28 (cost 30), not 20 as with no lifetime."""
    kpi = {"id": "gpus", "name": "GPUs", "baseline": 10, "lifetime": 2, "baseline_year": 2025}
    x = {"id": "x", "name": "X", "pillar": "a", "max": 100, "yields": {"gpus": 1}}
    data = tiny(
        years=[2026, 2027, 2028],
        lines=[x],
        kpis=[kpi],
        targets=[{"kpi": "gpus", "year": 2028, "value": 30}],
    )
    assert run(data, objective="min_cost").objective == pytest.approx(30)
    forever = {**data, "kpis": [{"id": "gpus", "name": "GPUs", "baseline": 10}]}
    assert run(forever, objective="min_cost").objective == pytest.approx(20)
    fixed = tiny(years=[2026, 2027, 2028], lines=[{**x, "min": 10, "max": 10}], kpis=[kpi])
    levels = run(fixed).kpis.level.tolist()
    assert levels == pytest.approx([20, 20, 20])  # 10 + 10; then two years of additions


def test_curve_diminishing_returns_stay_an_lp() -> None:
    """c's curve 0:0; 50:100; 100:150 (2 then 1 per won) against x at 1.5: c gets its first 50,
    x the other 50: 100 + 75 = 175."""
    lines = [
        {"id": "c", "name": "C", "pillar": "a", "curve": "0:0; 50:100; 100:150"},
        {"id": "x", "name": "X", "pillar": "b", "impact": 1.5, "max": 100},
    ]
    res = run(tiny(lines=lines))
    assert res.objective == pytest.approx(175)
    assert gov(res, "c") == pytest.approx(50)
    assert res.built is not None
    assert not res.built.reached  # no binaries: still an LP


def test_curve_with_a_threshold_becomes_a_mip() -> None:
    """c is worth nothing below 40, then 2 per won up to 100 (value 120 at 100); x is worth 1.5
    up to 60. Filling c's second segment without its first (LP relaxation: 60 × 2 + 40 × 1.5 =
    180) is ruled out: c 100 (120) beats x 60 + c 40 (90)."""
    lines = [
        {"id": "c", "name": "C", "pillar": "a", "curve": [[0, 0], [40, 0], [100, 120]]},
        {"id": "x", "name": "X", "pillar": "b", "impact": 1.5, "max": 60},
    ]
    res = run(tiny(lines=lines))
    assert res.objective == pytest.approx(120)
    assert gov(res, "c") == pytest.approx(100)


def test_group_total_floors_a_region_and_a_group_share() -> None:
    """A floor of 50 for region r2 (line y) moves money from x: 50·3 + 50 = 200. A group share
    of at least 30 % over the horizon for group g (line y) gives y 30: 210 + 30 = 240."""
    regions = [{"id": "r1", "name": "Gwangju"}, {"id": "r2", "name": "Daegu"}]
    lines = [
        {**tiny()["lines"][0], "region": "r1"},
        {**tiny()["lines"][1], "region": "r2", "groups": ["g"]},
    ]
    data = tiny(regions=regions, lines=lines)
    res = run(data, [{"rule": "group_total", "region": "r2", "min": 50}])
    assert res.objective == pytest.approx(200)
    res = run(data, [{"rule": "group_total", "group": "g", "min_share": 0.3, "over": "horizon"}])
    assert res.objective == pytest.approx(240)


def test_pillar_share_with_fractional_membership() -> None:
    """x is half a, half b. Pillar b ≥ 70 %: 0.5x + y ≥ 0.7(x + y) ⇔ y ≥ 2x/3, so x 60, y 40:
    220; pillar b holds 0.5·60 + 40 = 70."""
    lines = [{**tiny()["lines"][0], "pillar": "a: 0.5; b: 0.5"}, tiny()["lines"][1]]
    res = run(tiny(lines=lines), [{"rule": "pillar_share", "pillar": "b", "min": 0.7}])
    assert res.objective == pytest.approx(220)
    pillars = res.pillars.set_index("pillar")
    assert pillars.loc["b", "government"] == pytest.approx(70)
    assert pillars.loc["b", "share"] == pytest.approx(0.7)


def test_relation_binds_between_pillars() -> None:
    """`b >= 0.5 * a` on the base case: y ≥ 0.5·x with x + y ≤ 100. Along the budget line the
    objective is 3x + (100 − x) = 100 + 2x, largest where y = 0.5x: x = 200/3, y = 100/3,
    objective 100 + 400/3 = 233.33 (x = 80 would need y ≥ 40, 120 in all)."""
    res = run(tiny(), [{"rule": "relation", "expr": "b >= 0.5 * a"}])
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((200 / 3, 100 / 3))
    assert res.objective == pytest.approx(100 + 400 / 3)
    assert "relation[b>=0.5*a,2026]" in set(res.explain().rule)


def test_relation_with_money_units_lines_groups_and_a_name() -> None:
    """`` `x-1` <= 300억 + 20 ``: 300억 = 30 bn, so x-1 ≤ 50; y takes the other 50:
    objective 3·50 + 50 = 200. A qualified group on the left and line on the right,
    `group:g >= 2 * line:y` with g = {x-1}: the base optimum x = 80, y = 20 has 80 ≥ 40, so the
    rule is slack and the optimum stays 260."""
    lines = [
        {"id": "x-1", "name": "X", "pillar": "a", "impact": 3, "max": 80, "groups": ["g"]},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    capped = run(
        tiny(lines=lines),
        [{"rule": "relation", "expr": "`x-1` <= 300억 + 20", "name": "x_cap"}],
    )
    assert gov(capped, "x-1") == pytest.approx(50)
    assert capped.objective == pytest.approx(200)
    assert "relation[x_cap,2026]" in set(capped.explain().rule)
    slack = run(tiny(lines=lines), [{"rule": "relation", "expr": "group:g >= 2 * line:y"}])
    assert slack.objective == pytest.approx(260)


def test_relation_only_in_its_years_and_on_total_money() -> None:
    """Two years; `b >= a` only in 2027 (years: [2027]): 2026 is the base case (x 80, y 20: 260);
    2027 has x = y = 50 (150 + 50 = 200); objective 460.

    With x fund-eligible in 2027 (leverage 1, pool 40, private impact 3): on government money the
    rule leaves g_x ≤ g_y, so g_x = 50 and p_x = 40: 150 + 50 + 120 = 320 in 2027. With
    `money: total` it reads g_x + p_x ≤ g_y = 100 − g_x, i.e. p_x ≤ 100 − 2·g_x; the 2027 value
    100 + 2·g_x + 3·p_x is then 400 − 4·g_x on that edge and 100 + 5·g_x below it (p_x ≤ g_x),
    best at g_x = p_x = 100/3: 800/3. Totals 580 and 260 + 800/3."""
    rule = {"rule": "relation", "expr": "b >= a", "years": [2027]}
    res = run(tiny(years=[2026, 2027]), [rule])
    assert gov(res, "x", 2026) == pytest.approx(80)
    assert gov(res, "x", 2027) == pytest.approx(50)
    assert res.objective == pytest.approx(460)
    lines = [
        {
            "id": "x",
            "name": "X",
            "pillar": "a",
            "impact": 3,
            "max": 80,
            "leverage": 1,
            "private_impact": 3,
        },
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    levered = tiny(years=[2026, 2027], lines=lines, private_pool={2026: 0, 2027: 40})
    government = run(levered, [rule])
    assert government.objective == pytest.approx(580)
    assert private(government, "x", 2027) == pytest.approx(40)
    total = run(levered, [{**rule, "money": "total"}])
    assert total.objective == pytest.approx(260 + 800 / 3)
    assert gov(total, "x", 2027) == pytest.approx(100 / 3)
    assert private(total, "x", 2027) == pytest.approx(100 / 3)


def _two_goals() -> dict[str, object]:
    """Budget 100; x (impact 3, max 80) yields k2 1 per bn, y (impact 1) yields k1 1 per bn
    (flows); targets k1 = 60 and k2 = 70 cannot both be met (130 > 100)."""
    return tiny(
        kpis=[
            {"id": "k1", "name": "K1", "cumulative": False},
            {"id": "k2", "name": "K2", "cumulative": False},
        ],
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80, "yields": {"k2": 1}},
            {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "yields": {"k1": 1}},
        ],
        targets=[
            {"kpi": "k1", "year": 2026, "value": 60},
            {"kpi": "k2", "year": 2026, "value": 70},
        ],
    )


def test_lexicographic_meets_levels_in_order() -> None:
    """Levels [k1], [k2], [max_impact]. Level 1: y = 60 meets k1, optimum 0, held (y ≥ 60).
    Level 2: x ≤ 40, k2 short by 30: optimum 30/70, held (x ≥ 40). Level 3: x = 40, y = 60,
    impact 3·40 + 60 = 180. The reverse order [k2], [k1], [max_impact] gives x = 70 (k2 met),
    y = 30 (k1 short 30/60 = 0.5) and impact 240."""
    levels: list[dict[str, Any]] = [
        {"name": "first", "goals": ["k1"]},
        {"name": "second", "goals": ["k2"]},
        {"name": "rest", "goals": ["max_impact"]},
    ]
    res = run(_two_goals(), objective="lexicographic", levels=levels)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((40, 60))
    assert res.objective == pytest.approx(180)
    optimum = {o.name: o.optimum for o in res.level_outcomes}
    assert optimum == pytest.approx({"first": 0, "second": 30 / 70, "rest": 180})
    table = res.levels().set_index("level")
    assert table.loc["second", "shortfall"] == pytest.approx(30)
    assert table.loc["second", "level_held_at"] == pytest.approx(30 / 70)
    assert "level_hold[first]" in set(res.audit().rule)
    levels[0]["goals"], levels[1]["goals"] = ["k2"], ["k1"]
    flipped = run(_two_goals(), objective="lexicographic", levels=levels)
    assert (gov(flipped, "x"), gov(flipped, "y")) == pytest.approx((70, 30))
    assert flipped.objective == pytest.approx(240)


def test_lexicographic_weights_and_tolerance() -> None:
    """One level [k1, k2 weight 2] then min_cost. On x + y = 100 a bn moved from y to x cuts k2's
    weighted shortfall by 2/70 and adds 1/60 to k1's: x goes to 70 (k2 met), y = 30, value
    30/60 = 0.5. Equal weights flip it (1/70 < 1/60): y = 60, x = 40, value 30/70.
    Tolerance: levels [k1], [k2, tolerance 0.5], [min_cost]: level 2's optimum 3/7 may rise to
    1.5·3/7 = 9/14, i.e. k2 short up to 45 (x ≥ 25) while y ≥ 60: the cheapest plan spends 85
    (x 25, y 60) instead of 100."""
    weighted: list[dict[str, Any]] = [
        {"name": "both", "goals": ["k1", {"kpi": "k2", "weight": 2}]},
        {"name": "cheap", "goals": ["min_cost"]},
    ]
    res = run(_two_goals(), objective="lexicographic", levels=weighted)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((70, 30))
    assert res.level_outcomes[0].optimum == pytest.approx(0.5)
    assert res.objective == pytest.approx(100)
    weighted[0]["goals"] = ["k1", "k2"]
    even = run(_two_goals(), objective="lexicographic", levels=weighted)
    assert (gov(even, "x"), gov(even, "y")) == pytest.approx((40, 60))
    loose: list[dict[str, Any]] = [
        {"name": "first", "goals": ["k1@2026"]},
        {"name": "second", "goals": ["k2"], "tolerance": 0.5},
        {"name": "cheap", "goals": [{"objective": "min_cost"}]},
    ]
    res = run(_two_goals(), objective="lexicographic", levels=loose)
    assert res.objective == pytest.approx(85)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((25, 60))
    assert res.level_outcomes[1].held_at == pytest.approx(1.5 * 3 / 7)
    exact = [{**loose[1], "tolerance": 0.0, "tolerance_abs": 15 / 70}]
    res = run(_two_goals(), objective="lexicographic", levels=[loose[0], *exact, loose[2]])
    assert res.objective == pytest.approx(85)


def test_selection_binds_every_source() -> None:
    """Issue 17's case: `lab` (go/no-go, requires the go/no-go `hub`) is eligible for fund F,
    whose seed is `s`. Selecting `hub` costs its minimum of 100, the whole budget, for 0.5 a won:
    50, and leaves no seed. Leaving both out, `s` takes the budget: 100, and F could back 200 of
    draws — but an unselected `lab` may draw nothing, so the optimum is 100 (before the
    `selection` rule it drew 200 and reported 300)."""
    data = tiny(
        budget={2026: 100},
        lines=[
            {"id": "s", "name": "S", "pillar": "a", "impact": 1, "max": 100},
            {
                "id": "hub",
                "name": "Hub",
                "pillar": "b",
                "impact": 0.5,
                "min": 100,
                "max": 100,
                "select": True,
            },
            {
                "id": "lab",
                "name": "Lab",
                "pillar": "b",
                "private_impact": 1,
                "max": 50,
                "select": True,
                "requires": ["hub"],
            },
        ],
        funds=[{"id": "F", "name": "F", "seed": ["s"], "lines": ["lab"], "leverage": 2}],
    )
    res = run(data)
    assert res.verified
    assert res.objective == pytest.approx(100)
    assert res.allocation[res.allocation.line == "lab"].amount.sum() == pytest.approx(0)
    assert res.selected.set_index("line").loc["lab", "selected"] == False  # noqa: E712


def test_line_total_caps_a_project_over_the_horizon() -> None:
    """Two years of budget 100: without a total, x takes its 80 each year (2 × 260 = 520); with
    `total_max: 100` x gets 100 over both years and y the other 100: 300 + 100 = 400."""
    lines = [{**tiny()["lines"][0], "total_max": 100}, tiny()["lines"][1]]
    assert run(tiny(years=[2026, 2027])).objective == pytest.approx(520)
    res = run(tiny(years=[2026, 2027], lines=lines))
    assert res.objective == pytest.approx(400)
    assert gov(res, "x", 2026) + gov(res, "x", 2027) == pytest.approx(100)
    assert res.audit().set_index("rule").loc["line_total[x]", "state"] == "binding"


def test_fund_line_cap_holds_a_fund_below_its_cap() -> None:
    """As test_fund_leverage_and_cap_set_the_seed, but the fund may draw at most 40 into x:
    the seed stops at 40 / 2 = 20, x takes its 80: 80·3 + 20 + 40·1.5 = 320 (330 with the fund
    cap of 60 alone)."""
    res = run(_fund(cap=60, line_caps={"x": 40}))
    assert res.objective == pytest.approx(320)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((80, 20))
    assert res.audit().set_index("rule").loc["fund_line_cap[F,x,2026]", "state"] == "binding"


def _kpi(**kpi: object) -> dict[str, object]:
    """y yields 1 unit of k per won; k's hard or soft target is given by the caller."""
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100, "yields": {"k": 1}},
    ]
    return tiny(lines=lines, kpis=[{"id": "k", "name": "K", "unit": "u", **kpi}])


def test_kpi_level_counts_exogenous_additions() -> None:
    """A hard target of 30 on k: y must give 30 (x 70: 210 + 30 = 240); with 5 added outside the
    budget y needs only 25 (x 75: 225 + 25 = 250), and the level is 30 either way."""
    target = [{"kpi": "k", "year": 2026, "value": 30}]
    hard: dict[str, Any] = {"targets": {"mode": "hard"}}
    assert run({**_kpi(), "targets": target}, **hard).objective == pytest.approx(240)
    res = run({**_kpi(additions={2026: 5}), "targets": target}, **hard)
    assert res.objective == pytest.approx(250)
    assert gov(res, "y") == pytest.approx(25)
    assert res.kpis.set_index("kpi").loc["k", "level"] == pytest.approx(30)


def test_kpi_level_additions_age_out_with_the_lifetime() -> None:
    """k is a stock with a one-year life: 10 added in 2026 count in 2026, not in 2027."""
    data = {**_kpi(additions={2026: 10}, lifetime=1), "years": [2026, 2027]}
    levels = run(data).kpis.set_index("year").level
    assert (levels[2026], levels[2027]) == pytest.approx((30, 20))


def test_target_at_most_is_an_upper_bound() -> None:
    """At most 10 units of k: y stops at 10 (the base optimum gives it 20), x keeps 80:
    240 + 10 = 250, under soft targets as well; the bound is not in the objective."""
    res = run({**_kpi(), "targets": [{"kpi": "k", "year": 2026, "value": 10, "at_most": True}]})
    assert res.objective == pytest.approx(250)
    assert gov(res, "y") == pytest.approx(10)
    row = res.kpis.set_index("kpi").loc["k"]
    assert (row["level"], row["at_most"]) == pytest.approx((10, 10))
    assert res.audit().set_index("rule").loc["target_max[k,2026]", "state"] == "binding"


def test_kpi_level_counts_a_funded_projects_delivery() -> None:
    """A hard target of 30 on k: y alone must give 30 (x 70: 240). The go/no-go project s costs
    exactly 10 and is worth nothing itself, but delivers 20 units once it is funded: s 10,
    y 10, x 80 gives 240 + 10 = 250, so it is funded and the level is 20 + 10 = 30."""
    project = {
        "id": "s",
        "name": "S",
        "pillar": "b",
        "min": 10,
        "max": 10,
        "select": True,
        "delivers": {"k": {2026: 20}},
    }
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100, "yields": {"k": 1}},
        project,
    ]
    data = tiny(lines=lines, kpis=[{"id": "k", "name": "K", "unit": "u"}])
    hard: dict[str, Any] = {"targets": {"mode": "hard"}}
    res = run({**data, "targets": [{"kpi": "k", "year": 2026, "value": 30}]}, **hard)
    assert res.objective == pytest.approx(250)
    assert (gov(res, "s"), gov(res, "y")) == pytest.approx((10, 10))
    assert res.kpis.set_index("kpi").loc["k", "level"] == pytest.approx(30)


# -- capital budgeting: profiles, returns, cash, borrowing, final cash ----------------------------


def _periods(**changes: Any) -> dict[str, Any]:
    """Two periods 0 and 1 in m USD with the given lines."""
    return tiny(years=[0, 1], currency_unit="m_usd", **changes)


def test_profile_divisible_project_is_taken_in_part() -> None:
    """A (outlay 10 then 2, NPV 30) is worth 3 per unit of period-0 money, B (5 then 4, NPV 10)
    2: with 8 in period 0, A is taken at 0.8 (8 then 1.6), B not at all; NPV 24, and one more
    unit of period-0 money is worth 3."""
    lines = [
        {"id": "A", "name": "A", "pillar": "a", "profile": {0: 10, 1: 2}, "value": 30},
        {"id": "B", "name": "B", "pillar": "b", "profile": {0: 5, 1: 4}, "value": 10},
    ]
    res = run(_periods(budget={0: 8, 1: 4}, lines=lines))
    assert res.objective == pytest.approx(24)
    assert res.plan().scale == pytest.approx({"A": 0.8, "B": 0.0})
    assert (gov(res, "A", 0), gov(res, "A", 1)) == pytest.approx((8, 1.6))
    prices = res.shadow_prices().set_index("rule")
    assert prices.loc["budget[0]", "shadow_price"] == pytest.approx(3)


def test_profile_whole_copies_and_go_no_go() -> None:
    """Whole copies of (3 then 1, NPV 4) with 10 a period: 3 copies (9 then 3), NPV 12; as a
    go/no-go line (select) the same profile is taken once: NPV 4."""
    copies = {"id": "C", "name": "C", "pillar": "a", "profile": {0: 3, 1: 1}, "value": 4}
    res = run(_periods(budget=10, lines=[{**copies, "integer": True}]))
    assert res.objective == pytest.approx(12)
    assert (gov(res, "C", 0), gov(res, "C", 1)) == pytest.approx((9, 3))
    res = run(_periods(budget=10, lines=[{**copies, "select": True}]))
    assert res.objective == pytest.approx(4)
    assert gov(res, "C", 0) == pytest.approx(3)


def test_profile_inflow_raises_a_later_budget() -> None:
    """P costs 10 in period 0 and pays 12 back in period 1 (NPV 5); Y (impact 1) may spend the
    period-1 budget of 10 plus the 12 that comes back: 22, so the objective is 5 + 22 = 27 (not
    taking P: Y spends 10 + 10 = 20... of which only period-0 money counts twice)."""
    lines = [
        {"id": "P", "name": "P", "pillar": "a", "profile": {0: 10, 1: -12}, "value": 5},
        {"id": "Y", "name": "Y", "pillar": "b", "impact": 1, "max": {0: 0, 1: 100}},
    ]
    res = run(_periods(budget={0: 10, 1: 10}, lines=lines))
    assert res.objective == pytest.approx(27)
    assert gov(res, "Y", 1) == pytest.approx(22)
    assert res.cash().set_index("year").loc[1, "inflows"] == pytest.approx(12)


def test_profile_with_no_outlay_inside_the_horizon_counts_its_value() -> None:
    lines = [{"id": "L", "name": "Late", "pillar": "a", "profile": {}, "value": 7, "select": True}]
    res = run(_periods(budget=1, lines=lines))
    assert res.objective == pytest.approx(7)
    assert res.plan().selected == {"L": True}


def test_budget_counts_returns_on_money_spent_with_a_lag() -> None:
    """R returns 1.5 a period after each unit spent: 10 in period 0 (impact 10) returns 15, spent
    again in period 1 (impact 15): 25."""
    lines = [{"id": "R", "name": "R", "pillar": "a", "impact": 1, "returns": {1: 1.5}}]
    res = run(_periods(budget={0: 10, 1: 0}, lines=lines))
    assert res.objective == pytest.approx(25)
    assert (gov(res, "R", 0), gov(res, "R", 1)) == pytest.approx((10, 15))


def test_borrowing_funds_a_project_and_is_repaid_with_interest() -> None:
    """X needs 20 in period 0 (NPV 50) where the budget is 10: borrow 10 at 10 %, repay 11 from
    period 1's 100, leaving 89 for Y (impact 1): 50 + 89 = 139 (borrowing all 20 to spend 10 more
    on Y in period 0 costs 22 in period 1: 138)."""
    lines = [
        {"id": "X", "name": "X", "pillar": "a", "profile": {0: 20}, "value": 50},
        {"id": "Y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    res = run(
        _periods(budget={0: 10, 1: 100}, cash={"borrow": 20, "borrow_rate": 0.1}, lines=lines)
    )
    assert res.objective == pytest.approx(139)
    assert res.plan().borrow == pytest.approx({0: 10})
    assert gov(res, "Y", 1) == pytest.approx(89)
    cash = res.cash().set_index("year")
    assert list(cash.loc[0, ["budget", "borrowed", "spent"]]) == pytest.approx([10, 10, 20])
    assert list(cash.loc[1, ["budget", "repaid", "spent"]]) == pytest.approx([100, 11, 89])


def test_max_final_cash_with_interest_on_carried_cash() -> None:
    """100 at time 0; cash earns 10 % a period (1 → 1.21 by time 2); A returns 1.3 at time 2 per
    1 at time 0, at most 50: A = 50 gives 65, the other 50 carried gives 60.5: final cash 125.5."""
    lines = [
        {"id": "A", "name": "A", "pillar": "a", "profile": {0: 1, 2: -1.3}, "max_scale": 50},
    ]
    data = tiny(years=[0, 1, 2], budget={0: 100, 1: 0, 2: 0}, cash={"rate": 0.1}, lines=lines)
    res = run(data, objective="max_final_cash")
    assert res.objective == pytest.approx(125.5)
    assert res.plan().carry == pytest.approx({0: 50, 1: 55, 2: 125.5})
    cash = res.cash().set_index("year")
    assert list(cash.loc[2, ["inflows", "carried_in", "carried_out"]]) == pytest.approx(
        [65, 60.5, 125.5]
    )


def test_carryover_cap_of_the_cash_account_binds() -> None:
    """The same with at most 20 carried out of a period: A = 50, 20 carried into time 1 (22), of
    which 20 is carried on (22 at time 2): 65 + 22 = 87."""
    lines = [
        {"id": "A", "name": "A", "pillar": "a", "profile": {0: 1, 2: -1.3}, "max_scale": 50},
    ]
    cash = {"rate": 0.1, "carry": 20}
    data = tiny(years=[0, 1, 2], budget={0: 100, 1: 0, 2: 0}, cash=cash, lines=lines)
    res = run(data, objective="max_final_cash")
    assert res.objective == pytest.approx(87)
    assert res.plan().carry == pytest.approx({0: 20, 1: 20, 2: 87})


# -- two-sided logic: cardinality at least / exactly, exclusive exactly, any-of, if-then ----------


def _logic(**more: Any) -> dict[str, Any]:
    """Budget 100; x (impact 3, max 80), y (impact 1); go/no-go lines of exactly 10 each: a
    (impact 2: worth 10 more than y), b (0.5: 5 less), d (0: 10 less). The optimum takes a: x 80,
    a 10, y 10: 270."""

    def chosen(i: str, impact: float, groups: list[str]) -> dict[str, Any]:
        line = {"id": i, "name": i.upper(), "pillar": "b", "impact": impact, "min": 10}
        return {**line, "max": 10, "select": True, "groups": groups, **more.get(i, {})}

    return tiny(
        lines=[
            *tiny()["lines"],
            chosen("a", 2, ["g"]),
            chosen("b", 0.5, ["g", "h"]),
            chosen("d", 0, ["h"]),
        ]
    )


def _taken(res: Any) -> set[str]:
    return {k for k, v in res.plan().selected.items() if v}


def _expect(res: Any, objective: float, taken: set[str]) -> None:
    assert res.objective == pytest.approx(objective)
    assert _taken(res) == taken


def test_logic_base_case() -> None:
    res = run(_logic())
    assert res.objective == pytest.approx(270)
    assert _taken(res) == {"a"}


def test_cardinality_min_and_exactly() -> None:
    """At least 2 of {a, b}: both (270 − 5 = 265); exactly 0: neither (260)."""
    res = run(_logic(), [{"rule": "cardinality", "group": "g", "min": 2}])
    _expect(res, 265, {"a", "b"})
    res = run(_logic(), [{"rule": "cardinality", "group": "g", "exactly": 0}])
    _expect(res, 260, set())


def test_exclusive_exactly_one() -> None:
    """Exactly one of {b, d}: b, the cheaper (−5): 265."""
    res = run(_logic(), [{"rule": "exclusive", "group": "h", "exactly": True}])
    _expect(res, 265, {"a", "b"})


def test_requires_any_of() -> None:
    """a needs b or d: a with b (+10 − 5) beats neither: 265."""
    res = run(_logic(a={"requires_any": ["b", "d"]}))
    _expect(res, 265, {"a", "b"})


def test_implies_in_both_directions() -> None:
    """if a then b: 265 (a, b). If not b then d (one of them): b, 265. If a then not b, with
    exactly one of {b, d}: a and d (260) beat b alone (255). a if and only if b: 265."""
    cases: list[tuple[list[dict[str, Any]], float, set[str]]] = [
        ([{"rule": "implies", "if": "a", "then": "b"}], 265, {"a", "b"}),
        ([{"rule": "implies", "if": "not b", "then": "d"}], 265, {"a", "b"}),
        (
            [
                {"rule": "implies", "if": "a", "then": "not b"},
                {"rule": "exclusive", "group": "h", "exactly": True},
            ],
            260,
            {"a", "d"},
        ),
        ([{"rule": "implies", "if": "b", "then": "a", "both_ways": True}], 265, {"a", "b"}),
    ]
    for rules, objective, taken in cases:
        res = run(_logic(), rules)
        _expect(res, objective, taken)


def test_relation_across_years() -> None:
    """Two years of budget 100 (x, impact 3, max 80; y, impact 1): x = 80 and y = 20 each year,
    520. `x[2027] >= 1.1 * x[2026]` holds x in 2026 to 80 / 1.1 = 72.73, and those 7.27 go to y
    at 2 less each: 520 − 14.545 = 505.45. `sum(y[2026..2027]) >= 60` needs 20 more of y over
    the two years than the 40 it gets: 520 − 40 = 480."""
    two = tiny(years=[2026, 2027])
    res = run(two, [{"rule": "relation", "expr": "x[2027] >= 1.1 * x[2026]"}])
    assert res.objective == pytest.approx(520 - 2 * (80 - 80 / 1.1))
    assert gov(res, "x", 2026) == pytest.approx(80 / 1.1)
    rows = res.audit().set_index("rule")
    assert "relation[x[2027]>=1.1*x[2026],all]" in rows.index
    res = run(two, [{"rule": "relation", "expr": "sum(y[2026..2027]) >= 60"}])
    assert res.objective == pytest.approx(480)
    assert gov(res, "y", 2026) + gov(res, "y", 2027) == pytest.approx(60)


def test_growth_limits_a_line_and_the_total() -> None:
    """Budgets 50 then 100: x (impact 3, max 80) gets 50 then 80, y the rest: 150 + 260 = 410.
    x growing at most 20 %: 60 in 2027, 20 more to y at 2 less each: 370. All money growing at
    most 50 %: 75 spent in 2027, all on x: 150 + 225 = 375."""
    two = tiny(years=[2026, 2027], budget={2026: 50, 2027: 100})
    assert run(two).objective == pytest.approx(410)
    res = run(two, [{"rule": "growth", "of": "x", "max": 0.2}])
    assert res.objective == pytest.approx(370)
    assert gov(res, "x", 2027) == pytest.approx(60)
    res = run(two, [{"rule": "growth", "of": "total", "max": 0.5, "min": -0.1}])
    assert res.objective == pytest.approx(375)
    assert gov(res, "x", 2027) + gov(res, "y", 2027) == pytest.approx(75)


def test_resources_limit_money_and_chosen_projects() -> None:
    """x (impact 3) uses 0.5 GPU per unit of money, 20 GPUs a year: x = 40, y 60: 180. Projects
    A, B, C (1 of money each, NPV 10, 8, 7) need 3, 2, 2 staff of 4: B and C (15) beat A (10):
    x 80, y 18, B, C: 240 + 18 + 15 = 273."""
    gpus = {"id": "gpu", "name": "GPUs", "unit": "GPU", "limit": 20}
    lines = [{**tiny()["lines"][0], "uses": {"gpu": 0.5}}, tiny()["lines"][1]]
    res = run(tiny(resources=[gpus], lines=lines))
    assert res.objective == pytest.approx(180)
    assert gov(res, "x") == pytest.approx(40)
    staff = {"id": "staff", "name": "Staff", "unit": "staff-years", "limit": {2026: 4}}

    def project(i: str, value: float, need: float) -> dict[str, Any]:
        line = {"id": i, "name": i, "pillar": "b", "select": True, "schedule": 1, "value": value}
        return {**line, "needs": {"staff": need}}

    more = [project("A", 10, 3), project("B", 8, 2), project("C", 7, 2)]
    res = run(tiny(resources=[staff], lines=[*tiny()["lines"], *more]))
    assert res.objective == pytest.approx(273)
    assert {k for k, v in res.plan().selected.items() if v} == {"B", "C"}
    assert res.audit().set_index("rule").loc["resource[staff,2026]", "state"] == "binding"
