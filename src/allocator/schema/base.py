"""Shared pydantic building blocks: strict base model and the typed fields instances use."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from allocator.schema.money import check_size, parse_money, parse_share


class Strict(BaseModel):
    """Unknown keys are errors; validated objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("must be a finite number (not NaN or infinity)")
    return check_size(value)


def _not_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("expected a number, not a true/false value (true/false is not 1/0 here)")
    return value


def _year_key(key: Any) -> int:
    try:
        year = int(str(key).strip())
    except ValueError as exc:
        raise ValueError(
            f"{key!r} is not a year; per-year figures are keyed by year, as in {{2026: 9900}}"
        ) from exc
    return year


def _per_year_money(value: Any) -> float | dict[int, float]:
    if isinstance(value, dict):
        out: dict[int, float] = {}
        for key, amount in value.items():
            year = _year_key(key)
            try:
                out[year] = parse_money(amount)
            except ValueError as exc:
                raise ValueError(f"year {key}: {exc}") from None
        return out
    return parse_money(value)


Finite = Annotated[float, BeforeValidator(_not_bool), AfterValidator(_finite)]
NonNegative = Annotated[float, BeforeValidator(_not_bool), AfterValidator(_finite), Field(ge=0)]
Money = Annotated[float, BeforeValidator(parse_money, json_schema_input_type=float | str)]
Share = Annotated[float, BeforeValidator(parse_share, json_schema_input_type=float | str)]
PerYearMoney = Annotated[
    float | dict[int, float],
    BeforeValidator(_per_year_money, json_schema_input_type=float | str | dict[int, float | str]),
]
Count = Annotated[int, BeforeValidator(_not_bool), Field(ge=0)]
"""A whole number of things, 0 or more (not true/false)."""
Year = Annotated[int, BeforeValidator(_not_bool)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


def for_year(
    value: float | dict[int, float] | None, year: int | None, default: float | None
) -> float | None:
    """The figure for `year` of a per-year-or-scalar field (`default` where no figure is given)."""
    if value is None:
        return default
    if isinstance(value, dict):
        return value.get(year, default) if year is not None else default
    return value
