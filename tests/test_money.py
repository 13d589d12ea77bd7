"""Money and share strings: Korean and English units, and the mistakes they must catch."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from allocator.schema import money
from allocator.schema.money import currency_unit, parse_money, parse_share


@pytest.mark.parametrize(
    ("text", "bn"),
    [
        ("9.9조", 9900),
        ("1936억", 193.6),
        ("1,936억 원", 193.6),
        ("193.6bn", 193.6),
        ("193.6 bn KRW", 193.6),
        ("1.8T", 1800),
        ("30 trillion", 30000),
        ("1조 2,000억", 1200),
        ("500 million", 0.5),
        ("2500", 2500),
        (" 12.5 ", 12.5),
        (7, 7),
        (0, 0),
    ],
)
def test_money_in_bn_krw(text: object, bn: float) -> None:
    assert parse_money(text) == pytest.approx(bn)


def test_money_in_another_currency_unit() -> None:
    with currency_unit("tn_krw"):
        assert parse_money("9,900억") == pytest.approx(0.99)
        assert parse_money(3) == 3


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("9.9 zillion", "unknown money unit"),
        ("abc", "cannot read"),
        ("-5조", "negative"),
        (-1, "negative"),
        (float("nan"), "NaN"),
        (float("inf"), "NaN and infinity"),
        (True, "true/false"),
        ([1], "expected"),
        ("1조 2000", "needs a unit"),
    ],
)
def test_bad_money_says_what_is_allowed(value: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_money(value)


@given(st.decimals(min_value=0, max_value=10**6, places=3))
def test_korean_units_agree_with_plain_numbers(amount: object) -> None:
    """An amount written in 억 equals the same amount written in bn KRW (1억 = 0.1 bn)."""
    bn = float(str(amount))
    assert parse_money(f"{float(str(amount)) * 10:.4f}억") == pytest.approx(bn, rel=1e-12, abs=1e-9)


@pytest.mark.parametrize(("value", "share"), [(0.3, 0.3), ("30%", 0.3), ("0.477", 0.477), (1, 1.0)])
def test_shares(value: object, share: float) -> None:
    assert parse_share(value) == pytest.approx(share)


@pytest.mark.parametrize(
    ("value", "says"), [(30, "looks like a percentage"), ("150%", "100%"), (-0.1, "between")]
)
def test_bad_shares(value: object, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        parse_share(value)


@pytest.mark.parametrize(
    ("unit", "text", "amount"),
    [
        ("usd", "$100k", 100_000.0),
        ("k_usd", "2.5m", 2_500.0),
        ("m_usd", "$1.5 bn", 1_500.0),
        ("m_eur", "1.2bn EUR", 1_200.0),
        ("eur", "€250 thousand", 250_000.0),
        ("bn_usd", "40", 40.0),
    ],
)
def test_dollar_and_euro_amounts(unit: str, text: str, amount: float) -> None:
    with currency_unit(unit):
        assert parse_money(text) == pytest.approx(amount)


def test_won_units_are_refused_in_a_dollar_instance() -> None:
    with currency_unit("m_usd"), pytest.raises(ValueError, match="unknown money unit '억'"):
        parse_money("1936억")


def test_dollar_and_euro_amounts_are_written_in_their_unit() -> None:
    from allocator.report.labels import money
    from allocator.schema.money import format_money

    assert format_money(57.449017, "m_usd") == "57.449 m USD"
    assert format_money(218_500, "usd") == "218,500 USD"
    assert money(14, "m_usd") == "$14 million"
    assert money(250_000, "eur", "ko") == "€250,000"


@given(
    st.one_of(st.floats(), st.integers(min_value=-(10**25), max_value=10**25)),
    st.sampled_from(sorted(money.CURRENCY_UNITS)),
)
def test_plain_numbers_read_the_same_on_the_quick_path(value: float, unit: str) -> None:
    """A plain number well inside the limits skips the exact (Decimal) checks: it gives the float
    the checks give, and anything near or past a limit still takes them (same error)."""

    def read(quick: bool) -> float | str:
        saved = money._surely_fine
        if not quick:
            money._surely_fine = lambda _unit: -1.0  # type: ignore[assignment]
        try:
            with currency_unit(unit):
                return parse_money(value)
        except ValueError as exc:
            return str(exc)
        finally:
            money._surely_fine = saved

    quick, exact = read(True), read(False)
    assert str(quick) == str(exact)  # the same float (its sign too) or the same message
