"""Two-criterion frontiers (ε-constraint) on instances whose frontier is known by hand, and
tables written as CSV or Parquet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import allocator
from allocator import InputError
from allocator import analysis as scenarios
from allocator.cli import main

from .helpers import ROOT, gov

KINKED: dict[str, Any] = {
    "name": "kinked",
    "years": [2026],
    "pillars": [{"id": "p", "name": "Pillar"}],
    "budget": 100,
    "kpis": [{"id": "k", "name": "KPI K"}],
    "lines": [
        {"id": "a", "name": "A", "pillar": "p", "impact": 3, "yields": {"k": 1}, "max": 60},
        {"id": "b", "name": "B", "pillar": "p", "impact": 2, "yields": {"k": 2}, "max": 60},
        {"id": "c", "name": "C", "pillar": "p", "impact": 1, "yields": {"k": 4}, "max": 100},
    ],
}
MODEL = allocator.ModelSpec.model_validate({"name": "m", "rules": []})


def kinked_impact(k: float) -> float:
    """The hand-derived frontier of KINKED (maximise impact with K ≥ k; budget 100).

    Best impact: a = 60 (its max), b = 40, c = 0: impact 3·60 + 2·40 = 260, K = 60 + 80 = 140.
    Most K: c = 100 (4 per bn, the most): K = 400, impact 100.
    To raise K from 140, move money to c where a unit of K costs least impact: b → c gives
    +2 K for −1 impact (0.5 impact per K), a → c +3 K for −2 (2/3 per K), a → b +1 for −1.
    So b → c first, for all 40 bn of b: K 220, impact 220 (a 60, c 40); then a → c for 60 bn:
    K 400, impact 100. The frontier is concave piecewise-linear with one kink at (220, 220):
        impact = 260 − (K − 140)/2          for 140 ≤ K ≤ 220
        impact = 220 − (K − 220)·2/3        for 220 ≤ K ≤ 400
    """
    return 260 - (k - 140) / 2 if k <= 220 else 220 - (k - 220) * 2 / 3


def test_objective_against_a_kpi_follows_the_hand_derived_kinked_line() -> None:
    inst = allocator.Instance.model_validate(KINKED)
    found = scenarios.pareto(inst, MODEL, "impact", "k", points=5)
    assert found.between == ("impact", "k@2026")
    assert found.senses == ("max", "max")
    table = found.points
    assert table.epsilon.tolist() == pytest.approx([140, 205, 270, 335, 400])
    assert table["k@2026"].tolist() == pytest.approx([140, 205, 270, 335, 400])
    assert table.impact.tolist() == pytest.approx([kinked_impact(k) for k in table["k@2026"]])
    assert table.objective.tolist() == pytest.approx(table.impact.tolist())
    assert table.verified.all()
    # The plan behind K = 205: 32.5 bn moved from b to c (a stays at 60).
    plan = found.result(1)
    assert [gov(plan, line) for line in "abc"] == pytest.approx([60, 7.5, 32.5])
    assert found.allocation(1).query("source == 'government'").amount.sum() == pytest.approx(100)


def test_two_kpis_trade_along_a_segment_and_the_objective_breaks_ties() -> None:
    """a gives 2 of K1, b 1 of each, c 2 of K2, per bn; budget 100. Any split has K1 + K2 = 200,
    so the frontier is the segment K1 = 200 − K2 from (200, 0) to (0, 200). Along it b and an
    a + c mix are equally good for the KPIs; the model's objective (impact 1 on a and c, 0 on b)
    picks the mix: at K2 = 100, a = c = 50 and b = 0, objective 100 at every point."""
    data = {
        **KINKED,
        "kpis": [{"id": "k1", "name": "K1"}, {"id": "k2", "name": "K2"}],
        "lines": [
            {"id": "a", "name": "A", "pillar": "p", "impact": 1, "yields": {"k1": 2}},
            {"id": "b", "name": "B", "pillar": "p", "yields": {"k1": 1, "k2": 1}},
            {"id": "c", "name": "C", "pillar": "p", "impact": 1, "yields": {"k2": 2}},
        ],
    }
    found = scenarios.pareto(allocator.Instance.model_validate(data), MODEL, "k1", "k2", 3)
    table = found.points
    assert table["k2@2026"].tolist() == pytest.approx([0, 100, 200], abs=1e-6)
    assert table["k1@2026"].tolist() == pytest.approx([200, 100, 0], abs=1e-6)
    assert table.objective.tolist() == pytest.approx([100, 100, 100])
    assert [gov(found.result(1), line) for line in "abc"] == pytest.approx([50, 0, 50])


def test_cost_against_a_kpi() -> None:
    """Least government money for K ≥ k on KINKED: c gives 4 K per bn, so cost = k / 4."""
    inst = allocator.Instance.model_validate(KINKED)
    found = scenarios.pareto(inst, MODEL, "cost", "k", points=3)
    assert found.senses == ("min", "max")
    assert found.points["k@2026"].tolist() == pytest.approx([0, 200, 400], abs=1e-6)
    assert found.points.cost.tolist() == pytest.approx([0, 50, 100], abs=1e-6)


def test_a_frontier_with_no_room_between_its_ends_is_one_point_traced_once() -> None:
    """One line, 3 impact and 2 K per bn, up to the whole budget of 100: the best impact (300)
    is also the most K (200), so every bound on K would be 200 — one point, traced once (its
    stages solved once, not six times), and progress told the frontier is done."""
    data = {**KINKED, "lines": [{**KINKED["lines"][0], "max": 100, "yields": {"k": 2}}]}
    told: list[tuple[int, int]] = []
    found = scenarios.pareto(
        allocator.Instance.model_validate(data),
        MODEL,
        "impact",
        "k",
        6,
        progress=lambda *d: told.append(d),
    )
    assert found.points.epsilon.tolist() == pytest.approx([200])
    assert found.points["k@2026"].tolist() == pytest.approx([200])
    assert found.points.impact.tolist() == pytest.approx([300])
    assert told == [(6, 6)]


def test_frontier_points_are_non_dominated_on_korea() -> None:
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    found = scenarios.pareto(inst, None, "ai_experts", "gpus@2028", points=4)
    table = found.points
    assert len(table) >= 2
    assert table.verified.all()
    ordered = table.sort_values("gpus@2028")
    assert ordered["ai_experts@2030"].is_monotonic_decreasing
    assert (table["gpus@2028"] >= table.epsilon - 1e-6 * table.epsilon.abs().max()).all()


def test_bad_criteria_are_input_errors() -> None:
    inst = allocator.Instance.model_validate(KINKED)
    with pytest.raises(InputError, match="did you mean 'k'"):
        scenarios.pareto(inst, MODEL, "impact", "kk")
    with pytest.raises(InputError, match="name one of the years 2026"):
        scenarios.pareto(inst, MODEL, "impact", "k@2031")
    with pytest.raises(InputError, match="name two criteria"):
        scenarios.pareto(inst, MODEL, "impact", "objective")
    with pytest.raises(InputError, match="at least 2 points"):
        scenarios.pareto(inst, MODEL, "impact", "k", points=1)


def test_cli_between_writes_csv_and_parquet_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toy = str(ROOT / "instances" / "korea-2026.yaml")
    csv, parquet = tmp_path / "f.csv", tmp_path / "f.parquet"
    for out in (csv, parquet):
        args = ["frontier", toy, "--between", "impact", "ai_experts", "--points", "3"]
        assert main([*args, "--out", str(out)]) == 0
    assert "impact (max) against ai_experts@2026 (max)" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(csv), pd.read_parquet(parquet))
    assert not list(tmp_path.glob(".*"))
    assert main(["frontier", toy, "--kpi", "gpus", "--out", str(tmp_path / "f.txt")]) == 2
    assert "name a .csv or .parquet file" in capsys.readouterr().err


def test_sweep_parquet_matches_csv(tmp_path: Path) -> None:
    inst = allocator.load_instance(ROOT / "instances" / "toy.yaml")
    vary = [scenarios.parse_vary("budget.2026=60:110:6")]
    csv, parquet = tmp_path / "s.csv", tmp_path / "s.parquet"
    table = scenarios.sweep(inst, None, vary, csv)
    scenarios.sweep(inst, None, vary, parquet)
    from_parquet = pd.read_parquet(parquet)
    pd.testing.assert_frame_equal(pd.read_csv(csv), from_parquet)
    pd.testing.assert_frame_equal(table, from_parquet)
    assert not list(tmp_path.glob(".*partial"))
