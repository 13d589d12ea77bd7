"""Plans as input and their scores: `allocator.evaluate` and `allocator evaluate`, on toys worked
by hand, and the property that a solve's allocation.csv scores as the solve did."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator.cli import main
from tests.helpers import ROOT, tiny

MODEL = allocator.ModelSpec.model_validate(
    {"name": "m", "rules": [{"rule": "new_initiative_share", "min": 0.6}]}
)


def toy() -> allocator.Instance:
    """x: impact 3, max 80, new; y: impact 1, max 100; budget 100; reported 50 and 50."""
    lines = [
        {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "max": 80, "new": True},
        {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    lines[0]["reported"] = {2026: 50}
    lines[1]["reported"] = {2026: 50}
    return allocator.Instance.model_validate(tiny(lines=lines))


def test_reported_plan_scored_by_hand() -> None:
    # 3·50 + 1·50 = 200; the new-initiative share needs 0.6·100 = 60 of new money, the plan has 50
    res = allocator.evaluate(toy(), "reported", MODEL)
    assert res.status == allocator.Status.scored
    assert res.status.value != "optimal"
    assert res.objective == pytest.approx(200.0)
    assert not res.verified
    (v,) = res.violations
    assert (v.name, v.unit, v.figure) == ("new_initiative_share[2026]", "money", "rules[0].min")
    assert v.by == pytest.approx(10.0)
    assert "budget[2026]" in res.rules_held


def test_solve_allocation_csv_is_a_plan(tmp_path: Path) -> None:
    inst = toy()
    best = allocator.solve(inst, MODEL)
    best.to_dir(tmp_path / "out")
    res = allocator.evaluate(inst, tmp_path / "out" / "allocation.csv", MODEL)
    assert res.verified
    assert res.objective == pytest.approx(best.objective)
    assert res.objective == pytest.approx(260.0)


def test_dataframe_plan_and_selection_and_units() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 2, "select": True, "min": 10, "max": 60},
        {"id": "u", "name": "U", "pillar": "b", "impact": 1, "unit_cost": 20, "integer": True},
    ]
    inst = allocator.Instance.model_validate(tiny(lines=lines))
    spec = allocator.ModelSpec.model_validate({"name": "m"})
    plan = pd.DataFrame({"line": ["x", "u"], "year": [2026, 2026], "amount": [0, 50]})
    res = allocator.evaluate(inst, plan, spec)
    # x has no money: not selected, so its floor of 10 does not apply; u: 50 / 20 = 2.5 units
    assert res.selected.set_index("line").selected.to_dict() == {"x": False}
    (v,) = [v for v in res.violations if v.kind == "integer_units" and v.unit == "units"]
    assert v.by == pytest.approx(0.5)
    plan = pd.DataFrame({"line": ["x", "u"], "year": [2026, 2026], "amount": [5, 40]})
    res = allocator.evaluate(inst, plan, spec)
    # x has money, so it is selected and its floor 10 binds: below by 5
    (v,) = res.violations
    assert (v.kind, v.figure) == ("line_bounds", "lines.x.min")
    assert v.by == pytest.approx(5.0)
    assert res.objective == pytest.approx(2 * 5 + 40)


BAD = [
    ("line,year,amount\nz,2026,5\n", "row 2, line = 'z'"),
    ("line,year,amount\nx,2030,5\n", "row 2, year = '2030'"),
    ("line,year,amount\nx,2026,-5\n", "row 2, amount = '-5'"),
    ("line,year,amount\nx,2026,nan\n", "row 2, amount = 'nan'"),
    ("line,year,amount\nx,2026,inf\n", "row 2, amount = 'inf'"),
    ("line,year,amount\nx,2026,5\nx,2026,6\n", "duplicate of row 2"),
    ("line,year,amount,source\nx,2026,5,bank\n", "row 2, source = 'bank'"),
    ("line,amount\nx,5\n", "missing: year"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_plans_are_located(
    tmp_path: Path, text: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    inst_path = tmp_path / "toy.yaml"
    inst_path.write_text(json.dumps(toy().model_dump(mode="json", exclude_none=True)))
    plan = tmp_path / "plan.csv"
    plan.write_text(text)
    model = tmp_path / "m.yaml"
    model.write_text("name: m\n")
    assert main(["evaluate", str(inst_path), "--plan", str(plan), "--model", str(model)]) == 2
    err = capsys.readouterr().err
    assert str(plan) in err
    assert expected in err
    assert "Traceback" not in err


def test_reported_needs_reported_amounts() -> None:
    inst = allocator.Instance.model_validate(tiny())
    with pytest.raises(allocator.InputError, match="no line of this instance has one"):
        allocator.evaluate(inst, "reported")


def test_cli_json_and_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst_path = tmp_path / "toy.yaml"
    inst_path.write_text(json.dumps(toy().model_dump(mode="json", exclude_none=True)))
    model = tmp_path / "m.yaml"
    model.write_text(json.dumps(MODEL.model_dump(mode="json", exclude_none=True)))
    args = ["evaluate", str(inst_path), "--plan", "reported", "--model", str(model)]
    assert main([*args, "--format", "json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["status"] == "violates"
    assert out["objective"] == pytest.approx(200.0)
    assert out["violations"][0]["rule"] == "new_initiative_share[2026]"
    assert out["violations"][0]["unit"] == "money"
    (tmp_path / "plain.yaml").write_text("name: plain\n")
    plain = ["--model", str(tmp_path / "plain.yaml")]
    assert main(["evaluate", str(inst_path), "--plan", "reported", *plain]) == 0
    assert "satisfies every rule" in capsys.readouterr().out


@st.composite
def instances(draw: st.DrawFn) -> allocator.Instance:
    """Feasible by construction: bounds drawn around an allocation drawn first."""
    n = draw(st.integers(2, 4))
    amounts = [draw(st.integers(0, 50)) for _ in range(n)]
    lines = [
        {
            "id": f"l{i}",
            "name": f"Line {i}",
            "pillar": "a" if i % 2 else "b",
            "impact": draw(st.integers(0, 5)),
            "min": max(0, a - draw(st.integers(0, 10))),
            "max": a + draw(st.integers(0, 10)),
        }
        for i, a in enumerate(amounts)
    ]
    return allocator.Instance.model_validate(tiny(lines=lines, budget=sum(amounts) + 5))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.data())
def test_property_allocation_reproduces_and_bounds_are_reported(
    inst: allocator.Instance, data: st.DataObject
) -> None:
    spec = allocator.ModelSpec.model_validate({"name": "m"})
    best = allocator.solve(inst, spec)
    res = allocator.evaluate(inst, best.allocation, spec)
    assert res.verified
    assert res.objective == pytest.approx(best.objective, abs=1e-6)
    line = inst.lines[data.draw(st.integers(0, len(inst.lines) - 1))]
    plan = best.allocation
    at = (plan.line == line.id) & (plan.source == "government")
    plan["amount"] = plan["amount"].where(
        ~at, (line.max if isinstance(line.max, int | float) else 0) + 1.0
    )
    broken = allocator.evaluate(inst, plan, spec).violations
    assert any(v.figure == f"lines.{line.id}.max" and v.by == pytest.approx(1.0) for v in broken)


def test_against_moves_gap_and_repair(capsys: pytest.CaptureFixture[str]) -> None:
    # optimum: x at its max 80, y 20 (x is new: 80 ≥ 60) → 260; the plan 50/50 scores 200
    best = allocator.solve(toy(), MODEL)
    cmp = best.against("reported")
    assert cmp.gap == pytest.approx(60.0)
    moves = cmp.lines.set_index(["line", "source"]).move
    assert moves["x", "government"] == pytest.approx(30.0)
    assert moves["y", "government"] == pytest.approx(-30.0)
    by_line = cmp.objective_by_line.set_index("line").gap
    assert by_line["x"] == pytest.approx(90.0)  # 3 · 30
    assert by_line["y"] == pytest.approx(-30.0)
    assert by_line.sum() == pytest.approx(cmp.gap)
    pillars = cmp.pillars.set_index("pillar").move
    assert pillars["a"] == pytest.approx(30.0)
    (repair,) = cmp.repairs.itertuples()
    # the plan's own new-initiative share: 50 / 100
    assert (repair.figure, repair.given) == ("rules[0].min", 0.6)
    assert repair.admits == pytest.approx(0.5, abs=1e-5)
    assert "60.00% → 50.00%" in str(repair.sentence)


def test_against_repairs_a_budget(tmp_path: Path) -> None:
    inst = toy()
    plan = pd.DataFrame({"line": ["x", "y"], "year": [2026, 2026], "amount": [80, 40]})
    cmp = allocator.solve(inst, MODEL).against(plan)
    (repair,) = cmp.repairs.itertuples()
    assert (repair.rule, repair.figure, repair.given) == ("budget[2026]", "budget.2026", 100.0)
    assert repair.admits == pytest.approx(120.0, rel=1e-5)


def test_workbook_sheet_is_a_plan(tmp_path: Path) -> None:
    from allocator.report.workbook import write_result

    inst = toy()
    best = allocator.solve(inst, MODEL)
    book = tmp_path / "plan.xlsx"
    write_result(best, book)
    res = allocator.evaluate(inst, book, MODEL)  # the `allocation` sheet by default
    assert res.verified
    assert res.objective == pytest.approx(260.0)
    with pytest.raises(allocator.InputError, match="missing: line"):
        allocator.evaluate(inst, f"{book}:pillars", MODEL)


def test_five_year_plan_with_funds_cohorts_and_curves_rescores() -> None:
    # funds, carry-over, cohorts, schedules, curves and go/no-go hubs: the optimum's own
    # allocation, read back as a plan, passes every rule with the same objective
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    best = allocator.solve(inst)
    res = allocator.evaluate(inst, best.allocation)
    assert res.verified, res.violations
    assert res.objective == pytest.approx(best.objective, rel=1e-9)
