"""The Korea instances against the record: the budget as passed held as data (each line's reported
amount with its source), admitted by the regime that claims to be "as passed", the 47.7 % reading
as a scenario that rejects it, and the doubtful figures flagged in every report format.

The reported plan is scored with `allocator.check.verify` on a plan built from `Line.reported`
(`reported_plan` below); once `allocator evaluate --plan reported` lands these tests switch to it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

import allocator
from allocator.check import Plan, verify
from allocator.report import html
from allocator.report.care import care
from allocator.report.text import table
from allocator.report.workbook import write_result
from allocator.schema import Instance, ModelSpec, resolve_model
from allocator.schema.provenance import figure_paths, summary, unsourced
from allocator.schema.scenario import apply_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
K26 = ROOT / "instances" / "korea-2026.yaml"
K5 = ROOT / "instances" / "korea-2026-2030.yaml"


def reported_plan(inst: Instance) -> Plan:
    """The budget as passed: each line's reported government money, nothing private."""
    gov = {(ln.id, y): (ln.reported or {}).get(y, 0.0) for ln in inst.lines for y in inst.years}
    chosen = {ln.id: True for ln in inst.lines if ln.select}
    return Plan(gov=gov, private={}, selected=chosen, units={})


def broken(inst: Instance, spec: ModelSpec) -> list[str]:
    return [str(v) for v in verify(inst, spec, reported_plan(inst), None)]


@pytest.mark.parametrize("path", [K26, K5])
def test_every_line_has_a_sourced_2026_amount(path: Path) -> None:
    inst = allocator.load_instance(path)
    assert all(ln.reported and 2026 in ln.reported for ln in inst.lines)
    amounts = [p for p in figure_paths(inst) if ".reported." in p]
    assert len(amounts) >= len(inst.lines)
    assert not [p for p in unsourced(inst) if ".reported." in p]
    # the lines add up to the budget as passed, 9,933.4 (RND-12 absorbs the residuals' rounding)
    assert sum(ln.reported[2026] for ln in inst.lines if ln.reported) == pytest.approx(9933.4)


def test_korea_2026_provenance_counts_36_reported_amounts() -> None:
    inst = allocator.load_instance(K26)
    assert "; 36 reported amounts of the budget as passed" in summary(inst)


def test_the_as_passed_regime_admits_the_budget_as_passed() -> None:
    """New-flagged lines hold 4,243.0 of 9,933.4 = 42.71 %, above the model's 42.7 %; pillar
    shares 25.2 / 14.1 / 25.2 / 35.6 % sit in their bands; every amount is inside its bounds."""
    inst = allocator.load_instance(K26)
    assert broken(inst, resolve_model(inst, None)) == []
    new = sum(ln.reported[2026] for ln in inst.lines if ln.new and ln.reported)
    assert new == pytest.approx(4243.0)


def test_the_47_7_reading_rejects_the_budget_as_passed() -> None:
    """Seed 004's 47.7 %: 0.477 × 9,933.4 = 4,738.23 > 4,243.0 — short by 495.2 bn."""
    inst = allocator.load_instance(K26)
    path = ROOT / "scenarios" / "new-share-47-7.yaml"
    spec = resolve_model(inst, None)
    inst2, spec2, _ = apply_scenario(inst, spec, load_scenario(path), str(path))
    found = verify(inst2, spec2, reported_plan(inst2), None)
    assert [v.kind for v in found] == ["new_initiative_share"]
    assert "4,738.2" in str(found[0]) or "4,738" in str(found[0])


def test_world_best_llm_team_limit_in_korea_2026() -> None:
    """At most 5 teams × 12.9 bn a team-year = 64.5 bn in a year."""
    res = allocator.solve(allocator.load_instance(K26))
    assert res.verified
    gov = res.allocation.query("source == 'government' and line == 'RND-01'").amount.sum()
    assert gov <= 64.5 + 1e-6


def test_doubtful_figures_are_flagged_in_text_excel_and_html(tmp_path: Path) -> None:
    res = allocator.solve(allocator.load_instance(K26))
    flagged = care(res)
    want = {
        ("lines.RND-04.reported.2026", "unconfirmed"),  # physical AI 160, seed 001 only
        ("lines.RND-04.reported.2026", "conflict"),  # 160 vs 500
        ("lines.INF-04.reported.2026", "conflict"),  # NPU 74.2 vs 75.2
        ("lines.*.new", "conflict"),  # 47.7 vs 42.7 %
        ("lines.TAL-01.yields.ai_experts", "conflict"),  # postdoc cost
        ("lines.INF-02.reported.2026", "above sources"),  # the optimum's 200 against 11.8
    }
    assert want <= set(zip(flagged.figure, flagged.flag, strict=True))
    text = table(res)
    for words in ("Figures to treat with care", "74.2", "47.7 %"):
        assert words in text
    write_result(res, tmp_path / "plan.xlsx")
    sheet = load_workbook(tmp_path / "plan.xlsx")["care"]
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert {"lines.RND-04.reported.2026", "unconfirmed"} <= cells
    page = html.render(res)
    for words in ("id='care'", "data-flag='unconfirmed'", "75.2"):
        assert words in page
