"""Money for people: report amounts in trillion/billion won or 조/억, sentence amounts in the
instance's currency unit with at least three significant digits, and axis ticks."""

from __future__ import annotations

import math

from allocator.schema.money import CURRENCY_UNITS, UNIT_LABELS, currency_of
from allocator.words.language import Lang
from allocator.words.numbers import MINUS, figure, is_zero

CURRENCY_KO = {
    "krw": "원",
    "mn_krw": "백만원",
    "eok_krw": "억원",
    "bn_krw": "십억원",
    "tn_krw": "조원",
}
"""The currency units in Korean, as a table's unit column writes them."""


def won(amount: float, currency_unit: str = "bn_krw") -> float:
    """An amount in the instance's currency unit, in won."""
    return amount * float(CURRENCY_UNITS[currency_unit])


def currency(currency_unit: str, lang: Lang = "en") -> str:
    """The currency unit's label: `bn KRW`, or `십억원` in Korean."""
    if lang == "ko":
        return CURRENCY_KO.get(currency_unit, currency_unit)
    return UNIT_LABELS.get(currency_unit, currency_unit)


def money(amount: float, currency_unit: str = "bn_krw", lang: Lang = "en") -> str:
    """An amount as report tables write it: "9.93 trillion won" or "9조 9,334억원"."""
    value = won(amount, currency_unit)
    if not math.isfinite(value):
        return "—"
    sign = MINUS if value < 0 else ""
    value = abs(value)
    foreign = currency_of(currency_unit)
    if foreign != "KRW":
        return sign + _foreign(value, "$" if foreign == "USD" else "€")
    if lang == "ko":
        return sign + _korean(value)
    if value >= 1e12 - 5e8:
        return f"{sign}{value / 1e12:,.2f} trillion won"
    if value >= 1e9 - 5e4:
        return f"{sign}{value / 1e9:,.1f} billion won"
    if value >= 1e6:
        return f"{sign}{value / 1e6:,.1f} million won"
    return f"{sign}{value:,.0f} won"


def _foreign(value: float, symbol: str) -> str:
    """Dollars or euros as readers write them: "$14 million", "€250,000"."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if value >= size:
            return f"{symbol}{value / size:,.3g} {word}"
    return f"{symbol}{value:,.0f}"


def _korean(value: float) -> str:
    """조 and 억 (만 below 1억), rounded to the last unit shown: 9,933.4 bn → "9조 9,334억원"."""
    if value < 1e8 - 5e3:
        man = round(value / 1e4)
        return f"{man:,}만원" if man else "0원"
    jo, eok = divmod(round(value / 1e8), 10_000)
    if jo and eok:
        return f"{jo:,}조 {eok:,}억원"
    return f"{jo:,}조원" if jo else f"{eok:,}억원"


def amount(value: float, currency_unit: str = "bn_krw", lang: Lang = "en", sig: int = 4) -> str:
    """An amount for sentences, with at least three significant digits and its unit: in
    English in the instance's currency unit ("9,933.4 bn KRW", "0.111 bn KRW", "20.0 bn KRW"),
    in Korean in 조/억/만 ("9조 9,334억원", "1.11억원")."""
    if not math.isfinite(value):
        return figure(value)
    if lang != "ko":
        return f"{figure(value, sig, least=1)} {currency(currency_unit)}"
    total = won(value, currency_unit)
    if is_zero(total, 1e8):
        return "0원"
    sign, total = (MINUS if total < 0 else ""), abs(total)
    if total >= 1e12 - 5e7:
        jo, eok = divmod(round(total / 1e8), 10_000)
        return sign + (f"{jo:,}조 {eok:,}억원" if eok else f"{jo:,}조원")
    if total >= 1e8 - 50:
        return f"{sign}{figure(total / 1e8, sig)}억원"
    if total >= 1e4 - 0.5:
        return f"{sign}{figure(total / 1e4, sig)}만원"
    return f"{sign}{figure(total, sig)}원"


def one_unit(currency_unit: str, lang: Lang = "en") -> str:
    """One unit of the currency, as a step in sentences: "one bn KRW" or "10억원"."""
    if lang == "ko":
        return amount(1.0, currency_unit, "ko")
    return f"one {currency(currency_unit)}"


def money_tick(value_won: float, lang: Lang = "en") -> str:
    """A short axis label for an amount in won: "2.5 tn", "500 bn"; "2.5조", "5,000억"."""
    if value_won == 0:
        return "0"
    if abs(value_won) >= 1e12:
        return f"{value_won / 1e12:,.3g}" + ("조" if lang == "ko" else " tn")
    if lang == "ko":
        return f"{value_won / 1e8:,.4g}억" if abs(value_won) >= 1e8 else f"{value_won / 1e4:,.4g}만"
    return f"{value_won / 1e9:,.4g} bn" if abs(value_won) >= 1e9 else f"{value_won / 1e6:,.4g} mn"
