"""Readers of a lines table's planning columns, a column at a time: spans, curves, pillar shares,
deliveries, resources, returns and profiles (`columns._readers` lists them by field).

Each reader takes the values a column gives (from YAML, or CSV cells) and returns them as the
`Line` model reads each one alone, or raises ValueError (or another error) for anything it is
not sure the model reads the same way: the caller then leaves the whole table to the row
reading, which words the message. Numbers are read by the plain readers `columns` passes in;
the text forms (a curve `0:0; 500:650`, shares `infra: 0.7; rnd: 0.3`, a profile) by the very
functions the model's validators call, in the instance's currency unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from allocator.schema.base import not_tiny
from allocator.schema.capital import parse_profile
from allocator.schema.money import currency_unit, parse_share
from allocator.schema.planning import parse_curve, parse_membership

Reader = Callable[[list[Any]], list[Any]]
"""A column's values in, the same values read out (or an error: left to the row reading)."""

_DIGITS = re.compile(r"[0-9]{1,10}")
YEAR_BOUND = 10**6
"""`base.Year`: a year key is at most this in size."""


def whole(low: int, high: int) -> Reader:
    """Whole numbers from `low` to `high` (`span`, `max_starts`), as pydantic's `int` reads them:
    an int (not true/false) or digits."""

    def read(values: list[Any]) -> list[int]:
        out: list[int] = []
        for v in values:
            kind = type(v)
            if kind is str and _DIGITS.fullmatch(v):
                number = int(v)
            elif kind is int:
                number = v
            else:
                raise ValueError(v)
            if not low <= number <= high:
                raise ValueError(number)
            out.append(number)
        return out

    return read


def text_key(key: Any) -> str:
    """A key of a `dict[str, ...]` field (a KPI or resource id), kept as written."""
    if type(key) is not str:
        raise ValueError(key)
    return key


def int_key(key: Any) -> int:
    """A key of a `dict[int, ...]` field (a lag in periods): an int or digits."""
    if type(key) is int:
        return key
    if type(key) is str and _DIGITS.fullmatch(key):
        return int(key)
    raise ValueError(key)


def year_key(key: Any) -> int:
    """A key of a `dict[Year, ...]` field: an int or digits, at most `YEAR_BOUND` in size."""
    year = int_key(key)
    if not -YEAR_BOUND <= year <= YEAR_BOUND:
        raise ValueError(key)
    return year


def mapping(read_key: Callable[[Any], Any], read_value: Reader) -> Reader:
    """Mappings (`uses`, `returns`, `needs`, `delivers`): keys read one by one (two spellings of
    one key refused: pydantic would keep one silently), values by `read_value` all at once."""

    def read(values: list[Any]) -> list[dict[Any, Any]]:
        keys: list[list[Any]] = []
        flat: list[Any] = []
        for v in values:
            if type(v) is not dict:
                raise ValueError(v)
            given = list(map(read_key, v))
            if len(set(given)) != len(given):
                raise ValueError(v)
            keys.append(given)
            flat += v.values()
        amounts = iter(read_value(flat))
        return [{k: next(amounts) for k in given} for given in keys]

    return read


def curves(unit: str) -> Reader:
    """Curves as `parse_curve` reads them (points of floats), in `unit`; a text met again is
    read once (each line gets its own list, as from pydantic)."""

    def read(values: list[Any]) -> list[Any]:
        seen: dict[str, list[tuple[float, float]]] = {}
        out: list[Any] = []
        with currency_unit(unit):
            for v in values:
                if type(v) is str and v in seen:
                    out.append(list(seen[v]))
                    continue
                points = parse_curve(v)
                if type(points) is not list or not all(
                    type(m) is float and type(x) is float for m, x in points
                ):
                    raise ValueError(points)
                if type(v) is str:
                    seen[v] = points
                out.append(points)
        return out

    return read


def memberships(values: list[Any]) -> list[Any]:
    """A line's pillar: an id as written, or shares (a mapping, or a cell `infra: 0.7; rnd:
    0.3`) read by `parse_membership` and `parse_share`, each 0 or at least 1e-9; a cell met
    again is read once (each line gets its own mapping)."""
    try:
        if ":" not in "".join(values):
            return values  # ids alone, as written
    except TypeError:  # not all text
        pass
    out: list[Any] = []
    seen: dict[str, dict[str, float]] = {}
    for v in values:
        if type(v) is str:
            if ":" not in v:
                out.append(v)
                continue
            if v in seen:
                out.append(dict(seen[v]))
                continue
        shares = parse_membership(v)
        if type(shares) is not dict:
            raise ValueError(v)
        read: dict[str, float] = {}
        for key, share in shares.items():
            amount = not_tiny(parse_share(share))
            if type(key) is not str or type(amount) is not float:
                raise ValueError(key)
            read[key] = amount
        if type(v) is str:
            seen[v] = read
        out.append(read)
    return out


def profiles(unit: str) -> Reader:
    """Profiles as `parse_profile` reads them (outlays by year, in `unit`), each year a `Year`."""

    def read(values: list[Any]) -> list[Any]:
        with currency_unit(unit):
            out = list(map(parse_profile, values))
        for profile in out:
            if type(profile) is not dict or not all(
                type(y) is int and -YEAR_BOUND <= y <= YEAR_BOUND and type(x) is float
                for y, x in profile.items()
            ):
                raise ValueError(profile)
        return out

    return read
