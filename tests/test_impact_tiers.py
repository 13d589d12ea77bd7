"""The Korea impact scores are tiers you can trace: every line takes the value of the tier its
instance's provenance note puts it in (the tiers and their lines are parsed from the note, so they
are written once), no 0.01 ladder separates lines within a tier, and the text report says what the
equal scores leave open."""

from __future__ import annotations

import re
from itertools import combinations, pairwise
from pathlib import Path

import pytest

import allocator
from allocator.analysis.firmness import UNDECIDED, how_firm
from allocator.report.text import table
from allocator.report.ties import tied_lines
from allocator.schema import Instance

ROOT = Path(__file__).resolve().parent.parent
KOREA = [ROOT / "instances" / "korea-2026.yaml", ROOT / "instances" / "korea-2026-2030.yaml"]
TIER = re.compile(r"tier (\d+(?:\.\d+)?) \(([^)]*)\)")


def tiers(inst: Instance) -> dict[str, float]:
    """Each line's tier as the `lines.*.impact` note states it: "tier 1.2 (INF-04, RND-02, ...)"."""
    note = next(s.note for s in inst.sources if s.about == "lines.*.impact")
    assert note is not None
    out: dict[str, float] = {}
    for value, ids in TIER.findall(note):
        for line in ids.split(", "):
            assert line not in out, f"{line} is in two tiers"
            out[line] = float(value)
    return out


def slopes(points: list[tuple[float, float]]) -> list[float]:
    return [(v2 - v1) / (m2 - m1) for (m1, v1), (m2, v2) in pairwise(points)]


@pytest.mark.parametrize("path", KOREA, ids=lambda p: p.stem)
def test_every_impact_is_its_stated_tier(path: Path) -> None:
    inst = allocator.load_instance(path)
    tier = tiers(inst)
    declared = set(tier.values())
    assert {ln.id for ln in inst.lines} == set(tier), "every line in exactly one stated tier"
    for line in inst.lines:
        if line.curve is not None:  # AX-01 in korea-2026-2030: 1.3 up to 613.5, then 0.9
            steps = slopes(line.curve)
            assert steps[0] == pytest.approx(tier[line.id]), line.id
            assert all(any(s == pytest.approx(t) for t in declared) for s in steps), line.id
            assert line.impact == 0
        else:
            assert line.impact == tier[line.id], line.id


@pytest.mark.parametrize("path", KOREA, ids=lambda p: p.stem)
def test_no_ladder_within_a_tier(path: Path) -> None:
    """Two impact scores are equal or at least one tier step apart (0.05: 1.3, 1.25, 1.2, ...)."""
    inst = allocator.load_instance(path)
    values = sorted(set(tiers(inst).values()))
    step = min(b - a for a, b in combinations(values, 2))
    assert step == pytest.approx(0.05)
    scores = [ln.impact for ln in inst.lines if ln.curve is None]
    for a, b in combinations(scores, 2):
        assert a == b or abs(a - b) >= step - 1e-9, (a, b)
    note = next(s.note for s in inst.sources if s.about == "lines.*.impact") or ""
    assert "no two lines share" not in note


def test_the_report_says_what_equal_scores_leave_open() -> None:
    """korea-2026: tiers 1.3 (2 lines), 1.25 (2), 1.2 (5), 1.1 (5), 1.0 (9), 0.9 (3), 0.8 (5) and
    0.6 (2) hold 33 of the 36 lines; 1.15, 1.05 and 0.5 hold one each. At zero slack the optimum
    leaves open exactly the 1.1 tier's lines that are not at a bound the rules hold (AX-06 is at
    its 300 maximum, which every optimum keeps)."""
    res = allocator.solve(allocator.load_instance(KOREA[0]))
    assert res.verified
    groups = tied_lines(res)
    assert sum(len(g) for g in groups) == 33
    assert len(groups) == 8
    text = table(res)
    assert "(33 of 36 lines share their impact score with another line (8 scores)" in text
    assert "--how-firm 0 lists the lines the optimum leaves open" in text
    assert "영향 점수가 같습니다" in table(res, "ko")
    firm = how_firm(res, 0.0).table
    open_lines = set(firm[firm.verdict == UNDECIDED].line)
    assert open_lines == {"INF-05", "TAL-02", "AX-03", "RND-07"}
    assert all(next(g for g in groups if line in g) == groups[3] for line in open_lines)


def test_no_tie_line_without_equal_scores() -> None:
    """The toy's three lines score 2, 1.5 and 1: nothing is said."""
    res = allocator.solve(allocator.load_instance(ROOT / "instances" / "toy.yaml"))
    assert tied_lines(res) == []
    assert "share their impact score" not in table(res)


def test_the_as_passed_header_states_what_a_kpi_weight_is_worth() -> None:
    """models/national-ai-2026.yaml: weight 2,500 over the 200,000-expert target of 2030 is
    0.0125 a head; TAL-02 and TAL-07 train 20 a bn, so 0.25 a bn."""
    model = ROOT / "models" / "national-ai-2026.yaml"
    header = " ".join(
        ln.lstrip("# ").strip()
        for ln in model.read_text(encoding="utf-8").splitlines()
        if ln.startswith("#")
    )
    inst = allocator.load_instance(KOREA[1])
    spec = allocator.load_model(model)
    target = next(t.value for t in inst.targets if t.kpi == "ai_experts" and t.year == 2030)
    weight = spec.targets.weights["ai_experts"]
    per_bn = {ln.id: ln.yields.get("ai_experts", 0.0) * weight / target for ln in inst.lines}
    assert f"{weight:,.0f} / {target:,.0f} = {weight / target:.4f}" in header
    assert f"or {per_bn['TAL-07']:.2f} per bn on a line that trains 20 people a bn" in header
    assert per_bn["TAL-02"] == pytest.approx(0.25)
    assert tiers(inst)["INF-01"] == tiers(inst)["INF-02"] == 1.0  # GPU lines: neutral base
