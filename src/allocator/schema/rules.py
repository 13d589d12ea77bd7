"""The rule kinds a model declares, each one pydantic class registered by its `rule:` name.

A kind is one declared unit: this class (its fields, its `subject` — what it is about — and the
names it must find in the instance), one builder in `allocator.formulation` and one check in
`allocator.check`, each registered under the same name; the packages refuse to load when the
three sets differ. The `Rule` union of `ModelSpec.rules` is generated from this registry."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import ConfigDict, Field, field_validator, model_validator

from allocator.schema.base import Count, Finite, Id, Money, Name, NonNegative, Share, Strict, Year
from allocator.schema.expr import KINDS, ExpressionError, Ref, parse
from allocator.schema.expr import Relation as ParsedRelation
from allocator.schema.instance import Instance
from allocator.schema.names import unknown_name

Problems = list[tuple[str, Any, str]]
"""(field path, value, what is wrong) for names a rule gives that the instance lacks."""


class RuleSpec(Strict):
    """What every rule kind offers: its kind, its subject, and the names it needs."""

    kind: ClassVar[str]
    rule: str
    """The kind's name, as written in model files (each kind narrows it to its own literal)."""

    @property
    def subject(self) -> str | None:
        """What the rule is about (a pillar, a group, a region, a relation's label); None for a
        rule about the whole budget. Scenario paths (`rules.KIND.SUBJECT.FIELD`), duplicate
        checks and audit rows use it."""
        return None

    @property
    def identity(self) -> str:
        """What makes two rules of this kind the same rule (a second one is an error)."""
        return self.subject or ""

    @property
    def path_names(self) -> tuple[str, ...]:
        """The names a scenario path may give this rule by (`rules.KIND.NAME.FIELD`)."""
        return (self.subject,) if self.subject else ()

    def problems(self, inst: Instance, at: str) -> Problems:
        """Names in the rule that `inst` lacks, as (path under `at`, value, problem)."""
        return []


def _each_year_once(years: list[int] | None) -> list[int] | None:
    """A rule's `years`: each once, and not an empty list (which would build nothing)."""
    if years is not None and len(set(years)) != len(years):
        raise ValueError("each year once, such as [2027, 2028]")
    if years is not None and not years:
        raise ValueError("an empty list of years builds nothing; leave `years` out for every year")
    return years


def _years_outside(years: list[int] | None, inst: Instance, at: str) -> Problems:
    """A rule's `years` that the instance does not have."""
    known = ", ".join(map(str, inst.years))
    return [
        (f"{at}.years", year, f"{year} is outside the instance's years ({known})")
        for year in years or []
        if year not in inst.years
    ]


RULE_KINDS: dict[str, type[RuleSpec]] = {}
"""Every rule kind a model may declare, by the name used in files."""


def rule_kind(cls: type[RuleSpec]) -> type[RuleSpec]:
    """Register a rule class under the literal of its `rule` field."""
    (name,) = get_args(cls.model_fields["rule"].annotation)
    if name in RULE_KINDS:
        raise RuntimeError(f"rule kind {name!r} registered twice")
    cls.kind = name
    RULE_KINDS[name] = cls
    return cls


def _unknown_group(inst: Instance, group: str, at: str) -> Problems:
    """The problem of a rule naming a group no line is in (none when one is): looked up in the
    instance's classifications, made once, not in a scan of every line for every rule."""
    known = classifications(inst)["group"]
    if group in known:
        return []
    return [(f"{at}.group", group, unknown_name("group", sorted(known), group))]


@rule_kind
class PillarShare(RuleSpec):
    """A pillar's government money stays between `min` and `max` of the year's government money."""

    rule: Literal["pillar_share"]
    pillar: Name
    min: Share | None = None
    max: Share | None = None

    @property
    def subject(self) -> str:
        return self.pillar

    def problems(self, inst: Instance, at: str) -> Problems:
        pillars = [p.id for p in inst.pillars]
        if self.pillar not in pillars:
            return [(f"{at}.pillar", self.pillar, unknown_name("pillar", pillars, self.pillar))]
        if self.min and not any(self.pillar in line.shares for line in inst.lines):
            return [
                (
                    f"{at}.min",
                    self.min,
                    f"pillar {self.pillar!r} has no lines, so a floor of {self.min * 100:g}% would "
                    "force every year's spending to 0; give the pillar a line or drop the floor",
                )
            ]
        return []

    @model_validator(mode="after")
    def _bounds(self) -> PillarShare:
        if self.min is None and self.max is None:
            raise ValueError("a pillar_share rule needs min, max or both (fractions such as 0.30)")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(
                f"min {self.min:g} is above max {self.max:g}; lower the min or raise the max"
            )
        return self


@rule_kind
class NewInitiativeShare(RuleSpec):
    """New initiatives get at least `min` of each year's government money (of the `years` given:
    a line's `new` flag says it is new in the budget that flags it, not for ever)."""

    rule: Literal["new_initiative_share"]
    min: Share
    years: list[Year] | None = None
    """The years it holds in (default: every year of the instance)."""

    @field_validator("years")
    @classmethod
    def _once_each(cls, years: list[int] | None) -> list[int] | None:
        return _each_year_once(years)

    def problems(self, inst: Instance, at: str) -> Problems:
        return _years_outside(self.years, inst, at)


@rule_kind
class Ramp(RuleSpec):
    """A line's government money changes by at most `max_change` × its cap from year to year."""

    rule: Literal["ramp"]
    max_change: NonNegative


class GroupRule(RuleSpec):
    """A rule about the go/no-go lines of one group (`groups:` on the lines)."""

    group: Name

    @property
    def subject(self) -> str:
        return self.group

    def problems(self, inst: Instance, at: str) -> Problems:
        return _unknown_group(inst, self.group, at)


@rule_kind
class Cardinality(GroupRule):
    """At least `min`, at most `max`, or `exactly` so many go/no-go lines of `group` are
    selected."""

    rule: Literal["cardinality"]
    min: Count | None = None
    max: Count | None = None
    exactly: Count | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Cardinality:
        if self.exactly is not None and (self.min is not None or self.max is not None):
            raise ValueError("a cardinality rule gives exactly, or min and/or max, not both")
        if self.exactly is None and self.min is None and self.max is None:
            raise ValueError(
                "a cardinality rule needs min, max or exactly (a number of lines), such as max: 5"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}; lower min or raise max")
        return self


@rule_kind
class Exclusive(GroupRule):
    """At most one line of `group` is selected (exactly one with `exactly: true`)."""

    rule: Literal["exclusive"]
    exactly: bool = False
    """True: exactly one line of the group is selected (one of the options must be taken)."""


@rule_kind
class Implies(RuleSpec):
    """If one go/no-go line is (or is not) selected, another must (or must not) be: `if: A`,
    `then: B`; `"not A"` negates; `both_ways: true` makes it "if and only if"."""

    model_config = ConfigDict(**Strict.model_config, populate_by_name=True)
    rule: Literal["implies"]
    if_: str = Field(alias="if")
    """The condition: a go/no-go line's id (selected), or `not ID` (not selected)."""
    then: str
    """The consequence: a go/no-go line's id (must be selected), or `not ID` (must not be)."""
    both_ways: bool = False
    """True: the consequence also implies the condition (if and only if)."""

    @staticmethod
    def literal(text: str) -> tuple[str, bool]:
        """`not A` → ("A", False); `A` → ("A", True)."""
        words = text.split()
        if len(words) == 2 and words[0].lower() == "not":
            return words[1], False
        return text.strip(), True

    @property
    def subject(self) -> str:
        return f"{self.if_.replace(' ', '_')}->{self.then.replace(' ', '_')}"

    def problems(self, inst: Instance, at: str) -> Problems:
        out: Problems = []
        for field, text in (("if", self.if_), ("then", self.then)):
            line, _ = self.literal(text)
            if line not in _selectable(inst):
                chosen = [line.id for line in inst.lines if line.select]
                out.append(
                    (
                        f"{at}.{field}",
                        text,
                        unknown_name("go/no-go line (select: true)", chosen, line)
                        + "; write an id or `not ID`",
                    )
                )
        return out


@rule_kind
class GroupTotal(RuleSpec):
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

    @property
    def identity(self) -> str:
        return f"{'group' if self.group is not None else 'region'} {self.subject}/{self.over}"

    @property
    def path_names(self) -> tuple[str, ...]:
        return (self.subject, f"{self.subject}/{self.over}")

    def problems(self, inst: Instance, at: str) -> Problems:
        if self.group is not None and (problem := _unknown_group(inst, self.group, at)):
            return problem
        if self.region is not None:
            regions = [r.id for r in inst.regions]
            if self.region not in regions:
                return [(f"{at}.region", self.region, unknown_name("region", regions, self.region))]
        return []


@rule_kind
class Relation(RuleSpec):
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
        return _each_year_once(years)

    def relation(self) -> ParsedRelation:
        """The parsed expression."""
        return parse(self.expr)

    @property
    def label(self) -> str:
        """The name its constraints carry: the user's `name` or the expression without spaces."""
        return self.name or self.relation().canonical

    @property
    def subject(self) -> str:
        return self.label

    def problems(self, inst: Instance, at: str) -> Problems:
        problems: Problems = []
        try:
            parsed = self.relation()
            resolve(parsed, inst)
        except ExpressionError as exc:
            problems.append((f"{at}.expr", self.expr, str(exc)))
        else:
            for ref in parsed.coefs:
                if ref[2] is not None and not all(y in inst.years for y in ref[2]):
                    where = (
                        f"{ref[2][0]}" if ref[2][0] == ref[2][1] else f"{ref[2][0]}..{ref[2][1]}"
                    )
                    problems.append(
                        (
                            f"{at}.expr",
                            self.expr,
                            f"{ref[1]}[{where}] names a year outside the instance's years "
                            f"({', '.join(map(str, inst.years))})",
                        )
                    )
        return problems + _years_outside(self.years, inst, at)


@rule_kind
class Growth(RuleSpec):
    """The money of a line, group, pillar or region — or the `total` — changes from one year to
    the next by at most `max` (a growth rate: 0.1 is +10 %) and at least `min` (−0.05 is −5 %)."""

    rule: Literal["growth"]
    of: str
    """A pillar, line group, line or region as a relation names it (`pillar:talent` when
    ambiguous), or `total` for all government money."""
    max: Finite | None = None
    min: Finite | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Growth:
        if self.max is None and self.min is None:
            raise ValueError("a growth rule needs max, min or both (rates such as 0.1 for +10 %)")
        if self.min is not None and self.min < -1:
            raise ValueError(f"min {self.min:g} is below −1 (−100 %): money cannot fall further")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        return self

    @property
    def subject(self) -> str:
        return self.of

    def members(self, inst: Instance) -> Members:
        """The lines whose money the rule follows, with the share of each that counts."""
        if self.of == "total":
            return {line.id: 1.0 for line in inst.lines}
        return next(iter(resolve(parse(f"{self.of} >= 0"), inst).values()))[1]

    def problems(self, inst: Instance, at: str) -> Problems:
        if self.of == "total":
            return []
        try:
            self.members(inst)
        except ExpressionError as exc:
            return [(f"{at}.of", self.of, exc.problem)]
        return []


Members = dict[str, float]
"""The lines a name covers, each with the share of its money that counts (1 for a whole line)."""


def classifications(inst: Instance) -> dict[str, dict[str, Members]]:
    """What a name in a relation may stand for, by kind: pillar, group, line, region → the lines
    it covers, each with the share of its money that counts (a pillar counts a line by its
    membership share). Worked out once for the instance's lines and pillars (every relation and
    growth rule asks, in every build and check); shared, never to be altered."""
    return _remembered(inst, "classifications", _classify)


def _classify(inst: Instance) -> dict[str, dict[str, Members]]:
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


def _selectable(inst: Instance) -> set[str]:
    """The go/no-go lines' ids (every `implies` rule asks)."""
    return _remembered(inst, "selectable", lambda i: {ln.id for ln in i.lines if ln.select})


T = TypeVar("T")


def _remembered(inst: Instance, what: str, make: Callable[[Instance], T]) -> T:
    """`make(inst)`, worked out once for the instance's lines and pillars and kept beside it (a
    private attribute would make it unequal to a copy never built), dropped with it."""
    key = id(inst)
    known = _KEPT.get(key)
    if known is None or known[0]() is not inst or known[1:3] != (id(inst.lines), id(inst.pillars)):
        ref = weakref.ref(inst, lambda _, key=key: _KEPT.pop(key, None))  # type: ignore[misc]
        known = _KEPT[key] = (ref, id(inst.lines), id(inst.pillars), {})
    found: dict[str, Any] = known[3]
    if what not in found:
        found[what] = make(inst)
    made: T = found[what]
    return made


_KEPT: dict[int, tuple[Any, ...]] = {}
"""By instance id: a weak reference to it, the ids of its lines and pillars, what was made."""


def resolve(relation: ParsedRelation, inst: Instance) -> dict[Ref, tuple[str, Members]]:
    """Each name of `relation` → (its kind, the lines it covers with their shares); raises
    `ExpressionError` at the name's column when it is unknown or ambiguous."""
    kinds = classifications(inst)
    out: dict[Ref, tuple[str, Members]] = {}
    for ref in relation.coefs:
        qualifier, name, _ = ref
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


if TYPE_CHECKING:
    Rule = RuleSpec
else:
    Rule = Annotated[Union[tuple(RULE_KINDS.values())], Field(discriminator="rule")]  # noqa: UP007
"""Any registered rule kind, told apart by its `rule:` field (generated from the registry)."""
