"""Korean grammar and the figures rule sentences are made of: particles chosen by the last
syllable, money, line, KPI and fund names in the instance's Korean words."""

from __future__ import annotations

from allocator.formulation import Formulation, Row
from allocator.words import amount, name_of


def has_final(word: str) -> bool | None:
    """Whether `word` ends in a consonant sound (받침), for choosing 은/는 and 이/가; None when
    it cannot be told (a Latin letter)."""
    text = word.rstrip(" )]'\"")
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        return (ord(last) - ord("가")) % 28 != 0
    if last.isdigit():
        return last in "0136780"
    if last == "%":
        return False  # 퍼센트
    return None


def topic(word: str) -> str:
    """`word` with the topic particle: 예산은, 사업는 → 사업은; Latin names get 은(는)."""
    final = has_final(word)
    return f"{word}{'은(는)' if final is None else '은' if final else '는'}"


def subject(word: str) -> str:
    """`word` with the subject particle: 목표가, 예산이; Latin names get 이(가)."""
    final = has_final(word)
    return f"{word}{'이(가)' if final is None else '이' if final else '가'}"


def toward(word: str) -> str:
    """`word` with the particle of direction: 70점으로, 72억원으로, 2026년으로; 로 after a vowel
    or ㄹ."""
    text = word.rstrip(" )]'\"")
    last = text[-1] if text else ""
    if "가" <= last <= "힣":
        final = (ord(last) - ord("가")) % 28
        return f"{word}{'으로' if final not in (0, 8) else '로'}"
    return f"{word}{'(으)로' if has_final(word) is None else '으로' if has_final(word) else '로'}"


def say_money(built: Formulation, value: float) -> str:
    return amount(value, built.inst.currency_unit, "ko")


def line_ko(built: Formulation, row: Row, key: str = "line") -> str:
    line = built.lines.get(str(row.subjects.get(key)))
    return name_of(line, "ko") if line is not None else str(row.subjects.get(key))


def year_ko(row: Row) -> str:
    year = row.subjects.get("year")
    return f"{year}년 " if year not in (None, "all") else ""


def span_ko(built: Formulation) -> str:
    years = built.inst.years
    return f"{years[0]}–{years[-1]}년"


def rule_of(built: Formulation, row: Row) -> object:
    return built.spec.rules[row.rule] if row.rule is not None else None


def kpi_ko(built: Formulation, row: Row) -> tuple[str, str]:
    kpi = next(k for k in built.inst.kpis if k.id == row.subjects["kpi"])
    return name_of(kpi, "ko"), kpi.unit


def fund_ko(built: Formulation, row: Row) -> tuple[str, object]:
    fund = next(f for f in built.inst.funds if f.id == row.subjects["fund"])
    return name_of(fund, "ko"), fund
