"""The per-line arrays the builders use, made once per formulation: column numbers of `gov` and
`private` as lines × years grids, floors and caps per year (NaN where a line has no cap), pillar
weights, number fields of the lines. Each is the array form of a per-line helper (`line_min`,
`line_max`, `gov[line, year]`, ...), so a builder can say its rows for every line and year at once
(`np.flatnonzero` over a grid gives the rows line by line, year by year, as the keys of `gov`)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import numpy as np

from allocator.schema import Instance


class LineArrays:
    """Array helpers of `Formulation` (which holds the fields named here)."""

    inst: Instance
    gov: dict[tuple[str, int], int]
    private: dict[tuple[str, int], int]
    selected: dict[str, int]
    _arrays: dict[Any, Any]

    def gov_grid(self) -> np.ndarray:
        """Column numbers of g[l, y] as a lines × years array (the instance's orders)."""
        if "gov" not in self._arrays:
            self._arrays["gov"] = self._grid(self.gov)
        grid: np.ndarray = self._arrays["gov"]
        return grid

    def private_grid(self) -> np.ndarray:
        """Column numbers of p[l, y] as a lines × years array, -1 where a line draws none."""
        if "private" not in self._arrays:
            self._arrays["private"] = self._grid(self.private)
        grid: np.ndarray = self._arrays["private"]
        return grid

    def _grid(self, columns: dict[tuple[str, int], int]) -> np.ndarray:
        years = self.inst.years
        return np.array(
            [[columns.get((line.id, y), -1) for y in years] for line in self.inst.lines],
            dtype=np.int64,
        ).reshape(len(self.inst.lines), len(years))

    def group_rows(self, group: str) -> list[int]:
        """The lines of a group (rows in the instance's order), from an index of every group
        made once (a model may hold a rule for each of thousands of groups)."""
        if "groups" not in self._arrays:
            index: dict[str, list[int]] = {}
            for i, line in enumerate(self.inst.lines):
                for name in line.groups:
                    index.setdefault(name, []).append(i)
            self._arrays["groups"] = index
        rows: list[int] = self._arrays["groups"].get(group, [])
        return rows

    def in_group(self, group: str) -> np.ndarray:
        """Which lines (in the instance's order) are in a group."""
        mask = np.zeros(len(self.inst.lines), dtype=bool)
        mask[self.group_rows(group)] = True
        return mask

    def selected_columns(self) -> np.ndarray:
        """Column number of s[l] for every line, -1 for a line that is not go/no-go."""
        if "selected" not in self._arrays:
            lines = self.inst.lines
            cols = np.full(len(lines), -1, dtype=np.int64)
            if self.selected:
                cols[:] = [self.selected.get(line.id, -1) for line in lines]
            self._arrays["selected"] = cols
        found: np.ndarray = self._arrays["selected"]
        return found

    def line_floors(self) -> np.ndarray:
        """Each line's government-money floor per year (lines × years; 0 where none), the
        array form of `line_min`."""
        if "floors" not in self._arrays:
            self._arrays["floors"] = per_year([ln.min for ln in self.inst.lines], self, 0.0)
        floors: np.ndarray = self._arrays["floors"]
        return floors

    def line_caps(self) -> np.ndarray:
        """Each line's government-money cap per year (lines × years; NaN where it has none),
        the array form of `line_max`."""
        if "caps" not in self._arrays:
            self._arrays["caps"] = per_year([ln.max for ln in self.inst.lines], self, np.nan)
        caps: np.ndarray = self._arrays["caps"]
        return caps

    def line_values(self, field: str) -> np.ndarray:
        """A number field of every line (`impact`, `leverage`, ...), in the instance's order."""
        if ("field", field) not in self._arrays:
            values = list(map(attrgetter(field), self.inst.lines))
            self._arrays["field", field] = np.array(values, dtype=float)
        found: np.ndarray = self._arrays["field", field]
        return found

    def pillar_weights(self, pillar: str) -> np.ndarray:
        """Every line's membership share of `pillar` (0 for a line outside it)."""
        if ("pillar", pillar) not in self._arrays:
            if "members" not in self._arrays:  # each line's pillar by number, -1 if shared
                number = {p.id: k for k, p in enumerate(self.inst.pillars)}
                members = list(map(attrgetter("pillar"), self.inst.lines))
                codes = [number.get(m, -1) if isinstance(m, str) else -1 for m in members]
                shared = [(i, m) for i, m in enumerate(members) if isinstance(m, dict)]
                self._arrays["members"] = np.array(codes, dtype=np.int64), number, shared
            codes, number, shared = self._arrays["members"]
            weights = (codes == number.get(pillar, -2)).astype(float)
            for i, member in shared:  # a line shared between pillars
                weights[i] = member.get(pillar, 0.0)
            self._arrays["pillar", pillar] = weights
        found: np.ndarray = self._arrays["pillar", pillar]
        return found


def per_year(
    values: list[float | dict[int, float] | None], built: LineArrays, default: float
) -> np.ndarray:
    """Per-year-or-scalar figures (one per line) as a lines × years array, `default` where a line
    gives none (None) or its mapping leaves a year out (as `for_year`)."""
    years = built.inst.years
    flat = [default if value is None or isinstance(value, dict) else value for value in values]
    out = np.repeat(np.array(flat, dtype=float).reshape(-1, 1), len(years), axis=1)
    mapped = [i for i, value in enumerate(values) if isinstance(value, dict)]
    if mapped:  # a year a mapping leaves out reads None, then NaN, then `default`
        got = [[*map(values[i].get, years)] for i in mapped]  # type: ignore[union-attr]
        rows = np.array(got, dtype=float)
        out[mapped] = np.where(np.isnan(rows), default, rows)
    return out
