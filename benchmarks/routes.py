"""The three routes the benchmark compares, on a synthetic case (`allocator.synthetic`).

* allocator: the public path (validate, build, hand-off, solve, results).
* raw highspy: the identical matrix — same columns, rows, coefficients, in allocator's order —
  built from numpy and handed over with one `passModel`: the limit.
* linopy: the same model written the way a linopy user would, solved with its HiGHS backend.

The raw and linopy routes read the instance and model dicts straight into numpy arrays
(`read_case`); they cover the rules and objective the synthetic generator emits (every §4 rule
except `requires` and `exclusive`, objective `max_impact`) and refuse anything else.

Each route is a list of (stage, callable) steps run in order, so the harness can time each stage.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.raw_model import MIP_GAP, Case, raw_build, raw_highs

Step = tuple[str, Callable[[dict[str, Any]], None]]
"""A stage name and a function that advances the shared state dict."""


# --------------------------------------------------------------------------- reading the dicts


def _per_year(value: Any, years: list[int], default: float) -> list[float]:
    if value is None:
        return [default] * len(years)
    if isinstance(value, dict):
        return [float(value.get(y, default)) for y in years]
    return [float(value)] * len(years)


def read_case(inst: dict[str, Any], model: dict[str, Any]) -> Case:
    """The dicts as arrays (plain numbers only: the synthetic generator writes no money strings)."""
    if model.get("objective", "max_impact") != "max_impact":
        raise NotImplementedError("the comparison routes cover the max_impact objective only")
    if model.get("targets", {}).get("mode", "soft") != "soft":
        raise NotImplementedError("the comparison routes cover soft targets only")
    years = list(inst["years"])
    lines = inst["lines"]
    pillar_ids = [p["id"] for p in inst["pillars"]]
    pillar_of = {pid: i for i, pid in enumerate(pillar_ids)}
    kpis = inst.get("kpis", [])
    kpi_ids = [k["id"] for k in kpis]
    kpi_of = {kid: i for i, kid in enumerate(kpi_ids)}
    n = len(lines)
    yields = np.zeros((n, len(kpis)))
    for i, line in enumerate(lines):
        if line.get("requires"):
            raise NotImplementedError("the comparison routes do not cover `requires`")
        for kid, rate in line.get("yields", {}).items():
            yields[i, kpi_of[kid]] = rate
    weights = model.get("targets", {}).get("weights", {})
    targets = inst.get("targets", [])
    case = Case(
        years=years,
        line_ids=[line["id"] for line in lines],
        names=[line["name"] for line in lines],
        pillar_ids=pillar_ids,
        pillar_names=[p["name"] for p in inst["pillars"]],
        pillar=np.array([pillar_of[line["pillar"]] for line in lines], dtype=np.int64),
        new=np.array([line.get("new", False) for line in lines], dtype=bool),
        leverage=np.array([line.get("leverage", 0.0) for line in lines], dtype=float),
        impact=np.array([line.get("impact", 0.0) for line in lines], dtype=float),
        private_impact=np.array([line.get("private_impact", 0.0) for line in lines], dtype=float),
        lo=np.array([_per_year(line.get("min"), years, 0.0) for line in lines], dtype=float),
        hi=np.array([_per_year(line.get("max"), years, np.nan) for line in lines], dtype=float),
        select=np.array([line.get("select", False) for line in lines], dtype=bool),
        integer=np.array([line.get("integer", False) for line in lines], dtype=bool),
        unit_cost=np.array([line.get("unit_cost") or 0.0 for line in lines], dtype=float),
        groups=[line.get("groups", []) for line in lines],
        kpi_ids=kpi_ids,
        baseline=np.array([k.get("baseline", 0.0) for k in kpis], dtype=float),
        cumulative=np.array([k.get("cumulative", True) for k in kpis], dtype=bool),
        yields=yields,
        target_kpi=np.array([kpi_of[t["kpi"]] for t in targets], dtype=np.int64),
        target_year=np.array([years.index(t["year"]) for t in targets], dtype=np.int64),
        target_value=np.array([t["value"] for t in targets], dtype=float),
        weight=np.array([float(weights.get(t["kpi"], 1.0)) for t in targets], dtype=float),
        budget=np.array(_per_year(inst["budget"], years, 0.0)),
        pool=np.array(_per_year(inst.get("private_pool", 0.0), years, 0.0)),
        must_spend=bool(model.get("must_spend", False)),
    )
    for rule in model.get("rules", []):
        kind = rule["rule"]
        if kind == "pillar_share":
            case.shares.append((pillar_of[rule["pillar"]], rule.get("min"), rule.get("max")))
        elif kind == "new_initiative_share":
            case.new_share = float(rule["min"])
        elif kind == "ramp":
            case.ramp = float(rule["max_change"])
        elif kind == "cardinality":
            case.cardinality.append((rule["group"], int(rule["max"])))
        else:
            raise NotImplementedError(f"the comparison routes do not cover {kind!r}")
    return case


# --------------------------------------------------------------------------- raw highspy


def allocation_frame(case: Case, gov: np.ndarray, private: np.ndarray) -> pd.DataFrame:
    """allocator's `Result.allocation` layout: line, name, pillar, year, source, amount."""
    n, t_count = gov.shape
    amounts = np.stack([gov, private], axis=2).ravel()  # line, year, source
    line_idx = np.repeat(np.arange(n), 2 * t_count)
    return pd.DataFrame(
        {
            "line": np.asarray(case.line_ids, dtype=object)[line_idx],
            "name": np.asarray(case.names, dtype=object)[line_idx],
            "pillar": np.asarray(case.pillar_ids, dtype=object)[case.pillar[line_idx]],
            "year": np.tile(np.repeat(np.asarray(case.years), 2), n),
            "source": np.tile(np.array(["government", "private"], dtype=object), n * t_count),
            "amount": amounts,
        }
    )


def pillar_frame(case: Case, gov: np.ndarray, private: np.ndarray) -> pd.DataFrame:
    """allocator's `Result.pillars` layout: pillar, name, year, government, private, amount,
    share (of the year's government money)."""
    k, t_count = len(case.pillar_ids), gov.shape[1]
    onehot = np.zeros((len(case.pillar), k))
    onehot[np.arange(len(case.pillar)), case.pillar] = 1.0
    g, p = onehot.T @ gov, onehot.T @ private  # pillars × years
    total = g.sum(axis=0)
    return pd.DataFrame(
        {
            "pillar": np.repeat(np.asarray(case.pillar_ids, dtype=object), t_count),
            "name": np.repeat(np.asarray(case.pillar_names, dtype=object), t_count),
            "year": np.tile(np.asarray(case.years), k),
            "government": g.ravel(),
            "private": p.ravel(),
            "amount": (g + p).ravel(),
            "share": (g / np.where(total > 0, total, np.inf)).ravel(),
        }
    ).sort_values(["year"], kind="stable", ignore_index=True)


def raw_steps(inst: dict[str, Any], model: dict[str, Any]) -> list[Step]:
    """read (dicts → arrays), build (numpy + one sparse matrix), hand-off (HighsLp + passModel),
    solve (`run`), results (values → the two DataFrames)."""

    def read(s: dict[str, Any]) -> None:
        s["case"] = read_case(inst, model)

    def build(s: dict[str, Any]) -> None:
        s["raw"] = raw_build(s["case"])

    def handoff(s: dict[str, Any]) -> None:
        s["h"] = raw_highs(s["raw"])

    def solve(s: dict[str, Any]) -> None:
        s["h"].run()

    def results(s: dict[str, Any]) -> None:
        h, raw, case = s["h"], s["raw"], s["case"]
        s["status"] = h.modelStatusToString(h.getModelStatus())
        s["objective"] = h.getInfo().objective_function_value
        x = np.asarray(h.getSolution().col_value)
        gov = x[raw.gov]
        private = np.where(raw.private >= 0, x[np.maximum(raw.private, 0)], 0.0)
        s["frames"] = (allocation_frame(case, gov, private), pillar_frame(case, gov, private))
        s["size"] = (len(raw.cost), len(raw.row_lower), raw.a.nnz)

    return [
        ("read", read),
        ("build", build),
        ("handoff", handoff),
        ("solve", solve),
        ("results", results),
    ]


# --------------------------------------------------------------------------- linopy


def linopy_model(case: Case) -> Any:
    """The same model in linopy's own idiom: labelled arrays, masks, broadcasting."""
    import linopy
    import xarray as xr

    warnings.filterwarnings("ignore", category=getattr(linopy, "LinopySemanticsWarning", Warning))
    t_count = case.lo.shape[1]
    line = pd.Index(case.line_ids, name="line")
    year = pd.Index(case.years, name="year")
    kpi = pd.Index(case.kpi_ids, name="kpi")
    target = pd.RangeIndex(len(case.target_value), name="target")

    def by_line(values: np.ndarray) -> xr.DataArray:
        return xr.DataArray(values, coords=[line])

    def by_line_year(values: np.ndarray) -> xr.DataArray:
        return xr.DataArray(values, coords=[line, year])

    budget = xr.DataArray(case.budget, coords=[year])
    pool = xr.DataArray(case.pool, coords=[year])
    eligible = by_line(case.leverage > 0) & (pool > 0)

    m = linopy.Model()
    gov = m.add_variables(lower=0, coords=[line, year], name="gov")
    private = m.add_variables(lower=0, coords=[line, year], name="private", mask=eligible)
    units = (
        m.add_variables(
            lower=0,
            coords=[line, year],
            name="units",
            integer=True,
            mask=by_line(case.integer).broadcast_like(budget),
        )
        if case.integer.any()
        else None
    )
    selected = (
        m.add_variables(coords=[line], name="selected", binary=True, mask=by_line(case.select))
        if case.select.any()
        else None
    )
    level = m.add_variables(coords=[kpi, year], name="level")
    shortfall = m.add_variables(lower=0, coords=[target], name="shortfall")

    sign = "==" if case.must_spend else "<="
    m.add_constraints(gov.sum("line"), sign, budget, name="budget")
    if eligible.any():
        m.add_constraints(
            private.sum("line") <= pool, name="private_pool", mask=eligible.any("line")
        )
        m.add_constraints(
            private - by_line(case.leverage) * gov <= 0, name="leverage", mask=eligible
        )
    lo, select = by_line_year(case.lo), by_line(case.select)
    hi = by_line_year(np.where(np.isnan(case.hi) & case.select[:, None], case.budget, case.hi))
    if selected is not None:
        m.add_constraints(
            gov - lo * selected >= lo.where(~select, 0.0), name="line_min", mask=lo > 0
        )
        m.add_constraints(
            gov - hi.fillna(0) * selected <= hi.where(~select, 0.0),
            name="line_max",
            mask=hi.notnull(),
        )
    else:
        m.add_constraints(gov >= lo, name="line_min", mask=lo > 0)
        m.add_constraints(gov <= hi.fillna(0), name="line_max", mask=hi.notnull())
    if units is not None:
        m.add_constraints(
            gov + private - by_line(case.unit_cost) * units == 0,
            name="integer_units",
            mask=by_line(case.integer).broadcast_like(budget),
        )
    flow = (xr.DataArray(case.yields, coords=[line, kpi]) * (gov + private)).sum("line")
    stock = kpi[case.cumulative]
    if len(stock):
        m.add_constraints(
            level.sel(kpi=stock) - flow.sel(kpi=stock).cumsum("year")
            == xr.DataArray(case.baseline[case.cumulative], coords=[stock]),
            name="kpi_level_stock",
        )
    per_year = kpi[~case.cumulative]
    if len(per_year):
        m.add_constraints(
            level.sel(kpi=per_year) - flow.sel(kpi=per_year)
            == xr.DataArray(case.baseline[~case.cumulative], coords=[per_year]),
            name="kpi_level_flow",
        )
    if len(target):
        at = level.sel(
            kpi=xr.DataArray(np.asarray(case.kpi_ids)[case.target_kpi], coords=[target]),
            year=xr.DataArray(np.asarray(case.years)[case.target_year], coords=[target]),
        )
        m.add_constraints(
            at + shortfall >= xr.DataArray(case.target_value, coords=[target]), name="target"
        )
    for p, lo_share, hi_share in case.shares:
        member = by_line((case.pillar == p).astype(float))
        pid = case.pillar_ids[p]
        if lo_share is not None:
            m.add_constraints(
                ((member - lo_share) * gov).sum("line") >= 0, name=f"pillar_share_min_{pid}"
            )
        if hi_share is not None:
            m.add_constraints(
                ((member - hi_share) * gov).sum("line") <= 0, name=f"pillar_share_max_{pid}"
            )
    if case.new_share is not None:
        new = by_line(case.new.astype(float))
        m.add_constraints(
            ((new - case.new_share) * gov).sum("line") >= 0, name="new_initiative_share"
        )
    if case.ramp is not None and t_count > 1:
        step = case.ramp * by_line_year(case.hi).fillna(budget)
        later = xr.DataArray(np.arange(t_count) > 0, coords=[year]).broadcast_like(step)
        m.add_constraints(gov - gov.shift(year=1) <= step, name="ramp_up", mask=later)
        m.add_constraints(gov.shift(year=1) - gov <= step, name="ramp_down", mask=later)
    if case.cardinality and selected is not None:
        names = [g for g, _ in case.cardinality]
        group = pd.Index(names, name="group")
        in_group = np.array([[g in gs for g in names] for gs in case.groups], dtype=float)
        fixed = (in_group * ~case.select[:, None]).sum(axis=0)
        limit = np.array([k for _, k in case.cardinality], dtype=float) - fixed
        m.add_constraints(
            (xr.DataArray(in_group, coords=[line, group]) * selected).sum("line")
            <= xr.DataArray(limit, coords=[group]),
            name="cardinality",
        )
    weight = xr.DataArray(case.weight / case.target_value, coords=[target])
    m.add_objective(
        (by_line(case.impact) * gov).sum()
        + (by_line(case.private_impact) * private).sum()
        - (weight * shortfall).sum(),
        sense="max",
    )
    return m


def linopy_steps(inst: dict[str, Any], model: dict[str, Any]) -> list[Step]:
    """read (dicts → arrays), build (the linopy model), hand-off (linopy's direct HiGHS build,
    as `Model.solve(io_api="direct")` does it), solve (HiGHS's run), results (linopy reads and
    assigns the solution; then the two DataFrames)."""
    import linopy
    import linopy.solvers as ls

    timed: dict[str, float] = {}
    run = ls._run_highs_with_keyboard_interrupt

    def timed_run(h: Any) -> None:
        import time

        started = time.perf_counter()
        run(h)
        timed["run"] = time.perf_counter() - started

    def read(s: dict[str, Any]) -> None:
        s["case"] = read_case(inst, model)

    def build(s: dict[str, Any]) -> None:
        s["m"] = linopy_model(s["case"])

    def handoff(s: dict[str, Any]) -> None:
        m = s["m"]
        m.constraints.sanitize_zeros()
        m.constraints.sanitize_infinities()
        m.solver = s["solver"] = linopy.solvers.Solver.from_name(
            "highs",
            model=m,
            io_api="direct",
            options={"mip_rel_gap": MIP_GAP, "random_seed": 0, "log_to_console": False},
            explicit_coordinate_names=False,
            set_names=None,
            log_fn=None,
        )

    def solve_and_results(s: dict[str, Any]) -> None:
        m = s["m"]
        ls._run_highs_with_keyboard_interrupt = timed_run
        try:
            result = s["solver"].solve()
        finally:
            ls._run_highs_with_keyboard_interrupt = run
        m.assign_result(result)
        s["status"] = m.termination_condition
        s["objective"] = float(m.objective.value)
        case = s["case"]
        gov = m.solution["gov"].values
        private = np.nan_to_num(m.solution["private"].values)
        s["frames"] = (allocation_frame(case, gov, private), pillar_frame(case, gov, private))
        h = s["solver"].solver_model
        lp = h.getLp()
        s["size"] = (lp.num_col_, lp.num_row_, len(lp.a_matrix_.value_))
        s["inner_run"] = timed["run"]

    return [
        ("read", read),
        ("build", build),
        ("handoff", handoff),
        ("solve+results", solve_and_results),
    ]


# --------------------------------------------------------------------------- allocator


def allocator_steps(inst: dict[str, Any], model: dict[str, Any]) -> list[Step]:
    """Stages of allocator's own path, one at a time (the end-to-end public call is timed
    separately by the harness): validate, build, hand-off, solve."""
    import allocator
    from allocator.formulation import build as build_model
    from allocator.solver.compile import check_ranges, compile_matrix
    from allocator.solver.highs import SolveOptions, new_highs

    def validate(s: dict[str, Any]) -> None:
        s["inst"] = allocator.Instance.model_validate(inst)
        s["spec"] = allocator.ModelSpec.model_validate(model)

    def build(s: dict[str, Any]) -> None:
        s["built"] = build_model(s["inst"], s["spec"])

    def handoff(s: dict[str, Any]) -> None:
        matrix = compile_matrix(s["built"])
        check_ranges(matrix)
        s["h"] = new_highs(matrix, SolveOptions())
        lp = matrix.lp
        s["size"] = (lp.num_col_, lp.num_row_, len(lp.a_matrix_.value_))

    def solve(s: dict[str, Any]) -> None:
        s["h"].run()
        s["objective"] = s["h"].getInfo().objective_function_value

    return [("read", validate), ("build", build), ("handoff", handoff), ("solve", solve)]
