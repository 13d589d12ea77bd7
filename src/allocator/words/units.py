"""Units in words: a KPI's unit for a level and for a change (an adoption rate is at 84 %; it
rises by 5 pp), the units of a rule's right-hand side, and what the objective counts."""

from __future__ import annotations

from allocator.words.language import Lang
from allocator.words.money import amount, currency
from allocator.words.numbers import figure, is_zero

PERCENT_UNITS = {"%", "pp", "%p", "percent", "percentage points", "percentage point"}
"""KPI units that mean a percentage: levels are written in %, changes in pp (%p in Korean)."""

KPI_KO = {
    "gpu": "대",
    "gpus": "대",
    "npu": "대",
    "person": "명",
    "persons": "명",
    "people": "명",
    "expert": "명",
    "experts": "명",
    "team": "팀",
    "teams": "팀",
    "site": "곳",
    "sites": "곳",
    "hub": "곳",
    "hubs": "곳",
    "company": "개사",
    "companies": "개사",
    "firm": "개사",
    "firms": "개사",
    "unit": "개",
    "units": "개",
    "project": "건",
    "projects": "건",
    "product": "개",
    "products": "개",
}
"""Korean counters for the KPI units instances use; other units are shown as given."""

ROW_UNITS: dict[str, dict[Lang, str]] = {
    "lines": {"en": "lines", "ko": "개 사업"},
    "level points": {"en": "level points", "ko": "단계 점수"},
    "share": {"en": "share", "ko": "비율"},
    "units": {"en": "units", "ko": "단위"},
    "ratio": {"en": "won per won", "ko": "원(정부 1원당)"},
    "years": {"en": "years", "ko": "년"},
}

OBJECTIVE_UNITS: dict[str, dict[Lang, str]] = {
    "max_impact": {"en": "impact points", "ko": "영향 점수"},
    "goal": {"en": "weighted-shortfall points", "ko": "가중 미달 점수"},
    "lexicographic": {"en": "points of the last priority level", "ko": "마지막 우선순위 단계 점수"},
}
"""What one point of each objective is called (min_cost counts money)."""


def is_percent(unit: str) -> bool:
    """Whether a KPI unit is a percentage (a rate such as AI adoption)."""
    return unit.strip().lower() in PERCENT_UNITS


def kpi_unit(unit: str, lang: Lang = "en", change: bool = False) -> str:
    """A KPI's unit for a level (`change=False`: %, 명, 대) or for a change in it (pp, %p)."""
    if is_percent(unit):
        if change:
            return "%p" if lang == "ko" else "pp"
        return "%"
    if lang == "ko":
        return KPI_KO.get(unit.strip().lower(), unit)
    return unit


def quantity(value: float, unit: str, lang: Lang = "en", change: bool = False, sig: int = 4) -> str:
    """A KPI figure with its unit: "30,286 GPU", "84%", "+5 pp"; "30,286대", "84%", "5%p"."""
    word = kpi_unit(unit, lang, change)
    text = figure(value, sig)
    if lang == "en" and word.lower() == "person" and text != "1":
        word = "people"
    if not word:
        return text
    if word in ("%", "%p") or (lang == "ko" and word in KPI_KO.values()):
        return f"{text}{word}"
    return f"{text} {word}"


def row_unit_words(unit: str, currency_unit: str, lang: Lang = "en", change: bool = False) -> str:
    """The unit of a rule's right-hand side as the audit names it ("money", a KPI's unit,
    "lines", ...), in words: `bn KRW`, `십억원`, `GPU`, `대`, `개 사업`."""
    if unit == "money":
        return currency(currency_unit, lang)
    if unit in ROW_UNITS:
        return ROW_UNITS[unit][lang]
    return kpi_unit(unit, lang, change)


def objective_unit(kind: str, currency_unit: str = "bn_krw", lang: Lang = "en") -> str:
    """What the objective counts: impact points, weighted-shortfall points, or money."""
    if kind in ("min_cost", "max_final_cash"):
        return currency(currency_unit, lang)
    return OBJECTIVE_UNITS.get(kind, OBJECTIVE_UNITS["max_impact"])[lang]


def objective_amount(
    value: float,
    kind: str,
    currency_unit: str = "bn_krw",
    lang: Lang = "en",
    scale: float = 1.0,
    sig: int = 4,
) -> str:
    """An objective value or change with its unit and at least three significant digits:
    "1.127 impact points", "0 impact points" (for solver noise next to `scale`), "1.13억원"."""
    if kind in ("min_cost", "max_final_cash"):
        return amount(0.0 if is_zero(value, scale) else value, currency_unit, lang, sig)
    text = figure(value, sig, scale)
    if lang == "ko":
        return f"{text}점"
    unit = objective_unit(kind, currency_unit, lang)
    return f"{text} {unit.replace('points', 'point', 1) if text == '1' else unit}"
