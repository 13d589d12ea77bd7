"""Sweep parameters over a grid in one HiGHS session (through the executors, journalled)."""

from __future__ import annotations

import itertools
import math
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

MAX_POINTS = 100_000
"""The most points a sweep's grid may have (all its parameters together); split a bigger grid."""


def parse_vary(text: str) -> tuple[str, list[float]]:
    """`budget.2026=8000:12000:21` → ("budget.2026", 21 values from 8000 to 12000); also
    `PATH=V1,V2,...`. The count is a whole number from 1 to `MAX_POINTS`; values are finite."""
    path, sep, spec = text.partition("=")
    usage = "write PATH=START:STOP:COUNT or PATH=V1,V2,..."
    if not sep or not path.strip():
        raise InputError([Issue("--vary", text, spec or text, usage)])
    parts = spec.split(":")
    try:
        if len(parts) == 3:
            start, stop = _finite(parts[0]), _finite(parts[1])
            count = int(parts[2])
            if not 1 <= count <= MAX_POINTS:
                raise InputError(
                    [
                        Issue(
                            "--vary",
                            path,
                            parts[2],
                            f"the count of points is a whole number from 1 to {MAX_POINTS:,}",
                        )
                    ]
                )
            return path, [float(v) for v in np.linspace(start, stop, count)]
        values = [_finite(x) for x in spec.split(",")]
    except ValueError:
        raise InputError([Issue("--vary", path, spec, usage)]) from None
    if len(values) > MAX_POINTS:
        raise InputError(
            [Issue("--vary", path, len(values), f"at most {MAX_POINTS:,} values per parameter")]
        )
    return path, values


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


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
    force: bool = False,
) -> SweepTable:
    """Solve every point of the grid (one to three parameters); one row per point, in grid order,
    with the point number, the parameters, status, objective, verification and government money
    per pillar. Chunks of points are each solved in one HiGHS session on `executor` (default:
    in-process, or a local process pool for a big grid; see `allocator.execute`). With `out`,
    rows go to `out`'s partial twin as they arrive and the table to `out` at the end; `resume`
    finishes an interrupted sweep from its partial twin; `force` replaces an existing `out` (never
    an input of the sweep). The grid holds at most `MAX_POINTS` points. `table.plot()` draws it."""
    if not 1 <= len(vary) <= 3:
        raise InputError([Issue("--vary", "", len(vary), "vary one to three parameters")])
    size = math.prod(len(values) for _, values in vary)
    if not 1 <= size <= MAX_POINTS:
        raise InputError(
            [
                Issue(
                    "--vary",
                    " × ".join(path for path, _ in vary),
                    f"{size:,} points",
                    f"a sweep has 1 to {MAX_POINTS:,} points; use fewer values or split the grid",
                )
            ]
        )
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
        force=force,
    )
    return with_pillars(SweepTable(table), {p.id: p.name for p in inst.pillars})
