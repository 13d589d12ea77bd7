"""Scenarios (overlay files), comparisons and sweeps, through the public API and the CLI."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import allocator
from allocator import InputError
from allocator import analysis as scenarios
from allocator.cli import main
from allocator.schema.scenario import Scenario, apply_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
TOY = ROOT / "instances" / "toy.yaml"


@pytest.fixture(scope="module")
def toy() -> tuple[allocator.Instance, allocator.ModelSpec]:
    return allocator.load_instance(TOY), allocator.load_model(ROOT / "models" / "toy.yaml")


def test_changes_by_path_relative_and_absolute(
    toy: tuple[allocator.Instance, allocator.ModelSpec],
) -> None:
    inst, model = toy
    scenario = Scenario(
        name="s",
        changes={
            "budget.2027": "-10%",
            "lines.gpu.max.2026": 50,
            "lines.data.impact": "x2",
            "rules.pillar_share.talent.min": 0.2,
            "rules.ramp.max_change": "+100%",
            "must_spend": True,
        },
    )
    new_inst, new_model, changes = apply_scenario(inst, model, scenario)
    assert new_inst.budget == {2026: 100.0, 2027: 90.0}
    assert new_inst.line("gpu").max == {2026: 50, 2027: 80.0}
    assert new_inst.line("data").impact == 3.0
    assert new_model.rules[0].min == 0.2  # type: ignore[attr-defined]
    assert new_model.rules[1].max_change == 0.5  # type: ignore[attr-defined]
    assert new_model.must_spend is True
    assert [c.path for c in changes][:2] == ["budget.2027", "lines.gpu.max.2026"]
    assert changes[0].before == 100.0
    assert changes[0].after == pytest.approx(90.0)


def test_bad_paths_and_values_are_located(
    toy: tuple[allocator.Instance, allocator.ModelSpec],
) -> None:
    inst, model = toy
    scenario = Scenario(
        name="s",
        changes={
            "budjet.2026": 5,
            "lines.nope.max": 5,
            "rules.exclusive.g.group": "x",
            "lines.gpu.name": "+5%",
            "budget.2026": -5,
        },
    )
    with pytest.raises(InputError) as caught:
        apply_scenario(inst, model, scenario, "s.yaml")
    text = str(caught.value)
    assert (
        "s.yaml: changes.budjet.2026 = 5: 'budjet': no such field; did you mean 'budget'?" in text
    )
    assert "changes.lines.nope.max = 5: 'nope': no such line; known: gpu, " in text
    assert "the model has no exclusive rule on 'g'" in text
    assert "a relative change needs a number" in text


def test_a_change_that_breaks_the_instance_names_the_scenario(
    toy: tuple[allocator.Instance, allocator.ModelSpec],
) -> None:
    inst, model = toy
    with pytest.raises(InputError, match=r"s\.yaml \(applied to toy\): budget.*year 2026"):
        apply_scenario(inst, model, Scenario(name="s", changes={"budget.2026": -5}), "s.yaml")


def test_compare_says_what_changed_and_which_rules_moved(
    toy: tuple[allocator.Instance, allocator.ModelSpec],
) -> None:
    inst, model = toy
    cut = Scenario(name="cut", changes={"budget.2026": 95})
    (comp,) = scenarios.compare(inst, [(cut, "cut.yaml")], model)
    # The toy's 2026 budget is worth 1.35 per bn (hand-derived): 310 − 5 × 1.35.
    assert comp.result.objective == pytest.approx(310 - 5 * 1.35)
    pillars = comp.pillars().set_index(["pillar", "year"])
    assert pillars.loc[("talent", 2026), "change"] == pytest.approx(-1.5)
    assert comp.allocation().change.sum() == pytest.approx(-5)
    assert comp.inputs[0].path == "budget.2026"
    moved = comp.rules()
    assert isinstance(moved, pd.DataFrame)


def test_sweep_matches_single_solves_and_writes_csv(
    toy: tuple[allocator.Instance, allocator.ModelSpec],
    tmp_path: Path,
) -> None:
    inst, model = toy
    out = tmp_path / "sweep.csv"
    table = scenarios.sweep(inst, model, [scenarios.parse_vary("budget.2026=90:110:5")], out)
    assert list(table["budget.2026"]) == [90, 95, 100, 105, 110]
    assert table.set_index("budget.2026").objective[105] == pytest.approx(310 + 5 * 1.35)
    assert pd.read_csv(out).objective.tolist() == pytest.approx(table.objective.tolist())
    assert not list(tmp_path.glob(".*partial"))


def test_sweep_over_a_rule_and_a_figure(
    toy: tuple[allocator.Instance, allocator.ModelSpec],
) -> None:
    inst, model = toy
    vary = [
        scenarios.parse_vary("budget.2026=90,110"),
        scenarios.parse_vary("rules.pillar_share.talent.min=0.2,0.3"),
    ]
    table = scenarios.sweep(inst, model, vary)
    assert len(table) == 4
    assert set(table.status) == {"optimal"}
    assert table.verified.all()


def test_bad_vary_is_an_input_error() -> None:
    with pytest.raises(InputError, match="START:STOP:COUNT"):
        scenarios.parse_vary("budget.2026=lots")


def test_cli_compare_and_sweep(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "cut.yaml"
    path.write_text(yaml.safe_dump({"name": "cut", "changes": {"budget.2026": "-5%"}}))
    assert load_scenario(path).name == "cut"
    assert main(["compare", str(TOY), str(path)]) == 0
    out = capsys.readouterr().out
    assert "input budget.2026: 100.0 → 95.0" in out
    assert "objective 310 → 303.25 impact points (−6.75)" in out
    assert main(["sweep", str(TOY), "--vary", "budget.2027=90:100:2"]) == 0
    assert "government.talent" in capsys.readouterr().out


def test_shipped_scenarios_run(capsys: pytest.CaptureFixture[str]) -> None:
    five_years = {"ngf-3-to-1.yaml", "leverage-2-to-1.yaml"}  # change the fund `ngf`
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    assert main(["compare", str(ROOT / "instances" / "korea-2026.yaml"), *map(str, files)]) == 0
    out = capsys.readouterr().out
    assert "rnd11-leverage-2-to-1: optimal" in out
    assert "budget-2026-minus-10: optimal" in out
    assert "== ngf-3-to-1: skipped — it is for korea-2026-2030 (its `for:`), not korea-2026" in out
    assert "== leverage-2-to-1: skipped" in out
    fund = [str(ROOT / "scenarios" / name) for name in sorted(five_years)]
    assert main(["compare", str(ROOT / "instances" / "korea-2026-2030.yaml"), *fund]) == 0
    out = capsys.readouterr().out
    assert "funds.ngf.leverage: 15.0 → 3" in out
    assert "fund_cap[ngf,2026]" in out


def test_frontier_trades_objective_for_a_kpi(tmp_path: Path) -> None:
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    table = scenarios.frontier(inst, None, "ai_experts", points=5)
    assert len(table) >= 3
    assert table.verified.all()
    # Non-dominated: more experts always costs objective, never gains it.
    ordered = table.sort_values("level")
    assert ordered.objective.is_monotonic_decreasing
    assert (ordered.level >= ordered.floor - 1e-6).all()
    base = allocator.solve(inst)
    # The first point is the optimum with ties broken toward more experts (within 1e-9).
    assert ordered.objective.iloc[0] == pytest.approx(base.objective, rel=1e-8)


def test_frontier_on_the_toy_collapses_to_one_point() -> None:
    # The toy's ramp caps GPUs at 1,000 in 2027 (see instances/toy.yaml), which the optimum
    # already reaches: nothing to trade.
    table = scenarios.frontier(allocator.load_instance(TOY), None, "gpus", points=4)
    assert table.level.tolist() == pytest.approx([1000.0])


def test_frontier_cli_and_unknown_kpi(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frontier", str(TOY), "--kpi", "gpus@2027", "--points", "3"]) == 0
    assert "1000.0" in capsys.readouterr().out
    assert main(["frontier", str(TOY), "--kpi", "gpu"]) == 2
    assert "did you mean 'gpus'" in capsys.readouterr().err


def test_near_optimal_ranges_and_alternatives() -> None:
    inst = allocator.load_instance(TOY)
    found = scenarios.near_optimal(inst, None, slack=0.02, alternatives=2)
    ranges = found.ranges.set_index("id")
    assert (ranges.low <= ranges.optimum + 1e-6).all()
    assert (ranges.optimum <= ranges.high + 1e-6).all()
    gpu, data = ranges.loc["gpu"].to_dict(), ranges.loc["data"].to_dict()
    # GPU purchase is the most valuable line and already at its most (40 + 60, cap and ramp).
    assert gpu["high"] == pytest.approx(100)
    assert gpu["optimum"] == pytest.approx(100)
    assert data["low"] < data["optimum"]
    for plan in found.alternatives:
        assert plan.verified, plan.violations
        assert plan.objective is not None
        assert plan.objective >= 0.98 * 310 - 1e-6
    assert "within 2.0% of the best" in found.sentences()[0]
    assert "bn KRW of government money" in found.sentences()[0]


def test_near_optimal_cli(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["near-optimal", str(TOY), "--alternatives", "1"]) == 0
    out = capsys.readouterr().out
    assert "GPU purchase can range from" in out
    assert "alternative 1: verified True" in out
    assert "of government money from the optimum, and at least" in out


def test_compare_goes_on_past_a_scenario_that_does_not_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change that does not fit the instance, and a scenario file that is not there, are
    reported (with a suggestion) and the others still run; the exit code says bad input."""
    typo = tmp_path / "typo.yaml"
    typo.write_text(yaml.safe_dump({"name": "typo", "changes": {"lines.gpv.max": 50}}))
    cut = tmp_path / "cut.yaml"
    cut.write_text(yaml.safe_dump({"name": "cut", "changes": {"budget.2026": "-5%"}}))
    missing = tmp_path / "cutt.yaml"
    assert main(["compare", str(TOY), str(typo), str(missing), str(cut)]) == 2
    out = capsys.readouterr().out
    assert "== typo: skipped — it does not apply to toy" in out
    assert "'gpv': no such line; did you mean 'gpu'?" in out
    assert f"file not found; did you mean {cut}" in out
    assert "== cut: optimal" in out


def test_a_scenario_names_the_instances_it_is_for() -> None:
    scenario = load_scenario(ROOT / "scenarios" / "ngf-3-to-1.yaml")
    assert scenario.instances == ["korea-2026-2030"]
    assert scenario.applies_to(allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml"))
    assert not scenario.applies_to(allocator.load_instance(TOY))
    assert Scenario.model_validate({"name": "s", "changes": {"budget": 1}}).instances is None


def test_near_optimal_alternatives_on_a_known_set_of_optima() -> None:
    """Two lines of equal impact share a budget of 100 that must be spent: every split x + y =
    100 is optimal, a segment. From one end of it, the farthest optimum (L1 distance in
    government money) is the other end, 200 away; the farthest from both ends is the middle,
    100 from each; from those three, the best keeps 50 from the nearest (x = 25 or 75). Asked
    for alternatives at least 60 apart, there are exactly two, and the output says no third
    exists and how far the farthest would be."""
    inst = allocator.Instance.model_validate(
        {
            "name": "twins",
            "years": [2026],
            "pillars": [{"id": "a", "name": "A"}],
            "budget": 100,
            "lines": [
                {"id": "x", "name": "X", "pillar": "a", "impact": 1, "max": 100},
                {"id": "y", "name": "Y", "pillar": "a", "impact": 1, "max": 100},
            ],
        }
    )
    spec = allocator.ModelSpec.model_validate({"name": "m", "must_spend": True})
    found = scenarios.near_optimal(inst, spec, slack=0.0, alternatives=3, distance=60)
    assert found.apart == pytest.approx([200, 100])
    assert found.farthest == pytest.approx(50)
    plans = [(scenarios_gov(p, "x"), scenarios_gov(p, "y")) for p in found.alternatives]
    assert all(x + y == pytest.approx(100) for x, y in plans)
    optimum = scenarios_gov(allocator.solve(inst, spec), "x")  # one end of the segment
    assert sorted([optimum, *(x for x, _ in plans)]) == pytest.approx([0, 50, 100])
    for plan in found.alternatives:
        assert plan.verified
        assert plan.objective == pytest.approx(100)
    said = found.alternative_sentences(3)
    assert "at least 200.0 bn KRW from every plan before it" in said[0]
    assert (
        "no further plan within 0.0% of the best differs from the plans above by 60.0 bn KRW"
        in (said[2])
    )


def scenarios_gov(res: allocator.Result, line: str) -> float:
    alloc = res.allocation
    return float(alloc[(alloc.line == line) & (alloc.source == "government")].amount.sum())


def test_korea_alternatives_differ() -> None:
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026.yaml")
    found = scenarios.near_optimal(inst, None, slack=0.02, alternatives=3)
    assert found.distance == pytest.approx(99.334)
    assert len(found.alternatives) == 3
    assert min(found.apart) >= found.distance
    splits = [tuple(p.allocation.amount.round(3)) for p in found.alternatives]
    assert len(set(splits)) == 3
