"""The columns every report (text, Excel, HTML) shows for money, each with one meaning:

- `government`: government money;
- `private pool`: private money from the pool (`private_pool` in the instance), funds excluded;
- one column per named fund (`funds:` in the instance): the private money it draws;
- `total`: government money, the pool and every fund together;
- `share of government money`: the pillar's share of the year's government money (the quantity
  the pillar-share rule limits), never of the total.

`Result.pillars` keeps its own columns (`private` there adds the pool and every fund); the reports
use these, so that no two sheets or tables call different sums by one name."""

from __future__ import annotations

import pandas as pd

from allocator.report.labels import Lang, name_of, text
from allocator.results.result import Result
from allocator.results.tables import GOVERNMENT, PRIVATE

POOL = "private pool"
TOTAL = "total"
SHARE = "share of government money"
SOURCE_LABELS = {GOVERNMENT: GOVERNMENT, PRIVATE: POOL}
"""Report labels of `Result.allocation`'s sources (a fund keeps its id)."""


def money_columns(res: Result) -> list[str]:
    """The money columns of a pillar table, in order: government, private pool, each fund id,
    total."""
    return [GOVERNMENT, POOL, *(f.id for f in res.instance.funds), TOTAL]


def pillar_table(res: Result) -> pd.DataFrame:
    """Per pillar and year: government, private pool, each fund (by id), total and share of
    government money. A line in several pillars counts in each by its share."""
    funding = res.funding()
    table = funding.pivot_table(
        index=["pillar", "year"], columns="source", values="amount", aggfunc="sum", sort=False
    ).reset_index()
    table = table.rename(columns={PRIVATE: POOL})
    table.columns.name = None
    for column in money_columns(res)[:-1]:
        if column not in table:
            table[column] = 0.0
    table[TOTAL] = table[money_columns(res)[:-1]].sum(axis=1)
    base = res.pillars[["pillar", "name", "year", "share"]].rename(columns={"share": SHARE})
    out = base.merge(table, on=["pillar", "year"], how="left")
    return out[["pillar", "name", "year", *money_columns(res), SHARE]]


def label(column: str, res: Result, lang: Lang = "en") -> str:
    """A column's heading in `lang`: a fund column is headed by the fund's name."""
    fund = next((f for f in res.instance.funds if f.id == column), None)
    if fund is not None:
        return name_of(fund, lang)
    key = {GOVERNMENT: "government", POOL: "private_pool", TOTAL: "total", SHARE: "share_gov"}
    return text(key[column], lang) if column in key else column
