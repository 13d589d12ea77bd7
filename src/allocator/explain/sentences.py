"""The explanations' sentences, in English or Korean: what one more unit of a rule's figure does
to the objective, the range over which that holds (with its unit), what the MIP re-solves found,
and what a policy costs. Numbers and units come from `allocator.words`."""

from __future__ import annotations

import math

from allocator.explain.korean import rule_text, toward
from allocator.explain.mip import Study
from allocator.explain.words import row_unit
from allocator.formulation import Formulation, Row
from allocator.solver.parametric import Side
from allocator.words import (
    Lang,
    amount,
    figure,
    is_zero,
    objective_amount,
    one_unit,
    percent,
    quantity,
    row_unit_words,
    signed,
)
from allocator.words.units import ROW_UNITS

OBJECTIVE_NOUN_KO = {
    "max_impact": "영향 점수",
    "min_cost": "비용",
    "goal": "가중 미달 점수",
    "lexicographic": "목적함수 값",
}


def describe(built: Formulation, row: Row, lang: Lang = "en") -> str:
    """The rule in words: the formulation's English text, or its Korean rendering."""
    return rule_text(built, row) if lang == "ko" else row.text


def value_words(
    built: Formulation,
    row: Row,
    value: float,
    lang: Lang = "en",
    change: bool = False,
    unit: str | None = None,
) -> str:
    """A figure of the row's unit (or `unit`) with that unit: money, a KPI quantity, lines,
    a ratio, points."""
    unit = unit or row_unit(built, row)
    if unit == "money":
        return amount(value, built.inst.currency_unit, lang)
    if unit in ROW_UNITS:
        word = row_unit_words(unit, built.inst.currency_unit, lang)
        tight = lang == "ko" and unit in ("lines", "ratio", "years")
        return f"{figure(value)}{word}" if tight else f"{figure(value)} {word}"
    return quantity(value, unit, lang, change)


def one_more(built: Formulation, row: Row, lang: Lang = "en", unit: str | None = None) -> str:
    """One unit of the row's figure, as a step: "one more bn KRW", "one more GPU"; 10억원, 1대."""
    unit = unit or row_unit(built, row)
    if unit == "money":
        if lang == "ko":
            return one_unit(built.inst.currency_unit, lang)
        return f"one more {row_unit_words(unit, built.inst.currency_unit)}"
    if lang == "ko":
        return value_words(built, row, 1.0, "ko", change=True, unit=unit)
    word = row_unit_words(unit, built.inst.currency_unit, "en", change=True)
    singular = {"lines": "line", "years": "year", "units": "unit"}.get(unit, word)
    return f"one more {singular}"


def is_figure(row: Row) -> bool:
    """Whether the row's right-hand side is the figure itself (a budget, a cap) rather than room
    in a rule written with zero on the right (a share, a leverage ratio)."""
    return row.figure is not None and abs(row.rhs) > 0


def effect(built: Formulation, delta: float, lang: Lang = "en", scale: float = 1.0) -> str:
    """What a change of the objective means, with its direction in words: "adds 1.127 impact
    points", "costs 0.09 impact points", "raises the cost by 0.5 bn KRW"; 영향 점수가 1.127점
    늘어남."""
    kind = built.spec.objective
    size = objective_amount(abs(delta), kind, built.inst.currency_unit, lang, scale)
    if is_zero(delta, scale):
        return "leaves the objective as it is" if lang == "en" else "목적함수 값은 그대로임"
    up = delta > 0
    if lang == "ko":
        noun = OBJECTIVE_NOUN_KO.get(kind, "목적함수 값")
        return f"{noun}{'이' if noun == '비용' else '가'} {size} {'늘어남' if up else '줄어듦'}"
    if kind == "min_cost":
        return f"{'raises' if up else 'lowers'} the cost by {size}"
    if kind == "goal":
        return f"{'raises' if up else 'lowers'} the weighted shortfall by {size}"
    if built.sense == "min":
        return f"{'raises' if up else 'lowers'} the objective by {size}"
    return f"adds {size}" if up else f"costs {size}"


def _step_words(
    built: Formulation, row: Row, lang: Lang, figure_moved: bool, unit: str | None = None
) -> tuple[str, int]:
    """The step a price is quoted for, and its direction on the right-hand side (+1: the figure
    goes up; −1: the rule is given room, which lowers a floor's right-hand side)."""
    if figure_moved or is_figure(row):
        step = one_more(built, row, lang, unit)
        return (f"{step} of this figure" if lang == "en" else f"이 수치가 {step} 늘면"), 1
    step = one_more(built, row, lang).removeprefix("one more ")
    room = -1 if row.sense == ">=" else 1
    if lang == "ko":
        return f"이 규칙의 여유가 {step} 늘면", room
    return f"each {step} of room given to this rule", room


def price_sentence(
    built: Formulation,
    row: Row,
    dual: float,
    low: float,
    high: float,
    held: bool,
    lang: Lang = "en",
    scale: float = 1.0,
) -> str:
    """A dual price in words: what one more unit of the figure does to the objective, and the
    figures (with their unit) over which that holds. `held`: the price is the fixed-choice LP's
    of a MIP, so it holds with the chosen projects held."""
    step, direction = _step_words(built, row, lang, False)
    text = f"{row.name} ({describe(built, row, lang)}): "
    change = effect(built, dual * direction, lang, scale)
    text += f"{step} {change}"
    text += _range(built, row, low, high, lang)
    if held:
        text += (
            " (with the chosen projects held)" if lang == "en" else " (선택된 사업을 고정한 경우)"
        )
    return text


def _range(built: Formulation, row: Row, low: float, high: float, lang: Lang) -> str:
    if not (math.isfinite(low) or math.isfinite(high)) or (math.isnan(low) and math.isnan(high)):
        return ""
    if is_figure(row):
        lo = value_words(built, row, low, lang) if _finite(low) else None
        hi = value_words(built, row, high, lang) if _finite(high) else None
        if lang == "ko":
            if lo and hi:
                return f" (수치가 {lo}에서 {hi} 사이일 때 성립)"
            return f" (수치가 {lo} 이상일 때 성립)" if lo else f" (수치가 {hi} 이하일 때 성립)"
        if lo and hi:
            return f", for any figure from {lo} to {hi}"
        return f", for any figure above {lo}" if lo else f", for any figure below {hi}"
    limit = low if row.sense == ">=" else high
    if not _finite(limit):
        return ""
    room = value_words(built, row, abs(limit - row.rhs), lang)
    return f", for up to {room} of room" if lang == "en" else f" (여유 {room}까지 성립)"


def _finite(value: float) -> bool:
    return math.isfinite(value) and abs(value) < 1e20


def mip_sentence(built: Formulation, row: Row, study: Study, lang: Lang = "en") -> str:
    """What re-solving the MIP with the figure moved found: the optimum's slope (or that it
    stays put), the figures from and to which that holds, what happens past each end, and the
    tolerance the ends were located to."""
    steps = study.steps
    moved = study.figure is not None
    unit = study.unit
    scale = max(1.0, abs(steps.objective))
    head = f"{row.name} ({describe(built, row, lang)}): "
    slopes = {s.slope for s in (steps.up, steps.down) if s.slope is not None}
    flat = all(is_zero(s * max(1.0, abs(steps.value)), scale) for s in slopes)
    objective = objective_amount(
        steps.objective, built.spec.objective, built.inst.currency_unit, lang, sig=6
    )
    if moved or is_figure(row):
        lo, hi = (value_words(built, row, s.end, lang, unit=unit) for s in (steps.down, steps.up))
        span = f"for any figure from {lo} to {hi}" if lang == "en" else f"수치가 {lo}~{hi}인 동안"
    else:
        sign = -1 if row.sense == ">=" else 1
        low, high = sorted(sign * (s.end - steps.value) for s in (steps.down, steps.up))
        lo, hi = (_signed_room(built, row, x, lang) for x in (low, high))
        span = (
            f"for any change of this rule's limit from {lo} to {hi}"
            if lang == "en"
            else f"이 규칙의 한도를 {lo}에서 {hi}까지 바꾸는 동안"
        )
    step, _ = _step_words(built, row, lang, moved, unit)
    slope = steps.up.slope if steps.up.slope is not None else steps.down.slope or 0.0
    if lang == "ko":
        if flat:
            main = f"MIP를 다시 풀면, {span} 최적값은 {toward(objective)} 유지됨"
        else:
            step = step.replace("늘면", "늘 때마다")
            main = f"MIP를 다시 풀면, {span} {step} {effect(built, slope, lang, scale)}"
    elif flat:
        main = f"re-solving the MIP, the optimum stays {objective} {span}"
    else:
        main = f"re-solving the MIP, {step} {effect(built, slope, lang, scale)} {span}"
    ends = _ends(built, row, study, lang)
    tol = value_words(built, row, steps.tolerance, lang, unit=unit)
    searched = ""
    if "limit" in (steps.up.reason, steps.down.reason):
        low_text, high_text = (value_words(built, row, x, lang, unit=unit) for x in study.limits)
        searched = (
            f"; searched from {low_text} to {high_text}"
            if lang == "en"
            else f"; 탐색 범위 {low_text}~{high_text}"
        )
    tail = (
        f" (ends located to within {tol}{searched})"
        if lang == "en"
        else f" (경계는 {tol} 이내로 찾음{searched})"
    )
    return head + main + "".join(f"; {e}" for e in ends) + tail


def _signed_room(built: Formulation, row: Row, x: float, lang: Lang) -> str:
    if row_unit(built, row) == "money":
        text = amount(abs(x), built.inst.currency_unit, lang)
        return text if is_zero(x) else ("+" if x > 0 else "−") + text
    return signed(x)


def _ends(built: Formulation, row: Row, study: Study, lang: Lang) -> list[str]:
    steps = study.steps
    kinks = [s for s in (steps.down, steps.up) if s.reason == "kink"]
    out = []
    if kinks:
        both = len(kinks) == 2
        if lang == "ko":
            where = (
                "그 범위 밖에서는"
                if both
                else "그보다 아래에서는"
                if kinks[0] is steps.down
                else "그보다 위에서는"
            )
            out.append(f"{where} 다른 규칙이 구속해 값이 달라짐 (선택된 사업은 그대로 최선)")
        else:
            where = (
                "outside that range"
                if both
                else "below it"
                if kinks[0] is steps.down
                else "above it"
            )
            out.append(
                f"{where} another rule binds and the value changes (the chosen projects stay best)"
            )
    for side, sign in ((steps.down, -1), (steps.up, 1)):
        if side.reason in ("change", "jump", "infeasible"):
            out.append(_past(built, row, study, side, sign, lang))
    return out


def _past(built: Formulation, row: Row, study: Study, side: Side, sign: int, lang: Lang) -> str:
    steps = study.steps
    end = value_words(built, row, side.end, lang, unit=study.unit)
    if side.reason == "infeasible" or side.beyond is None:
        if lang == "ko":
            return f"{end} {'아래' if sign < 0 else '위'}에서는 모든 규칙을 지키는 배분이 없음"
        return f"{'below' if sign < 0 else 'above'} {end} no plan satisfies every rule"
    slope = side.slope or 0.0
    at_end = steps.objective + slope * (side.end - steps.value)
    rises = side.beyond > at_end
    shown = objective_amount(
        side.beyond, built.spec.objective, built.inst.currency_unit, lang, sig=6
    )
    if lang == "ko":
        where = f"{end} {'바로 아래' if sign < 0 else '바로 위'}에서는 다른 사업 선택이 최선이 되어"
        return f"{where} 최적값이 {toward(shown)} {'오름' if rises else '내려감'}"
    where = f"just {'below' if sign < 0 else 'above'} {end} another choice of projects is best and"
    return f"{where} the optimum {'rises' if rises else 'falls'} to {shown}"


def cost_sentence(
    built: Formulation, label: str, cost: float, share: float, lang: Lang = "en", scale: float = 1
) -> str:
    """What a policy costs: the objective lost to it (an exact re-solve without it)."""
    size = objective_amount(
        max(cost, 0.0) if is_zero(cost, scale) else cost,
        built.spec.objective,
        built.inst.currency_unit,
        lang,
        scale,
    )
    if lang == "ko":
        pct = f" (이 규칙이 없을 때 목적함수의 {percent(share)})" if math.isfinite(share) else ""
        return f"{label}의 비용은 {size}{pct}"
    pct = f" ({percent(share)} of the objective without it)" if math.isfinite(share) else ""
    return f"{label} costs {size}{pct}"


def without_sentence(label: str, status: str, lang: Lang = "en") -> str:
    """A policy without which the problem has no optimum."""
    if lang == "ko":
        return f"{label}: 이 규칙이 없으면 문제가 {status} 상태가 됨"
    return f"{label}: without it the problem is {status}"
