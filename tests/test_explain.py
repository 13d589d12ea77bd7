"""Why this split: audit, shadow prices checked against re-solves, validity ranges worked out by
hand on the toy instance, the price of each policy, and infeasibility diagnoses with repairs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import allocator
from allocator import AllocatorError, Status
from allocator.cli import main
from tests.helpers import run, tiny

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "instances" / "toy.yaml"


@pytest.fixture(scope="module")
def toy() -> allocator.Result:
    return allocator.solve(allocator.load_instance(TOY))


def test_audit_lists_every_rule_with_state_price_and_origin(toy: allocator.Result) -> None:
    audit = toy.audit().set_index("rule")
    assert len(audit) == len(toy.built.rows)  # type: ignore[union-attr]
    assert audit.loc["ramp_up[gpu,2027]", "state"] == "binding"
    assert audit.loc["ramp_down[gpu,2027]", "slack"] == pytest.approx(40)
    assert audit.loc["target[gpus,2027]", "state"] == "short (penalised)"
    assert audit.loc["target[gpus,2027]", "slack"] == pytest.approx(-200)
    assert audit.loc["pillar_share_min[talent,2026]", "pillar"] == "Talent"
    assert str(audit.loc["pillar_share_min[talent,2026]", "origin"]).endswith(
        "rules[0] (pillar_share)"
    )
    assert audit.loc["budget[2026]", "origin"] == "instance"
    assert audit.loc["budget[2026]", "figure"] == "budget.2026"
    assert str(audit.loc["budget[2026]", "source"]).startswith("assumed: Illustrative")
    assert audit.loc["line_max[gpu,2026]", "line"] == "GPU purchase"


def test_shadow_price_and_its_range_match_the_hand_derivation(toy: allocator.Result) -> None:
    # Raising the 2026 budget by δ puts 0.3δ into fellows and 0.7δ into data in 2026 (1.35 per
    # bn); data's ramp (|d27 − d26| ≤ 25 with d27 = 10, d26 = 30 + 0.7δ) breaks at δ = 50/7.
    prices = toy.shadow_prices().set_index("rule")
    assert prices.loc["budget[2026]", "shadow_price"] == pytest.approx(1.35)
    assert prices.loc["budget[2026]", "valid_to"] == pytest.approx(100 + 50 / 7)
    sentence = str(prices.loc["budget[2026]", "sentence"])
    assert "one more bn KRW of this figure adds 1.35 impact points" in sentence
    assert "for any figure from 57.14 bn KRW to 107.1 bn KRW" in sentence


def test_shadow_price_agrees_with_a_re_solve_inside_its_range(toy: allocator.Result) -> None:
    data = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    data["budget"] = {2026: 105, 2027: 100}
    inst = allocator.Instance.model_validate(data)
    moved = allocator.solve(inst, allocator.load_model(ROOT / "models" / "toy.yaml"))
    assert moved.objective == pytest.approx(310 + 5 * 1.35)


def test_price_of_each_policy_is_an_exact_re_solve(toy: allocator.Result) -> None:
    # Worked out in instances/toy.yaml: 340 without the talent floor, 320 without the ramp.
    prices = toy.price_of_policies().set_index("policy")
    assert prices.loc["rules[0] pillar_share pillar talent", "cost"] == pytest.approx(30)
    assert prices.loc["rules[1] ramp", "cost"] == pytest.approx(10)
    assert prices.loc["rules[1] ramp", "cost_share"] == pytest.approx(10 / 320)
    # Without ramp_up[gpu,2027] alone the data ramp still holds: the best is gpu 40/70, data
    # 25/0, fellows 35/30 — 152.5 + 170 − 5 = 317.5, so that one rule instance costs 7.5.
    per_rule = toy.price_of_policies(per_instance=True).set_index("policy")
    ramp = per_rule.filter(like="ramp_up[gpu,2027]", axis=0)
    assert ramp.cost.item() == pytest.approx(7.5)


def test_impact_ranges_for_funded_lines(toy: allocator.Result) -> None:
    ranges = toy.impact_ranges()
    data = ranges[(ranges.line == "data") & (ranges.year == 2027)].iloc[0].to_dict()
    assert data["coefficient"] == pytest.approx(1.5)
    assert data["stays_optimal_from"] <= 1.5 <= data["stays_optimal_to"]


def test_explain_shows_binding_rules_with_sentences(toy: allocator.Result) -> None:
    table = toy.explain().set_index("rule")
    assert "budget[2026]" in table.index
    assert table.loc["ramp_up[gpu,2027]", "shadow_price"] == pytest.approx(1.0)
    assert "ramp_down[gpu,2027]" not in table.index


INFEASIBLE = tiny(
    lines=[
        {"id": "x", "name": "Committed X", "pillar": "a", "min": 70},
        {"id": "y", "name": "Line Y", "pillar": "b", "min": 10},
        {"id": "z", "name": "Line Z", "pillar": "b", "max": 5},
    ]
)
FLOOR = [{"rule": "pillar_share", "pillar": "b", "min": 0.4}]


def test_lp_infeasibility_names_the_colliding_rules_and_ranks_repairs() -> None:
    res = run(INFEASIBLE, FLOOR)
    assert res.status == Status.infeasible
    diag = res.diagnosis()
    assert set(diag.rules) == {"budget[2026]", "line_min[x,2026]", "pillar_share_min[b,2026]"}
    assert "Committed X gets at least 70.0 bn KRW in 2026" in diag.texts
    # x ≤ 100 − b and b ≥ 40 give x ≤ 60; with x = 70, b ≥ 0.4(70 + b) needs a budget of
    # 116.7; with x = 70 and budget 100, b = 30 is 30 %.
    first, second, third = diag.repairs
    assert first.rule == "line_min[x,2026]"
    assert first.change == pytest.approx(10)
    assert "lower it from 70.0 bn KRW to 60.0 bn KRW" in first.sentence
    assert second.rule == "budget[2026]"
    assert second.change == pytest.approx(70 / 0.6 - 100)
    assert third.change == pytest.approx(0.1, abs=1e-5)
    assert "lower the Pillar B floor from 40.0% to 30.0%" in third.sentence
    assert list(res.explain().rule) == diag.rules


def test_mip_infeasibility_uses_a_deletion_filter() -> None:
    # Units of 10 with 12 ≤ g ≤ 18: the LP relaxation is feasible, the MIP is not.
    res = run(
        tiny(
            lines=[
                {
                    "id": "x",
                    "name": "X",
                    "pillar": "a",
                    "min": 12,
                    "max": 18,
                    "integer": True,
                    "unit_cost": 10,
                },
                {"id": "y", "name": "Y", "pillar": "b"},
            ]
        )
    )
    diag = res.diagnosis()
    assert set(diag.rules) == {"line_min[x,2026]", "line_max[x,2026]", "integer_units[x,2026]"}
    assert diag.method == "deletion filter over MIP solves"
    assert {r.rule: r.change for r in diag.repairs} == pytest.approx(
        {"line_min[x,2026]": 2, "line_max[x,2026]": 2}
    )


def test_diagnosis_is_only_for_infeasible_solves(toy: allocator.Result) -> None:
    with pytest.raises(AllocatorError, match="infeasible"):
        toy.diagnosis()


def test_cli_solve_prints_the_diagnosis(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"name": "m", "rules": FLOOR}))
    (tmp_path / "i.yaml").write_text(yaml.safe_dump({**INFEASIBLE, "model": "m.yaml"}))
    assert main(["solve", str(tmp_path / "i.yaml")]) == 1
    out = capsys.readouterr().out
    assert "These rules cannot hold together" in out
    assert "1. line_min[x,2026] (lines.x.min)" in out


def test_cli_explain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(TOY), "--audit", str(tmp_path / "audit.csv")]) == 0
    out = capsys.readouterr().out
    assert "rules[1] ramp costs 10 impact points (3.12% of the objective without it)" in out
    assert "budget[2026]" in out
    assert (tmp_path / "audit.csv").read_text(encoding="utf-8").startswith("rule,family,text")


def test_a_repair_keeps_a_budget_in_its_domain() -> None:
    """The budget as passed, mistyped as 9,900억 (990 bn KRW) under must_spend: the repair
    raises the budget to what the line minimums and the rules need, never below zero (it once
    proposed −6,375.8 bn KRW: the equation's elastic sign was read backwards)."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    data = inst.model_dump()
    data["budget"] = {2026: "9,900억"}
    model = ROOT / "models" / "national-ai-2026.yaml"
    res = allocator.solve(allocator.Instance.model_validate(data), model)
    assert res.status == Status.infeasible
    repairs = {r.rule: r for r in res.diagnosis().repairs}
    budget = repairs["budget[2026]"]
    assert budget.change > 0
    assert "raise it from 990.0 bn KRW to " in budget.sentence
    assert "9,900억원에서 " in budget.text("ko")
    for repair in repairs.values():
        assert "−" not in repair.sentence  # no negative amount anywhere


def test_a_repair_that_needs_an_impossible_value_says_so() -> None:
    """Spend all of 100 in 2026 with at most 20 spent and the rest carried, then all of 10 plus
    the 80 carried in 2027 with at most 30 spendable: 2027's budget alone would have to be
    30 − 80 = −50, which a budget cannot be; 2026's can fall to 40 (20 spent, 20 carried)."""
    inst = allocator.Instance.model_validate(
        {
            "name": "carry",
            "years": [2026, 2027],
            "pillars": [{"id": "a", "name": "A"}],
            "budget": {2026: 100, 2027: 10},
            "carryover": 100,
            "lines": [
                {"id": "x", "name": "X", "pillar": "a", "impact": 1, "max": {2026: 20, 2027: 30}}
            ],
        }
    )
    res = allocator.solve(
        inst, allocator.ModelSpec.model_validate({"name": "m", "must_spend": True})
    )
    repairs = {r.rule: r for r in res.diagnosis().repairs}
    assert repairs["budget[2026]"].change == pytest.approx(60)
    later = repairs["budget[2027]"]
    assert later.needed == pytest.approx(-50)
    assert "would need its figure at −50.0 bn KRW, below zero, which it cannot be" in (
        later.sentence
    )
    assert "0보다 작을 수 없음" in later.text("ko")
    assert "cannot restore feasibility" in str(res.diagnosis())
