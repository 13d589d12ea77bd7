"""Whether a missed target could be reached at all (`Result.reach()`), and where a year's money
went when spending is not its budget (`Result.cash()`), in the text, Excel and HTML reports.

The reach cases (one year, budget 100): x (pillar a, impact 1, max 80, 10 people per bn),
y (pillar b, impact 3, max 100); KPI k starts at 0. x's money is worth 1 + 10·w/T per bn against
y's 3, so with a small weight w every won goes to y and k stays at 0; the most the rules allow is
x at its cap: k = 10 × 80 = 800."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import allocator
from allocator.report import html
from allocator.report import text as report
from allocator.report.workbook import write_result
from tests.helpers import ROOT, gov, run, tiny


def _case(target: float, at_most: bool = False, **x: Any) -> dict[str, Any]:
    line_x = {"id": "x", "name": "X", "pillar": "a", "impact": 1, "max": 80, "yields": {"k": 10}}
    return tiny(
        kpis=[{"id": "k", "name": "Trained", "unit": "people", "baseline": 0}],
        lines=[line_x | x, {"id": "y", "name": "Y", "pillar": "b", "impact": 3, "max": 100}],
        targets=[{"kpi": "k", "year": 2026, "value": target, "at_most": at_most}],
    )


def _row(res: allocator.Result, lang: str = "en") -> dict[str, Any]:
    table = res.reach(lang)  # type: ignore[arg-type]
    assert len(table) == 1
    return dict(table.iloc[0])


def test_a_target_beyond_the_line_caps_is_out_of_reach_with_its_maximum() -> None:
    # T = 1000, w = 1: x is worth 1.01 < 3, so k = 0; no plan passes x's cap of 80: at most 800.
    res = run(_case(1000))
    assert res.kpis.level.iloc[0] == pytest.approx(0)
    row = _row(res)
    assert row["verdict"] == "out_of_reach"
    assert row["reachable"] == pytest.approx(800)
    assert row["bound"] == pytest.approx(800)
    assert row["proven"]
    assert row["checked"]
    assert row["sentence"] == "out of reach under the rules: at most 800 people reachable"
    assert _row(res, "ko")["sentence"] == "규칙상 도달 불가: 최대 800명까지 가능"
    shown = report.table(res).splitlines()
    at = shown.index("  Trained 2026: 0 people of 1,000 people — short by 1,000 people")
    assert shown[at + 1] == "    out of reach under the rules: at most 800 people reachable"


def test_a_target_the_rules_allow_is_missed_by_choice_with_its_price() -> None:
    # T = 500, w = 1: the optimum is y 100 (300) less the whole shortfall's weight 1: 299. To meet
    # it x needs 50 (k = 500): y 50 + x 50 = 150 + 50 = 200 with no shortfall. Meeting it lowers
    # the objective by 99 net; it gives up 100 impact points elsewhere against the 1 point the
    # shortfall costs.
    res = run(_case(500))
    assert res.objective == pytest.approx(299)
    row = _row(res)
    assert row["verdict"] == "by_choice"
    assert row["reachable"] == pytest.approx(800)
    assert row["cost"] == pytest.approx(99)
    assert row["penalty"] == pytest.approx(1)
    assert row["weight"] == pytest.approx(1)
    assert row["checked"]
    assert row["sentence"] == (
        "reachable (up to 800 people): missed by choice — meeting it would give up 100 impact "
        "points elsewhere against the 1 impact point its shortfall costs (weight 1)"
    )
    assert _row(res, "ko")["sentence"] == (
        "도달 가능(최대 800명): 선택에 의한 미달 — 달성하려면 다른 곳에서 100점을 포기해야 "
        "하며, 미달의 비용은 1점(가중치 1)"
    )


def test_a_met_target_is_not_re_solved() -> None:
    # w = 1000: x is worth 1 + 10·1000/500 = 21 > 3, so the target is met; nothing is re-solved.
    res = run(_case(500), targets={"weights": {"k": 1000}})
    row = _row(res)
    assert row["verdict"] == "met"
    assert row["seconds"] == 0
    assert "reachable" not in report.table(res)


def test_a_mip_reach_is_a_mip_whole_units_under_the_cap() -> None:
    # x comes in whole units of 30 bn under its cap of 80: at most 2 units, 60 bn, k = 600 (the
    # LP relaxation would say 800).
    res = run(_case(700, unit_cost=30, integer=True))
    assert res.solution is not None
    assert res.solution.is_mip
    row = _row(res)
    assert row["verdict"] == "out_of_reach"
    assert row["reachable"] == pytest.approx(600)
    assert row["proven"]
    assert row["checked"]


def test_a_cap_the_plan_sits_at_shows_the_lowest_level_the_rules_allow() -> None:
    # x now has impact 5 and a floor of 10: the plan would give it 80, but k ≤ 300 holds it to
    # 30 (k = 300, at the cap); the least the rules allow is x at its floor: k = 100.
    res = run(_case(300, at_most=True, impact=5, min=10))
    assert gov(res, "x") == pytest.approx(30)
    row = _row(res)
    assert (row["kind"], row["verdict"]) == ("at_most", "at_cap")
    assert row["reachable"] == pytest.approx(100)
    assert row["sentence"] == "at the cap; the rules allow as low as 100 people"
    assert "    at the cap; the rules allow as low as 100 people" in report.table(res).splitlines()


def test_priority_levels_are_freed_for_the_reach_solve() -> None:
    # Impact first (300: y 100), then the target: held at 300, k stays 0. The rules alone (the
    # held level is an objective, not a rule) allow k = 800, so the target is reachable and the
    # priority levels prefer other uses (no price: the levels are not one objective).
    levels = [
        {"name": "impact", "goals": [{"objective": "max_impact"}]},
        {"name": "people", "goals": [{"kpi": "k"}]},
    ]
    res = run(_case(500), objective="lexicographic", levels=levels)
    assert res.kpis.level.iloc[0] == pytest.approx(0)
    row = _row(res)
    assert row["verdict"] == "prefers_other_uses"
    assert row["reachable"] == pytest.approx(800)
    assert row["sentence"] == "reachable (up to 800 people); the objective prefers other uses"


def _carried() -> allocator.Result:
    """x is capped at 20 in 2026 and 150 in 2027 and worth 3 against y's 1: 50 (the cap) is
    carried: 2026 x 20 + y 30 = 50 spent of 100; 2027 x 150 = 100 + the 50 carried in."""
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": {2026: 20, 2027: 150}},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "max": 100},
    ]
    return run({**tiny(years=[2026, 2027], lines=lines), "carryover": 50})


def test_carry_over_is_shown_under_the_year_tables() -> None:
    res = _carried()
    cash = res.cash().set_index("year")
    assert list(cash.loc[2026, ["spent", "carried_out", "unused"]]) == pytest.approx([50, 50, 0])
    assert list(cash.loc[2027, ["carried_in", "spent"]]) == pytest.approx([50, 150])
    shown = report.table(res).splitlines()
    assert (
        "      budget 100.0 billion won, spent 50.0 billion won; carried into 2027: "
        "50.0 billion won"
    ) in shown
    assert (
        "      budget 100.0 billion won, spent 150.0 billion won; carried in from 2026: "
        "50.0 billion won"
    ) in shown
    korean = report.table(res, "ko").splitlines()
    assert "      예산 1,000억원, 집행 500억원; 2027년으로 이월: 500억원" in korean


def test_money_left_unspent_is_shown_and_a_spent_budget_says_nothing() -> None:
    # Both lines capped at 30: 60 of the 100 is spent, 40 left unspent.
    res = run(tiny(lines=[{**ln, "max": 30} for ln in tiny()["lines"]]))
    assert res.cash().unused.iloc[0] == pytest.approx(40)
    assert (
        "      budget 100.0 billion won, spent 60.0 billion won; left unspent: 40.0 billion won"
        in report.table(res).splitlines()
    )
    spent = run(tiny())
    assert "budget" not in report.table(spent)


def test_workbook_and_html_show_reach_and_carry_over(tmp_path: Path) -> None:
    res = run(_case(1000))
    path = write_result(res, tmp_path / "reach.xlsx")
    targets = pd.read_excel(path, sheet_name="targets")
    assert targets.verdict.tolist() == ["out_of_reach"]
    assert targets.reachable.iloc[0] == pytest.approx(800)
    assert "cash" not in pd.read_excel(path, sheet_name=None)
    page = html.render(res)
    assert "<td class='reach'>out of reach under the rules: at most 800 people reachable" in page
    assert "최대 800명까지 가능" in html.render(res, lang="ko")
    carried = _carried()
    path = write_result(carried, tmp_path / "carried.xlsx")
    cash = pd.read_excel(path, sheet_name="cash").set_index("year")
    assert cash.loc[2026, "carried_out"] == pytest.approx(50)
    assert str(cash.loc[2026, "note"]).endswith("carried into 2027: 50.0 billion won")
    page = html.render(carried)
    assert "<tr class='cash' data-year='2026'>" in page
    assert "carried into 2027: 50.0 billion won" in page


def test_a_scored_plan_has_no_reach_and_its_report_still_prints() -> None:
    res = run(_case(1000))
    scored = allocator.evaluate(res.instance, res.allocation, res.model)
    assert "out of reach" not in report.table(scored)


@pytest.fixture(scope="module")
def korea() -> allocator.Result:
    return allocator.solve(allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml"))


def test_every_korea_target_is_met_or_its_reach_is_shown(korea: allocator.Result) -> None:
    """Read line by line: every target line is followed by its verdict when it is missed, and a
    missed target is either out of reach with a maximum below it or reachable (no number is
    pinned: the instance's values change)."""
    table = korea.reach()
    assert set(table.verdict) <= {"met", "out_of_reach", "by_choice", "tie", "at_cap", "within"}
    missed = table[~table.verdict.isin(["met", "within"])]
    assert len(missed), "the five-year plan misses some targets"
    assert missed.checked.all()
    assert missed.proven.all()
    out = missed[missed.verdict == "out_of_reach"]
    assert (out.reachable < out.target).all()
    assert (out.reachable >= out.level - 1e-6).all()
    shown = report.table(korea).splitlines()
    for row in missed.itertuples():
        heads = [i for i, s in enumerate(shown) if s.startswith(f"  {row.name} {row.year}:")]
        assert len(heads) == 1, row.name
        assert shown[heads[0] + 1] == f"    {row.sentence}"
    spent = korea.cash()
    differs = spent[(spent.spent - spent.budget).abs() > 1e-6]
    for year in differs.year:
        block = shown[shown.index(next(s for s in shown if s.startswith(f"{year}  "))) :]
        total = next(i for i, s in enumerate(block) if s.strip().startswith("total"))
        assert block[total + 1].startswith("      budget ")


def test_the_other_verdicts_in_words() -> None:
    from allocator.words.reach import reach_sentence

    base = {"unit": "GPU", "reachable": 900.0, "bound": 1200.0, "proven": False, "checked": True}
    tie = base | {"verdict": "tie", "bound": 900.0, "proven": True}
    assert reach_sentence(tie, "max_impact", "bn_krw") == (
        "reachable (up to 900 GPU): missed only by a tie — another plan meets it at the same "
        "objective"
    )
    open_ = base | {"verdict": "undecided"}
    assert reach_sentence(open_, "max_impact", "bn_krw") == (
        "not settled within the time limit: a plan reaches 900 GPU, none goes past 1,200 GPU"
    )
    assert reach_sentence(open_, "max_impact", "bn_krw", "ko") == (
        "시간 한도 내 판정 불가: 찾은 계획 900대, 한계 1,200대"
    )
    out = base | {"verdict": "out_of_reach", "bound": 950.0, "checked": False}
    assert reach_sentence(out, "max_impact", "bn_krw") == (
        "out of reach under the rules: at most 950 GPU reachable (a plan found reaches 900 GPU)"
        " (not verified)"
    )


def test_the_record_page_quotes_the_reachable_maxima(korea: allocator.Result) -> None:
    """docs/korea-record.md, docs/explain.md and the README quote the most (or least) the rules
    allow for the five-year targets; the figures come from this solve, so a change to the data or
    the rules that moves them fails here (they do not depend on the impact scores: only the rules
    bound them)."""
    page = (ROOT / "docs" / "korea-record.md").read_text(encoding="utf-8")
    table = korea.reach()
    out = table.query("verdict == 'out_of_reach'")
    assert len(out)
    for row in out.itertuples():
        assert f"at most {row.reachable:,.0f} reachable" in page, row.kpi
    experts = out[out.kpi == "ai_experts"].reachable.iloc[0]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"at most {experts:,.0f} people reachable" in readme
    explain = (ROOT / "docs" / "explain.md").read_text(encoding="utf-8")
    for said in table.query("verdict in ['out_of_reach', 'at_cap']").sentence:
        assert f"    {said}\n" in explain, said


def test_reach_of_another_solvers_answer_and_of_a_batch() -> None:
    # GLPK's answer has no HiGHS matrix: the built model is compiled afresh for the re-solve;
    # solve_many's answers share one HiGHS session, which has moved on.
    inst = allocator.Instance.model_validate(_case(1000))
    spec = allocator.ModelSpec(name="m")
    glpk = allocator.solve(inst, spec, solver="glpk")
    batch = allocator.solve_many([inst, inst], spec)
    for res in (glpk, *batch):
        row = _row(res)
        assert row["verdict"] == "out_of_reach"
        assert row["reachable"] == pytest.approx(800)


def test_the_notebook_view_says_why_a_target_is_missed() -> None:
    page = run(_case(1000))._repr_html_()
    assert "short by 1,000</span><br><small>out of reach under the rules: at most 800" in page


def test_meeting_a_target_starts_from_the_optimal_basis_and_gives_the_cold_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What meeting a missed target costs is an LP with one bound moved: `reach()` starts it from
    the model's optimal basis, which takes fewer simplex steps (here 380 against 835) to the
    same optimum as a start from scratch."""
    from allocator.results import reach as reaching
    from allocator.solver.reach import solved_basis, with_column_fixed
    from allocator.synthetic import synthetic_case

    given: list[Any] = []

    def noting(*args: Any, **kwargs: Any) -> Any:
        given.append(args[6] if len(args) > 6 else kwargs.get("basis"))
        return with_column_fixed(*args, **kwargs)

    monkeypatch.setattr(reaching, "with_column_fixed", noting)

    data, model = synthetic_case(300, 3, seed=4)
    for target in data["targets"]:
        target["value"] = 3 * target["value"]  # with small weights: missed, by choice
    model["targets"]["weights"] = {k: w / 100 for k, w in model["targets"]["weights"].items()}
    res = allocator.solve(
        allocator.Instance.model_validate(data), allocator.ModelSpec.model_validate(model)
    )
    table = res.reach()
    chosen = table[table.verdict == "by_choice"]
    assert len(chosen) == 6
    assert len(given) == 6
    assert all(basis is not None for basis in given)
    assert res.objective is not None
    built, sol = res._need_allocation()
    assert sol.matrix is not None
    basis = solved_basis(sol, sol.matrix)
    assert basis is not None
    steps = []
    for kpi, year, cost in zip(chosen.kpi, chosen.year, chosen.cost, strict=True):
        short = built.shortfall[str(kpi), int(year)]
        cold = with_column_fixed(built, sol.matrix, short, 0.0, sol.options)
        warm = with_column_fixed(built, sol.matrix, short, 0.0, sol.options, basis=basis)
        assert cold.objective is not None
        assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
        assert res.objective - cold.objective == pytest.approx(cost, rel=1e-6, abs=1e-6)
        steps.append([s.highs.getInfo().simplex_iteration_count for s in (warm, cold)])
    warm_steps, cold_steps = (sum(counts) for counts in zip(*steps, strict=True))
    assert warm_steps < cold_steps / 2, steps


def test_a_mip_has_no_basis_to_start_from(korea: allocator.Result) -> None:
    from allocator.solver.reach import solved_basis

    _, sol = korea._need_allocation()
    assert sol.matrix is not None
    assert sol.matrix.integer
    assert solved_basis(sol, sol.matrix) is None


def test_reach_is_worked_out_when_quick_and_otherwise_the_text_says_how_to_ask() -> None:
    """`auto`: the re-solves are made when about two per missed target, at the solve's own
    time, take under `REACH_AUTO_SECONDS`; a solve slow enough (its runtime set here to 1 s)
    gets a line saying what was not worked out and how to ask, and no re-solve is made."""
    quick = run(_case(1000))
    assert report.reach_asked(quick)
    assert "out of reach under the rules" in report.table(quick)
    slow = run(_case(1000))
    slow.runtime = 1.0  # 2 re-solves x 1 s > 0.5 s
    assert not report.reach_asked(slow)
    shown = report.table(slow).splitlines()
    assert shown[-1] == (
        "  (what the rules allow for the 1 target missed or at the cap is not worked out: it "
        "takes about 2 more solves of this model, which took 1.0 s; --reach always asks)"
    )
    assert not slow._reach  # no re-solve made
    assert "out of reach under the rules" in report.table(slow, reach="always")
    assert "reach_skipped" in report.as_json(quick, reach="never")
    assert "reach_skipped" not in report.as_json(slow, reach="always")
    met = run(_case(1000, at_most=True))  # k = 0: well under its cap
    met.runtime = 100.0
    assert "not worked out" not in report.table(met)  # nothing missed or at a cap


def test_cli_reach_choices(capsys: pytest.CaptureFixture[str]) -> None:
    from allocator.cli import main

    five = str(ROOT / "instances" / "korea-2026-2030.yaml")
    main(["solve", five, "--reach", "never"])
    never = capsys.readouterr().out
    main(["solve", five, "--reach", "always", "--format", "json"])
    always = json.loads(capsys.readouterr().out)
    assert "missed or at the cap is not worked out" in never
    assert "out of reach under the rules" not in never
    assert "reach_skipped" not in always
    assert "out_of_reach" in {row["verdict"] for row in always["reach"]}
