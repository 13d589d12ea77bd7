"""The tables of a result, built from the instance and the plan's numbers: the allocation, the
split by pillar and by source, KPI levels, priority levels and go/no-go choices."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from allocator.check import Plan, impact_value, kpi_levels, level_value
from allocator.schema import Instance, ModelSpec
from allocator.solver.lexicographic import LevelOutcome

GOVERNMENT, PRIVATE = "government", "private"


def allocation(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Money per line, year and source (government, private pool, or a named fund), in the
    currency unit; `pillar` is the line's main pillar."""
    funds = {line.id: [f.id for f in inst.funds if line.id in f.lines] for line in inst.lines}
    records = []
    for line in inst.lines:
        for y in inst.years:
            amounts = [(GOVERNMENT, plan.g(line.id, y)), (PRIVATE, plan.p(line.id, y))]
            amounts += [(f, plan.draws.get((f, line.id, y), 0.0)) for f in funds[line.id]]
            for source, amount in amounts:
                records.append(
                    {
                        "line": line.id,
                        "name": line.name,
                        "pillar": line.main_pillar,
                        "year": y,
                        "source": source,
                        "amount": amount,
                    }
                )
    return pd.DataFrame.from_records(records)


def pillars(inst: Instance, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per pillar and year: government, private, amount (both) and share (of the year's
    government money — the quantity the pillar-share rule limits). Private counts the pool
    and every fund; a line in several pillars counts in each by its share."""
    alloc = by_pillar(inst, allocation)
    alloc["source"] = alloc["source"].where(alloc["source"] == GOVERNMENT, PRIVATE)
    table = alloc.pivot_table(
        index=["pillar", "year"],
        columns="source",
        values="amount",
        aggfunc="sum",
        fill_value=0.0,
    )
    table = table.reindex(columns=[GOVERNMENT, PRIVATE], fill_value=0.0).reset_index()
    order = {p.id: i for i, p in enumerate(inst.pillars)}
    rows = pd.DataFrame(
        [(p.id, p.name, y) for p in inst.pillars for y in inst.years],
        columns=["pillar", "name", "year"],
    )
    table = rows.merge(table, on=["pillar", "year"], how="left").fillna(
        {GOVERNMENT: 0.0, PRIVATE: 0.0}
    )
    table["amount"] = table[GOVERNMENT] + table[PRIVATE]
    year_total = table.groupby("year")[GOVERNMENT].transform("sum")
    table["share"] = (table[GOVERNMENT] / year_total.where(year_total > 0)).fillna(0.0)
    table = table.sort_values(
        ["year", "pillar"], key=lambda c: c.map(order) if c.name == "pillar" else c
    )
    return table.reset_index(drop=True)[
        ["pillar", "name", "year", GOVERNMENT, PRIVATE, "amount", "share"]
    ]


def by_pillar(inst: Instance, allocation: pd.DataFrame) -> pd.DataFrame:
    """The allocation with each line's money split over its pillars by membership share."""
    shares = pd.DataFrame(
        [(ln.id, p, w) for ln in inst.lines for p, w in ln.shares.items()],
        columns=["line", "pillar", "weight"],
    )
    alloc = allocation.drop(columns="pillar").merge(shares, on="line")
    alloc["amount"] = alloc["amount"] * alloc["weight"]
    return alloc


def funding(inst: Instance, allocation: pd.DataFrame) -> pd.DataFrame:
    """Per pillar, year and source (government, private pool, each named fund): the money."""
    alloc = by_pillar(inst, allocation)
    sources = [GOVERNMENT, PRIVATE, *(f.id for f in inst.funds)]
    table = alloc.groupby(["pillar", "year", "source"], sort=False)["amount"].sum()
    index = pd.MultiIndex.from_product(
        [[p.id for p in inst.pillars], inst.years, sources],
        names=["pillar", "year", "source"],
    )
    return table.reindex(index, fill_value=0.0).reset_index()


def kpis(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Per KPI and year: level, target (NaN where none), shortfall below the target, and
    at_most, the upper bound a target with `at_most` sets (NaN where none)."""
    levels = kpi_levels(inst, plan)
    targets = {(t.kpi, t.year): t.value for t in inst.targets if not t.at_most}
    caps = {(t.kpi, t.year): t.value for t in inst.targets if t.at_most}
    records = []
    for kpi in inst.kpis:
        for y in inst.years:
            level, target = levels[kpi.id, y], targets.get((kpi.id, y), math.nan)
            records.append(
                {
                    "kpi": kpi.id,
                    "name": kpi.name,
                    "unit": kpi.unit,
                    "year": y,
                    "level": level,
                    "target": target,
                    "shortfall": max(0.0, target - level) if not math.isnan(target) else math.nan,
                    "at_most": caps.get((kpi.id, y), math.nan),
                }
            )
    columns = ["kpi", "name", "unit", "year", "level", "target", "shortfall", "at_most"]
    return pd.DataFrame.from_records(records, columns=columns)


def levels(
    inst: Instance, model: ModelSpec, plan: Plan, outcomes: list[LevelOutcome]
) -> pd.DataFrame:
    """For a lexicographic model: per priority level and goal (a KPI target by year, or an
    objective), the weight, target, level reached, shortfall and weighted shortfall, with the
    level's optimum, the bound it was held to and its value in the final plan."""
    columns = [
        "level",
        "priority",
        "goal",
        "kpi",
        "year",
        "weight",
        "target",
        "achieved",
        "shortfall",
        "weighted_shortfall",
        "level_optimum",
        "level_held_at",
        "level_value",
    ]
    if not model.levels:
        return pd.DataFrame(columns=columns)
    reached = kpi_levels(inst, plan)
    by_name = {o.name: o for o in outcomes}
    records: list[dict[str, Any]] = []
    for priority, level in enumerate(model.levels, start=1):
        outcome = by_name.get(level.name)
        common = {
            "level": level.name,
            "priority": priority,
            "level_optimum": outcome.optimum if outcome else math.nan,
            "level_held_at": outcome.held_at
            if outcome and outcome.held_at is not None
            else math.nan,
            "level_value": level_value(inst, level, plan, model),
        }
        for goal in level.goals:
            if goal.objective is not None:
                impact = impact_value(inst, plan)
                achieved = impact if goal.objective == "max_impact" else sum(plan.gov.values())
                records.append(
                    common
                    | {
                        "goal": goal.label,
                        "weight": 1.0 if goal.weight is None else goal.weight,
                        "achieved": achieved,
                    }
                )
                continue
            weight = model.weight(str(goal.kpi)) if goal.weight is None else goal.weight
            for t in inst.targets:
                if t.kpi != goal.kpi or goal.year not in (None, t.year):
                    continue
                short = max(0.0, t.value - reached[t.kpi, t.year])
                records.append(
                    common
                    | {
                        "goal": goal.label,
                        "kpi": t.kpi,
                        "year": t.year,
                        "weight": weight,
                        "target": t.value,
                        "achieved": reached[t.kpi, t.year],
                        "shortfall": short,
                        "weighted_shortfall": weight * short / t.value,
                    }
                )
    table = pd.DataFrame.from_records(records, columns=columns)
    table["year"] = table["year"].astype("Int64")  # blank on objective goals
    return table


def selected(inst: Instance, plan: Plan) -> pd.DataFrame:
    """The go/no-go decisions: line, name, selected."""
    names = {line.id: line.name for line in inst.lines}
    records = [{"line": k, "name": names[k], "selected": v} for k, v in plan.selected.items()]
    return pd.DataFrame.from_records(records, columns=["line", "name", "selected"])
