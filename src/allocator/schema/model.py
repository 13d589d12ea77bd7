"""The `ModelSpec`: a policy regime — the objective and the policy rules, each a closed kind."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, field_validator, model_validator

from allocator.schema.base import (
    Count,
    Fraction,
    Id,
    Money,
    Name,
    NonNegative,
    Prose,
    Share,
    Strict,
    Year,
    unique_keys,
)
from allocator.schema.expr import KINDS, ExpressionError, Ref, parse
from allocator.schema.expr import Relation as ParsedRelation
from allocator.schema.instance import CrossReferenceError, Instance, unknown_name


class PillarShare(Strict):
    """A pillar's government money stays between `min` and `max` of the year's government money."""

    rule: Literal["pillar_share"]
    pillar: Name
    min: Share | None = None
    max: Share | None = None

    @model_validator(mode="after")
    def _bounds(self) -> PillarShare:
        if self.min is None and self.max is None:
            raise ValueError("a pillar_share rule needs min, max or both (fractions such as 0.30)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(
                f"min {self.min:g} is above max {self.max:g}; lower the min or raise the max"
            )
        return self


class NewInitiativeShare(Strict):
    """New initiatives get at least `min` of each year's government money."""

    rule: Literal["new_initiative_share"]
    min: Share


class Ramp(Strict):
    """A line's government money changes by at most `max_change` × its cap from year to year."""

    rule: Literal["ramp"]
    max_change: NonNegative


class Cardinality(Strict):
    """At most `max` go/no-go lines of `group` are selected."""

    rule: Literal["cardinality"]
    group: Name
    max: Count


class Exclusive(Strict):
    """At most one line of `group` is selected."""

    rule: Literal["exclusive"]
    group: Name


class GroupTotal(Strict):
    """The government money of a line group or a region stays within bounds: amounts (`min`,
    `max`) or shares of all government money (`min_share`, `max_share`), per year or over the
    horizon."""

    rule: Literal["group_total"]
    group: Name | None = None
    region: Name | None = None
    min: Money | None = None
    max: Money | None = None
    min_share: Share | None = None
    max_share: Share | None = None
    over: Literal["year", "horizon"] = "year"
    """Bound each year's money, or the money over all years."""

    @model_validator(mode="after")
    def _one_subject(self) -> GroupTotal:
        if (self.group is None) == (self.region is None):
            raise ValueError("a group_total rule names either a group or a region (one of them)")
        if all(v is None for v in (self.min, self.max, self.min_share, self.max_share)):
            raise ValueError("a group_total rule needs min, max, min_share or max_share")
        return self

    @property
    def subject(self) -> str:
        """The group or region it bounds."""
        return self.group or self.region or ""


class Relation(Strict):
    """A linear relation between the money of pillars, line groups, lines or regions, each year:
    `expr: "talent >= 0.5 * rnd"` (the grammar is in `allocator.schema.expr`)."""

    rule: Literal["relation"]
    expr: str
    """`<sum> <=|>=|== <sum>`: names, numbers, `+ - * /` and parentheses, linear only."""
    name: Id | None = None
    """The rule's name in constraint names (`relation[NAME,2027]`); default the expression."""
    years: list[Year] | None = None
    """The years it holds in (default: every year of the instance)."""
    money: Literal["government", "total"] = "government"
    """Which money a name counts: government money (as pillar_share does) or government plus
    private."""

    @field_validator("expr")
    @classmethod
    def _parses(cls, expr: str) -> str:
        parse(expr)
        return expr

    @field_validator("years")
    @classmethod
    def _once_each(cls, years: list[int] | None) -> list[int] | None:
        if years is not None and len(set(years)) != len(years):
            raise ValueError("each year once, such as [2027, 2028]")
        if years is not None and not years:
            raise ValueError(
                "an empty list of years builds nothing; leave `years` out for every year"
            )
        return years

    def relation(self) -> ParsedRelation:
        """The parsed expression."""
        return parse(self.expr)

    @property
    def label(self) -> str:
        """The name its constraints carry: the user's `name` or the expression without spaces."""
        return self.name or self.relation().canonical


Rule = Annotated[
    PillarShare | NewInitiativeShare | Ramp | Cardinality | Exclusive | GroupTotal | Relation,
    Field(discriminator="rule"),
]
RULE_KINDS: dict[str, type[Strict]] = {
    "pillar_share": PillarShare,
    "new_initiative_share": NewInitiativeShare,
    "ramp": Ramp,
    "cardinality": Cardinality,
    "exclusive": Exclusive,
    "group_total": GroupTotal,
    "relation": Relation,
}
"""Every rule kind a model may declare, by the name used in files."""


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
    objective: Literal["max_impact", "min_cost", "goal", "lexicographic"] = "max_impact"
    must_spend: bool = False
    """Spend the whole budget every year (`=` instead of `≤`)."""
    targets: TargetPolicy = Field(default_factory=TargetPolicy)
    levels: list[Level] = Field(default_factory=list)
    """For `objective: lexicographic`: priority levels, the most important first."""
    rules: list[Rule] = Field(default_factory=list)

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
            on = str(getattr(rule, "pillar", getattr(rule, "group", "")))
            if isinstance(rule, GroupTotal):
                on = f"{'group' if rule.group is not None else 'region'} {rule.subject}/{rule.over}"
            if isinstance(rule, Relation):
                on = rule.label
            key = (rule.rule, on)
            if key in seen:
                what = f"{rule.rule} rule on {on!r}" if on else f"{rule.rule} rule"
                problems.append(
                    (
                        f"rules[{i}]",
                        rule.rule,
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
    """Names in `model` that do not exist in `inst` (pillars, groups, KPIs, relation names,
    level goals)."""
    problems = _basic_problems(model, inst)
    for i, rule in enumerate(model.rules):
        if isinstance(rule, Relation):
            problems += _relation_problems(rule, inst, f"rules[{i}]")
    problems += _level_problems(model, inst)
    return problems


def _basic_problems(model: ModelSpec, inst: Instance) -> list[tuple[str, Any, str]]:
    pillars = [p.id for p in inst.pillars]
    funded = {pillar for line in inst.lines for pillar in line.shares}
    regions = [r.id for r in inst.regions]
    groups = sorted({g for line in inst.lines for g in line.groups})
    kpis = [k.id for k in inst.kpis]
    problems: list[tuple[str, Any, str]] = []
    for i, rule in enumerate(model.rules):
        if isinstance(rule, PillarShare) and rule.pillar not in pillars:
            problems.append(
                (f"rules[{i}].pillar", rule.pillar, unknown_name("pillar", pillars, rule.pillar))
            )
        elif isinstance(rule, PillarShare) and rule.min and rule.pillar not in funded:
            problems.append(
                (
                    f"rules[{i}].min",
                    rule.min,
                    f"pillar {rule.pillar!r} has no lines, so a floor of {rule.min * 100:g}% would "
                    "force every year's spending to 0; give the pillar a line or drop the floor",
                )
            )
        if isinstance(rule, Cardinality | Exclusive) and rule.group not in groups:
            problems.append(
                (f"rules[{i}].group", rule.group, unknown_name("group", groups, rule.group))
            )
        if isinstance(rule, GroupTotal) and rule.group is not None and rule.group not in groups:
            problems.append(
                (f"rules[{i}].group", rule.group, unknown_name("group", groups, rule.group))
            )
        if isinstance(rule, GroupTotal) and rule.region is not None and rule.region not in regions:
            problems.append(
                (f"rules[{i}].region", rule.region, unknown_name("region", regions, rule.region))
            )
    for kpi in model.targets.weights:
        if kpi not in kpis:
            problems.append((f"targets.weights.{kpi}", kpi, unknown_name("KPI", kpis, kpi)))
    return problems


Members = dict[str, float]
"""The lines a name covers, each with the share of its money that counts (1 for a whole line)."""


def classifications(inst: Instance) -> dict[str, dict[str, Members]]:
    """What a name in a relation may stand for, by kind: pillar, group, line, region → the lines
    it covers, each with the share of its money that counts (a pillar counts a line by its
    membership share)."""

    kinds: dict[str, dict[str, Members]] = {kind: {} for kind in KINDS}
    for p in inst.pillars:
        kinds["pillar"][p.id] = {}
    for line in inst.lines:
        kinds["line"][line.id] = {line.id: 1.0}
        for pillar, share in line.shares.items():
            kinds["pillar"].setdefault(pillar, {})[line.id] = share
        for group in line.groups:
            kinds["group"].setdefault(group, {})[line.id] = 1.0
        if line.region is not None:
            kinds["region"].setdefault(line.region, {})[line.id] = 1.0
    return kinds


def resolve(relation: ParsedRelation, inst: Instance) -> dict[Ref, tuple[str, Members]]:
    """Each name of `relation` → (its kind, the lines it covers with their shares); raises
    `ExpressionError` at the name's column when it is unknown or ambiguous."""
    kinds = classifications(inst)
    out: dict[Ref, tuple[str, Members]] = {}
    for ref in relation.coefs:
        qualifier, name = ref
        column = relation.columns.get(ref, 1)
        if qualifier is not None:
            if name not in kinds[qualifier]:
                known = list(kinds[qualifier])
                raise ExpressionError(relation.text, column, unknown_name(qualifier, known, name))
            out[ref] = (qualifier, kinds[qualifier][name])
            continue
        found = [kind for kind in KINDS if name in kinds[kind]]
        if not found:
            every = [n for kind in KINDS for n in kinds[kind]]
            what = "pillar, line group, line or region"
            dashed = sorted(n for n in every if n.startswith(f"{name}-"))
            hint = (
                f" (an id holding `-` goes in backticks: `{dashed[0]}`)"
                if dashed
                else " (an id holding `-` goes in backticks: `RND-11`)"
                if "-" in name
                else ""
            )
            raise ExpressionError(relation.text, column, unknown_name(what, every, name) + hint)
        if len(found) > 1:
            options = " or ".join(f"{kind}:{name}" for kind in found)
            raise ExpressionError(
                relation.text,
                column,
                f"{name!r} is ambiguous: it names a {' and a '.join(found)}; write {options}",
            )
        out[ref] = (found[0], kinds[found[0]][name])
    return out


def _relation_problems(rule: Relation, inst: Instance, at: str) -> list[tuple[str, Any, str]]:
    problems: list[tuple[str, Any, str]] = []
    try:
        resolve(rule.relation(), inst)
    except ExpressionError as exc:
        problems.append((f"{at}.expr", rule.expr, str(exc)))
    for year in rule.years or []:
        if year not in inst.years:
            problems.append(
                (
                    f"{at}.years",
                    year,
                    f"{year} is outside the instance's years ({', '.join(map(str, inst.years))})",
                )
            )
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
