"""Pydantic errors of a workbook located to the sheet and cell they come from (`lines!D7`)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ValidationError

from allocator.errors import MISSING, InputError, Issue
from allocator.schema.excel.layout import (
    BUDGETS,
    EVERY_YEAR,
    SKIP,
    Book,
    Layout,
)
from allocator.schema.instance import CrossReferenceError
from allocator.schema.model import RULE_KINDS
from allocator.schema.validate import message, split_path


def validate_book(book: Book, layout: Layout, data: dict[str, Any]) -> BaseModel:
    try:
        return layout.cls.model_validate(data)
    except ValidationError as exc:
        raise InputError(_issues(book, layout, exc)) from None


def _issues(book: Book, layout: Layout, exc: ValidationError) -> list[Issue]:
    issues: list[Issue] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        error = err.get("ctx", {}).get("error")
        if isinstance(error, CrossReferenceError):
            found = [
                (loc + tuple(split_path(path)), value, problem)
                for path, value, problem in error.problems
            ]
        else:
            if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
                loc += (str(err.get("ctx", {}).get("discriminator", "rule")).strip("'"),)
            value = err.get("input", MISSING) if err["type"] != "missing" else MISSING
            text = _missing(layout, loc) if err["type"] == "missing" else None
            found = [(loc, value, text or message(layout.cls, err, loc))]
        for where_loc, value, problem in found:
            where, shown = locate(book, layout, where_loc, problem)
            issue = Issue(str(book.path), where, value if shown is SKIP else shown, problem)
            if issue not in issues:
                issues.append(issue)
    return issues


def _missing(layout: Layout, loc: tuple[Any, ...]) -> str:
    """What to add for a required field, in the workbook's terms."""
    parts = [str(p) for p in loc if not isinstance(p, int) and p not in RULE_KINDS]
    head = parts[0] if parts else ""
    if head in layout.tables and len(parts) == 1:
        return (
            f"required: add a sheet named {head}, one entry per row with the field names in row 1"
        )
    if head in layout.tables:
        column = ".".join(parts[1:])
        return f"required field is missing; fill column {column} in this row (add the column)"
    if head in layout.per_year:
        return (
            f"required: give {head} in the {BUDGETS} sheet (a column {head}, one row per year "
            f"or one row {EVERY_YEAR!r})"
        )
    return (
        f"required field is missing; add a row with key {'.'.join(parts)} and its value to the "
        f"{layout.sheet} sheet"
    )


def locate(book: Book, layout: Layout, loc: tuple[Any, ...], problem: str) -> tuple[str, Any]:
    """The sheet and cell of an error's field path, and the cell's value (`SKIP` if no cell)."""
    loc = tuple(
        p for i, p in enumerate(loc) if not (p in RULE_KINDS and i and isinstance(loc[i - 1], int))
    )
    if not loc:
        return "", SKIP
    head, rest = str(loc[0]), [str(p) for p in loc[1:]]
    year = re.match(r"year (\d{4}):", problem)
    if head in layout.tables:
        sheet = book.sheets.get(head)
        if sheet is None:
            return f"sheet {head} (missing)", SKIP
        if not (len(loc) > 1 and isinstance(loc[1], int) and loc[1] < len(sheet.rows)):
            return f"sheet {head}", SKIP
        index = loc[1]
        row, ident = sheet.rows[index], sheet.ids[index]
        path = ".".join(rest[1:])
        column = _column(list(sheet.columns), path, sheet.cells[index], year)
        label = f"{ident}, " if ident else ""
        if column is None:
            return f"{head} row {row}" + (f" ({label}column {path})" if path else ""), SKIP
        raw = sheet.cells[index].get(column, MISSING)
        return f"{sheet.cell(column, row)} ({label}{column})", raw
    if head in layout.per_year:
        sheet = book.sheets.get(BUDGETS)
        if sheet is None:
            return f"sheet {BUDGETS} (missing), column {head}", SKIP
        when = rest[0] if rest else (year.group(1) if year else None)
        for index, label in enumerate(sheet.ids):
            if head in sheet.cells[index] and label in (when, EVERY_YEAR):
                return f"{sheet.cell(head, sheet.rows[index])} ({label}, {head})", sheet.cells[
                    index
                ][head]
        if head in sheet.columns:
            return f"{sheet.cell(head, 1)} ({head})", SKIP
        return f"{BUDGETS}, column {head}", SKIP
    sheet = book.sheets.get(layout.sheet)
    key = ".".join([head, *rest])
    if sheet is None:
        return f"sheet {layout.sheet} (missing), key {key}", SKIP
    found = _column(list(sheet.keys), key, dict.fromkeys(sheet.keys), year)
    if found is None:
        return f"{layout.sheet}, key {key} (no row for it)", SKIP
    row = sheet.keys[found]
    raw = book.frames[layout.sheet].iat[row - 1, 1]
    return f"{layout.sheet}!B{row} ({found})", raw


def _column(
    columns: list[str], path: str, filled: dict[str, Any], year: re.Match[str] | None
) -> str | None:
    """The column an error's path falls in: itself, the column holding it (a list or JSON cell),
    or the first filled column under it (`min.2027` for an error about `min`)."""
    if path in columns:
        return path
    holders = [c for c in columns if path.startswith(c + ".")]
    if holders:
        return max(holders, key=len)
    if year and f"{path}.{year.group(1)}" in columns:
        return f"{path}.{year.group(1)}"
    under = [c for c in columns if c.startswith(path + ".") and c in filled]
    return under[0] if under else None


# -- writing a workbook ---------------------------------------------------------------------------
