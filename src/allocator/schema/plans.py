"""Plans as input: money per line, year and source, read from a CSV file, a workbook sheet, a
DataFrame or the instance's own `reported` amounts, with every problem located (file, row, value).

A plan has the columns `line, year, amount` and optionally `source` (`government`, `private` or a
fund's id; `government` when absent). Other columns (`name`, `pillar`, ...) are ignored, so the
`allocation.csv` a solve writes is a plan. Missing (line, year, source) cells are 0."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from allocator.errors import MISSING, InputError, Issue
from allocator.schema.files import is_file, read_text
from allocator.schema.instance import Instance
from allocator.schema.money import currency_unit, parse_money

if TYPE_CHECKING:
    import pandas as pd

GOVERNMENT, PRIVATE = "government", "private"
REPORTED = "reported"
"""The plan name that means: each line's `reported` amounts (government money)."""
REQUIRED_COLUMNS = ("line", "year", "amount")


@dataclass(frozen=True)
class PlanRow:
    """One amount of a plan: money a source puts into a line in a year."""

    line: str
    year: int
    source: str
    amount: float


@dataclass(frozen=True)
class PlanInput:
    """A plan read and checked against an instance: its rows and where it came from."""

    rows: tuple[PlanRow, ...]
    origin: str
    """The file (with its sheet), `reported`, or `DataFrame`."""


def read_plan(inst: Instance, plan: str | Path | pd.DataFrame) -> PlanInput:
    """The plan `plan` names, checked against `inst`: a CSV path, `BOOK.xlsx` or
    `BOOK.xlsx:SHEET`, a DataFrame, or the string `reported`. Raises `InputError` with every
    problem (file, row, column, value, what is allowed)."""
    if isinstance(plan, str) and plan == REPORTED:
        return reported_plan(inst)
    if isinstance(plan, str | Path):
        origin, records = _read_file(Path(plan))
    else:
        origin = "DataFrame"
        frame = plan.reset_index(drop=True)
        records = [
            (i + 2, {str(k): v for k, v in row.items()})
            for i, row in enumerate(frame.to_dict("records"))
        ]
        _need_columns(origin, [str(c) for c in frame.columns])
    return PlanInput(tuple(_check_rows(inst, origin, records)), origin)


def reported_plan(inst: Instance) -> PlanInput:
    """The budget as passed: each line's `reported` government money per year (0 for a line or
    year the instance gives none). Refused when no line reports an amount."""
    rows = [
        PlanRow(line.id, year, GOVERNMENT, float(amount))
        for line in inst.lines
        for year, amount in _per_year(line.reported, inst.years).items()
    ]
    files: list[str] = [str(f) for f in inst.files]
    where = files[0] if files else inst.name
    if not rows:
        raise InputError(
            [
                Issue(
                    where,
                    "lines[*].reported",
                    MISSING,
                    "--plan reported needs lines with `reported` amounts (government money per "
                    "year, `reported.2026` in a lines CSV); no line of this instance has one",
                )
            ]
        )
    outside = [r for r in rows if r.year not in inst.years]
    if outside:
        raise InputError(
            [
                Issue(
                    where,
                    f"lines.{r.line}.reported.{r.year}",
                    r.amount,
                    f"the year is outside the horizon {inst.years}",
                )
                for r in outside
            ]
        )
    return PlanInput(tuple(rows), REPORTED)


def _read_file(path: Path) -> tuple[str, list[tuple[int, dict[str, Any]]]]:
    sheet: str | None = None
    name = str(path)
    if ":" in path.name and path.name.split(":")[0].lower().endswith((".xlsx", ".xlsm")):
        book, sheet = path.name.split(":", 1)
        path = path.with_name(book)
    if not is_file(path):
        raise InputError([Issue(name, "", MISSING, "plan file not found; check the path")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_sheet(path, sheet)
    if path.suffix.lower() not in (".csv", ".txt"):
        raise InputError(
            [
                Issue(
                    name,
                    "",
                    path.suffix,
                    "a plan is a CSV file (line, year, amount[, source]) or an .xlsx workbook "
                    "(BOOK.xlsx or BOOK.xlsx:SHEET)",
                )
            ]
        )
    reader = csv.reader(read_text(path).splitlines())
    header = [h.strip() for h in next(reader, [])]
    _need_columns(name, header)
    records = [
        (n, dict(zip(header, (c.strip() for c in cells), strict=False)))
        for n, cells in enumerate(reader, start=2)
        if any(c.strip() for c in cells)
    ]
    return name, records


def _read_sheet(path: Path, sheet: str | None) -> tuple[str, list[tuple[int, dict[str, Any]]]]:
    import openpyxl  # on use: only workbooks need it

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is None:
            names = [n for n in book.sheetnames if n.lower() in ("plan", "allocation")]
            sheet = names[0] if names else book.sheetnames[0]
        if sheet not in book.sheetnames:
            raise InputError(
                [Issue(str(path), "", sheet, f"no such sheet; the sheets are {book.sheetnames}")]
            )
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    origin = f"{path} (sheet {sheet})"
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    _need_columns(origin, header)
    records = [
        (n, dict(zip(header, cells, strict=False)))
        for n, cells in enumerate(rows[1:], start=2)
        if any(c not in (None, "") for c in cells)
    ]
    return origin, records


def _need_columns(origin: str, header: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            [
                Issue(
                    origin,
                    "header",
                    header,
                    f"a plan needs the columns line, year, amount (and optionally source); "
                    f"missing: {', '.join(missing)}",
                )
            ]
        )


def _check_rows(
    inst: Instance, origin: str, records: Iterable[tuple[int, dict[str, Any]]]
) -> list[PlanRow]:
    lines = {line.id for line in inst.lines}
    funds = {f.id for f in inst.funds}
    sources = [GOVERNMENT, PRIVATE, *sorted(funds)]
    issues: list[Issue] = []
    seen: dict[tuple[str, int, str], int] = {}
    rows: list[PlanRow] = []
    for n, record in records:

        def bad(column: str, value: Any, problem: str, n: int = n) -> None:
            issues.append(Issue(origin, f"row {n}, {column}", value, problem))

        line = _text(record.get("line"))
        if line not in lines:
            bad("line", line, f"no such line in {inst.name}; the lines are {_few(lines)}")
        year = _year(record.get("year"))
        if year is None or year not in inst.years:
            bad("year", record.get("year"), f"the horizon is {inst.years}")
        source = _text(record.get("source")) or GOVERNMENT
        if source not in sources:
            bad("source", source, f"a source is one of {sources}")
        raw = record.get("amount")
        amount: float | None = None
        try:
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raise ValueError("the amount is empty; give 0 or more")
            if isinstance(raw, float) and not math.isfinite(raw):
                raise ValueError("NaN and infinity are not amounts")
            with currency_unit(inst.currency_unit):
                amount = parse_money(_number(raw))
        except ValueError as exc:
            bad("amount", raw, str(exc))
        if line not in lines or year is None or year not in inst.years or source not in sources:
            continue
        if (line, year, source) in seen:
            bad(
                "line",
                f"{line}, {year}, {source}",
                f"duplicate of row {seen[line, year, source]}: one amount per line, year and "
                "source",
            )
            continue
        seen[line, year, source] = n
        if amount is not None:
            rows.append(PlanRow(line, year, source, amount))
    if issues:
        raise InputError(issues)
    return rows


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _year(value: Any) -> int | None:
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None


def _number(raw: Any) -> Any:
    """A numeric cell as a float (CSV cells are text); money with a unit stays text."""
    if isinstance(raw, str):
        try:
            return float(raw.replace(",", ""))
        except ValueError:
            return raw
    if hasattr(raw, "item"):  # numpy scalars from a DataFrame
        return raw.item()
    return raw


def _few(names: Iterable[str]) -> str:
    ordered = sorted(names)
    return ", ".join(ordered[:8]) + (f" and {len(ordered) - 8} more" if len(ordered) > 8 else "")


def _per_year(value: float | dict[int, float] | None, years: list[int]) -> dict[int, float]:
    """A per-year figure as {year: amount}; one figure holds for every year."""
    if value is None:
        return {}
    return dict(value) if isinstance(value, dict) else dict.fromkeys(years, float(value))
