"""An independent post-solve checker: every rule of the instance and model re-verified on the
returned numbers with plain arithmetic. It shares no code with the model builder on purpose, so a
bug in a rule's builder shows up here as a violation instead of a wrong answer. Each rule is checked
by the check registered under its name (`allocator.check.registry`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from allocator.check.plan import Plan
from allocator.check.registry import CORE_CHECKS, RULE_CHECKS, Context, Violation, key
from allocator.schema import Instance, ModelSpec
from allocator.schema.model import Level
from allocator.schema.robust import impact_deviation, protection

if TYPE_CHECKING:
    from allocator.check.grid import Grid


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
    grid = c.grid
    if objective is not None:
        expected = objective_value(inst, spec, plan, grid)
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
        value = level_value(inst, level, plan, spec, grid)
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


def objective_value(inst: Instance, spec: ModelSpec, plan: Plan, grid: Grid | None = None) -> float:
    """The model's objective at the plan, computed from the numbers alone."""
    grid = grid or plan_grid(inst, plan)
    levels = grid.levels()
    shortfall = sum(
        spec.weight(t.kpi) * max(0.0, t.value - levels[t.kpi, t.year]) / t.value
        for t in inst.targets
        if not t.at_most and spec.soft_target(t.kpi, t.year)
    )
    if spec.objective == "max_impact":
        impact = float(grid.line_values().sum())
        return impact - shortfall - robust_protection(inst, spec, plan, grid)
    if spec.objective == "min_cost":
        return sum(plan.gov.values())
    if spec.objective == "goal":
        return shortfall
    if spec.objective == "max_final_cash":
        return plan.carry.get(inst.years[-1], 0.0)
    return level_value(inst, spec.levels[-1], plan, spec, grid) if spec.levels else 0.0


def robust_protection(
    inst: Instance, spec: ModelSpec, plan: Plan, grid: Grid | None = None
) -> float:
    """For a robust model, the worst fall of the impact at the plan (0 otherwise)."""
    if spec.robust is None:
        return 0.0
    grid = grid or plan_grid(inst, plan)
    money = dict(zip(grid.ids, grid.gov.sum(axis=1).tolist(), strict=True))
    deviations = impact_deviation(inst, spec.robust.band)
    return protection(deviations, money, spec.robust.gamma)


def level_value(
    inst: Instance, level: Level, plan: Plan, spec: ModelSpec, grid: Grid | None = None
) -> float:
    """A priority level's value at the plan: impact and money of its objective goals, and the
    weighted shortfall (as a share of each target) of its KPI goals, in the level's sense."""
    grid = grid or plan_grid(inst, plan)
    levels = grid.levels()
    sign = -1.0 if level.maximise else 1.0
    total = 0.0
    for goal in level.goals:
        if goal.objective == "max_impact":
            w = 1.0 if goal.weight is None else goal.weight
            total += w * float(grid.line_values().sum())
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
    return float(plan_grid(inst, plan).line_values().sum())


def line_values(inst: Instance, plan: Plan) -> dict[str, float]:
    """Each line's value over the horizon: Σ_y impact·g (or its curve's value) +
    private_impact·(pool and fund money), plus its lump value (NPV) times its scale or
    go/no-go choice."""
    grid = plan_grid(inst, plan)
    return dict(zip(grid.ids, grid.line_values().tolist(), strict=True))


def kpi_levels(inst: Instance, plan: Plan) -> dict[tuple[str, int], float]:
    """Each KPI's level per year, computed from the money and the KPI's exogenous `additions`
    (stock or flow, additions ageing out after the KPI's lifetime)."""
    return plan_grid(inst, plan).levels()


def plan_grid(inst: Instance, plan: Plan) -> Grid:
    """The plan's arrays (numpy is loaded here, on first use: `import allocator` need not)."""
    from allocator.check.grid import Grid

    return Grid(inst, plan)
