"""The objective in words: what one point is, and how many of the figures that weigh it are
assumed rather than reported or derived (issue 13, item 6)."""

from __future__ import annotations

from dataclasses import dataclass

from allocator.schema import Instance, ModelSpec
from allocator.schema.provenance import source_finder
from allocator.words.language import Lang
from allocator.words.money import currency, one_unit
from allocator.words.units import objective_amount

IMPACT_FIELDS = ("impact", "private_impact", "curve")
"""The line fields that set a line's points (their figure paths: `lines.ID.impact`, ...)."""


@dataclass(frozen=True)
class Weighing:
    """The figures behind an objective: the instance's (impact scores, targets) by provenance
    kind, and the model's (KPI weights)."""

    figures: list[str]
    assumed: list[str]
    unsourced: list[str]
    model_weights: int


def counts_impact(spec: ModelSpec) -> bool:
    """Whether the model's objective (or one of its priority levels) counts impact points."""
    goals = [goal for level in spec.levels for goal in level.goals]
    return spec.objective == "max_impact" or any(g.objective == "max_impact" for g in goals)


def weighing(inst: Instance, spec: ModelSpec) -> Weighing:
    """The instance figures whose values set the objective's points (impact scores, curves and,
    where shortfalls count, the targets), which of them are assumed or unsourced, and how many
    weights the model sets."""
    shortfalls = spec.soft_targets() and spec.objective != "min_cost"
    figures = [
        f"lines.{line.id}.{field}"
        for line in (inst.lines if counts_impact(spec) else [])
        for field in IMPACT_FIELDS
        if getattr(line, field)
    ]
    if shortfalls:
        figures += [f"targets.{t.kpi}.{t.year}" for t in inst.targets]
    assumed, unsourced = [], []
    first = source_finder(inst)
    for path in figures:
        i = first(path)
        if i is None:
            unsourced.append(path)
        elif inst.sources[i].kind == "assumed":
            assumed.append(path)
    targeted = {t.kpi for t in inst.targets}
    weights = len([k for k in spec.targets.weights if k in targeted]) if shortfalls else 0
    return Weighing(figures, assumed, unsourced, weights)


def point(inst: Instance, spec: ModelSpec, lang: Lang = "en") -> str:
    """What one point of the objective is."""
    unit = currency(inst.currency_unit, lang)
    one = one_unit(inst.currency_unit, lang)
    kind = spec.objective
    if kind == "min_cost":
        return (
            f"the objective is government money in {unit}"
            if lang == "en"
            else f"목적함수는 정부 재정({unit} 단위)입니다"
        )
    if kind == "goal":
        return (
            "one point is a whole (100 %) shortfall on one target of weight 1"
            if lang == "en"
            else "1점은 가중치 1인 목표 하나를 100% 못 채운 것입니다"
        )
    impact = (
        f"one impact point is what 1 {unit} of government money earns in a line whose impact "
        "score is 1"
        if lang == "en"
        else f"영향 점수 1점은 영향 계수 1인 사업에 정부 재정 {one}을 쓸 때 얻는 값입니다"
    )
    if kind == "lexicographic":
        last = spec.levels[-1].name if spec.levels else ""
        return (
            f"the points of the last priority level ({last}); {impact}"
            if lang == "en"
            else f"마지막 우선순위 단계({last})의 점수; {impact}"
        )
    if spec.soft_targets() and inst.targets:
        impact += (
            "; a target missed by all of it costs its weight in points"
            if lang == "en"
            else "; 목표를 전부 못 채우면 그 가중치만큼 점수를 잃습니다"
        )
    return impact


def assumed_note(inst: Instance, spec: ModelSpec, lang: Lang = "en") -> str:
    """How many of the figures behind the objective are assumed: "34 of the 36 figures behind
    it are assumed (impact scores and targets); the model sets 1 KPI weight"."""
    found = weighing(inst, spec)
    if not found.figures and not found.model_weights:
        return (
            "no assumed figure weighs it"
            if lang == "en"
            else "가정한 수치가 목적함수에 들어가지 않습니다"
        )
    n, k = len(found.figures), len(found.assumed)
    if lang == "ko":
        text = f"목적함수를 정하는 입력 수치 {n}개 가운데 {k}개가 가정값입니다"
        if found.unsourced:
            text += f" (출처 없는 수치 {len(found.unsourced)}개)"
        if found.model_weights:
            total = len(spec.targets.weights)
            text += (
                f"; 모형이 정한 가중치 {total}개 가운데 {found.model_weights}개가 여기서 쓰임"
                if total > found.model_weights
                else f"; 모형이 정한 가중치 {found.model_weights}개"
            )
        return text
    text = f"{k} of the {n} figures behind it are assumed"
    if found.unsourced:
        text += f" ({len(found.unsourced)} have no source)"
    if found.model_weights:
        plural = "s" if found.model_weights != 1 else ""
        total = len(spec.targets.weights)
        text += (
            f"; {found.model_weights} of the model's {total} KPI weights "
            f"{'counts' if found.model_weights == 1 else 'count'} here (the others weigh KPIs "
            "with no target in these years)"
            if total > found.model_weights
            else f"; the model sets {found.model_weights} KPI weight{plural}"
        )
    return text


def objective_words(inst: Instance, spec: ModelSpec, value: float | None, lang: Lang = "en") -> str:
    """The objective with its unit, what one point is and how firm its figures are:
    "11,033.5 impact points (one impact point is ...; 34 of the 36 figures behind it are
    assumed)"."""
    shown = (
        "—"
        if value is None
        else objective_amount(value, spec.objective, inst.currency_unit, lang, sig=6)
    )
    return f"{shown} ({point(inst, spec, lang)}; {assumed_note(inst, spec, lang)})"
