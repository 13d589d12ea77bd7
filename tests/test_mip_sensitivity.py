"""What a figure is worth in a MIP, by re-solving the MIP: checked against brute force on a
published 0-1 capital-rationing problem.

The Lorie–Savage problem (J. H. Lorie and L. J. Savage, "Three problems in rationing capital",
Journal of Business 28(4), 1955, 229–239), as H. M. Weingartner solved it as a 0-1 programme in
"Mathematical Programming and the Analysis of Capital Budgeting Problems" (Prentice-Hall, 1963):
nine projects, each with the present value of its outlay in period 1 and in period 2 and its net
present value; budgets 50 in period 1 and 20 in period 2. The 0-1 optimum is 70: projects 1, 3, 4,
6 and 9 (outlays 48 and 20). Each project is a go/no-go line with its outlays as a committed
schedule over two years, valued at its net present value.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import cast

import pytest
import yaml

import allocator
from allocator.cli import main

PROJECTS = [  # (outlay in period 1, outlay in period 2, net present value)
    (12, 3, 14),
    (54, 7, 17),
    (6, 6, 17),
    (6, 2, 15),
    (30, 35, 40),
    (6, 6, 12),
    (48, 4, 14),
    (36, 3, 10),
    (18, 3, 12),
]
BUDGET = {2026: 50, 2027: 20}
INSTANCE = {
    "name": "lorie-savage",
    "years": [2026, 2027],
    "pillars": [{"id": "p", "name": "Projects"}],
    "budget": BUDGET,
    "lines": [
        {
            "id": f"P{i}",
            "name": f"Project {i}",
            "pillar": "p",
            "select": True,
            "schedule": {2026: first, 2027: second},
            "impact": value / (first + second),  # the NPV, spread over the outlays
        }
        for i, (first, second, value) in enumerate(PROJECTS, start=1)
    ],
}


def brute_force(b1: float, b2: float) -> float:
    """The best net present value over all 2^9 subsets that fit both budgets."""
    best = 0.0
    for chosen in itertools.product((0, 1), repeat=len(PROJECTS)):
        first = sum(c * p[0] for c, p in zip(chosen, PROJECTS, strict=True))
        second = sum(c * p[1] for c, p in zip(chosen, PROJECTS, strict=True))
        if first <= b1 + 1e-9 and second <= b2 + 1e-9:
            best = max(best, sum(c * p[2] for c, p in zip(chosen, PROJECTS, strict=True)))
    return best


def breakpoints(period: int, low: float, high: float) -> list[float]:
    """Where the brute-force optimum changes as one period's budget goes from `low` to `high`:
    the outlays of subsets, at which the optimum rises."""
    outlays = sorted(
        {
            sum(c * p[period] for c, p in zip(chosen, PROJECTS, strict=True))
            for chosen in itertools.product((0, 1), repeat=len(PROJECTS))
        }
    )
    other = BUDGET[2027 if period == 0 else 2026]

    def best(b: float) -> float:
        return brute_force(b, other) if period == 0 else brute_force(other, b)

    return [float(b) for b in outlays if low < b <= high and best(b) > best(b - 1e-6) + 1e-9]


@pytest.fixture(scope="module")
def res() -> allocator.Result:
    spec = allocator.ModelSpec.model_validate({"name": "npv"})
    result = allocator.solve(allocator.Instance.model_validate(INSTANCE), spec)
    assert result.verified
    return result


def test_the_optimum_is_the_published_one(res: allocator.Result) -> None:
    assert res.objective == pytest.approx(70)
    assert brute_force(50, 20) == 70
    chosen = res.selected.query("selected").line.tolist()
    assert chosen == ["P1", "P3", "P4", "P6", "P9"]


@pytest.mark.parametrize(
    ("rule", "period", "high"), [("budget[2027]", 1, 60), ("budget[2026]", 0, 90)]
)
def test_the_step_function_matches_brute_force(
    res: allocator.Result, rule: str, period: int, high: float
) -> None:
    tol = 1e-3
    steps = res.step_function(rule, 0, high, tolerance=tol)
    assert steps.slope.abs().max() == pytest.approx(0, abs=1e-9)  # 0-1: a step function
    expected = breakpoints(period, 0, high)
    assert len(steps) == len(expected) + 1
    for start, jump in zip(steps.start.iloc[1:], expected, strict=True):
        assert jump <= start <= jump + tol  # each breakpoint located to within the tolerance
    for _, piece in steps.iterrows():
        for b in (piece.start, piece.end, (piece.start + piece.end) / 2):
            budgets = (b, BUDGET[2027]) if period == 0 else (BUDGET[2026], b)
            assert piece.objective == pytest.approx(brute_force(*budgets))
    assert steps.end.iloc[-1] == pytest.approx(high)


def test_the_mip_price_of_a_budget_comes_from_re_solves(res: allocator.Result) -> None:
    prices = res.shadow_prices().set_index("rule")
    second = prices.loc["budget[2027]"]
    assert second.method == "MIP re-solves"
    # The optimum stays 70 from 20 up to 43 (projects 3, 4, 5, 6 and 9 fit from 43 and give
    # 72); just below 20 the chosen projects no longer fit and the best is 58.
    assert second.value == pytest.approx(0)
    assert second.value_from == pytest.approx(20)
    assert second.value_to == pytest.approx(43, abs=cast(float, second.tolerance))
    assert second.below == pytest.approx(brute_force(50, 20 - 1e-3)) == 58
    assert second.above == pytest.approx(brute_force(50, 43)) == 72
    assert (
        "re-solving the MIP, the optimum stays 70 impact points for any figure from 20.0 bn KRW "
        "to 43.0 bn KRW" in second.sentence
    )
    assert "just below 20.0 bn KRW another choice of projects is best" in second.sentence


def test_fixed_choice_duals_stay_labelled_never_zero_width_never_unchosen(
    res: allocator.Result,
) -> None:
    prices = res.shadow_prices()
    assert set(prices.holds_for) == {"with the chosen projects held"}
    assert prices.shadow_price.notna().all()  # the fixed-integer LP's duals remain available
    widths = (prices.valid_to - prices.valid_from).dropna()
    assert (widths > 0).all()
    assert math.isnan(cast(float, prices.set_index("rule").loc["budget[2027]", "valid_from"]))
    unchosen = ("P2", "P5", "P7", "P8")
    assert not any(f"[{p}," in rule for rule in prices.rule for p in unchosen)


def test_explain_on_a_mip_says_what_re_solving_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m.yaml").write_text(yaml.safe_dump({"name": "npv"}), encoding="utf-8")
    (tmp_path / "i.yaml").write_text(
        yaml.safe_dump({**INSTANCE, "model": "m.yaml"}), encoding="utf-8"
    )
    assert main(["explain", str(tmp_path / "i.yaml")]) == 0
    out = capsys.readouterr().out
    assert "the optimum stays 70 impact points for any figure from 20.0 bn KRW" in out
    assert "5,700" not in out  # the degenerate fixed-LP price (57.14 per 100) is not a reason


def test_korea_prices_are_re_solved_and_agree_with_the_fixed_choice_dual() -> None:
    res = allocator.solve(allocator.load_instance(Path("instances/korea-2026.yaml")))
    prices = res.shadow_prices().set_index("rule")
    budget = prices.loc["budget[2026]"]
    assert budget.method == "MIP re-solves"
    assert budget.value_from <= 9933.4 <= budget.value_to
    step = min(
        10.0, (cast(float, budget.value_to) - 9933.4) / 2
    )  # a move inside the range it holds over
    moved = allocator.load_instance(Path("instances/korea-2026.yaml")).model_copy(
        update={"budget": {2026: 9933.4 + step}}
    )
    assert res.objective is not None
    assert allocator.solve(moved).objective == pytest.approx(
        res.objective + step * cast(float, budget.value), rel=1e-6
    )


def test_the_step_function_of_an_lp_is_piecewise_linear() -> None:
    """The toy's 2026 budget is worth 1.35 per bn up to 100 + 50/7 (worked out by hand in
    instances/toy.yaml and tests/test_explain.py); past it the slope changes."""
    toy = allocator.solve(allocator.load_instance(Path("instances/toy.yaml")))
    pieces = toy.step_function("budget[2026]", 100, 120, tolerance=1e-4)
    first = pieces.iloc[0]
    assert first.slope == pytest.approx(1.35)
    assert first.objective == pytest.approx(310)
    assert first.end == pytest.approx(100 + 50 / 7, abs=1e-3)
    assert pieces.iloc[1].slope < 1.35
