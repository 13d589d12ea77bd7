"""The Pyomo model of an instance under a policy regime, with names that read like the policy.

`build` creates the variables, then runs every core rule and every rule the model declares, each
a small function found by name in the registry (`allocator.build.registry`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import pyomo.environ as pyo
from pyomo.core.expr.numeric_expr import LinearExpression

from allocator.schema import Instance, Line, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.money import format_money

Sense = Literal["<=", ">=", "=="]
Terms = list[tuple[float, Any]]
"""A linear expression as (coefficient, Pyomo variable) pairs."""


@dataclass(frozen=True)
class Row:
    """What one constraint stands for: its rule family, the model rule behind it, its subjects."""

    name: str
    family: str
    sense: Sense
    rhs: float
    rule: int | None = None
    """Index of the model rule that declared it (None for the instance's core rules)."""
    figure: str | None = None
    """Path of the instance figure it enforces (`budget.2026`, `lines.INF-01.min`), if any."""
    text: str = ""
    """The rule in the instance's words, with its figures."""
    subjects: dict[str, Any] = field(default_factory=dict)
    """The instance's words: line, pillar, year, kpi, group."""


@dataclass(frozen=True)
class Constant:
    """A rule instance with no decision in it (all lines fixed), and whether it holds."""

    name: str
    holds: bool
    detail: str
    text: str = ""


@dataclass
class Built:
    """A built model: the Pyomo model plus the maps from the instance's words to its variables."""

    inst: Instance
    spec: ModelSpec
    model: pyo.ConcreteModel
    sense: Literal["max", "min"] = "max"
    gov: dict[tuple[str, int], Any] = field(default_factory=dict)
    private: dict[tuple[str, int], Any] = field(default_factory=dict)
    units: dict[tuple[str, int], Any] = field(default_factory=dict)
    selected: dict[str, Any] = field(default_factory=dict)
    level: dict[tuple[str, int], Any] = field(default_factory=dict)
    shortfall: dict[tuple[str, int], Any] = field(default_factory=dict)
    rows: dict[str, Row] = field(default_factory=dict)
    constants: list[Constant] = field(default_factory=list)
    vacuous: list[int] = field(default_factory=list)
    """Model rules (by index) that produced no constraint (a ramp on a one-year instance, say)."""
    lines: dict[str, Line] = field(default_factory=dict)
    _rule: int | None = None

    def __post_init__(self) -> None:
        self.lines = {line.id: line for line in self.inst.lines}

    # -- helpers the rules use ------------------------------------------------------------
    def money(self, amount: float) -> str:
        """An amount in the instance's currency unit, for rule texts."""
        return format_money(amount, self.inst.currency_unit)

    def pillar_name(self, pillar_id: str) -> str:
        """The pillar's name as the instance writes it."""
        return next((p.name for p in self.inst.pillars if p.id == pillar_id), pillar_id)

    def line_max(self, line_id: str, year: int) -> float | None:
        """The line's government-money cap in `year` (None: no cap beyond the budget)."""
        return for_year(self.lines[line_id].max, year, None)

    def line_min(self, line_id: str, year: int) -> float:
        """The line's government-money floor in `year`."""
        value = for_year(self.lines[line_id].min, year, 0.0)
        return value or 0.0

    def select_terms(self, line_id: str, coef: float = 1.0) -> tuple[Terms, float]:
        """`coef·s[line]` as terms, or as a constant when the line is not a go/no-go decision."""
        var = self.selected.get(line_id)
        return ([(coef, var)], 0.0) if var is not None else ([], coef)

    def total_gov(self, year: int, coef: float = 1.0, lines: Iterable[str] | None = None) -> Terms:
        """`coef · Σ g[l, year]` over `lines` (default: every line)."""
        ids = [line.id for line in self.inst.lines] if lines is None else list(lines)
        return [(coef, self.gov[lid, year]) for lid in ids]

    def add(
        self,
        family: str,
        index: tuple[Any, ...],
        terms: Terms,
        sense: Sense,
        rhs: float,
        constant: float = 0.0,
        figure: str | None = None,
        text: str = "",
        **subjects: Any,
    ) -> None:
        """Add `Σ terms + constant (sense) rhs` as `family[index]`, recording what it stands for."""
        component = getattr(self.model, family, None)
        if component is None:
            component = pyo.Constraint(pyo.Any)
            setattr(self.model, family, component)
        key = index[0] if len(index) == 1 else index
        name = f"{family}[{','.join(str(i) for i in index)}]"
        terms = [(c, v) for c, v in terms if c != 0]
        bound = rhs - constant
        if not terms:
            ok = {"<=": bound + 1e-9 >= 0, ">=": bound - 1e-9 <= 0, "==": abs(bound) <= 1e-9}
            detail = f"{constant:g} {sense} {rhs:g}"
            self.constants.append(Constant(name, ok[sense], detail, text))
            return
        expr = LinearExpression(
            constant=0.0, linear_coefs=[c for c, _ in terms], linear_vars=[v for _, v in terms]
        )
        if sense == "<=":
            component[key] = expr <= bound
        elif sense == ">=":
            component[key] = expr >= bound
        else:
            component[key] = expr == bound
        self.rows[name] = Row(name, family, sense, bound, self._rule, figure, text, subjects)


def build(inst: Instance, spec: ModelSpec) -> Built:
    """The Pyomo model of `inst` under `spec`: variables, core and declared rules, objective."""
    from allocator.build.registry import CORE_RULES, OBJECTIVES, POLICY_RULES

    built = Built(inst, spec, pyo.ConcreteModel(name=f"{inst.name}/{spec.name}"))
    _variables(built)
    for core in CORE_RULES.values():
        core(built)
    for i, rule in enumerate(spec.rules):
        before = len(built.rows) + len(built.constants)
        built._rule = i
        POLICY_RULES[rule.rule](built, rule)
        built._rule = None
        if len(built.rows) + len(built.constants) == before:
            built.vacuous.append(i)
    terms, constant, sense = OBJECTIVES[spec.objective](built)
    built.sense = sense
    expr = LinearExpression(
        constant=constant, linear_coefs=[c for c, _ in terms], linear_vars=[v for _, v in terms]
    )
    built.model.objective = pyo.Objective(
        expr=expr, sense=pyo.maximize if sense == "max" else pyo.minimize
    )
    return built


def _variables(built: Built) -> None:
    inst, spec = built.inst, built.spec
    years = inst.years
    built.gov = _var(
        built, "gov", [(line.id, y) for line in inst.lines for y in years], pyo.NonNegativeReals
    )
    built.private = _var(
        built,
        "private",
        [
            (line.id, y)
            for line in inst.lines
            if line.leverage > 0
            for y in years
            if inst.pool_in(y) > 0
        ],
        pyo.NonNegativeReals,
    )
    built.units = _var(
        built,
        "units",
        [(line.id, y) for line in inst.lines if line.integer for y in years],
        pyo.NonNegativeIntegers,
    )
    built.selected = _var(
        built, "selected", [line.id for line in inst.lines if line.select], pyo.Binary
    )
    built.level = _var(built, "level", [(k.id, y) for k in inst.kpis for y in years], pyo.Reals)
    targeted = [(t.kpi, t.year) for t in inst.targets] if spec.soft_targets() else []
    built.shortfall = _var(built, "shortfall", targeted, pyo.NonNegativeReals)


def _var(built: Built, name: str, keys: list[Any], domain: Any) -> dict[Any, Any]:
    """An indexed variable `name[key]` over `keys`, returned as a dict key → variable."""
    dimen = len(keys[0]) if keys and isinstance(keys[0], tuple) else 1
    index = pyo.Set(initialize=keys, dimen=dimen, ordered=True)
    setattr(built.model, f"{name}_index", index)
    var = pyo.Var(index, domain=domain)
    setattr(built.model, name, var)
    return {key: var[key] for key in keys}
