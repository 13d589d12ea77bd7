"""Sweep parameters over a grid in one HiGHS session (through the executors, journalled)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from allocator.analysis.plots import SweepTable, with_pillars
from allocator.api import resolve_model
from allocator.errors import InputError, Issue
from allocator.execute.executors import Executor
from allocator.execute.journal import run_sweep
from allocator.results.output import table_format
from allocator.schema import Instance, ModelSpec
from allocator.schema.scenario import Scenario, apply_scenario


def parse_vary(text: str) -> tuple[str, list[float]]:
    """`budget.2026=8000:12000:21` → ("budget.2026", 21 values from 8000 to 12000)."""
    path, _, spec = text.partition("=")
    parts = spec.split(":")
    try:
        if len(parts) == 3:
            return path, list(np.linspace(float(parts[0]), float(parts[1]), int(parts[2])))
        return path, [float(x) for x in spec.split(",")]
    except ValueError:
        raise InputError(
            [Issue("--vary", path or text, spec, "write PATH=START:STOP:COUNT or PATH=V1,V2,...")]
        ) from None


def sweep(
    inst: Instance,
    model: ModelSpec | str | Path | None,
    vary: Sequence[tuple[str, list[float]]],
    out: Path | None = None,
    *,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool | None = None,
    warm: bool = False,
) -> SweepTable:
    """Solve every point of the grid (one to three parameters); one row per point, in grid order,
    with the point number, the parameters, status, objective, verification and government money
    per pillar. Chunks of points are each solved in one HiGHS session on `executor` (default:
    in-process, or a local process pool for a big grid; see `allocator.execute`). With `out`,
    rows go to `out`'s partial twin as they arrive and the table to `out` at the end; `resume`
    finishes an interrupted sweep from its partial twin. `table.plot()` draws it."""
    if not 1 <= len(vary) <= 3:
        raise InputError([Issue("--vary", "", len(vary), "vary one to three parameters")])
    if out is not None:
        table_format(out)
    spec = resolve_model(inst, model)
    grid = list(itertools.product(*(values for _, values in vary)))
    first = {path: value for (path, _), value in zip(vary, grid[0], strict=True)} if grid else {}
    apply_scenario(inst, spec, Scenario(name="point", changes=first), "--vary")  # paths exist
    table = run_sweep(
        inst,
        spec,
        vary,
        grid,
        out,
        executor=executor,
        resume=resume,
        progress=progress,
        warm=warm,
    )
    return with_pillars(SweepTable(table), {p.id: p.name for p in inst.pillars})
