"""Korean sentences for the capital-budgeting, cash and cap rule families (go/no-go logic,
growth, project totals, fund caps, borrowing, profiles, resources), as `Row.text` says them in
English."""

from __future__ import annotations

from collections.abc import Callable

from allocator.explain.korean_words import (
    fund_ko,
    kpi_ko,
    line_ko,
    rule_of,
    say_money,
    span_ko,
    subject,
    topic,
    year_ko,
)
from allocator.formulation import Formulation, Row
from allocator.words import figure, name_of, percent, quantity


def _requires_any(built: Formulation, row: Row) -> str:
    line = built.lines[row.subjects["line"]]
    names = ", ".join(name_of(built.lines[o], "ko") for o in line.requires_any)
    return f"{topic(line_ko(built, row))} {names} 가운데 하나가 배정될 때만 배정"


def _implies(built: Formulation, row: Row) -> str:
    rule = rule_of(built, row)
    first, second = rule.literal(rule.if_), rule.literal(rule.then)  # type: ignore[attr-defined]
    if row.family == "implies_back":
        first, second = second, first

    def name(line: str) -> str:
        return subject(name_of(built.lines[line], "ko"))

    when = "배정되면" if first[1] else "배정되지 않으면"
    then = "배정됨" if second[1] else "배정되지 않음"
    return f"{name(first[0])} {when} {name(second[0])} {then}"


def _growth(built: Formulation, row: Row) -> str:
    rule = rule_of(built, row)
    low = row.family == "growth_min"
    rate = float(getattr(rule, "min" if low else "max", 0.0) or 0.0)
    words = "이상" if low else "이하"
    return (
        f"{row.subjects.get('group')} 그룹의 {year_ko(row)}정부 재정은 전년 대비 "
        f"{'+' if rate >= 0 else ''}{percent(rate)} {words}로 변화"
    )


def _target_max(built: Formulation, row: Row) -> str:
    name, unit = kpi_ko(built, row)
    return f"{subject(name)} {row.subjects['year']}년에 {quantity(row.rhs, unit, 'ko')} 이하로 유지"


def _line_total(built: Formulation, row: Row) -> str:
    return (
        f"{line_ko(built, row)}에 {span_ko(built)} 동안 정부·민간·펀드 자금을 합쳐 최대 "
        f"{say_money(built, row.rhs)} 배정"
    )


def _fund_line_cap(built: Formulation, row: Row) -> str:
    name, _ = fund_ko(built, row)
    return (
        f"{topic(name)} {year_ko(row)}{line_ko(built, row)}에 최대 {say_money(built, row.rhs)} 투입"
    )


def _selection(built: Formulation, row: Row) -> str:
    name, _ = fund_ko(built, row)
    return f"{topic(line_ko(built, row))} 선정될 때만 {year_ko(row)}{name} 자금을 받음"


def _borrow(built: Formulation, row: Row) -> str:
    rate = built.inst.cash.borrow_rate if built.inst.cash is not None else 0.0
    return (
        f"{year_ko(row)}차입은 최대 {say_money(built, row.rhs)}, 다음 기에 원금과 이자"
        f"(단위당 {figure(rate)})를 상환"
    )


def _profile(built: Formulation, row: Row) -> str:
    line = built.lines[row.subjects["line"]]
    amount = (line.profile or {}).get(row.subjects["year"], 0.0)
    back = f", {say_money(built, -amount)} 회수" if amount < 0 else ""
    each = say_money(built, max(amount, 0.0))
    return f"{line_ko(built, row)}에 {year_ko(row)}사업 전체 1건당 {each} 배정{back}"


def _scale(built: Formulation, row: Row) -> str:
    line = built.lines[row.subjects["line"]]
    words = "최소" if row.family == "scale_min" else "최대"
    size = f"{figure(row.rhs)}건" if line.integer else f"사업 전체의 {figure(row.rhs)}배"
    return f"{topic(line_ko(built, row))} {words} {size}까지 추진"


def _resource(built: Formulation, row: Row) -> str:
    rid = row.name.split("[", 1)[1].split(",", 1)[0]
    res = next(r for r in built.inst.resources if r.id == rid)
    return f"{year_ko(row)}{name_of(res, 'ko')} 사용량은 최대 {figure(row.rhs)} {res.unit}"


def _robust(built: Formulation, row: Row) -> str:
    return f"{line_ko(built, row)}의 성과 점수 하락에 대한 보호 (강건 최적화)"


CAPITAL_SAYINGS: dict[str, Callable[[Formulation, Row], str]] = {
    "requires_any": _requires_any,
    "implies": _implies,
    "implies_back": _implies,
    "growth_max": _growth,
    "growth_min": _growth,
    "target_max": _target_max,
    "line_total": _line_total,
    "fund_line_cap": _fund_line_cap,
    "selection": _selection,
    "borrow_max": _borrow,
    "profile": _profile,
    "scale_min": _scale,
    "scale_max": _scale,
    "resource": _resource,
    "robust": _robust,
}
