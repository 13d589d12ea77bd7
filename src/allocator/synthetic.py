"""Synthetic instances and models in the design.md §4b format, for benchmarks and tests at scale.

`synthetic_case(lines, years)` returns an instance dict and a model dict that
`Instance.model_validate` and `ModelSpec.model_validate` accept, deterministic from the seed and
feasible by construction: a concrete allocation (government money g*, private money p*, and for
the MIP variant go/no-go decisions s* and whole units n*) is drawn first, and every budget, pool,
bound, share, ramp, cardinality limit and target is then put around it with some slack.

The case has four pillars, three KPIs (two stocks, one flow) with targets in the last year (and a
middle year from three years on), per-line floors and caps (none, one figure, or per year), private
leverage on most lines with a private pool every year, and the policy rules `pillar_share` (every
pillar, floor and cap), `new_initiative_share` and `ramp` (from two years on). The MIP variant adds
go/no-go lines (`select: true`) in cardinality groups of five and integer lines with a `unit_cost`.
Everything is drawn with numpy at once, so 100,000 lines take a fraction of a second.

    inst, spec = synthetic_case(10_000, 5)
    res = allocator.solve(allocator.Instance.model_validate(inst),
                          allocator.ModelSpec.model_validate(spec))
"""

from __future__ import annotations

from typing import Any

import numpy as np

from allocator.schema.collector import collector_paused

PILLARS: tuple[tuple[str, str], ...] = (
    ("infra", "AI computing and data infrastructure"),
    ("talent", "AI talent"),
    ("ax", "AI transformation (AX)"),
    ("rnd", "AI research and development"),
)
PILLAR_WEIGHTS = (0.35, 0.2, 0.25, 0.2)
KPIS: tuple[tuple[str, str, str, bool], ...] = (
    ("gpus", "GPUs in service", "GPU", True),
    ("researchers", "AI researchers trained", "person", True),
    ("adopters", "Firms adopting AI this year", "firm", False),
)
"""(id, name, unit, cumulative) of the synthetic KPIs."""
FIRST_YEAR = 2026
LEVERAGE_SHARE = 0.8
"""Share of lines that are fund-eligible (about two sources per line-year)."""
SELECT_SHARE = 0.1
INTEGER_SHARE = 0.1
GROUP_SIZE = 5
RAMP = 0.3
UNIT_COSTS = (0.5, 1.0, 2.0, 2.5, 4.0, 5.0)


def synthetic_case(
    lines: int, years: int, *, mip: bool = False, seed: int = 0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A feasible (instance, model) pair with `lines` lines over `years` years (from 2026).

    `mip` adds go/no-go lines with cardinality groups and integer lines with a unit cost.
    The same arguments always give the same case."""
    if lines < len(PILLARS):
        raise ValueError(f"lines must be at least {len(PILLARS)} (one per pillar)")
    if years < 1:
        raise ValueError("years must be at least 1")
    rng = np.random.default_rng(seed)
    n, t_count = lines, years
    year_ids = [FIRST_YEAR + t for t in range(t_count)]
    # The first lines (one per pillar) stay continuous and funded, so every pillar and year
    # spends something.
    plain = np.arange(n) < len(PILLARS)

    pillar = rng.choice(len(PILLARS), size=n, p=PILLAR_WEIGHTS)
    pillar[: len(PILLARS)] = np.arange(len(PILLARS))
    new = rng.random(n) < 0.4
    new[0] = True
    leverage = np.where(
        rng.random(n) < LEVERAGE_SHARE, rng.choice([0.5, 1.0, 2.0, 3.0], size=n), 0.0
    )
    impact = np.round(rng.uniform(0.1, 3.0, n), 3)
    private_impact = np.where(leverage > 0, np.round(rng.uniform(0.0, 1.5, n), 3), 0.0)

    select = np.zeros(n, dtype=bool)
    integer = np.zeros(n, dtype=bool)
    if mip:
        select = (rng.random(n) < SELECT_SHARE) & ~plain
        integer = (rng.random(n) < INTEGER_SHARE) & ~plain & ~select
    on = ~select | (rng.random(n) < 0.6)
    unit_cost = np.where(integer, rng.choice(UNIT_COSTS, size=n), 0.0)

    # The allocation g*, p*: a smooth walk per line (±20 % a year), private money within leverage.
    base = rng.integers(1, 101, n).astype(float)
    walk = 1.0 + rng.uniform(-0.2, 0.2, (n, t_count))
    walk[:, 0] = 1.0
    g = np.round(base[:, None] * np.cumprod(walk, axis=1), 2)
    p = np.floor(leverage[:, None] * g * rng.random((n, t_count)))
    # Integer lines: whole units n*, of which m* are paid privately (u·m ≤ λ·u·(n − m)).
    units = np.maximum(
        0, rng.integers(0, 21, n)[:, None] + np.cumsum(rng.integers(-1, 2, (n, t_count)), axis=1)
    )
    most_private = np.floor(leverage[:, None] * units / (1 + leverage[:, None]))
    private_units = np.floor(rng.random(n)[:, None] * (most_private + 1))
    g = np.where(integer[:, None], unit_cost[:, None] * (units - private_units), g)
    p = np.where(integer[:, None], unit_cost[:, None] * private_units, p)
    g[~on] = 0.0
    p[~on] = 0.0

    spend = g.sum(axis=0)
    budget = np.ceil(spend * (1 + rng.uniform(0.01, 0.05, t_count)))
    pool = np.ceil(p.sum(axis=0) * (1 + rng.uniform(0.01, 0.1, t_count)) + 1)

    # Caps above g* (and wide enough for the ramp), floors below it (any floor for a line that
    # is off: min·s with s = 0 never binds).
    caps = np.ceil(
        g * (1 + rng.uniform(0.05, 0.8, (n, t_count))) + rng.integers(1, 10, (n, t_count))
    )
    if t_count > 1:
        step = np.abs(np.diff(g, axis=1)) / RAMP * 1.01
        caps[:, 1:] = np.maximum(caps[:, 1:], np.ceil(step))
    max_kind = rng.choice(3, size=n, p=[0.3, 0.35, 0.35])  # none, one figure, per year
    floors = np.where(
        on[:, None],
        np.floor(g * rng.uniform(0.0, 0.9, (n, t_count))),
        np.floor(caps * rng.uniform(0.0, 0.5, (n, t_count))),
    )
    min_kind = rng.choice(3, size=n, p=[0.4, 0.3, 0.3])
    cap_of = np.where(max_kind[:, None] == 1, caps.max(axis=1)[:, None], caps)
    floor_of = np.where(min_kind[:, None] == 1, floors.min(axis=1)[:, None], floors)
    floor_of = np.where(min_kind[:, None] == 0, 0.0, floor_of)

    rules: list[dict[str, Any]] = []
    gov_total = np.where(spend > 0, spend, 1.0)
    for k, (pid, _) in enumerate(PILLARS):
        share = g[pillar == k].sum(axis=0) / gov_total
        lo = np.floor(share.min() * rng.uniform(0.5, 0.95) * 100) / 100
        hi = min(1.0, np.ceil(share.max() * 100) / 100 + 0.01 + round(rng.uniform(0, 0.1), 2))
        rule: dict[str, Any] = {"rule": "pillar_share", "pillar": pid}
        if lo > 0:
            rule["min"] = float(lo)
        if hi < 1:
            rule["max"] = round(float(hi), 2)
        if len(rule) > 2:
            rules.append(rule)
    new_share = g[new].sum(axis=0) / gov_total
    sigma = np.floor(new_share.min() * rng.uniform(0.5, 0.95) * 100) / 100
    if sigma > 0:
        rules.append({"rule": "new_initiative_share", "min": float(sigma)})
    if t_count > 1:
        rules.append({"rule": "ramp", "max_change": RAMP})

    groups: list[str | None] = [None] * n
    if mip:
        chosen = np.flatnonzero(select)
        for j, start in enumerate(range(0, len(chosen), GROUP_SIZE)):
            members = chosen[start : start + GROUP_SIZE]
            name = f"grp{j:04d}"
            for i in members.tolist():
                groups[i] = name
            k_max = max(1, int(on[members].sum()) + int(rng.integers(0, 2)))
            rules.append({"rule": "cardinality", "group": name, "max": k_max})

    kpis, targets, weights, yields = _kpis(rng, g + p, year_ids)
    with collector_paused():  # the one per-line Python loop makes many small dicts
        line_dicts = _line_dicts(
            n,
            year_ids,
            pillar=pillar,
            new=new,
            leverage=leverage,
            impact=impact,
            private_impact=private_impact,
            cap_of=cap_of,
            max_kind=max_kind,
            floor_of=floor_of,
            min_kind=min_kind,
            yields=yields,
            select=select,
            integer=integer,
            unit_cost=unit_cost,
            groups=groups,
        )
    variant = "mip" if mip else "lp"
    instance: dict[str, Any] = {
        "name": f"synthetic-{variant}-{n}x{t_count}-s{seed}",
        "title": f"Synthetic {variant.upper()}: {n:,} lines over {t_count} years (seed {seed})",
        "currency_unit": "bn_krw",
        "years": year_ids,
        "pillars": [{"id": pid, "name": name} for pid, name in PILLARS],
        "budget": dict(zip(year_ids, budget.tolist(), strict=True)),
        "private_pool": dict(zip(year_ids, pool.tolist(), strict=True)),
        "kpis": kpis,
        "lines": line_dicts,
        "targets": targets,
    }
    model: dict[str, Any] = {
        "name": f"synthetic-{variant}",
        "objective": "max_impact",
        "targets": {"mode": "soft", "weights": weights},
        "rules": rules,
    }
    return instance, model


def _kpis(
    rng: np.random.Generator, money: np.ndarray, year_ids: list[int]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, float], np.ndarray]:
    """KPIs, yields (lines × KPIs, 0 where a line yields nothing) and targets reachable by g*+p*."""
    n, t_count = money.shape
    # Yields shrink by tens as lines grow by tens, so KPI levels and targets stay near 1e4–1e5
    # (HiGHS warns about right-hand sides in the millions) whatever the size.
    shift = max(0, int(np.floor(np.log10(n / 100))))
    drawn = np.round(rng.uniform(0.1, 5.0, (n, len(KPIS))), 1)
    yields = np.where(rng.random((n, len(KPIS))) < 0.3, np.round(drawn / 10**shift, 1 + shift), 0.0)
    flows = yields.T @ money  # KPIs × years
    kpis: list[dict[str, Any]] = []
    targets: list[dict[str, Any]] = []
    weights: dict[str, float] = {}
    target_years = sorted({t_count - 1, (t_count - 1) // 2}) if t_count >= 3 else [t_count - 1]
    for k, (kid, name, unit, cumulative) in enumerate(KPIS):
        baseline = int(rng.integers(10, 1000))
        level = baseline + (np.cumsum(flows[k]) if cumulative else flows[k])
        kpis.append(
            {"id": kid, "name": name, "unit": unit, "baseline": baseline, "cumulative": cumulative}
        )
        for t in target_years:
            value = max(1.0, float(np.floor(level[t] * rng.uniform(0.9, 0.99))))
            targets.append({"kpi": kid, "year": year_ids[t], "value": value})
        weights[kid] = float(np.round(level[-1] * rng.uniform(0.3, 1.0), -1) or 1.0)
    return kpis, targets, weights, yields


def _per_year(values: list[float], kind: int, year_ids: list[int]) -> float | dict[int, float]:
    return values[0] if kind == 1 else dict(zip(year_ids, values, strict=True))


def _line_dicts(
    n: int,
    year_ids: list[int],
    *,
    pillar: np.ndarray,
    new: np.ndarray,
    leverage: np.ndarray,
    impact: np.ndarray,
    private_impact: np.ndarray,
    cap_of: np.ndarray,
    max_kind: np.ndarray,
    floor_of: np.ndarray,
    min_kind: np.ndarray,
    yields: np.ndarray,
    select: np.ndarray,
    integer: np.ndarray,
    unit_cost: np.ndarray,
    groups: list[str | None],
) -> list[dict[str, Any]]:
    """The lines as §4b dicts, defaults left out."""
    pillar_ids = [pid for pid, _ in PILLARS]
    kpi_ids = [kid for kid, *_ in KPIS]
    width = len(str(n - 1))
    out: list[dict[str, Any]] = []
    for i, (
        pk,
        is_new,
        lev,
        imp,
        pimp,
        caps,
        mk,
        floors,
        nk,
        ys,
        sel,
        whole,
        cost,
        grp,
    ) in enumerate(
        zip(
            pillar.tolist(),
            new.tolist(),
            leverage.tolist(),
            impact.tolist(),
            private_impact.tolist(),
            cap_of.tolist(),
            max_kind.tolist(),
            floor_of.tolist(),
            min_kind.tolist(),
            yields.tolist(),
            select.tolist(),
            integer.tolist(),
            unit_cost.tolist(),
            groups,
            strict=True,
        )
    ):
        pid = pillar_ids[pk]
        line: dict[str, Any] = {
            "id": f"{pid}-{i:0{width}d}",
            "name": f"{pid} line {i}",
            "pillar": pid,
            "impact": imp,
        }
        if is_new:
            line["new"] = True
        if nk:
            line["min"] = _per_year(floors, nk, year_ids)
        if mk:
            line["max"] = _per_year(caps, mk, year_ids)
        if lev:
            line["leverage"] = lev
            line["private_impact"] = pimp
        made = {kid: y for kid, y in zip(kpi_ids, ys, strict=True) if y}
        if made:
            line["yields"] = made
        if sel:
            line["select"] = True
        if whole:
            line["integer"] = True
            line["unit_cost"] = cost
        if grp is not None:
            line["groups"] = [grp]
        out.append(line)
    return out
