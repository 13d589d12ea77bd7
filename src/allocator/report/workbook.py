"""Excel in and out at the report layer: a solve's result as a workbook people read, and the
input workbooks of `allocator.schema.excel` (instance, model, template) re-exported.

`write_result(res, "plan.xlsx")` writes the split by pillar × year (government, private pool,
each fund, total), the split per line, KPIs against targets and the rule audit, with money
formats that show the currency unit in every money cell and readable widths; each sheet is a
flat table that `pandas.read_excel(path, sheet_name=...)` reads back. Column names mean what
they mean in the text and HTML reports (`allocator.report.columns`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from allocator.report.care import care
from allocator.report.columns import POOL, SHARE, SOURCE_LABELS, money_columns, pillar_table
from allocator.report.labels import text
from allocator.report.text import cash_lines
from allocator.results.result import Result
from allocator.results.tables import GOVERNMENT
from allocator.schema import Instance, ModelSpec
from allocator.schema.excel.read import read_instance, read_model
from allocator.schema.excel.write import (
    fit_columns,
    template,
    workbook_target,
    write_frames,
    write_workbook,
)
from allocator.schema.money import UNIT_LABELS
from allocator.solver.status import Status
from allocator.words import row_unit_words

__all__ = [
    "check_target",
    "export",
    "read_instance",
    "read_model",
    "split_by_pillar",
    "template",
    "write_result",
    "write_workbook",
]

BOTH = "total"
"""The `source` of the rows that add government and private money."""
ALL_PILLARS = "all"
"""The `pillar` of the rows that add every pillar."""
MONEY = "#,##0.0"
SHARE_FORMAT = "0.0%"
NUMBER = "#,##0.####"
PRICE = "#,##0.0000"
CASH = ("budget", "inflows", "carried_in", "borrowed", "spent", "repaid", "carried_out", "unused")
"""The money columns of the cash sheet (`Result.cash()`)."""


def write_result(
    res: Result, path: str | Path, firmness: Any = None, *, force: bool = False
) -> Path:
    """Write a result as a workbook: summary; split (pillar × year: government, private pool,
    each fund, total); lines (line × year); pillars (the reports' pillar table: government,
    private pool, each fund, total, share of government money); kpis, allocation and audit as
    the Result's own DataFrames (the audit's units in words); targets (`Result.reach()`: each
    target met, or missed with the most the rules allow and why), when the instance has any;
    cash (`Result.cash()` with a note), when a year's spending is not simply its budget;
    selected (go/no-go lines), when any. Without an allocation: the summary, and for an
    infeasible solve the colliding rules. All or nothing (a staged twin is renamed); an
    existing file is replaced only with `force`, and never one the result was made from."""
    check_target(path, force=force, inputs=res.inputs)
    sheets: dict[str, pd.DataFrame] = {"summary": _summary(res)}
    if res.status.has_allocation:
        alloc = res.allocation
        sheets["split"] = split_by_pillar(res)
        labelled = alloc.assign(source=alloc.source.map(lambda s: SOURCE_LABELS.get(s, s)))
        sheets["lines"] = _by_year(labelled, ["line", "name", "pillar"], res.instance.years)
        sheets["pillars"] = pillar_table(res)
        sheets["kpis"] = res.kpis
        if res.instance.targets and res.status != Status.scored:
            sheets["targets"] = res.reach().drop(columns=["seconds"])
        moves = cash_lines(res, "en")
        if moves:
            cash = res.cash()
            sheets["cash"] = cash.assign(note=[moves.get(int(y), "") for y in cash.year])
        audit = res.audit()
        cu = res.instance.currency_unit
        sheets["audit"] = audit.assign(unit=[row_unit_words(u, cu) if u else u for u in audit.unit])
        sheets["allocation"] = alloc
        flagged = care(res)
        if not flagged.empty:
            sheets["care"] = flagged
        if res.instance.lines and not res.selected.empty:
            sheets["selected"] = res.selected
        if firmness is not None:  # allocator.analysis.firmness.how_firm: the "how firm" sheet
            sheets["how firm"] = firmness.table
    if res.status == Status.infeasible and res.solver != "highs":
        sheets["diagnosis"] = pd.DataFrame({"note": [text("needs_highs")]})
    elif res.status == Status.infeasible:
        sheets["diagnosis"] = res.explain()
    unit = UNIT_LABELS.get(res.instance.currency_unit, res.instance.currency_unit)
    return write_frames(
        path,
        sheets,
        style=lambda ws, frame, every: _style(ws, frame, every, unit, money_columns(res)),
        force=force,
        inputs=res.inputs,
    )


def export(inst: Instance, model: ModelSpec, path: str | Path, *, force: bool = False) -> Path:
    """Write an instance and its model as one workbook; the instance names the workbook itself as
    its model, so the workbook solves on its own (`allocator solve plan.xlsx`). Never over a file
    the instance or model was read from; an existing file only with `force`."""
    path = Path(path)
    inputs = [*inst.files, *model.files]
    check_target(path, force=force, inputs=inputs)
    copy = inst.model_copy(update={"model": path.name})
    return write_workbook(path, copy, model, force=force, inputs=inputs)


def check_target(
    path: str | Path, *, force: bool = False, inputs: Iterable[str | Path] = ()
) -> Path:
    """A workbook name to write (checked before any work): `.xlsx`, in a folder that exists, not
    a folder or device, not an input of the run, and new unless `force`."""
    return workbook_target(path, force=force, inputs=inputs, flag="--xlsx").given


def split_by_pillar(res: Result) -> pd.DataFrame:
    """Money per pillar (rows: government, private pool, each named fund, total) and year
    (columns), then the rows of every pillar together; a `total` column adds the years. A line in
    several pillars counts in each by its share."""
    alloc = res.funding()
    alloc["source"] = alloc.source.map(lambda s: SOURCE_LABELS.get(s, s))
    every = alloc.assign(pillar=ALL_PILLARS)
    table = _by_year(pd.concat([alloc, every]), ["pillar"], res.instance.years)
    names = {p.id: p.name for p in res.instance.pillars} | {ALL_PILLARS: "all pillars"}
    order = {p: i for i, p in enumerate(names)}
    table.insert(1, "name", table.pillar.map(names))
    table = table.sort_values("pillar", key=lambda c: c.map(order), kind="stable")
    return table.reset_index(drop=True)


def _by_year(alloc: pd.DataFrame, keys: list[str], years: list[int]) -> pd.DataFrame:
    """`keys` × source rows (government, private, each named fund, total) with one money column
    per year."""
    both = alloc.groupby([*keys, "year"], sort=False, as_index=False)["amount"].sum()
    frame = pd.concat([alloc, both.assign(source=BOTH)])
    table = frame.pivot_table(
        index=[*keys, "source"], columns="year", values="amount", aggfunc="sum", sort=False
    )
    table = table.reindex(columns=years, fill_value=0.0)
    table.columns = [str(y) for y in years]
    table[BOTH] = table.sum(axis=1)
    table = table.reset_index()
    rank = {GOVERNMENT: 0, POOL: 1, BOTH: 2}
    first = {k: i for i, k in enumerate(dict.fromkeys(alloc[keys[0]]))}
    table = table.sort_values(
        [keys[0], "source"],
        key=lambda c: c.map(lambda s: rank.get(s, 1.5)) if c.name == "source" else c.map(first),
        kind="stable",
    )
    return table.reset_index(drop=True)


def _summary(res: Result) -> pd.DataFrame:
    info: dict[str, Any] = res.summary()
    info["currency"] = UNIT_LABELS.get(res.instance.currency_unit, res.instance.currency_unit)
    rows = [
        (key, json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v)
        for key, v in info.items()
    ]
    return pd.DataFrame(rows, columns=["key", "value"], dtype=object)


def money_format(unit: str) -> str:
    """The number format of money cells: the amount with the currency unit after it."""
    return f'{MONEY}" {unit}"'


def _style(
    ws: Worksheet,
    frame: pd.DataFrame,
    sheets: dict[str, pd.DataFrame],
    unit: str,
    money: list[str],
) -> None:
    """Money (with its currency unit in every cell), share and price formats by column; widths
    that fit; a frozen header row."""
    fit_columns(ws, frame)
    ws.freeze_panes = "A2"
    years = {str(y) for y in frame.columns if str(y).isdigit()}
    money_names = {*money, BOTH, GOVERNMENT, "amount", "private"}
    for j, column in enumerate(frame.columns, start=1):
        name = str(column)
        if ws.title == "summary":
            continue
        if name in years or name in money_names or (ws.title == "cash" and name in CASH):
            fmt = money_format(unit)
        elif name in ("share", SHARE):
            fmt = SHARE_FORMAT
        elif name in ("level", "target", "shortfall", "slack", "reachable", "bound", "cost"):
            fmt = NUMBER
        elif name == "shadow_price":
            fmt = PRICE
        else:
            continue
        for row in range(2, len(frame) + 2):
            ws.cell(row=row, column=j).number_format = fmt
        letter = get_column_letter(j)
        wide = 18 if fmt.endswith('"') else 12
        ws.column_dimensions[letter].width = max(ws.column_dimensions[letter].width or 8, wide)
    if ws.title in ("split", "lines") and "source" in frame.columns:
        for i, source in enumerate(frame["source"], start=2):
            if source == BOTH:
                for cell in ws[i]:
                    cell.font = Font(bold=True)
