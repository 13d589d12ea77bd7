"""Shadow prices with the interval of right-hand side over which each holds, and the interval of
each funded line's impact coefficient over which the allocation stays optimal (HiGHS ranging).

For a MIP, a figure's value and its range come from re-solving the MIP with the figure moved
(`allocator.explain.mip`); the duals of the LP with the integer decisions fixed stay in the table,
labelled as holding with the chosen projects held, never with a range of zero width and never for
the rows of go/no-go lines the answer does not fund."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from allocator.explain import mip
from allocator.explain.sentences import describe, mip_sentence, price_sentence
from allocator.explain.words import row_unit
from allocator.formulation import Formulation
from allocator.solver import probe
from allocator.solver.highs import Solution
from allocator.words import Lang

DUAL_TOLERANCE = 1e-9

COLUMNS = [
    "rule",
    "text",
    "shadow_price",
    "unit",
    "rhs",
    "valid_from",
    "valid_to",
    "holds_for",
    "method",
    "figure",
    "figure_value",
    "figure_unit",
    "value",
    "value_from",
    "value_to",
    "below",
    "above",
    "tolerance",
    "resolves",
    "sentence",
]
"""`shadow_price`, `valid_from`, `valid_to`: the LP dual and HiGHS's ranging (for a MIP, of the LP
with the chosen projects held; a range of zero width is left blank). `value`, `value_from`,
`value_to`: what one more unit of the figure (in `figure_unit`) is worth and over which figures
that holds — the
dual and its range for an LP, the MIP re-solves' slope and ends for a MIP — with `below` and
`above` the optimum just past each end (MIP), `tolerance` the precision of the ends and
`resolves` the MIP re-solves spent. `method` says which."""

LP, RESOLVED, HELD = "LP dual and ranging", "MIP re-solves", "fixed-choice LP"


def priced_rows(built: Formulation, sol: Solution) -> list[str]:
    """The rules a price is reported for: non-zero duals, and for a MIP also binding rules with
    a figure of their own; never rules of a go/no-go line the answer does not fund."""
    names = []
    for name, dual in sol.duals.items():
        row = built.rows.get(name)
        if row is None:
            continue
        if sol.is_mip and mip.unchosen(built, sol, row):
            continue
        binding = False
        if sol.is_mip and row.figure is not None and row.rhs != 0:
            activity = sol.activity.get(name, math.nan)
            binding = abs(activity - row.rhs) <= 1e-7 * max(1.0, abs(row.rhs))
        if abs(dual) > DUAL_TOLERANCE or binding:
            names.append(name)
    return names


def studies(
    built: Formulation,
    sol: Solution,
    resolves: int | None = None,
    progress: Callable[[int, int], object] | None = None,
) -> dict[str, mip.Study]:
    """For a MIP, each priced rule's figure followed through re-solves (the rules that move the
    objective most first, until `resolves` MIP re-solves are spent, by default
    `mip.default_resolves`); empty for an LP."""
    if not sol.is_mip or sol.objective is None:
        return {}
    names = sorted(priced_rows(built, sol), key=lambda n: -mip.importance(built, sol, n))
    done = [0]

    def advance() -> None:
        done[0] += 1
        if progress is not None:
            progress(done[0], len(names))

    return mip.study(built, sol, names, probe.ranging(sol), resolves, advance)


def shadow_prices(
    built: Formulation,
    sol: Solution,
    lang: Lang = "en",
    found: dict[str, mip.Study] | None = None,
) -> pd.DataFrame:
    """Each priced rule: the objective's change per unit of its figure, the figures over which
    that holds, and a sentence saying so in the instance's words (`lang`: en or ko). For a MIP,
    `found` holds the re-solve studies (`studies`); rules without one keep their fixed-choice
    price, labelled as such."""
    ranging = probe.ranging(sol)
    index = {name: i for i, name in enumerate(sol.matrix.rows)} if sol.matrix else {}
    found = found or {}
    records = []
    for name in priced_rows(built, sol):
        row = built.rows[name]
        dual = sol.duals[name]
        low = high = math.nan
        if ranging is not None and name in index:
            i = index[name]
            low, high = float(ranging.row_low[i]), float(ranging.row_high[i])
        scale = 1.0  # a price per unit is small by nature: only solver noise is zero
        record = {
            "rule": name,
            "text": describe(built, row, lang),
            "shadow_price": dual,
            "unit": row_unit(built, row),
            "rhs": row.rhs,
            "valid_from": low,
            "valid_to": high,
            "holds_for": "this allocation",
            "method": LP,
            "figure": row.figure,
            "figure_value": row.rhs,
            "figure_unit": row_unit(built, row),
            "value": dual,
            "value_from": low,
            "value_to": high,
            "below": math.nan,
            "above": math.nan,
            "tolerance": math.nan,
            "resolves": 0,
        }
        if sol.is_mip:
            if (
                math.isfinite(low)
                and math.isfinite(high)
                and high - low <= 1e-9 * max(1.0, abs(row.rhs))
            ):
                low = high = math.nan  # a degenerate range says nothing
            record.update(valid_from=low, valid_to=high, holds_for="with the chosen projects held")
            record.update(method=HELD, value=dual, value_from=low, value_to=high)
        study = found.get(name)
        if study is not None:
            steps = study.steps
            slope = steps.up.slope if steps.up.slope is not None else steps.down.slope
            record.update(
                method=RESOLVED,
                figure=study.figure or row.figure,
                figure_value=steps.value,
                figure_unit=study.unit,
                value=math.nan if slope is None else slope,
                value_from=steps.down.end,
                value_to=steps.up.end,
                below=math.nan if steps.down.beyond is None else steps.down.beyond,
                above=math.nan if steps.up.beyond is None else steps.up.beyond,
                tolerance=steps.tolerance,
                resolves=steps.resolves,
                sentence=mip_sentence(built, row, study, lang),
            )
        else:
            sentence = price_sentence(built, row, dual, low, high, sol.is_mip, lang, scale)
            if sol.is_mip:
                sentence += (
                    " — not re-solved: the budget of MIP re-solves was spent on rules that move "
                    "the objective more"
                    if lang == "en"
                    else " — 다시 풀지 않음: MIP 재풀이 한도를 목적함수에 더 큰 영향을 주는 "
                    "규칙에 씀"
                )
            record["sentence"] = sentence
        records.append(record)
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def impact_ranges(built: Formulation, sol: Solution) -> pd.DataFrame:
    """For each funded line and year: the interval its objective coefficient (impact, under
    max_impact) may move in without changing the optimal allocation."""
    ranging = probe.ranging(sol)
    if ranging is None or sol.matrix is None:
        return pd.DataFrame(
            columns=["line", "year", "coefficient", "stays_optimal_from", "stays_optimal_to"]
        )
    cost = ranging.cost
    records = []
    for (lid, year), j in built.gov.items():
        if sol.value(j) <= 1e-9:
            continue
        records.append(
            {
                "line": lid,
                "name": built.lines[lid].name,
                "year": year,
                "coefficient": float(cost[j]),
                "stays_optimal_from": float(ranging.cost_low[j]),
                "stays_optimal_to": float(ranging.cost_high[j]),
            }
        )
    return pd.DataFrame.from_records(records)
