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
    said = summary(inst)
    assert "; the budget as passed: 36 line amounts (" in said
    # each amount counted by its own kind: 20 + 8 + 8 = 36 (facts.md statuses R, D, A/R(2025))
    assert said.endswith("(assumed 8, derived 8, reported 20)")


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
        ("lines.AX-01.reported.2026", "above sources"),  # the optimum's 900 against 613.5
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


def test_five_year_optimum_keeps_the_record() -> None:
    """The computing centre is funded on its schedule (80 bn of government money) and stays
    within its 2,900 bn project total; the public GPUs in service in 2030 stay at most 50,000;
    the 260,000 national target is reported with the 219,000 added outside the budget (the
    companies' 210,000 and the 9,000 supercomputer GPUs) beside it."""
    res = allocator.solve(allocator.load_instance(K5))
    assert res.status == allocator.Status.optimal
    assert res.verified
    centre = res.allocation.query("line == 'INF-02'")
    assert centre.query("source == 'government'").amount.sum() == pytest.approx(80.0)
    assert centre.amount.sum() <= 2900 + 1e-6
    row = res.kpis.query("kpi == 'gpus' and year == 2030").iloc[0]
    assert float(row["level"]) <= 50000 + 1e-6
    assert float(row["at_most"]) == 50000
    text = table(res)
    assert "260,000 GPU of 260,000 GPU" in text
    assert "219,000 GPU of them added outside the budget" in text
    assert "at most 50,000 GPU — within" in text
    rnd01 = res.allocation.query("line == 'RND-01' and source == 'government'")
    assert rnd01.groupby("year").amount.sum().max() <= 5 * 12.9 + 1e-6


def _header(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return " ".join(ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#"))


def test_the_as_passed_header_quotes_the_line_data() -> None:
    """Every figure models/national-ai-2026.yaml quotes about the budget as passed is recomputed."""
    header = _header(ROOT / "models" / "national-ai-2026.yaml")
    inst = allocator.load_instance(K26)
    new = sum(ln.reported[2026] for ln in inst.lines if ln.new and ln.reported)
    total = sum(ln.reported[2026] for ln in inst.lines if ln.reported)
    target = next(t.value for t in inst.targets if t.kpi == "gpus" and t.year == 2026)
    for quoted in (
        f"{new:,.1f} of the {total:,.1f} passed",
        f"({new / total:.2%}".replace("%", " %"),
        f"breaks by {0.477 * total - new:,.0f} bn",
        f"5,000 / {target:,.0f} = {5000 / target:.2f}",
    ):
        assert quoted in header, quoted


def test_the_priorities_header_quotes_its_own_solve() -> None:
    """The figures the priorities model's header quotes come from this solve (so they cannot go
    stale: a change to the data or the rules that moves them fails here)."""
    model = ROOT / "models" / "national-ai-2026-2030-priorities.yaml"
    header = _header(model)
    res = allocator.solve(allocator.load_instance(K5), allocator.load_model(model))
    assert res.verified
    optimum = {o.name: o.optimum for o in res.level_outcomes}
    level = res.kpis.set_index(["kpi", "year"]).level
    spent = res.allocation.query("source == 'government'").groupby("year").amount.sum()
    experts, gpus26 = level["ai_experts", 2030], level["gpus", 2026]
    for quoted in (
        f"legal_floors, optimum {optimum['legal_floors']:,.2f}",
        f"(200,000 - {experts:,.0f})",
        f"gpu_path, optimum {optimum['gpu_path']:,.2f} = 5,000 x {37000 - gpus26:,.0f} / 37,000",
        f"{gpus26:,.0f} public GPUs at end-2026",
        f"met ({level['gpus', 2028]:,.0f},",
        f"balance, {optimum['balance']:,.1f}",
        f"national GPUs {level['gpus_national', 2030]:,.0f} of 260,000",
        f"industry adoption {level['industry_adoption', 2030]:.0f} %",
        f"{spent[2027]:,.1f} (2027), {spent[2028]:,.1f} (2028) and {spent[2029]:,.1f} bn",
    ):
        assert quoted in header, quoted
