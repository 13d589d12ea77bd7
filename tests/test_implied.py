"""Implied values (inverse optimisation) on the three-line LP worked by hand in
`allocator.analysis.implied`, and the property that under its implied values a feasible plan is
as good as the re-solved optimum."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator.analysis.implied import implied_values
from allocator.cli import main

SPEC = allocator.ModelSpec.model_validate({"name": "m"})


def three() -> allocator.Instance:
    return allocator.Instance.model_validate(
        {
            "name": "three",
            "years": [2026],
            "pillars": [{"id": "a", "name": "A"}],
            "budget": 100,
            "lines": [
                {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
                {"id": "y", "name": "Y", "pillar": "a", "impact": 1, "max": 100},
                {"id": "z", "name": "Z", "pillar": "a", "impact": 2, "max": 100},
            ],
        }
    )


PLAN = pd.DataFrame({"line": ["x", "y"], "year": [2026, 2026], "amount": [80, 20]})


@pytest.mark.parametrize(
    ("figures", "expected", "total"),
    [
        (["lines.y.impact"], {"lines.y.impact": 2.0}, 1.0),  # y must be worth z's 2
        (["lines.z.impact"], {"lines.z.impact": 1.0}, 1.0),  # or z only y's 1
        (None, {"lines.x.impact": 3.0, "lines.y.impact": 1.0, "lines.z.impact": 1.0}, 1.0),
    ],
)
def test_three_line_lp_by_hand(
    figures: list[str] | None, expected: dict[str, float], total: float
) -> None:
    found = implied_values(three(), PLAN, SPEC, figures)
    assert found.possible
    assert found.values.set_index("figure").implied.to_dict() == pytest.approx(expected, rel=1e-6)
    assert found.total_change == pytest.approx(total, rel=1e-6)


def test_optimal_plan_needs_no_change() -> None:
    best = allocator.solve(three(), SPEC)
    found = implied_values(three(), best.allocation, SPEC)
    assert found.total_change == 0.0
    assert "already optimal" in found.headline()


def test_infeasible_plan_is_blocked_by_its_rule() -> None:
    plan = pd.DataFrame({"line": ["x"], "year": [2026], "amount": [90]})
    found = implied_values(three(), plan, SPEC)
    assert not found.possible
    assert found.blocked_by == ["line_max[x,2026]"]


def test_whole_units_are_held() -> None:
    data = three().model_dump(mode="json", exclude_none=True)
    data["lines"][1] |= {"unit_cost": 10, "integer": True}
    inst = allocator.Instance.model_validate(data)
    found = implied_values(inst, PLAN, SPEC, ["lines.z.impact"])
    assert found.held == ["units[y,2026]"]
    assert any("held" in n for n in found.notes)
    # with y's two units held, x 80 and y 20 use the whole budget: nothing is left for z, so the
    # plan is optimal among plans with those choices whatever z is worth
    assert found.total_change == 0.0


def test_cli_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = tmp_path / "three.yaml"
    inst.write_text(json.dumps(three().model_dump(mode="json", exclude_none=True)))
    (tmp_path / "m.yaml").write_text("name: m\n")
    plan = tmp_path / "plan.csv"
    PLAN.to_csv(plan, index=False)
    args = ["implied-values", str(inst), "--plan", str(plan), "--model", str(tmp_path / "m.yaml")]
    assert main([*args, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["total_change"] == pytest.approx(1.0, rel=1e-6)
    z = next(v for v in out["values"] if v["figure"] == "lines.z.impact")
    assert (z["given"], z["implied"]) == (2.0, pytest.approx(1.0, rel=1e-6))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.integers(0, 5), min_size=3, max_size=3),
    st.lists(st.integers(0, 60), min_size=3, max_size=3),
)
def test_property_implied_values_make_the_plan_optimal(
    impacts: list[int], amounts: list[int]
) -> None:
    data = three().model_dump(mode="json", exclude_none=True)
    for line, impact in zip(data["lines"], impacts, strict=True):
        line["impact"] = impact
    inst = allocator.Instance.model_validate(data)
    plan = pd.DataFrame({"line": ["x", "y", "z"], "year": [2026] * 3, "amount": amounts})
    if not allocator.evaluate(inst, plan, SPEC).verified:
        return
    found = implied_values(inst, plan, SPEC)
    assert found.possible
    for line, value in zip(data["lines"], found.values.implied, strict=True):
        line["impact"] = float(value)
    moved = allocator.Instance.model_validate(data)
    scored = allocator.evaluate(moved, plan, SPEC).objective
    assert scored == pytest.approx(allocator.solve(moved, SPEC).objective, rel=1e-6, abs=1e-6)


def test_named_values_that_cannot_do_it_say_which_must_move() -> None:
    # the plan x 80, y 20 needs y worth at least z's 2: x's value alone cannot do it
    found = implied_values(three(), PLAN, SPEC, ["lines.x.impact"])
    assert not found.possible
    assert "no change of the named values" in found.headline()
    assert any("lines.z.impact" in n or "lines.y.impact" in n for n in found.notes)
