"""Money and share parsing: numbers in the instance's currency unit, or strings with a Korean or
English unit ("9.9조", "1,936억", "193.6bn", "1.8T", "30 trillion")."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from functools import cache
from typing import Any, Literal

CURRENCY_UNITS: dict[str, Decimal] = {
    "krw": Decimal(1),
    "mn_krw": Decimal(10) ** 6,
    "eok_krw": Decimal(10) ** 8,
    "bn_krw": Decimal(10) ** 9,
    "tn_krw": Decimal(10) ** 12,
    "usd": Decimal(1),
    "k_usd": Decimal(10) ** 3,
    "m_usd": Decimal(10) ** 6,
    "bn_usd": Decimal(10) ** 9,
    "eur": Decimal(1),
    "k_eur": Decimal(10) ** 3,
    "m_eur": Decimal(10) ** 6,
    "bn_eur": Decimal(10) ** 9,
}
"""Currency units an instance may declare, in the currency's own unit (won, dollars, euros)."""


CurrencyUnit = Literal[
    "krw",
    "mn_krw",
    "eok_krw",
    "bn_krw",
    "tn_krw",
    "usd",
    "k_usd",
    "m_usd",
    "bn_usd",
    "eur",
    "k_eur",
    "m_eur",
    "bn_eur",
]
"""The `currency_unit` an instance may declare."""


def currency_of(unit: str) -> str:
    """The currency of a currency unit: `KRW`, `USD` or `EUR`."""
    return unit.rsplit("_", 1)[-1].upper() if unit in CURRENCY_UNITS else "KRW"


_KOREAN_UNITS = {"조", "억", "십억", "백만", "천만", "만", "천"}
"""Multipliers only won amounts are written with."""

_MULTIPLIERS: dict[str, Decimal] = {
    "": Decimal(1),
    "조": Decimal(10) ** 12,
    "억": Decimal(10) ** 8,
    "십억": Decimal(10) ** 9,
    "백만": Decimal(10) ** 6,
    "천만": Decimal(10) ** 7,
    "만": Decimal(10) ** 4,
    "천": Decimal(10) ** 3,
    "t": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12,
    "trillion": Decimal(10) ** 12,
    "b": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "billion": Decimal(10) ** 9,
    "m": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "million": Decimal(10) ** 6,
    "k": Decimal(10) ** 3,
    "thousand": Decimal(10) ** 3,
}
_CURRENCY_WORD = {
    "KRW": re.compile(r"(원|won|krw)$", re.IGNORECASE),
    "USD": re.compile(r"(usd|dollars?)$", re.IGNORECASE),
    "EUR": re.compile(r"(eur|euros?)$", re.IGNORECASE),
}
_SYMBOL = {"KRW": "₩", "USD": "$", "EUR": "€"}

MONEY_HELP = (
    'a non-negative number in the instance\'s currency unit, or a string such as "9.9조", '
    '"1936억", "193.6bn", "1.8T" or "30 trillion"'
)

PLAUSIBLE_WON = Decimal(10) ** 16
"""The largest amount a money field accepts, in won: 10,000 trillion won (= 10,000,000 bn KRW),
about 14 times Korea's whole state budget. Anything larger is a figure in the wrong unit, usually
won written where the instance declares bn KRW (which makes it a billion times too large)."""

LARGEST = 1e15
"""Every figure a file states is below this in size: HiGHS refuses matrix entries of 1e15 or more
and takes bounds of 1e20 or more as infinite, and no budget, KPI or coefficient comes near it in a
sensible unit."""

_unit: ContextVar[str] = ContextVar("currency_unit", default="bn_krw")


@contextmanager
def currency_unit(name: str) -> Iterator[None]:
    """Parse money strings into `name` (a key of CURRENCY_UNITS) while the block runs."""
    token = _unit.set(name if name in CURRENCY_UNITS else "bn_krw")
    try:
        yield
    finally:
        _unit.reset(token)


_PLAIN = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,12})?")
"""Plain digits with an optional decimal part: money text that needs no unit, sign or comma (at
most 27 digits: Decimal's 28-digit context reads them exactly, so both readings round once)."""


@cache
def _surely_fine(unit: str) -> float:
    """Below this, a plain number in `unit` passes every check of `parse_money` (half the
    plausible limit, so no rounding of the unit's factor can matter)."""
    won = PLAUSIBLE_WON if currency_of(unit) == "KRW" else PLAUSIBLE_WON / 1000
    return min(LARGEST, float(won / CURRENCY_UNITS[unit]) / 2)


def parse_money(value: Any) -> float:
    """A money amount in the current currency unit; raises ValueError saying what is allowed."""
    kind = type(value)
    if (kind is float or kind is int) and 0 <= value < _surely_fine(_unit.get()):
        return float(value)  # the common case, read by the ten thousand: the same float
    if kind is str and _PLAIN.fullmatch(value):  # a CSV cell: `float` rounds as Decimal does
        number = float(value)
        if number < _surely_fine(_unit.get()):
            return number
    if isinstance(value, bool):
        raise ValueError(f"expected {MONEY_HELP}, not a true/false value")
    unit_given = False
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"expected {MONEY_HELP}; NaN and infinity are not amounts")
        amount = Decimal(repr(value))
    elif isinstance(value, str):
        amount, unit_given = _parse_money_text(value)
    else:
        raise ValueError(f"expected {MONEY_HELP}, not {_kind(value)}")
    if amount < 0:
        raise ValueError("money cannot be negative; give an amount of 0 or more")
    _check_plausible(amount, unit_given)
    number = float(amount)
    if number >= LARGEST:
        raise ValueError(
            f"{number:g} {UNIT_LABELS[_unit.get()]} is too large for the solver (figures must be "
            f"below {LARGEST:g}); use a larger currency_unit, such as bn_krw"
        )
    return number


def check_size(value: float) -> float:
    """`value`, if it is below LARGEST in size; else a ValueError saying what to do."""
    if abs(value) >= LARGEST:
        raise ValueError(
            f"{value:g} is too large for the solver (figures must be below {LARGEST:g} in size); "
            "state it in a larger unit"
        )
    return value


def _kind(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "nothing" if value is None else f"a {type(value).__name__}"


def _check_plausible(amount: Decimal, unit_given: bool) -> None:
    """Refuse an amount above PLAUSIBLE_WON, saying what was probably meant."""
    name = _unit.get()
    factor = CURRENCY_UNITS[name]
    won = amount * factor
    if currency_of(name) != "KRW":
        if won > PLAUSIBLE_WON / 1000:
            raise ValueError(
                f"{amount:,.0f} {UNIT_LABELS[name]} is more than "
                f"{_num(PLAUSIBLE_WON / 1000 / factor)} {UNIT_LABELS[name]}; check the figure "
                "and its unit"
            )
        return
    if won <= PLAUSIBLE_WON:
        return
    label = UNIT_LABELS[name]
    limit = f"more than 10,000 trillion won ({_num(PLAUSIBLE_WON / factor)} {label})"
    if unit_given or factor == 1:
        raise ValueError(f"{_won_text(won)} is {limit}; check the figure and its unit")
    meant = amount / factor
    if won > PLAUSIBLE_WON * factor:  # not even a figure in won: a typo, or far too many digits
        raise ValueError(f"{_big(amount)} {label} is {limit}; check the figure and its unit")
    raise ValueError(
        f"{amount:,.0f} {label} would be {float(won):.3g} won, {limit}; it looks like a figure in "
        f"won where the instance declares {label}: write {_num(meant)} (the figure in "
        f"{label}) or a string with its unit, "
        f'such as "{_won_text(amount)}"'
    )


def _big(amount: Decimal) -> str:
    """A very large figure, shortened: `1.2e+400`."""
    return f"{amount:,.0f}" if amount.adjusted() < 30 else f"{amount:.3g}"


def _won_text(won: Decimal) -> str:
    """An amount of won as Koreans write it: `2.4조`, `1936억`, `5,000원`."""
    if won >= 10**16:
        return f"{_big(won / 10**12)}조"
    if won >= 10**12:
        return f"{_num(won / 10**12)}조"
    if won >= 10**8:
        return f"{_num(won / 10**8)}억"
    return f"{_num(won)}원"


def _num(value: Decimal) -> str:
    """A figure with thousands separators and no exponent: `10,000,000`, `9,933.4`."""
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,.6g}"


_DIGITS = re.compile(r"[\d.,]+", re.ASCII)
_WELL_FORMED = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+", re.ASCII)
_SCIENTIFIC = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+", re.ASCII)
_MONEY_PART = re.compile(r"([\d.,]+)([^\d.,+\-]*)", re.ASCII)


def read_number(text: str, what: str = "number") -> Decimal:
    """A plain number written as text, read exactly: digits with at most one decimal point,
    commas only as thousands separators (`1,500.5`), one optional sign in front, an optional
    exponent (`1e3`). Anything else is a ValueError saying why."""
    body, negative = _sign(text, what)
    if _SCIENTIFIC.fullmatch(body):
        number = Decimal(body)
    else:
        _check_digits(body, text)
        if not _WELL_FORMED.fullmatch(body):
            raise ValueError(f"cannot read {text!r} as a {what}; write digits such as 1500 or 1.5")
        number = Decimal(body.replace(",", ""))
    return -number if negative else number


def _sign(text: str, what: str) -> tuple[str, bool]:
    """The text after one optional leading sign, and whether the sign was `-`."""
    raw = text.strip()
    signs = re.match(r"[+\-\s]*", raw)
    lead = signs.group() if signs else ""
    marks = [c for c in lead if c in "+-"]
    if len(marks) > 1:
        raise ValueError(
            f"{text!r} has {len(marks)} signs in front ({''.join(marks)}); a {what} takes at "
            "most one, + or -"
        )
    body = raw[len(lead) :]
    if marks and lead != marks[0]:
        raise ValueError(f"{text!r}: put the sign right before the digits, with no space")
    unsigned = re.sub(r"(?<=[0-9.])[eE][+-](?=[0-9])", "e", body)  # an exponent's sign stays
    if "+" in unsigned or "-" in unsigned:
        raise ValueError(f"{text!r}: a sign (+ or -) goes only in front of the whole {what}")
    return body, marks == ["-"]


def _check_digits(body: str, text: str) -> None:
    """Refuse a run of digits, commas and points that is not one well-formed number."""
    for run in _DIGITS.findall(body):
        if _WELL_FORMED.fullmatch(run):
            continue
        if run.count(".") > 1 and "," not in run:
            raise ValueError(f"{text!r}: {run!r} has more than one decimal point")
        if "," in run and "." in run and run.rindex(",") > run.index("."):
            raise ValueError(
                f"{text!r}: {run!r} has a comma after the decimal point; the decimal mark is a "
                "point and a comma separates thousands, as in 1,000.5"
            )
        if "," in run:
            raise ValueError(
                f"{text!r}: {run!r} is not a number with thousands separators; a comma may "
                "only separate groups of three digits (1,500 or 1,234,567), so write 1.5 for "
                "one and a half, or drop the comma"
            )
        raise ValueError(f"cannot read {run!r} in {text!r} as a number")


def _parse_money_text(text: str) -> tuple[Decimal, bool]:
    """The amount in the current unit, and whether the text named a unit."""
    cleaned = text.replace("_", " ")
    body, negative = _sign(cleaned, "money amount")
    currency = currency_of(_unit.get())
    body = body.strip().removeprefix(_SYMBOL[currency]).strip()
    if _SCIENTIFIC.fullmatch(body):
        amount = Decimal(body)
        return (-amount if negative else amount), False
    parts = _MONEY_PART.findall(body)
    if not parts or "".join(n + u for n, u in parts).replace(" ", "") != body.replace(" ", ""):
        raise ValueError(f"cannot read {text!r} as money; expected {MONEY_HELP}")
    _check_digits(body, text)
    total = Decimal(0)
    unit_given = False
    previous: Decimal | None = None
    for number, unit_text in parts:
        unit = _CURRENCY_WORD[currency].sub("", unit_text.strip()).strip()
        key = unit if not unit.isascii() else unit.lower()
        if key not in _MULTIPLIERS or (currency != "KRW" and key in _KOREAN_UNITS):
            help_text = MONEY_HELP if currency == "KRW" else _foreign_help(currency)
            raise ValueError(f"unknown money unit {unit_text.strip()!r} in {text!r}; {help_text}")
        has_unit = bool(unit_text.strip())
        if len(parts) > 1 and not has_unit:
            raise ValueError(f"every part of {text!r} needs a unit (as in '1조 2000억')")
        factor = _MULTIPLIERS[key]
        if previous is not None and factor >= previous:
            raise ValueError(
                f"{text!r}: write each unit once, the larger first (as in '1조 2000억')"
            )
        previous = factor
        unit_given = unit_given or has_unit
        total += Decimal(number.replace(",", "")) * factor
    amount = total / CURRENCY_UNITS[_unit.get()] if unit_given else total
    return (-amount if negative else amount), unit_given


def parse_share(value: Any) -> float:
    """A share as a fraction in [0, 1]; "30%" is accepted, 30 is refused as a likely percentage."""
    if isinstance(value, bool):
        raise ValueError("expected a share between 0 and 1, not a true/false value")
    if isinstance(value, str):
        text = value.strip()
        try:
            share = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError as exc:
            raise ValueError(f'cannot read {value!r} as a share; write 0.30 or "30%"') from exc
    elif isinstance(value, int | float):
        share = float(value)
    else:
        raise ValueError(f'expected a share between 0 and 1 (0.30 or "30%"), not {_kind(value)}')
    if not math.isfinite(share) or share < 0:
        raise ValueError('a share must be between 0 and 1, such as 0.30 or "30%"')
    if share > 1 and isinstance(value, str):
        raise ValueError('a share cannot exceed 100%; write a fraction such as 0.30 or "30%"')
    if share > 1:
        raise ValueError(
            f"a share is a fraction between 0 and 1; {value} looks like a percentage: write "
            f'{share / 100:.4g} or "{value}%"'
        )
    return share


def _foreign_help(currency: str) -> str:
    symbol = _SYMBOL[currency]
    return (
        f"a non-negative number in the instance's currency unit, or a string such as "
        f'"{symbol}1.5m", "250k", "2bn {currency}" (units k, m, bn, t)'
    )


UNIT_LABELS = {
    "krw": "KRW",
    "mn_krw": "mn KRW",
    "eok_krw": "억 KRW",
    "bn_krw": "bn KRW",
    "tn_krw": "tn KRW",
    "usd": "USD",
    "k_usd": "k USD",
    "m_usd": "m USD",
    "bn_usd": "bn USD",
    "eur": "EUR",
    "k_eur": "k EUR",
    "m_eur": "m EUR",
    "bn_eur": "bn EUR",
}


def format_money(amount: float, unit: str = "bn_krw") -> str:
    """An amount with its unit, as people write it: `1,800.0 bn KRW`, `14.0 m USD` (KRW to one
    decimal; dollars and euros to the cent of their unit, trailing zeros dropped)."""
    if currency_of(unit) == "KRW":
        return f"{amount:,.1f} {UNIT_LABELS.get(unit, unit)}"
    text = f"{amount:,.4f}".rstrip("0").rstrip(".")
    return f"{'0' if text in ('-0', '') else text} {UNIT_LABELS.get(unit, unit)}"
