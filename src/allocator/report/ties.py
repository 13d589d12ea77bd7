"""Equal impact scores, said once under the objective: lines that share a score with another line
(and yield the same for the KPIs) can trade money at no cost to the objective wherever the rules
leave them room, so the optimum shown is one of several; `--how-firm 0` finds which lines are."""

from __future__ import annotations

from collections import Counter

from allocator.report.labels import Lang
from allocator.results.result import Result
from allocator.solver.status import Status
from allocator.words.objective import counts_impact


def tied_lines(res: Result) -> list[list[str]]:
    """Groups of two or more lines with the same nonzero impact score (lines with a curve left
    out), highest score first; empty when the objective does not count impact scores."""
    inst = res.instance
    if not counts_impact(res.model):
        return []
    scored = [(ln.impact, ln.id) for ln in inst.lines if ln.impact and ln.curve is None]
    counts = Counter(score for score, _ in scored)
    groups: dict[float, list[str]] = {}
    for score, line in scored:
        if counts[score] > 1:
            groups.setdefault(score, []).append(line)
    return [groups[score] for score in sorted(groups, reverse=True)]


def ties_line(res: Result, lang: Lang = "en") -> list[str]:
    """One indented line under an optimum's objective when lines share an impact score, else
    nothing (a scored plan is not an optimum: nothing is left open)."""
    groups = tied_lines(res) if res.status != Status.scored else []
    if not groups:
        return []
    tied, total = sum(len(g) for g in groups), len(res.instance.lines)
    if lang == "ko":
        return [
            f"  (사업 {total}개 가운데 {tied}개가 다른 사업과 영향 점수가 같습니다(점수 "
            f"{len(groups)}개): 규칙이 여지를 두고 성과지표 기여로도 갈리지 않는 곳에서는 그 "
            "사이의 배분을 값이 정하지 않습니다. 정해지지 않은 사업은 --how-firm 0 이 보여 줍니다)"
        ]
    return [
        f"  ({tied} of {total} lines share their impact score with another line ({len(groups)} "
        "scores): where the rules leave room and their KPI yields do not tell them apart, the "
        "split between them is not decided by the values; --how-firm 0 lists the lines the "
        "optimum leaves open)"
    ]
