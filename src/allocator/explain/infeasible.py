"""Infeasibility in policy words: an irreducible set of rules that cannot hold together, the
numbers behind each, and ranked repairs (the smallest change to each rule that restores
feasibility, the others held as they are), in English and Korean.

LPs use HiGHS's IIS. MIPs take the IIS of their LP relaxation when that is infeasible, else every
rule, and shrink it with a deletion filter of MIP solves, so the set is irreducible for the MIP.

A repair keeps each figure in its domain: budgets, pools, caps, line bounds and targets stay
non-negative, shares between 0 and 100 %. A rule whose repair would need a value outside its
domain says so, with the value it would need."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from allocator.explain.korean import FAMILIES_KO, RULE_KINDS_KO, family_ko, rule_text, toward
from allocator.explain.sentences import value_words
from allocator.explain.words import row_unit
from allocator.formulation import Formulation, Row, build
from allocator.schema.rules import NewInitiativeShare, PillarShare
from allocator.solver import probe
from allocator.solver.compile import Matrix, compile_matrix
from allocator.solver.highs import SolveOptions
from allocator.words import Lang, amount, name_of, percent

SHARE_FAMILIES = {"pillar_share_min", "pillar_share_max", "new_initiative_share"}
NOT_POLICY = {"leverage", "integer_units", "kpi_level"}
NON_NEGATIVE = ("budget.", "private_pool.", "lines.", "funds.", "carryover", "targets.")
"""Figures that cannot be negative: a repair never takes them below zero."""
METHODS_KO = {
    "HiGHS irreducible infeasible subset (IIS)": "HiGHS 기약 불능 부분집합(IIS)",
    "deletion filter over MIP solves": "MIP 풀이를 거듭한 삭제 필터",
    "rules with no decision in them": "결정 변수가 없는 규칙",
}


@dataclass(frozen=True)
class Repair:
    """The smallest change to one rule that makes the whole problem feasible again."""

    rule: str
    change: float
    """How far the rule's figure moves (in `unit`), or NaN when no change to it alone suffices
    within its domain."""
    unit: str
    relative: float
    """The change as a share of the figure (the ranking key)."""
    sentence: str
    sentence_ko: str = ""
    needed: float = float("nan")
    """For a repair outside the figure's domain: the value the figure would need."""

    def text(self, lang: Lang = "en") -> str:
        """The repair in `lang`."""
        return self.sentence_ko if lang == "ko" and self.sentence_ko else self.sentence


@dataclass
class Diagnosis:
    """Why a solve is infeasible: the colliding rules, in words and numbers, and the repairs."""

    rules: list[str]
    texts: list[str]
    context: list[str] = field(default_factory=list)
    repairs: list[Repair] = field(default_factory=list)
    method: str = ""
    texts_ko: list[str] = field(default_factory=list)
    context_ko: list[str] = field(default_factory=list)

    def rule_texts(self, lang: Lang = "en") -> list[str]:
        """The colliding rules in words, in `lang`."""
        return self.texts_ko if lang == "ko" and self.texts_ko else self.texts

    def text(self, lang: Lang = "en") -> str:
        """The diagnosis as a block of text in `lang`."""
        ko = lang == "ko"
        lines = ["동시에 만족할 수 없는 규칙:" if ko else "These rules cannot hold together:"]
        lines += [
            f"  - {name}: {words}"
            for name, words in zip(self.rules, self.rule_texts(lang), strict=True)
        ]
        lines += [f"  ({c})" for c in (self.context_ko if ko else self.context)]
        fixes = [r for r in self.repairs if not np.isnan(r.change)]
        if fixes:
            lines.append(
                "규칙 하나씩의 최소 수정안 (작은 순):"
                if ko
                else "Smallest repairs, one rule at a time (smallest first):"
            )
            lines += [f"  {i}. {r.text(lang)}" for i, r in enumerate(fixes, start=1)]
        stuck = [r for r in self.repairs if np.isnan(r.change)]
        if stuck:
            lines.append(
                "다음 규칙은 하나만 바꿔서는 해를 되살릴 수 없음:"
                if ko
                else "Changing any one of these alone cannot restore feasibility:"
            )
            lines += [f"  - {r.text(lang)}" for r in stuck]
        return "\n".join(lines)

    def method_text(self, lang: Lang = "en") -> str:
        """How the colliding set was found, in `lang`."""
        return METHODS_KO.get(self.method, self.method) if lang == "ko" else self.method

    def __str__(self) -> str:
        return self.text("en")


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
                    f"{c.name}: 사업을 선정 여부 결정으로 바꾸거나 규칙을 고칠 것",
                )
                for c in failed
            ],
            texts_ko=[
                f"{family_ko(c.name)} 규칙 ({c.detail}: 어떤 결정으로도 바꿀 수 없음)"
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
    return Diagnosis(
        names,
        texts,
        _context(built, names, "en"),
        repairs,
        method,
        [rule_text(built, built.rows[n]) for n in names],
        _context(built, names, "ko"),
    )


def colliding(built: Formulation, options: SolveOptions | None = None) -> list[str]:
    """The names of an irreducible set of rules that cannot hold together in an infeasible
    built model (HiGHS's IIS, or a deletion filter for a MIP), e.g. `budget[2028]`."""
    failed = [c.name for c in built.constants if not c.holds]
    if failed:
        return failed
    matrix = compile_matrix(built)
    rows, _ = probe.irreducible_rows(matrix, options or SolveOptions())
    return [matrix.rows[i] for i in rows]


def reason(built: Formulation, options: SolveOptions | None = None) -> str:
    """Why an infeasible model has no answer, in short: the families of the colliding rules
    (`budget; line_min; new_initiative_share`), for a table's `reason` column."""
    return "; ".join(sorted({name.split("[", 1)[0] for name in colliding(built, options)}))


def _floor(row: Row) -> float | None:
    """The lowest value the row's right-hand side may take, when it is a figure with a domain
    (a budget, a cap, a line bound, a target: not below zero); None otherwise."""
    if row.figure is None or not row.figure.startswith(NON_NEGATIVE) or row.rhs <= 0:
        return None
    return 0.0


def _repair(built: Formulation, matrix: Matrix, i: int, options: SolveOptions) -> Repair:
    name = matrix.rows[i]
    row = built.rows[name]
    if row.family in SHARE_FAMILIES and row.rule is not None:
        return _share_repair(built, name, options)
    unit = _unit(built, row)
    floor = _floor(row)
    lowest = None if floor is None else row.rhs - floor
    change = probe.elastic(matrix, i, row.sense, options, lowest)
    if change is None:
        needed = probe.elastic(matrix, i, row.sense, options) if lowest is not None else None
        if needed is None:
            return Repair(
                name,
                float("nan"),
                unit,
                float("nan"),
                f"{name}: changing this rule alone cannot restore feasibility",
                f"{name}: 이 규칙 하나만 바꿔서는 해를 되살릴 수 없음",
            )
        value = _new(row, needed)
        return Repair(
            name,
            float("nan"),
            unit,
            float("nan"),
            f"{name} — {row.text}: changing this rule alone would need its figure at "
            f"{value_words(built, row, value)}, below zero, which it cannot be",
            f"{name} — {rule_text(built, row)}: 이 규칙만 바꾸려면 수치가 "
            f"{value_words(built, row, value, 'ko')}이어야 하는데, 0보다 작을 수 없음",
            needed=value,
        )
    relative = change / max(abs(row.rhs), 1e-9) if row.rhs else change
    new = _new(row, change)
    figure = f" ({row.figure})" if row.figure else ""
    if row.rhs:
        up = new > row.rhs
        old_en, new_en = value_words(built, row, row.rhs), value_words(built, row, new)
        old_ko, new_ko = (value_words(built, row, x, "ko") for x in (row.rhs, new))
        what = f"{'raise' if up else 'lower'} it from {old_en} to {new_en}"
        what_ko = f"{old_ko}에서 {toward(new_ko)} {'올림' if up else '내림'}"
    else:
        size_en = value_words(built, row, abs(change))
        size_ko = value_words(built, row, abs(change), "ko")
        up = row.sense == "<="
        what = f"{'raise' if up else 'lower'} its limit by {size_en}"
        what_ko = f"한도를 {size_ko}만큼 {'올림' if up else '내림'}"
    return Repair(
        name,
        abs(change),
        unit,
        abs(relative),
        f"{name}{figure} — {row.text}: {what}",
        f"{name}{figure} — {rule_text(built, row)}: {what_ko}",
    )


def _new(row: Row, change: float) -> float:
    """The right-hand side after the elastic change: raised for a ceiling, lowered for a floor,
    moved for an equation (the elastic columns enter the row with signs −1; +1; +1 and −1)."""
    return row.rhs + change if row.sense == "<=" else row.rhs - change


def _unit(built: Formulation, row: Row) -> str:
    return row_unit(built, row)


def _share_repair(built: Formulation, name: str, options: SolveOptions) -> Repair:
    """Bisect the share rule's parameter, within 0–100 %, to the least change that is
    feasible."""
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

    what, what_ko = _share_words(built, rule, field_name)
    if not feasible(target):
        bound = "100%" if field_name == "max" else "0%"
        return Repair(
            name,
            float("nan"),
            "share",
            float("nan"),
            f"{name}: no {what} alone restores feasibility, even at {bound}",
            f"{name}: {what_ko}만 바꿔서는 {bound}까지 바꿔도 해를 되살릴 수 없음",
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
    kind_ko = RULE_KINDS_KO.get(rule.rule, rule.rule)
    return Repair(
        name,
        abs(good - old),
        "share",
        abs(good - old) / max(old, 1e-9),
        f"rules[{row.rule}] ({rule.rule}): {verb} the {what} from {percent(old)} to "
        f"{percent(good, 4)}",
        f"rules[{row.rule}] ({kind_ko}): {what_ko}을 {percent(old)}에서 "
        f"{toward(percent(good, 4))} {'높임' if field_name == 'max' else '낮춤'}",
    )


def _share_words(built: Formulation, rule: Any, field_name: str) -> tuple[str, str]:
    if isinstance(rule, NewInitiativeShare):
        return "new-initiative share", "신규 사업 비중"
    if isinstance(rule, PillarShare):
        pillar = next(p for p in built.inst.pillars if p.id == rule.pillar)
        ceiling = field_name == "max"
        return (
            f"{pillar.name} {'ceiling' if ceiling else 'floor'}",
            f"{name_of(pillar, 'ko')} {'최대' if ceiling else '최소'} 비중",
        )
    return rule.rule, FAMILIES_KO.get(rule.rule, "규칙")


def _context(built: Formulation, names: list[str], lang: Lang) -> list[str]:
    """Sums that make the collision visible: the line minimums in the set, per year."""
    floors: dict[Any, float] = defaultdict(float)
    counts: dict[Any, int] = defaultdict(int)
    for name in names:
        row = built.rows[name]
        if row.family == "line_min":
            year = row.subjects["year"]
            floors[year] += built.line_min(row.subjects["line"], year)
            counts[year] += 1
    unit = built.inst.currency_unit
    out = []
    for y, total in sorted(floors.items()):
        if counts[y] < 2:
            continue
        need, budget = amount(total, unit, lang), amount(built.inst.budget_in(y), unit, lang)
        out.append(
            f"이 집합의 사업 최소액 {counts[y]}개를 합하면 {y}년 {need}; 예산은 {budget}"
            if lang == "ko"
            else f"the {counts[y]} line minimums in this set need {need} in {y}; the budget is "
            f"{budget}"
        )
    return out
