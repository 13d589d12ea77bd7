"""Helpers the analyses share: one objective to re-solve, and pillar totals of a result."""

from __future__ import annotations

from allocator.errors import InputError, Issue
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec


def one_objective(spec: ModelSpec, what: str) -> ModelSpec:
    """`spec`, unless it is lexicographic: these analyses re-solve a single objective."""
    if spec.objective == "lexicographic":
        raise InputError(
            [
                Issue(
                    next(iter(spec.files), spec.name),
                    "objective",
                    spec.objective,
                    f"the {what} analysis works on one objective; a lexicographic model has "
                    "several levels: use a max_impact or goal model, or a model whose levels "
                    "are reduced to one objective",
                )
            ]
        )
    return spec


def pillar_totals(inst: Instance, res: Result) -> dict[str, float]:
    """Government money per pillar over the horizon (`government.<pillar>`), when there is an
    answer."""
    if not res.status.has_allocation:
        return {}
    totals = res.pillars.groupby("pillar")["government"].sum()
    return {f"government.{p.id}": float(totals[p.id]) for p in inst.pillars}
