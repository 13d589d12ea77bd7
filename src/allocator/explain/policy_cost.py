"""The price of each policy: the objective's change when a rule is removed (an exact re-solve)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from allocator.explain.words import objective_amount
from allocator.formulation import Formulation
from allocator.solver.highs import Solution
from allocator.solver.probe import objective_without

DEFINITIONAL = {"budget", "private_pool", "leverage", "integer_units", "kpi_level", "line_max"}
"""Families that define the problem rather than restrict it; they are not priced."""


def _groups(built: Formulation, per_instance: bool) -> list[tuple[str, list[str], bool]]:
    """(label, row names, lower bound only) for each priced policy."""
    rows = built.rows
    groups: list[tuple[str, list[str], bool]] = []
    if per_instance:
        for name, row in rows.items():
            if row.family not in DEFINITIONAL and not (row.family == "target" and _soft(built)):
                groups.append((f"{name}: {row.text}", [name], False))
    else:
        for i, rule in enumerate(built.spec.rules):
            names = [n for n, r in rows.items() if r.rule == i]
            if names:
                groups.append((f"rules[{i}] {rule.rule} {_about(rule)}".strip(), names, False))
        for family, label in (
            ("line_min", "line minimums"),
            ("requires", "line prerequisites"),
            ("target", "hard targets"),
        ):
            names = [n for n, r in rows.items() if r.family == family and r.rule is None]
            if names and not (family == "target" and _soft(built)):
                groups.append((label, names, False))
        for name, row in rows.items():
            if row.family == "level_hold":
                groups.append((f"holding priority level {row.subjects['level']}", [name], False))
    if built.spec.must_spend:
        budget = [n for n, r in rows.items() if r.family == "budget"]
        groups.append(("must_spend (spend the whole budget)", budget, True))
    return groups


def _soft(built: Formulation) -> bool:
    return bool(built.shortfall)


def _about(rule: object) -> str:
    for key in ("pillar", "group", "name", "expr"):
        value = getattr(rule, key, None)
        if value:
            return f"{key} {value}"
    return ""


def price_of_policies(
    built: Formulation, sol: Solution, per_instance: bool = False
) -> pd.DataFrame:
    """For each model rule (or, with `per_instance`, each rule instance), plus line minimums,
    prerequisites, hard targets and must_spend: the objective without it and what it costs."""
    columns = ["policy", "rules", "objective_without", "cost", "cost_share", "sentence"]
    if sol.matrix is None or sol.objective is None:
        return pd.DataFrame(columns=columns)
    index = {name: i for i, name in enumerate(sol.matrix.rows)}
    maximize = built.sense == "max"
    records = []
    for label, names, lower_only in _groups(built, per_instance):
        rows = np.array([index[n] for n in names if n in index], dtype=np.int32)
        if rows.size == 0:
            continue
        found = objective_without(sol, rows, lower_only)
        if found.optimal:
            without = found.objective
            cost = (without - sol.objective) if maximize else (sol.objective - without)
            share = cost / abs(without) if without else math.nan
            pct = f" ({share:.1%} of the objective without it)" if math.isfinite(share) else ""
            sentence = f"{label} costs {objective_amount(built, cost)}{pct}"
        else:
            without, cost, share = math.nan, math.inf, math.nan
            sentence = f"{label}: without it the problem is {found.status}"
        records.append(
            {
                "policy": label,
                "rules": len(rows),
                "objective_without": without,
                "cost": cost,
                "cost_share": share,
                "sentence": sentence,
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)
