"""What-ifs on top of solving: compare scenarios with the base, and sweep parameters on a grid."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from allocator.api import resolve_model, solve
from allocator.build import build
from allocator.build.model import Built, Linear, RowBlock
from allocator.errors import InputError, Issue
from allocator.execute import Executor, run_sweep
from allocator.output import table_format
from allocator.results import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.instance import unknown_name
from allocator.schema.scenario import Change, Scenario, apply_scenario
from allocator.solve import Resolver, Solution, Status


@dataclass
class Comparison:
    """A scenario against the base: what changed in the inputs, in the split, and in the rules."""

    scenario: str
    inputs: list[Change]
    base: Result
    result: Result

    def allocation(self) -> pd.DataFrame:
        """Money by line, year and source: base, scenario and change (both must be answers)."""
        keys = ["line", "name", "pillar", "year", "source"]
        a = self.base.allocation.rename(columns={"amount": "base"})
        b = self.result.allocation.rename(columns={"amount": "scenario"})
        out = a.merge(b, on=keys, how="outer").fillna({"base": 0.0, "scenario": 0.0})
        out["change"] = out.scenario - out.base
        return out

    def pillars(self) -> pd.DataFrame:
        """Government money by pillar and year: base, scenario and change."""
        keys = ["pillar", "name", "year"]
        a = self.base.pillars[[*keys, "government"]].rename(columns={"government": "base"})
        b = self.result.pillars[[*keys, "government"]].rename(columns={"government": "scenario"})
        out = a.merge(b, on=keys, how="outer").fillna(0.0)
        out["change"] = out.scenario - out.base
        return out

    def rules(self) -> pd.DataFrame:
        """Rules whose state or shadow price moved: they account for the change in the split."""
        cols = ["rule", "text", "state", "shadow_price"]
        a = self.base.audit()[cols].rename(
            columns={"state": "base_state", "shadow_price": "base_price"}
        )
        b = self.result.audit()[cols].rename(columns={"state": "state", "shadow_price": "price"})
        out = a.merge(b, on=["rule"], how="outer", suffixes=("", "_scenario"))
        out["text"] = out.text.fillna(out.text_scenario)
        moved = (out.base_state != out.state) | ~np.isclose(
            out.base_price.fillna(0.0), out.price.fillna(0.0), rtol=1e-6, atol=1e-9
        )
        return out.loc[moved, ["rule", "text", "base_state", "state", "base_price", "price"]]


def compare(
    inst: Instance, scenarios: Sequence[tuple[Scenario, str]], model: ModelSpec | str | Path | None
) -> list[Comparison]:
    """Solve the base and each (scenario, file) pair; one Comparison per scenario."""
    spec = resolve_model(inst, model)
    base = solve(inst, spec)
    out = []
    for scenario, file in scenarios:
        new_inst, new_spec, changes = apply_scenario(inst, spec, scenario, file)
        out.append(Comparison(scenario.name, changes, base, solve(new_inst, new_spec)))
    return out


def parse_vary(text: str) -> tuple[str, list[float]]:
    """`budget.2026=8000:12000:21` → ("budget.2026", 21 values from 8000 to 12000)."""
    path, _, spec = text.partition("=")
    parts = spec.split(":")
    try:
        if len(parts) == 3:
            return path, list(np.linspace(float(parts[0]), float(parts[1]), int(parts[2])))
        return path, [float(x) for x in spec.split(",")]
    except ValueError:
        raise InputError(
            [Issue("--vary", path or text, spec, "write PATH=START:STOP:COUNT or PATH=V1,V2,...")]
        ) from None


def sweep(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    vary: Sequence[tuple[str, list[float]]],
    out: Path | None = None,
    *,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool | None = None,
    warm: bool = False,
) -> pd.DataFrame:
    """Solve every point of the grid (one to three parameters); one row per point, in grid order,
    with the point number, the parameters, status, objective, verification and government money
    per pillar. Chunks of points are each solved in one HiGHS session on `executor` (default:
    in-process, or a local process pool for a big grid; see `allocator.execute`). With `out`,
    rows go to `out`'s partial twin as they arrive and the table to `out` at the end; `resume`
    finishes an interrupted sweep from its partial twin."""
    if not 1 <= len(vary) <= 3:
        raise InputError([Issue("--vary", "", len(vary), "vary one to three parameters")])
    if out is not None:
        table_format(out)
    spec = resolve_model(inst, model)
    grid = list(itertools.product(*(values for _, values in vary)))
    first = {path: value for (path, _), value in zip(vary, grid[0], strict=True)} if grid else {}
    apply_scenario(inst, spec, Scenario(name="point", changes=first), "--vary")  # paths exist
    return run_sweep(
        inst,
        spec,
        vary,
        grid,
        out,
        executor=executor,
        resume=resume,
        progress=progress,
        warm=warm,
    )


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

    @property
    def sign(self) -> float:
        """+1 when more is better, −1 when less is."""
        return 1.0 if self.sense == "max" else -1.0

    def value(self, x: np.ndarray) -> float:
        """The criterion's value at the column values `x`."""
        return float(self.coefs @ x[self.cols] + self.offset)


def criterion(built: Built, text: str) -> Criterion:
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
        return Criterion(f"{name}@{year}", "max", column, np.ones(1))
    if name == "cost":
        spent = [year] if year is not None else inst.years
        cols = np.concatenate([built.gov_columns(y) for y in spent])
        return Criterion(text, "min", cols, np.ones(cols.size))
    known = ["objective", short, "cost", *kpis]
    raise InputError([Issue("--between", "", text, unknown_name("objective or KPI", known, name))])


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


def pareto(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    first: str,
    second: str,
    points: int = 25,
) -> Frontier:
    """The frontier between two criteria (see `criterion`) by the ε-constraint method: the best
    `first` at `points` bounds on `second`, from the value it has at the best `first` to its best
    value under every rule, in one HiGHS session; only non-dominated points are kept. A point's
    Result carries no shadow prices: its last solve optimised a criterion, not the model."""
    if points < 2:
        raise InputError([Issue("--points", "", points, "ask for at least 2 points")])
    spec = _one_objective(resolve_model(inst, model), "frontier")
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
        )
        held[c.name] = built.row_blocks[-1]
    resolver = Resolver()

    def optimise(c: Criterion, bounds: dict[str, float]) -> Solution:
        for other in (a, b):
            bound = bounds.get(other.name)
            held[other.name].rhs[0] = (
                -np.inf if bound is None else other.sign * (_snap(bound) - other.offset)
            )
        built.cost = np.zeros(built.columns)
        np.add.at(built.cost, c.cols, c.sign * c.coefs)
        built.sense, built.offset, built._rows = "max", 0.0, None
        return resolver.solve(built)

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
    unsolved = 0
    for bound in np.linspace(b.value(top.x), far, points):
        sol = point(float(bound))
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
        res = Result.from_solution(view, sol)
        row: dict[str, Any] = {"epsilon": float(bound), a.name: a.value(sol.x)}
        row.update({b.name: b.value(sol.x), "objective": res.objective})
        row.update(status=res.status.value, verified=res.verified, **_pillar_totals(inst, res))
        rows.append(row)
        results.append(res)
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
) -> pd.DataFrame:
    """The trade-off between the model's objective and one KPI's level (`pareto` between
    `objective` and `KPI@YEAR`): one row per non-dominated point with the floor, the level
    reached, the objective, status, verification and government money per pillar."""
    kpis = [k.id for k in inst.kpis]
    if kpi not in kpis:
        raise InputError([Issue("--between", "kpi", kpi, unknown_name("KPI", kpis, kpi))])
    found = pareto(inst, model, "objective", f"{kpi}@{year}" if year is not None else kpi, points)
    return found.points.rename(columns={"epsilon": "floor", found.between[1]: "level"})


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


def _pillar_totals(inst: Instance, res: Result) -> dict[str, float]:
    """Government money per pillar over the horizon (`government.<pillar>`), when there is an
    answer."""
    if not res.status.has_allocation:
        return {}
    totals = res.pillars.groupby("pillar")["government"].sum()
    return {f"government.{p.id}": float(totals[p.id]) for p in inst.pillars}


@dataclass
class NearOptimal:
    """Plans within a slack of the best: how far each line and pillar can move, and alternatives."""

    slack: float
    objective: float
    ranges: pd.DataFrame
    """kind (line or pillar), id, name, optimum, low, high: government money over the horizon."""
    alternatives: list[Result]

    def sentences(self) -> list[str]:
        """ "AI talent can range from 1,210.4 to 1,590.0 within 2 % of the best"."""
        return [
            f"{row['name']} can range from {row['low']:,.1f} to {row['high']:,.1f} "
            f"(optimum {row['optimum']:,.1f}) within {self.slack:.0%} of the best"
            for _, row in self.ranges.iterrows()
        ]


def near_optimal(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    slack: float = 0.02,
    alternatives: int = 0,
) -> NearOptimal:
    """Within `slack` of the optimum: each line's and pillar's range of government money (two
    solves each) and `alternatives` plans that avoid the lines earlier plans funded (modelling to
    generate alternatives, the Hop-Skip-Jump way). Every plan is verified against every rule."""
    spec = _one_objective(resolve_model(inst, model), "near-optimal")
    base = solve(inst, spec)
    if base.status != Status.optimal or base.objective is None:
        raise InputError(
            [
                Issue(
                    inst.name,
                    "",
                    base.status.value,
                    "near-optimal plans need an optimal base; see `allocator solve`",
                )
            ]
        )
    built = build(inst, spec)
    cost, offset, sense = built.cost.copy(), built.offset, built.sense
    nonzero = np.flatnonzero(cost)
    bound = (
        base.objective - slack * abs(base.objective)
        if sense == "max"
        else (base.objective + slack * abs(base.objective))
    )
    built.add(
        "near_optimal",
        ("objective",),
        Linear(nonzero, cost[nonzero]),
        ">=" if sense == "max" else "<=",
        bound - offset,
        text=f"the objective stays within {slack:.0%} of the best ({bound:,.4f})",
    )
    resolver = Resolver()

    def extreme(weights: np.ndarray, direction: Literal["max", "min"]) -> Solution:
        built.cost, built.sense, built.offset = weights, direction, 0.0
        return resolver.solve(built)

    groups: list[tuple[str, str, str, list[str]]] = [
        ("line", line.id, line.name, [line.id]) for line in inst.lines
    ] + [
        ("pillar", p.id, p.name, [ln.id for ln in inst.lines if ln.pillar == p.id])
        for p in inst.pillars
    ]
    optimum = base.allocation.query("source == 'government'").groupby("line").amount.sum()
    rows = []
    for kind, ident, name, members in groups:
        weights = np.zeros(built.columns)
        for lid in members:
            for y in inst.years:
                weights[built.gov[lid, y]] = 1.0
        low, high = (extreme(weights, d) for d in ("min", "max"))
        rows.append(
            {
                "kind": kind,
                "id": ident,
                "name": name,
                "optimum": float(optimum[members].sum()),
                "low": float(weights @ low.x),
                "high": float(weights @ high.x),
            }
        )
    plans: list[Result] = []
    used = np.zeros(built.columns)
    funded = [j for j in built.gov.values() if base.solution and base.solution.value(j) > 1e-6]
    used[funded] = 1.0
    for _ in range(alternatives):
        sol = extreme(used.copy(), "min")
        if not sol.status.has_allocation:
            break
        sol.objective = float(cost @ sol.x + offset)
        built.cost, built.sense, built.offset = cost, sense, offset
        plans.append(Result.from_solution(built, sol))
        used[[j for j in built.gov.values() if sol.value(j) > 1e-6]] = 1.0
    built.cost, built.sense, built.offset = cost, sense, offset
    return NearOptimal(slack, base.objective, pd.DataFrame.from_records(rows), plans)


def _one_objective(spec: ModelSpec, what: str) -> ModelSpec:
    """`spec`, unless it is lexicographic: these analyses re-solve a single objective."""
    if spec.objective == "lexicographic":
        raise InputError(
            [
                Issue(
                    next(iter(spec.files), spec.name),
                    "objective",
                    spec.objective,
                    f"the {what} analysis works on one objective; a lexicographic model has "
                    "several levels: use a max_impact or goal model, or a model whose levels "
                    "are reduced to one objective",
                )
            ]
        )
    return spec
