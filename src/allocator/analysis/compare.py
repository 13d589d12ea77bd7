"""Compare scenarios with the base: input changes, money moves by pillar and year, and the rules
whose state or shadow price moved."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from allocator.api import resolve_model, solve
from allocator.errors import InputError
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec
from allocator.schema.scenario import Change, Scenario, apply_scenario


@dataclass
class Comparison:
    """A scenario against the base: what changed in the inputs, in the split, and in the rules;
    or, for a scenario that does not apply to the instance, why (`skipped`)."""

    scenario: str
    inputs: list[Change]
    base: Result
    result: Result
    skipped: str | None = None
    """Why the scenario was not solved: it names other instances in `for:`, or a change does
    not fit this instance (`result` is then the base)."""
    bad_input: bool = False
    """True when `skipped` is an error in the scenario, not a scenario for another instance."""

    def allocation(self) -> pd.DataFrame:
        """Money by line, year and source: base, scenario and change (both must be answers)."""
        keys = ["line", "name", "pillar", "year", "source"]
        a = self.base.allocation.rename(columns={"amount": "base"})
        b = self.result.allocation.rename(columns={"amount": "scenario"})
        out = a.merge(b, on=keys, how="outer").fillna({"base": 0.0, "scenario": 0.0})
        out["change"] = out.scenario - out.base
        return out

    def pillars(self) -> pd.DataFrame:
        """Government money by pillar and year: base, scenario and change."""
        keys = ["pillar", "name", "year"]
        a = self.base.pillars[[*keys, "government"]].rename(columns={"government": "base"})
        b = self.result.pillars[[*keys, "government"]].rename(columns={"government": "scenario"})
        out = a.merge(b, on=keys, how="outer").fillna(0.0)
        out["change"] = out.scenario - out.base
        return out

    def rules(self) -> pd.DataFrame:
        """Rules whose state or shadow price moved: they account for the change in the split."""
        cols = ["rule", "text", "state", "shadow_price"]
        a = self.base.audit()[cols].rename(
            columns={"state": "base_state", "shadow_price": "base_price"}
        )
        b = self.result.audit()[cols].rename(columns={"state": "state", "shadow_price": "price"})
        out = a.merge(b, on=["rule"], how="outer", suffixes=("", "_scenario"))
        out["text"] = out.text.fillna(out.text_scenario)
        moved = (out.base_state != out.state) | ~np.isclose(
            out.base_price.fillna(0.0), out.price.fillna(0.0), rtol=1e-6, atol=1e-9
        )
        return out.loc[moved, ["rule", "text", "base_state", "state", "base_price", "price"]]


def compare(
    inst: Instance, scenarios: Sequence[tuple[Scenario, str]], model: ModelSpec | str | Path | None
) -> list[Comparison]:
    """Solve the base and each (scenario, file) pair; one Comparison per scenario. A scenario
    written for other instances (`for:`), or whose changes do not fit this one, is reported as
    skipped and the rest go on."""
    spec = resolve_model(inst, model)
    base = solve(inst, spec)
    out = []
    for scenario, file in scenarios:
        if not scenario.applies_to(inst):
            named = ", ".join(scenario.instances or [])
            why = f"it is for {named} (its `for:`), not {inst.name}"
            out.append(Comparison(scenario.name, [], base, base, skipped=why))
            continue
        try:
            new_inst, new_spec, changes = apply_scenario(inst, spec, scenario, file)
        except InputError as exc:
            why = f"it does not apply to {inst.name}: {exc}"
            out.append(Comparison(scenario.name, [], base, base, skipped=why, bad_input=True))
            continue
        out.append(Comparison(scenario.name, changes, base, solve(new_inst, new_spec)))
    return out
