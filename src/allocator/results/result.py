"""Results layer: a solve's status and numbers as DataFrames in the instance's own words (pandas
loaded when a table is first asked for: the terminal's text needs none)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator.check import Plan, Violation, kpi_levels, verify
from allocator.errors import AllocatorError, NoAllocationError
from allocator.formulation import Formulation
from allocator.results import tables
from allocator.results.output import RESULT_FILES
from allocator.results.reach import COLUMNS as REACH_COLUMNS
from allocator.results.reach import plan_of, reach, sentences
from allocator.schema import Instance, ModelSpec, output
from allocator.solver.highs import Solution
from allocator.solver.lexicographic import LevelOutcome
from allocator.solver.status import LOOSE_GAP, Status
from allocator.words import Lang, assumed_note, check_lang, objective_unit, point

if TYPE_CHECKING:
    import pandas as pd

    from allocator import explain
    from allocator.results.against import PlanComparison, PlanInput
    from allocator.results.display import ResultPlot


@dataclass
class Result:
    """The outcome of one solve: status, objective and gap, and — only when there is an answer —
    the allocation, pillar totals and KPI levels, re-verified by an independent checker."""

    status: Status
    instance: Instance
    model: ModelSpec
    objective: float | None = None
    gap: float | None = None
    """Relative gap between the objective and HiGHS's best bound (0 for an LP optimum)."""
    runtime: float = 0.0
    verified: bool = False
    """True when the independent checker found every rule satisfied by the returned numbers."""
    violations: list[Violation] = field(default_factory=list)
    """What the checker found broken (each with its size and unit), when `verified` is False."""
    retried_without_presolve: bool = False
    highs_status: str = ""
    built: Formulation | None = field(default=None, repr=False)
    solution: Solution | None = field(default=None, repr=False)
    level_outcomes: list[LevelOutcome] = field(default_factory=list)
    """For a lexicographic model: each priority level's optimum and the bound it was held to."""
    _diagnosis: explain.Diagnosis | None = field(default=None, repr=False)
    _studies: dict[int | None, dict[str, Any]] = field(default_factory=dict, repr=False)
    _reach: dict[float | None, list[dict[str, Any]]] = field(default_factory=dict, repr=False)
    _plan: Plan | None = field(default=None, repr=False)
    _reached: dict[tuple[str, int], float] | None = field(default=None, repr=False)
    _allocation: pd.DataFrame | None = field(default=None, repr=False)
    plan_rows: tuple[Any, ...] = field(default=(), repr=False)
    """For a scored plan: the amounts it was given (`PlanRow`s)."""
    rules_held: list[str] = field(default_factory=list, repr=False)
    """For a scored plan: the rule instances it satisfies, by name."""
    plan_origin: str | None = None
    """For a scored plan (`allocator.evaluate`): where the plan came from (file, `reported`)."""

    @classmethod
    def from_plan(cls, inst: Instance, spec: ModelSpec, given: PlanInput) -> Result:
        """A given plan scored (status `scored`): its objective computed from the numbers as
        for a solve, and the checker's verdict on every rule (`verified` when none breaks)."""
        from allocator.results.against import scored_fields

        return cls(Status.scored, inst, spec, **scored_fields(inst, spec, given))

    def against(self, plan: Any) -> PlanComparison:
        """This optimum beside a given plan (a path, a DataFrame, `"reported"` or a scored
        Result): moves by line and by pillar and year, KPI differences, the objective gap split
        by line, and for each rule the plan breaks the figure value that would admit it."""
        from allocator.results.against import compare_plan, read_plan

        self._need_allocation()
        if not isinstance(plan, Result):
            plan = Result.from_plan(self.instance, self.model, read_plan(self.instance, plan))
        return compare_plan(self, plan)

    @classmethod
    def from_solution(
        cls, built: Formulation, sol: Solution, levels: list[LevelOutcome] | None = None
    ) -> Result:
        """Wrap HiGHS's answer and run the independent checker on it (with, for a lexicographic
        model, the bound each priority level was held to)."""
        res = cls(
            sol.status,
            built.inst,
            built.spec,
            sol.objective,
            sol.gap,
            sol.runtime,
            highs_status=sol.highs_status,
            built=built,
            solution=sol,
            level_outcomes=list(levels or []),
        )
        if sol.status.has_allocation:
            held = {o.name: o.held_at for o in res.level_outcomes if o.held_at is not None}
            res.violations = verify(built.inst, built.spec, res.plan(), sol.objective, held)
            res.violations += [
                Violation("custom", name, text, by, "units")
                for name, text, by in sol.custom_violations
            ]
            res.verified = not res.violations
        return res

    def _repr_html_(self) -> str:
        """Status, objective, the split by pillar and year, and targets met or short."""
        from allocator.results.display import result_html

        return result_html(self)

    @property
    def plot(self) -> ResultPlot:
        """Charts as matplotlib figures: `res.plot.split()`, `.kpis()`, `.funding()`."""
        from allocator.results.display import ResultPlot

        return ResultPlot(self)

    @property
    def solver(self) -> str:
        """The solver that answered: `highs` (the fast path) or a Pyomo solver's name."""
        return self.solution.solver if self.solution is not None else "highs"

    def _need_highs(self, what: str) -> None:
        if self.solver != "highs":
            raise AllocatorError(
                f"{what} come from HiGHS (its duals, ranging and re-solves); this result was "
                f"solved with {self.solver}. Solve again with solver='highs' (the default) for "
                "them; the allocation, pillars, KPIs and the audit's slacks are here as they are"
            )

    @property
    def gap_abs(self) -> float | None:
        """The gap in objective units (|objective − bound|)."""
        sol = self.solution
        if sol is None or sol.objective is None or sol.bound is None:
            return None
        return abs(sol.objective - sol.bound) if math.isfinite(sol.bound) else math.inf

    @property
    def loose_gap(self) -> float | None:
        """For an optimal MIP whose final gap is above `LOOSE_GAP` (relative, and absolute as
        HiGHS's own tolerance): the relative gap; None for a proven optimum. Such an answer is
        reported as "within x % of the best", never plainly optimal."""
        if self.status != Status.optimal or self.gap is None or self.gap <= LOOSE_GAP:
            return None
        if self.gap_abs is not None and self.gap_abs <= LOOSE_GAP:
            return None
        return self.gap

    @property
    def status_text(self) -> str:
        """The status in plain words, with a loose MIP gap said as "within x % of the best"."""
        return self.status.describe(self.loose_gap)

    @property
    def vacuous_rules(self) -> list[str]:
        """Model rules that built no constraint here (a ramp on a one-year instance, say)."""
        built = self.built
        if built is None:
            return []
        return [f"rules[{i}] ({self.model.rules[i].rule})" for i in built.vacuous]

    @property
    def is_incumbent(self) -> bool:
        """True when the allocation is a limit's best-so-far, not a proven optimum."""
        return self.status in (Status.time_limit_incumbent, Status.limit_incumbent)

    def _need_allocation(self) -> tuple[Formulation, Solution]:
        if self.status == Status.scored:
            raise NoAllocationError("a scored plan has no solve behind it (no prices or ranges)")
        if not self.status.has_allocation or self.built is None or self.solution is None:
            raise NoAllocationError(
                f"no allocation: the solve ended {self.status.value} ({self.status.describe()})"
            )
        return self.built, self.solution

    def plan(self) -> Plan:
        """The returned numbers as the checker reads them."""
        if self._plan is not None:
            return self._plan
        built, sol = self._need_allocation()
        self._plan = plan_of(built, sol.x)
        return self._plan

    @property
    def allocation(self) -> pd.DataFrame:
        """Money per line, year and source (government, private pool, or a named fund), in the
        currency unit; `pillar` is the line's main pillar."""
        return self._allocation_table().copy()

    def _allocation_table(self) -> pd.DataFrame:
        """The allocation, made once; read here, copied for the caller (who may change it)."""
        if self._allocation is None:
            self._allocation = tables.allocation(self.instance, self.plan())
        return self._allocation

    @property
    def pillars(self) -> pd.DataFrame:
        """Per pillar and year: government, private, amount (both) and share (of the year's
        government money — the quantity the pillar-share rule limits). Private counts the pool
        and every fund; a line in several pillars counts in each by its share."""
        return tables.pillars(self.instance, self.plan())

    def cash(self) -> pd.DataFrame:
        """Per year, where the money came from and went: `budget`, `inflows` (profiles' money
        back and `returns`), `carried_in` (with interest), `borrowed`, `spent` (government
        money), `repaid` (loans with interest), `carried_out` (out of the last year: the final
        cash) and `unused` (left neither spent nor carried): the first four add up to the last
        four."""
        return tables.cash(self.instance, self.plan())

    def reach(self, lang: Lang = "en", seconds: float | None = None) -> pd.DataFrame:
        """Every KPI target: whether the plan meets it and, where it misses one, whether any plan
        under the hard rules could (the KPI's level maximised, `reachable`, with `bound` its
        proven limit) — `verdict` out_of_reach, by_choice (with `cost`, what meeting it takes from
        the objective net of the `penalty` its shortfall costs), tie, prefers_other_uses or
        undecided; for an at-most target the plan sits at, the lowest level the rules allow
        (at_cap). `checked`: the re-solve's plan passed the independent checker. `sentence`
        says it in `lang`. Each re-solve stops after `seconds` (default
        `allocator.solver.reach.REACH_SECONDS`; a MIP's answer is then "at least")."""
        import pandas as pd

        rows = self.reach_rows(lang, seconds)
        return pd.DataFrame.from_records(rows, columns=[*REACH_COLUMNS, "sentence"])

    def reach_rows(self, lang: Lang = "en", seconds: float | None = None) -> list[dict[str, Any]]:
        """The rows of `reach` as records (the re-solves made once for both)."""
        built, sol = self._need_allocation()
        if seconds not in self._reach:
            levels = self._levels_reached()
            self._reach[seconds] = reach(built, sol, self.plan(), self.objective, seconds, levels)
        rows = self._reach[seconds]
        cu = self.instance.currency_unit
        said = sentences(rows, self.model.objective, cu, check_lang(lang))
        return [row | {"sentence": s} for row, s in zip(rows, said, strict=True)]

    def funding(self) -> pd.DataFrame:
        """Per pillar, year and source (government, private pool, each named fund): the money."""
        return tables.funding(self.instance, self.plan())

    @property
    def kpis(self) -> pd.DataFrame:
        """Per KPI and year: level, target (NaN where none) and shortfall below the target."""
        return tables.kpis(self.instance, self.plan(), self._levels_reached())

    def kpi_levels(self) -> dict[tuple[str, int], float]:
        """Each KPI's level per year, by (kpi, year): the numbers of `kpis` without the table
        (batch analyses read a few of them for every point)."""
        return dict(self._levels_reached())

    def _levels_reached(self) -> dict[tuple[str, int], float]:
        """Each KPI's level per year under the plan, worked out once (tables and targets)."""
        if self._reached is None:
            self._reached = kpi_levels(self.instance, self.plan())
        return self._reached

    def levels(self) -> pd.DataFrame:
        """For a lexicographic model: per priority level and goal (a KPI target by year, or an
        objective), the weight, target, level reached, shortfall and weighted shortfall, with the
        level's optimum, the bound it was held to and its value in the final plan."""
        plan = self.plan() if self.model.levels else Plan({}, {}, {}, {})
        return tables.levels(self.instance, self.model, plan, self.level_outcomes)

    @property
    def selected(self) -> pd.DataFrame:
        """The go/no-go decisions: line, name, selected."""
        return tables.selected(self.instance, self.plan())

    def audit(self, lang: Lang = "en") -> pd.DataFrame:
        """Every rule instance: state (binding, slack, short, always holds), slack in its own
        unit, shadow price, and origin (model rule or instance figure, with its source); texts
        in `lang`."""
        built, sol = self._need_allocation()
        return _explain().audit(built, sol, check_lang(lang))

    def shadow_prices(
        self,
        lang: Lang = "en",
        resolves: int | None = None,
        progress: Callable[[int, int], object] | None = None,
    ) -> pd.DataFrame:
        """Priced rules: what one more unit of each figure is worth, the figures over which that
        holds, and a sentence (`lang`: en or ko). For a MIP the value and its range come from
        re-solving the MIP with the figure moved: at most `resolves` MIP re-solves (default
        `explain.default_resolves`), the rules that move the objective most first, with
        `progress(done, total)` called after each rule. The fixed-choice LP duals stay as
        `shadow_price`, holding with the chosen projects held."""
        self._need_highs("Shadow prices")
        built, sol = self._need_allocation()
        if resolves not in self._studies:
            self._studies[resolves] = _explain().studies(built, sol, resolves, progress)
        return _explain().shadow_prices(built, sol, check_lang(lang), self._studies[resolves])

    def step_function(
        self, rule: str, low: float, high: float, tolerance: float | None = None
    ) -> pd.DataFrame:
        """The optimum as a function of `rule`'s figure (`budget[2027]` moves `budget.2027`)
        from `low` to `high`, by re-solves: one row per piece on which it is linear — `start`,
        `end`, the `objective` at the start and its `slope` per unit — each end located by
        bisection to `tolerance`. For a 0-1 problem the slopes are 0: a step function."""
        self._need_highs("Step functions")
        built, sol = self._need_allocation()
        return _explain().step_function(built, sol, rule, low, high, tolerance)

    def impact_ranges(self) -> pd.DataFrame:
        """For each funded line and year, the objective-coefficient interval that keeps the
        allocation optimal."""
        self._need_highs("Impact ranges")
        built, sol = self._need_allocation()
        return _explain().impact_ranges(built, sol)

    def price_of_policies(self, per_instance: bool = False, lang: Lang = "en") -> pd.DataFrame:
        """What each policy costs: the objective's change when it is removed (exact re-solves)."""
        self._need_highs("Prices of policies")
        built, sol = self._need_allocation()
        return _explain().price_of_policies(built, sol, per_instance, check_lang(lang))

    def diagnosis(self) -> explain.Diagnosis:
        """For an infeasible solve: the colliding rules, their numbers and ranked repairs."""
        if self.status != Status.infeasible or self.built is None:
            raise AllocatorError(f"diagnosis is for infeasible solves; this one is {self.status}")
        self._need_highs("The colliding rules (HiGHS's irreducible infeasible subset) and repairs")
        if self._diagnosis is None:
            options = self.solution.options if self.solution else None
            self._diagnosis = _explain().diagnose(self.built, options)
        return self._diagnosis

    def explain(self, lang: Lang = "en", resolves: int | None = None) -> pd.DataFrame:
        """The binding rules and their marginal values (for a MIP, from re-solves of the MIP:
        see `shadow_prices`); for an infeasible solve, the rules that collide with the smallest
        repair of each. The `profile` identities are left out: their prices are the budgets'."""
        self._need_highs("Explanations (binding rules with shadow prices, or repairs)")
        if self.status == Status.infeasible:
            import pandas as pd

            diag = self.diagnosis()
            repairs = {r.rule: r.sentence for r in diag.repairs}
            return pd.DataFrame(
                {
                    "rule": diag.rules,
                    "text": diag.texts,
                    "state": "collides",
                    "repair": [repairs.get(name, "") for name in diag.rules],
                }
            )
        table = self.audit()
        binding = table[table.state.isin(["binding", "short (penalised)"])]
        # a profile row only says a project's money is its profile times its scale: its price
        # is the budget's, so the budget rows and the scale bounds carry the explanation
        binding = binding[binding.family != "profile"]
        prices = self.shadow_prices(lang, resolves).set_index("rule").sentence
        out = binding[["rule", "text", "state", "slack", "unit", "shadow_price"]].copy()
        out["sentence"] = out.rule.map(prices).fillna("")
        return out.reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """Status, objective, gap and verification: the same for the same inputs and options."""
        return (
            {
                "instance": self.instance.name,
                "model": self.model.name,
                "status": self.status.value,
                "status_text": self.status_text,
                "solver": self.solver,
                "highs_status": self.highs_status,
                "objective": self.objective,
                "objective_kind": self.model.objective,
                "objective_unit": objective_unit(self.model.objective, self.instance.currency_unit),
                "objective_point": point(self.instance, self.model),
                "objective_assumed": assumed_note(self.instance, self.model),
                "gap": self.gap,
                "gap_abs": self.gap_abs,
                "verified": self.verified,
                "violations": [str(v) for v in self.violations],
                "retried_without_presolve": self.retried_without_presolve,
                "vacuous_rules": self.vacuous_rules,
                "currency_unit": self.instance.currency_unit,
            }
            | ({"plan": self.plan_origin} if self.plan_origin else {})
            | (
                {
                    "levels": [
                        {
                            "level": o.name,
                            "status": o.status.value,
                            "optimum": o.optimum,
                            "held_at": o.held_at,
                        }
                        for o in self.level_outcomes
                    ]
                }
                if self.level_outcomes
                else {}
            )
        )

    def manifest(self) -> dict[str, Any]:
        """How the result was made: input hashes, software versions, solver options, wall time."""
        options = self.solution.options if self.solution else None
        return {
            "inputs": self.instance.files | self.model.files,
            "versions": {name: _version(name) for name in ("allocator", "pyomo", "highspy")}
            | (
                {self.solver: self.solution.solver_version}
                if self.solver != "highs" and self.solution
                else {}
            ),
            "options": {
                "time_limit": options.time_limit if options else None,
                "mip_gap": options.mip_gap if options else None,
                "threads": options.threads if options else None,
                "seed": options.seed if options else None,
                "presolve": options.presolve if options else None,
                "highs": dict(options.highs) if options else {},
                "solver": options.solver if options else "highs",
                "solver_options": dict(options.solver_options) if options else {},
            },
            "solve_seconds": self.runtime,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    @property
    def inputs(self) -> list[str]:
        """The files this result was made from (instance, its tables, model): never written
        over by its outputs."""
        return [*self.instance.files, *self.model.files]

    def to_dir(self, path: str | Path, force: bool = False) -> Path:
        """Write allocation, pillars, KPIs (CSV), summary.json and manifest.json, staged whole
        before anything is replaced (see `allocator.schema.output`).

        A folder that exists and holds files is replaced only with `force`, and then only the
        files an earlier result wrote there (its manifest lists them); other files stay, and a
        folder without such a manifest, or an input of this run among those files, is refused."""
        out = output.target(
            path,
            force=force,
            inputs=self.inputs,
            folder=True,
            legacy=RESULT_FILES,
            make_parents=True,
        )

        def write(staging: Path) -> None:
            if self.status.has_allocation:
                output.to_csv(self._allocation_table(), staging / "allocation.csv")
                output.to_csv(self.pillars, staging / "pillars.csv")
                output.to_csv(self.kpis, staging / "kpis.csv")
                if self.model.levels:
                    output.to_csv(self.levels(), staging / "levels.csv")
            _json(self.summary(), staging / "summary.json")
            _json(self.manifest() | {"outputs": output.hashes(staging)}, staging / output.MANIFEST)

        return output.write_folder(out, write)


def _json(data: dict[str, Any], path: Path) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    path.write_text(text + "\n", encoding="utf-8")


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - only outside an installed package
        return "unknown"


def _explain() -> Any:
    """The explanation layer, imported on first use: a plain solve never needs it (start-up)."""
    import allocator.explain

    return allocator.explain
