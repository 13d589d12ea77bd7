"""How firm the optimum is: value bands drawn through Monte Carlo, and each line's verdict on a
toy worked by hand.

Budget 110; x (impact 3, max 80), y and z (impact 1 each, max 100), w (impact 0.5, min = max =
10). The optimum is x 80, w 10 and 20 between y and z (objective 265). Within 0.1 % of the best
(0.265 points) x can fall by 0.265 / (3 − 1) = 0.1325 (under 1 % of the largest line: firm); y
and z tie, so either can take anything from 0 to 20 (and a little more): not decided by the
optimum; w is fixed by its bounds: settled by the rules."""

from __future__ import annotations

from pathlib import Path

import pytest

import allocator
from allocator.analysis.firmness import how_firm, value_bands, value_ranges
from allocator.analysis.montecarlo import monte_carlo
from allocator.cli import main
from allocator.report.html import write as write_html
from allocator.report.plans import how_firm as firm_text
from allocator.report.workbook import write_result

FOUR = {
    "name": "four",
    "years": [2026],
    "pillars": [{"id": "a", "name": "A"}],
    "budget": 110,
    "lines": [
        {"id": "x", "name": "Line X", "pillar": "a", "impact": 3, "max": 80},
        {"id": "y", "name": "Line Y", "pillar": "a", "impact": 1, "max": 100},
        {"id": "z", "name": "Line Z", "pillar": "a", "impact": 1, "max": 100},
        {"id": "w", "name": "Line W", "pillar": "a", "impact": 0.5, "min": 10, "max": 10},
    ],
}
SPEC = allocator.ModelSpec.model_validate({"name": "m"})


def test_how_firm_by_hand(tmp_path: Path) -> None:
    res = allocator.solve(allocator.Instance.model_validate(FOUR), SPEC)
    firm = how_firm(res, slack=0.001)
    verdict = firm.table.set_index("line").verdict.to_dict()
    assert verdict == {
        "x": "firm",
        "y": "not decided by the optimum",
        "z": "not decided by the optimum",
        "w": "settled by the rules",
    }
    x = firm.table.set_index("line").loc["x"]
    assert x.low == pytest.approx(80 - 0.1325, abs=1e-6)
    text = firm_text(firm)
    assert "settled by the rules (1 of 4 lines)" in text
    assert "not decided by the optimum (2 of 4 lines)" in text
    page = tmp_path / "r.html"
    write_html(res, page, firmness=firm)
    assert "data-line='w' data-verdict='settled by the rules'" in page.read_text()
    book = tmp_path / "r.xlsx"
    write_result(res, book, firm)
    import openpyxl

    assert "how firm" in openpyxl.load_workbook(book).sheetnames


def test_value_bands_and_ranges() -> None:
    data = dict(FOUR)
    data["sources"] = [{"about": "lines.w.impact", "kind": "derived", "note": "fixed"}]
    inst = value_bands(allocator.Instance.model_validate(data), 0.5)
    assert inst.uncertainty is not None
    paths = {p.path: (p.low, p.high, p.relative) for p in inst.uncertainty.parameters}
    # every assumed impact gets ±50 %; w's is sourced as derived
    assert paths == {f"lines.{k}.impact": (0.5, 1.5, True) for k in "xyz"}
    run = monte_carlo(inst, SPEC, samples=12, seed=3)
    lines, pillars = value_ranges(run)
    w = lines.set_index("line").loc["w"]
    assert (w.probability, w.p10, w["median"], w.p90) == (1.0, 10.0, 10.0, 10.0)
    assert pillars.set_index("pillar").loc["a"]["median"] == pytest.approx(110.0)
    # x's impact is at least 1.5 and y's, z's at most 1.5: x stays at its cap in every sample
    assert lines.set_index("line").loc["x"].p10 == pytest.approx(80.0)


def test_montecarlo_values_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inst = tmp_path / "four.yaml"
    inst.write_text(allocator.Instance.model_validate(FOUR).model_dump_json(exclude_none=True))
    (tmp_path / "m.yaml").write_text("name: m\n")
    args = ["montecarlo", str(inst), "--model", str(tmp_path / "m.yaml"), "--values"]
    assert main([*args, "--samples", "5", "--band", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "Per line over the samples" in out
    assert "Per pillar" in out
