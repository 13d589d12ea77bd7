"""The `ModelSpec`: a policy regime — the objective, priority levels and the policy rules (each a
registered kind of `allocator.schema.rules`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, model_validator

from allocator.schema.base import Fraction, Id, Name, NonNegative, Prose, Strict, Year, unique_keys
from allocator.schema.instance import CrossReferenceError, Instance
from allocator.schema.names import unknown_name
from allocator.schema.robust import Robust
from allocator.schema.rules import RULE_KINDS, Rule


class TargetPolicy(Strict):
    """How targets count: hard constraints or soft goals, and the weight of each KPI's shortfall."""

    mode: Literal["soft", "hard"] | None = None
    """For `max_impact` only (soft by default); `min_cost` makes every target hard, `goal` soft."""
    weights: Annotated[
        dict[Name, NonNegative], BeforeValidator(lambda v: unique_keys(v, "KPI"))
    ] = Field(default_factory=dict)
    """Objective weight per 100 % shortfall of a KPI's target (default 1)."""


GOAL_OBJECTIVES = ("max_impact", "min_cost")
"""Objectives a priority level may hold as a goal (beside KPI target shortfalls)."""


def _goal_shorthand(value: Any) -> Any:
    """`gpus` → {kpi: gpus}; `gpus@2028` → {kpi: gpus, year: 2028}; `max_impact` → {objective}."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text in GOAL_OBJECTIVES:
        return {"objective": text}
    kpi, at, year = text.partition("@")
    return {"kpi": kpi.strip(), "year": year.strip()} if at else {"kpi": kpi}


class Goal(Strict):
    """One goal of a priority level: the shortfall of a KPI's targets (all its years, or one), or
    the impact (`max_impact`) or government money (`min_cost`) objective."""

    kpi: Name | None = None
    year: Year | None = None
    """Only this target year of the KPI (default: every target of the KPI)."""
    objective: Literal["max_impact", "min_cost"] | None = None
    weight: NonNegative | None = None
    """Weight inside the level: per 100 % shortfall for a KPI (default: the model's
    `targets.weights`, else 1), per unit of the objective otherwise (default 1)."""

    @model_validator(mode="after")
    def _one_kind(self) -> Goal:
        if (self.kpi is None) == (self.objective is None):
            raise ValueError(
                "a goal names a KPI (`kpi: gpus`, or the shorthand `gpus` / `gpus@2028`) or an "
                "objective (`objective: max_impact` or `min_cost`), not both and not neither"
            )
        if self.year is not None and self.kpi is None:
            raise ValueError("`year` goes with `kpi` (a target year of that KPI)")
        return self

    @property
    def label(self) -> str:
        """`gpus`, `gpus@2028` or `max_impact`."""
        if self.objective is not None:
            return self.objective
        return f"{self.kpi}@{self.year}" if self.year is not None else str(self.kpi)


class Level(Strict):
    """A priority level: goals optimised together (weighted), then held at their optimum (within
    the tolerance) while later levels are optimised."""

    name: Id
    goals: list[
        Annotated[Goal, BeforeValidator(_goal_shorthand, json_schema_input_type=str | Goal)]
    ] = Field(min_length=1)
    tolerance: Fraction = 0.0
    """Share of the level's optimum later levels may give up (0.02 or "2%")."""
    tolerance_abs: NonNegative = 0.0
    """Amount of the level's value, in its own units, later levels may give up."""

    @property
    def maximise(self) -> bool:
        """Whether the level maximises (it holds `max_impact`) or minimises (shortfall, cost)."""
        return any(goal.objective == "max_impact" for goal in self.goals)


class ModelSpec(Strict):
    """A policy regime: the objective and the rules the split must obey."""

    name: Id
    title: Prose | None = None
    objective: Literal["max_impact", "min_cost", "goal", "lexicographic", "max_final_cash"] = (
        "max_impact"
    )
    """`max_impact`, `min_cost`, `goal`, `lexicographic` (with `levels`), or `max_final_cash`
    (the cash left after the last period; every target hard)."""
    must_spend: bool = False
    """Spend the whole budget every year (`=` instead of `≤`)."""
    targets: TargetPolicy = Field(default_factory=TargetPolicy)
    levels: list[Level] = Field(default_factory=list)
    """For `objective: lexicographic`: priority levels, the most important first."""
    rules: list[Rule] = Field(default_factory=list)
    robust: Robust | None = None
    """For `max_impact`: protect the objective against up to `gamma` lines' impacts at their
    worst (`allocator.schema.robust`)."""
    objective_unit: str | None = None
    """What the objective counts, as explanations say it: `m USD of NPV` (default: impact
    points, money or weighted-shortfall points, by objective)."""

    _files: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _levels(self) -> ModelSpec:
        problems: list[tuple[str, Any, str]] = []
        if self.objective == "lexicographic" and not self.levels:
            problems.append(
                (
                    "levels",
                    [],
                    "objective lexicographic needs `levels:`, the priority levels in order, "
                    "such as [{name: floors, goals: [ai_experts]}, {name: rest, goals: "
                    "[max_impact]}]",
                )
            )
        if self.robust is not None and self.objective != "max_impact":
            problems.append(
                (
                    "robust",
                    self.robust.gamma,
                    f"robust protects the max_impact objective, not {self.objective}; set "
                    "`objective: max_impact` or remove `robust`",
                )
            )
        if self.levels and self.objective != "lexicographic":
            problems.append(
                (
                    "levels",
                    [level.name for level in self.levels],
                    f"levels are for objective lexicographic, not {self.objective}; set "
                    "`objective: lexicographic` or remove `levels`",
                )
            )
        seen: dict[str, int] = {}
        for i, level in enumerate(self.levels):
            if level.name in seen:
                problems.append(
                    (
                        f"levels[{i}].name",
                        level.name,
                        f"a second level named {level.name!r} (the first is "
                        f"levels[{seen[level.name]}]); level names are unique",
                    )
                )
            seen.setdefault(level.name, i)
        if problems:
            raise CrossReferenceError(problems)
        return self

    @model_validator(mode="after")
    def _no_duplicate_rules(self) -> ModelSpec:
        seen: dict[tuple[str, str], int] = {}
        problems: list[tuple[str, Any, str]] = []
        for i, rule in enumerate(self.rules):
            on = rule.identity
            key = (rule.kind, on)
            if key in seen:
                what = f"{rule.kind} rule on {on!r}" if on else f"{rule.kind} rule"
                problems.append(
                    (
                        f"rules[{i}]",
                        rule.kind,
                        f"a second {what} (the first is rules[{seen[key]}]); merge the two "
                        "into one rule",
                    )
                )
            seen.setdefault(key, i)
        if problems:
            raise CrossReferenceError(problems)
        return self

    @property
    def files(self) -> dict[str, str]:
        """The file this model was read from, with its SHA-256 hash."""
        return dict(self._files)

    def soft_targets(self) -> bool:
        """Whether targets are soft (with a shortfall variable) under this objective (under
        `lexicographic`, the targets a level names are soft: see `soft_target`)."""
        if self.objective == "max_impact":
            return self.targets.mode != "hard"
        if self.objective == "lexicographic":
            return any(goal.kpi is not None for level in self.levels for goal in level.goals)
        return self.objective == "goal"

    def soft_target(self, kpi: str, year: int) -> bool:
        """Whether the target of `kpi` in `year` is soft (has a shortfall variable)."""
        if self.objective == "lexicographic":
            return self.level_of(kpi, year) is not None
        return self.soft_targets()

    def level_of(self, kpi: str, year: int) -> tuple[Level, Goal] | None:
        """The priority level (and goal) that names the target of `kpi` in `year`, if any."""
        for level in self.levels:
            for goal in level.goals:
                if goal.kpi == kpi and goal.year in (None, year):
                    return level, goal
        return None

    def weight(self, kpi: str) -> float:
        """The objective weight of a 100 % shortfall of `kpi`'s target."""
        return self.targets.weights.get(kpi, 1.0)


def model_problems(model: ModelSpec, inst: Instance) -> list[tuple[str, Any, str]]:
    """Names in `model` that do not exist in `inst` (pillars, groups, regions, KPIs, relation
    names, level goals): each rule kind checks its own names."""
    problems: list[tuple[str, Any, str]] = []
    for i, rule in enumerate(model.rules):
        problems += rule.problems(inst, f"rules[{i}]")
    kpis = [k.id for k in inst.kpis]
    for kpi in model.targets.weights:
        if kpi not in kpis:
            problems.append((f"targets.weights.{kpi}", kpi, unknown_name("KPI", kpis, kpi)))
    problems += _level_problems(model, inst)
    return problems


def _level_problems(model: ModelSpec, inst: Instance) -> list[tuple[str, Any, str]]:
    kpis = [k.id for k in inst.kpis]
    targets = {(t.kpi, t.year) for t in inst.targets}
    problems: list[tuple[str, Any, str]] = []
    claimed: dict[tuple[str, int], str] = {}
    for i, level in enumerate(model.levels):
        for j, goal in enumerate(level.goals):
            at = f"levels[{i}].goals[{j}]"
            if goal.kpi is None:
                continue
            if goal.kpi not in kpis:
                problems.append((f"{at}.kpi", goal.kpi, unknown_name("KPI", kpis, goal.kpi)))
                continue
            mine = sorted(y for k, y in targets if k == goal.kpi and goal.year in (None, y))
            if not mine:
                years = sorted(y for k, y in targets if k == goal.kpi)
                has = f"its targets are in {', '.join(map(str, years))}" if years else "no targets"
                problems.append(
                    (
                        at,
                        goal.label,
                        f"KPI {goal.kpi!r} has no target "
                        f"{'in ' + str(goal.year) if goal.year else 'at all'} ({has}); a goal is "
                        "the shortfall below a target, so give the instance a target or drop "
                        "the goal",
                    )
                )
            for year in mine:
                if (goal.kpi, year) in claimed:
                    problems.append(
                        (
                            at,
                            goal.label,
                            f"the target {goal.kpi} {year} is already a goal at "
                            f"{claimed[goal.kpi, year]}; name each target in one level only",
                        )
                    )
                claimed.setdefault((goal.kpi, year), at)
    if model.objective == "lexicographic" and model.targets.mode != "hard":
        free = sorted(t for t in targets if t not in claimed)
        if free:
            listed = ", ".join(f"{k}@{y}" for k, y in free)
            problems.append(
                (
                    "levels",
                    listed,
                    f"these targets are in no level: {listed}; name them in a level's goals, or "
                    "set `targets: {mode: hard}` to make the targets no level names hard "
                    "constraints",
                )
            )
    return problems


__all__ = ["RULE_KINDS", "Goal", "Level", "ModelSpec", "Rule", "TargetPolicy", "model_problems"]
