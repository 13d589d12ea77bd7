"""Random §4b instances and models for differential testing, deterministic from a seed.

Feasible cases are feasible by construction: a concrete allocation (g*, p*, s*, n*) is drawn
first and every bound, share, ramp, group and hard target is then put around it with slack.

Infeasible cases start from a feasible case and inject one cause whose infeasibility follows from
§4 alone, whatever else the case contains (each ``_break_*`` states its argument).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

Rng = np.random.Generator
Case = dict[str, Any]


def _r(x: float, nd: int = 2) -> float:
    return round(float(x), nd)


def random_case(
    seed: int, *, mip: bool = False, infeasible: bool = False
) -> tuple[dict[str, Any], dict[str, Any]]:
    rng = np.random.default_rng(seed)
    case = _feasible(rng, mip)
    if infeasible:
        causes: list[Callable[[Rng, Case], None]] = [
            _break_min_sum,
            _break_pillar_floor,
            _break_pillar_ceiling,
            _break_target,
            _break_must_spend,
            _break_new_share,
        ]
        if len(case["years"]) >= 2:
            causes.append(_break_ramp)
        if mip:
            causes += [_break_integer_window, _break_groups, _break_groups]
        causes[int(rng.integers(len(causes)))](rng, case)
        case["model"]["name"] += "-infeasible"
    return _emit(case)


# --------------------------------------------------------------------------- feasible cases


def _feasible(rng: Rng, mip: bool) -> Case:
    years = [2026 + t for t in range(int(rng.integers(1, 5)))]
    n_years = len(years)
    n_lines = int(rng.integers(3, 13))
    n_pillars = min(int(rng.integers(2, 5)), n_lines)
    pillars = [f"p{i + 1}" for i in range(n_pillars)]
    has_private = rng.random() < 0.5
    n_select_max = n_lines - 2  # keep at least two fixed (non-select) lines
    lines: list[dict[str, Any]] = []
    for i in range(n_lines):
        ln: dict[str, Any] = {
            "id": f"l{i + 1}",
            "pillar": pillars[i] if i < n_pillars else pillars[int(rng.integers(n_pillars))],
            "new": bool(rng.random() < 0.4),
            "leverage": float(rng.choice([0.5, 1.0, 2.0, 3.0]))
            if has_private and rng.random() < 0.5
            else 0.0,
            "impact": _r(rng.uniform(0.1, 3.0)),
            "select": False,
            "integer": False,
            "requires": [],
            "groups": [],
        }
        if ln["leverage"] > 0 and rng.random() < 0.6:
            ln["private_impact"] = _r(rng.uniform(0.0, 1.5))
        if mip and n_select_max > 0 and rng.random() < 0.4:
            ln["select"] = True
            n_select_max -= 1
        ln["on"] = (not ln["select"]) or bool(rng.random() < 0.6)
        if mip and rng.random() < 0.3:
            ln["integer"] = True
            ln["unit_cost"] = float(rng.choice([0.5, 1.0, 2.0, 2.5, 4.0, 5.0]))
        elif rng.random() < 0.1:  # unit_cost without integer: must change nothing
            ln["unit_cost"] = 3.0
        _draw_allocation(rng, ln, n_years)
        lines.append(ln)

    for t in range(n_years):  # every year spends something, so shares mean something
        if sum(ln["g"][t] for ln in lines) == 0:
            ln = next(x for x in lines if not x["select"])
            ln["g"][t] = ln.get("unit_cost", 10.0) if ln["integer"] else 10.0
            ln["p"][t] = 0.0

    must_spend = bool(rng.random() < 0.25)
    spend = [sum(ln["g"][t] for ln in lines) for t in range(n_years)]
    budget = [s if must_spend else s + float(rng.integers(0, 50)) for s in spend]
    priv = [sum(ln["p"][t] for ln in lines) for t in range(n_years)]
    pool: list[float] | None = None
    if has_private:
        pool = [x + float(rng.integers(0, 30)) for x in priv]

    for ln in lines:
        _draw_bounds(rng, ln, n_years)

    rules: list[dict[str, Any]] = []
    if n_years >= 2 and rng.random() < 0.4:
        need = 0.0
        for ln in lines:
            for t in range(1, n_years):
                cap = ln["max"][t] if ln["max"][t] is not None else budget[t]
                need = max(need, abs(ln["g"][t] - ln["g"][t - 1]) / cap)
        rho = math.ceil((need * 1.1 + 0.05) * 100) / 100
        if rho <= 1.0:
            rules.append({"rule": "ramp", "max_change": rho})
    if rng.random() < 0.5:
        for pil in rng.choice(pillars, size=int(rng.integers(1, 3)), replace=False):
            shares = [
                sum(ln["g"][t] for ln in lines if ln["pillar"] == pil) / spend[t]
                for t in range(n_years)
            ]
            rule: dict[str, Any] = {"rule": "pillar_share", "pillar": str(pil)}
            lo = math.floor(min(shares) * rng.uniform(0.5, 0.95) * 100) / 100
            hi = min(1.0, math.ceil(max(shares) * 100) / 100 + 0.01 + _r(rng.uniform(0, 0.1)))
            if lo > 0 and rng.random() < 0.8:
                rule["min"] = lo
            if hi < 1 and (rng.random() < 0.6 or "min" not in rule):
                rule["max"] = _r(hi)
            if "min" in rule or "max" in rule:
                rules.append(rule)
    if rng.random() < 0.4:
        shares = [sum(ln["g"][t] for ln in lines if ln["new"]) / spend[t] for t in range(n_years)]
        sigma = math.floor(min(shares) * rng.uniform(0.5, 0.95) * 100) / 100
        if sigma > 0:
            rules.append({"rule": "new_initiative_share", "min": sigma})
    if mip:
        rules += _draw_groups(rng, lines)

    objective = str(rng.choice(["max_impact", "min_cost", "goal"]))
    mode = "soft"
    if objective == "min_cost" or (objective == "max_impact" and rng.random() < 0.3):
        mode = "hard"
    kpis, targets, weights = _draw_kpis(rng, lines, years, hard=mode == "hard")
    model: dict[str, Any] = {"name": "random", "objective": objective, "rules": rules}
    if must_spend or rng.random() < 0.3:
        model["must_spend"] = must_spend
    tspec: dict[str, Any] = {}
    if objective == "max_impact" and (mode == "hard" or rng.random() < 0.5):
        tspec["mode"] = mode
    elif objective != "max_impact" and rng.random() < 0.2:  # §4: min_cost/goal ignore mode
        tspec["mode"] = str(rng.choice(["hard", "soft"]))
    if weights:
        tspec["weights"] = weights
    if tspec:
        model["targets"] = tspec
    return {
        "years": years,
        "pillars": pillars,
        "lines": lines,
        "budget": budget,
        "pool": pool,
        "kpis": kpis,
        "targets": targets,
        "model": model,
    }


def _draw_allocation(rng: Rng, ln: dict[str, Any], n_years: int) -> None:
    """g*, p* (and n* for integer lines), smooth across years so ramps can hold."""
    g, p = [0.0] * n_years, [0.0] * n_years
    lev = ln["leverage"]
    if ln["on"] and ln["integer"]:
        u, n = ln["unit_cost"], int(rng.integers(0, 21))
        for t in range(n_years):
            n = max(0, n + int(rng.integers(-1, 2))) if t else n
            m = int(rng.integers(0, math.floor(lev * n / (1 + lev)) + 1))  # u·m ≤ λ·u·(n−m)
            g[t], p[t] = u * (n - m), u * m
    elif ln["on"]:
        x = 0.0 if rng.random() < 0.15 else float(rng.integers(1, 101))
        for t in range(n_years):
            x = float(max(0, round(x * (1 + rng.uniform(-0.2, 0.2))))) if t else x
            g[t] = x
            p[t] = float(math.floor(lev * x * rng.random()))
    ln["g"], ln["p"] = g, p


def _draw_bounds(rng: Rng, ln: dict[str, Any], n_years: int) -> None:
    """Per-year caps above g*, floors below g* (any floor for a line that is off)."""
    caps = [
        math.ceil(ln["g"][t] * (1 + rng.uniform(0.05, 0.8)) + rng.integers(1, 10))
        for t in range(n_years)
    ]
    kind = rng.choice(["none", "scalar", "year"], p=[0.3, 0.35, 0.35])
    mx: list[float | None]
    if kind == "none":
        mx = [None] * n_years
    elif kind == "scalar":
        mx = [float(max(caps))] * n_years
    else:
        mx = [float(c) if rng.random() < 0.8 else None for c in caps]
    ln["max"], ln["max_kind"] = mx, str(kind)
    if ln["on"]:
        floors = [math.floor(ln["g"][t] * rng.uniform(0, 0.9)) for t in range(n_years)]
    else:  # min·s with s = 0 never binds
        floors = [math.floor(caps[t] * rng.uniform(0, 0.5)) for t in range(n_years)]
        floors = [min(f, m) if m is not None else f for f, m in zip(floors, mx, strict=True)]
    kind = rng.choice(["none", "scalar", "year"], p=[0.4, 0.3, 0.3])
    if kind == "none":
        ln["min"] = [0.0] * n_years
    elif kind == "scalar":
        ln["min"] = [float(min(floors))] * n_years
    else:
        ln["min"] = [float(f) for f in floors]
    ln["min_kind"] = str(kind)


def _draw_groups(rng: Rng, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = []
    sel = [ln for ln in lines if ln["select"]]
    on = {ln["id"]: ln["on"] for ln in lines}
    for _ in range(int(rng.integers(0, 3))):  # requires: s*[a] ≤ s*[b]
        a, b = rng.choice(len(lines), size=2, replace=False)
        la, lb = lines[int(a)], lines[int(b)]
        ok = (la["select"] or lb["select"]) and on[la["id"]] <= on[lb["id"]]
        if ok and lb["id"] not in la["requires"]:
            la["requires"].append(lb["id"])
    gid = 1
    fixed = [ln for ln in lines if not ln["select"]]
    if len(sel) >= 2 and rng.random() < 0.6:  # exclusive: at most one member on
        # the one member on may be a fixed line (s ≡ 1), which forces the others off
        first_on = [ln for ln in sel if ln["on"]][:1]
        if rng.random() < 0.3:
            first_on = [_pick(rng, fixed)]
        members = first_on + [ln for ln in sel if not ln["on"]]
        if len(members) >= 2:
            for ln in members[:3]:
                ln["groups"].append(f"g{gid}")
            rules.append({"rule": "exclusive", "group": f"g{gid}"})
            gid += 1
    if len(sel) >= 2 and rng.random() < 0.6:  # cardinality: k ≥ members on (fixed count 1)
        idx = rng.choice(len(sel), size=int(rng.integers(2, min(4, len(sel)) + 1)), replace=False)
        members = [sel[int(i)] for i in idx]
        if rng.random() < 0.3:
            members.append(_pick(rng, fixed))
        k = max(1, sum(m["on"] for m in members) + int(rng.integers(0, 2)))
        for ln in members:
            ln["groups"].append(f"g{gid}")
        rules.append({"rule": "cardinality", "group": f"g{gid}", "max": k})
    return rules


def _draw_kpis(
    rng: Rng, lines: list[dict[str, Any]], years: list[int], *, hard: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, float]]:
    kpis: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    weights: dict[str, float] = {}
    n_years = len(years)
    for k in range(int(rng.integers(0, 4))):
        kid = f"k{k}"
        kpi: dict[str, Any] = {
            "id": kid,
            "name": f"KPI {k}",
            "baseline": int(rng.integers(10, 500)),
        }
        cumulative = bool(rng.random() < 0.7)
        if not cumulative or rng.random() < 0.5:
            kpi["cumulative"] = cumulative
        kpis.append(kpi)
        for ln in lines:
            if rng.random() < 0.5:
                ln.setdefault("yields", {})[kid] = _r(rng.uniform(0.1, 5.0), 1)
        flows = [
            sum(ln.get("yields", {}).get(kid, 0.0) * (ln["g"][t] + ln["p"][t]) for ln in lines)
            for t in range(n_years)
        ]
        level = [
            kpi["baseline"] + (sum(flows[: t + 1]) if cumulative else flows[t])
            for t in range(n_years)
        ]
        for t in rng.choice(n_years, size=int(rng.integers(1, n_years + 1)), replace=False):
            t = int(t)
            lv = level[t]
            value = (
                math.floor(lv * rng.uniform(0.6, 0.98))
                if hard
                else round(lv * rng.uniform(0.7, 2.0))
            )
            targets.append({"kpi": kid, "year": years[t], "value": max(1, value)})
        if rng.random() < 0.5:
            weights[kid] = float(rng.choice([0.5, 1.0, 10.0, 100.0, 1000.0]))
    return kpis, targets, weights


# --------------------------------------------------------------------------- infeasible causes


def _fixed_lines(case: Case) -> list[dict[str, Any]]:
    return [ln for ln in case["lines"] if not ln["select"]]


def _pick(rng: Rng, items: list[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def _set_max(ln: dict[str, Any], n_years: int, value: float | None) -> None:
    ln["max"], ln["max_kind"] = [value] * n_years, ("none" if value is None else "scalar")


def _set_min(ln: dict[str, Any], values: list[float]) -> None:
    ln["min"], ln["min_kind"] = values, "year"


def _break_min_sum(rng: Rng, case: Case) -> None:
    """Two fixed lines each with min 0.6·B[y] in year y: Σ g ≥ 1.2·B[y] > B[y]."""
    n_years = len(case["years"])
    t = int(rng.integers(n_years))
    for i in rng.choice(len(_fixed_lines(case)), size=2, replace=False):
        ln = _fixed_lines(case)[int(i)]
        _set_max(ln, n_years, None)
        mins = list(ln["min"])
        mins[t] = math.ceil(0.6 * case["budget"][t])
        _set_min(ln, mins)


def _break_pillar_floor(rng: Rng, case: Case) -> None:
    """Pillar P floor 0.5; P's lines capped so Σ_P max = m/4; a fixed line x ∉ P has min m.
    X = Σ_P g ≤ m/4 and Σ g ≥ X + m, so X ≥ 0.5(X + m) ⇒ X ≥ m > m/4: contradiction."""
    n_years = len(case["years"])
    x = _pick(rng, _fixed_lines(case))
    pil = _pick(rng, [p for p in case["pillars"] if p != x["pillar"]])
    t = int(rng.integers(n_years))
    m = float(max(4, math.ceil(0.5 * case["budget"][t])))
    inside = [ln for ln in case["lines"] if ln["pillar"] == pil]
    for ln in inside:
        _set_max(ln, n_years, m / 4 / len(inside))
        _set_min(ln, [0.0] * n_years)
    _set_max(x, n_years, None)
    mins = list(x["min"])
    mins[t] = m
    _set_min(x, mins)
    rules = [r for r in case["model"]["rules"] if r.get("pillar") != pil]
    case["model"]["rules"] = [*rules, {"rule": "pillar_share", "pillar": pil, "min": 0.5}]


def _break_pillar_ceiling(rng: Rng, case: Case) -> None:
    """Pillar P cap 0.3; a fixed line x ∈ P has min m; lines outside P capped at Σ max = m/4.
    X ≥ m and X ≤ 0.3(X + R), R ≤ m/4 ⇒ 0.7m ≤ 0.7X ≤ 0.075m: contradiction."""
    n_years = len(case["years"])
    x = _pick(rng, _fixed_lines(case))
    pil = x["pillar"]
    t = int(rng.integers(n_years))
    m = float(max(4, math.ceil(0.5 * case["budget"][t])))
    outside = [ln for ln in case["lines"] if ln["pillar"] != pil]
    for ln in outside:
        _set_max(ln, n_years, m / 4 / len(outside))
        _set_min(ln, [0.0] * n_years)
    _set_max(x, n_years, None)
    mins = list(x["min"])
    mins[t] = m
    _set_min(x, mins)
    rules = [r for r in case["model"]["rules"] if r.get("pillar") != pil]
    case["model"]["rules"] = [*rules, {"rule": "pillar_share", "pillar": pil, "max": 0.3}]


def _break_new_share(rng: Rng, case: Case) -> None:
    """New share ≥ 0.5; new lines capped at Σ max = m/4; a fixed old line x has min m.
    N ≤ m/4 and N ≥ 0.5(N + m) ⇒ N ≥ m: contradiction (also with no new line at all)."""
    n_years = len(case["years"])
    x = _pick(rng, _fixed_lines(case))
    x["new"] = False
    t = int(rng.integers(n_years))
    m = float(max(4, math.ceil(0.5 * case["budget"][t])))
    new = [ln for ln in case["lines"] if ln["new"]]
    for ln in new:
        _set_max(ln, n_years, m / 4 / len(new))
        _set_min(ln, [0.0] * n_years)
    _set_max(x, n_years, None)
    mins = list(x["min"])
    mins[t] = m
    _set_min(x, mins)
    rules = [r for r in case["model"]["rules"] if r["rule"] != "new_initiative_share"]
    case["model"]["rules"] = [*rules, {"rule": "new_initiative_share", "min": 0.5}]


def _break_target(rng: Rng, case: Case) -> None:
    """Hard target above base + ymax·Σ_{y'≤y}(B[y'] + Π[y']), which bounds any level."""
    years, n_years = case["years"], len(case["years"])
    if not case["kpis"]:
        case["kpis"].append({"id": "k0", "name": "KPI 0", "baseline": 10})
        case["lines"][0].setdefault("yields", {})["k0"] = 1.0
    kpi = _pick(rng, case["kpis"])
    t = int(rng.integers(n_years))
    ymax = max([0.0] + [ln.get("yields", {}).get(kpi["id"], 0.0) for ln in case["lines"]])
    pool = case["pool"] or [0.0] * n_years
    span = range(t + 1) if kpi.get("cumulative", True) else [t]
    bound = kpi["baseline"] + ymax * sum(case["budget"][i] + pool[i] for i in span)
    case["targets"] = [x for x in case["targets"] if (x["kpi"], x["year"]) != (kpi["id"], years[t])]
    case["targets"].append(
        {"kpi": kpi["id"], "year": years[t], "value": math.ceil(bound * 1.2 + 10)}
    )
    model = case["model"]
    if model["objective"] == "goal" or rng.random() < 0.3:
        model["objective"] = str(rng.choice(["max_impact", "min_cost"]))
    if model["objective"] == "max_impact":
        model.setdefault("targets", {})["mode"] = "hard"


def _break_must_spend(rng: Rng, case: Case) -> None:
    """must_spend with every line capped at B[y]/(2L): Σ g ≤ B[y]/2 < B[y] = Σ g."""
    n_years = len(case["years"])
    t = int(rng.integers(n_years))
    cap = case["budget"][t] / (2 * len(case["lines"]))
    for ln in case["lines"]:
        _set_max(ln, n_years, cap)
        _set_min(ln, [0.0] * n_years)
    case["model"]["must_spend"] = True


def _break_ramp(rng: Rng, case: Case) -> None:
    """ρ = 0.2; fixed line x: max[y−1] = 3, max[y] = 10, min[y] = 9 ⇒ Δ ≥ 6 > 0.2·10."""
    n_years = len(case["years"])
    t = int(rng.integers(1, n_years))
    x = _pick(rng, _fixed_lines(case))
    mx: list[float | None] = [None] * n_years
    mx[t - 1], mx[t] = 3.0, 10.0
    x["max"], x["max_kind"] = mx, "year"
    mins = [0.0] * n_years
    mins[t] = 9.0
    _set_min(x, mins)
    rules = [r for r in case["model"]["rules"] if r["rule"] != "ramp"]
    case["model"]["rules"] = [*rules, {"rule": "ramp", "max_change": 0.2}]


def _break_integer_window(rng: Rng, case: Case) -> None:
    """Fixed integer line, unit_cost 10, leverage 0, 12 ≤ g ≤ 18: g = 10n has no solution."""
    n_years = len(case["years"])
    x = _pick(rng, _fixed_lines(case))
    x.update(integer=True, unit_cost=10.0, leverage=0.0)
    x.pop("private_impact", None)
    _set_max(x, n_years, 18.0)
    _set_min(x, [12.0] * n_years)
    x["min_kind"] = "scalar"


def _break_groups(rng: Rng, case: Case) -> None:
    """Fixed lines (s ≡ 1) require select lines b_i that share a group allowing fewer of them:
    exclusive with two, or cardinality k with k + 1. Then Σ s[b_i] = k + 1 > k."""
    lines = case["lines"]
    n = 3 if len(lines) >= 6 and rng.random() < 0.5 else 2
    if len(lines) < 2 * n:
        _break_min_sum(rng, case)
        return
    chosen = [lines[int(i)] for i in rng.choice(len(lines), size=2 * n, replace=False)]
    fixed, sel = chosen[:n], chosen[n:]
    group = "g9"
    for a, b in zip(fixed, sel, strict=True):
        a["select"], b["select"] = False, True
        a["requires"] = [b["id"]]
        b["groups"] = [*b["groups"], group]
    rule: dict[str, Any] = {"rule": "exclusive", "group": group}
    if n == 3:
        rule = {"rule": "cardinality", "group": group, "max": 2}
    case["model"]["rules"].append(rule)


# --------------------------------------------------------------------------- §4b output


def _year_value(values: list[float | None], years: list[int], kind: str) -> Any:
    if kind == "scalar":
        return values[0]
    return {y: v for y, v in zip(years, values, strict=True) if v is not None}


def _emit(case: Case) -> tuple[dict[str, Any], dict[str, Any]]:
    years = case["years"]
    lines_out: list[dict[str, Any]] = []
    for ln in case["lines"]:
        out: dict[str, Any] = {"id": ln["id"], "name": f"line {ln['id']}", "pillar": ln["pillar"]}
        if ln["new"]:
            out["new"] = True
        if ln["min_kind"] != "none" and any(ln["min"]):
            out["min"] = _year_value(ln["min"], years, ln["min_kind"])
        if ln["max_kind"] != "none" and any(v is not None for v in ln["max"]):
            out["max"] = _year_value(ln["max"], years, ln["max_kind"])
        if ln["leverage"] > 0:
            out["leverage"] = ln["leverage"]
        out["impact"] = ln["impact"]
        for key in ("private_impact", "yields", "unit_cost"):
            if key in ln:
                out[key] = ln[key]
        if ln["integer"]:
            out["integer"] = True
        if ln["select"]:
            out["select"] = True
        for key in ("requires", "groups"):
            if ln[key]:
                out[key] = list(ln[key])
        lines_out.append(out)
    budget = case["budget"]
    inst: dict[str, Any] = {
        "name": "random",
        "title": "random differential-test case",
        "currency_unit": "bn_krw",
        "years": list(years),
        "pillars": [{"id": p, "name": f"pillar {p}"} for p in case["pillars"]],
        "budget": budget[0] if len(set(budget)) == 1 else dict(zip(years, budget, strict=True)),
        "kpis": case["kpis"],
        "lines": lines_out,
        "targets": case["targets"],
    }
    pool = {y: v for y, v in zip(years, case["pool"] or [], strict=False) if v}
    if pool:
        inst["private_pool"] = pool
    return inst, case["model"]
