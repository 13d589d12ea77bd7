"""Journalled sweeps: each point written as it arrives to a hidden journal with the grid's
fingerprint, so an interrupted sweep resumes where it stopped (`--resume`)."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import pandas as pd

from allocator.errors import InputError, Issue
from allocator.execute.executors import Executor, Progress, executor_for
from allocator.explain import reason
from allocator.formulation import build
from allocator.results.output import table_format, table_target, write_parquet
from allocator.results.result import Result
from allocator.schema import Instance, ModelSpec, output
from allocator.schema.output import Claim, safe_cell, to_csv
from allocator.schema.scenario import Scenario, apply_scenario
from allocator.solver.highs import Resolver, SolveOptions
from allocator.solver.status import Status

T = TypeVar("T")


@dataclass(frozen=True)
class SweepChunk:
    """Points of a sweep solved together in one HiGHS session: (point number, values) pairs."""

    inst: Instance
    spec: ModelSpec
    paths: tuple[str, ...]
    points: tuple[tuple[int, tuple[float, ...]], ...]
    warm: bool = False


def solve_chunk(chunk: SweepChunk) -> Iterator[dict[str, Any]]:
    """Solve each point of the chunk in one session (only what differs is changed in place) and
    yield its row: point, the parameters, status, objective, verified, government per pillar;
    an infeasible point says why in `reason` (the families of the rules that collide)."""
    resolver = Resolver(SolveOptions(), warm=chunk.warm)
    for index, values in chunk.points:
        changes = dict(zip(chunk.paths, values, strict=True))
        inst, spec, _ = apply_scenario(
            chunk.inst, chunk.spec, Scenario(name=f"point-{index}", changes=changes), "--vary"
        )
        built = build(inst, spec)
        res = Result.from_solution(built, resolver.solve(built))
        if res.status == Status.interrupted:
            raise KeyboardInterrupt
        row: dict[str, Any] = {"point": index, **{p: float(v) for p, v in changes.items()}}
        row.update(status=res.status.value, objective=res.objective, verified=res.verified)
        if res.status == Status.infeasible:
            row["reason"] = reason(built)
        if res.status.has_allocation:
            totals = res.pillars.groupby("pillar")["government"].sum()
            row.update({f"government.{p.id}": float(totals[p.id]) for p in inst.pillars})
        yield row


def grid_hash(inst: Instance, spec: ModelSpec, vary: Sequence[tuple[str, Sequence[float]]]) -> str:
    """A fingerprint of the sweep (instance, model, paths and values) that a journal must match."""
    text = json.dumps(
        {
            "instance": inst.model_dump(mode="json"),
            "model": spec.model_dump(mode="json"),
            "vary": [[path, [float(v) for v in values]] for path, values in vary],
        },
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


_STATUSES = {status.value for status in Status}


class Journal:
    """The rows of a sweep in progress, appended as they arrive to `.NAME.partial` beside the
    output; its first line names the sweep's fingerprint, so `resume` refuses another sweep's.
    Each row carries a digest of its cells and the fingerprint (`check`): `resume` solves a row
    again when its digest no longer matches (the row was edited after it was written)."""

    MARK = "# allocator sweep"
    CHECK = "check"

    def __init__(self, out: Path, fingerprint: str, columns: list[str], claim: Claim) -> None:
        self.out, self.fingerprint, self.columns = out, fingerprint, columns
        self.path = out.with_name(f".{out.name}.partial")
        self.claim = claim
        self.edited = 0
        """Rows of the journal read back whose digest did not match (solved again)."""
        self._handle: IO[str] | None = None
        self._writer: Any = None

    def digest(self, cells: Sequence[str]) -> str:
        """The check of one row: its cells as written, with the sweep's fingerprint."""
        text = json.dumps([self.fingerprint, *cells], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def _cells(self, row: dict[str, Any]) -> list[str]:
        return ["" if row.get(c) is None else str(safe_cell(row.get(c))) for c in self.columns]

    def read(self) -> list[dict[str, Any]]:
        """The complete rows already in the journal (a torn last line is dropped); refuses a
        journal of a different sweep."""
        with self.path.open(newline="", encoding="utf-8") as handle:
            first = handle.readline().strip()
            expected = f"{self.MARK} {self.fingerprint}"
            if first != expected:
                found = first.removeprefix(self.MARK).strip() or first[:40]
                raise InputError(
                    [
                        Issue(
                            str(self.path),
                            "grid",
                            found,
                            f"this partial output belongs to a different sweep (fingerprint "
                            f"{self.fingerprint} expected: the instance, model or --vary differ); "
                            "run the same sweep to resume it, or delete the file to start afresh",
                        )
                    ]
                )
            reader = csv.DictReader(handle)
            expected_columns = [*self.columns, self.CHECK]
            if reader.fieldnames != expected_columns:
                raise InputError(
                    [
                        Issue(
                            str(self.path),
                            "columns",
                            ",".join(reader.fieldnames or []),
                            f"expected {','.join(expected_columns)}; delete the file to start "
                            "afresh",
                        )
                    ]
                )
            rows = []
            for raw in reader:
                cells = [raw.get(c) for c in self.columns]
                if any(cell is None for cell in cells) or raw.get(self.CHECK) is None:
                    continue  # a line torn by the interruption
                if raw[self.CHECK] != self.digest([str(c) for c in cells]):
                    self.edited += 1
                    continue
                row = self._parse(raw)
                if row is not None:
                    rows.append(row)
        return rows

    def _parse(self, raw: dict[str, str | None]) -> dict[str, Any] | None:
        if any(raw.get(c) is None for c in self.columns) or raw["status"] not in _STATUSES:
            return None  # a line torn by the interruption
        try:
            row: dict[str, Any] = {}
            for column in self.columns:
                text = raw[column] or ""
                if column == "point":
                    row[column] = int(text)
                elif column in ("status", "reason"):
                    if text:
                        row[column] = text
                elif column == "verified":
                    row[column] = text == "True"
                elif column == "objective":
                    row[column] = float(text) if text else None
                elif text:
                    row[column] = float(text)
            return row
        except ValueError:
            return None

    def start(self, rows: list[dict[str, Any]]) -> None:
        """(Re)write the journal with its mark, header and `rows`, then keep it open to append."""
        staged = self.claim.staging()
        with staged.open("w", newline="", encoding="utf-8") as handle:
            handle.write(f"{self.MARK} {self.fingerprint}\n")
            writer = csv.writer(handle)
            writer.writerow([*self.columns, self.CHECK])
            for row in rows:
                cells = self._cells(row)
                writer.writerow([*cells, self.digest(cells)])
        staged.replace(self.path)
        self._handle = self.path.open("a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._handle)

    def append(self, row: dict[str, Any]) -> None:
        """Write one row (with its check) and flush it to the file."""
        assert self._handle is not None
        cells = self._cells(row)
        self._writer.writerow([*cells, self.digest(cells)])
        self._handle.flush()

    def close(self) -> None:
        """Close the file (it stays, for `resume`, until `finish`)."""
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def finish(self, table: pd.DataFrame) -> None:
        """Write the finished table to the output (CSV or Parquet by its suffix, through a
        temporary twin) and drop the journal, which is always CSV."""
        self.close()
        staged = self.claim.staging()
        if table_format(self.out) == "parquet":
            write_parquet(table, staged)
        else:
            to_csv(table, staged)
        self.claim.commit(staged)
        self.path.unlink(missing_ok=True)


def run_sweep(
    inst: Instance,
    spec: ModelSpec,
    vary: Sequence[tuple[str, Sequence[float]]],
    grid: Sequence[tuple[float, ...]],
    out: Path | None = None,
    *,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool | None = None,
    warm: bool = False,
    force: bool = False,
) -> pd.DataFrame:
    """Solve every grid point through `executor` (default: `executor_for` the grid's size) and
    return one row per point, ordered by point. With `out`, rows go to a journal as they arrive
    and the table to `out` at the end (under the output policy: `force` to replace a file, never
    an input; the target is locked while the sweep runs); `resume` keeps the journal's rows
    whose check still matches and solves the rest."""
    if out is None:
        return _run(inst, spec, vary, grid, None, executor, resume, progress, warm)
    target = table_target(out, force=force, inputs=[*inst.files, *spec.files])
    with output.claim(target) as held:
        journal = Journal(target.path, grid_hash(inst, spec, vary), _columns(inst, vary), held)
        return _run(inst, spec, vary, grid, journal, executor, resume, progress, warm)


def _columns(inst: Instance, vary: Sequence[tuple[str, Sequence[float]]]) -> list[str]:
    paths = [path for path, _ in vary]
    pillars = [f"government.{p.id}" for p in inst.pillars]
    return ["point", *paths, "status", "objective", "verified", *pillars, "reason"]


def _run(
    inst: Instance,
    spec: ModelSpec,
    vary: Sequence[tuple[str, Sequence[float]]],
    grid: Sequence[tuple[float, ...]],
    journal: Journal | None,
    executor: Executor | None,
    resume: bool,
    progress: bool | None,
    warm: bool,
) -> pd.DataFrame:
    paths = tuple(path for path, _ in vary)
    columns = _columns(inst, vary)
    done: list[dict[str, Any]] = []
    if journal is not None:
        if journal.path.exists():
            if not resume:
                raise InputError(
                    [
                        Issue(
                            str(journal.path),
                            "",
                            "exists",
                            "an interrupted sweep left this partial output: pass --resume "
                            "(resume=True) to finish it, or delete it to start afresh",
                        )
                    ]
                )
            done = [row for row in journal.read() if 0 <= row["point"] < len(grid)]
            done = list({row["point"]: row for row in done}.values())
            if journal.edited:
                print(
                    f"{journal.edited} rows of {journal.path} were changed after they were "
                    "written (their check does not match); they are solved again",
                    file=sys.stderr,
                )
        journal.start(done)
    finished = {row["point"] for row in done}
    todo = [(i, tuple(values)) for i, values in enumerate(grid) if i not in finished]
    own = executor is None
    runner = executor or executor_for(len(todo))
    size = runner.chunk_size(len(todo))
    chunks = [
        SweepChunk(inst, spec, paths, tuple(todo[k : k + size]), warm)
        for k in range(0, len(todo), size)
    ]
    bar = Progress(len(grid), len(done), progress)
    rows = list(done)
    try:
        for row in runner.run(solve_chunk, chunks):
            rows.append(row)
            if journal is not None:
                journal.append(row)
            bar.advance()
    except KeyboardInterrupt:
        bar.close()
        if journal is not None:
            journal.close()
            print(
                f"sweep interrupted after {len(rows)} of {len(grid)} points; they are kept in "
                f"{journal.path}: run the same sweep with --resume to finish it",
                file=sys.stderr,
            )
        else:
            print(
                f"sweep interrupted after {len(rows)} of {len(grid)} points; nothing was written "
                "(with --out, rows are kept as they arrive and --resume finishes the sweep)",
                file=sys.stderr,
            )
        raise
    finally:
        if own:
            runner.close()
        if journal is not None:
            journal.close()
    bar.close()
    rows.sort(key=lambda row: int(row["point"]))
    table = pd.DataFrame.from_records(rows, columns=columns)
    if journal is not None:
        journal.finish(table)
    return table
