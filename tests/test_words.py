"""Numbers in words (`allocator.words`, one module for the explanations and the reports): at least
three significant digits, near-zero values as zero, units on every figure and range, direction
words that cannot be misread, in English and Korean; and the objective said with what one point
is and how many of the figures behind it are assumed."""

from __future__ import annotations

import re

import pytest

import allocator
from allocator import words
from allocator.report import text as report
from tests.helpers import ROOT

TOY = ROOT / "instances" / "toy.yaml"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.111, "0.111"),
        (0.127, "0.127"),
        (0.069, "0.069"),
        (1.127, "1.127"),
        (112.66, "112.7"),
        (11_033.467, "11,033"),
        (7.276e-12, "0"),
        (-0.5, "−0.5"),
        (float("nan"), "—"),
    ],
)
def test_figures_keep_three_significant_digits_and_noise_is_zero(value: float, shown: str) -> None:
    assert words.figure(value) == shown


@pytest.mark.parametrize(
    ("value", "en", "ko"),
    [
        (9933.4, "9,933.4 bn KRW", "9조 9,334억원"),
        (0.111, "0.111 bn KRW", "1.11억원"),
        (20, "20.0 bn KRW", "200억원"),
        (0.05, "0.05 bn KRW", "5,000만원"),
        (1e-13, "0.0 bn KRW", "0원"),
    ],
)
def test_amounts_in_sentences(value: float, en: str, ko: str) -> None:
    assert words.amount(value, "bn_krw", "en") == en
    assert words.amount(value, "bn_krw", "ko") == ko


def test_units_for_levels_and_changes() -> None:
    assert words.quantity(84.27, "pp") == "84.27%"
    assert words.quantity(5, "pp", change=True) == "5 pp"
    assert words.quantity(5, "pp", "ko", change=True) == "5%p"
    assert words.quantity(151_626, "person") == "151,626 people"
    assert words.quantity(151_626, "person", "ko") == "151,626명"
    assert words.quantity(30_286, "GPU", "ko") == "30,286대"
    assert words.percent(0.477) == "47.7%"
    assert words.percent(0.4272, 4) == "42.72%"


def test_price_sentences_carry_units_direction_and_three_digits() -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    prices = res.shadow_prices().set_index("rule").sentence
    assert "one more bn KRW of this figure adds 1.35 impact points" in prices["budget[2026]"]
    assert "for any figure from 57.14 bn KRW to 107.1 bn KRW" in prices["budget[2026]"]
    assert "one more GPU of this figure costs 0.05 impact points" in prices["target[gpus,2027]"]
    room = prices["pillar_share_min[talent,2026]"]
    assert "each bn KRW of room given to this rule adds 0.5 impact points" in room
    assert "for up to 5.0 bn KRW of room" in room
    for sentence in prices:
        assert not re.search(r"\d e[-+]\d", sentence)
        # every number in a range is followed by its unit
        for low, high in re.findall(r"from ([^ ]+ [^ ,;]+) to ([^ ]+ [^ ,;]+)", sentence):
            assert low.split()[-1] in ("KRW", "GPU"), sentence
            assert high.split()[-1] in ("KRW", "GPU"), sentence


def test_korean_price_sentences() -> None:
    res = allocator.solve(allocator.load_instance(TOY))
    prices = res.shadow_prices("ko").set_index("rule").sentence
    assert "이 수치가 10억원 늘면 영향 점수가 1.35점 늘어남" in prices["budget[2026]"]
    assert "(수치가 571.4억원에서 1,071억원 사이일 때 성립)" in prices["budget[2026]"]
    assert "이 수치가 1대 늘면 영향 점수가 0.05점 줄어듦" in prices["target[gpus,2027]"]


def test_near_zero_costs_are_zero() -> None:
    """A policy that costs nothing reads "costs 0 impact points", not "costs 7.276e-12"."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026.yaml"))
    prices = res.price_of_policies()
    free = prices[prices.cost.abs() < 1e-6].iloc[0]
    assert free.cost == 0
    assert "costs 0 impact points (0.0% of the objective without it)" in free.sentence
    for sentence in prices.sentence:
        assert "e-" not in sentence


def test_the_objective_says_what_a_point_is_and_how_firm_it_is() -> None:
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026.yaml"))
    text = report.table(res)
    assert "objective (max_impact) = 10,965.6289 impact points" in text
    assert "one impact point is what 1 bn KRW of government money earns in a line whose" in text
    assert "42 of the 43 figures behind it are assumed" in text
    korean = report.table(res, "ko")
    assert "영향 점수 1점은" in korean
    assert "목적함수를 정하는 입력 수치 43개 가운데 42개가 가정값입니다" in korean
    weighing = words.weighing(res.instance, res.model)
    assert len(weighing.figures) == 43  # 36 impact scores, 6 private impacts, 1 target
    assert "targets.gpus.2026" in weighing.figures
