"""Rules in Korean: each rule row said from its family, subjects and figures, as the formulation
says it in English (`Row.text`). Names come from the instance (`name_ko` where given)."""

from __future__ import annotations

from collections.abc import Callable

from allocator.explain.korean_capital import CAPITAL_SAYINGS
from allocator.explain.korean_words import (
    fund_ko,
    has_final,
    kpi_ko,
    line_ko,
    rule_of,
    say_money,
    span_ko,
    subject,
    topic,
    toward,
    year_ko,
)
from allocator.formulation import Formulation, Row
from allocator.schema.base import for_year
from allocator.words import currency, figure, name_of, percent, quantity

__all__ = ["FAMILIES_KO", "RULE_KINDS_KO", "family_ko", "has_final", "rule_text", "toward"]

RULE_KINDS_KO = {
    "pillar_share": "분야 비중",
    "new_initiative_share": "신규 사업 비중",
    "ramp": "연간 증감 한도",
    "cardinality": "선정 수 상한",
    "exclusive": "상호 배타",
    "group_total": "그룹·지역 합계",
    "relation": "관계식",
}
"""The model's rule kinds in Korean."""

FAMILIES_KO = {
    "budget": "예산",
    "private_pool": "민간 자금 한도",
    "leverage": "민간 매칭 비율",
    "line_min": "사업 최소액",
    "line_max": "사업 최대액",
    "integer_units": "단위 배정",
    "requires": "선행 사업",
    "kpi_level": "성과지표 수준",
    "target": "성과 목표",
    "pillar_share_min": "분야 최소 비중",
    "pillar_share_max": "분야 최대 비중",
    "new_initiative_share": "신규 사업 비중",
    "ramp_up": "연간 증가 한도",
    "ramp_down": "연간 감소 한도",
    "cardinality": "선정 수 상한",
    "exclusive": "상호 배타",
    "group_min": "그룹 최소액",
    "group_max": "그룹 최대액",
    "group_share_min": "그룹 최소 비중",
    "group_share_max": "그룹 최대 비중",
    "relation": "관계식",
    "fund_leverage": "펀드 레버리지",
    "fund_cap": "펀드 연간 한도",
    "fund_total_cap": "펀드 총액 상한",
    "fund_total_min": "펀드 총액 하한",
    "fund_min_leverage": "펀드 최소 레버리지",
    "carryover_max": "이월 한도",
    "schedule": "확정 일정",
    "cohort": "계속 지원",
    "max_starts": "신규 착수 상한",
    "curve": "수익 곡선",
    "curve_fill": "곡선 구간 순서",
    "curve_open": "곡선 구간 개방",
    "level_hold": "우선순위 유지",
    "near_optimal": "최적 근처",
    "frontier": "상충 경계",
    "cardinality_min": "선정 수 하한",
    "requires_any": "선행 사업 중 하나",
    "implies": "조건부 선정",
    "implies_back": "조건부 선정 (역방향)",
    "growth_max": "그룹 증가율 상한",
    "growth_min": "그룹 증가율 하한",
    "target_max": "성과 상한",
    "line_total": "사업 총액 상한",
    "fund_line_cap": "펀드 사업별 한도",
    "selection": "선정 사업만 펀드 자금",
    "borrow_max": "차입 한도",
    "profile": "사업 지출 계획",
    "scale_min": "사업 규모 하한",
    "scale_max": "사업 규모 상한",
    "resource": "자원 한도",
    "robust": "강건성 보호",
}
"""Rule families (the part of a rule's name before the bracket) in Korean."""


def family_ko(name: str) -> str:
    """A rule name's family in Korean (`budget[2026]` → 예산)."""
    family = name.split("[", 1)[0]
    return FAMILIES_KO.get(family, "규칙")


def rule_text(built: Formulation, row: Row) -> str:
    """The rule in Korean, with its figures."""
    say = _SAYINGS.get(row.family)
    return say(built, row) if say is not None else f"{family_ko(row.name)} 규칙"


def _budget(built: Formulation, row: Row) -> str:
    verb = "과 같음" if row.sense == "==" else " 이하"
    return f"{year_ko(row)}정부 재정 지출은 예산 {say_money(built, row.rhs)}{verb}"


def _pool(built: Formulation, row: Row) -> str:
    return f"{year_ko(row)}민간 자금은 펀드 조달 한도 {say_money(built, row.rhs)} 이하"


def _leverage(built: Formulation, row: Row) -> str:
    line = built.lines[row.subjects["line"]]
    return (
        f"{topic(line_ko(built, row))} {year_ko(row)}정부 재정 1원당 민간 자금을 최대 "
        f"{figure(line.leverage)}원까지 유치"
    )


def _line_min(built: Formulation, row: Row) -> str:
    money = say_money(built, built.line_min(row.subjects["line"], row.subjects["year"]))
    chosen = " (선정될 경우)" if built.lines[row.subjects["line"]].select else ""
    return f"{line_ko(built, row)}에 {year_ko(row)}최소 {money} 배정{chosen}"


def _line_max(built: Formulation, row: Row) -> str:
    lid, year = row.subjects["line"], row.subjects["year"]
    cap = built.line_max(lid, year)
    money = say_money(built, cap if cap is not None else built.inst.budget_in(year))
    chosen = ", 선정되지 않으면 배정 없음" if built.lines[lid].select else ""
    return f"{line_ko(built, row)}에 {year_ko(row)}최대 {money} 배정{chosen}"


def _units(built: Formulation, row: Row) -> str:
    cost = built.lines[row.subjects["line"]].unit_cost or 0.0
    return f"{topic(line_ko(built, row))} {year_ko(row)}{say_money(built, cost)} 단위로만 배정"


def _requires(built: Formulation, row: Row) -> str:
    return (
        f"{topic(line_ko(built, row))} {subject(line_ko(built, row, 'requires'))} 배정될 때만 배정"
    )


def _level(built: Formulation, row: Row) -> str:
    name, unit = kpi_ko(built, row)
    kpi = next(k for k in built.inst.kpis if k.id == row.subjects["kpi"])
    life = f", 추가분은 {kpi.lifetime}년간 유지" if kpi.lifetime else ""
    base = quantity(row.rhs, unit, "ko")
    return f"{year_ko(row)}{name} = 기초값 {base} + 사업 예산이 낳는 성과{life}"


def _target(built: Formulation, row: Row) -> str:
    name, unit = kpi_ko(built, row)
    soft = (
        " (연성 목표: 미달분에 벌점)"
        if row.subjects.get("kpi")
        and ((row.subjects["kpi"], row.subjects["year"]) in built.shortfall)
        else ""
    )
    return (
        f"{subject(name)} {row.subjects['year']}년까지 {quantity(row.rhs, unit, 'ko')}에 도달{soft}"
    )


def _pillar_share(built: Formulation, row: Row) -> str:
    rule = rule_of(built, row)
    low = row.family.endswith("_min")
    share = float(getattr(rule, "min" if low else "max", 0.0) or 0.0)
    pillar = next(p for p in built.inst.pillars if p.id == row.subjects["pillar"])
    year = row.subjects["year"]
    full = say_money(built, share * built.inst.budget_in(year))
    return (
        f"{name_of(pillar, 'ko')}에 {year}년 정부 재정의 {percent(share)} "
        f"{'이상' if low else '이하'} 배정 (예산 전액 기준 {full})"
    )


def _new_share(built: Formulation, row: Row) -> str:
    share = float(getattr(rule_of(built, row), "min", 0.0) or 0.0)
    year = row.subjects["year"]
    full = say_money(built, share * built.inst.budget_in(year))
    return f"{year}년 정부 재정의 {percent(share)} 이상을 신규 사업에 배정 (예산 전액 기준 {full})"


def _ramp(built: Formulation, row: Row) -> str:
    verb = "증가" if row.family == "ramp_up" else "감소"
    step = say_money(built, row.rhs)
    return f"{line_ko(built, row)}의 {year_ko(row)}예산은 전년 대비 {step} 이내로 {verb}"


def _at_most(built: Formulation, row: Row) -> str:
    rule = rule_of(built, row)
    bound = {"==": "exactly", ">=": "min"}.get(row.sense, "max")
    limit = 1 if row.family == "exclusive" else int(getattr(rule, bound, 1))
    words = {"==": "정확히", ">=": "최소"}.get(row.sense, "최대")
    return f"{row.subjects.get('group')} 그룹에서 {words} {limit}개 사업만 배정"


def _group(built: Formulation, row: Row) -> str:
    rule = rule_of(built, row)
    region = getattr(rule, "region", None)
    what = f"{row.subjects.get('group')} 그룹"
    if region is not None:
        found = next((r for r in built.inst.regions if r.id == region), None)
        what = name_of(found, "ko") if found is not None else str(region)
    year = row.subjects.get("year")
    when = f"{year}년" if year not in (None, "all") else f"{span_ko(built)} 전체"
    share = "share" in row.family
    bound = {
        "group_min": "min",
        "group_max": "max",
        "group_share_min": "min_share",
        "group_share_max": "max_share",
    }[row.family]
    value = float(getattr(rule, bound, 0.0) or 0.0)
    size = f"정부 재정의 {percent(value)}" if share else say_money(built, value)
    return f"{what}에 {when} {size} {'이상' if row.family.endswith('_min') else '이하'} 배정"


def _relation(built: Formulation, row: Row) -> str:
    rule = rule_of(built, row)
    money = (
        "정부 재정" if getattr(rule, "money", "government") == "government" else "정부+민간 자금"
    )
    unit = currency(built.inst.currency_unit, "ko")
    return f"{year_ko(row)}관계식 {getattr(rule, 'expr', '')} ({money}, 단위 {unit})"


def _fund_leverage(built: Formulation, row: Row) -> str:
    name, fund = fund_ko(built, row)
    ratio = figure(float(getattr(fund, "leverage", 0.0)))
    return (
        f"{topic(name)} {row.subjects['year']}년까지 납입된 정부 출자 1원당 민간 자금을 최대 "
        f"{ratio}원까지 조달"
    )


def _fund_cap(built: Formulation, row: Row) -> str:
    name, _ = fund_ko(built, row)
    return f"{topic(name)} {year_ko(row)}민간 자금을 최대 {say_money(built, row.rhs)} 조달"


def _fund_total(built: Formulation, row: Row) -> str:
    name, _ = fund_ko(built, row)
    words = "최대" if row.family == "fund_total_cap" else "최소"
    return f"{topic(name)} {span_ko(built)} 민간 자금을 {words} {say_money(built, row.rhs)} 조달"


def _fund_floor(built: Formulation, row: Row) -> str:
    name, fund = fund_ko(built, row)
    ratio = figure(float(getattr(fund, "min_leverage", 0.0)))
    return f"{topic(name)} 전체 기간 정부 출자 1원당 민간 자금을 최소 {ratio}원 조달"


def _carry(built: Formulation, row: Row) -> str:
    return f"{year_ko(row)}정부 재정 가운데 최대 {say_money(built, row.rhs)}를 다음 해로 이월"


def _schedule(built: Formulation, row: Row) -> str:
    line = built.lines[row.subjects["line"]]
    planned = for_year(line.schedule, row.subjects["year"], 0.0) or 0.0
    chosen = " (선정될 경우)" if line.select else ""
    return f"{line_ko(built, row)}에 {year_ko(row)}정확히 {say_money(built, planned)} 배정{chosen}"


def _cohort(built: Formulation, row: Row) -> str:
    span = built.lines[row.subjects["line"]].span
    return (
        f"{topic(line_ko(built, row))} {year_ko(row)}최근 {span}년 동안 시작한 모든 단위를 지원 "
        f"(한번 시작하면 {span}년 지속)"
    )


def _starts(built: Formulation, row: Row) -> str:
    limit = built.lines[row.subjects["line"]].max_starts
    return f"{topic(line_ko(built, row))} {span_ko(built)} 최대 {limit}개 단위를 새로 시작"


def _curve(built: Formulation, row: Row) -> str:
    points = built.lines[row.subjects["line"]].curve or [(0.0, 0.0)]
    top = say_money(built, points[-1][0])
    return f"{line_ko(built, row)}의 {year_ko(row)}예산은 수익 곡선으로 평가 (최대 {top})"


def _curve_order(built: Formulation, row: Row) -> str:
    name = topic(line_ko(built, row))
    k = row.name.rsplit(",", 1)[-1].rstrip("]")
    segment = int(k) if k.isdigit() else 1
    if row.family == "curve_fill":
        return (
            f"{name} {year_ko(row)}곡선 구간 {segment}을 다 채운 뒤에만 구간 {segment + 1}에 도달"
        )
    return f"{name} {year_ko(row)}곡선 구간 {segment + 1}에 도달한 뒤에만 그 구간에 지출"


def _hold(built: Formulation, row: Row) -> str:
    words = "이하" if row.sense == "<=" else "이상"
    return (
        f"우선순위 단계 {row.subjects.get('level')}의 값은 이후 단계를 최적화하는 동안 "
        f"{figure(row.rhs, 6)} {words}로 유지"
    )


def _near(built: Formulation, row: Row) -> str:
    return f"목적함수 값이 최적값 근처(경계 {figure(row.rhs, 6)})에 머묾"


def _frontier(built: Formulation, row: Row) -> str:
    return "상충 관계의 한 기준을 경계값에 고정"


_SAYINGS: dict[str, Callable[[Formulation, Row], str]] = {
    "budget": _budget,
    "private_pool": _pool,
    "leverage": _leverage,
    "line_min": _line_min,
    "line_max": _line_max,
    "integer_units": _units,
    "requires": _requires,
    "kpi_level": _level,
    "target": _target,
    "pillar_share_min": _pillar_share,
    "pillar_share_max": _pillar_share,
    "new_initiative_share": _new_share,
    "ramp_up": _ramp,
    "ramp_down": _ramp,
    "cardinality": _at_most,
    "exclusive": _at_most,
    "group_min": _group,
    "group_max": _group,
    "group_share_min": _group,
    "group_share_max": _group,
    "relation": _relation,
    "fund_leverage": _fund_leverage,
    "fund_cap": _fund_cap,
    "fund_total_cap": _fund_total,
    "fund_total_min": _fund_total,
    "fund_min_leverage": _fund_floor,
    "carryover_max": _carry,
    "schedule": _schedule,
    "cohort": _cohort,
    "max_starts": _starts,
    "curve": _curve,
    "curve_fill": _curve_order,
    "curve_open": _curve_order,
    "level_hold": _hold,
    "near_optimal": _near,
    "frontier": _frontier,
    **CAPITAL_SAYINGS,
}
