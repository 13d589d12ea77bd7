"""Infeasibility in policy words: an irreducible set of rules that cannot hold together, the
numbers behind each, and ranked repairs (the smallest change to each rule that restores
feasibility, the others held as they are).

LPs use HiGHS's IIS. MIPs take the IIS of their LP relaxation when that is infeasible, else every
rule, and shrink it with a deletion filter of MIP solves, so the set is irreducible for the MIP."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allocator.explain.words import amount, row_unit
from allocator.formulation import Formulation, build
from allocator.schema.rules import NewInitiativeShare, PillarShare
from allocator.solver import probe
from allocator.solver.compile import Matrix, compile_matrix
from allocator.solver.highs import SolveOptions

SHARE_FAMILIES = {"pillar_share_min", "pillar_share_max", "new_initiative_share"}
NOT_POLICY = {"leverage", "integer_units", "kpi_level"}


@dataclass(frozen=True)
class Repair:
    """The smallest change to one rule that makes the whole problem feasible again."""

    rule: str
    change: float
    """How far the rule's figure moves (in `unit`), or NaN when no change to it alone suffices."""
    unit: str
    relative: float
    """The change as a share of the figure (the ranking key)."""
    sentence: str


@dataclass
class Diagnosis:
    """Why a solve is infeasible: the colliding rules, in words and numbers, and the repairs."""

    rules: list[str]
    texts: list[str]
    context: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    method: str = ""

    def __str__(self) -> str:
        lines = ["These rules cannot hold together:"]
        lines += [f"  - {name}: {text}" for name, text in zip(self.rules, self.texts, strict=True)]
        lines += [f"  ({c})" for c in self.context]
        fixes = [r for r in self.repairs if not np.isnan(r.change)]
        if fixes:
            lines.append("Smallest repairs, one rule at a time (smallest first):")
            lines += [f"  {i}. {r.sentence}" for i, r in enumerate(fixes, start=1)]
        stuck = [r.rule for r in self.repairs if np.isnan(r.change)]
        if stuck:
            lines.append(
                "Changing any one of these alone cannot restore feasibility: " + ", ".join(stuck)
            )
        return "\n".join(lines)


def diagnose(built: Formulation, options: SolveOptions | None = None) -> Diagnosis:
    """The irreducible set of colliding rules and their ranked repairs."""
    options = options or SolveOptions()
    failed = [c for c in built.constants if not c.holds]
    if failed:
        return Diagnosis(
            [c.name for c in failed],
            [f"{c.text} ({c.detail}: no decision can change it)" for c in failed],
            method="rules with no decision in them",
            repairs=[
                Repair(
                    c.name,
                    float("nan"),
                    "",
                    float("nan"),
                    f"{c.name}: make the lines go/no-go decisions, or change the rule",
                )
                for c in failed
            ],
        )
    matrix = compile_matrix(built)
    rows, method = probe.irreducible_rows(matrix, options)
    names = [matrix.rows[i] for i in rows]
    texts = [built.rows[n].text for n in names]
    repairs = sorted(
        (
            _repair(built, matrix, i, options)
            for i in rows
            if built.rows[matrix.rows[i]].family not in NOT_POLICY
        ),
        key=lambda r: (np.isnan(r.relative), r.relative),
    )
    return Diagnosis(names, texts, _context(built, names), repairs, method)


def _repair(built: Formulation, matrix: Matrix, i: int, options: SolveOptions) -> Repair:
    name = matrix.rows[i]
    row = built.rows[name]
    if row.family in SHARE_FAMILIES and row.rule is not None:
        return _share_repair(built, name, options)
    change = probe.elastic(matrix, i, row.sense, options)
    unit = row_unit(built, row)
    if change is None:
        return Repair(
            name,
            float("nan"),
            unit,
            float("nan"),
            f"{name}: changing this rule alone cannot restore feasibility",
        )
    relative = change / max(abs(row.rhs), 1e-9) if row.rhs else change
    if row.sense == "<=":
        verb, new = "raise", row.rhs + change
    elif row.sense == ">=":
        verb, new = "lower", row.rhs - change
    else:
        verb, new = "move", row.rhs + change
    figure = f" ({row.figure})" if row.figure else ""
    if row.rhs:
        what = f"{verb} it from {amount(built, row, row.rhs)} to {amount(built, row, new)}"
    else:
        what = f"{verb} its limit by {amount(built, row, change)}"
    return Repair(name, change, unit, relative, f"{name}{figure} — {row.text}: {what}")


def _share_repair(built: Formulation, name: str, options: SolveOptions) -> Repair:
    """Bisect the share rule's parameter to the least change that is feasible."""
    row = built.rows[name]
    assert row.rule is not None
    rule = built.spec.rules[row.rule]
    field_name = "max" if row.family == "pillar_share_max" else "min"
    old = float(getattr(rule, field_name))
    target = 1.0 if field_name == "max" else 0.0

    def feasible(value: float) -> bool:
        rules = list(built.spec.rules)
        rules[row.rule] = rule.model_copy(update={field_name: value})  # type: ignore[index]
        trial = build(built.inst, built.spec.model_copy(update={"rules": rules}))
        if any(not c.holds for c in trial.constants):
            return False
        return probe.feasible(compile_matrix(trial), options) is True

    what = (
        "new-initiative share"
        if isinstance(rule, NewInitiativeShare)
        else (
            f"{built.pillar_name(rule.pillar)} {'ceiling' if field_name == 'max' else 'floor'}"
            if isinstance(rule, PillarShare)
            else name
        )
    )
    if not feasible(target):
        return Repair(
            name,
            float("nan"),
            "share",
            float("nan"),
            f"{name}: no {what} alone restores feasibility",
        )
    good, bad = target, old
    for _ in range(40):
        if abs(good - bad) < 1e-6:
            break
        mid = (good + bad) / 2
        if feasible(mid):
            good = mid
        else:
            bad = mid
    verb = "raise" if field_name == "max" else "lower"
    return Repair(
        name,
        abs(good - old),
        "share",
        abs(good - old) / max(old, 1e-9),
        f"rules[{row.rule}] ({rule.rule}): {verb} the {what} from {old:.1%} to {good:.2%}",
    )


def _context(built: Formulation, names: list[str]) -> list[str]:
    """Sums that make the collision visible: the line minimums in the set, per year."""
    floors: dict[Any, float] = defaultdict(float)
    counts: dict[Any, int] = defaultdict(int)
    for name in names:
        row = built.rows[name]
        if row.family == "line_min":
            year = row.subjects["year"]
            floors[year] += built.line_min(row.subjects["line"], year)
            counts[year] += 1
    return [
        f"the {counts[y]} line minimums in this set need {built.money(total)} in {y}; the budget "
        f"is {built.money(built.inst.budget_in(y))}"
        for y, total in sorted(floors.items())
        if counts[y] > 1
    ]
