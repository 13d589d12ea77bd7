"""A given plan beside the optimum: the moves from one to the other by line and by pillar and
year, KPI differences, the objective gap split by line, and, for each rule the plan breaks, the
value of that rule's figure at which the plan would satisfy it (for a share or a bound: the plan's
own value of the ruled quantity)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from allocator.check import Plan, Violation, line_values, objective_value, verdict
from allocator.check.amounts import plan_from_amounts
from allocator.check.registry import CORE_CHECKS, RULE_CHECKS, Context
from allocator.errors import InputError
from allocator.schema import Instance, ModelSpec
from allocator.schema.paths import locate_figure
from allocator.schema.plans import PlanInput, PlanRow, read_plan
from allocator.schema.validate import validate

Result = Any
"""A `allocator.Result` (not imported here: `Result.against` imports this module)."""


__all__ = ["PlanComparison", "PlanInput", "compare_plan", "read_plan", "repairs", "scored_fields"]


def scored_fields(inst: Instance, spec: ModelSpec, given: PlanInput) -> dict[str, Any]:
    """The fields of a scored plan's `Result`: objective, the checker's verdict, the plan."""
    plan = plan_from_amounts(inst, given.rows)
    checked = verdict(inst, spec, plan)
    broken = {v.name for v in checked.violations}
    return {
        "objective": objective_value(inst, spec, plan),
        "verified": not checked.violations,
        "violations": checked.violations,
        "rules_held": [name for name in checked.held if name not in broken],
        "plan_rows": tuple(given.rows),
        "plan_origin": given.origin,
        "_plan": plan,
    }


@dataclass
class PlanComparison:
    """The plan (a scored `Result`) against the optimum (a solved `Result`)."""

    plan: Result
    optimum: Result
    lines: pd.DataFrame
    """line, year, source, plan, optimum, move (optimum − plan), in the currency unit."""
    pillars: pd.DataFrame
    """pillar, year, plan, optimum, move: government plus private money by pillar share."""
    kpis: pd.DataFrame
    """kpi, year, plan, optimum, difference."""
    objective_by_line: pd.DataFrame
    """line (or the KPI-shortfall term), plan, optimum, gap: the objective gap split by line."""
    repairs: pd.DataFrame
    """rule, figure, given, admits, sentence: for each broken rule, the figure that admits the
    plan (NaN where no value of that figure alone does)."""

    @property
    def gap(self) -> float:
        """Optimum's objective minus the plan's (in the objective's own sense)."""
        return float(self.optimum.objective or 0.0) - float(self.plan.objective or 0.0)


def compare_plan(optimum: Result, plan: Result) -> PlanComparison:
    """The comparison of a scored plan with an optimum of the same instance and model."""
    keys = ["line", "year", "source"]
    a = plan.allocation.set_index(keys)["amount"].rename("plan")
    b = optimum.allocation.set_index(keys)["amount"].rename("optimum")
    lines = pd.concat([a, b], axis=1).fillna(0.0).reset_index()
    lines["move"] = lines["optimum"] - lines["plan"]
    pk = ["pillar", "year"]
    pillars = pd.concat(
        [
            plan.pillars.set_index(pk)["amount"].rename("plan"),
            optimum.pillars.set_index(pk)["amount"].rename("optimum"),
        ],
        axis=1,
    ).reset_index()
    pillars["move"] = pillars["optimum"] - pillars["plan"]
    kk = ["kpi", "year"]
    kpis = pd.concat(
        [
            plan.kpis.set_index(kk)["level"].rename("plan"),
            optimum.kpis.set_index(kk)["level"].rename("optimum"),
        ],
        axis=1,
    ).reset_index()
    kpis["difference"] = kpis["optimum"] - kpis["plan"]
    return PlanComparison(
        plan,
        optimum,
        lines,
        pillars,
        kpis,
        _objective_by_line(optimum, plan),
        repairs(plan),
    )


def _objective_by_line(optimum: Result, plan: Result) -> pd.DataFrame:
    inst, spec = optimum.instance, optimum.model
    p, o = plan.plan(), optimum.plan()
    if spec.objective == "max_impact":
        per_plan, per_opt = line_values(inst, p), line_values(inst, o)
    elif spec.objective == "min_cost":
        per_plan = {ln.id: sum(p.g(ln.id, y) for y in inst.years) for ln in inst.lines}
        per_opt = {ln.id: sum(o.g(ln.id, y) for y in inst.years) for ln in inst.lines}
    else:
        per_plan, per_opt = {}, {}
    records = [{"line": lid, "plan": per_plan[lid], "optimum": per_opt[lid]} for lid in per_plan]
    rest = "(KPI shortfall penalty)" if spec.objective != "lexicographic" else "(whole objective)"
    records.append(
        {
            "line": rest,
            "plan": float(plan.objective or 0.0) - sum(per_plan.values()),
            "optimum": float(optimum.objective or 0.0) - sum(per_opt.values()),
        }
    )
    table = pd.DataFrame.from_records(records, columns=["line", "plan", "optimum"])
    table["gap"] = table["optimum"] - table["plan"]
    return table


def repairs(plan: Result) -> pd.DataFrame:
    """For each rule the scored plan breaks, the smallest change to the rule's figure that
    admits the plan (searched on the rule's own check, the plan held)."""
    columns = ["rule", "figure", "given", "admits", "sentence"]
    rows = plan.plan_rows
    records = []
    for v in plan.violations:
        if v.figure is None:
            continue
        given, admits = _admitting(plan.instance, plan.model, rows, v)
        if given is None:
            sentence = f"{v.figure} is not a single number that can move"
        elif admits is None:
            sentence = f"no value of {v.figure} alone admits the plan (given {_show(v, given)})"
        else:
            sentence = f"{v.figure} {_show(v, given)} → {_show(v, admits)}"
        records.append(
            {
                "rule": v.name,
                "figure": v.figure,
                "given": math.nan if given is None else given,
                "admits": math.nan if admits is None else admits,
                "sentence": sentence,
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


def _show(v: Violation, value: float) -> str:
    if "share" in v.kind and 0 <= value <= 1:
        return f"{value:.2%}"
    return f"{value:,.6g}"


_RULE = re.compile(r"^rules\[(\d+)\]\.(\w+)$")


def _admitting(
    inst: Instance, spec: ModelSpec, rows: tuple[PlanRow, ...], v: Violation
) -> tuple[float | None, float | None]:
    """(the figure's value, the nearest value at which the violation `v` is gone)."""
    year = next((int(p) for p in re.split(r"[\[\],]", v.name) if p.isdigit()), None)
    setter = _setter(inst, spec, v.figure or "", year)
    if setter is None:
        return None, None
    given, make = setter

    def broken(value: float) -> bool:
        try:
            new_inst, new_spec = make(value)
        except InputError:
            return True
        return _still_broken(new_inst, new_spec, plan_from_amounts(new_inst, rows), v)

    best: float | None = None
    for direction in (1.0, -1.0):
        step = max(abs(given) * 1e-3, 1e-6)
        far = None
        for _ in range(60):
            candidate = given + direction * step
            if not broken(candidate):
                far = candidate
                break
            step *= 2
        if far is None:
            continue
        near = given
        for _ in range(50):
            mid = (near + far) / 2
            near, far = (mid, far) if broken(mid) else (near, mid)
        if best is None or abs(far - given) < abs(best - given):
            best = far
    return given, best


def _setter(inst: Instance, spec: ModelSpec, figure: str, year: int | None) -> Any:
    """(current value, value → (instance, model) with the figure set), or None."""
    match = _RULE.match(figure)
    if match:
        i, field = int(match.group(1)), match.group(2)
        current = getattr(spec.rules[i], field, None)
        if not isinstance(current, int | float) or isinstance(current, bool):
            return None
        data = spec.model_dump(mode="json")

        def set_rule(value: float) -> tuple[Instance, ModelSpec]:
            data["rules"][i][field] = value
            return inst, validate(ModelSpec, data, "repair")

        return float(current), set_rule
    parts = figure.split(".")
    data = inst.model_dump(mode="json")
    if parts[0] == "targets" and len(parts) == 3:
        found = [t for t in data["targets"] if t["kpi"] == parts[1] and str(t["year"]) == parts[2]]
        if not found:
            return None
        target, key = found[0], "value"
    else:
        try:
            target, key, current = locate_figure(data, {}, parts, inst.years)
        except KeyError:
            return None
        if isinstance(current, dict) and year is not None:
            found_key = next((k for k in current if str(k) == str(year)), None)
            if found_key is None:
                return None
            target, key = current, found_key
    current = target.get(key)
    if not isinstance(current, int | float) or isinstance(current, bool):
        return None

    def set_figure(value: float) -> tuple[Instance, ModelSpec]:
        target[key] = value
        return validate(Instance, data, "repair"), spec

    return float(current), set_figure


def _still_broken(inst: Instance, spec: ModelSpec, plan: Plan, v: Violation) -> bool:
    c = Context(inst, spec, plan)
    match = _RULE.match(v.figure or "")
    if v.kind in CORE_CHECKS:
        CORE_CHECKS[v.kind](c)
    elif match and v.kind in RULE_CHECKS:
        i = int(match.group(1))
        RULE_CHECKS[v.kind](c, spec.rules[i], i)
    else:
        return True
    return any(w.name == v.name for w in c.violations)
