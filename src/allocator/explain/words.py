"""What a rule's right-hand side is measured in, and a natural step of it. Numbers, money and
units in words are `allocator.words`' (one module for the explanations and the reports)."""

from __future__ import annotations

from allocator.formulation import Formulation, Row
from allocator.schema.money import CURRENCY_UNITS, currency_of


def row_unit(built: Formulation, row: Row) -> str:
    """What the rule's right-hand side is measured in, as the rule declared it when it made the
    row: money, a KPI's unit, lines, whole units or points."""
    return row.unit


def step(built: Formulation, row: Row) -> float:
    """A natural step of the figure (how far a MIP re-solve search reaches at least, and the
    order in which rules are re-solved): 100 bn KRW of money, 1 line, ~1 % of a KPI."""
    unit = row_unit(built, row)
    if unit == "money" and currency_of(built.inst.currency_unit) != "KRW":
        return 1.0
    if unit == "money":
        return 100e9 / float(CURRENCY_UNITS[built.inst.currency_unit])
    if unit == "lines":
        return 1.0
    scale = max(abs(row.rhs), 1.0)
    return float(10 ** max(0, int(f"{scale:e}".split("e")[1]) - 2))
