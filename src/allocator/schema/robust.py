"""The robust objective's data: how far each line's impact may fall (Bertsimas & Sim, "The price
of robustness", Operations Research 52(1), 2004).

A model's `robust: {gamma: G, band: 0.2}` protects `max_impact` against up to G lines' impacts
at their worst. A line's impact ι may fall by d = ι − low, where `low` is the least value its
`uncertainty` entry (`lines.ID.impact`, uniform or triangular `low`, or the clip of a normal or
lognormal; a relative entry multiplies ι) allows; a line with no such entry whose impact no source
marks as reported or derived falls by `band`·|ι| (the default band of an assumed figure)."""

from __future__ import annotations

from pydantic import Field

from allocator.schema.base import Strict
from allocator.schema.instance import Instance
from allocator.schema.provenance import covers


class Robust(Strict):
    """Protection of the impact objective against its least certain values."""

    gamma: float = Field(ge=0)
    """How many lines' impacts may be at their worst at once (fractional: part of one more)."""
    band: float = Field(default=0.2, ge=0, le=1)
    """Relative fall of an assumed impact with no range in the instance's `uncertainty` block."""


def impact_deviation(inst: Instance, band: float) -> dict[str, float]:
    """How far each line's impact (on government money) may fall; 0 for a line with a curve,
    whose value is its curve's."""
    ranges = {}
    if inst.uncertainty is not None:
        for p in inst.uncertainty.parameters:
            if p.path.startswith("lines.") and p.path.endswith(".impact") and p.low is not None:
                ranges[p.path] = (p.low, p.relative)
    firm = [s.about for s in inst.sources if s.kind in ("reported", "derived")]
    out: dict[str, float] = {}
    for line in inst.lines:
        path = f"lines.{line.id}.impact"
        if line.curve:
            out[line.id] = 0.0
        elif path in ranges:
            low, relative = ranges[path]
            worst = line.impact * low if relative else low
            out[line.id] = max(0.0, line.impact - worst)
        elif any(covers(a, path) for a in firm):
            out[line.id] = 0.0
        else:
            out[line.id] = band * abs(line.impact)
    return out


def protection(deviations: dict[str, float], money: dict[str, float], gamma: float) -> float:
    """The worst fall of the objective: the `gamma` largest d_l·G_l (G_l a line's government
    money over the horizon), the last one in part when gamma is fractional."""
    falls = sorted((deviations[lid] * money.get(lid, 0.0) for lid in deviations), reverse=True)
    whole = int(gamma)
    total = sum(falls[:whole])
    if whole < len(falls):
        total += (gamma - whole) * falls[whole]
    return total
