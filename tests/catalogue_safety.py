"""The bad inputs of issue 17 ("nothing overwritten, nothing misread"), in the catalogue's form:
figures read as the wrong number, tiny files that would exhaust the machine, numbers the solver
cannot use, files outside the instance's folder, names spelled two ways. Each must be refused by
`allocator validate` (exit 2) with the file, the field, the value and what is allowed."""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

import allocator
from allocator.schema.excel.write import write_workbook
from tests.catalogue import (
    DROP,
    FIFO,
    INSTANCE,
    LINES_CSV,
    bad,
    csv_case,
    inst,
    line,
    model,
    rule,
)

HUGE = 10**400
"""A 400-digit whole number."""
HUB = "허브"
HUB_NFD = unicodedata.normalize("NFD", HUB)
BOMB = "\n".join(
    [
        'lol0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
        *(f"lol{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)),
        "name: bomb",
    ]
)
"""About 600 bytes of YAML whose aliases expand to some 490 million values."""
DEEP = "name: deep\nyears: " + "[" * 5000 + "]" * 5000 + "\n"
"""A list nested 5,000 deep."""
UNCERTAIN: dict[str, Any] = {
    "seed": 3,
    "parameters": [
        {"path": "budget", "dist": "uniform", "low": 0.9, "high": 1.1, "relative": True}
    ],
}


def workbook(change: Callable[[Workbook], Any]) -> bytes:
    """The base instance as a workbook (as allocator writes it), then `change`d."""
    data = {**INSTANCE, "model": None}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "inst.xlsx"
        write_workbook(path, allocator.Instance.model_validate(data))
        book = load_workbook(path)
        change(book)
        book.save(path)
        return path.read_bytes()


def _stray_cell(book: Workbook) -> None:
    book["lines"]["XFD5"] = "x"


def _very_hidden(book: Workbook) -> None:
    book["lines"].sheet_state = "veryHidden"


def _year_twice(book: Workbook) -> None:
    ws = book["lines"]
    column = ws.max_column + 1
    ws.cell(row=1, column=column, value="max.02027")
    ws.cell(row=2, column=column, value=70)
    ws.cell(row=1, column=column + 1, value="max.2027")
    ws.cell(row=2, column=column + 1, value=75)


# fmt: off
SAFETY = [
    # -- a figure given twice for one year, in any notation
    bad("year-key-as-number-and-text", file="inst.yaml", path="budget", value="'2026': 5",
        fix="year 2026 is given twice, as 2026 and as '2026'; keep one",
        instance=inst(budget={2026: 100, "2026": 5, 2027: 100})),
    bad("year-key-zero-padded", file="inst.yaml", path="lines[x].max", value="'02026': 60",
        fix="year 2026 is given twice", instance=inst(lines=line(0, max={2026: 50, "02026": 60}))),
    csv_case("csv-year-column-twice", "id,name,pillar,max.2026,max.02026\nx,X,a,1,2\n",
             file="lines.csv", path="row 1", value="max.02026",
             fix="columns 'max.2026' and 'max.02026' name the same figure; keep one"),
    bad("workbook-year-column-twice", file="inst.xlsx", path="lines!I1", value="max.2027",
        fix="columns 'max.02027' and 'max.2027' name the same figure", instance_file="inst.xlsx",
        instance=workbook(_year_twice)),
    # -- money strings: commas only between thousands, one sign in front
    bad("money-decimal-comma", file="inst.yaml", path="budget", value="1,5조",
        fix="'1,5' is not a number with thousands separators", instance=inst(budget="1,5조")),
    bad("money-commas-everywhere", file="inst.yaml", path="lines[x].max", value="1,2,3",
        fix="a comma may only separate groups of three digits",
        instance=inst(lines=line(0, max="1,2,3"))),
    bad("money-european-decimal", file="inst.yaml", path="budget", value="1.000,5억",
        fix="has a comma after the decimal point", instance=inst(budget="1.000,5억")),
    bad("money-two-signs", file="inst.yaml", path="budget", value="+-5조",
        fix="has 2 signs in front (+-)", instance=inst(budget="+-5조")),
    bad("money-sign-inside", file="inst.yaml", path="private_pool", value="1조 -2000억",
        fix="a sign (+ or -) goes only in front", instance=inst(private_pool="1조 -2000억")),
    bad("money-units-out-of-order", file="inst.yaml", path="budget", value="2000억 1조",
        fix="write each unit once, the larger first", instance=inst(budget="2000억 1조")),
    bad("number-with-decimal-comma", file="inst.yaml", path="lines[x].impact", value="1,5",
        fix="not a number with thousands separators", instance=inst(lines=line(0, impact="1,5"))),
    # -- CSV rows of the wrong length
    csv_case("csv-row-with-too-few-cells", LINES_CSV + "z,Z,a\n", file="lines.csv",
             path="row 4", value="z,Z,a", fix="3 cells for 7 columns; give every column a cell"),
    # -- names: one spelling each, never empty, plain text
    bad("group-in-two-unicode-forms", file="inst.yaml", path="lines[y].groups", value=HUB_NFD,
        fix="differ only in case, spaces or Unicode form",
        instance=inst(lines=[{**line(0)[0], "groups": [HUB]},
                             {**line(1)[1], "groups": [HUB_NFD]}])),
    bad("group-with-a-trailing-space", file="inst.yaml", path="lines[y].groups", value="g",
        fix="group 'g' and 'g ' (at lines[0].groups) differ only in case, spaces",
        instance=inst(lines=[{**line(0)[0], "groups": ["g "]}, line(1)[1]])),
    bad("pillar-ids-differing-in-case", file="inst.yaml", path="pillars[A].id", value="A",
        fix="pillar id 'A' and 'a' (at pillars[0].id) differ only in case",
        instance=inst(pillars=[*INSTANCE["pillars"], {"id": "A", "name": "Big A"}])),
    bad("kpi-named-twice-in-yields", file="inst.yaml", path="lines[x].yields", value="GPUS",
        fix="KPI 'GPUS' and 'gpus' are one KPI spelled two ways",
        instance=inst(lines=line(0, yields={"gpus": 1, "GPUS": 2}))),
    bad("empty-group-name", file="inst.yaml", path="lines[x].groups[0]", value=" ",
        fix="a name cannot be empty or only spaces", instance=inst(lines=line(0, groups=[" "]))),
    bad("blank-pillar-name", file="inst.yaml", path="pillars[a].name", value="  ",
        fix="cannot be empty", instance=inst(pillars=[{"id": "a", "name": "  "},
                                                      INSTANCE["pillars"][1]])),
    bad("terminal-escape-in-a-name", file="inst.yaml", path="lines[x].name", value="\\x1b[2J",
        fix="holds the control character '\\x1b'",
        instance=inst(lines=line(0, name="\x1b[2JLine X"))),
    # -- bounded resources
    bad("yaml-alias-bomb", file="inst.yaml", path="line 1, column 1", value="lol0: &a0",
        fix="at most 100,000 values may come from aliases", instance=BOMB),
    bad("yaml-nested-5000-deep", file="inst.yaml", path="line 2, column 71", value="years: [[[",
        fix="nests lists and mappings more than 64 levels deep", instance=DEEP),
    bad("relation-with-3000-parentheses", file="m.yaml", path="rules[0].expr", value="(((",
        fix="parentheses and signs nest more than 50 deep", load="model",
        model=rule(rule="relation", expr="(" * 3000 + "a" + ")" * 3000 + " >= b")),
    bad("workbook-value-in-column-xfd", file="inst.xlsx", path="lines!XFD5", value=None,
        fix="a value lies outside the 200,000 rows × 1,000 columns", instance_file="inst.xlsx",
        instance=workbook(_stray_cell)),
    bad("workbook-very-hidden-sheet", file="inst.xlsx", path="sheet lines", value=None,
        fix="the sheet is very hidden", instance_file="inst.xlsx", instance=workbook(_very_hidden)),
    # -- every number: finite, below 1e15, coefficients 0 or above 1e-9
    bad("400-digit-number", file="inst.yaml", path="lines[x].impact", value="1000000",
        fix="is too large (figures are below 1e+15 in size)",
        instance=inst(lines=line(0, impact=HUGE))),
    bad("400-digit-money", file="inst.yaml", path="budget", value="1000000",
        fix="is more than 10,000 trillion won", instance=inst(budget=HUGE)),
    bad("400-digit-number-as-text", file="inst.yaml", path="lines[y].impact", value="9999",
        fix="is too large", instance=inst(lines=line(1, impact="9" * 400))),
    bad("cardinality-max-10-to-the-400", file="m.yaml", path="rules[0].max", value="1000000",
        fix="must be 1,000,000,000 or less", load="model",
        model=rule(rule="cardinality", group="g", max=HUGE)),
    bad("span-10-to-the-400", file="inst.yaml", path="lines[x].span", value="1000000",
        fix="must be 1,000,000,000 or less",
        instance=inst(lines=line(0, integer=True, unit_cost=1, span=HUGE))),
    bad("kpi-lifetime-10-to-the-400", file="inst.yaml", path="kpis[gpus].lifetime",
        value="1000000", fix="must be 1,000,000,000 or less",
        instance=inst(kpis=[{"id": "gpus", "name": "GPUs", "lifetime": HUGE}])),
    bad("target-year-10-to-the-400", file="inst.yaml", path="targets[0].year", value="1000000",
        fix="must be 1,000,000 or less",
        instance=inst(targets=[{"kpi": "gpus", "year": HUGE, "value": 5}])),
    bad("year-key-10-to-the-400", file="inst.yaml", path="budget", value="1000000",
        fix="... is not a year", instance=inst(budget={HUGE: 5})),
    bad("nul-character-in-yaml", file="inst.yaml", path="line 2, column 9", value=None,
        fix="the character '\\x00' is not allowed in YAML", instance="name: t\ntitle: a\x00b\n"),
    bad("uncertainty-seed-negative", file="inst.yaml", path="uncertainty.seed", value="-1",
        fix="must be 0 or more", instance=inst(uncertainty={**UNCERTAIN, "seed": -1})),
    bad("uncertainty-samples-huge", file="inst.yaml", path="uncertainty.samples",
        value="1000000", fix="or less", instance=inst(uncertainty={**UNCERTAIN, "samples": HUGE})),
    bad("uncertain-figure-twice", file="inst.yaml", path="uncertainty.parameters[1].path",
        value="budget.2026", fix="this figure is already uncertain (uncertainty.parameters[0]",
        instance=inst(uncertainty={**UNCERTAIN, "parameters": [
            *UNCERTAIN["parameters"],
            {"path": "budget.2026", "dist": "uniform", "low": 90, "high": 110}]})),
    bad("uncertain-draw-too-small", file="inst.yaml", path="uncertainty.parameters[0].low",
        value="1e-12", fix="a coefficient HiGHS drops", instance=inst(uncertainty={
            **UNCERTAIN, "parameters": [
                {"path": "lines.x.leverage", "dist": "uniform", "low": 1e-12, "high": 1}]})),
    bad("relation-coefficient-too-small", file="m.yaml", path="rules[0].expr", value="1e-12",
        fix="not 0 but at most 1e-09 in size, which HiGHS drops", load="model",
        model=rule(rule="relation", expr="a >= 1e-12 * b")),
    bad("relation-number-too-large", file="m.yaml", path="rules[0].expr", value="1e400",
        fix="1e400 is too large", load="model", model=rule(rule="relation", expr="a >= 1e400 * b")),
    bad("relation-coefficient-too-large", file="m.yaml", path="rules[0].expr", value="1e14",
        fix="coefficient works out to -1e+28", load="model",
        model=rule(rule="relation", expr="a >= 1e14 * 1e14 * b")),
    bad("yield-too-small", file="inst.yaml", path="lines[x].yields.gpus", value="1e-12",
        fix="HiGHS drops such coefficients", instance=inst(lines=line(0, yields={"gpus": 1e-12}))),
    bad("leverage-too-small", file="inst.yaml", path="lines[y].leverage", value="1e-10",
        fix="below 1e-09 in size but not 0", instance=inst(lines=line(1, leverage=1e-10))),
    bad("share-too-small", file="m.yaml", path="rules[0].min", value="1e-12",
        fix="HiGHS drops such coefficients", load="model",
        model=rule(rule="pillar_share", pillar="b", min=1e-12)),
    bad("curve-points-too-close", file="inst.yaml", path="lines[x].curve", value="1e-12",
        fix="are closer than 1e-09", instance=inst(lines=line(0, impact=DROP,
                                                             curve="0:0; 1e-12:1; 10:20"))),
    bad("curve-value-too-large", file="inst.yaml", path="lines[x].curve", value="1e20",
        fix="is too large", instance=inst(lines=line(0, impact=DROP, curve="0:0; 10:1e20"))),
    # -- files outside the instance's folder; what is not a file
    bad("model-is-not-a-model-file", file="inst.yaml", path="model", value="../secret.env",
        fix="is not a model file (a model is .yaml, .yml, .xlsx, .xlsm)", load="solve",
        instance=inst(model="../secret.env"),
        extra={"../secret.env": "API_KEY=hunter2-do-not-print\n"}),
    bad("model-outside-the-instance-folder", file="inst.yaml", path="model",
        value="../../far/m.yaml", fix="lies outside", load="solve",
        instance=inst(model="../../far/m.yaml"), extra={"../../far/m.yaml": model()}),
    bad("table-outside-the-folder", file="inst.yaml", path="lines", value="../lines.csv",
        fix="lies outside", instance=inst(lines="../lines.csv"),
        extra={"../lines.csv": LINES_CSV}),
    bad("table-with-an-absolute-path", file="inst.yaml", path="lines", value="/etc/lines.csv",
        fix="CSV tables are read from there only", instance=inst(lines="/etc/lines.csv")),
    bad("table-is-a-fifo", file="inst.yaml", path="lines", value="lines.csv",
        fix="is a FIFO (named pipe)", instance=inst(lines="lines.csv"),
        extra={"lines.csv": FIFO}),
]
# fmt: on

SECRET = "hunter2-do-not-print"
"""Text of a file beside the instance that no message may show."""
