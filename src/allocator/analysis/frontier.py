"""Two-criterion frontiers by staged epsilon-constraint: every point non-dominated."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from allocator.analysis.common import one_objective, pillar_totals
from allocator.analysis.plots import FrontierTable, frontier_figure, with_pillars
from allocator.api import resolve_model
from allocator.errors import InputError, Issue
from allocator.formulation import build
from allocator.formulation.model import Formulation, Linear, RowBlock
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.names import unknown_name
from allocator.solver.highs import Resolver, Solution

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Criterion:
    """One side of a frontier as a linear function of the columns: the model's objective, a KPI's
    level in a year, or government money (over the horizon or in one year), and which way is
    better."""

    name: str
    sense: Literal["max", "min"]
    cols: np.ndarray
    coefs: np.ndarray
    offset: float = 0.0
    is_objective: bool = False
    unit: str = "points"
    """What the criterion is measured in: `points` (the objective), `money`, or a KPI's unit."""

    @property
    def sign(self) -> float:
        """+1 when more is better, −1 when less is."""
        return 1.0 if self.sense == "max" else -1.0

    def value(self, x: np.ndarray) -> float:
        """The criterion's value at the column values `x`."""
        return float(self.coefs @ x[self.cols] + self.offset)


def criterion(built: Formulation, text: str) -> Criterion:
    """`objective` (or the objective's name: `impact`, `max_impact`), `KPI[@YEAR]` (a KPI's level,
    default the last year) or `cost[@YEAR]` (government money, over the horizon or in one year)."""
    inst, spec = built.inst, built.spec
    name, _, at = text.partition("@")
    year: int | None = None
    if at:
        if not at.isdigit() or int(at) not in inst.years:
            years = ", ".join(map(str, inst.years))
            raise InputError([Issue("--between", name, at, f"name one of the years {years}")])
        year = int(at)
    short = spec.objective.split("_", 1)[-1]
    kpis = [k.id for k in inst.kpis]
    if name in ("objective", spec.objective, short) and year is None:
        cols = np.flatnonzero(built.cost)
        return Criterion(
            name, built.sense, cols, built.cost[cols].copy(), built.offset, is_objective=True
        )
    if name in kpis:
        year = year if year is not None else inst.years[-1]
        column = np.array([built.level[name, year]], dtype=np.int64)
        unit = next(k.unit for k in inst.kpis if k.id == name) or "units"
        return Criterion(f"{name}@{year}", "max", column, np.ones(1), unit=unit)
    if name == "cost":
        spent = [year] if year is not None else inst.years
        cols = np.concatenate([built.gov_columns(y) for y in spent])
        return Criterion(text, "min", cols, np.ones(cols.size), unit="money")
    known = ["objective", short, "cost", *kpis]
    raise InputError([Issue("--between", "", text, unknown_name("objective or KPI", known, name))])


MAX_POINTS = 10_000
"""The most points one frontier is traced at."""


@dataclass
class Frontier:
    """The trade-off between two criteria: the non-dominated points and the plan behind each.

    The first criterion is optimised with the second bounded (ε-constraint); each point is then
    made non-dominated by improving the second with the first held, and, when neither is the
    model's objective, by optimising that objective with both held, so every plan is also the
    model's best among the plans with those two values."""

    between: tuple[str, str]
    senses: tuple[Literal["max", "min"], Literal["max", "min"]]
    points: pd.DataFrame
    """One row per point: epsilon (the bound put on the second criterion), both criteria's values,
    the model's objective, status, verified and government money per pillar."""
    results: list[Result]
    """The verified plan behind each row of `points`, in the same order."""
    unsolved: int = 0
    """Bounds at which no answer was found (not in `points`)."""

    def result(self, i: int) -> Result:
        """The plan behind point `i` (a full `Result`: allocation, pillars, KPIs)."""
        return self.results[i]

    def allocation(self, i: int) -> pd.DataFrame:
        """Money by line, year and source at point `i`."""
        return self.results[i].allocation

    def plot(self) -> Figure:
        """The first criterion against the second, one point per non-dominated plan."""
        first, second = self.between
        table = pd.DataFrame({"objective": self.points[first], "level": self.points[second]})
        figure = frontier_figure(table, f"{second} ({self.senses[1]})")
        figure.axes[0].set_ylabel(f"{first} ({self.senses[0]})")
        return figure


def pareto(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    first: str,
    second: str,
    points: int = 25,
    progress: Callable[[int, int], object] | None = None,
) -> Frontier:
    """The frontier between two criteria (see `criterion`) by the ε-constraint method: the best
    `first` at `points` bounds on `second`, from the value it has at the best `first` to its best
    value under every rule (one bound when the two are the same: a single point), in one HiGHS
    session; only non-dominated points are kept. A point's
    Result carries no shadow prices: its last solve optimised a criterion, not the model.
    `progress(done, total)` is called after each point."""
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= MAX_POINTS:
        raise InputError(
            [Issue("--points", "", points, f"ask for at least 2 points (at most {MAX_POINTS:,})")]
        )
    spec = one_objective(resolve_model(inst, model), "frontier")
    built = build(inst, spec)
    a, b = criterion(built, first), criterion(built, second)
    if a.name == b.name or (a.is_objective and b.is_objective):
        raise InputError([Issue("--between", "", f"{first} {second}", "name two criteria")])
    if a.cols.size == 0 or b.cols.size == 0:
        empty = a.name if a.cols.size == 0 else b.name
        raise InputError([Issue("--between", "", empty, "no decision moves this criterion")])
    model_cost, model_offset, model_sense = built.cost.copy(), built.offset, built.sense
    goal = criterion(built, "objective")
    held: dict[str, RowBlock] = {}
    for c in (a, b):
        built.add(
            "frontier",
            (c.name,),
            Linear(c.cols, c.sign * c.coefs),
            ">=",
            -np.inf,
            constant=c.sign * c.offset,
            text=f"{c.name} is held at its bound ({'at least' if c.sign > 0 else 'at most'})",
            criterion=c.name,
            unit=c.unit,
        )
        held[c.name] = built.row_blocks[-1]
    resolver = Resolver()
    waiting: list[Callable[[], None]] = []

    def checking() -> None:
        """The points found so far checked (beside the next solve, or at the end)."""
        while waiting:
            waiting.pop(0)()

    def optimise(c: Criterion, bounds: dict[str, float]) -> Solution:
        for other in (a, b):
            bound = bounds.get(other.name)
            held[other.name].rhs[0] = (
                -np.inf if bound is None else other.sign * (_snap(bound) - other.offset)
            )
        built.cost = np.zeros(built.columns)
        np.add.at(built.cost, c.cols, c.sign * c.coefs)
        built.sense, built.offset, built._rows = "max", 0.0, None
        # Only the objective and the held bounds moved: the rows compiled last are taken again,
        # their right-hand sides read afresh. The points already found are checked meanwhile.
        return resolver.solve(built, resolver.compiled(built), sides=True, meanwhile=checking)

    def point(bound: float | None) -> Solution:
        """Lexicographic: best `a` given the bound on `b`, then best `b`, then the objective."""
        bounds = {} if bound is None else {b.name: bound}
        sol = optimise(a, bounds)
        if not sol.status.has_allocation:
            return sol
        bounds[a.name] = _loosen(a, a.value(sol.x))
        better = optimise(b, bounds)
        sol = better if better.status.has_allocation else sol
        if not (a.is_objective or b.is_objective):
            bounds[b.name] = _loosen(b, b.value(sol.x))
            best = optimise(goal, bounds)
            sol = best if best.status.has_allocation else sol
        return sol

    top = point(None)
    if not top.status.has_allocation:
        raise InputError(
            [Issue(inst.name, "", top.status.value, "the base problem has no answer; see `solve`")]
        )
    alone = optimise(b, {})
    far = b.value(alone.x) if alone.status.has_allocation else b.value(top.x)
    rows: list[dict[str, Any]] = []
    results: list[Result] = []

    def check(bound: float, view: Formulation, sol: Solution) -> None:
        """A point's plan verified against every rule (the model's own objective restored), and
        its row."""
        res = Result.from_solution(view, sol)
        row: dict[str, Any] = {"epsilon": bound, a.name: a.value(sol.x)}
        row.update({b.name: b.value(sol.x), "objective": res.objective})
        row.update(status=res.status.value, verified=res.verified, **pillar_totals(inst, res))
        rows.append(row)
        results.append(res)

    unsolved = 0
    near = b.value(top.x)
    # No room between the two ends (the best `first` already gives the best `second`): every
    # bound would repeat one point, so it is traced once.
    flat = abs(far - near) <= 1e-9 * max(1.0, abs(far))
    bounds = [near] if flat else np.linspace(near, far, points).tolist()
    for k, bound in enumerate(bounds, start=1):
        sol = point(float(bound))
        if progress is not None:
            progress(points if flat else k, points)
        if not sol.status.has_allocation:
            unsolved += 1
            continue
        sol.objective = float(model_cost @ sol.x + model_offset)
        sol.row_dual, sol.dual_objective = None, None
        view = copy.copy(built)
        view.row_blocks = [
            replace(block, rhs=list(block.rhs)) if block.family == "frontier" else block
            for block in built.row_blocks
        ]
        view.cost, view.sense, view.offset, view._rows = model_cost, model_sense, model_offset, None
        waiting.append(partial(check, float(bound), view, sol))
    checking()
    built.cost, built.sense, built.offset = model_cost, model_sense, model_offset
    keep = _non_dominated([(a.sign * r[a.name], b.sign * r[b.name]) for r in rows])
    table = pd.DataFrame.from_records([rows[i] for i in keep])
    return Frontier(
        (a.name, b.name), (a.sense, b.sense), table, [results[i] for i in keep], unsolved
    )


def frontier(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    kpi: str,
    year: int | None = None,
    points: int = 25,
    progress: Callable[[int, int], object] | None = None,
) -> FrontierTable:
    """The trade-off between the model's objective and one KPI's level (`pareto` between
    `objective` and `KPI@YEAR`): one row per non-dominated point with the floor, the level
    reached, the objective, status, verification and government money per pillar;
    `table.plot()` draws it."""
    kpis = [k.id for k in inst.kpis]
    if kpi not in kpis:
        raise InputError([Issue("--between", "kpi", kpi, unknown_name("KPI", kpis, kpi))])
    kpi_at = f"{kpi}@{year}" if year is not None else kpi
    found = pareto(inst, model, "objective", kpi_at, points, progress)
    table = found.points.rename(columns={"epsilon": "floor", found.between[1]: "level"})
    return with_pillars(FrontierTable(table), {p.id: p.name for p in inst.pillars})


def _loosen(c: Criterion, value: float) -> float:
    """A bound just short of `value` on the worse side, so that re-solves stay feasible."""
    return value - c.sign * 1e-9 * max(1.0, abs(value))


def _snap(bound: float) -> float:
    """A bound within 1e-4 of zero set to 0: HiGHS warns of "excessively small bounds" below
    that (a stage made infeasible by it falls back to the previous stage's plan)."""
    return bound if abs(bound) >= 1e-4 else 0.0


def _non_dominated(values: list[tuple[float, float]]) -> list[int]:
    """Positions of the points (both coordinates: more is better) no other point dominates, first
    of any duplicates."""
    if not values:
        return []
    scale = [1e-6 * max(1.0, max(abs(v[k]) for v in values)) for k in (0, 1)]
    keep: list[int] = []
    for i, (x, y) in enumerate(values):
        dominated = any(
            u >= x - scale[0] and v >= y - scale[1] and (u > x + scale[0] or v > y + scale[1])
            for u, v in values
        )
        duplicate = any(
            abs(values[k][0] - x) <= scale[0] and abs(values[k][1] - y) <= scale[1] for k in keep
        )
        if not (dominated or duplicate):
            keep.append(i)
    return keep
