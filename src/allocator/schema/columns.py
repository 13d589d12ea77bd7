"""A large lines table validated a column at a time instead of one pydantic object per cell.

`fast_lines` takes the rows of an instance's `lines` (dicts, from the YAML, or from a CSV table
that `csvlines` leaves to the row reading) and
checks each column as a whole — ids and names plain text, numbers finite and below 1e15,
coefficients 0 or above 1e-9, money 0 or more and plausible in the instance's currency unit,
years as keys each once in any notation, flags true or false — with the same rules the
`Line` model applies one value at a time. When every column passes, the lines are built with
`Line.model_construct` from the values already checked (a tenth of the time). The planning
fields (spans, curves, pillar shares, deliveries, ...) are read by `planning_columns`. When any
value is of a kind the fast reading does not cover (money with a unit, a field it does not know)
or fails a check, it returns None and the lines go through pydantic as
before, which reports every problem located to its file, row and column in the usual words: so
the fast reading never accepts what the model would refuse, nor words a message of its own.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

from allocator.schema import names
from allocator.schema import planning_columns as plan
from allocator.schema.base import MAX_COUNT, SMALLEST
from allocator.schema.instance import Line
from allocator.schema.money import CURRENCY_UNITS, LARGEST, PLAUSIBLE_WON, currency_of
from allocator.schema.references import spelling_problems

MIN_ROWS = 50
"""Tables shorter than this go through pydantic directly (the fast reading saves nothing)."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A plain number as text; `float` reads it exactly as `money.read_number` does (both round
the decimal correctly to the nearest float)."""
_AMOUNT = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""A plain amount of money as text: no sign, no unit, no thousands separators."""
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}")
_YEAR = re.compile(r"[0-9]{1,9}")
_TRUE = {True: True, False: False, "true": True, "false": False}


class _SlowError(Exception):
    """A value the fast reading leaves to pydantic (to accept, or to refuse in its words)."""


def _each(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """`pattern` for a whole column of text joined by newlines (one C-level pass)."""
    return re.compile(f"(?:(?:{pattern.pattern})\n)*")


_IDS = _each(_ID)


def _all_match(column: re.Pattern[str], values: list[Any]) -> bool:
    """Whether every value is text (holding no newline) matching the pattern `column` was made
    from (`_each`)."""
    try:
        joined = "\n".join(values)
    except TypeError:  # not all text
        return False
    return (
        bool(values)
        and joined.count("\n") == len(values) - 1
        and column.fullmatch(joined + "\n") is not None
    )


_DECIMAL = b"0123456789.eE+-"


def _decimals(values: list[Any], *, signed: bool) -> list[float] | None:
    """Every value read by `float` when all are text in plain decimal notation — what `_NUMBER`
    (or, not `signed`, `_AMOUNT`) matches one at a time: of the characters `0-9 . e E + -`
    alone, `float` reads exactly these, and refuses any other arrangement of them —, checked
    over the whole column at once; else None."""
    try:
        joined = "\n".join(values)
        raw = joined.encode("ascii")
    except (TypeError, UnicodeEncodeError):  # not all text, or not all ASCII
        return None
    if not values or raw.translate(None, _DECIMAL + b"\n"):
        return None
    if joined.count("\n") != len(values) - 1:
        return None  # a value holding a newline
    if not signed and (joined[:1] in ("+", "-") or "\n+" in joined or "\n-" in joined):
        return None
    try:
        return list(map(float, values))
    except ValueError:
        return None


def _plain_text(value: Any) -> str:
    """Text as `names.clean` reads it (NFC, stripped, no control characters, not empty): at
    once for plain ASCII, through `names.clean` otherwise."""
    if type(value) is not str:
        raise _SlowError
    if value.isascii() and value.isprintable() and value and value[0] != " " != value[-1]:
        return value
    try:
        text: str = names.clean(value)
    except ValueError:
        raise _SlowError from None
    return text


_SPACE = re.compile(r"\s")
"""A space, any Unicode one (those `str.strip` removes)."""


def _text(values: list[Any]) -> list[Any]:
    try:
        joined = "\n".join(values)
    except TypeError:  # not all text
        return [_plain_text(v) for v in values]
    if joined.count("\n") != len(values) - 1 or not all(values):
        return [_plain_text(v) for v in values]
    if (
        joined.isascii()
        and joined.replace("\n", " ").isprintable()
        and joined[:1] != " " != joined[-1:]
        and "\n " not in joined
        and " \n" not in joined
    ):  # plain ASCII text, none of it starting or ending with a space: as it is
        return values
    if (
        unicodedata.is_normalized("NFC", joined)  # each value is: a newline composes with nothing
        and names._bad_character(joined, "\n") is None
        and _SPACE.search("".join(map(itemgetter(0), values))) is None
        and _SPACE.search("".join(map(itemgetter(-1), values))) is None
    ):  # any text `names.clean` leaves as it is (Korean names): as it is
        return values
    return [_plain_text(v) for v in values]


def _ids(values: list[Any]) -> list[Any]:
    if _all_match(_IDS, values):
        return values
    for v in values:
        if type(v) is not str or not _ID.fullmatch(v):
            raise _SlowError
    return values


def _flags(values: list[Any]) -> list[Any]:
    try:
        return list(map(_TRUE.__getitem__, values))
    except (KeyError, TypeError):
        raise _SlowError from None


def _floats(values: list[Any]) -> list[float]:
    """Numbers as `base._number` reads them (text exactly), finite and below 1e15 in size. Text
    reads as a Decimal, whose negation of 0 is 0: `-0` is 0.0, where `float` gives -0.0."""
    out = _decimals(values, signed=True)  # finite or, beyond a float's range, infinite
    if out is not None and 0.0 in out and "-" in "".join(values):
        out = [v + 0.0 for v in out]  # -0.0 + 0.0 is 0.0; any other float stays as it is
    if out is None:
        out = [_float(v) for v in values]
        if not all(map(math.isfinite, out)):
            raise _SlowError
    if out and not (min(out) > -LARGEST and max(out) < LARGEST):
        raise _SlowError
    return out


def _float(v: Any) -> float:
    kind = type(v)
    if kind is float or (kind is int and -LARGEST < v < LARGEST):
        return float(v)
    if kind is str and _NUMBER.fullmatch(v):
        return float(v) + 0.0  # text `-0` is 0.0, as `money.read_number` reads it
    raise _SlowError


def _finite(values: list[Any]) -> list[float]:
    return _floats(values)


def _coefficients(values: list[Any]) -> list[float]:
    """`Coefficient`: finite, and 0 or above `SMALLEST` in size (HiGHS drops the rest)."""
    out = _floats(values)
    if any(v != 0 and abs(v) <= SMALLEST for v in out):
        raise _SlowError
    return out


def _non_negative_coefficients(values: list[Any]) -> list[float]:
    out = _coefficients(values)
    if out and min(out) < 0:
        raise _SlowError
    return out


def _non_negative(values: list[Any]) -> list[float]:
    out = _floats(values)
    if out and min(out) < 0:
        raise _SlowError
    return out


def _money_reader(unit: str) -> Callable[[list[Any]], list[float]]:
    """Plain amounts as `money.parse_money` reads them in `unit`: 0 or more, plausible (below
    10,000 trillion won, or a tenth of that abroad) and below 1e15; the bound is kept a little
    inside `parse_money`'s so that figures near it are left to the exact reading."""
    factor = float(CURRENCY_UNITS[unit])
    plausible = float(PLAUSIBLE_WON) / (1 if currency_of(unit) == "KRW" else 1000)
    top = min(plausible / factor, LARGEST) * (1 - 1e-9)

    def read(values: list[Any]) -> list[float]:
        out = _decimals(values, signed=False)  # finite or, beyond a float's range, infinite
        if out is None:
            out = list(map(_amount, values))
            if not all(map(math.isfinite, out)):
                raise _SlowError
        if out and not (min(out) >= 0 and max(out) < top):
            raise _SlowError
        return out

    return read


def _amount(v: Any) -> float:
    kind = type(v)
    if (
        kind is float
        or (kind is int and 0 <= v < LARGEST)
        or (kind is str and _AMOUNT.fullmatch(v))
    ):
        return float(v)
    raise _SlowError


def _year(key: Any) -> int:
    """A year written as a key (`base._year_key`): digits, as a number or text."""
    if type(key) is int and 0 <= key < 10**9:
        return key
    if type(key) is str and _YEAR.fullmatch(key):
        return int(key)
    raise _SlowError


_YEARS: dict[Any, int] = {}
"""Year keys read so far (a table repeats the same few)."""


def _years(keys: Any) -> list[int]:
    out: list[int] = []
    for key in keys:
        year = _YEARS.get(key) if type(key) is str else None
        if year is None:
            year = _year(key)
            if type(key) is str and len(_YEARS) < 10_000:
                _YEARS[key] = year
        out.append(year)
    return out


def _per_year(read: Callable[[list[Any]], list[float]], *, scalar: bool) -> Any:
    """A reader for `PerYearMoney` (`scalar`: one figure for every year allowed) or
    `YearlyMoney` columns: years each once in any notation, every amount read by `read`."""

    def per_year(values: list[Any]) -> list[Any]:
        flat: list[Any] = []
        shapes: list[Any] = []
        for v in values:
            if type(v) is dict:
                years = _years(v)
                if len(set(years)) != len(years):
                    raise _SlowError  # a year twice: pydantic names both spellings
                shapes.append(years)
                flat += v.values()
            elif scalar:
                shapes.append(None)
                flat.append(v)
            else:
                raise _SlowError
        amounts = iter(read(flat))
        out: list[Any] = []
        for shape in shapes:
            if shape is None:
                out.append(next(amounts))
            else:
                out.append({year: next(amounts) for year in shape})
        return out

    return per_year


def _name_lists(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for v in values:
        if type(v) is not list:
            raise _SlowError
        out.append([_plain_text(x) for x in v])
    return out


def _yields(values: list[Any]) -> list[Any]:
    """`{kpi: coefficient}`: KPI names plain text, none spelled twice, values coefficients."""
    keys: list[list[str]] = []
    flat: list[Any] = []
    spelled: dict[str, str] = {}  # `names.key` of each KPI name, worked out once
    for v in values:
        if type(v) is not dict:
            raise _SlowError
        given = [_plain_text(k) for k in v]
        for k in given:
            if k not in spelled:
                spelled[k] = names.key(k)
        if len({spelled[k] for k in given}) != len(given):
            raise _SlowError
        keys.append(given)
        flat += v.values()
    amounts = iter(_coefficients(flat))
    return [{k: next(amounts) for k in given} for given in keys]


def _readers(unit: str) -> dict[str, Callable[[list[Any]], list[Any]]]:
    money = _money_reader(unit)
    per_year = _per_year(money, scalar=True)

    def unit_cost(values: list[Any]) -> list[Any]:
        out = money(values)
        if any(c <= SMALLEST and c != 0 for c in out):
            raise _SlowError
        return out

    return {
        "id": _ids,
        "name": _text,
        "name_ko": _text,
        "region": _text,
        "pillar": _refusing(plan.memberships),
        "new": _flags,
        "integer": _flags,
        "select": _flags,
        "min": per_year,
        "max": per_year,
        "reported": _per_year(money, scalar=False),
        "leverage": _non_negative_coefficients,
        "impact": _finite,
        "private_impact": _finite,
        "yields": _yields,
        "delivers": _refusing(plan.mapping(plan.text_key, plan.mapping(plan.year_key, _finite))),
        "unit_cost": unit_cost,
        "requires": _name_lists,
        "requires_any": _name_lists,
        "groups": _name_lists,
        "schedule": per_year,
        "span": _refusing(plan.whole(1, MAX_COUNT)),
        "max_starts": _refusing(plan.whole(0, MAX_COUNT)),
        "curve": _refusing(plan.curves(unit)),
        "total_max": money,
        "profile": _refusing(plan.profiles(unit)),
        "min_scale": _non_negative,
        "max_scale": _non_negative,
        "value": _finite,
        "uses": _refusing(plan.mapping(plan.text_key, _non_negative)),
        "needs": _refusing(plan.mapping(plan.text_key, per_year)),
        "returns": _refusing(plan.mapping(plan.int_key, _non_negative)),
    }


def _refusing(read: Callable[[list[Any]], list[Any]]) -> Callable[[list[Any]], list[Any]]:
    """`read` (a reader of `planning_columns`) with any refusal of its own a `_SlowError`."""

    def refusing(values: list[Any]) -> list[Any]:
        try:
            return read(values)
        except _SlowError:
            raise
        except Exception:  # anything it is not sure of: the row reading decides, in its words
            raise _SlowError from None

    return refusing


_OPTIONAL = {
    *("name_ko", "region", "max", "reported", "unit_cost"),
    *("schedule", "span", "max_starts", "curve", "total_max", "profile", "max_scale"),
}
"""Fields whose `None` (YAML `null`) means not given, as pydantic reads it."""


def fast_lines(rows: Any, unit: Any) -> list[Line] | None:
    """The lines of `rows` (a list of dicts) as `Line` objects, validated column by column, or
    None when pydantic must read them (see the module's docstring)."""
    if not isinstance(rows, list) or len(rows) < MIN_ROWS or unit not in CURRENCY_UNITS:
        return None
    checks = Line.__pydantic_decorators__
    if checks.model_validators or checks.field_validators:  # checks this reading lacks
        return None
    if not all(type(row) is dict for row in rows):
        return None
    readers = _readers(unit)
    fields: dict[str, None] = {}
    for row in rows:
        fields.update(dict.fromkeys(row))
    if not fields.keys() <= readers.keys() or not {"id", "name", "pillar"} <= fields.keys():
        return None
    if any(len(row) < 3 for row in rows):
        return None
    columns: dict[str, list[Any]] = {}
    for field in fields:
        present = [row[field] for row in rows if field in row]
        if len(present) != len(rows) and field in ("id", "name", "pillar"):
            return None  # a required field missing: pydantic says where
        given = [v for v in present if v is not None]
        if len(given) != len(present) and field not in _OPTIONAL:
            return None
        try:
            read = iter(readers[field](given))
        except _SlowError:
            return None
        columns[field] = [None if v is None else next(read) for v in present]
    return _construct(rows, columns)


def line_defaults() -> tuple[dict[str, Any], dict[str, Callable[[], Any]]]:
    """`Line`'s plain defaults by field, and its default factories (a fresh value per line)."""
    fixed: dict[str, Any] = {}
    factories: dict[str, Callable[[], Any]] = {}
    for name, field in Line.model_fields.items():
        if field.default_factory is not None:
            factories[name] = field.default_factory  # type: ignore[assignment]
        elif not field.is_required():
            if not isinstance(field.default, bool | int | float | str | type(None)):
                raise TypeError(f"Line.{name}: a mutable default needs a copy per line")
            fixed[name] = field.default
    return fixed, factories


def shared_sets(sets: list[set[str]]) -> list[set[str]]:
    """Lines that were given the same fields share one fields-given set (a few dozen kinds among
    thousands of lines, 0.7 kB each). `Line` is frozen, so pydantic never adds to it in place;
    `model_copy` copies it first."""
    seen: dict[frozenset[str], set[str]] = {}
    return [seen.setdefault(frozenset(s), s) for s in sets]


def _construct(rows: list[dict[str, Any]], columns: dict[str, list[Any]]) -> list[Line]:
    """`Line.model_construct` for each row, its defaults worked out once (pydantic's own looks
    at every default factory's signature for every object, several times the cost)."""
    fixed, factories = line_defaults()
    iters = {field: iter(values) for field, values in columns.items()}
    template = {name: fixed.get(name) for name in Line.model_fields}
    given: dict[frozenset[str], set[str]] = {}

    def each() -> Iterator[tuple[dict[str, Any], set[str]]]:
        for row in rows:
            values = {field: next(iters[field]) for field in row}
            full = template.copy()
            full.update(values)
            for name, factory in factories.items():
                if name not in values:
                    full[name] = factory()
            yield full, given.setdefault(frozenset(values), set(values))

    return lines_from(each())


def lines_from(made: Iterable[tuple[dict[str, Any], set[str]]]) -> list[Line]:
    """`Line`s from their checked fields (every field present) and the fields given, as
    `Line.model_construct` makes them."""
    out: list[Line] = []
    new, setattr_ = Line.__new__, object.__setattr__
    for full, fields_set in made:
        line = new(Line)
        setattr_(line, "__dict__", full)
        setattr_(line, "__pydantic_fields_set__", fields_set)
        setattr_(line, "__pydantic_extra__", None)
        setattr_(line, "__pydantic_private__", None)
        out.append(line)
    return out


def prevalidated(data: Any) -> Any:
    """An instance's data with its `lines` validated column by column where `fast_lines` can
    (names spelled two ways are left to pydantic, which names both); else `data` as it is."""
    if not isinstance(data, dict) or spelling_problems(data):
        return data
    lines = fast_lines(data.get("lines"), data.get("currency_unit", "bn_krw"))
    return data if lines is None else {**data, "lines": lines}
