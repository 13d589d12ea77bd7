"""An independent post-solve checker: every rule of the instance and model re-verified on the
returned numbers with plain arithmetic. It shares no code with the model builder on purpose, so a
bug in a rule's builder shows up here as a violation instead of a wrong answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from allocator.schema import Instance, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.model import (
    Cardinality,
    Exclusive,
    Level,
    NewInitiativeShare,
    PillarShare,
    Ramp,
    Relation,
    resolve,
)

RELATIVE_TOLERANCE = 1e-6
"""Slack allowed on each rule, relative to the largest figure the rule involves (at least 1)."""
INTEGER_TOLERANCE = 1e-6


@dataclass
class Plan:
    """The numbers to check: money by (line, year), go/no-go choices and whole units."""

    gov: dict[tuple[str, int], float]
    private: dict[tuple[str, int], float]
    selected: dict[str, bool]
    units: dict[tuple[str, int], float]

    def g(self, line: str, year: int) -> float:
        """Government money."""
        return self.gov.get((line, year), 0.0)

    def p(self, line: str, year: int) -> float:
        """Private money."""
        return self.private.get((line, year), 0.0)

    def s(self, line: str) -> float:
        """1 for a funded go/no-go line or a line that is not one, else 0."""
        return 1.0 if self.selected.get(line, True) else 0.0


class _Checks:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def need(self, lhs: float, rhs: float, what: str, *scale: float) -> None:
        """Record `what` unless lhs ≤ rhs within the tolerance."""
        tol = RELATIVE_TOLERANCE * max(1.0, abs(lhs), abs(rhs), *map(abs, scale))
        if lhs > rhs + tol:
            self.failures.append(f"{what} ({lhs:,.6g} > {rhs:,.6g})")


def verify(
    inst: Instance,
    spec: ModelSpec,
    plan: Plan,
    objective: float | None,
    held: Mapping[str, float] | None = None,
) -> list[str]:
    """Every rule the plan breaks, in the instance's words (empty when the plan satisfies all).

    `held` gives, for a lexicographic model, the bound each priority level was held to (by level
    name): the level's value is recomputed from the plan and checked against it."""
    checks = _Checks()
    need, out = checks.need, checks.failures
    g, p, s = plan.g, plan.p, plan.s
    years, lines = inst.years, inst.lines

    for (lid, y), amount in plan.gov.items():
        need(0.0, amount, f"government money for {lid} in {y} is negative")
    for (lid, y), amount in plan.private.items():
        need(0.0, amount, f"private money for {lid} in {y} is negative")
    for y in years:
        spent = sum(g(line.id, y) for line in lines)
        need(spent, inst.budget_in(y), f"{y}: government money exceeds the budget")
        if spec.must_spend:
            need(inst.budget_in(y), spent, f"{y}: must_spend, but the budget is not all spent")
        need(
            sum(p(line.id, y) for line in lines),
            inst.pool_in(y),
            f"{y}: private money exceeds the fund's pool",
        )
        for line in lines:
            need(
                p(line.id, y),
                line.leverage * g(line.id, y),
                f"{line.id} in {y}: private money above {line.leverage:g} × government money",
            )
            lo = for_year(line.min, y, 0.0) or 0.0
            hi = for_year(line.max, y, None)
            if hi is None and line.select:
                hi = inst.budget_in(y)
            need(lo * s(line.id), g(line.id, y), f"{line.id} in {y}: below its minimum")
            if hi is not None:
                need(g(line.id, y), hi * s(line.id), f"{line.id} in {y}: above its maximum")
            if line.integer:
                n = plan.units.get((line.id, y), 0.0)
                if abs(n - round(n)) > INTEGER_TOLERANCE:
                    out.append(f"{line.id} in {y}: {n} units is not a whole number")
                cost = (line.unit_cost or 0.0) * round(n)
                total = g(line.id, y) + p(line.id, y)
                need(abs(total - cost), 0.0, f"{line.id} in {y}: money is not whole units", cost)
    for line in lines:
        if line.select and plan.selected.get(line.id) not in (True, False):
            out.append(f"{line.id}: no go/no-go decision recorded")
        for other in line.requires:
            need(s(line.id), s(other), f"{line.id} is funded without {other}, which it requires")
    _policy(inst, spec, plan, checks)
    levels = kpi_levels(inst, plan)
    shortfall = 0.0
    values = {(t.kpi, t.year): t.value for t in inst.targets}
    for (kpi, y), target in values.items():
        if spec.soft_target(kpi, y):
            shortfall += spec.weight(kpi) * max(0.0, target - levels[kpi, y]) / target
        else:
            need(target, levels[kpi, y], f"target {kpi} {y} is not met")
    if objective is not None:
        expected = {
            "max_impact": sum(
                line.impact * g(line.id, y) + line.private_impact * p(line.id, y)
                for line in lines
                for y in years
            )
            - shortfall,
            "min_cost": sum(plan.gov.values()),
            "goal": shortfall,
            "lexicographic": level_value(inst, spec.levels[-1], plan, spec) if spec.levels else 0,
        }[spec.objective]
        need(
            abs(objective - expected),
            0.0,
            "the reported objective does not match the plan",
            objective,
            expected,
        )
    for level in spec.levels:
        bound = (held or {}).get(level.name)
        if bound is None:
            continue
        value = level_value(inst, level, plan, spec)
        if level.maximise:
            need(bound, value, f"priority level {level.name} fell below its held value", value)
        else:
            need(value, bound, f"priority level {level.name} rose above its held value", value)
    return out


def level_value(inst: Instance, level: Level, plan: Plan, spec: ModelSpec) -> float:
    """A priority level's value at the plan: impact and money of its objective goals, and the
    weighted shortfall (as a share of each target) of its KPI goals, in the level's sense."""
    levels = kpi_levels(inst, plan)
    sign = -1.0 if level.maximise else 1.0
    total = 0.0
    for goal in level.goals:
        if goal.objective == "max_impact":
            w = 1.0 if goal.weight is None else goal.weight
            total += w * sum(
                line.impact * plan.g(line.id, y) + line.private_impact * plan.p(line.id, y)
                for line in inst.lines
                for y in inst.years
            )
        elif goal.objective == "min_cost":
            w = 1.0 if goal.weight is None else goal.weight
            total += sign * w * sum(plan.gov.values())
        else:
            w = spec.weight(str(goal.kpi)) if goal.weight is None else goal.weight
            for t in inst.targets:
                if t.kpi == goal.kpi and goal.year in (None, t.year):
                    short = max(0.0, t.value - levels[t.kpi, t.year])
                    total += sign * w * short / t.value
    return total


def _relation(inst: Instance, rule: Relation, plan: Plan, checks: _Checks) -> None:
    """Each year's relation, summed name by name over the lines each name covers."""
    parsed = rule.relation()
    names = resolve(parsed, inst)
    constant = parsed.constant(inst.currency_unit)
    for y in rule.years or inst.years:
        value, size = constant, abs(constant)
        for ref, coef in parsed.coefs.items():
            money = sum(
                share * (plan.g(lid, y) + (plan.p(lid, y) if rule.money == "total" else 0.0))
                for lid, share in names[ref][1].items()
            )
            value += coef * money
            size += abs(coef * money)
        what = f"relation {rule.label} in {y} does not hold ({rule.expr})"
        if parsed.sense in ("<=", "=="):
            checks.need(value, 0.0, what, size)
        if parsed.sense in (">=", "=="):
            checks.need(0.0, value, what, size)


def _policy(inst: Instance, spec: ModelSpec, plan: Plan, checks: _Checks) -> None:
    need, g, s = checks.need, plan.g, plan.s
    years, lines = inst.years, inst.lines
    totals: dict[int, float] = defaultdict(float)
    by_pillar: dict[tuple[str, int], float] = defaultdict(float)
    new_money: dict[int, float] = defaultdict(float)
    for line in lines:
        for y in years:
            amount = g(line.id, y)
            totals[y] += amount
            by_pillar[line.pillar, y] += amount
            new_money[y] += amount if line.new else 0.0
    for rule in spec.rules:
        if isinstance(rule, Relation):
            _relation(inst, rule, plan, checks)
            continue
        if isinstance(rule, Exclusive | Cardinality):
            k = 1 if isinstance(rule, Exclusive) else rule.max
            chosen = sum(s(line.id) for line in lines if rule.group in line.groups)
            need(chosen, k, f"group {rule.group}: {chosen:g} lines selected, at most {k} allowed")
            continue
        for i, y in enumerate(years):
            total = totals[y]
            if isinstance(rule, PillarShare):
                mine = by_pillar[rule.pillar, y]
                if rule.min is not None:
                    need(
                        rule.min * total, mine, f"{rule.pillar} in {y}: below {rule.min:.1%}", total
                    )
                if rule.max is not None:
                    need(
                        mine, rule.max * total, f"{rule.pillar} in {y}: above {rule.max:.1%}", total
                    )
            elif isinstance(rule, NewInitiativeShare):
                new = new_money[y]
                need(rule.min * total, new, f"{y}: new initiatives below {rule.min:.1%}", total)
            elif isinstance(rule, Ramp) and i > 0:
                for line in lines:
                    cap = for_year(line.max, y, None)
                    step = rule.max_change * (cap if cap is not None else inst.budget_in(y))
                    change = abs(g(line.id, y) - g(line.id, years[i - 1]))
                    need(change, step, f"{line.id} changes too fast into {y}", g(line.id, y))


def kpi_levels(inst: Instance, plan: Plan) -> dict[tuple[str, int], float]:
    """Each KPI's level per year, computed from the money (stock or flow)."""
    levels: dict[tuple[str, int], float] = {}
    for kpi in inst.kpis:
        running = kpi.baseline
        for y in inst.years:
            flow = sum(
                line.yields.get(kpi.id, 0.0)
                * (plan.gov.get((line.id, y), 0.0) + plan.private.get((line.id, y), 0.0))
                for line in inst.lines
            )
            running = running + flow if kpi.cumulative else kpi.baseline + flow
            levels[kpi.id, y] = running
    return levels
