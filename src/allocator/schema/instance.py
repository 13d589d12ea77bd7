"""The `Instance`: the facts of a budget problem (years, pillars, money, lines, KPIs, targets)."""

from __future__ import annotations

from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PrivateAttr, field_validator, model_validator

from allocator.schema.base import (
    MAX_COUNT,
    Coefficient,
    Finite,
    Id,
    Label,
    Money,
    MoneyCoefficient,
    Name,
    NonNegative,
    NonNegativeCoefficient,
    PerYearMoney,
    Prose,
    Share,
    Strict,
    Year,
    YearlyMoney,
    for_year,
    unique_keys,
)
from allocator.schema.capital import (
    Cash,
    Resource,
    carry_cap,
    parse_profile,
)
from allocator.schema.money import CURRENCY_UNITS, CurrencyUnit, currency_unit
from allocator.schema.planning import Fund, Region, parse_curve, parse_membership
from allocator.schema.references import reference_problems, spelling_problems
from allocator.schema.uncertainty import Uncertainty, uncertainty_problems

PillarMembership = Annotated[
    str | dict[str, Share], Field(union_mode="left_to_right"), BeforeValidator(parse_membership)
]
Curve = Annotated[list[tuple[float, float]] | None, BeforeValidator(parse_curve)]
Profile = Annotated[dict[Year, float] | None, BeforeValidator(parse_profile)]

FIRST_YEAR, LAST_YEAR = 1900, 2200
"""The calendar years an instance's horizon may hold (anything else is a typo)."""
LAST_PERIOD = 200
"""Period labels 0..T (a textbook's time 0, 1, 2) run up to this."""


class CrossReferenceError(ValueError):
    """Cross-reference problems found after the fields themselves are valid."""

    def __init__(self, problems: list[tuple[str, Any, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{path}: {problem}" for path, _, problem in problems))


class Pillar(Strict):
    """A policy pillar (infrastructure, talent, AX, R&D)."""

    id: Id
    name: Name
    name_ko: Name | None = None


class Kpi(Strict):
    """A key performance indicator whose level the lines' money raises."""

    id: Id
    name: Name
    name_ko: Name | None = None
    unit: Label = ""
    baseline: Finite = 0.0
    """Level before the first year."""
    cumulative: bool = True
    """True: a stock that accumulates over the years; false: a per-year flow."""
    lifetime: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    """Years an addition to a stock stays in service (GPUs age out); none: for ever."""
    baseline_year: Year | None = None
    """Year the baseline stock was added; with `lifetime` it retires `lifetime` years later."""
    additions: dict[Year, Finite] | None = None
    """Exogenous additions by year, outside the budget (GPUs companies buy on their own, an
    already-funded supercomputer): counted in the level from that year, like a line's yield (for
    `lifetime` years in a stock; in that year only in a flow)."""


class Line(Strict):
    """A budget line: a programme money can go to."""

    id: Id
    name: Name
    name_ko: Name | None = None
    pillar: PillarMembership
    """The pillar, or fractional membership such as {infra: 0.7, rnd: 0.3} (shares sum to 1)."""
    region: Name | None = None
    """The region the line's money goes to (an id from the instance's `regions`)."""
    new: bool = False
    """A new initiative (counts toward the new-initiative share)."""
    min: PerYearMoney = 0.0
    """Government money floor (per year, or one figure for every year)."""
    max: PerYearMoney | None = None
    """Government money cap; none means no cap beyond the budget."""
    leverage: NonNegativeCoefficient = 0.0
    """Private won the fund may add per government won (0: not fund-eligible)."""
    impact: Finite = 0.0
    """Objective value per unit of government money."""
    private_impact: Finite = 0.0
    """Objective value per unit of private money."""
    yields: Annotated[dict[Name, Coefficient], BeforeValidator(lambda v: unique_keys(v, "KPI"))] = (
        Field(default_factory=dict)
    )
    """KPI units per unit of money (government plus private)."""
    delivers: dict[str, dict[Year, Finite]] = Field(default_factory=dict)
    """KPI units the line adds once, in a year, whatever its money: `{gpus: {2028: 15000}}` (a
    project's GPUs from the year it runs). For a go/no-go line only if it is funded."""
    unit_cost: MoneyCoefficient | None = None
    integer: bool = False
    """Money comes in whole units of `unit_cost`."""
    select: bool = False
    """A go/no-go decision over the whole horizon."""
    requires: list[Name] = Field(default_factory=list)  # all of these lines, funded
    requires_any: list[Name] = Field(default_factory=list)
    """Lines at least one of which must be funded for this one to be (any of)."""
    groups: list[Name] = Field(default_factory=list)
    schedule: PerYearMoney | None = None
    """A committed project: exactly this government money each year if funded (0 in years the
    schedule leaves out); with `select: true` all or nothing over the span."""
    span: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    """Whole units started in a year stay funded for this many years (teams on three-year
    grants): once started, continue. Needs `integer: true`."""
    max_starts: int | None = Field(default=None, ge=0, le=MAX_COUNT)
    """At most this many units started over the horizon (at most five LLM teams)."""
    curve: Curve = None
    """Diminishing (or threshold) returns: the objective value of a year's government money
    as points `money: value`, linear between them; replaces `impact`."""
    total_max: Money | None = None
    """All money (government, private pool and fund draws) over the whole horizon: a project's
    total cost (rule `line_total`)."""
    profile: Profile = None
    """A project's outlay per year when taken whole, such as {0: 11, 1: 3}; a negative figure is
    money coming back. The line's government money is `scale × profile` (its inflows raise
    that year's budget), taken at a scale between `min_scale` and `max_scale` (default 0 to 1:
    a divisible project), whole copies with `integer: true`, or 0 or 1 with `select: true`."""
    min_scale: NonNegative = 0.0
    """The least share (or number of copies) of the project taken."""
    max_scale: NonNegative | None = None
    """The most share (or number of copies) of the project taken; default 1."""
    value: Finite = 0.0
    """The project's worth when taken whole (its NPV), counted once — times the scale for a
    profile, times the go/no-go choice for `select: true` — in the objective beside `impact`."""
    uses: dict[str, NonNegative] = Field(default_factory=dict)
    """Resource units (staff-years, GPUs, m²) per unit of government money, by resource id."""
    needs: dict[str, PerYearMoney] = Field(default_factory=dict)
    """Resource units a chosen project takes a year (× its choice or scale): {staff: {0: 3}}."""
    returns: dict[int, NonNegative] = Field(default_factory=dict)
    """Money that comes back per unit of government money spent, by lag in periods:
    {1: 0.5, 2: 1.0} returns half a won a period later and a won two periods later; the
    returns raise those periods' budgets (inside the horizon)."""
    reported: YearlyMoney | None = None
    """Government money the budget as passed gives the line, per year (`reported.2026` in a
    CSV table): data, not a bound — `--plan reported` scores it. Its provenance is a source
    about `lines.ID.reported`."""

    @property
    def top_scale(self) -> float | None:
        """A profiled project's largest scale: `max_scale`, else 1 (whole copies: no bound)."""
        return 1.0 if self.max_scale is None and not self.integer else self.max_scale

    @property
    def shares(self) -> dict[str, float]:
        """Pillar membership as {pillar: share}."""
        return {self.pillar: 1.0} if isinstance(self.pillar, str) else dict(self.pillar)

    @property
    def main_pillar(self) -> str:
        """The pillar with the largest share (the first listed on a tie)."""
        shares = self.shares
        return max(shares, key=lambda p: shares[p])


class Target(Strict):
    """A KPI level to reach in a year (hard or soft, as the model says)."""

    kpi: Name
    year: Year
    value: Finite = Field(json_schema_extra={"exclusiveMinimum": 0})
    """The level to reach, above 0."""
    at_most: bool = False
    """An upper bound instead: the level may not exceed `value` (hard under every regime, no
    shortfall) — the government's at most 50,000 of the 260,000 GPUs."""

    @field_validator("value")
    @classmethod
    def _positive(cls, value: float) -> float:
        if value <= 0:
            raise ValueError(
                "a target must be above 0: a shortfall is measured as a share of the target, and "
                "a level of 0 or less needs no money; remove the target or give a level above 0"
            )
        return value


class Source(Strict):
    """Provenance of one or more figures: reported (with a citation), derived or assumed."""

    about: Name
    """Dotted path, prefix or glob of the figures covered: `budget.2026`, `lines.INF-01.max`."""
    kind: Literal["reported", "derived", "assumed"]
    cite: Prose | None = None
    note: Prose | None = None
    status: Literal["unconfirmed"] | None = None
    """`unconfirmed`: one source gives the figure and no other confirms it (status U); the
    reports list it among the figures to treat with care."""
    conflict: Prose | None = None
    """The other values sources give for the figure, with their sources; the reports list it
    among the figures to treat with care."""

    @model_validator(mode="after")
    def _explained(self) -> Source:
        if self.kind == "reported" and not self.cite:
            raise ValueError("a reported figure needs `cite` (publication and date)")
        if self.kind in ("derived", "assumed") and not self.note:
            what = "the arithmetic" if self.kind == "derived" else "the reason"
            raise ValueError(f"a {self.kind} figure needs `note` with {what}")
        return self


class Instance(Strict):
    """The facts of one budget problem; the policy regime is a separate `ModelSpec`."""

    name: Id
    title: Prose | None = None
    currency_unit: CurrencyUnit = "bn_krw"
    """The unit of every money figure: won (`bn_krw`, ...), dollars (`usd`, `k_usd`, `m_usd`,
    `bn_usd`) or euros (`eur`, `k_eur`, `m_eur`, `bn_eur`)."""
    years: list[Year] = Field(min_length=1)
    """Calendar years (1900–2200), or period labels 0, 1, ..., T as a textbook numbers them."""
    model: Name | None = None
    """Default model file, relative to the instance file."""
    pillars: list[Pillar] = Field(min_length=1)
    budget: PerYearMoney
    """Government money per year (B)."""
    private_pool: PerYearMoney = 0.0
    """Private money the fund can mobilise per year (Π); 0 where not given."""
    kpis: list[Kpi] = Field(default_factory=list)
    regions: list[Region] = Field(default_factory=list)
    funds: list[Fund] = Field(default_factory=list)
    """Named funding sources with a leverage chain (the National Growth Fund, say)."""
    carryover: PerYearMoney | None = None
    """Unspent government money that may be carried into the next year, at most (none: no
    carry-over)."""
    title_ko: str | None = None
    """The title in Korean, for reports in Korean (`--lang ko`)."""
    resources: list[Resource] = Field(default_factory=list)
    """Non-money resources with per-year limits (staff-years, GPUs, floor space)."""
    cash: Cash | None = None
    """The cash account of a capital budget: carry-over with interest, borrowing repaid with
    interest, final cash (instead of `carryover`)."""
    lines: list[Line] = Field(min_length=1)
    targets: list[Target] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    uncertainty: Uncertainty | None = None
    """Distributions on uncertain figures, for `allocator montecarlo`."""

    _files: dict[str, str] = PrivateAttr(default_factory=dict)
    _allow_outside: bool = PrivateAttr(default=False)

    @model_validator(mode="wrap")
    @classmethod
    def _in_currency_unit(cls, data: Any, handler: Any) -> Instance:
        clashes = spelling_problems(data)
        if clashes:
            raise CrossReferenceError(clashes)
        unit = data.get("currency_unit", "bn_krw") if isinstance(data, dict) else "bn_krw"
        with currency_unit(unit if isinstance(unit, str) and unit in CURRENCY_UNITS else "bn_krw"):
            result: Instance = handler(data)
        return result

    @field_validator("years")
    @classmethod
    def _ordered_years(cls, years: list[int]) -> list[int]:
        odd = [y for y in years if not (FIRST_YEAR <= y <= LAST_YEAR or 0 <= y <= LAST_PERIOD)]
        if odd or (years and years[0] < FIRST_YEAR and years[-1] >= FIRST_YEAR):
            raise ValueError(
                f"{(odd or years)[0]} is not a budget year; years are calendar years from "
                f"{FIRST_YEAR} to {LAST_YEAR}, such as [2026, 2027], or periods from 0 to "
                f"{LAST_PERIOD}, such as [0, 1, 2] (not both)"
            )
        if any(b <= a for a, b in pairwise(years)):
            raise ValueError(
                "years must be listed once each, in increasing order, such as [2026, 2027, 2028]"
            )
        return years

    @model_validator(mode="after")
    def _references(self) -> Instance:
        problems = reference_problems(self)
        if not problems and self.uncertainty is not None:
            problems = uncertainty_problems(self.uncertainty, self.model_dump(), self.years)
        if problems:
            raise CrossReferenceError(problems)
        return self

    def budget_in(self, year: int) -> float:
        """Government money available in `year`."""
        value = for_year(self.budget, year, 0.0)
        assert value is not None
        return value

    def pool_in(self, year: int) -> float:
        """Private money the fund can mobilise in `year`."""
        value = for_year(self.private_pool, year, 0.0)
        assert value is not None
        return value

    def carry_cap(self, year: int) -> float:
        """The most government money that may be carried out of `year` (inf: no cap; 0 when
        the instance allows no carry-over)."""
        return carry_cap(self.cash, self.carryover, year)

    @property
    def carries(self) -> bool:
        """Whether money may be carried between years (`carryover` or `cash`)."""
        return self.carryover is not None or self.cash is not None

    @property
    def scale_max(self) -> dict[str, float | None]:
        """Each profiled line's largest scale (default 1; None: any number of copies)."""
        return {ln.id: ln.top_scale for ln in self.lines if ln.profile is not None}

    def line(self, line_id: str) -> Line:
        """The line with this id."""
        return next(line for line in self.lines if line.id == line_id)

    @property
    def files(self) -> dict[str, str]:
        """Files this instance was read from, with their SHA-256 hashes."""
        return dict(self._files)
