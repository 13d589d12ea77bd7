"""The tables of a result, built from the instance and the plan's numbers: the allocation, the
split by pillar and by source, KPI levels, priority levels and go/no-go choices. The rows behind
the KPI and cash tables come as plain records too (`kpi_rows`, `cash_rows`): the terminal's text
is made from them without loading pandas."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from allocator.check import Plan, impact_value, kpi_levels, level_value
from allocator.check.grid import gather, gather_cells, main_pillars, pillar_shares
from allocator.schema import Instance, ModelSpec
from allocator.solver.lexicographic import LevelOutcome

if TYPE_CHECKING:
    import pandas as pd

GOVERNMENT, PRIVATE = "government", "private"


def sources(inst: Instance, plan: Plan) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The money sources (government, private pool, each named fund), each source's money as
    (lines × years × sources), and which lines may draw on each source (lines × sources: a
    fund only its own lines)."""
    ids, years = [line.__dict__["id"] for line in inst.lines], list(inst.years)
    names = [GOVERNMENT, PRIVATE, *(f.id for f in inst.funds)]
    amounts = [gather_cells(plan.gov, ids, years), gather_cells(plan.private, ids, years)]
    eligible = np.ones((len(ids), len(names)), dtype=bool)
    for k, fund in enumerate(inst.funds, start=2):
        members = set(fund.lines)
        eligible[:, k] = [lid in members for lid in ids]
        rows = np.flatnonzero(eligible[:, k])
        keys = [(fund.id, ids[i], y) for i in rows.tolist() for y in years]
        drawn = np.zeros((len(ids), len(years)))
        drawn[rows] = gather(plan.draws, keys).reshape(len(rows), len(years))
        amounts.append(drawn)
    return names, np.stack(amounts, axis=-1), eligible


def allocation(inst: Instance, plan: Plan, objects: bool = False) -> pd.DataFrame:
    """Money per line, year and source (government, private pool, or a named fund), in the
    currency unit; `pillar` is the line's main pillar. `objects`: text columns as Python
    strings (what `to_json` writes fastest) instead of pandas' text dtype."""
    import pandas as pd

    _text = _objects if objects else _pandas_text
    ids, years = [line.__dict__["id"] for line in inst.lines], list(inst.years)
    names, money, eligible = sources(inst, plan)
    # line by line, year by year, source by source; a fund only beside its eligible lines
    shape = money.shape
    kept = np.broadcast_to(eligible[:, None, :], shape).ravel()
    line_of = np.broadcast_to(np.arange(len(ids))[:, None, None], shape).ravel()[kept]
    year_of = np.broadcast_to(np.arange(len(years))[None, :, None], shape).ravel()[kept]
    source_of = np.broadcast_to(np.arange(len(names)), shape).ravel()[kept]
    line_names = [line.__dict__["name"] for line in inst.lines]
    return pd.DataFrame(
        {
            "line": _text(ids, line_of),
            "name": _text(line_names, line_of),
            "pillar": _text(main_pillars(inst), line_of),
            "year": np.asarray(years, dtype=np.int64)[year_of],
            "source": _text(names, source_of),
            "amount": money.ravel()[kept],
        }
    )


def _pandas_text(values: list[str], index: np.ndarray) -> Any:
    """`values[i]` for each i in `index` as pandas' text column: taken from the few values, not
    converted row by row."""
    import pandas as pd

    return pd.Series(values).array.take(index)  # the text dtype pandas infers, as before


def _objects(values: list[str], index: np.ndarray) -> np.ndarray:
    """`values[i]` for each i in `index` as an array of Python strings."""
    return np.asarray(values, dtype=object)[index]


def _by_pillar(inst: Instance, money: np.ndarray) -> np.ndarray:
    """(lines × years × sources) money as (pillars × years × sources), each line counted in each
    of its pillars by its share."""
    return np.tensordot(pillar_shares(inst), money, axes=([0], [0]))


def pillar_split(inst: Instance, plan: Plan) -> tuple[list[str], np.ndarray]:
    """The money sources (as `sources`) and each source's money by pillar as (pillars × years ×
    sources), a line in several pillars counted in each by its share."""
    names, money, _ = sources(inst, plan)
    return names, _by_pillar(inst, money)


def pillars(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Per pillar and year: government, private, amount (both) and share (of the year's
    government money — the quantity the pillar-share rule limits). Private counts the pool
    and every fund; a line in several pillars counts in each by its share."""
    import pandas as pd

    split = pillar_split(inst, plan)[1]
    n_years, n_pillars = len(inst.years), len(inst.pillars)
    government = split[:, :, 0].T.ravel()  # year by year, pillar by pillar
    private = split[:, :, 1:].sum(axis=2).T.ravel()
    year_total = np.repeat(split[:, :, 0].sum(axis=0), n_pillars)
    share = np.divide(government, year_total, out=np.zeros_like(government), where=year_total > 0)
    return pd.DataFrame(
        {
            "pillar": np.asarray([p.id for p in inst.pillars] * n_years, dtype=object),
            "name": np.asarray([p.name for p in inst.pillars] * n_years, dtype=object),
            "year": np.repeat(np.asarray(list(inst.years), dtype=np.int64), n_pillars),
            GOVERNMENT: government,
            PRIVATE: private,
            "amount": government + private,
            "share": share,
        }
    )


def funding(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Per pillar, year and source (government, private pool, each named fund): the money."""
    import pandas as pd

    names, table = pillar_split(inst, plan)
    shape = table.shape
    return pd.DataFrame(
        {
            "pillar": np.repeat(
                np.asarray([p.id for p in inst.pillars], dtype=object), shape[1] * shape[2]
            ),
            "year": np.broadcast_to(
                np.asarray(list(inst.years), dtype=np.int64)[None, :, None], shape
            ).ravel(),
            "source": np.broadcast_to(np.asarray(names, dtype=object), shape).ravel(),
            "amount": table.ravel(),
        }
    )


KPI_COLUMNS = ["kpi", "name", "unit", "year", "level", "target", "shortfall", "at_most"]


def kpis(
    inst: Instance, plan: Plan, levels: dict[tuple[str, int], float] | None = None
) -> pd.DataFrame:
    """Per KPI and year: level, target (NaN where none), shortfall below the target, and
    at_most, the upper bound a target with `at_most` sets (NaN where none). `levels`: the plan's
    KPI levels when already worked out."""
    import pandas as pd

    return pd.DataFrame.from_records(kpi_rows(inst, plan, levels), columns=KPI_COLUMNS)


def kpi_rows(
    inst: Instance, plan: Plan, levels: dict[tuple[str, int], float] | None = None
) -> list[dict[str, Any]]:
    """The rows of `kpis`, as records."""
    levels = levels if levels is not None else kpi_levels(inst, plan)
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
    return records


def levels(
    inst: Instance, model: ModelSpec, plan: Plan, outcomes: list[LevelOutcome]
) -> pd.DataFrame:
    """For a lexicographic model: per priority level and goal (a KPI target by year, or an
    objective), the weight, target, level reached, shortfall and weighted shortfall, with the
    level's optimum, the bound it was held to and its value in the final plan."""
    import pandas as pd

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
    import pandas as pd

    names = {line.id: line.name for line in inst.lines}
    records = [{"line": k, "name": names[k], "selected": v} for k, v in plan.selected.items()]
    return pd.DataFrame.from_records(records, columns=["line", "name", "selected"])


def cash(inst: Instance, plan: Plan) -> pd.DataFrame:
    """Per year, where the money came from and went (`Result.cash`); the first four columns
    after `year` add up to the last four."""
    import pandas as pd

    return pd.DataFrame.from_records(cash_rows(inst, plan))


def cash_rows(inst: Instance, plan: Plan) -> list[dict[str, Any]]:
    """The rows of `cash`, as records: `unused` is what came in less what went out, 0 within
    a billionth of what came in (rounding)."""
    rate = inst.cash.rate if inst.cash is not None else 0.0
    loan = inst.cash.borrow_rate if inst.cash is not None else 0.0
    giving = [line for line in inst.lines if line.profile or line.returns]  # money back
    ids = [line.__dict__["id"] for line in inst.lines]
    by_year = gather_cells(plan.gov, ids, list(inst.years)).sum(axis=0).tolist()
    spent = dict(zip(inst.years, by_year, strict=True))
    rows = []
    for i, y in enumerate(inst.years):
        before = inst.years[i - 1] if i else y
        back = sum(
            max(-(line.profile or {}).get(y, 0.0), 0.0) * plan.scale.get(line.id, 0.0)
            + sum(
                rho * plan.g(line.id, inst.years[i - lag])
                for lag, rho in line.returns.items()
                if i - lag >= 0
            )
            for line in giving
        )
        rows.append(
            {
                "year": y,
                "budget": inst.budget_in(y),
                "inflows": back,
                "carried_in": (1 + rate) * plan.carry.get(before, 0.0) if i else 0.0,
                "borrowed": plan.borrow.get(y, 0.0),
                "spent": spent[y],
                "repaid": (1 + loan) * plan.borrow.get(before, 0.0) if i else 0.0,
                "carried_out": plan.carry.get(y, 0.0),
            }
        )
    for row in rows:
        came = row["budget"] + row["inflows"] + row["carried_in"] + row["borrowed"]
        left = came - (row["spent"] + row["repaid"] + row["carried_out"])
        row["unused"] = left if abs(left) > 1e-9 * max(abs(came), 1.0) else 0.0
    return rows
