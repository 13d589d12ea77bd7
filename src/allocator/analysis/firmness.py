"""How firm the optimum is: value uncertainty drawn through Monte Carlo, and the lines the rules
settle against the lines the optimum does not decide.

`value_bands(inst, band)` gives every assumed objective or KPI value (line `impact`,
`private_impact` and KPI `yields` that no source marks as reported or derived, and that the
`uncertainty` block does not already range) a uniform relative band of ±`band`, so
`allocator montecarlo --values` re-optimises under draws of the values the answer rests on.
`value_ranges(run)` summarises each line and pillar over the answered samples: the probability
it is funded, the median and the 10–90 % range of its government money. `how_firm(res, ...)`
puts each line in words: settled by the rules (the same amount across the near-optimal range
and, when samples are given, across samples) or not decided by the optimum (any amount in a
range is within the slack of the best)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from allocator.analysis.montecarlo import FUNDED, MonteCarlo
from allocator.analysis.near_optimal import near_optimal
from allocator.results.result import Result
from allocator.schema import Instance
from allocator.schema.provenance import covers
from allocator.schema.uncertainty import UncertainParameter, Uncertainty

SETTLED = "settled by the rules"
UNDECIDED = "not decided by the optimum"
FIRM = "firm"


def value_bands(inst: Instance, band: float = 0.2) -> Instance:
    """The instance with a uniform ±`band` relative range on every assumed value that has none."""
    firm = [s.about for s in inst.sources if s.kind in ("reported", "derived")]
    declared = {p.path for p in inst.uncertainty.parameters} if inst.uncertainty else set()
    added = []
    for line in inst.lines:
        paths = [f"lines.{line.id}.impact"] if line.impact and not line.curve else []
        paths += [f"lines.{line.id}.private_impact"] if line.private_impact else []
        paths += [f"lines.{line.id}.yields.{k}" for k, v in line.yields.items() if v]
        for path in paths:
            if path in declared or any(covers(a, path) for a in firm):
                continue
            added.append(
                UncertainParameter(
                    path=path, dist="uniform", low=1 - band, high=1 + band, relative=True
                )
            )
    if not added:
        return inst
    old = inst.uncertainty
    uncertainty = Uncertainty(
        seed=old.seed if old else 0,
        samples=old.samples if old else 100,
        parameters=[*(old.parameters if old else []), *added],
    )
    new = inst.model_copy(update={"uncertainty": uncertainty})
    new._files = inst._files
    return new


def value_ranges(run: MonteCarlo) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per line and per pillar over the answered samples: probability funded (government money
    over the threshold), median, p10 and p90 of its government money over the horizon."""
    answered = run.answered
    inst = run.base.instance

    def summary(column: str) -> dict[str, float]:
        money = answered[column].astype(float) if len(answered) else pd.Series(dtype=float)
        return {
            "probability": float((money > run.threshold).mean()) if len(money) else float("nan"),
            "p10": float(money.quantile(0.1)) if len(money) else float("nan"),
            "median": float(money.median()) if len(money) else float("nan"),
            "p90": float(money.quantile(0.9)) if len(money) else float("nan"),
        }

    lines = pd.DataFrame.from_records(
        [{"line": ln.id, "name": ln.name} | summary(f"line.{ln.id}") for ln in inst.lines]
    )
    pillars = pd.DataFrame.from_records(
        [{"pillar": p.id, "name": p.name} | summary(f"government.{p.id}") for p in inst.pillars]
    )
    return lines, pillars


@dataclass
class Firmness:
    """Each line's verdict: settled by the rules, not decided by the optimum, or firm."""

    slack: float
    table: pd.DataFrame
    """line, name, optimum, low, high (within the slack), sample_low, sample_high, verdict."""

    def sentences(self) -> list[str]:
        """The verdicts in words."""
        out = []
        for r in self.table.itertuples():
            if r.verdict == SETTLED:
                out.append(f"{r.name}: {SETTLED} at {r.optimum:,.1f}")
            elif r.verdict == UNDECIDED:
                out.append(
                    f"{r.name}: {UNDECIDED} — any amount from {r.low:,.1f} to {r.high:,.1f} is "
                    f"within {self.slack * 100:g} % of the best"
                )
        return out


def how_firm(res: Result, slack: float = 0.02, samples: MonteCarlo | None = None) -> Firmness:
    """Each line of an optimum in words: `settled by the rules` when its government money is the
    same across every plan within `slack` of the best (and across the samples' optima, if
    given); `not decided by the optimum` when it can move by more than 1 % of the largest line
    within the slack; else `firm` (it moves a little)."""
    near = near_optimal(res.instance, res.model, slack)
    ranges = near.ranges[near.ranges.kind == "line"].set_index("id")
    sampled = value_ranges(samples)[0].set_index("line") if samples is not None else None
    scale = max(1.0, float(ranges.high.max()) if len(ranges) else 1.0)
    rows = []
    lows, highs, optima = ranges.low.to_dict(), ranges.high.to_dict(), ranges.optimum.to_dict()
    p10 = sampled.p10.to_dict() if sampled is not None else {}
    p90 = sampled.p90.to_dict() if sampled is not None else {}
    for line in res.instance.lines:
        low, high = float(lows[line.id]), float(highs[line.id])
        s_low = float(p10.get(line.id, float("nan")))
        s_high = float(p90.get(line.id, float("nan")))
        still = high - low <= 1e-6 * scale
        if sampled is not None:
            still = still and s_high - s_low <= 1e-6 * scale
        verdict = SETTLED if still else UNDECIDED if high - low > 0.01 * scale else FIRM
        rows.append(
            {
                "line": line.id,
                "name": line.name,
                "optimum": float(optima[line.id]),
                "low": low,
                "high": high,
                "sample_low": s_low,
                "sample_high": s_high,
                "verdict": verdict,
            }
        )
    return Firmness(slack, pd.DataFrame.from_records(rows))


__all__ = ["FUNDED", "Firmness", "how_firm", "value_bands", "value_ranges"]
