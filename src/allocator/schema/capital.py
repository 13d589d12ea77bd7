"""Capital-budgeting parts of an instance: outlay profiles that may turn into inflows, returns on
money spent, and the cash account (carry-over with interest, borrowing repaid with interest)."""

from __future__ import annotations

import operator
from itertools import compress
from operator import attrgetter
from typing import Any, Literal

from allocator.schema.base import Id, NonNegative, PerYearMoney, Strict, for_year
from allocator.schema.money import parse_money
from allocator.schema.names import unknown_name

Line = Any
"""An instance's line (`allocator.schema.instance.Line`, which imports this module)."""


def signed_money(value: Any) -> float:
    """A money amount that may be negative (an inflow): `-0.5`, `"-1.2m"`."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
        return -parse_money(-value)
    if isinstance(value, str) and value.strip().startswith("-"):
        return -parse_money(value.strip()[1:])
    return parse_money(value)


def parse_profile(value: Any) -> Any:
    """A line's `profile`: {year: outlay} with outlays that may be negative (inflows)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ValueError(
            "a profile is the outlay per year of the whole project, such as {0: 11, 1: 3} "
            "(a negative figure is money coming back)"
        )
    out: dict[int, float] = {}
    for key, amount in value.items():
        try:
            year = int(str(key).strip())
        except ValueError:
            raise ValueError(f"{key!r} is not a year or period, as in {{0: 11, 1: 3}}") from None
        try:
            out[year] = signed_money(amount)
        except ValueError as exc:
            raise ValueError(f"year {key}: {exc}") from None
    return out


class Cash(Strict):
    """The cash account of a capital budget: money left over is carried into the next period
    (at most `carry`, earning `rate`), money may be borrowed (at most `borrow` a period, repaid
    with `borrow_rate` interest the next period), and what is left after the last period is the
    final cash (`objective: max_final_cash`)."""

    carry: PerYearMoney | Literal["unlimited"] = "unlimited"
    """The most that may be carried out of a period (per period, one figure, or unlimited)."""
    rate: NonNegative = 0.0
    """Interest a carried unit earns per period: 0.08 makes 1 carried into 1.08."""
    borrow: PerYearMoney = 0.0
    """The most that may be borrowed in a period (0: no borrowing)."""
    borrow_rate: NonNegative = 0.0
    """Interest on a loan: borrowing 1 in a period repays 1 + borrow_rate the next period."""


class Resource(Strict):
    """A non-money resource with a limit per year (staff-years, GPUs of capacity, floor
    space): lines use it per unit of money (`uses`) or per chosen project (`needs`)."""

    id: Id
    name: str
    name_ko: str | None = None
    unit: str = "units"
    limit: PerYearMoney
    """The most available each year (one figure or per year)."""


_USES, _NEEDS = attrgetter("uses"), attrgetter("needs")


def resource_problems(inst: Any) -> list[tuple[str, Any, str]]:
    """Resources a line uses that the instance lacks; `needs` on a line that is not a project;
    limits for years outside the horizon."""
    known = [r.id for r in inst.resources]
    problems: list[tuple[str, Any, str]] = []
    for i, r in enumerate(inst.resources):
        if isinstance(r.limit, dict):
            problems += [
                (f"resources[{i}].limit.{y}", y, "this year is outside the instance's years")
                for y in r.limit
                if y not in inst.years
            ]
    lines = inst.lines
    given = map(operator.or_, map(bool, map(_USES, lines)), map(bool, map(_NEEDS, lines)))
    for i in compress(range(len(lines)), given):  # the lines with `uses` or `needs`
        line = lines[i]
        for field in ("uses", "needs"):
            for rid in getattr(line, field):
                if rid not in known:
                    problems.append(
                        (f"lines[{i}].{field}.{rid}", rid, unknown_name("resource", known, rid))
                    )
        if line.needs and not (line.select or line.profile is not None):
            problems.append(
                (
                    f"lines[{i}].needs",
                    ", ".join(line.needs),
                    "needs is what a chosen project takes; give the line select: true or a "
                    "profile, or use `uses` (resource per unit of money)",
                )
            )
    return problems


def carry_cap(cash: Cash | None, carryover: float | dict[int, float] | None, year: int) -> float:
    """The most that may be carried out of `year` (inf: no cap)."""
    if cash is None:
        return for_year(carryover, year, 0.0) or 0.0
    if cash.carry == "unlimited":
        return float("inf")
    return for_year(cash.carry, year, 0.0) or 0.0


def inflow(line: Line, year: int) -> float:
    """Money coming back to the budget in `year` per unit of the line's scale (its profile's
    negative figures)."""
    amount = (line.profile or {}).get(year, 0.0)
    return -amount if amount < 0 else 0.0


def outlay(line: Line, year: int) -> float:
    """The line's government money in `year` per unit of its scale (its profile's positive
    figures)."""
    amount = (line.profile or {}).get(year, 0.0)
    return amount if amount > 0 else 0.0


def cash_problems(
    cash: Cash | None, carryover: Any, years: list[int]
) -> list[tuple[str, Any, str]]:
    """The cash account's figures for years outside the horizon, or a second carry-over cap."""
    problems: list[tuple[str, Any, str]] = []
    if cash is not None and carryover is not None:
        problems.append(
            (
                "cash",
                "carry",
                "give the carry-over cap once: in cash.carry or in carryover, not both",
            )
        )
    for field in ("carry", "borrow"):
        value = getattr(cash, field, None)
        if isinstance(value, dict):
            problems += [
                (
                    f"cash.{field}.{y}",
                    y,
                    f"this period is outside the instance's years ({years[0]}–{years[-1]})",
                )
                for y in value
                if y not in years
            ]
    return problems


def capital_line_problems(line: Line) -> list[tuple[str, Any, str]]:
    """A line's capital-budgeting fields that contradict each other or other fields."""
    problems: list[tuple[str, Any, str]] = []
    if line.profile is not None:
        clash = [
            field
            for field in ("schedule", "max", "unit_cost", "span", "curve")
            if getattr(line, field) is not None
        ] + (["min"] if line.min != 0.0 else [])
        if clash:
            problems.append(
                (
                    "profile",
                    line.profile,
                    f"a line with a profile takes its money from the profile times its scale; "
                    f"remove {', '.join(clash)} (bound the scale with min_scale and max_scale)",
                )
            )
        if line.select and (line.min_scale != 0.0 or line.max_scale is not None):
            problems.append(
                (
                    "max_scale",
                    line.max_scale,
                    "a go/no-go line (select: true) is taken whole or not at all; remove "
                    "min_scale and max_scale, or set select: false for a divisible project",
                )
            )
        if line.max_scale is not None and line.min_scale > line.max_scale:
            problems.append(
                (
                    "min_scale",
                    line.min_scale,
                    f"min_scale {line.min_scale:g} is above max_scale {line.max_scale:g}",
                )
            )
    elif line.min_scale != 0.0 or line.max_scale is not None:
        problems.append(
            (
                "max_scale",
                line.max_scale if line.max_scale is not None else line.min_scale,
                "min_scale and max_scale bound a project's profile; give profile or remove them",
            )
        )
    if line.value and not (line.select or line.profile is not None):
        problems.append(
            (
                "value",
                line.value,
                "value is a project's worth when taken (its NPV): give the line select: true "
                "or a profile, or use impact (value per unit of money)",
            )
        )
    for lag in line.returns:
        if lag < 1:
            problems.append(
                (
                    f"returns.{lag}",
                    lag,
                    "a return comes back 1 or more periods after the money is spent, such as "
                    "{1: 0.5, 2: 1.0}",
                )
            )
    return problems
