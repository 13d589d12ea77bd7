"""Excel in and out: YAML → workbook → objects changes nothing; the template loads and solves once
filled; bad cells are named by file, sheet, cell and value (CLI exit 2, no traceback); the results
workbook holds the Result's own numbers."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

import allocator
from allocator.cli import main
from allocator.errors import InputError
from allocator.report import columns
from allocator.report import workbook as excel
from allocator.schema.excel.write import write_workbook
from tests.helpers import ROOT, tiny

INSTANCES = sorted((ROOT / "instances").glob("*.yaml"))
MODELS = sorted((ROOT / "models").glob("*.yaml"))


def _same(a: Any, b: Any) -> None:
    """Equal as pydantic models (fields only; the files read from differ)."""
    assert type(a) is type(b)
    assert a.model_dump() == b.model_dump()


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.stem)
def test_every_instance_round_trips(path: Path, tmp_path: Path) -> None:
    inst = allocator.load_instance(path)
    out = write_workbook(tmp_path / "inst.xlsx", inst)
    back = allocator.load_instance(out)
    _same(back, inst)
    assert back.files == {str(out): back.files[str(out)]}
    # and back to YAML: the YAML written from the workbook's object loads as the original
    _same(allocator.load_instance(allocator.save(back, tmp_path / "again.yaml")), inst)


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_model_round_trips(path: Path, tmp_path: Path) -> None:
    model = allocator.load_model(path)
    _same(allocator.load_model(allocator.save(model, tmp_path / "model.xlsx")), model)


def test_the_lines_sheet_is_the_csv_table(tmp_path: Path) -> None:
    """Same columns as korea-2026-2030.lines.csv: `min.2027`, `yields.gpus`, `;` lists."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    out = write_workbook(tmp_path / "k.xlsx", inst)
    sheet = pd.read_excel(out, sheet_name="lines")
    csv = pd.read_csv(ROOT / "instances" / "korea-2026-2030.lines.csv")
    assert set(sheet.columns) <= set(csv.columns)
    assert {"min.2027", "max.2030", "yields.gpus", "groups"} <= set(sheet.columns)
    assert list(sheet["id"]) == list(csv["id"])
    grouped = sheet.dropna(subset=["groups"])
    assert not grouped.empty


EDGES = tiny(
    title="Plan; with =signs, a colon: and 한글",
    years=[2026, 2027],
    budget={2026: 100, 2027: 0.1 + 0.2},
    private_pool=30,
    kpis=[{"id": "k", "name": "2026", "baseline": 1 / 3, "cumulative": False}],
    lines=[
        {
            "id": "x",
            "name": "=not a formula",
            "pillar": "a",
            "min": {2026: 1.5},
            "max": 80,
            "requires": ["y"],
            "groups": ["g1", "g2"],
            "select": True,
            "yields": {"k": 123456789.12345679},
        },
        {
            "id": "y",
            "name": "Line Y",
            "pillar": "b",
            "integer": True,
            "unit_cost": 0.06,
            "new": True,
            "leverage": 2,
            "private_impact": -0.5,
        },
    ],
    targets=[{"kpi": "k", "year": 2027, "value": 10}],
    sources=[{"about": "*", "kind": "reported", "cite": "[1] a report; p. 3"}],
)


def test_edge_values_round_trip(tmp_path: Path) -> None:
    """Floats openpyxl would shorten, text that looks like a formula or a number, `;` lists,
    per-year and every-year figures side by side."""
    inst = allocator.Instance.model_validate(EDGES)
    model = allocator.ModelSpec.model_validate(
        {
            "name": "m",
            "objective": "goal",
            "targets": {"weights": {"k": 2.5}},
            "rules": [
                {"rule": "cardinality", "group": "g1", "max": 1},
                {"rule": "pillar_share", "pillar": "a", "max": "40%"},
                {"rule": "ramp", "max_change": 0.3},
            ],
        }
    )
    out = write_workbook(tmp_path / "edges.xlsx", inst, model)
    _same(allocator.load_instance(out), inst)
    _same(allocator.load_model(out), model)
    ws = openpyxl.load_workbook(out)["lines"]
    assert ws["B2"].value == "=not a formula"
    assert ws["B2"].data_type == "s"


def test_json_cells_and_typed_numbers_are_read(tmp_path: Path) -> None:
    """A field that does not fit one cell is JSON text; a number typed in a text column is text."""
    out = write_workbook(tmp_path / "t.xlsx", allocator.Instance.model_validate(tiny()))
    book = openpyxl.load_workbook(out)
    lines = book["lines"]
    header = [c.value for c in lines[1]]
    lines.cell(row=2, column=header.index("max") + 1).value = '{"2026": 55}'
    lines.cell(row=2, column=header.index("name") + 1).value = 2026
    book.save(out)
    inst = allocator.load_instance(out)
    assert inst.lines[0].max == {2026: 55.0}
    assert inst.lines[0].name == "2026"


def test_template_loads_solves_and_loads_again_once_filled(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    assert main(["template", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert "README" in book.sheetnames
    checks = {
        (ws.title, str(dv.formula1))
        for ws in book.worksheets
        for dv in ws.data_validations.dataValidation
    }
    assert ("lines", "pillars!$A$2:$A$1000") in checks
    assert any(t == "rules" and "new_initiative_share" in f for t, f in checks)
    assert any(t == "lines" and f == '"TRUE,FALSE"' for t, f in checks)
    assert any(t == "sources" and "reported" in f for t, f in checks)
    inst = allocator.load_instance(path)
    res = allocator.solve(inst)  # the instance names the workbook as its model
    assert res.status == allocator.Status.optimal
    assert res.verified

    # fill it in: a second pillar with a line of its own, a rule on it, a per-year cap
    book["pillars"].append(["talent", "AI talent", "AI 인재"])
    lines = book["lines"]
    header = [c.value for c in lines[1]]
    row = dict.fromkeys(header)
    row |= {"id": "fellows", "name": "Fellowships", "pillar": "talent", "impact": 2, "max": 50}
    row |= {"new": True, "groups": "people;new"}
    lines.append([row[h] for h in header])
    book["rules"].append(["pillar_share", "talent", 0.1, 0.3])
    book.save(path)
    inst = allocator.load_instance(path)
    assert [line.id for line in inst.lines] == ["gpu", "fellows"]
    assert inst.line("fellows").groups == ["people", "new"]
    assert inst.line("fellows").new is True
    res = allocator.solve(inst)
    assert res.status == allocator.Status.optimal
    assert res.verified
    gov = res.pillars.set_index(["pillar", "year"]).government
    assert gov["talent", 2026] == pytest.approx(50)


def _bad(tmp_path: Path, edit: dict[tuple[str, str], Any]) -> Path:
    path = tmp_path / "bad.xlsx"
    excel.template(path)
    book = openpyxl.load_workbook(path)
    for (sheet, cell), value in edit.items():
        book[sheet][cell] = value
    book.save(path)
    return path


BAD_CELLS = [
    ({("lines", "G2"): "lots"}, "lines!G2 (gpu, min)", "'lots'", "money"),
    ({("lines", "F2"): "maybe"}, "lines!F2 (gpu, new)", "'maybe'", "true or false"),
    ({("lines", "D2"): "infrx"}, "lines!D2 (gpu, pillar)", "'infrx'", "did you mean 'infra'"),
    ({("lines", "V1"): "maxx", ("lines", "V2"): 5}, "lines!V2 (gpu, maxx)", "5", "unknown key"),
    ({("budgets", "B3"): -5}, "budgets!B3 (2027, budget)", "-5", "negative"),
    ({("budgets", "A3"): "next"}, "budgets!A3", "'next'", "expected a year"),
    ({("budgets", "A3"): "all"}, "budgets!B3", "1100", "both in the row 'all'"),
    ({("instance", "B5"): "2027;2026"}, "instance!B5 (years)", "'2027;2026'", "increasing"),
    ({("targets", "B2"): 2031}, "targets!B2 (gpus, year)", "2031", "outside"),
    ({("kpis", "E2"): "=1/0"}, "kpis!E2", "", "formula with no computed value"),
    ({("lines", "L2"): "{oops"}, "lines!L2", "'{oops'", "JSON"),
    ({("lines", "C1"): "name"}, "lines!C1", "'name'", "appears twice"),
    ({("Sheet2", "A1"): 1}, "sheet Sheet2", "", "unknown sheet"),
]


@pytest.mark.parametrize(("edit", "where", "value", "problem"), BAD_CELLS)
def test_bad_cells_are_located(
    tmp_path: Path, edit: dict[tuple[str, str], Any], where: str, value: str, problem: str
) -> None:
    if ("Sheet2", "A1") in edit:
        path = tmp_path / "bad.xlsx"
        excel.template(path)
        book = openpyxl.load_workbook(path)
        book.create_sheet("Sheet2")["A1"] = 1
        book.save(path)
    else:
        path = _bad(tmp_path, edit)
    with pytest.raises(InputError) as caught:
        allocator.load_instance(path)
    found = [i for i in caught.value.issues if i.path.startswith(where)]
    assert found, caught.value
    assert found[0].file == str(path)
    text = str(found[0])
    assert problem in text
    assert f"{where}" in text
    if value:
        assert f" = {value}" in text


def test_bad_rule_kind_is_located_at_its_cell(tmp_path: Path) -> None:
    path = _bad(tmp_path, {("rules", "A2"): "pillar_shar"})
    with pytest.raises(InputError) as caught:
        allocator.load_model(path)
    assert "rules!A2" in str(caught.value)
    assert "did you mean 'pillar_share'" in str(caught.value)


def test_model_names_checked_against_the_instance_are_located(tmp_path: Path) -> None:
    path = _bad(tmp_path, {("rules", "B2"): "talent", ("model", "A7"): "targets.weights.gpu"})
    with pytest.raises(InputError) as caught:
        allocator.solve(allocator.load_instance(path))
    text = str(caught.value)
    assert "rules!B2 (pillar_share, pillar) = 'talent': no such pillar" in text
    assert "model!B7 (targets.weights.gpu) = 'gpu': no such KPI" in text
    assert main(["validate", str(path)]) == 2


def test_missing_sheets_and_keys_say_what_to_add(tmp_path: Path) -> None:
    path = _bad(tmp_path, {("instance", "A2"): None, ("instance", "B2"): None})
    book = openpyxl.load_workbook(path)
    del book["lines"]
    book.save(path)
    with pytest.raises(InputError) as caught:
        allocator.load_instance(path)
    text = str(caught.value)
    assert "instance, key name" in text
    assert "add a sheet named lines" in text


def test_not_a_workbook_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("id,name\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"not a readable \.xlsx workbook"):
        allocator.load_instance(path)


def test_cli_bad_workbook_exits_2_without_traceback(tmp_path: Path) -> None:
    path = _bad(tmp_path, {("lines", "G2"): "lots"})
    for command in (["validate", str(path)], ["solve", str(path), "--xlsx", "out.xlsx"]):
        run = subprocess.run(
            [sys.executable, "-m", "allocator.cli", *command],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        assert "lines!G2 (gpu, min) = 'lots'" in run.stderr
    assert not (tmp_path / "out.xlsx").exists()


@pytest.mark.parametrize("name", ["toy", "korea-2026"])
def test_result_workbook_holds_the_results_numbers(name: str, tmp_path: Path) -> None:
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / f"{name}.yaml"))
    assert res.status == allocator.Status.optimal
    path = excel.write_result(res, tmp_path / "plan.xlsx")
    sheets = pd.read_excel(path, sheet_name=None)

    def same(sheet: str, frame: pd.DataFrame) -> None:
        pd.testing.assert_frame_equal(
            sheets[sheet], frame, check_dtype=False, check_exact=False, rtol=1e-12
        )

    same("pillars", columns.pillar_table(res))
    same("kpis", res.kpis)
    same("allocation", res.allocation)
    audit = res.audit()
    read = sheets["audit"]
    for column in ("slack", "shadow_price"):
        assert read[column].to_numpy() == pytest.approx(audit[column].to_numpy(), rel=1e-12)
    assert list(read["rule"]) == list(audit["rule"])

    split = sheets["split"].set_index(["pillar", "source"])
    years = [str(y) for y in res.instance.years]
    for _, row in columns.pillar_table(res).iterrows():
        for source in columns.money_columns(res):
            key = (row["pillar"], source)
            assert split.loc[key, str(row["year"])] == pytest.approx(row[source], rel=1e-12)
    gov = res.allocation.query("source == 'government'").amount.sum()
    assert split.loc[("all", "government"), "total"] == pytest.approx(gov, rel=1e-12)
    assert split.loc[("all", "total"), years].sum() == pytest.approx(
        res.allocation.amount.sum(), rel=1e-12
    )
    per_line = sheets["lines"].set_index(["line", "source"])
    for entry in res.allocation.itertuples():
        source = columns.SOURCE_LABELS.get(str(entry.source), str(entry.source))
        shown = per_line.at[(entry.line, source), str(entry.year)]
        assert shown == pytest.approx(entry.amount, abs=1e-9)

    summary = sheets["summary"].set_index("key").value
    assert float(summary["objective"]) == pytest.approx(res.objective, rel=1e-12)
    assert summary["status"] == "optimal"

    ws = openpyxl.load_workbook(path)["split"]
    assert ws["D2"].number_format == excel.money_format("bn KRW")
    assert (ws.column_dimensions["C"].width or 0) >= 10


def test_infeasible_result_workbook_names_the_colliding_rules(tmp_path: Path) -> None:
    inst = allocator.Instance.model_validate(tiny())
    model = allocator.ModelSpec.model_validate(
        {
            "name": "m",
            "must_spend": True,
            "rules": [{"rule": "pillar_share", "pillar": "a", "min": 0.9}],
        }
    )
    res = allocator.solve(inst, model)
    assert res.status == allocator.Status.infeasible
    sheets = pd.read_excel(excel.write_result(res, tmp_path / "x.xlsx"), sheet_name=None)
    assert set(sheets) == {"summary", "diagnosis"}
    assert not sheets["diagnosis"].empty


def test_a_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "toy.yaml"))
    path = excel.write_result(res, tmp_path / "plan.xlsx")
    before = path.read_bytes()

    def broken(*args: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(excel, "_style", broken)
    with pytest.raises(OSError, match="disk full"):
        excel.write_result(res, path, force=True)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plan.xlsx"]


def test_cli_export_solve_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book, plan = tmp_path / "toy.xlsx", tmp_path / "plan.xlsx"
    toy = ROOT / "instances" / "toy.yaml"
    assert main(["export", str(toy), "--out", str(book)]) == 0
    assert main(["solve", str(book), "--xlsx", str(plan)]) == 0
    assert "optimal" in capsys.readouterr().out
    split = pd.read_excel(plan, sheet_name="split").set_index(["pillar", "source"])
    assert split.loc[("infra", "government"), "2026"] == pytest.approx(70)
    objective = float(pd.read_excel(plan, sheet_name="summary").set_index("key").value["objective"])
    assert math.isclose(objective, 310, rel_tol=1e-9)
    assert main(["solve", str(book), "--xlsx", str(tmp_path / "none" / "p.xlsx")]) == 2
    assert "no such folder" in capsys.readouterr().err
