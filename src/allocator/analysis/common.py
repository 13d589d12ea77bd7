"""Helpers the analyses share: one objective to re-solve, and government money by line and
pillar of a result."""

from __future__ import annotations

from allocator.check.grid import gather_cells
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
    totals = government(res)[1]
    return {f"government.{p.id}": totals[p.id] for p in inst.pillars}


def government(res: Result) -> tuple[dict[str, float], dict[str, float]]:
    """Government money over the horizon by line and by pillar (a line in several pillars counts
    in each by its share), read from the plan's numbers: the sums `Result.pillars` and
    `Result.allocation` hold, without building those tables for every point of a batch."""
    inst, gov = res.instance, res.plan().gov
    ids = [ln.id for ln in inst.lines]
    lines = dict(
        zip(ids, gather_cells(gov, ids, list(inst.years)).sum(axis=1).tolist(), strict=True)
    )
    pillars = dict.fromkeys((p.id for p in inst.pillars), 0.0)
    for ln in inst.lines:
        for pillar, weight in ln.shares.items():
            pillars[pillar] += lines[ln.id] * weight
    return lines, pillars
