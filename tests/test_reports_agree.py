"""The reports agree: each money column means one thing in the text, Excel and HTML reports —
government, private pool (funds excluded), each named fund, total, and share of government money
named as such — and every sheet of the workbook that holds money shows its currency unit."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import cast

import openpyxl
import pandas as pd
import pytest

import allocator
from allocator.report import columns, html
from allocator.report import text as report
from allocator.report import workbook as excel
from allocator.report.labels import money
from tests.helpers import ROOT


@pytest.fixture(scope="module")
def res() -> allocator.Result:
    """The five-year plan: private money from the pool and from the National Growth Fund."""
    return allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml"))


def test_the_pillar_table_splits_private_money_by_source(res: allocator.Result) -> None:
    table = columns.pillar_table(res).set_index(["pillar", "year"])
    funding = res.funding().groupby(["pillar", "year", "source"]).amount.sum()
    for key, row in table.iterrows():
        pillar, year = cast(tuple[str, int], key)
        assert row[columns.POOL] == pytest.approx(funding[pillar, year, "private"])
        assert row["ngf"] == pytest.approx(funding[pillar, year, "ngf"])
        total = row["government"] + row[columns.POOL] + row["ngf"]
        assert row[columns.TOTAL] == pytest.approx(total)
    pillars = res.pillars.set_index(["pillar", "year"])
    assert (table[columns.SHARE] == pillars.share).all()  # of government money
    assert table["ngf"].sum() > 0  # the fund is there to be told apart


def test_text_excel_and_html_show_the_same_columns_and_numbers(
    res: allocator.Result, tmp_path: Path
) -> None:
    table = columns.pillar_table(res)
    names = columns.money_columns(res)
    unit = res.instance.currency_unit
    # text: the header names each column, and each pillar's row shows its numbers in that order
    text = report.table(res, "en")
    header = next(line for line in text.splitlines() if line.startswith("2026  pillar"))
    words = ["government", "private pool", "National Growth Fund (AI share)", "total"]
    positions = [header.index(w) for w in [*words, "share of government money"]]
    assert positions == sorted(positions)
    assert not re.search(r"\bprivate\b(?! pool)", header)
    block = text.split("\n2027  ", 1)[1].split("\n\n", 1)[0]
    for _, row in table[table.year == 2027].iterrows():
        line = next(x for x in block.splitlines() if x.strip().startswith(row["name"]))
        cells = re.split(r"\s{2,}", line.strip())
        assert cells[1:-1] == [money(row[c], unit) for c in names]
    # Excel: the pillars sheet is that table; the split sheet's rows are those sources
    path = excel.write_result(res, tmp_path / "plan.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)
    pd.testing.assert_frame_equal(sheets["pillars"], table, check_dtype=False, rtol=1e-12)
    split = sheets["split"]
    assert list(dict.fromkeys(split.source)) == names
    for sheet, frame in sheets.items():
        assert "private" not in frame.columns, sheet
        assert "share" not in frame.columns, sheet
    # HTML: the split table has those columns, with the same numbers
    page = html.render(res)
    heads = re.findall(r"<th class='n' data-column='([^']+)'>", page)
    assert heads == [*names, columns.SHARE]
    for _, row in table.iterrows():
        for c in names:
            assert money(row[c], unit) in page


def test_every_money_cell_of_the_workbook_shows_the_currency_unit(
    res: allocator.Result, tmp_path: Path
) -> None:
    path = excel.write_result(res, tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    money_sheets = {"split", "lines", "pillars", "allocation"}
    for name in money_sheets:
        ws = book[name]
        header = [c.value for c in ws[1]]
        money_columns = [
            j
            for j, h in enumerate(header, start=1)
            if str(h).isdigit() or h in {*columns.money_columns(res), "amount", "total"}
        ]
        assert money_columns, name
        for j in money_columns:
            assert ws.cell(row=2, column=j).number_format.endswith('" bn KRW"'), (name, j)
    summary = pd.read_excel(path, sheet_name="summary").set_index("key").value
    assert summary["currency"] == "bn KRW"
    audit = pd.read_excel(path, sheet_name="audit")
    assert "money" not in set(audit.unit.dropna())
    assert "bn KRW" in set(audit.unit.dropna())


def test_the_json_allocation_is_the_allocation_table(res: allocator.Result) -> None:
    """`as_json` writes its rows from Python strings (faster); they are the table's rows."""
    rows = json.loads(report.as_json(res))["allocation"]
    assert rows == json.loads(res.allocation.to_json(orient="records", double_precision=15))
    assert {row["source"] for row in rows} == {"government", "private", "ngf"}
