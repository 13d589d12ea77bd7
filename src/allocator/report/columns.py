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

from typing import TYPE_CHECKING, Any

from allocator.report.labels import Lang, name_of, text
from allocator.results.result import Result
from allocator.results.tables import GOVERNMENT, PRIVATE, pillar_split

if TYPE_CHECKING:
    import pandas as pd

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
    import pandas as pd

    return pd.DataFrame(
        pillar_rows(res), columns=["pillar", "name", "year", *money_columns(res), SHARE]
    )


def pillar_rows(res: Result) -> list[dict[str, Any]]:
    """The rows of `pillar_table` as records, year by year and pillar by pillar."""
    inst = res.instance
    _, split = pillar_split(inst, res.plan())  # pillars × years × sources
    sources = money_columns(res)[:-1]  # government, the pool, each fund: `split`'s order
    year_total = split[:, :, 0].sum(axis=0).tolist()
    rows = []
    for j, year in enumerate(inst.years):
        for i, pillar in enumerate(inst.pillars):
            money = split[i, j].tolist()
            total = year_total[j]
            rows.append(
                {"pillar": pillar.id, "name": pillar.name, "year": year}
                | dict(zip(sources, money, strict=True))
                | {TOTAL: sum(money), SHARE: money[0] / total if total > 0 else 0.0}
            )
    return rows


def label(column: str, res: Result, lang: Lang = "en") -> str:
    """A column's heading in `lang`: a fund column is headed by the fund's name."""
    fund = next((f for f in res.instance.funds if f.id == column), None)
    if fund is not None:
        return name_of(fund, lang)
    key = {GOVERNMENT: "government", POOL: "private_pool", TOTAL: "total", SHARE: "share_gov"}
    return text(key[column], lang) if column in key else column
