"""Monte Carlo over an instance's uncertain figures: draws, reproducibility, re-optimised outcomes,
the base plan under each sample, infeasible samples counted and never summarised."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import allocator
from allocator import InputError
from allocator.analysis import montecarlo as uncertainty
from allocator.analysis import samples
from allocator.cli import main
from allocator.schema.provenance import covers

from .helpers import ROOT, tiny

MODEL = allocator.ModelSpec.model_validate({"name": "m", "rules": []})


def lines(z_impact: float = 0.9) -> list[dict[str, Any]]:
    """x is the best line (impact 3, max 80); y (impact 1) and z take the rest of the budget,
    whichever has the higher impact."""
    return [
        {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "max": 100},
        {"id": "z", "name": "Line Z", "pillar": "b", "impact": z_impact, "max": 100},
    ]


def instance(*parameters: dict[str, Any], seed: int = 5, samples: int = 40) -> allocator.Instance:
    data = tiny(lines=lines())
    data["uncertainty"] = {"seed": seed, "samples": samples, "parameters": list(parameters)}
    return allocator.Instance.model_validate(data)


def test_draws_follow_their_distributions_and_relative_draws_multiply() -> None:
    inst = instance(
        {"path": "lines.x.impact", "dist": "uniform", "low": 2, "high": 4},
        {
            "path": "budget",
            "dist": "triangular",
            "low": 0.9,
            "mode": 1,
            "high": 1.2,
            "relative": True,
        },
        {"path": "lines.y.max", "dist": "normal", "mean": 100, "sd": 30, "low": 60},
        {"path": "lines.z.impact", "dist": "lognormal", "median": 1, "sigma": 0.3},
    )
    assert inst.uncertainty is not None
    draws = samples.draw(inst.uncertainty, 400, seed=1)
    table = pd.DataFrame.from_records(draws)
    assert table["lines.x.impact"].between(2, 4).all()
    assert table.budget.between(0.9, 1.2).all()
    assert table.budget.mean() == pytest.approx((0.9 + 1 + 1.2) / 3, abs=0.02)
    assert table["lines.y.max"].min() == 60  # clipped
    assert np.log(table["lines.z.impact"]).std() == pytest.approx(0.3, abs=0.04)
    jobs = samples.jobs(inst, draws[:3])
    for job in jobs:
        assert job.instance.budget_in(2026) == pytest.approx(100 * job.values["budget"])
        assert job.instance.line("x").impact == job.values["lines.x.impact"]
        assert job.instance.uncertainty is None


def test_same_seed_same_table_and_another_seed_another() -> None:
    inst = instance(
        {"path": "lines.z.impact", "dist": "uniform", "low": 0.5, "high": 1.5},
        {"path": "budget", "dist": "uniform", "low": 90, "high": 110},
    )
    first = uncertainty.monte_carlo(inst, MODEL, samples=12)
    again = uncertainty.monte_carlo(inst, MODEL, samples=12)
    pd.testing.assert_frame_equal(first.table, again.table)
    other = uncertainty.monte_carlo(inst, MODEL, samples=12, seed=6)
    assert not np.allclose(first.table.budget, other.table.budget)


def test_outcomes_funding_and_the_base_plan_match_the_hand_derivation() -> None:
    """Budget 100 and x (impact 3, max 80) always gets 80; the other 20 go to y (impact 1) or z,
    whichever has the higher impact: z's impact is drawn uniform on [0.5, 1.5], so z is funded
    exactly in the samples where its draw exceeds 1 (y in the others), and the re-optimised
    objective is 3·80 + 20·max(1, z). The base plan (z at 0.9: x 80, y 20) held under a sample
    earns 3·80 + 20 = 260 whatever z's draw, so its regret is 20·max(0, z − 1)."""
    inst = instance({"path": "lines.z.impact", "dist": "uniform", "low": 0.5, "high": 1.5})
    run = uncertainty.monte_carlo(inst, MODEL, samples=30)
    t = run.table
    z = t["lines.z.impact"]
    assert (t.status == "optimal").all()
    assert t.objective.tolist() == pytest.approx((240 + 20 * np.maximum(1, z)).tolist())
    assert t["base.objective"].tolist() == pytest.approx([260.0] * 30)
    funded = run.funded().set_index("line")
    assert funded.probability["z"] == pytest.approx(float((z > 1).mean()))
    assert funded.probability["y"] == pytest.approx(float((z < 1).mean()))
    assert funded.probability["x"] == 1.0
    assert not funded.base_funded["z"]
    assert run.base_plan_feasible == 1.0
    plan = run.base_plan().set_index("measure")
    assert plan.loc["regret", "mean"] == pytest.approx(float((20 * np.maximum(0, z - 1)).mean()))
    outcomes = run.outcomes().set_index("measure")
    assert outcomes.loc["objective", "base"] == pytest.approx(260)
    assert outcomes.loc["objective", "q50"] == pytest.approx(float(t.objective.median()))


def test_infeasible_samples_are_counted_never_summarised() -> None:
    """x must get at least 40 and y at least 50 (their mins), so a budget drawn below 90 is
    infeasible. The base plan (budget 100) gives x min(80, 100 − 50) = 50 and y 50, spending all
    100, so held under a sample it breaks the budget exactly when the draw is below 100."""
    data = tiny(
        lines=[
            {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "max": 80, "min": 40},
            {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "max": 100, "min": 50},
        ]
    )
    data["uncertainty"] = {
        "seed": 3,
        "parameters": [{"path": "budget", "dist": "uniform", "low": 70, "high": 120}],
    }
    inst = allocator.Instance.model_validate(data)
    run = uncertainty.monte_carlo(inst, MODEL, samples=40)
    t = run.table
    low = t.budget < 90
    assert low.any()
    assert (~low).any()
    assert (t.status[low] == "infeasible").all()
    assert t.objective[low].isna().all()
    assert run.statuses()["infeasible"] == int(low.sum())
    assert len(run.answered) == int((~low).sum())
    # Re-optimised: x takes min(80, budget − 50), y the rest of the budget (impact 1 > 0).
    ok = t[~low]
    expected = 3 * np.minimum(80, ok.budget - 50) + (ok.budget - np.minimum(80, ok.budget - 50))
    assert ok.objective.tolist() == pytest.approx(expected.tolist())
    held = t["base.status"] == "optimal"
    assert held.tolist() == (t.budget >= 100).tolist()
    assert (t["base.over_budget"] == (t.budget < 100).astype(int)).all()
    breaks = run.base_plan_breaks().set_index("rule").share
    assert breaks["budget"] == pytest.approx((t.budget < 100).mean())
    assert run.base_plan_feasible == pytest.approx(float((t.budget >= 100).mean()))
    assert run.outcomes().set_index("measure").loc["objective", "q05"] >= expected.min() - 1e-6


def test_the_base_plan_meets_a_cut_budget_pro_rata_or_not_at_all() -> None:
    """The base plan is x 80, y 20 (objective 260, budget 100). Under a budget b below 100 it
    no longer fits: held exactly it is infeasible; scaled pro rata it is x 0.8·b, y 0.2·b, worth
    2.6·b. Under b ≥ 100 both hold it as it is (must_spend is off): 260."""
    data = tiny()
    data["uncertainty"] = {
        "seed": 4,
        "parameters": [{"path": "budget", "dist": "uniform", "low": 80, "high": 120}],
    }
    inst = allocator.Instance.model_validate(data)
    scaled = uncertainty.monte_carlo(inst, MODEL, samples=20, hold="pro_rata").table
    exact = uncertainty.monte_carlo(inst, MODEL, samples=20).table
    b = scaled.budget
    assert (b < 100).any()
    assert (b > 100).any()
    assert scaled["base.objective"].tolist() == pytest.approx(
        np.where(b < 100, 2.6 * b, 260).tolist()
    )
    assert (exact["base.status"] == np.where(b < 100, "infeasible", "optimal")).all()
    assert exact["base.objective"].dropna().tolist() == pytest.approx(
        [260.0] * int((b >= 100).sum())
    )
    held = ["base.status", "base.verified", "base.objective", "base.breaks"]
    pd.testing.assert_frame_equal(scaled.drop(columns=held), exact.drop(columns=held))
    assert (exact["base.breaks"][b < 100] == "budget[2026]").all()
    assert exact["base.breaks"][b >= 100].isna().all()
    assert scaled["base.breaks"].isna().all()


def test_a_draw_that_breaks_the_instance_names_the_sample(tmp_path: Path) -> None:
    """Samples are validated as the run reaches them (beside the solves): the error names the
    sample, and the named table is not written (the rows so far stay in its hidden twin)."""
    inst = instance({"path": "lines.x.max", "dist": "normal", "mean": 10, "sd": 12})
    out = tmp_path / "samples.csv"
    with pytest.raises(InputError, match=r"uncertainty sample \d+ \(seed 5\) of tiny") as raised:
        uncertainty.monte_carlo(inst, MODEL, samples=20, out=out)
    assert not out.exists()
    first_bad = int(re.search(r"uncertainty sample (\d+)", str(raised.value)).group(1))  # type: ignore[union-attr]
    assert first_bad > 0
    kept = pd.read_csv(tmp_path / ".samples.csv.partial")
    assert list(kept["sample"]) == list(range(first_bad))  # every row before it, in order


def test_a_draw_that_breaks_a_rule_across_fields_names_the_sample() -> None:
    """Lines no draw touches are kept as validated; the instance's own rules still run on each
    sample, so a drawn max below the line's min is refused."""
    data = tiny(lines=lines())
    data["lines"][0]["min"] = 50
    data["uncertainty"] = {
        "seed": 5,
        "samples": 20,
        "parameters": [{"path": "lines.x.max", "dist": "uniform", "low": 0, "high": 100}],
    }
    inst = allocator.Instance.model_validate(data)
    assert inst.uncertainty is not None
    draws = samples.draw(inst.uncertainty, 20, seed=5)
    with pytest.raises(InputError, match=r"uncertainty sample \d+ \(seed 5\) of tiny.*above max"):
        samples.jobs(inst, draws, seed=5)


def test_a_sample_is_the_instance_validated_again_with_its_draws() -> None:
    inst = instance(
        {"path": "lines.y.impact", "dist": "uniform", "low": 0.5, "high": 2},
        {"path": "budget", "dist": "uniform", "low": 0.9, "high": 1.1, "relative": True},
        {"path": "lines.z.max", "dist": "uniform", "low": 50, "high": 90},
    )
    assert inst.uncertainty is not None
    draws = samples.draw(inst.uncertainty, 5, seed=2)
    for job in samples.jobs(inst, draws):
        data = inst.model_dump()
        data["uncertainty"] = None
        data["lines"][1]["impact"] = job.values["lines.y.impact"]
        data["lines"][2]["max"] = job.values["lines.z.max"]
        data["budget"] = inst.budget_in(2026) * job.values["budget"]
        again = allocator.Instance.model_validate(data)
        assert job.instance.model_dump() == again.model_dump()


def test_bad_uncertainty_blocks_are_located(tmp_path: Path) -> None:
    cases = [
        (
            {"path": "lines.q.impact", "dist": "uniform", "low": 1, "high": 2},
            "'q': no such line; known: x, y",
        ),
        (
            {"path": "rules.ramp.max_change", "dist": "uniform", "low": 0, "high": 1},
            "name a figure",
        ),
        ({"path": "lines.x.name", "dist": "uniform", "low": 0, "high": 1}, "not a number"),
        ({"path": "lines.x.impact", "dist": "triangular", "low": 0, "high": 1}, "give mode"),
        ({"path": "lines.x.impact", "dist": "uniform", "low": 2, "high": 1}, "low 2 is above"),
        ({"path": "lines.x.impact", "dist": "uniform", "low": 0, "high": 1, "sd": 1}, "not sd"),
        ({"path": "lines.x.impact", "dist": "beta", "low": 0, "high": 1}, "uniform"),
    ]
    for parameter, message in cases:
        path = tmp_path / "i.yaml"
        data = tiny()
        data["uncertainty"] = {"parameters": [parameter]}
        path.write_text(yaml.safe_dump(data))
        with pytest.raises(InputError, match=message) as caught:
            allocator.load_instance(path)
        assert "i.yaml" in str(caught.value)
        assert "uncertainty" in str(caught.value)


def test_cli_montecarlo_csv_and_parquet_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tiny(lines=lines())
    data["uncertainty"] = {
        "seed": 9,
        "samples": 6,
        "parameters": [
            {"path": "lines.z.impact", "dist": "uniform", "low": 0.5, "high": 1.5},
            {"path": "budget", "dist": "uniform", "low": 0.95, "high": 1.05, "relative": True},
        ],
    }
    path = tmp_path / "i.yaml"
    path.write_text(yaml.safe_dump(data))
    model = tmp_path / "m.yaml"
    model.write_text(yaml.safe_dump({"name": "m", "rules": []}))
    csv, parquet = tmp_path / "mc.csv", tmp_path / "mc.parquet"
    for out in (csv, parquet):
        assert main(["montecarlo", str(path), "--model", str(model), "--out", str(out)]) == 0
    pooled = tmp_path / "pool.csv"
    run = ["montecarlo", str(path), "--model", str(model), "--out", str(pooled), "--workers", "2"]
    assert main(run) == 0
    assert pooled.read_text() == csv.read_text()  # two worker processes, the same table
    text = capsys.readouterr().out
    assert "6 samples of tiny (seed 9): 6 optimal" in text
    assert "The base plan (government money held, exact) is feasible in" in text
    pd.testing.assert_frame_equal(pd.read_csv(csv), pd.read_parquet(parquet))
    assert len(pd.read_csv(csv)) == 6
    assert not list(tmp_path.glob(".*partial"))
    args = ["montecarlo", str(ROOT / "instances" / "toy.yaml"), "--samples", "2"]
    assert main(args) == 2
    assert "declares no uncertain figures" in capsys.readouterr().err


def test_korea_uncertainty_is_sourced_as_judgement_and_runs() -> None:
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    assert inst.uncertainty is not None
    for param in inst.uncertainty.parameters:
        about = [s for s in inst.sources if covers(s.about, f"uncertainty.{param.path}")]
        assert about, param.path
        assert all(s.kind == "assumed" and s.note for s in about), param.path
    run = uncertainty.monte_carlo(inst, None, samples=3, seed=11)
    assert run.samples == 3
    assert run.answered.verified.all()
    assert set(run.table.status) <= {"optimal", "infeasible"}
