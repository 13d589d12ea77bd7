"""Tables of many solves (sweeps, frontiers, Monte Carlo) written as CSV or Parquet.

CSV rows go to a temporary twin as they arrive (so a long run leaves its rows behind if it is
stopped) and the twin is renamed to the file at the end; Parquet is columnar, so the table is
written to the twin in one go at the end and renamed. Either way the named file is never half
written."""

from __future__ import annotations

import csv
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import pandas as pd

from allocator.errors import InputError, Issue, OutputExistsError

FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def table_format(path: Path) -> str:
    """`csv` or `parquet`, from the file's suffix; anything else is an input error."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise InputError(
            [Issue("--out", "", str(path), "name a .csv or .parquet file (the suffix picks)")]
        )
    return kind


class TableWriter:
    """Collects rows with fixed `columns`; CSV rows are flushed as they come, Parquet at the end.

    Use as a context manager: leaving it without an error renames the twin to `path`. With
    `order`, rows that arrive out of order (from parallel workers) end sorted by that column."""

    def __init__(self, path: Path | None, columns: list[str], order: str | None = None) -> None:
        self.path = path
        self.columns = list(columns)
        self.order = order
        self.rows: list[dict[str, Any]] = []
        self.kind = table_format(path) if path is not None else None
        self.partial = path.with_name(f".{path.name}.partial") if path is not None else None
        self._handle: IO[str] | None = None
        self._csv: csv.DictWriter[str] | None = None

    def __enter__(self) -> TableWriter:
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
            self._csv.writerow(row)
            self._handle.flush()

    def frame(self) -> pd.DataFrame:
        """The rows so far as a DataFrame with the table's columns in order (sorted by `order`)."""
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
        if kind is not None or self.path is None or self.partial is None:
            return
        if self.kind == "parquet":
            write_parquet(self.frame(), self.partial)
        elif self.order is not None:
            keys = [row[self.order] for row in self.rows]
            if keys != sorted(keys):  # arrived out of order (parallel workers): rewrite sorted
                self.frame().to_csv(self.partial, index=False)
        self.partial.replace(self.path)


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write a finished table to `path` (CSV or Parquet by suffix) through a temporary twin."""
    kind = table_format(path)
    partial = path.with_name(f".{path.name}.partial")
    if kind == "parquet":
        write_parquet(frame, partial)
    else:
        frame.to_csv(partial, index=False)
    partial.replace(path)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Parquet through pyarrow, without the pandas index."""
    frame.to_parquet(path, engine="pyarrow", index=False)


def check_output_dir(path: str | Path, force: bool = False) -> Path:
    """The output folder, unless it exists with files in it and `force` is not given."""
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())) and not force:
        raise OutputExistsError(
            f"{target}: the output folder exists and is not empty; pass force=True (--force) "
            "to replace it"
        )
    return target
