"""The `ModelSpec`: a policy regime — the objective and the policy rules, each a closed kind."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from allocator.schema.base import Count, Id, Money, NonNegative, Share, Strict
from allocator.schema.instance import CrossReferenceError, Instance, unknown_name


class PillarShare(Strict):
    """A pillar's government money stays between `min` and `max` of the year's government money."""

    rule: Literal["pillar_share"]
    pillar: str
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
    group: str
    max: Count


class Exclusive(Strict):
    """At most one line of `group` is selected."""

    rule: Literal["exclusive"]
    group: str


class GroupTotal(Strict):
    """The government money of a line group or a region stays within bounds: amounts (`min`,
    `max`) or shares of all government money (`min_share`, `max_share`), per year or over the
    horizon."""

    rule: Literal["group_total"]
    group: str | None = None
    region: str | None = None
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


Rule = Annotated[
    PillarShare | NewInitiativeShare | Ramp | Cardinality | Exclusive | GroupTotal,
    Field(discriminator="rule"),
]
RULE_KINDS: dict[str, type[Strict]] = {
    "pillar_share": PillarShare,
    "new_initiative_share": NewInitiativeShare,
    "ramp": Ramp,
    "cardinality": Cardinality,
    "exclusive": Exclusive,
    "group_total": GroupTotal,
}
"""Every rule kind a model may declare, by the name used in files."""


class TargetPolicy(Strict):
    """How targets count: hard constraints or soft goals, and the weight of each KPI's shortfall."""

    mode: Literal["soft", "hard"] | None = None
    """For `max_impact` only (soft by default); `min_cost` makes every target hard, `goal` soft."""
    weights: dict[str, NonNegative] = Field(default_factory=dict)
    """Objective weight per 100 % shortfall of a KPI's target (default 1)."""


class ModelSpec(Strict):
    """A policy regime: the objective and the rules the split must obey."""

    name: Id
    title: str | None = None
    objective: Literal["max_impact", "min_cost", "goal"] = "max_impact"
    must_spend: bool = False
    """Spend the whole budget every year (`=` instead of `≤`)."""
    targets: TargetPolicy = Field(default_factory=TargetPolicy)
    rules: list[Rule] = Field(default_factory=list)

    _files: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _no_duplicate_rules(self) -> ModelSpec:
        seen: dict[tuple[str, str], int] = {}
        problems: list[tuple[str, Any, str]] = []
        for i, rule in enumerate(self.rules):
            on = str(getattr(rule, "pillar", getattr(rule, "group", "")))
            if isinstance(rule, GroupTotal):
                on = f"{rule.subject}/{rule.over}"
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
        """Whether targets are soft (with a shortfall variable) under this objective."""
        if self.objective == "max_impact":
            return self.targets.mode != "hard"
        return self.objective == "goal"

    def weight(self, kpi: str) -> float:
        """The objective weight of a 100 % shortfall of `kpi`'s target."""
        return self.targets.weights.get(kpi, 1.0)


def model_problems(model: ModelSpec, inst: Instance) -> list[tuple[str, Any, str]]:
    """Names in `model` that do not exist in `inst` (pillars, groups, KPIs)."""
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
