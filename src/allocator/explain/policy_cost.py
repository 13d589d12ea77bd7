"""The price of each policy: the objective's change when a rule is removed (an exact re-solve)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from allocator.explain.korean import FAMILIES_KO, RULE_KINDS_KO
from allocator.explain.sentences import cost_sentence, describe, without_sentence
from allocator.formulation import Formulation
from allocator.solver.highs import Solution
from allocator.solver.probe import objective_without
from allocator.words import Lang, name_of

DEFINITIONAL = {"budget", "private_pool", "leverage", "integer_units", "kpi_level", "line_max"}
"""Families that define the problem rather than restrict it; they are not priced."""


GROUPS_KO = {
    "line minimums": "사업 최소액",
    "line prerequisites": "선행 사업 조건",
    "hard targets": "경성 목표",
}


def _groups(
    built: Formulation, per_instance: bool, lang: Lang = "en"
) -> list[tuple[str, list[str], bool]]:
    """(label, row names, lower bound only) for each priced policy."""
    rows = built.rows
    ko = lang == "ko"
    groups: list[tuple[str, list[str], bool]] = []
    if per_instance:
        for name, row in rows.items():
            if row.family not in DEFINITIONAL and not (row.family == "target" and _soft(built)):
                groups.append((f"{name}: {describe(built, row, lang)}", [name], False))
    else:
        for i, rule in enumerate(built.spec.rules):
            names = [n for n, r in rows.items() if r.rule == i]
            if names:
                kind = RULE_KINDS_KO.get(rule.rule, rule.rule)
                label = (
                    f"규칙 {i}번 {kind} {_about(rule, lang, built)}"
                    if ko
                    else f"rules[{i}] {rule.rule} {_about(rule)}"
                )
                groups.append((label.strip(), names, False))
        for family, label in (
            ("line_min", "line minimums"),
            ("requires", "line prerequisites"),
            ("target", "hard targets"),
        ):
            names = [n for n, r in rows.items() if r.family == family and r.rule is None]
            if names and not (family == "target" and _soft(built)):
                groups.append((GROUPS_KO[label] if ko else label, names, False))
        for name, row in rows.items():
            if row.family == "level_hold":
                level = row.subjects["level"]
                label = (
                    f"{FAMILIES_KO['level_hold']} ({level})"
                    if ko
                    else f"holding priority level {level}"
                )
                groups.append((label, [name], False))
    if built.spec.must_spend:
        budget = [n for n, r in rows.items() if r.family == "budget"]
        label = "예산 전액 집행 (must_spend)" if ko else "must_spend (spend the whole budget)"
        groups.append((label, budget, True))
    return groups


def _soft(built: Formulation) -> bool:
    return bool(built.shortfall)


ABOUT_KO = {"pillar": "분야", "group": "그룹", "name": "이름", "expr": "식"}


def _about(rule: object, lang: Lang = "en", built: Formulation | None = None) -> str:
    for key in ("pillar", "group", "name", "expr"):
        value = getattr(rule, key, None)
        if value:
            if lang == "ko" and key == "pillar" and built is not None:
                pillar = next((p for p in built.inst.pillars if p.id == value), None)
                value = name_of(pillar, "ko") if pillar is not None else value
            return f"{ABOUT_KO[key] if lang == 'ko' else key} {value}"
    return ""


def price_of_policies(
    built: Formulation, sol: Solution, per_instance: bool = False, lang: Lang = "en"
) -> pd.DataFrame:
    """For each model rule (or, with `per_instance`, each rule instance), plus line minimums,
    prerequisites, hard targets and must_spend: the objective without it and what it costs."""
    columns = ["policy", "rules", "objective_without", "cost", "cost_share", "sentence"]
    if sol.matrix is None or sol.objective is None:
        return pd.DataFrame(columns=columns)
    index = {name: i for i, name in enumerate(sol.matrix.rows)}
    maximize = built.sense == "max"
    records = []
    scale = max(1.0, abs(sol.objective))
    for label, names, lower_only in _groups(built, per_instance, lang):
        rows = np.array([index[n] for n in names if n in index], dtype=np.int32)
        if rows.size == 0:
            continue
        found = objective_without(sol, rows, lower_only)
        if found.optimal:
            without = found.objective
            cost = (without - sol.objective) if maximize else (sol.objective - without)
            if abs(cost) <= 1e-9 * scale:
                cost = 0.0  # solver noise, not a cost
            share = cost / abs(without) if without else math.nan
            sentence = cost_sentence(built, label, cost, share, lang, scale)
        else:
            without, cost, share = math.nan, math.inf, math.nan
            sentence = without_sentence(label, found.status, lang)
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
