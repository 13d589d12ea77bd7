"""What-ifs on top of solving: compare scenarios with the base, and sweep parameters on a grid."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from allocator.api import resolve_model, solve
from allocator.build import build
from allocator.build.model import Linear
from allocator.errors import InputError, Issue
from allocator.execute import Executor, run_sweep
from allocator.results import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.instance import unknown_name
from allocator.schema.scenario import Change, Scenario, apply_scenario
from allocator.solve import Resolver, Solution, Status, run_highs


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


def frontier(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    kpi: str,
    year: int | None = None,
    points: int = 25,
) -> pd.DataFrame:
    """The trade-off between the model's objective and one KPI's level (ε-constraint): the best
    objective at each of `points` KPI floors from the level the unconstrained optimum reaches to
    the highest level reachable, keeping only non-dominated points. One row per point: the floor,
    the level reached, the objective, status, verification and government money per pillar."""
    spec = resolve_model(inst, model)
    year = year if year is not None else inst.years[-1]
    kpis = [k.id for k in inst.kpis]
    if kpi not in kpis:
        raise InputError([Issue("--between", "kpi", kpi, unknown_name("KPI", kpis, kpi))])
    base = solve(inst, spec)
    if not base.status.has_allocation:
        raise InputError(
            [
                Issue(
                    inst.name,
                    "",
                    base.status.value,
                    "the base problem has no answer; see `allocator solve`",
                )
            ]
        )
    low = _level(base, kpi, year)
    top = build(inst, spec)
    column = top.level[kpi, year]
    top.cost = np.zeros(top.columns)
    top.cost[column] = 1.0
    top.sense, top.offset = "max", 0.0
    highest = run_highs(top)
    high = highest.value(column) if highest.status.has_allocation else low
    resolver = Resolver()
    rows = []
    for floor in np.linspace(low, high, points):
        built = build(inst, spec)
        built.add(
            "frontier",
            (kpi, year),
            [(1.0, built.level[kpi, year])],
            ">=",
            float(floor),
            kpi=kpi,
            year=year,
            text=f"{kpi} reaches at least {floor:,.6g} in {year}",
        )
        res = Result.from_solution(built, resolver.solve(built))
        row: dict[str, Any] = {
            "floor": floor,
            "status": res.status.value,
            "verified": res.verified,
            "objective": res.objective,
        }
        if res.status.has_allocation:
            row["level"] = _level(res, kpi, year)
            totals = res.pillars.groupby("pillar")["government"].sum()
            row.update({f"government.{p.id}": totals[p.id] for p in inst.pillars})
        rows.append(row)
    table = pd.DataFrame.from_records(rows)
    return _non_dominated(table, maximize=spec.objective == "max_impact")


def _level(res: Result, kpi: str, year: int) -> float:
    levels = res.kpis.set_index(["kpi", "year"]).level
    return float(levels[kpi, year])


def _non_dominated(table: pd.DataFrame, maximize: bool) -> pd.DataFrame:
    solved = table.dropna(subset=["objective"]).sort_values("level", ascending=False)
    keep, best = [], -np.inf
    for index, row in solved.iterrows():
        value = row.objective if maximize else -row.objective
        if value > best + 1e-9:
            keep.append(index)
            best = value
    return table[table.index.isin(keep)].reset_index(drop=True)


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
    spec = resolve_model(inst, model)
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
