"""The rule audit: every rule instance, its state, slack, shadow price and origin."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from allocator.explain.korean import RULE_KINDS_KO, rule_text
from allocator.explain.words import row_unit
from allocator.formulation import Formulation
from allocator.schema.provenance import covers
from allocator.solver.highs import Solution
from allocator.words import Lang, name_of

BINDING_TOLERANCE = 1e-7
"""A rule binds when its slack is within this share of its right-hand side (at least 1)."""

COLUMNS = [
    "rule",
    "family",
    "text",
    "pillar",
    "line",
    "year",
    "kpi",
    "group",
    "state",
    "slack",
    "unit",
    "shadow_price",
    "origin",
    "figure",
    "source",
]


def audit(built: Formulation, sol: Solution, lang: Lang = "en") -> pd.DataFrame:
    """One row per declared rule instance: binding / slack / short (a soft target's penalised
    shortfall) / always holds, with its slack in its own unit and its shadow price; the rule's
    text, origin and names in `lang` (states stay in English: they are keys)."""
    pillars = {p.id: name_of(p, lang) for p in built.inst.pillars}
    records: list[dict[str, Any]] = []
    for name, row in built.rows.items():
        activity = sol.activity.get(name)
        if activity is None:
            slack, state = math.nan, "not in the solved model"
        else:
            slack = {"<=": row.rhs - activity, ">=": activity - row.rhs, "==": 0.0}[row.sense]
            tight = abs(slack) <= BINDING_TOLERANCE * max(1.0, abs(row.rhs))
            state = "binding" if tight or row.sense == "==" else "slack"
            key = (str(row.subjects.get("kpi")), int(row.subjects.get("year") or 0))
            short = built.shortfall.get(key) if row.family == "target" else None
            if short is not None and sol.value(short) > BINDING_TOLERANCE * max(1.0, row.rhs):
                state, slack = "short (penalised)", -sol.value(short)
        records.append(
            _record(
                built,
                row.name,
                row.family,
                rule_text(built, row) if lang == "ko" else row.text,
                row.subjects,
                state,
                slack,
                row_unit(built, row),
                sol.duals.get(name, math.nan),
                _origin(built, row.rule, lang)
                if row.family != "level_hold"
                else f"{'모형' if lang == 'ko' else 'model'} {built.spec.name}: levels "
                f"({row.subjects['level']})",
                row.figure,
                pillars,
                lang,
            )
        )
    for const in built.constants:
        records.append(
            _record(
                built,
                const.name,
                const.name.split("[")[0],
                const.text,
                {},
                "always holds" if const.holds else "cannot hold",
                math.nan,
                "",
                math.nan,
                "",
                None,
                pillars,
                lang,
            )
        )
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _record(
    built: Formulation,
    name: str,
    family: str,
    text: str,
    subjects: dict[str, Any],
    state: str,
    slack: float,
    unit: str,
    dual: float,
    origin: str,
    figure: str | None,
    pillars: dict[str, str],
    lang: Lang = "en",
) -> dict[str, Any]:
    line = subjects.get("line")
    return {
        "rule": name,
        "family": family,
        "text": text,
        "pillar": pillars.get(subjects.get("pillar", ""))
        or (pillars.get(built.lines[line].main_pillar) if line in built.lines else None),
        "line": name_of(built.lines[line], lang) if line in built.lines else None,
        "year": subjects.get("year"),
        "kpi": subjects.get("kpi"),
        "group": subjects.get("group"),
        "state": state,
        "slack": slack,
        "unit": unit,
        "shadow_price": dual,
        "origin": origin,
        "figure": figure,
        "source": _source(built, figure, lang),
    }


def _origin(built: Formulation, rule: int | None, lang: Lang = "en") -> str:
    if rule is None:
        return "입력" if lang == "ko" else "instance"
    kind = built.spec.rules[rule].rule
    if lang == "ko":
        return f"모형 {built.spec.name}의 규칙 {rule}번 ({RULE_KINDS_KO.get(kind, kind)})"
    return f"model {built.spec.name}: rules[{rule}] ({kind})"


KINDS_KO = {"reported": "보고", "derived": "산출", "assumed": "가정"}


def _source(built: Formulation, figure: str | None, lang: Lang = "en") -> str | None:
    if figure is None:
        return None
    for source in built.inst.sources:
        if covers(source.about, figure):
            detail = source.cite or source.note or ""
            kind = KINDS_KO.get(source.kind, source.kind) if lang == "ko" else source.kind
            return f"{kind}: {detail}"
    return None
