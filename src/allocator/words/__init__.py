"""Words: numbers, units and sentences in English or Korean, shared by the explanations and the
reports. Below the explain layer; imports only the schema and `solver.status`, never Pyomo,
HiGHS or SciPy.

- `numbers`: at least three significant digits, near-zero as 0, percentages.
- `money`: report amounts (trillion/billion won, 조/억), sentence amounts in the currency unit.
- `units`: KPI units for levels and changes (%, pp/%p; 명, 대), rule and objective units.
- `language`, `status`: the reader's language, names in it, statuses and rule states.
- `objective`: what one point of the objective is and how many figures behind it are assumed.
"""

from allocator.words.language import LANGS, Lang, Named, check_lang, name_of, pick
from allocator.words.money import amount, currency, money, money_tick, one_unit, won
from allocator.words.numbers import figure, is_zero, number, percent, signed
from allocator.words.objective import assumed_note, objective_words, point, weighing
from allocator.words.status import STATE_KO, STATUS_KO, state_text, status_text, status_word
from allocator.words.units import (
    is_percent,
    kpi_unit,
    objective_amount,
    objective_unit,
    quantity,
    row_unit_words,
)

__all__ = [
    "LANGS",
    "STATE_KO",
    "STATUS_KO",
    "Lang",
    "Named",
    "amount",
    "assumed_note",
    "check_lang",
    "currency",
    "figure",
    "is_percent",
    "is_zero",
    "kpi_unit",
    "money",
    "money_tick",
    "name_of",
    "number",
    "objective_amount",
    "objective_unit",
    "objective_words",
    "one_unit",
    "percent",
    "pick",
    "point",
    "quantity",
    "row_unit_words",
    "signed",
    "state_text",
    "status_text",
    "status_word",
    "weighing",
    "won",
]
