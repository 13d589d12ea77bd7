"""Results layer: a solve's status and numbers as DataFrames in the instance's own words."""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from allocator import explain
from allocator.check.verify import Plan, impact_value, kpi_levels, level_value, verify
from allocator.errors import AllocatorError, NoAllocationError
from allocator.formulation import Formulation
from allocator.results.output import check_output_dir
from allocator.schema import Instance, ModelSpec
from allocator.solver.highs import Solution
from allocator.solver.lexicographic import LevelOutcome
from allocator.solver.status import Status
from allocator.words import Lang, assumed_note, check_lang, objective_unit, point

GOVERNMENT, PRIVATE = "government", "private"


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
    violations: list[str] = field(default_factory=list)
    """What the checker found broken (the residuals), when `verified` is False."""
    retried_without_presolve: bool = False
    highs_status: str = ""
    built: Formulation | None = field(default=None, repr=False)
    solution: Solution | None = field(default=None, repr=False)
    level_outcomes: list[LevelOutcome] = field(default_factory=list)
    """For a lexicographic model: each priority level's optimum and the bound it was held to."""
    _diagnosis: explain.Diagnosis | None = field(default=None, repr=False)
    _studies: dict[int | None, dict[str, Any]] = field(default_factory=dict, repr=False)
    _plan: Plan | None = field(default=None, repr=False)
    _allocation: pd.DataFrame | None = field(default=None, repr=False)

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
            res.verified = not res.violations
        return res

    @property
    def gap_abs(self) -> float | None:
        """The gap in objective units (|objective − bound|)."""
        sol = self.solution
        if sol is None or sol.objective is None or sol.bound is None:
            return None
        return abs(sol.objective - sol.bound) if math.isfinite(sol.bound) else math.inf

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
        if not self.status.has_allocation or self.built is None or self.solution is None:
            raise NoAllocationError(
                f"no allocation: the solve ended {self.status.value} ({self.status.describe()})"
            )
        return self.built, self.solution

    def plan(self) -> Plan:
        """The returned numbers as the checker reads them."""
        built, sol = self._need_allocation()
        if self._plan is not None:
            return self._plan
        self._plan = Plan(
            gov={k: _clean(sol.value(v)) for k, v in built.gov.items()},
            private={k: _clean(sol.value(v)) for k, v in built.private.items()},
            selected={k: sol.value(v) > 0.5 for k, v in built.selected.items()},
            units={k: sol.value(v) for k, v in built.units.items()},
            draws={k: _clean(sol.value(v)) for k, v in built.draw.items()},
            carry={k: _clean(sol.value(v)) for k, v in built.carry.items()},
            starts={k: sol.value(v) for k, v in built.starts.items()},
        )
        return self._plan

    @property
    def allocation(self) -> pd.DataFrame:
        """Money per line, year and source (government, private pool, or a named fund), in the
        currency unit; `pillar` is the line's main pillar."""
        if self._allocation is not None:
            return self._allocation.copy()
        plan = self.plan()
        funds = {
            line.id: [f.id for f in self.instance.funds if line.id in f.lines]
            for line in self.instance.lines
        }
        records = []
        for line in self.instance.lines:
            for y in self.instance.years:
                amounts = [(GOVERNMENT, plan.g(line.id, y)), (PRIVATE, plan.p(line.id, y))]
                amounts += [(f, plan.draws.get((f, line.id, y), 0.0)) for f in funds[line.id]]
                for source, amount in amounts:
                    records.append(
                        {
                            "line": line.id,
                            "name": line.name,
                            "pillar": line.main_pillar,
                            "year": y,
                            "source": source,
                            "amount": amount,
                        }
                    )
        self._allocation = pd.DataFrame.from_records(records)
        return self._allocation.copy()

    @property
    def pillars(self) -> pd.DataFrame:
        """Per pillar and year: government, private, amount (both) and share (of the year's
        government money — the quantity the pillar-share rule limits). Private counts the pool
        and every fund; a line in several pillars counts in each by its share."""
        alloc = self._by_pillar()
        alloc["source"] = alloc["source"].where(alloc["source"] == GOVERNMENT, PRIVATE)
        table = alloc.pivot_table(
            index=["pillar", "year"],
            columns="source",
            values="amount",
            aggfunc="sum",
            fill_value=0.0,
        )
        table = table.reindex(columns=[GOVERNMENT, PRIVATE], fill_value=0.0).reset_index()
        order = {p.id: i for i, p in enumerate(self.instance.pillars)}
        rows = pd.DataFrame(
            [(p.id, p.name, y) for p in self.instance.pillars for y in self.instance.years],
            columns=["pillar", "name", "year"],
        )
        table = rows.merge(table, on=["pillar", "year"], how="left").fillna(
            {GOVERNMENT: 0.0, PRIVATE: 0.0}
        )
        table["amount"] = table[GOVERNMENT] + table[PRIVATE]
        year_total = table.groupby("year")[GOVERNMENT].transform("sum")
        table["share"] = (table[GOVERNMENT] / year_total.where(year_total > 0)).fillna(0.0)
        table = table.sort_values(
            ["year", "pillar"], key=lambda c: c.map(order) if c.name == "pillar" else c
        )
        return table.reset_index(drop=True)[
            ["pillar", "name", "year", GOVERNMENT, PRIVATE, "amount", "share"]
        ]

    def _by_pillar(self) -> pd.DataFrame:
        """The allocation with each line's money split over its pillars by membership share."""
        shares = pd.DataFrame(
            [(ln.id, p, w) for ln in self.instance.lines for p, w in ln.shares.items()],
            columns=["line", "pillar", "weight"],
        )
        alloc = self.allocation.drop(columns="pillar").merge(shares, on="line")
        alloc["amount"] = alloc["amount"] * alloc["weight"]
        return alloc

    def funding(self) -> pd.DataFrame:
        """Per pillar, year and source (government, private pool, each named fund): the money."""
        alloc = self._by_pillar()
        sources = [GOVERNMENT, PRIVATE, *(f.id for f in self.instance.funds)]
        table = alloc.groupby(["pillar", "year", "source"], sort=False)["amount"].sum()
        index = pd.MultiIndex.from_product(
            [[p.id for p in self.instance.pillars], self.instance.years, sources],
            names=["pillar", "year", "source"],
        )
        return table.reindex(index, fill_value=0.0).reset_index()

    @property
    def kpis(self) -> pd.DataFrame:
        """Per KPI and year: level, target (NaN where none) and shortfall below the target."""
        levels = kpi_levels(self.instance, self.plan())
        targets = {(t.kpi, t.year): t.value for t in self.instance.targets}
        records = []
        for kpi in self.instance.kpis:
            for y in self.instance.years:
                level, target = levels[kpi.id, y], targets.get((kpi.id, y), math.nan)
                records.append(
                    {
                        "kpi": kpi.id,
                        "name": kpi.name,
                        "unit": kpi.unit,
                        "year": y,
                        "level": level,
                        "target": target,
                        "shortfall": max(0.0, target - level)
                        if not math.isnan(target)
                        else math.nan,
                    }
                )
        columns = ["kpi", "name", "unit", "year", "level", "target", "shortfall"]
        return pd.DataFrame.from_records(records, columns=columns)

    def levels(self) -> pd.DataFrame:
        """For a lexicographic model: per priority level and goal (a KPI target by year, or an
        objective), the weight, target, level reached, shortfall and weighted shortfall, with the
        level's optimum, the bound it was held to and its value in the final plan."""
        columns = [
            "level",
            "priority",
            "goal",
            "kpi",
            "year",
            "weight",
            "target",
            "achieved",
            "shortfall",
            "weighted_shortfall",
            "level_optimum",
            "level_held_at",
            "level_value",
        ]
        if not self.model.levels:
            return pd.DataFrame(columns=columns)
        plan = self.plan()
        reached = kpi_levels(self.instance, plan)
        outcomes = {o.name: o for o in self.level_outcomes}
        records: list[dict[str, Any]] = []
        for priority, level in enumerate(self.model.levels, start=1):
            outcome = outcomes.get(level.name)
            common = {
                "level": level.name,
                "priority": priority,
                "level_optimum": outcome.optimum if outcome else math.nan,
                "level_held_at": outcome.held_at
                if outcome and outcome.held_at is not None
                else math.nan,
                "level_value": level_value(self.instance, level, plan, self.model),
            }
            for goal in level.goals:
                if goal.objective is not None:
                    impact = impact_value(self.instance, plan)
                    achieved = impact if goal.objective == "max_impact" else sum(plan.gov.values())
                    records.append(
                        common
                        | {
                            "goal": goal.label,
                            "weight": 1.0 if goal.weight is None else goal.weight,
                            "achieved": achieved,
                        }
                    )
                    continue
                weight = self.model.weight(str(goal.kpi)) if goal.weight is None else goal.weight
                for t in self.instance.targets:
                    if t.kpi != goal.kpi or goal.year not in (None, t.year):
                        continue
                    short = max(0.0, t.value - reached[t.kpi, t.year])
                    records.append(
                        common
                        | {
                            "goal": goal.label,
                            "kpi": t.kpi,
                            "year": t.year,
                            "weight": weight,
                            "target": t.value,
                            "achieved": reached[t.kpi, t.year],
                            "shortfall": short,
                            "weighted_shortfall": weight * short / t.value,
                        }
                    )
        table = pd.DataFrame.from_records(records, columns=columns)
        table["year"] = table["year"].astype("Int64")  # blank on objective goals
        return table

    @property
    def selected(self) -> pd.DataFrame:
        """The go/no-go decisions: line, name, selected."""
        plan = self.plan()
        names = {line.id: line.name for line in self.instance.lines}
        records = [{"line": k, "name": names[k], "selected": v} for k, v in plan.selected.items()]
        return pd.DataFrame.from_records(records, columns=["line", "name", "selected"])

    def audit(self, lang: Lang = "en") -> pd.DataFrame:
        """Every rule instance: state (binding, slack, short, always holds), slack in its own
        unit, shadow price, and origin (model rule or instance figure, with its source); texts
        in `lang`."""
        built, sol = self._need_allocation()
        return explain.audit(built, sol, check_lang(lang))

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
        built, sol = self._need_allocation()
        if resolves not in self._studies:
            self._studies[resolves] = explain.studies(built, sol, resolves, progress)
        return explain.shadow_prices(built, sol, check_lang(lang), self._studies[resolves])

    def step_function(
        self, rule: str, low: float, high: float, tolerance: float | None = None
    ) -> pd.DataFrame:
        """The optimum as a function of `rule`'s figure (`budget[2027]` moves `budget.2027`)
        from `low` to `high`, by re-solves: one row per piece on which it is linear — `start`,
        `end`, the `objective` at the start and its `slope` per unit — each end located by
        bisection to `tolerance`. For a 0-1 problem the slopes are 0: a step function."""
        built, sol = self._need_allocation()
        return explain.step_function(built, sol, rule, low, high, tolerance)

    def impact_ranges(self) -> pd.DataFrame:
        """For each funded line and year, the objective-coefficient interval that keeps the
        allocation optimal."""
        built, sol = self._need_allocation()
        return explain.impact_ranges(built, sol)

    def price_of_policies(self, per_instance: bool = False, lang: Lang = "en") -> pd.DataFrame:
        """What each policy costs: the objective's change when it is removed (exact re-solves)."""
        built, sol = self._need_allocation()
        return explain.price_of_policies(built, sol, per_instance, check_lang(lang))

    def diagnosis(self) -> explain.Diagnosis:
        """For an infeasible solve: the colliding rules, their numbers and ranked repairs."""
        if self.status != Status.infeasible or self.built is None:
            raise AllocatorError(f"diagnosis is for infeasible solves; this one is {self.status}")
        if self._diagnosis is None:
            options = self.solution.options if self.solution else None
            self._diagnosis = explain.diagnose(self.built, options)
        return self._diagnosis

    def explain(self, lang: Lang = "en", resolves: int | None = None) -> pd.DataFrame:
        """The binding rules and their marginal values (for a MIP, from re-solves of the MIP:
        see `shadow_prices`); for an infeasible solve, the rules that collide with the smallest
        repair of each."""
        if self.status == Status.infeasible:
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
        prices = self.shadow_prices(lang, resolves).set_index("rule").sentence
        out = binding[["rule", "text", "state", "slack", "unit", "shadow_price"]].copy()
        out["sentence"] = out.rule.map(prices).fillna("")
        return out.reset_index(drop=True)

    def summary(self) -> dict[str, Any]:
        """Status, objective, gap and verification: the same for the same inputs and options."""
        return {
            "instance": self.instance.name,
            "model": self.model.name,
            "status": self.status.value,
            "status_text": self.status.describe(),
            "highs_status": self.highs_status,
            "objective": self.objective,
            "objective_kind": self.model.objective,
            "objective_unit": objective_unit(self.model.objective, self.instance.currency_unit),
            "objective_point": point(self.instance, self.model),
            "objective_assumed": assumed_note(self.instance, self.model),
            "gap": self.gap,
            "gap_abs": self.gap_abs,
            "verified": self.verified,
            "violations": self.violations,
            "retried_without_presolve": self.retried_without_presolve,
            "vacuous_rules": self.vacuous_rules,
            "currency_unit": self.instance.currency_unit,
        } | (
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

    def manifest(self) -> dict[str, Any]:
        """How the result was made: input hashes, software versions, solver options, wall time."""
        options = self.solution.options if self.solution else None
        return {
            "inputs": self.instance.files | self.model.files,
            "versions": {name: _version(name) for name in ("allocator", "pyomo", "highspy")},
            "options": {
                "time_limit": options.time_limit if options else None,
                "mip_gap": options.mip_gap if options else None,
                "threads": options.threads if options else None,
                "seed": options.seed if options else None,
                "presolve": options.presolve if options else None,
                "highs": dict(options.highs) if options else {},
            },
            "solve_seconds": self.runtime,
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def to_dir(self, path: str | Path, force: bool = False) -> Path:
        """Write allocation, pillars, KPIs (CSV), summary.json and manifest.json, all or nothing.

        A folder that exists and holds files is replaced only with `force`; until the new folder
        is complete the old one stays as it was."""
        target = check_output_dir(path, force)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
        try:
            if self.status.has_allocation:
                self.allocation.to_csv(staging / "allocation.csv", index=False)
                self.pillars.to_csv(staging / "pillars.csv", index=False)
                self.kpis.to_csv(staging / "kpis.csv", index=False)
                if self.model.levels:
                    self.levels().to_csv(staging / "levels.csv", index=False)
            for name, data in (
                ("summary.json", self.summary()),
                ("manifest.json", self.manifest()),
            ):
                text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
                (staging / name).write_text(text + "\n", encoding="utf-8")
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            if target.exists():
                os.replace(target, old)
            os.replace(staging, target)
            if old.exists():
                shutil.rmtree(old) if old.is_dir() else old.unlink()
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return target


def _clean(x: float) -> float:
    return 0.0 if abs(x) < 1e-9 else x


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:  # pragma: no cover - only outside an installed package
        return "unknown"
