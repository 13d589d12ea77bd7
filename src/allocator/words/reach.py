"""Whether a target could be reached, and where a year's money went, in words (English or
Korean): the verdicts of `Result.reach()` and the carry-over lines of the year tables."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from allocator.words.language import Lang, pick
from allocator.words.money import money
from allocator.words.numbers import figure
from allocator.words.units import objective_amount, quantity

MET = "met"
"""An at-least target the plan meets (nothing re-solved)."""
OUT_OF_REACH = "out_of_reach"
"""No plan under the hard rules reaches the target: the bound is below it."""
BY_CHOICE = "by_choice"
"""A plan reaches it; the objective gives up more elsewhere than the shortfall costs."""
TIE = "tie"
"""A plan reaches it at the same objective: the optimum missed it only by a tie."""
PREFERS = "prefers_other_uses"
"""A plan reaches it; what meeting it would cost was not computed (priority levels)."""
UNDECIDED = "undecided"
"""The time limit came before the bound or a plan settled it."""
WITHIN = "within"
"""An at-most target the plan stays below."""
AT_CAP = "at_cap"
"""An at-most target the plan sits at; `reachable` is the lowest level the rules allow."""

VERDICTS = (MET, OUT_OF_REACH, BY_CHOICE, TIE, PREFERS, UNDECIDED, WITHIN, AT_CAP)


def _known(value: Any) -> bool:
    return isinstance(value, int | float) and not math.isnan(value)


def reach_sentence(
    row: Mapping[str, Any], objective: str, currency_unit: str, lang: Lang = "en"
) -> str:
    """The verdict of one row of `Result.reach()` in words: out of reach with the most the rules
    allow, reachable and missed by choice with what meeting it would give up, and so on."""
    verdict, unit = row["verdict"], str(row["unit"])

    def q(value: float) -> str:
        return quantity(value, unit, lang)

    def points(value: float) -> str:
        return objective_amount(value, objective, currency_unit, lang)

    reached, bound = row["reachable"], row["bound"]
    exact = bool(row["proven"])
    if verdict == MET:
        return pick(lang, "met", "달성")
    if verdict == WITHIN:
        return pick(lang, "within the cap", "상한 이내")
    if verdict == OUT_OF_REACH:
        most = q(reached if exact else bound)
        found = (
            ""
            if exact or not _known(reached)
            else pick(lang, f" (a plan found reaches {q(reached)})", f" (찾은 계획 {q(reached)})")
        )
        text = (
            pick(
                lang,
                f"out of reach under the rules: at most {most} reachable",
                f"규칙상 도달 불가: 최대 {most}까지 가능",
            )
            + found
        )
    elif verdict in (BY_CHOICE, TIE, PREFERS):
        upto = pick(lang, f"up to {q(reached)}", f"최대 {q(reached)}")
        if not exact:
            upto = pick(lang, f"at least {q(reached)}", f"최소 {q(reached)}")
        head = pick(lang, f"reachable ({upto})", f"도달 가능({upto})")
        if verdict == BY_CHOICE:
            gross, cost = row["penalty"] + row["cost"], row["penalty"]
            weight = figure(row["weight"])
            text = head + pick(
                lang,
                f": missed by choice — meeting it would give up {points(gross)} elsewhere "
                f"against the {points(cost)} its shortfall costs (weight {weight})",
                f": 선택에 의한 미달 — 달성하려면 다른 곳에서 {points(gross)}을 포기해야 하며, "
                f"미달의 비용은 {points(cost)}(가중치 {weight})",
            )
        elif verdict == TIE:
            text = head + pick(
                lang,
                ": missed only by a tie — another plan meets it at the same objective",
                ": 동점에 의한 미달 — 같은 목적함수 값으로 달성하는 계획도 있음",
            )
        else:
            text = head + pick(
                lang, "; the objective prefers other uses", ": 목적함수가 다른 용도를 우선함"
            )
    elif verdict == AT_CAP:
        text = pick(
            lang,
            f"at the cap; the rules allow as low as {q(reached)}",
            f"상한에 도달; 규칙상 최저 {q(reached)}까지 가능",
        )
        if not exact:
            text = pick(
                lang,
                f"at the cap; a plan under the rules goes as low as {q(reached)}",
                f"상한에 도달; 규칙을 지키는 계획으로 {q(reached)}까지 낮출 수 있음",
            )
    else:
        parts = []
        if _known(reached):
            parts.append(pick(lang, f"a plan reaches {q(reached)}", f"찾은 계획 {q(reached)}"))
        if _known(bound) and math.isfinite(bound):
            parts.append(pick(lang, f"none goes past {q(bound)}", f"한계 {q(bound)}"))
        text = pick(lang, "not settled within the time limit", "시간 한도 내 판정 불가")
        if parts:
            text += ": " + ", ".join(parts)
    if row.get("checked") is False:
        text += pick(lang, " (not verified)", " (검증 안 됨)")
    return text


def cash_sentence(
    row: Mapping[str, Any], next_year: int | None, currency_unit: str, lang: Lang = "en"
) -> str:
    """Where a year's government money came from and went when it is not simply the budget
    spent: "budget 9.93 trillion won, spent 9.83 trillion won; carried into 2027: 99.3 billion
    won". `row` is a row of `Result.cash()` (with `unused`); empty when spending equals the
    budget and nothing came in or went out."""

    def m(value: float) -> str:
        return money(value, currency_unit, lang)

    year = row["year"]
    parts: list[tuple[str, float]] = [
        (pick(lang, "budget", "예산"), row["budget"]),
        (pick(lang, "spent", "집행"), row["spent"]),
    ]
    moves = [
        (pick(lang, "money back from projects", "사업 회수금"), row["inflows"]),
        (pick(lang, f"carried in from {year - 1}", f"{year - 1}년에서 이월"), row["carried_in"]),
        (pick(lang, "borrowed", "차입"), row["borrowed"]),
        (pick(lang, f"repaid for {year - 1}", f"{year - 1}년 차입 상환"), row["repaid"]),
        (
            pick(lang, f"carried into {next_year}", f"{next_year}년으로 이월")
            if next_year is not None
            else pick(lang, "left at the end (final cash)", "마지막 해 잔액"),
            row["carried_out"],
        ),
        (pick(lang, "left unspent", "미집행"), row.get("unused", 0.0)),
    ]
    scale = max(1.0, abs(row["budget"]))
    moved = [(words, v) for words, v in moves if abs(v) > 1e-6 * scale]
    if not moved and abs(row["spent"] - row["budget"]) <= 1e-6 * scale:
        return ""
    head = ", ".join(f"{words} {m(v)}" for words, v in parts)
    return head + "".join(f"; {words}: {m(v)}" for words, v in moved)
