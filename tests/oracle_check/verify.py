"""An independent post-solve checker: every rule of the instance and model re-verified on the
returned numbers with plain arithmetic. It shares no code with the model builder on purpose, so a
bug in a rule's builder shows up here as a violation instead of a wrong answer. Each rule is checked
by the check registered under its name (`tests.oracle_check.registry`)."""

from __future__ import annotations

from collections.abc import Mapping

from allocator.check.plan import Plan
from allocator.schema import Instance, ModelSpec
from allocator.schema.model import Level
from allocator.schema.robust import impact_deviation, protection
from tests.oracle_check.registry import CORE_CHECKS, RULE_CHECKS, Context, Violation, key


def verify(
    inst: Instance,
    spec: ModelSpec,
    plan: Plan,
    objective: float | None,
    held: Mapping[str, float] | None = None,
) -> list[Violation]:
    """Every rule the plan breaks, each with its size in the rule's unit (empty when the plan
    satisfies all); `str(v)` says it in the instance's words.

    `held` gives, for a lexicographic model, the bound each priority level was held to (by level
    name): the level's value is recomputed from the plan and checked against it."""
    c = verdict(inst, spec, plan)
    if objective is not None:
        expected = objective_value(inst, spec, plan)
        c.need(
            abs(objective - expected),
            0.0,
            "objective",
            "objective",
            "the reported objective does not match the plan",
            objective,
            expected,
            unit="points",
        )
    for level in spec.levels:
        bound = (held or {}).get(level.name)
        if bound is None:
            continue
        value = level_value(inst, level, plan, spec)
        name = key("level_hold", level.name)
        if level.maximise:
            c.need(
                bound,
                value,
                "level_hold",
                name,
                f"priority level {level.name} fell below its held value",
                value,
                unit="level points",
            )
        else:
            c.need(
                value,
                bound,
                "level_hold",
                name,
                f"priority level {level.name} rose above its held value",
                value,
                unit="level points",
            )
    return c.violations


def verdict(inst: Instance, spec: ModelSpec, plan: Plan) -> Context:
    """Every core rule and model rule checked on the plan: `violations` (what it breaks) and
    `held` (the rule instances that hold, by name)."""
    c = Context(inst, spec, plan)
    for run in CORE_CHECKS.values():
        run(c)
    for i, rule in enumerate(spec.rules):
        RULE_CHECKS[rule.kind](c, rule, i)
    return c


def objective_value(inst: Instance, spec: ModelSpec, plan: Plan) -> float:
    """The model's objective at the plan, computed from the numbers alone."""
    levels = kpi_levels(inst, plan)
    shortfall = sum(
        spec.weight(t.kpi) * max(0.0, t.value - levels[t.kpi, t.year]) / t.value
        for t in inst.targets
        if not t.at_most and spec.soft_target(t.kpi, t.year)
    )
    if spec.objective == "max_impact":
        return impact_value(inst, plan) - shortfall - robust_protection(inst, spec, plan)
    if spec.objective == "min_cost":
        return sum(plan.gov.values())
    if spec.objective == "goal":
        return shortfall
    if spec.objective == "max_final_cash":
        return plan.carry.get(inst.years[-1], 0.0)
    return level_value(inst, spec.levels[-1], plan, spec) if spec.levels else 0.0


def robust_protection(inst: Instance, spec: ModelSpec, plan: Plan) -> float:
    """For a robust model, the worst fall of the impact at the plan (0 otherwise)."""
    if spec.robust is None:
        return 0.0
    money = {ln.id: sum(plan.g(ln.id, y) for y in inst.years) for ln in inst.lines}
    deviations = impact_deviation(inst, spec.robust.band)
    return protection(deviations, money, spec.robust.gamma)


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
                if t.kpi == goal.kpi and goal.year in (None, t.year) and not t.at_most:
                    short = max(0.0, t.value - levels[t.kpi, t.year])
                    total += sign * w * short / t.value
    return total


def impact_value(inst: Instance, plan: Plan) -> float:
    """Σ impact·g (or each curve's value) + private_impact·(pool and fund money) + each
    project's value (NPV) times its scale or go/no-go choice."""
    return sum(line_values(inst, plan).values())


def line_values(inst: Instance, plan: Plan) -> dict[str, float]:
    """Each line's value over the horizon: Σ_y impact·g (or its curve's value) +
    private_impact·(pool and fund money), plus its lump value (NPV) times its scale or
    go/no-go choice."""
    return {
        line.id: (
            line.value * (plan.s(line.id) if line.select else plan.scale.get(line.id, 0.0))
            if line.value
            else 0.0
        )
        + sum(
            _value(line.impact, line.curve, plan.g(line.id, y))
            + line.private_impact * (plan.money(line.id, y) - plan.g(line.id, y))
            for y in inst.years
        )
        for line in inst.lines
    }


def _value(impact: float, curve: list[tuple[float, float]] | None, money: float) -> float:
    """Objective value of a year's government money: impact × money, or the curve's value."""
    if not curve:
        return impact * money
    xs, ys = zip(*curve, strict=True)
    import numpy as np  # on use: `import allocator` loads the checker, and need not load numpy

    return float(np.interp(money, xs, ys))


def kpi_levels(inst: Instance, plan: Plan) -> dict[tuple[str, int], float]:
    """Each KPI's level per year, computed from the money and the KPI's exogenous `additions`
    (stock or flow, additions ageing out after the KPI's lifetime)."""
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
        for y, extra in (kpi.additions or {}).items():
            added[y] = added.get(y, 0.0) + extra
        for line in inst.lines:
            for y, once in line.delivers.get(kpi.id, {}).items():
                added[y] = added.get(y, 0.0) + once * plan.s(line.id)
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
