"""The plan's numbers gathered once into arrays indexed by (line, year), in the instance's order of
lines and years, with the instance's per-line figures beside them, so that each check is a few
array operations instead of a loop over cells. Built from `Plan` and `Instance` alone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cached_property
from itertools import chain, product, repeat
from operator import eq, is_not, itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from allocator.check.plan import Cells, Plan

if TYPE_CHECKING:
    from allocator.schema import Instance


def gather(values: Mapping[Any, float], keys: list[Any]) -> np.ndarray:
    """`values[k]` for each key (0 where absent) as an array; a straight copy when the mapping
    holds exactly these keys in this order."""
    if len(values) == len(keys) and list(values) == keys:
        return np.fromiter(values.values(), dtype=float, count=len(keys))
    return np.fromiter(map(values.get, keys, repeat(0.0)), dtype=float, count=len(keys))


def gather_cells(values: Mapping[Any, float], ids: list[str], years: list[int]) -> np.ndarray:
    """`values[line, year]` as (lines × years), 0 where absent; a straight copy when the mapping
    holds exactly these keys line by line; the array itself when they are `Cells` laid out so."""
    if isinstance(values, Cells) and values.holds(ids, years):
        return values.full()
    shape = (len(ids), len(years))
    amounts = np.fromiter(values.values(), dtype=float, count=len(values))
    if len(values) == shape[0] * shape[1] and all(map(eq, values, product(ids, years))):
        return amounts.reshape(shape)
    out = np.zeros(shape)
    if not values:
        return out
    row = dict(zip(ids, range(len(ids)), strict=True))
    col = dict(zip(years, range(len(years)), strict=True))
    # map and itemgetter, not zip(*values): no container per key for the garbage collector
    lids, ys = map(itemgetter(0), values), map(itemgetter(1), values)
    rows = np.fromiter(map(row.get, lids, repeat(-1)), dtype=np.int64, count=len(values))
    cols = np.fromiter(map(col.get, ys, repeat(-1)), dtype=np.int64, count=len(values))
    inside = (rows >= 0) & (cols >= 0)
    out[rows[inside], cols[inside]] = amounts[inside]
    return out


def _spread(
    given: Sequence[dict[str, float]], index: dict[str, int], out: np.ndarray
) -> np.ndarray:
    """Each line's {name: number} into column i of `out` (rows by `index`; others dropped)."""
    counts = np.fromiter(map(len, given), dtype=np.int64, count=len(given))
    names = list(chain.from_iterable(given))
    numbers = np.fromiter(chain.from_iterable(map(dict.values, given)), dtype=float)
    rows = np.fromiter(map(index.get, names, repeat(-1)), dtype=np.int64, count=len(names))
    cols = np.repeat(np.arange(len(given)), counts)
    kept = rows >= 0
    out[rows[kept], cols[kept]] = numbers[kept]
    return out


def pillar_shares(inst: Instance, pillars: Sequence[Any] | None = None) -> np.ndarray:
    """Each line's share in each pillar as (lines × pillars), in the instance's order (shares in
    undeclared pillars dropped); `pillars`: the lines' `pillar` fields, if already read."""
    if pillars is None:
        pillars = [line.__dict__["pillar"] for line in inst.lines]
    index = {p.id: k for k, p in enumerate(inst.pillars)}
    out = np.zeros((len(pillars), len(index)))
    if all(map(isinstance, pillars, repeat(str))):
        cols = np.fromiter(map(index.get, pillars, repeat(-1)), dtype=np.int64, count=len(pillars))
        rows = np.flatnonzero(cols >= 0)
        out[rows, cols[rows]] = 1.0
        return out
    given = [{p: 1.0} if isinstance(p, str) else dict(p) for p in pillars]
    return _spread(given, index, out.T).T


def main_pillars(inst: Instance) -> list[str]:
    """Each line's main pillar: the one with the largest share (the first listed on a tie)."""
    pillars = [line.__dict__["pillar"] for line in inst.lines]
    return [p if isinstance(p, str) else max(p, key=p.__getitem__) for p in pillars]


class Grid:
    """Money by (line, year) as (lines × years) arrays: `gov`, `private`, `drawn` (all funds),
    `money` (the three together); `s` per line (1 funded or not go/no-go, else 0)."""

    def __init__(self, inst: Instance, plan: Plan) -> None:
        self.inst, self.plan = inst, plan
        self.lines = inst.lines
        self.fields = [line.__dict__ for line in inst.lines]
        """Each line's field values by name (read once, not through the model's attributes)."""
        self.ids = list(map(itemgetter("id"), self.fields))
        self.years = list(inst.years)
        self.row = {lid: i for i, lid in enumerate(self.ids)}
        self.col = {y: j for j, y in enumerate(self.years)}
        shape = (len(self.ids), len(self.years))
        self.gov = gather_cells(plan.gov, self.ids, self.years)
        self.private = gather_cells(plan.private, self.ids, self.years)
        self.drawn = np.zeros(shape)
        for (_, lid, y), amount in plan.draws.items():
            i, j = self.row.get(lid), self.col.get(y)
            if i is not None and j is not None:
                self.drawn[i, j] += amount
        self.money = self.gov + self.private + self.drawn
        selected = plan.selected
        self.s = np.array([1.0 if selected.get(lid, True) else 0.0 for lid in self.ids])
        self.cache: dict[Any, Any] = {}

    @cached_property
    def keys(self) -> list[tuple[str, int]]:
        """(line, year) of each flat index of a (lines × years) array."""
        return [(lid, y) for lid in self.ids for y in self.years]

    def raw(self, field: str) -> tuple[Any, ...]:
        """One field of every line, as given (read straight from the lines' field values)."""
        got = self.cache.get(("raw", field))
        if got is None:
            got = tuple(map(itemgetter(field), self.fields))
            self.cache["raw", field] = got
        return tuple(got)

    def fixed(self, field: str, default: float | None) -> np.ndarray:
        """A per-line per-year figure (`min`, `max`, `schedule`) as (lines × years), `default`
        where none is given (NaN for None)."""
        got = self.cache.get(("fixed", field, default))
        if got is None:
            years = self.years
            values = self.raw(field)
            dicts = [i for i, v in enumerate(values) if isinstance(v, dict)]
            scalar = [default if isinstance(v, dict) or v is None else v for v in values]
            got = np.repeat(np.array(scalar, dtype=float)[:, None], len(years), axis=1)
            if dicts:
                flat = [values[i].get(y, default) for i in dicts for y in years]
                got[dicts] = np.array(flat, dtype=float).reshape(len(dicts), len(years))
            self.cache["fixed", field, default] = got
        return np.asarray(got)

    def attr(self, field: str, default: float = 0.0) -> np.ndarray:
        """A per-line number (`leverage`, `impact`, `unit_cost`) as an array (`default` where
        None)."""
        got = self.cache.get(("attr", field, default))
        if got is None:
            values = self.raw(field)
            got = np.array([default if v is None else v for v in values], dtype=float)
            self.cache["attr", field, default] = got
        return np.asarray(got)

    @staticmethod
    def values(mapping: Mapping[Any, float], keys: list[Any] | None = None) -> np.ndarray:
        """A mapping's values as an array (in `keys` order, 0 where absent, when given)."""
        if keys is None:
            return np.fromiter(mapping.values(), dtype=float, count=len(mapping))
        return gather(mapping, keys)

    @staticmethod
    def pair(first: Any, second: Any) -> np.ndarray:
        """Two arrays broadcast together and interleaved: `[..., 0]` first, `[..., 1]` second, so
        that a flat index i is part i % 2 of cell i // 2."""
        a, b = np.broadcast_arrays(np.asarray(first), np.asarray(second))
        return np.stack([a, b], axis=-1)

    @staticmethod
    def where(condition: Any, yes: Any, no: Any) -> np.ndarray:
        """`numpy.where`."""
        return np.where(condition, yes, no)

    @staticmethod
    def isnan(values: Any) -> np.ndarray:
        """`numpy.isnan`."""
        return np.isnan(values)

    @staticmethod
    def round(values: Any) -> np.ndarray:
        """Nearest whole numbers (halves to even, as Python's `round`)."""
        return np.round(values)

    @staticmethod
    def nonzero(mask: Any) -> list[int]:
        """Flat indices where a mask holds."""
        return [int(i) for i in np.flatnonzero(mask)]

    def mask(self, field: str) -> np.ndarray:
        """Lines where a field is set (truthy: `select`, `integer`, `new`, `curve`)."""
        got = self.cache.get(("mask", field))
        if got is None:
            values = self.raw(field)
            got = np.fromiter(map(bool, values), dtype=bool, count=len(values))
            self.cache["mask", field] = got
        return np.asarray(got)

    def given(self, field: str) -> np.ndarray:
        """Lines where a field is not None (`profile`, `schedule`, `total_max`)."""
        got = self.cache.get(("given", field))
        if got is None:
            values = self.raw(field)
            got = np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=len(values))
            self.cache["given", field] = got
        return np.asarray(got)

    def having(self, *masks: np.ndarray) -> list[Any]:
        """The lines where any of the masks holds, in order."""
        return [self.lines[i] for i in self.nonzero(np.logical_or.reduce(masks))]

    def in_group(self, group: str) -> np.ndarray:
        """Lines in a group (from an index of every group, made once: a model may hold a rule
        for each of thousands of groups)."""
        index = self.cache.get("groups")
        if index is None:
            index = {}
            for i, groups in enumerate(self.raw("groups")):
                for name in groups:
                    index.setdefault(name, []).append(i)
            self.cache["groups"] = index
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[index.get(group, [])] = True
        return mask

    def region_is(self, region: str | None) -> np.ndarray:
        """Lines in a region."""
        regions = self.cache.get("regions")
        if regions is None:
            regions = self.cache["regions"] = np.array(self.raw("region"), dtype=object)
        return np.asarray(regions == region, dtype=bool)

    @cached_property
    def shares(self) -> np.ndarray:
        """Pillar shares as (lines × pillars), pillars in the instance's order (others dropped)."""
        return pillar_shares(self.inst, self.raw("pillar"))

    def share_of(self, pillar: str) -> np.ndarray:
        """Each line's share in one pillar (0 outside it, also for an undeclared pillar)."""
        ids = [p.id for p in self.inst.pillars]
        if pillar in ids:
            return self.shares[:, ids.index(pillar)]
        return np.array([line.shares.get(pillar, 0.0) for line in self.lines], dtype=float)

    def fund_drawn(self, fund: Any) -> np.ndarray:
        """A fund's draws per year, over its eligible lines."""
        got = self.cache.get(("drawn", fund.id))
        if got is None:
            keys = [(fund.id, lid, y) for lid in fund.lines for y in self.years]
            got = gather(self.plan.draws, keys).reshape(len(fund.lines), len(self.years))
            got = got.sum(axis=0)
            self.cache["drawn", fund.id] = got
        return np.asarray(got)

    def rows_of(self, ids: list[str]) -> list[int]:
        """Rows of the lines named (those in the instance; a name twice counts twice)."""
        return [self.row[lid] for lid in ids if lid in self.row]

    @cached_property
    def budget(self) -> np.ndarray:
        """Government money available per year."""
        return np.array([self.inst.budget_in(y) for y in self.years], dtype=float)

    @cached_property
    def total(self) -> np.ndarray:
        """Government money per year, all lines."""
        return self.gov.sum(axis=0)

    def weighted(self, weights: Mapping[str, float], years: list[int], private: bool) -> float:
        """Σ share·(g + p if `private`) over the named lines (ids, not necessarily all in the
        instance) and the given years."""
        cols = [self.col[y] for y in years if y in self.col]
        if not cols or not weights:
            return 0.0
        rows, w = [], []
        for lid, share in weights.items():
            i = self.row.get(lid)
            if i is not None:
                rows.append(i)
                w.append(share)
        if not rows:
            return 0.0
        block = self.gov[np.ix_(rows, cols)]
        if private:
            block = block + self.private[np.ix_(rows, cols)]
        return float(np.asarray(w) @ block.sum(axis=1))

    @cached_property
    def yields(self) -> np.ndarray:
        """KPI yields as (kpis × lines), KPIs in the instance's order."""
        index = {k.id: n for n, k in enumerate(self.inst.kpis)}
        out = np.zeros((len(index), len(self.ids)))
        return _spread(self.raw("yields"), index, out)

    def line_values(self) -> np.ndarray:
        """`check.line_values` as an array in the instance's order of lines."""
        got = self.cache.get("line_values")
        if got is not None:
            return np.asarray(got)
        gov = self.gov
        value = self.attr("impact")[:, None] * gov
        for i in self.nonzero(self.mask("curve")):
            xs, ys = zip(*self.lines[i].curve or [], strict=True)
            value[i] = np.interp(gov[i], xs, ys)
        value += self.attr("private_impact")[:, None] * (self.money - gov)
        out = value.sum(axis=1)
        plan = self.plan
        for i in self.nonzero(self.mask("value")):
            line = self.lines[i]
            if line.value:
                taken = plan.s(line.id) if line.select else plan.scale.get(line.id, 0.0)
                out[i] += line.value * taken
        self.cache["line_values"] = out
        return out

    def levels(self) -> dict[tuple[str, int], float]:
        """`check.kpi_levels` from the gathered arrays (computed once per grid)."""
        got = self.cache.get("levels")
        if got is not None:
            return dict(got)
        inst = self.inst
        levels: dict[tuple[str, int], float] = {}
        years = inst.years
        yearly = (self.yields @ self.money).tolist() if inst.kpis else []
        s = dict(zip(self.ids, self.s.tolist(), strict=True))
        delivering = [self.lines[i] for i in self.nonzero(self.mask("delivers"))]
        for n, kpi in enumerate(inst.kpis):
            added = dict(zip(years, yearly[n], strict=True))
            for y, extra in (kpi.additions or {}).items():
                added[y] = added.get(y, 0.0) + extra
            for line in delivering:
                for y, once in line.delivers.get(kpi.id, {}).items():
                    added[y] = added.get(y, 0.0) + once * s[line.id]
            life = kpi.lifetime
            for y in years:
                base = kpi.baseline
                if life and kpi.baseline_year is not None and y >= kpi.baseline_year + life:
                    base = 0.0
                if not kpi.cumulative:
                    levels[kpi.id, y] = base + added[y]
                    continue
                levels[kpi.id, y] = base + sum(
                    amount
                    for x, amount in added.items()
                    if x <= y and (life is None or y < x + life)
                )
        self.cache["levels"] = levels
        return dict(levels)
