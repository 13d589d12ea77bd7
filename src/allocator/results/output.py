"""Tables of many solves (sweeps, frontiers, Monte Carlo) written as CSV or Parquet, under the
output policy of `allocator.schema.output` (no overwrite without force, inputs never written
over, one writer at a time, staged and renamed, umask respected, text cells safe in CSV).

CSV rows go to a hidden twin `.NAME.partial` as they arrive (so a long run leaves its rows
behind if it is stopped) and the twin is renamed to the file at the end; Parquet is columnar, so
the table is written to a staging twin in one go at the end and renamed. Either way the named
file is never half written."""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any

from allocator.errors import InputError, Issue
from allocator.schema import output
from allocator.schema.output import Claim, Target, safe_row, to_csv

if TYPE_CHECKING:
    import pandas as pd

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
RESULT_FILES = ("allocation.csv", "pillars.csv", "kpis.csv", "levels.csv", "summary.json")
"""The files a result folder holds beside its manifest (for manifests that predate `outputs`)."""


def table_format(path: Path) -> str:
    """`csv` or `parquet`, from the file's suffix; anything else is an input error."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            [Issue("--out", "", str(path), "name a .csv or .parquet file (the suffix picks)")]
        )
    return kind


def table_target(
    path: Path, *, force: bool = False, inputs: Iterable[str | Path] = (), flag: str = "--out"
) -> Target:
    """The checked output name of a table (CSV or Parquet by its suffix)."""
    table_format(path)
    return output.target(path, force=force, inputs=inputs, flag=flag)


class TableWriter:
    """Collects rows with fixed `columns`; CSV rows are flushed as they come, Parquet at the end.

    Use as a context manager: leaving it without an error renames the twin to `path` (the
    target's lock is held meanwhile). With `order`, rows that arrive out of order (from parallel
    workers) end sorted by that column."""

    def __init__(
        self,
        path: Path | None,
        columns: list[str],
        order: str | None = None,
        *,
        force: bool = False,
        inputs: Iterable[str | Path] = (),
    ) -> None:
        self.target = table_target(path, force=force, inputs=inputs) if path is not None else None
        self.columns = list(columns)
        self.order = order
        self.rows: list[dict[str, Any]] = []
        self.kind = table_format(path) if path is not None else None
        real = self.target.path if self.target is not None else None
        self.partial = real.with_name(f".{real.name}.partial") if real is not None else None
        self._handle: IO[str] | None = None
        self._csv: csv.DictWriter[str] | None = None
        self._held: contextlib.ExitStack | None = None
        self._claim: Claim | None = None

    def __enter__(self) -> TableWriter:
        if self.target is not None:
            self._held = contextlib.ExitStack()
            self._claim = self._held.enter_context(output.claim(self.target))
        if self.kind == "csv" and self.partial is not None:
            self._handle = self.partial.open("w", newline="", encoding="utf-8")
            self._csv = csv.DictWriter(self._handle, fieldnames=self.columns)
            self._csv.writeheader()
            self._handle.flush()
        return self

    def add(self, row: dict[str, Any]) -> None:
        """Keep one row (every key must be one of the columns); CSV writes it at once."""
        unknown = set(row) - set(self.columns)
        if unknown:
            raise ValueError(f"row has columns the table does not: {sorted(unknown)}")
        self.rows.append(row)
        if self._csv is not None and self._handle is not None:
            self._csv.writerow(safe_row(row))
            self._handle.flush()

    def frame(self) -> pd.DataFrame:
        """The rows so far as a DataFrame with the table's columns in order (sorted by `order`)."""
        import pandas as pd

        frame = pd.DataFrame.from_records(self.rows, columns=self.columns)
        if self.order is None:
            return frame
        return frame.sort_values(self.order, kind="stable").reset_index(drop=True)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.close()
        try:
            if kind is None and self._claim is not None and self.partial is not None:
                if self.kind == "parquet":
                    staged = self._claim.staging()
                    write_parquet(self.frame(), staged)
                    self._claim.commit(staged)
                    return
                if self.order is not None:
                    keys = [row[self.order] for row in self.rows]
                    if keys != sorted(keys):  # arrived out of order (parallel workers)
                        to_csv(self.frame(), self.partial)
                self._claim.commit(self.partial)
        finally:
            if self._held is not None:
                self._held.close()


def write_table(
    frame: pd.DataFrame,
    path: Path,
    *,
    force: bool = False,
    inputs: Iterable[str | Path] = (),
) -> Path:
    """Write a finished table to `path` (CSV or Parquet by suffix) under the output policy."""
    out = table_target(path, force=force, inputs=inputs)
    if table_format(path) == "parquet":
        return output.write_file(out, lambda staged: write_parquet(frame, staged))
    return output.write_file(out, lambda staged: to_csv(frame, staged))


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet through pyarrow, without the pandas index."""
    frame.to_parquet(path, engine="pyarrow", index=False)


def check_output_dir(
    path: str | Path, force: bool = False, inputs: Iterable[str | Path] = ()
) -> Path:
    """The output folder, unless it exists with files in it and `force` is not given, it is a
    folder allocator did not write, or replacing it would touch an input of the run."""
    return output.target(
        path, force=force, inputs=inputs, folder=True, legacy=RESULT_FILES, make_parents=True
    ).given
