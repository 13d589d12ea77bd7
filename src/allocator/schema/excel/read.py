"""Instances and models as `.xlsx` workbooks (read and written with pandas and openpyxl).

The layout follows the pydantic models, so a field added to them round-trips without this module
knowing it: each list-of-records field is a sheet named after it (`pillars`, `lines`, `kpis`,
`targets`, `sources`; a model's `rules`), with the CSV table conventions of `load.py` (`min.2027`,
`yields.gpus`, `;` between list items); per-year figures of an instance (`budget`, `private_pool`)
share the `budgets` sheet, one row per year (or one row `all` for a figure every year); the other
fields are `key | value` rows of the `instance` or `model` sheet (`targets.weights.gpus`). A value
that does not fit a flat cell (a list of records, say) is written as JSON text in its cell.
Errors name the workbook, the sheet and cell (`lines!D7`) and the value."""

from __future__ import annotations

import math
import re
import typing
from difflib import get_close_matches
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from openpyxl.utils import get_column_letter
from pydantic import BaseModel

from allocator.errors import MISSING, InputError, Issue
from allocator.schema.excel.layout import (
    BUDGETS,
    EVERY_YEAR,
    INSTANCE,
    KEY,
    MODEL,
    README,
    SKIP,
    VALUE,
    Book,
    Layout,
    Sheet,
    _annotation,
    _is_complex,
    _is_scalar_list,
    _is_text,
    _members,
    _options,
)
from allocator.schema.excel.locate import locate, validate_book
from allocator.schema.excel.sheets import SheetTooLargeError, read_sheets
from allocator.schema.files import load_yaml_text, sha256
from allocator.schema.instance import Instance
from allocator.schema.model import ModelSpec
from allocator.schema.names import column_key
from allocator.schema.validate import split_path


def read_instance(path: str | Path) -> Instance:
    """Read and validate an instance from a workbook (see the module's docstring for the layout)."""
    inst = _read_file(Path(path), INSTANCE)
    assert isinstance(inst, Instance)
    return inst


def read_model(path: str | Path) -> ModelSpec:
    """Read and validate a model (policy regime) from a workbook's `model` and `rules` sheets."""
    model = _read_file(Path(path), MODEL)
    assert isinstance(model, ModelSpec)
    return model


def _read_file(path: Path, layout: Layout) -> Instance | ModelSpec:
    """The validated object of `layout` in the workbook, remembering the file's hash."""
    book = _open(path, layout)
    obj = validate_book(book, layout, _read(book, layout))
    assert isinstance(obj, Instance | ModelSpec)
    obj._files = {str(path): sha256(path)}
    return obj


def locate_model_issues(path: Path, issues: list[Issue]) -> list[Issue]:
    """Issues about a workbook's model found against an instance (`rules[2].pillar`), placed at
    their cells (`rules!B4`)."""
    book = _open(path, MODEL)
    _read(book, MODEL)
    out = []
    for issue in issues:  # the value stays the name found wrong (a KPI key, say), not the cell's
        where, _ = locate(book, MODEL, tuple(split_path(issue.path)), issue.problem)
        out.append(Issue(issue.file, where, issue.value, issue.problem))
    return out


def _open(path: Path, layout: Layout) -> Book:
    if not path.is_file():
        what = "a folder, not a file" if path.is_dir() else "file not found"
        raise InputError([Issue(str(path), "", MISSING, f"{what}; check the path")])
    try:
        names, hidden, frames, formulas = read_sheets(path, layout.sheets)
    except SheetTooLargeError as exc:
        raise InputError([Issue(str(path), exc.where, MISSING, exc.problem)]) from None
    except Exception as exc:  # a zip that is not a workbook, a locked or truncated file, ...
        raise InputError(
            [
                Issue(
                    str(path),
                    "",
                    MISSING,
                    f"not a readable .xlsx workbook ({type(exc).__name__}: {exc}); save it from "
                    "Excel or LibreOffice as an Excel workbook (.xlsx)",
                )
            ]
        ) from None
    book = Book(path, frames)
    for name in hidden:
        book.issue(
            f"sheet {name}",
            MISSING,
            "the sheet is very hidden (Excel neither shows it nor offers to unhide it), so its "
            "rows would count without anyone seeing them; delete the sheet or make it visible",
        )
    for sheet, row, column in formulas:
        frame = frames.get(sheet)
        if (
            frame is not None
            and row <= frame.shape[0]
            and column <= frame.shape[1]
            and _filled(frame.iat[row - 1, column - 1])
        ):
            continue
        book.issue(
            f"{sheet}!{get_column_letter(column)}{row}",
            MISSING,
            "a formula with no computed value (the file was not saved by a spreadsheet program "
            "that computes it); open and save it in Excel or LibreOffice, or type the value",
        )
    known = [*INSTANCE.sheets, *[s for s in MODEL.sheets if s not in INSTANCE.sheets], README]
    for name in names:
        if name not in known:
            close = get_close_matches(name, known, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            book.issue(
                f"sheet {name}",
                MISSING,
                f"unknown sheet; {guess}the sheets of an instance and model workbook are "
                f"{', '.join(known)}",
            )
    return book


def _read(book: Book, layout: Layout) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if layout.sheet in book.frames:
        data.update(_read_keys(book, layout))
    if layout.per_year and BUDGETS in book.frames:
        data.update(_read_budgets(book, layout))
    for name, models in layout.tables.items():
        if name in book.frames:
            data[name] = _read_table(book, name, models)
    if book.issues:
        raise InputError(book.issues)
    return data


def _header(book: Book, name: str, grid: list[list[Any]]) -> Sheet:
    """The sheet's first row as column names (blank columns with no data are ignored)."""
    sheet = Sheet(name)
    book.sheets[name] = sheet
    head = grid[0] if grid else []
    for j, raw in enumerate(head):
        text = _text(raw)
        column = get_column_letter(j + 1)
        if not text:
            if any(_filled(row[j]) for row in grid[1:] if j < len(row)):
                book.issue(
                    f"{name}!{column}1",
                    MISSING,
                    "this column holds values but has no name in row 1; name it (id, name, "
                    "pillar, ...) or clear the column",
                )
            continue
        same = [c for c in sheet.columns if column_key(c) == column_key(text)]
        if same:
            first = get_column_letter(sheet.columns[same[0]] + 1)
            what = (
                f"column {text!r} appears twice"
                if same[0] == text
                else f"columns {same[0]!r} and {text!r} name the same figure"
            )
            book.issue(f"{name}!{column}1", text, f"{what} (first in {first}1); keep one")
            continue
        sheet.columns[text] = j
    return sheet


def _grid(book: Book, name: str) -> list[list[Any]]:
    return [list(row) for row in book.frames[name].itertuples(index=False, name=None)]


def _read_table(book: Book, name: str, models: list[type[BaseModel]]) -> list[dict[str, Any]]:
    grid = _grid(book, name)
    sheet = _header(book, name, grid)
    records: list[dict[str, Any]] = []
    for i, row in enumerate(grid[1:], start=2):
        cells = {c: row[j] for c, j in sheet.columns.items() if j < len(row) and _filled(row[j])}
        if not cells:
            continue
        kind = _text(cells.get("rule", ""))
        chosen = [m for m in models if _literal_of(m, "rule") == kind] or models
        record: dict[str, Any] = {}
        for column, raw in cells.items():
            where = sheet.cell(column, i)
            value = _cell_value(book, where, raw, _annotation(chosen, column.split(".")[0]))
            if value is not SKIP:
                _put(book, record, column, value, where, raw)
        records.append(record)
        sheet.rows.append(i)
        first = min(sheet.columns, key=sheet.columns.__getitem__)  # a row's name: id, or kpi, ...
        sheet.ids.append(_text(cells.get("id" if "id" in sheet.columns else first, "")))
        sheet.cells.append(cells)
    return records


def _read_keys(book: Book, layout: Layout) -> dict[str, Any]:
    name = layout.sheet
    grid = _grid(book, name)
    sheet = Sheet(name, {KEY: 0, VALUE: 1})
    book.sheets[name] = sheet
    head = [_text(c) for c in (grid[0] if grid else [])]
    if head[:2] != [KEY, VALUE]:
        book.issue(
            f"{name}!A1",
            " | ".join(head[:2]) or MISSING,
            f"the {name} sheet has two columns named {KEY} and {VALUE} in row 1, one field per "
            "row below (name, years, ...)",
        )
        return {}
    extra = [j for j in range(2, len(head)) if any(_filled(r[j]) for r in grid)]
    for j in extra:
        book.issue(
            f"{name}!{get_column_letter(j + 1)}1",
            MISSING,
            f"the {name} sheet has only the columns {KEY} and {VALUE}; clear this column",
        )
    data: dict[str, Any] = {}
    for i, row in enumerate(grid[1:], start=2):
        key, raw = _text(row[0]), row[1] if len(row) > 1 else ""
        if not key:
            if _filled(raw):
                book.issue(f"{name}!B{i}", raw, "a value with no key in column A; name the field")
            continue
        twin = next((k for k in sheet.keys if column_key(k) == column_key(key)), None)
        if twin is not None:
            book.issue(
                f"{name}!A{i}",
                key,
                f"key {key!r} is given twice (first in row {sheet.keys[twin]}"
                + (f", as {twin!r})" if twin != key else ")"),
            )
            continue
        sheet.keys[key] = i
        if not _filled(raw):
            continue
        where = f"{name}!B{i}"
        value = _cell_value(book, where, raw, _annotation([layout.cls], key.split(".")[0]))
        if value is not SKIP:
            _put(book, data, key, value, where, raw)
    return data


def _read_budgets(book: Book, layout: Layout) -> dict[str, Any]:
    grid = _grid(book, BUDGETS)
    sheet = _header(book, BUDGETS, grid)
    if "year" not in sheet.columns:
        book.issue(
            f"{BUDGETS}!A1",
            MISSING,
            f"the {BUDGETS} sheet needs a column named year (a year, or {EVERY_YEAR!r} for a "
            f"figure that holds every year) beside {', '.join(layout.per_year)}",
        )
        return {}
    data: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for i, row in enumerate(grid[1:], start=2):
        cells = {c: row[j] for c, j in sheet.columns.items() if j < len(row) and _filled(row[j])}
        if not cells:
            continue
        raw_year = cells.pop("year", "")
        year = _year_label(raw_year)
        where = sheet.cell("year", i)
        if year is None:
            book.issue(
                where,
                raw_year if _filled(raw_year) else MISSING,
                f"expected a year, such as 2026, or {EVERY_YEAR!r} for figures that hold every "
                "year",
            )
            continue
        if year in seen:
            book.issue(where, raw_year, f"year {year} is given twice (first in row {seen[year]})")
            continue
        seen[year] = i
        sheet.rows.append(i)
        sheet.ids.append(year)
        sheet.cells.append(cells)
        for column, raw in cells.items():
            at = sheet.cell(column, i)
            value = _cell_value(book, at, raw, _annotation([layout.cls], column))
            if value is SKIP:
                continue
            if column not in layout.per_year:
                close = get_close_matches(column, layout.per_year, n=1)
                guess = f"did you mean {close[0]!r}? " if close else ""
                book.issue(
                    sheet.cell(column, 1),
                    column,
                    f"unknown column; {guess}the {BUDGETS} sheet has the columns year, "
                    f"{', '.join(layout.per_year)}",
                )
                break
            if column in data and isinstance(data[column], dict) == (year == EVERY_YEAR):
                book.issue(
                    at,
                    raw,
                    f"{column} is given both in the row {EVERY_YEAR!r} (every year) and per "
                    "year; keep one or the other",
                )
                continue
            _put(book, data, column if year == EVERY_YEAR else f"{column}.{year}", value, at, raw)
    return data


def _year_label(raw: Any) -> str | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer()):
        return str(int(raw))
    text = _text(raw)
    if text.lower() == EVERY_YEAR:
        return EVERY_YEAR
    return text if re.fullmatch(r"\d{4}", text) else None


def _filled(raw: Any) -> bool:
    """Whether a cell holds anything (an Excel error counts: it is reported, not skipped)."""
    return not (raw is None or (isinstance(raw, str) and not raw.strip()))


def _text(raw: Any) -> str:
    """A cell as text: numbers as shown (`2026`, not `2026.0`), blanks as ``."""
    if not _filled(raw) or (isinstance(raw, float) and math.isnan(raw)):
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


def _cell_value(book: Book, where: str, raw: Any, annotation: Any) -> Any:
    """A cell's value as the field expects it: `;` lists split, JSON text parsed, numbers typed
    into text fields read as text. `SKIP` after reporting a problem."""
    if isinstance(raw, float) and math.isnan(raw):
        book.issue(
            where, MISSING, "the cell holds an Excel error (#DIV/0!, #REF!, ...); give a value"
        )
        return SKIP
    if isinstance(raw, pd.Timestamp):
        raw = raw.to_pydatetime()
    if isinstance(raw, str):
        raw = raw.strip()
    if annotation is None:
        return raw
    if _is_scalar_list(annotation):
        items = raw.split(";") if isinstance(raw, str) else [raw]
        inner = typing.get_args(_members(annotation)[0])[0]
        return [
            _as_text(x, inner)
            for x in (i.strip() if isinstance(i, str) else i for i in items)
            if x != ""
        ]
    if isinstance(raw, str) and raw[:1] in "[{" and _is_complex(annotation):
        try:
            return load_yaml_text(raw)
        except yaml.YAMLError as exc:
            book.issue(
                where,
                raw,
                f"not valid JSON or YAML text ({getattr(exc, 'problem', None) or exc}); write a "
                'mapping such as {"2026": 100} or a list such as [1, 2]',
            )
            return SKIP
    return _as_text(raw, annotation)


def _as_text(raw: Any, annotation: Any) -> Any:
    """A number typed into a text cell, as the text it shows (`2026`, not `2026.0`)."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not _is_text(annotation):
        return raw
    return str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw)


def _put(book: Book, record: dict[str, Any], column: str, value: Any, where: str, raw: Any) -> None:
    """Set `record[a][b] = value` for column `a.b` (the CSV convention for nested fields)."""
    *parents, leaf = column.split(".")
    target = record
    for key in parents:
        nested = target.setdefault(key, {})
        if not isinstance(nested, dict):
            book.issue(
                where,
                raw,
                f"column {key!r} already gives one figure for every year (or the whole "
                f"{key}); leave either {key} or {column} blank in this row",
            )
            return
        target = nested
    if isinstance(target.get(leaf), dict):
        book.issue(
            where,
            raw,
            f"columns {column}.YEAR (or {column}.KEY) already give its parts; leave either "
            f"{column} or those columns blank in this row",
        )
        return
    target[leaf] = value


def _literal_of(model: type[BaseModel], name: str) -> str | None:
    options = _options(_annotation([model], name))
    return options[0] if len(options) == 1 else None
