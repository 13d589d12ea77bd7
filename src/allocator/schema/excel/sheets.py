"""Reading a workbook's sheets within bounds: only the cells its files list, a sheet past a stated
size refused with the cell named, very hidden sheets set aside.

openpyxl's own row iteration (which pandas uses) fills every row out to the widest column, so one
stray value in column XFD turns a 20 KB file into 16,384 cells per row; here a sheet is read cell
by cell as its XML lists them, and a grid is built from the filled cells only."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._reader import WorkSheetParser

MAX_ROWS = 200_000
"""The most rows a sheet may use (a row counts if a cell in it holds a value)."""
MAX_COLUMNS = 1_000
"""The most columns a sheet may use (column ALL)."""
MAX_CELLS = 5_000_000
"""The most cells (with or without a value) a sheet's file may list."""


class SheetTooLargeError(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(problem)
        self.where, self.problem = where, problem


def read_sheets(
    path: Path, wanted: list[str]
) -> tuple[list[str], list[str], dict[str, pd.DataFrame], list[tuple[str, int, int]]]:
    """The workbook's sheet names, its very hidden sheets among `wanted`, each other sheet of
    `wanted` as a grid of values (only the cells the file lists are read), and the
    formula cells of those sheets (sheet, row, column)."""
    frames: dict[str, pd.DataFrame] = {}
    formulas: list[tuple[str, int, int]] = []
    hidden: list[str] = []
    names: list[str] = []
    for data_only in (True, False):
        book = load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
        try:
            names = [str(name) for name in book.sheetnames]
            for name in (n for n in names if n in wanted):
                ws = book[name]
                if getattr(ws, "sheet_state", "visible") == "veryHidden":
                    if data_only:
                        hidden.append(name)
                    continue
                if data_only:
                    frames[name] = _grid_of(book, ws, name)
                else:
                    formulas += [
                        (name, row, column)
                        for row, column, _, kind in _used_cells(book, ws, name)
                        if kind == "f"
                    ]
        finally:
            book.close()
    return names, hidden, frames, formulas


def _used_cells(book: Any, ws: Any, name: str) -> Iterator[tuple[int, int, Any, str]]:
    """(row, column, value, data type) of each filled cell the sheet's file lists, in order;
    refuses a value past `MAX_ROWS` × `MAX_COLUMNS`, or a file listing over `MAX_CELLS` cells.
    (openpyxl's own iteration fills every row out to the widest column, which one stray cell in
    column XFD makes 16,384 cells wide.)"""
    listed = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=book.data_only,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        for _, cells in parser.parse():
            for cell in cells:
                listed += 1
                if listed > MAX_CELLS:
                    raise SheetTooLargeError(
                        f"sheet {name}",
                        f"the sheet lists more than {MAX_CELLS:,} cells; an allocator sheet "
                        "needs far fewer: copy its data to a new sheet",
                    )
                value, kind = cell["value"], cell["data_type"]
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                row, column = cell["row"], cell["column"]
                if row > MAX_ROWS or column > MAX_COLUMNS:
                    last = f"{get_column_letter(MAX_COLUMNS)}{MAX_ROWS}"
                    raise SheetTooLargeError(
                        f"{name}!{get_column_letter(column)}{row}",
                        f"a value lies outside the {MAX_ROWS:,} rows × {MAX_COLUMNS:,} columns "
                        f"(A1:{last}) an allocator sheet may use; clear that cell or move the "
                        "data",
                    )
                yield row, column, value, kind


def _grid_of(book: Any, ws: Any, name: str) -> pd.DataFrame:
    """The sheet as pandas reads it with `header=None, dtype=object, na_filter=False` (a blank
    cell is "", a whole number an int, an error NaN), built from the used cells only."""
    cells = [(r, c, _convert(v, kind)) for r, c, v, kind in _used_cells(book, ws, name)]
    height = max((r for r, _, _ in cells), default=0)
    width = max((c for _, c, _ in cells), default=0)
    grid: list[list[Any]] = [[""] * width for _ in range(height)]
    for r, c, value in cells:
        grid[r - 1][c - 1] = value
    return pd.DataFrame(grid, dtype=object)


def _convert(value: Any, kind: str) -> Any:
    if kind == "e":
        return math.nan
    if kind == "n" and isinstance(value, int | float) and not isinstance(value, bool):
        whole = int(value)
        return whole if whole == value else float(value)
    return value
