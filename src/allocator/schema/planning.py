"""Planning-depth parts of an instance: regions, named funding sources with a leverage chain,
and the cell forms (`infra: 0.7; rnd: 0.3`, `0:0; 500:650`) a CSV table uses for them."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Any

from pydantic import Field

from allocator.schema.base import (
    SMALLEST,
    Id,
    Money,
    Name,
    NonNegativeCoefficient,
    PerYearMoney,
    Strict,
)
from allocator.schema.money import LARGEST, check_size, parse_money, read_number


class Region(Strict):
    """A region lines may belong to (a regional AI hub's province, say)."""

    id: Id
    name: Name
    name_ko: Name | None = None


class Fund(Strict):
    """A funding source beyond the budget and the private pool: public seed money from some
    lines draws private money, at most `leverage` won per won of seed, into eligible lines."""

    id: Id
    name: Name
    name_ko: Name | None = None
    seed: list[Name] = Field(min_length=1)
    """Lines whose government money is the fund's public seed."""
    lines: list[Name] = Field(min_length=1)
    """Lines the fund's private money may go to (eligibility)."""
    leverage: NonNegativeCoefficient
    """Private won the fund may draw, cumulatively, per won of seed paid in so far."""
    min_leverage: NonNegativeCoefficient = 0.0
    """Private won the fund must draw over the horizon per won of seed (a fund-level floor)."""
    cap: PerYearMoney | None = None
    """Private money the fund may draw per year; none: no cap beyond the leverage."""
    total_cap: Money | None = None
    """Private money the fund may draw over the whole horizon."""
    total_min: Money | None = None
    """Private money the fund must draw over the whole horizon."""
    line_caps: dict[str, PerYearMoney] | None = None
    """Private money the fund may draw into an eligible line per year, by line id (rule
    `fund_line_cap`): `{INF-02: 1000}` or `{INF-02: {2026: 250, 2027: 1000}}`."""


def parse_mapping(value: Any, what: str) -> Any:
    """`infra: 0.7; rnd: 0.3` (a CSV cell) as {"infra": "0.7", "rnd": "0.3"}; other values as
    they are."""
    if not isinstance(value, str) or ":" not in value:
        return value
    out: dict[str, str] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        key, sep, amount = part.partition(":")
        if not sep or not key.strip() or not amount.strip():
            raise ValueError(f"{part.strip()!r} is not `name: value`; write {what}")
        out[key.strip()] = amount.strip()
    return out


def parse_membership(value: Any) -> Any:
    """A line's pillar: an id, or shares as a mapping or a cell `infra: 0.7; rnd: 0.3`."""
    value = parse_mapping(value, "pillar shares as `infra: 0.7; rnd: 0.3`")
    if not isinstance(value, str | dict):
        raise ValueError(
            f'expected a pillar id as text (write it in quotes: "{value}") or shares such as '
            "{infra: 0.7, rnd: 0.3}"
        )
    return value


def parse_curve(value: Any) -> Any:
    """A curve as a list of (money, value) points, from a list, a mapping or a CSV cell
    `0:0; 500:650; 2400:2000`."""
    if value is None:
        return None
    example = "points as `0:0; 500:650; 2400:2000` (money: value)"
    if isinstance(value, str):
        value = parse_mapping(value, example)
    if isinstance(value, dict):
        value = list(value.items())
    if not isinstance(value, list):
        raise ValueError(f"expected {example}")
    points: list[tuple[float, float]] = []
    for point in value:
        if isinstance(point, dict) and set(point) == {"money", "value"}:
            point = (point["money"], point["value"])
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise ValueError(f"{point!r} is not a point; expected {example}")
        points.append((parse_money(point[0]), _number(point[1])))
    if len(points) < 2 or points[0] != (0.0, 0.0):
        raise ValueError(f"a curve starts at 0:0 and has at least two points; expected {example}")
    if any(b[0] <= a[0] for a, b in pairwise(points)):
        raise ValueError("a curve's money points must increase, such as 0:0; 500:650; 2400:2000")
    for a, b in pairwise(points):
        if b[0] - a[0] <= SMALLEST:
            raise ValueError(
                f"the curve's money points {a[0]:g} and {b[0]:g} are closer than {SMALLEST:g}; "
                "HiGHS would drop the segment's width from its rows: merge the two points"
            )
    steep = [rate for rate in slopes(points) if abs(rate) >= LARGEST]
    if steep:
        raise ValueError(
            f"a segment of the curve is worth {steep[0]:.3g} per unit of money, beyond the "
            f"{LARGEST:g} the solver accepts; check the points"
        )
    return points


def _number(value: Any) -> float:
    """A curve point's value: a finite number (not true/false)."""
    try:
        if isinstance(value, bool):
            number = math.nan
        elif isinstance(value, int | float):
            number = float(value)
        else:
            number = float(read_number(str(value)))
    except (ValueError, OverflowError):
        raise ValueError(f"{value!r} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return check_size(number)


def slopes(points: list[tuple[float, float]]) -> list[float]:
    """Value per unit of money on each segment of a curve."""
    return [(v1 - v0) / (m1 - m0) for (m0, v0), (m1, v1) in pairwise(points)]


def is_concave(points: list[tuple[float, float]]) -> bool:
    """True when each segment is worth no more per unit than the one before (diminishing
    returns): such a curve stays an LP."""
    rates = slopes(points)
    return all(b <= a + 1e-12 for a, b in pairwise(rates))
