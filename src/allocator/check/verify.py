"""An independent post-solve checker: every rule of the instance and model re-verified on the
returned numbers with plain arithmetic. It shares no code with the model builder on purpose, so a
bug in a rule's builder shows up here as a violation instead of a wrong answer."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from allocator.schema import Instance, ModelSpec
from allocator.schema.base import for_year
from allocator.schema.model import (
    Cardinality,
    Exclusive,
    GroupTotal,
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
    draws: dict[tuple[str, str, int], float] = field(default_factory=dict)
    """Private money from a named fund: (fund, line, year)."""
    carry: dict[int, float] = field(default_factory=dict)
    """Government money carried from a year into the next."""
    starts: dict[tuple[str, int], float] = field(default_factory=dict)
    """Whole units started in a year, for lines with a span."""

    def money(self, line: str, year: int) -> float:
        """All the money a line gets in a year: government, private pool and funds."""
        funds = sum(v for (_, lid, y), v in self.draws.items() if lid == line and y == year)
        return self.g(line, year) + self.p(line, year) + funds

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
    for i, y in enumerate(years):
        carried_in = plan.carry.get(years[i - 1], 0.0) if i else 0.0
        carried_out = plan.carry.get(y, 0.0)
        need(0.0, carried_out, f"{y}: a negative carry-over")
        if carried_out:
            cap = for_year(inst.carryover, y, 0.0) or 0.0
            need(carried_out, cap if y != years[-1] else 0.0, f"{y}: carry-over above its cap")
        spent = sum(g(line.id, y) for line in lines) + carried_out
        available = inst.budget_in(y) + carried_in
        need(spent, available, f"{y}: government money exceeds the budget")
        if spec.must_spend:
            need(available, spent, f"{y}: must_spend, but the budget is not all spent")
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
                total = plan.money(line.id, y)
                need(abs(total - cost), 0.0, f"{line.id} in {y}: money is not whole units", cost)
    for line in lines:
        if line.select and plan.selected.get(line.id) not in (True, False):
            out.append(f"{line.id}: no go/no-go decision recorded")
        for other in line.requires:
            need(s(line.id), s(other), f"{line.id} is funded without {other}, which it requires")
    _policy(inst, spec, plan, checks)
    _planning(inst, plan, checks)
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
            "max_impact": impact_value(inst, plan) - shortfall,
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
            total += w * impact_value(inst, plan)
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
            for pillar, share in line.shares.items():
                by_pillar[pillar, y] += share * amount
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
        if isinstance(rule, GroupTotal):
            _group_total(inst, rule, plan, checks)
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


def impact_value(inst: Instance, plan: Plan) -> float:
    """Σ impact·g (or each curve's value) + private_impact·(pool and fund money)."""
    return sum(
        _value(line.impact, line.curve, plan.g(line.id, y))
        + line.private_impact * (plan.money(line.id, y) - plan.g(line.id, y))
        for line in inst.lines
        for y in inst.years
    )


def _value(impact: float, curve: list[tuple[float, float]] | None, money: float) -> float:
    """Objective value of a year's government money: impact × money, or the curve's value."""
    if not curve:
        return impact * money
    xs, ys = zip(*curve, strict=True)
    return float(np.interp(money, xs, ys))


def _group_total(inst: Instance, rule: GroupTotal, plan: Plan, checks: _Checks) -> None:
    need = checks.need
    members = [
        line.id
        for line in inst.lines
        if (rule.group in line.groups if rule.group is not None else line.region == rule.region)
    ]
    periods = [[y] for y in inst.years] if rule.over == "year" else [inst.years]
    for period in periods:
        mine = sum(plan.g(lid, y) for lid in members for y in period)
        total = sum(plan.g(line.id, y) for line in inst.lines for y in period)
        at = f"{rule.subject} in {period[0]}" if len(period) == 1 else f"{rule.subject} overall"
        if rule.min is not None:
            need(rule.min, mine, f"{at}: below {rule.min:g}")
        if rule.max is not None:
            need(mine, rule.max, f"{at}: above {rule.max:g}")
        if rule.min_share is not None:
            need(rule.min_share * total, mine, f"{at}: below {rule.min_share:.1%}", total)
        if rule.max_share is not None:
            need(mine, rule.max_share * total, f"{at}: above {rule.max_share:.1%}", total)


def _planning(inst: Instance, plan: Plan, checks: _Checks) -> None:
    """Funds, schedules, cohorts and curves, from the plan's numbers alone."""
    need, out = checks.need, checks.failures
    years = inst.years
    for (fund_id, lid, y), amount in plan.draws.items():
        need(0.0, amount, f"{fund_id} puts negative money into {lid} in {y}")
        fund = next(f for f in inst.funds if f.id == fund_id)
        if lid not in fund.lines and amount > 0:
            out.append(f"{fund_id} puts money into {lid}, which is not eligible")
    for fund in inst.funds:
        drawn = {
            y: sum(plan.draws.get((fund.id, lid, y), 0.0) for lid in fund.lines) for y in years
        }
        seed = {y: sum(plan.g(lid, y) for lid in fund.seed) for y in years}
        for i, y in enumerate(years):
            so_far, seeded = (
                sum(drawn[x] for x in years[: i + 1]),
                sum(seed[x] for x in years[: i + 1]),
            )
            need(
                so_far,
                fund.leverage * seeded,
                f"{fund.id} by {y}: draws above {fund.leverage:g} × seed",
            )
            cap = for_year(fund.cap, y, None)
            if cap is not None:
                need(drawn[y], cap, f"{fund.id} in {y}: draws above its cap")
        total, seeded = sum(drawn.values()), sum(seed.values())
        if fund.total_cap is not None:
            need(total, fund.total_cap, f"{fund.id}: draws above its horizon cap")
        if fund.total_min is not None:
            need(fund.total_min, total, f"{fund.id}: draws below its horizon floor")
        need(fund.min_leverage * seeded, total, f"{fund.id}: below {fund.min_leverage:g} × seed")
    for line in inst.lines:
        for y in years:
            if line.schedule is not None:
                fixed = (for_year(line.schedule, y, 0.0) or 0.0) * plan.s(line.id)
                need(
                    abs(plan.g(line.id, y) - fixed),
                    0.0,
                    f"{line.id} in {y}: off its schedule",
                    fixed,
                )
            if line.curve:
                need(plan.g(line.id, y), line.curve[-1][0], f"{line.id} in {y}: beyond its curve")
            if line.span:
                started = [
                    plan.starts.get((line.id, x), 0.0) for x in years if y - line.span < x <= y
                ]
                if any(
                    abs(n - round(n)) > INTEGER_TOLERANCE or n < -INTEGER_TOLERANCE for n in started
                ):
                    out.append(f"{line.id} by {y}: units started are not whole numbers")
                units = plan.units.get((line.id, y), 0.0)
                need(
                    abs(units - sum(started)),
                    0.0,
                    f"{line.id} in {y}: units do not match the teams started",
                )
        if line.max_starts is not None:
            begun = sum(plan.starts.get((line.id, y), 0.0) for y in years)
            need(begun, line.max_starts, f"{line.id}: more than {line.max_starts} units started")


def kpi_levels(inst: Instance, plan: Plan) -> dict[tuple[str, int], float]:
    """Each KPI's level per year, computed from the money (stock or flow, additions ageing out
    after the KPI's lifetime)."""
    levels: dict[tuple[str, int], float] = {}
    years = inst.years
    for kpi in inst.kpis:
        added = {
            y: sum(
                line.yields.get(kpi.id, 0.0) * plan.money(line.id, y)
                for line in inst.lines
                if kpi.id in line.yields
            )
            for y in years
        }
        life = kpi.lifetime
        for y in years:
            base = kpi.baseline
            if life and kpi.baseline_year is not None and y >= kpi.baseline_year + life:
                base = 0.0
            if not kpi.cumulative:
                levels[kpi.id, y] = base + added[y]
                continue
            levels[kpi.id, y] = base + sum(
                amount for x, amount in added.items() if x <= y and (life is None or y < x + life)
            )
    return levels
