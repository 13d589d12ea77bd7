"""Shared pydantic building blocks: strict base model and the typed fields instances use."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from allocator.schema import names
from allocator.schema.docstrings import describe_fields
from allocator.schema.money import LARGEST, check_size, parse_money, parse_share, read_number


class Strict(BaseModel):
    """Unknown keys are errors; validated objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=describe_fields)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number (not NaN or infinity)")
    return check_size(value)


SMALLEST = 1e-9
"""A figure that multiplies money in a rule (a yield, a leverage, a share, a relation's
coefficient) is 0 or at least this in size: HiGHS drops matrix entries at or below 1e-9."""


def not_tiny(value: float) -> float:
    """`value`, unless it is not 0 but below `SMALLEST` in size (a coefficient HiGHS drops)."""
    if value != 0 and abs(value) <= SMALLEST:
        raise ValueError(
            f"{value:g} is below {SMALLEST:g} in size but not 0: HiGHS drops such coefficients "
            "(the rule would silently lose it); write 0, or state the figure in a larger unit "
            "(KPI units in thousands, say)"
        )
    return value


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not a true/false value (true/false is not 1/0 here)")
    return value


_NOT_FINITE = re.compile(r"[+-]?(nan|inf|infinity)", re.IGNORECASE)


def _number(value: Any) -> Any:
    """A number as given (text read exactly: `read_number`); too large a whole number is refused
    here, before it is turned into a float."""
    value = _not_bool(value)
    if isinstance(value, int) and abs(value) >= LARGEST:
        raise ValueError(_too_large(value))
    if isinstance(value, str):
        text = value.strip()
        if _NOT_FINITE.fullmatch(text):
            raise ValueError("must be a finite number (not NaN or infinity)")
        if not any(ch in "0123456789" for ch in text):
            raise ValueError("expected a number, such as 1.5")
        number = read_number(text)
        if abs(number) >= LARGEST:
            raise ValueError(_too_large(number))
        return float(number)
    return value


def _too_large(value: Any) -> str:
    shown = f"{Decimal(value):.3g}" if abs(value) >= 10**30 else f"{value:,}"
    return (
        f"{shown} is too large (figures are below {LARGEST:g} in size); check the figure and "
        "state it in a larger unit"
    )


def _whole(value: Any) -> Any:
    """A whole number as given (text read exactly); true/false refused."""
    value = _not_bool(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value.strip()):
        return int(value.strip())
    return value


def _year_key(key: Any) -> int:
    """A year written as a key: digits (`2026`, `"2026"`, `"02026"` are all 2026)."""
    if type(key) is int and 0 <= key < 10**9:
        return key
    text = str(key).strip() if not isinstance(key, bool) else ""
    if not re.fullmatch(r"[0-9]+", text) or len(text) > 9:
        shown = repr(key) if len(repr(key)) <= 40 else repr(key)[:37] + "..."
        raise ValueError(
            f"{shown} is not a year; per-year figures are keyed by year, as in {{2026: 9900}}"
        )
    return int(text)


def _per_year_money(value: Any) -> float | dict[int, float]:
    if isinstance(value, dict):
        out: dict[int, float] = {}
        spelled: dict[int, Any] = {}
        for key, amount in value.items():
            year = _year_key(key)
            if year in spelled:
                raise ValueError(
                    f"year {year} is given twice, as {spelled[year]!r} and as {key!r}; keep one"
                )
            spelled[year] = key
            try:
                out[year] = parse_money(amount)
            except ValueError as exc:
                raise ValueError(f"year {key}: {exc}") from None
        return out
    return parse_money(value)


def unique_keys(value: Any, what: str = "key") -> Any:
    """A mapping whose text keys are cleaned (`names.clean`); two keys that become one (or differ
    only in case) are refused, both shown."""
    if not isinstance(value, dict):
        return value
    out: dict[Any, Any] = {}
    seen: dict[str, Any] = {}
    for raw, item in value.items():
        cleaned = names.clean(raw, what)
        if isinstance(cleaned, str):
            k = names.key(cleaned)
            if k in seen:
                raise ValueError(
                    f"{what} {raw!r} and {seen[k]!r} are one {what} spelled two ways (they differ "
                    f"only in case, spaces or Unicode form); give it once"
                )
            seen[k] = raw
        out[cleaned] = item
    return out


Finite = Annotated[float, BeforeValidator(_number), AfterValidator(_finite)]
NonNegative = Annotated[float, BeforeValidator(_number), AfterValidator(_finite), Field(ge=0)]
Coefficient = Annotated[Finite, AfterValidator(not_tiny)]
"""A finite figure that multiplies money in a rule: 0, or at least `SMALLEST` in size."""
NonNegativeCoefficient = Annotated[NonNegative, AfterValidator(not_tiny)]
Money = Annotated[float, BeforeValidator(parse_money, json_schema_input_type=float | str)]
MoneyCoefficient = Annotated[Money, AfterValidator(not_tiny)]
"""An amount that multiplies a count in a rule (a unit cost): 0, or at least `SMALLEST`."""
Fraction = Annotated[float, BeforeValidator(parse_share, json_schema_input_type=float | str)]
"""A share from 0 to 1 that is not a coefficient (a tolerance)."""
Share = Annotated[Fraction, AfterValidator(not_tiny)]
"""A share from 0 to 1 that multiplies money in a rule: 0, or at least `SMALLEST`."""
PerYearMoney = Annotated[
    float | dict[int, float],
    BeforeValidator(_per_year_money, json_schema_input_type=float | str | dict[int, float | str]),
]
YearlyMoney = Annotated[
    dict[int, float],
    BeforeValidator(_per_year_money, json_schema_input_type=dict[int, float | str]),
]
"""Money per year as a mapping only (`{2026: "1,500억"}`), each year once in any notation."""
MAX_COUNT = 10**9
"""The largest whole number of things (teams, sites, years) a file may state."""
Count = Annotated[int, Field(ge=0, le=MAX_COUNT), BeforeValidator(_whole)]
"""A whole number of things, 0 or more (not true/false)."""
Year = Annotated[int, Field(ge=-(10**6), le=10**6), BeforeValidator(_whole)]
"""A calendar year (an instance's `years` say which are allowed)."""
Id = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"),
    BeforeValidator(lambda v: names.clean(v, "id")),
]
Name = Annotated[str, BeforeValidator(lambda v: names.clean(v, "name"))]
"""A name people read or a rule refers to: NFC, stripped, not empty, no control characters."""
Label = Annotated[str, BeforeValidator(lambda v: names.clean(v, "label", empty=True))]
"""Short text that may be empty (a KPI's unit): NFC, stripped, no control characters."""
Prose = Annotated[str, BeforeValidator(lambda v: names.clean(v, "text", allowed="\n\t"))]
"""Free text (titles, citations, notes): NFC, stripped, no control characters but newlines and
tabs."""


def for_year(
    value: float | dict[int, float] | None, year: int | None, default: float | None
) -> float | None:
    """The figure for `year` of a per-year-or-scalar field (`default` where no figure is given)."""
    if value is None:
        return default
    if isinstance(value, dict):
        return value.get(year, default) if year is not None else default
    return value
