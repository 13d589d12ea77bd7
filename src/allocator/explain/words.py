"""Units and phrases shared by the explanations: what a rule's right-hand side is measured in,
and what the objective counts."""

from __future__ import annotations

from allocator.formulation import Formulation, Row
from allocator.schema.money import CURRENCY_UNITS, currency_of, format_money

OBJECTIVE_UNITS = {
    "max_impact": "impact points",
    "min_cost": "of government money",
    "goal": "weighted-shortfall points",
    "lexicographic": "points of the last priority level",
    "max_final_cash": "of final cash",
}


def objective_amount(built: Formulation, amount: float) -> str:
    """An objective change in the objective's own units."""
    if built.spec.objective_unit:
        return f"{amount:,.4g} {built.spec.objective_unit}"
    if built.spec.objective in ("min_cost", "max_final_cash"):
        return format_money(amount, built.inst.currency_unit)
    return f"{amount:,.4g} {OBJECTIVE_UNITS[built.spec.objective]}"


def row_unit(built: Formulation, row: Row) -> str:
    """What the rule's right-hand side is measured in, as the rule declared it when it made the
    row: money, a KPI's unit, lines, whole units or points."""
    return row.unit


def amount(built: Formulation, row: Row, value: float) -> str:
    """`value` in the row's unit, written for people."""
    unit = row_unit(built, row)
    value = 0.0 if abs(value) < 1e-9 else value
    if unit == "money":
        return format_money(value, built.inst.currency_unit)
    return f"{value:,.6g} {unit}"


def step(built: Formulation, row: Row) -> float:
    """A natural relaxation step for sentences: 100 bn KRW of money, 1 line, ~1 % of a KPI."""
    unit = row_unit(built, row)
    if unit == "money" and currency_of(built.inst.currency_unit) != "KRW":
        return 1.0
    if unit == "money":
        return 100e9 / float(CURRENCY_UNITS[built.inst.currency_unit])
    if unit == "lines":
        return 1.0
    scale = max(abs(row.rhs), 1.0)
    return float(10 ** max(0, int(f"{scale:e}".split("e")[1]) - 2))
