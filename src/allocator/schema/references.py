"""Cross-references of an instance checked after its fields are valid: names given twice in
two spellings, and every name, year and figure one part of the instance gives another."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from itertools import chain, compress
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from allocator.schema import names
from allocator.schema.base import (
    for_year,
)
from allocator.schema.capital import (
    capital_line_problems,
    cash_problems,
    resource_problems,
)
from allocator.schema.names import unknown_name

if TYPE_CHECKING:
    from allocator.schema.instance import Instance, Line


def _years_of(value: float | dict[int, float] | None) -> list[int]:
    return list(value) if isinstance(value, dict) else []


_NAMESPACES = {"pillars": "pillar", "lines": "line", "kpis": "KPI", "regions": "region"}


def spelling_problems(data: Any) -> list[tuple[str, Any, str]]:
    """Names of one kind (ids of pillars, lines, KPIs, regions, funds; line groups) spelled two
    ways that differ only in case, spaces or Unicode form, as written (before they are
    cleaned): each would be read as its own name."""
    if not isinstance(data, dict):
        return []
    problems: list[tuple[str, Any, str]] = []
    for field, kind in (*_NAMESPACES.items(), ("funds", "fund")):
        items = data.get(field)
        if isinstance(items, list) and any(issubclass(t, dict) for t in set(map(type, items))):
            ids = [
                (f"{field}[{i}].id", item.get("id"))
                for i, item in enumerate(items)
                if isinstance(item, dict)
            ]
            problems += names.spelling_clashes(ids, f"{kind} id")
    lines = data.get("lines")
    if isinstance(lines, list) and any(issubclass(t, dict) for t in set(map(type, lines))):
        groups = [
            (f"lines[{i}].groups", group)
            for i, line in enumerate(lines)
            if isinstance(line, dict) and isinstance(line.get("groups"), list)
            for group in line["groups"]
        ]
        problems += names.spelling_clashes(groups, "group")
    return problems


def reference_problems(inst: Instance) -> list[tuple[str, Any, str]]:
    problems: list[tuple[str, Any, str]] = []

    def duplicates(kind: str, ids: list[str]) -> None:
        if len(set(ids)) == len(ids):
            return
        first: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in first:
                problems.append(
                    (
                        f"{kind}[{i}].id",
                        ident,
                        f"id {ident!r} is used {Counter(ids)[ident]} times (first by "
                        f"{kind}[{first[ident]}]); ids must be unique: rename or remove one",
                    )
                )
            first.setdefault(ident, i)

    pillar_ids = [p.id for p in inst.pillars]
    line_ids = [line.id for line in inst.lines]
    kpi_ids = [k.id for k in inst.kpis]
    duplicates("pillars", pillar_ids)
    duplicates("lines", line_ids)
    duplicates("kpis", kpi_ids)
    region_ids = [r.id for r in inst.regions]
    duplicates("regions", region_ids)
    duplicates("funds", [f.id for f in inst.funds])
    known_lines = set(line_ids)  # a fund may name thousands of lines: no list searched per name
    for i, fund in enumerate(inst.funds):
        for field in ("seed", "lines"):
            for lid in getattr(fund, field):
                if lid not in known_lines:
                    problems.append(
                        (f"funds[{i}].{field}", lid, unknown_name("line", line_ids, lid))
                    )
        eligible = set(fund.lines)
        for lid in fund.line_caps or {}:
            if lid not in eligible:
                problems.append(
                    (
                        f"funds[{i}].line_caps",
                        lid,
                        f"a line cap needs a line the fund may draw into ({', '.join(fund.lines)});"
                        " add it to `lines` or remove the cap",
                    )
                )
        if isinstance(fund.cap, dict):
            problems += [
                (f"funds[{i}].cap.{y}", y, _outside(inst.years))
                for y in fund.cap
                if y not in set(inst.years)
            ]
    for i, stock in enumerate(inst.kpis):
        problems += [
            (f"kpis[{i}].additions.{y}", y, _outside(inst.years))
            for y in stock.additions or {}
            if y not in set(inst.years)
        ]
        if stock.lifetime is not None and not stock.cumulative:
            problems.append(
                (
                    f"kpis[{i}].lifetime",
                    stock.lifetime,
                    "only a stock (cumulative: true) has additions that age out; remove lifetime",
                )
            )
    years = set(inst.years)
    for field in ("budget", "private_pool"):
        value = getattr(inst, field)
        if isinstance(value, dict):
            for year in value:
                if year not in years:
                    problems.append((f"{field}.{year}", year, _outside(inst.years)))
    problems += cash_problems(inst.cash, inst.carryover, inst.years)
    problems += resource_problems(inst)
    if isinstance(inst.budget, dict):
        for year in inst.years:
            if year not in inst.budget:
                problems.append(
                    (
                        "budget",
                        inst.budget,
                        f"no budget given for {year}; add `{year}: AMOUNT` or give one figure "
                        "for every year",
                    )
                )
    known = set(line_ids)
    for i in _suspects(inst.lines, set(pillar_ids), set(region_ids), set(kpi_ids), known, years):
        line = inst.lines[i]
        at = f"lines[{i}]"
        problems += [(f"{at}.{path}", value, msg) for path, value, msg in _line_problems(line)]
        for pillar in line.shares:
            if pillar not in pillar_ids:
                problems.append(
                    (f"{at}.pillar", pillar, unknown_name("pillar", pillar_ids, pillar))
                )
        if line.region is not None and line.region not in region_ids:
            problems.append(
                (f"{at}.region", line.region, unknown_name("region", region_ids, line.region))
            )
        for kpi in line.yields:
            if kpi not in kpi_ids:
                problems.append((f"{at}.yields.{kpi}", kpi, unknown_name("KPI", kpi_ids, kpi)))
        for kpi, when in line.delivers.items():
            if kpi not in kpi_ids:
                problems.append((f"{at}.delivers.{kpi}", kpi, unknown_name("KPI", kpi_ids, kpi)))
            problems += [
                (f"{at}.delivers.{kpi}.{y}", y, _outside(inst.years))
                for y in when
                if y not in set(inst.years)
            ]
        for field in ("requires", "requires_any"):
            for other in getattr(line, field):
                if other not in known:
                    problems.append((f"{at}.{field}", other, unknown_name("line", line_ids, other)))
        problems += [(f"{at}.{path}", v, msg) for path, v, msg in capital_line_problems(line)]
        for year in line.profile or {}:
            if year not in years:
                problems.append((f"{at}.profile.{year}", year, _outside(inst.years)))
        for field in ("min", "max"):
            value = getattr(line, field)
            if isinstance(value, dict):
                for year in value:
                    if year not in years:
                        problems.append((f"{at}.{field}.{year}", year, _outside(inst.years)))
    seen: set[tuple[str, int]] = set()
    for i, target in enumerate(inst.targets):
        if target.kpi not in kpi_ids:
            problems.append(
                (f"targets[{i}].kpi", target.kpi, unknown_name("KPI", kpi_ids, target.kpi))
            )
        if target.year not in years:
            problems.append((f"targets[{i}].year", target.year, _outside(inst.years)))
        if (target.kpi, target.year) in seen:
            problems.append(
                (f"targets[{i}]", target.kpi, f"a second target for {target.kpi} in {target.year}")
            )
        seen.add((target.kpi, target.year))
    return problems


_WATCHED = (
    "id",
    "pillar",
    "region",
    "yields",
    "requires",
    "requires_any",
    "min",
    "max",
    "integer",
    "unit_cost",
    *("delivers", "returns", "value", "min_scale"),  # 0 or empty in a plain line
    *("profile", "max_scale", "span", "max_starts", "schedule", "curve"),  # None in a plain line
)


_FIELDS = attrgetter("__dict__")


def _suspects(
    lines: list[Line],
    pillars: set[str],
    regions: set[str],
    kpis: set[str],
    line_ids: set[str],
    years: set[int],
) -> list[int]:
    """The lines that may have a problem the loop in `reference_problems` reports (a superset
    of those that do), found a field at a time across all lines: the loop then words the
    problems of these alone, in the same order."""
    if not lines:
        return []
    try:  # the fields from each line's `__dict__` (several times faster than attributes)
        values = list(map(itemgetter(*_WATCHED), map(_FIELDS, lines)))
    except (KeyError, AttributeError):
        values = list(map(attrgetter(*_WATCHED), lines))
    cols = dict(zip(_WATCHED, zip(*values, strict=True), strict=True))
    flagged: set[int] = set()

    def flag(column: tuple[Any, ...], bad: Callable[[Any], Any]) -> None:
        flagged.update(i for i, value in enumerate(column) if bad(value))

    for field in _WATCHED[-10:-6]:
        if any(cols[field]):
            flag(cols[field], bool)
    for field in _WATCHED[-6:]:
        if cols[field].count(None) != len(lines):
            flag(cols[field], lambda value: value is not None)
    if not _within(cols["pillar"], pillars):
        flag(cols["pillar"], lambda p: type(p) is not str or p not in pillars)
    if not _within(cols["region"], {*regions, None}):
        flag(cols["region"], lambda r: r is not None and r not in regions)
    for field, known in (("yields", kpis), ("requires", line_ids), ("requires_any", line_ids)):
        if not set().union(*cols[field]) <= known:
            flag(cols[field], _missing_from(known))
    if any(cols["requires"]):
        flagged.update(
            i
            for i, (ident, needs) in enumerate(zip(cols["id"], cols["requires"], strict=True))
            if ident in needs
        )
    if any(cols["integer"]):
        flagged.update(
            i
            for i, (whole, cost) in enumerate(zip(cols["integer"], cols["unit_cost"], strict=True))
            if whole and not cost
        )
    for field in ("min", "max"):
        keyed = [value for value in cols[field] if isinstance(value, dict)]
        if keyed and not set().union(*keyed) <= years:
            flag(cols[field], lambda value: isinstance(value, dict) and not years.issuperset(value))
    lows, highs = _figures(cols["min"]), _figures(cols["max"])
    if not _ordered([*lows, 0.0], highs):
        mins, maxes = cols["min"], cols["max"]
        # with every max 0 or more, a min of 0 (or none by year) is never above it
        some = compress(range(len(lines)), mins) if _ordered([0.0], highs) else range(len(lines))
        flagged.update(
            i
            for i in some
            if (hi := maxes[i]) is not None
            and (lo > hi if type(lo := mins[i]) is float is type(hi) else _above(lo, hi))
        )
    return sorted(flagged)


def _figures(column: tuple[Any, ...]) -> list[Any]:
    """The figures of a per-year-or-one-figure column: every one-figure value and every value
    by year (None left out)."""
    keyed = [value for value in column if type(value) is dict]
    return [
        *(value for value in column if value is not None and type(value) is not dict),
        *chain.from_iterable(map(dict.values, keyed)),
    ]


def _ordered(lows: list[Any], highs: list[Any]) -> bool:
    """Whether every one of `lows` is at most every one of `highs` (all finite numbers): then
    no line's min is above its max in any year."""
    if not highs or not set(map(type, lows + highs)) <= {float, int}:
        return not highs
    total = sum(lows) + sum(highs)
    return math.isfinite(total) and max(lows) <= min(highs)


def _missing_from(known: set[str]) -> Callable[[Any], bool]:
    return lambda names: not known.issuperset(names)


def _within(column: tuple[Any, ...], known: set[Any]) -> bool:
    try:
        return set(column) <= known
    except TypeError:  # a value that is not hashable (pillar shares)
        return False


def _above(lo: Any, hi: Any) -> bool:
    """Whether `_line_problems` finds a min above a max (or may: true where unsure)."""
    low, high = type(lo), type(hi)
    if low is float and high is float:
        return bool(lo > hi)
    if low is float and high is dict:
        return any(map(lo.__gt__, hi.values()))  # NotImplemented (not a float) counts as true
    if low is dict and high is float and lo:
        return any(map(hi.__lt__, lo.values()))
    if low is dict and high is dict:  # the loop below, without a lookup per year and field
        get = hi.get
        return any(a > b for year, a in lo.items() if (b := get(year)) is not None) or any(
            b < 0.0 for year, b in hi.items() if year not in lo
        )
    years: list[int | None] = [*sorted({*_years_of(lo), *_years_of(hi)})]
    for year in years or [None]:
        a, b = for_year(lo, year, 0.0), for_year(hi, year, None)
        if a is not None and b is not None and a > b:
            return True
    return False


def _line_problems(line: Line) -> list[tuple[str, Any, str]]:
    problems: list[tuple[str, Any, str]] = []
    years: list[int | None] = [*sorted({*_years_of(line.min), *_years_of(line.max)})]
    for year in years or [None]:
        lo, hi = for_year(line.min, year, 0.0), for_year(line.max, year, None)
        if lo is not None and hi is not None and lo > hi:
            at = f" in {year}" if year else ""
            path = f"min.{year}" if isinstance(line.min, dict) else "min"
            problems.append(
                (path, lo, f"min {lo:g} is above max {hi:g}{at}; lower the min or raise the max")
            )
    if line.integer and not line.unit_cost and line.profile is None:
        problems.append(
            (
                "unit_cost",
                line.unit_cost,
                "an integer line needs a unit_cost above 0 (the cost of one whole unit); "
                "give unit_cost or set integer: false",
            )
        )
    if not isinstance(line.pillar, str):
        total = sum(line.pillar.values())
        if abs(total - 1.0) > 1e-9 or any(v <= 0 for v in line.pillar.values()):
            problems.append(
                (
                    "pillar",
                    line.pillar,
                    f"pillar shares must be above 0 and sum to 1 (they sum to {total:g}), such as "
                    "{infra: 0.7, rnd: 0.3}",
                )
            )
    if line.span is not None and not line.integer:
        problems.append(
            (
                "span",
                line.span,
                "a span counts whole units (teams, sites) started in a year; set integer: true and "
                "unit_cost, or remove span",
            )
        )
    if line.max_starts is not None and line.span is None:
        problems.append(
            ("max_starts", line.max_starts, "max_starts counts units started; give span too")
        )
    if line.schedule is not None and (line.min != 0.0 or line.max is not None):
        problems.append(
            (
                "schedule",
                line.schedule,
                "a scheduled line's money is fixed by its schedule; remove min and max",
            )
        )
    if line.curve is not None and line.impact != 0.0:
        problems.append(
            (
                "curve",
                line.curve,
                "a line's value comes from its curve or from impact, not both; remove impact",
            )
        )
    if line.id in line.requires:
        problems.append(
            ("requires", line.id, f"a line cannot require itself; remove {line.id!r} from requires")
        )
    return problems


def _outside(years: list[int]) -> str:
    return (
        f"this year is outside the instance's years ({years[0]}–{years[-1]}); use one of "
        f"{', '.join(map(str, years))} or add the year to `years`"
    )
