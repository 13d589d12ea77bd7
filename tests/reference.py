"""Independent reference implementation of design.md §4, built directly with highspy.

Used only for differential testing of ``allocator``. It reads §4b-format dicts as a YAML loader
would give them (money as plain numbers in bn KRW; a scalar means every year, a ``{year: value}``
dict means per year) and returns ``(status, objective)``.

Where §4 is ambiguous, this file reads it as follows:

1. Per-year values: a year missing from ``min`` means 0, from ``max`` means no cap, from
   ``private_pool`` means 0 (no pool at all also means 0). A year missing from ``budget`` is an
   error (§4 never says what it would mean). Year keys match by ``str(year)`` (int or str keys).
2. Line bounds act on government money ``g`` only, not on ``g + p``. A ``select`` line with no max
   in year y gets ``g ≤ B[y]·s``; one with no min gets ``0 ≤ g``.
3. Pillar share and new-initiative share use government money only; both sides are
   ``Σ_l g[l,y]`` of the same year (so a year with no spending satisfies them trivially). A
   pillar_share rule may give only ``min`` or only ``max``; the absent side is no constraint.
4. Ramp acts on ``g`` only (not ``p``), for each year after the first, using the cap of the
   *later* year: ``ρ·max[l,y]``, or ``ρ·B[y]`` when the line has no max *in year y*. Several ramp
   rules each apply (the tightest wins).
5. ``s ≡ 1`` for lines without ``select: true`` everywhere it appears: ``requires`` from a fixed
   line forces its target on; ``exclusive``/``cardinality`` count fixed members as 1 (so two fixed
   lines in one exclusive group make the model infeasible, not invalid).
6. Integer units need both ``integer: true`` and ``unit_cost``; either alone changes nothing.
   ``n ∈ ℤ≥0`` is per line and year, and covers ``g + p``.
7. Private money ``p`` is only bounded by leverage and the pool; it counts in KPIs (``g + p``) and
   in the objective via ``private_impact``, never in budget, shares or ramps.
8. KPI level with ``cumulative`` true (the default) sums from the first year of the horizon;
   the baseline stands for everything before. ``baseline`` defaults to 0. A line's missing yield
   for a KPI is 0.
9. Each target entry ``{kpi, year, value}`` is its own constraint with its own shortfall
   ``short ≥ 0`` (no upper bound). The shortfall term divides by the target value, so a soft
   target must be non-zero; a zero target with a shortfall term raises ``ValueError``.
10. ``max_impact``: targets soft unless ``targets.mode == 'hard'``. ``min_cost``: every target
    hard, ``goal``: every target soft, whatever ``targets.mode`` says. ``w_k`` defaults to 1;
    ``impact`` defaults to 0 like ``private_impact``.
11. The returned objective is in the objective's own sense: the maximised value (impact minus
    penalty) for ``max_impact``, ``Σ g`` for ``min_cost``, the weighted shortfall for ``goal``.
"""

from __future__ import annotations

import itertools
from typing import Any

import highspy
import numpy as np

INF = highspy.kHighsInf
Expr = dict[int, float]


def _per_year(value: Any, years: list[Any], default: float | None) -> dict[Any, float | None]:
    """Expand a scalar / {year: value} / None into {year: value-or-default}."""
    if value is None:
        return dict.fromkeys(years, default)
    if isinstance(value, dict):
        by_str = {str(k): v for k, v in value.items()}
        return {
            y: (float(by_str[str(y)]) if by_str.get(str(y)) is not None else default) for y in years
        }
    return dict.fromkeys(years, float(value))


class _Lp:
    def __init__(self) -> None:
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.cost: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[Expr, float, float]] = []

    def var(self, lb: float = 0.0, ub: float = INF, integer: bool = False) -> int:
        self.lb.append(lb)
        self.ub.append(ub)
        self.cost.append(0.0)
        self.integer.append(integer)
        return len(self.lb) - 1

    def row(self, expr: Expr, lo: float = -INF, hi: float = INF) -> None:
        self.rows.append((expr, lo, hi))


def _add(*parts: tuple[float, Expr]) -> Expr:
    out: Expr = {}
    for coef, expr in parts:
        for j, v in expr.items():
            out[j] = out.get(j, 0.0) + coef * v
    return out


def reference_solve(
    instance: dict[str, Any], model: dict[str, Any], mip_gap: float = 1e-9
) -> tuple[str, float | None]:
    years = list(instance["years"])
    lines = instance["lines"]
    lp = _Lp()
    budget = _per_year(instance["budget"], years, None)
    if any(b is None for b in budget.values()):
        raise ValueError("budget missing for a year")
    bud: dict[Any, float] = {y: float(b) for y, b in budget.items() if b is not None}
    pool = _per_year(instance.get("private_pool"), years, 0.0)

    g: dict[tuple[str, Any], int] = {}
    p: dict[tuple[str, Any], int] = {}
    s: dict[str, tuple[Expr, float]] = {}  # s[l] as (expr, constant)
    maxes: dict[str, dict[Any, float | None]] = {}
    for ln in lines:
        lid = ln["id"]
        lev = float(ln.get("leverage", 0) or 0)
        sel = bool(ln.get("select", False))
        s[lid] = ({lp.var(0, 1, True): 1.0}, 0.0) if sel else ({}, 1.0)
        lo = _per_year(ln.get("min"), years, 0.0)
        hi = _per_year(ln.get("max"), years, None)
        maxes[lid] = hi
        unit = ln.get("unit_cost")
        for y in years:
            g[lid, y] = gv = lp.var()
            p[lid, y] = pv = lp.var(0, INF if lev > 0 else 0)
            lp.row({pv: 1, gv: -lev}, hi=0)  # leverage
            sx, sc = s[lid]
            lmin = lo[y] or 0.0
            cap = hi[y]
            lmax = cap if cap is not None else bud[y]
            # min·s ≤ g ≤ max·s  (constant s moves to the bound)
            lp.row(_add((1, {gv: 1}), (-lmin, sx)), lo=lmin * sc)
            lp.row(_add((1, {gv: 1}), (-lmax, sx)), hi=lmax * sc)
            if ln.get("integer") and unit is not None:
                nv = lp.var(0, INF, True)
                lp.row({gv: 1, pv: 1, nv: -float(unit)}, 0, 0)

    for y in years:
        tot = {g[ln["id"], y]: 1.0 for ln in lines}
        must = bool(model.get("must_spend", False))
        lp.row(tot, lo=bud[y] if must else -INF, hi=bud[y])
        lp.row({p[ln["id"], y]: 1.0 for ln in lines}, hi=pool[y] or 0.0)

    groups: dict[str, list[str]] = {}
    for ln in lines:
        for grp in ln.get("groups", []) or []:
            groups.setdefault(grp, []).append(ln["id"])
        for b in ln.get("requires", []) or []:
            (ax, ac), (bx, bc) = s[ln["id"]], s[b]
            lp.row(_add((1, ax), (-1, bx)), hi=bc - ac)

    for rule in model.get("rules", []) or []:
        kind = rule["rule"]
        if kind in ("pillar_share", "new_initiative_share"):
            for y in years:
                tot = {g[ln["id"], y]: 1.0 for ln in lines}
                if kind == "pillar_share":
                    part = {g[ln["id"], y]: 1.0 for ln in lines if ln["pillar"] == rule["pillar"]}
                else:
                    part = {g[ln["id"], y]: 1.0 for ln in lines if ln.get("new", False)}
                if rule.get("min") is not None:
                    lp.row(_add((1, part), (-float(rule["min"]), tot)), lo=0)
                if rule.get("max") is not None:
                    lp.row(_add((1, part), (-float(rule["max"]), tot)), hi=0)
        elif kind == "ramp":
            rho = float(rule["max_change"])
            for ln in lines:
                for y0, y1 in itertools.pairwise(years):
                    cap_y = maxes[ln["id"]][y1]
                    cap = rho * (cap_y if cap_y is not None else bud[y1])
                    lp.row({g[ln["id"], y1]: 1.0, g[ln["id"], y0]: -1.0}, -cap, cap)
        elif kind in ("exclusive", "cardinality"):
            k = 1.0 if kind == "exclusive" else float(rule["max"])
            members = [s[m] for m in groups.get(rule["group"], [])]
            lp.row(_add(*((1.0, x) for x, _ in members)), hi=k - sum(c for _, c in members))
        else:
            raise ValueError(f"unknown rule {kind!r}")

    objective = model.get("objective", "max_impact")
    tspec = model.get("targets") or {}
    weights = tspec.get("weights") or {}
    soft = {"max_impact": tspec.get("mode", "soft") != "hard", "min_cost": False, "goal": True}
    soft_targets = soft[objective]
    kpis = {k["id"]: k for k in instance.get("kpis", []) or []}
    for t in instance.get("targets", []) or []:
        kpi, ty, value = kpis[t["kpi"]], t["year"], float(t["value"])
        idx = [str(y) for y in years].index(str(ty))
        span = years[: idx + 1] if kpi.get("cumulative", True) else [years[idx]]
        flow: Expr = {}
        for ln in lines:
            yld = float((ln.get("yields") or {}).get(t["kpi"], 0.0))
            for y in span:
                flow = _add((1, flow), (yld, {g[ln["id"], y]: 1.0, p[ln["id"], y]: 1.0}))
        need = value - float(kpi.get("baseline", 0) or 0)
        if soft_targets:
            if value == 0:
                raise ValueError("soft target of 0 has no relative shortfall")
            sv = lp.var()
            flow[sv] = 1.0
            # the penalty is a cost in every objective (max_impact is negated below)
            lp.cost[sv] = float(weights.get(t["kpi"], 1.0)) / value
        lp.row(flow, lo=need)

    if objective == "max_impact":  # minimise −impact + penalty, report its negation
        for ln in lines:
            for y in years:
                lp.cost[g[ln["id"], y]] = -float(ln.get("impact", 0) or 0)
                lp.cost[p[ln["id"], y]] = -float(ln.get("private_impact", 0) or 0)
    elif objective == "min_cost":
        for gv in g.values():
            lp.cost[gv] = 1.0
    elif objective != "goal":
        raise ValueError(f"unknown objective {objective!r}")

    status, obj = _run(lp, mip_gap)
    if status == "optimal" and obj is not None:
        return status, -obj if objective == "max_impact" else obj
    return status, None


def _run(lp: _Lp, mip_gap: float, feasibility_only: bool = False) -> tuple[str, float | None]:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", mip_gap)
    h.setOptionValue("mip_feasibility_tolerance", 1e-9)
    n = len(lp.lb)
    cost = np.zeros(n) if feasibility_only else np.array(lp.cost, dtype=float)
    h.addVars(n, np.array(lp.lb, dtype=float), np.array(lp.ub, dtype=float))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    ints = np.array([j for j in range(n) if lp.integer[j]], dtype=np.int32)
    if len(ints):
        kinds = np.full(len(ints), highspy.HighsVarType.kInteger)
        h.changeColsIntegrality(len(ints), ints, kinds)
    for expr, lo, hi in lp.rows:
        idx = np.array(list(expr.keys()), dtype=np.int32)
        val = np.array(list(expr.values()), dtype=float)
        h.addRow(lo, hi, len(idx), idx, val)
    h.run()
    ms = h.getModelStatus()
    st = highspy.HighsModelStatus
    if ms == st.kOptimal:
        return "optimal", float(h.getInfo().objective_function_value)
    if ms == st.kInfeasible:
        return "infeasible", None
    if ms == st.kUnbounded:
        return "unbounded", None
    if ms == st.kUnboundedOrInfeasible and not feasibility_only:
        status, _ = _run(lp, mip_gap, feasibility_only=True)
        return ("unbounded" if status == "optimal" else "infeasible"), None
    return str(ms).split(".")[-1].removeprefix("k").lower(), None
