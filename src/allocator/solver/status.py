"""What a solve ended in: one enum for every solver path. Imports nothing heavy, so the words
and report layers can name a status without loading HiGHS, Pyomo or SciPy."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What a solve ended in. Only `optimal` (and, when asked for, an incumbent) is an answer."""

    optimal = "optimal"
    infeasible = "infeasible"
    unbounded = "unbounded"
    infeasible_or_unbounded = "infeasible_or_unbounded"
    time_limit = "time_limit"
    """The time limit came before any feasible allocation was found."""
    time_limit_incumbent = "time_limit_incumbent"
    """The time limit came with a feasible allocation whose gap to the bound is reported."""
    limit = "limit"
    """Another solver limit (iterations, solutions, objective bound) came before any allocation."""
    limit_incumbent = "limit_incumbent"
    """Another solver limit came with a feasible allocation (gap reported)."""
    interrupted = "interrupted"
    error = "error"
    scored = "scored"
    """A given plan scored against the rules (`allocator.evaluate`): its numbers, not an optimum;
    whether it satisfies every rule is `Result.verified`."""

    @property
    def has_allocation(self) -> bool:
        """Whether the solve carries an allocation (optimal, or an incumbent with its gap)."""
        return self in (
            Status.optimal,
            Status.time_limit_incumbent,
            Status.limit_incumbent,
            Status.scored,
        )

    def describe(self, gap: float | None = None) -> str:
        """The status in plain words; an optimum whose MIP gap is above `LOOSE_GAP` (pass it as
        `gap`, see `Result.loose_gap`) is said to be within that gap of the best, not optimal."""
        if self == Status.optimal and gap is not None and gap > LOOSE_GAP:
            return (
                f"within {percent(gap)} of the best: a split under every rule, not proven best "
                f"(the best possible may be up to {percent(gap)} better; lower the MIP gap)"
            )
        return _WORDS[self]


LOOSE_GAP = 1e-6
"""A MIP answer whose relative gap to the best bound is above this (and whose absolute gap is
above it too, HiGHS's own absolute tolerance) is not called optimal but "within x % of the
best"."""


def percent(share: float) -> str:
    """A share as people write a percentage: `1.39 %`, `0.0012 %`."""
    return f"{share * 100:.3g} %"


_WORDS = {
    Status.optimal: "optimal: the best split under every rule",
    Status.infeasible: "infeasible: the rules cannot all hold at once",
    Status.unbounded: "unbounded: the objective can grow without limit",
    Status.infeasible_or_unbounded: "infeasible or unbounded (the solver could not tell which)",
    Status.time_limit: "time limit reached before any split satisfying every rule was found",
    Status.time_limit_incumbent: "time limit reached: the best split found so far, not proven best",
    Status.limit: "a solver limit was reached before any split satisfying every rule was found",
    Status.limit_incumbent: "a solver limit was reached: the best split so far, not proven best",
    Status.interrupted: "the solve was interrupted",
    Status.error: "the solver reported an error",
    Status.scored: "scored: a given plan checked against every rule, not an optimum",
}
