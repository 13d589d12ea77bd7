"""An instance's lines CSV read straight into columns: no nested dict per row.

`read_lines` parses the file with Python's `csv` module, turns its rows into columns at once
(`zip`) and hands each column to the column readers of `allocator.schema.columns` — the same
checks, the same values — then builds the `Line` objects from the columns. It covers the
columns a lines table usually has: the plain fields (pillar shares and curves in their text
forms included), `min`, `max`, `schedule` (one figure, or `min.2027` ... per year),
`reported.YEAR` and `yields.KPI`, `requires` and `groups` lists (`a; b`), and the mappings
`delivers.KPI.YEAR`, `uses.X`, `needs.X` (`.YEAR`), `returns.LAG` and `profile.YEAR`.
Anything else — another column, a cell it cannot read, a problem of any kind, names spelled two
ways, fewer than `columns.MIN_ROWS` rows — gives None, and the table is read the usual way,
row by row (`load._read_rows`, then the column reading of rows or pydantic), which words any
problem located to file, row and column: this reading never words a message of its own, and it
gives exactly the `Line` objects the row reading gives.
"""

from __future__ import annotations

import csv
import operator
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator
from itertools import compress, repeat, starmap
from pathlib import Path
from typing import Any, NamedTuple

from allocator.errors import Issue
from allocator.schema import columns, names
from allocator.schema.instance import Line
from allocator.schema.money import CURRENCY_UNITS

LIST_COLUMNS = ("requires", "groups")
"""CSV columns holding lists, written with `;` between the items."""
PER_YEAR = ("min", "max", "schedule", "reported")
"""Fields a CSV table may give per year (`min.2027`); all but `reported` also as one figure."""
MAPPINGS = ("delivers", "uses", "needs", "returns", "profile")
"""Fields a CSV table gives as dotted columns (`delivers.gpus.2028`, `uses.staff`), read as the
row reading nests them, then by the column readers of rows."""


class _UnreadError(Exception):
    """Something this reading leaves to the row-by-row reading."""


def header_issues(path: Path, header: list[str]) -> list[Issue]:
    """A header without a name for every column, or naming one figure twice."""
    if not header or any(not h for h in header):
        return [
            Issue(
                str(path),
                "row 1",
                ",".join(header),
                "the header needs a name for every column (id, name, pillar, ...)",
            )
        ]
    issues: list[Issue] = []
    seen: dict[str, str] = {}
    for column in header:
        same = seen.get(names.column_key(column))
        if same == column:
            issues.append(
                Issue(str(path), "row 1", column, f"column {column!r} appears twice; keep one")
            )
        elif same is not None:
            issues.append(
                Issue(
                    str(path),
                    "row 1",
                    column,
                    f"columns {same!r} and {column!r} name the same figure; keep one",
                )
            )
        seen.setdefault(names.column_key(column), column)
    return issues


def read_lines(path: Path, text: str, unit: Any) -> list[Line] | None:
    """The lines of the CSV table `text` (read from `path`) as `Line` objects, or None when the
    row-by-row reading must read it (see the module's docstring)."""
    if type(unit) is not str or unit not in CURRENCY_UNITS:
        return None
    try:
        return _read(path, text, unit)
    except (_UnreadError, columns._SlowError, csv.Error):
        return None


def _read(path: Path, text: str, unit: str) -> list[Line] | None:
    split = _columns(text)
    if split is None:
        return None
    header = [unicodedata.normalize("NFC", h).strip() for h in split[0]]
    body, count = split[1], split[2]
    if header_issues(path, header) or count < max(columns.MIN_ROWS, 1):
        return None
    checks = Line.__pydantic_decorators__
    if checks.model_validators or checks.field_validators:  # checks the column readers lack
        return None
    readers = columns._readers(unit)
    money = columns._money_reader(unit)
    plain: dict[str, _Column] = {}
    nested: dict[str, list[tuple[Any, _Column]]] = {}
    raw: dict[str, list[tuple[list[str], list[str]]]] = {}
    for column, cells in zip(header, body, strict=True):
        field, dot, key = column.partition(".")
        if not dot and field in LIST_COLUMNS:
            plain[field] = _read_column(readers[field], _lists(cells), strip=False)
        elif not dot and field in _STRIPPED:
            plain[field] = _read_column(readers[field], cells, strip=True)
        elif not dot and field in readers and field not in _NOT_PLAIN:
            plain[field] = _read_column(money if field in PER_YEAR else readers[field], cells)
        elif dot and field in PER_YEAR and "." not in key:
            column_values = _read_column(money, cells)
            nested.setdefault(field, []).append((columns._year(key), column_values))
        elif dot and field == "yields" and "." not in key:
            column_values = _read_column(columns._coefficients, cells)
            nested.setdefault(field, []).append((columns._plain_text(key), column_values))
        elif dot and field in MAPPINGS:
            raw.setdefault(field, []).append((key.split("."), cells))
        else:
            raise _UnreadError
    given = {field: column.spread(count) for field, column in plain.items()}
    for field, paths in raw.items():
        given[field] = _read_mappings(readers[field], _raw_mappings(paths, count))
    for field, keyed in nested.items():
        if field == "yields" and len({names.key(k) for k, _ in keyed}) != len(keyed):
            raise _UnreadError  # one KPI in two spellings: pydantic says where
        mappings = _mappings([k for k, _ in keyed], [values for _, values in keyed], count)
        scalars = given.get(field)
        if scalars is not None:
            if any(a is not None and b is not None for a, b in zip(scalars, mappings, strict=True)):
                raise _UnreadError  # one figure and figures per year in one row
            mappings = [b if a is None else a for a, b in zip(scalars, mappings, strict=True)]
        given[field] = mappings
    if any(None in given.get(field, [None]) for field in ("id", "name", "pillar")):
        return None  # a required cell empty: the row reading says where
    groups = [g for gs in given.get("groups", []) if gs for g in gs]
    ids = given["id"]  # ids as `columns._ids` passed them: ASCII without spaces, `key` is lower
    if len(set(map(str.lower, ids))) != len(set(ids)) or names.clashing(groups):
        return None  # names spelled two ways: pydantic names both
    return build(given, count)


_TEXT = {"name", "name_ko", "region", "pillar"}
"""Columns of text, stripped of surrounding spaces before they are read."""
_STRIPPED = {*_TEXT, "curve"}
"""Columns whose cells are stripped before they are read (as the row reading strips them)."""
_NOT_PLAIN = {"reported", "yields", "requires_any", *MAPPINGS}
"""Fields this reading does not take as one plain column."""


def _columns(text: str) -> tuple[list[str], list[list[str]], int] | None:
    """The header, the columns and the number of rows of a CSV text (blank lines skipped); None
    when a row has too few or too many cells (the row reading says which). A text without
    quotes and with plain line ends is split at its commas at once; any other through `csv`."""
    lines = text.splitlines()
    plain = (
        '"' not in text
        and "\x00" not in text
        and len(lines) == text.count("\n") + (not text.endswith("\n"))
    )
    if not plain:
        rows = [row for row in csv.reader(text.splitlines(keepends=True))]
        if not rows:
            return None
        body = [row for row in rows[1:] if row]  # blank lines skipped, as the row reading does
        if set(map(len, body)) != {len(rows[0])}:
            return None
        return rows[0], [list(cells) for cells in zip(*body, strict=True)], len(body)
    if not lines:
        return None
    header = lines[0].split(",")
    texts = lines[1:]
    if "" in texts:
        texts = [line for line in texts if line]
    width = len(header)
    if set(map(operator.methodcaller("count", ","), texts)) != {width - 1}:
        return None
    cells = ",".join(texts).split(",")
    return header, [cells[i::width] for i in range(width)], len(texts)


def _lists(cells: list[str]) -> list[Any]:
    """`a; b` cells as lists (empty cells stay empty: not given)."""
    return [
        [x.strip() for x in cell.split(";") if x.strip()] if cell.strip() else "" for cell in cells
    ]


class _Column(NamedTuple):
    """The values a column gives, and the rows that give them (None: every row)."""

    values: list[Any]
    rows: list[int] | None

    def spread(self, count: int) -> list[Any]:
        """A value for each of `count` rows, None where the row gives none."""
        if self.rows is None:
            return self.values
        out: list[Any] = [None] * count
        deque(map(out.__setitem__, self.rows, self.values), maxlen=0)
        return out


def _read_column(
    read: Callable[[list[Any]], list[Any]], cells: list[Any], *, strip: bool | None = None
) -> _Column:
    """`read` over the cells given (not empty). Cells are stripped of surrounding spaces first
    (`strip`), or only when `read` refuses them as they are (None: figures, ids and flags hold
    no spaces)."""
    if strip:
        cells = list(map(str.strip, cells))
    try:
        if "" not in cells:
            return _Column(read(cells), None)
        return _Column(read(list(filter(None, cells))), list(compress(range(len(cells)), cells)))
    except columns._SlowError:
        if strip is not None:
            raise
        return _read_column(read, cells, strip=True)


def _raw_mappings(
    keyed: list[tuple[list[str], list[str]]], count: int
) -> list[dict[str, Any] | None]:
    """One mapping a row of the cells given (stripped, as text), nested by the dotted keys as the
    row reading nests them (`load._row`, in the header's order); None where the row gives none.
    A cell where a figure for every year meets figures per year is left to the row reading."""
    out: list[dict[str, Any] | None] = [None] * count
    for path, cells in keyed:
        *parents, leaf = path
        for i in compress(range(count), cells):
            cell = cells[i].strip()
            if not cell:
                continue
            target = out[i]
            if target is None:
                target = out[i] = {}
            for key in parents:
                inner = target.setdefault(key, {})
                if type(inner) is not dict:
                    raise _UnreadError  # one figure, and figures below it: the rows say where
                target = inner
            if type(target.get(leaf)) is dict:
                raise _UnreadError
            target[leaf] = cell
    return out


def _read_mappings(
    read: Callable[[list[Any]], list[Any]], mappings: list[dict[str, Any] | None]
) -> list[Any]:
    """`read` over the rows' mappings (None: not given, left as it is)."""
    given = [m for m in mappings if m is not None]
    if not given:
        return mappings
    values = iter(read(given))
    return [None if m is None else next(values) for m in mappings]


def _mappings(keys: list[Any], cols: list[_Column], count: int) -> list[dict[Any, Any] | None]:
    """One mapping a row of the keys whose cells are given (in the header's order); None where
    none is. Built a column at a time."""
    rows = cols[0].rows
    if all(col.rows == rows for col in cols):  # every key given in the same rows (or none)
        given = list(map(dict, map(zip, repeat(keys), zip(*[c.values for c in cols], strict=True))))
        return _Column(given, rows).spread(count)
    some: set[int] = set()
    for col in cols:
        some.update(range(count) if col.rows is None else col.rows)
    out: list[Any] = [None] * count
    deque(map(out.__setitem__, some, starmap(dict, repeat((), len(some)))), maxlen=0)
    for key, col in zip(keys, cols, strict=True):
        mappings = map(out.__getitem__, range(count) if col.rows is None else col.rows)
        deque(map(dict.__setitem__, mappings, repeat(key), col.values), maxlen=0)
    return out


def build(given: dict[str, list[Any]], count: int) -> list[Line]:
    """`count` lines from columns of values (None: not given), as `Line.model_construct` would
    build them: defaults worked out once, a fresh list or dict for each default factory."""
    fixed, factories = columns.line_defaults()
    order = [name for name in Line.model_fields if name in given]
    cols: list[list[Any]] = []
    optional: list[tuple[str, list[Any]]] = []
    for name in order:
        values = given[name]
        if None in values:
            optional.append((name, values))
            missing = list(compress(range(count), map(operator.is_, values, repeat(None))))
            values = list(values)
            factory = factories.get(name)
            if factory is not None:
                for i in missing:
                    values[i] = factory()
            else:
                deque(map(values.__setitem__, missing, repeat(fixed.get(name))), maxlen=0)
        cols.append(values)
    fresh = [name for name in factories if name not in given]
    cols += [list(starmap(factories[name], repeat((), count))) for name in fresh]
    keys = order + fresh
    always = frozenset(order) - {name for name, _ in optional}
    sets = list(map(set, repeat(always, count)))
    for name, values in optional:  # each line's fields given: a column at a time
        present = compress(sets, map(operator.is_not, values, repeat(None)))
        deque(map(set.add, present, repeat(name)), maxlen=0)
    sets = columns.shared_sets(sets)
    template = {name: fixed.get(name) for name in Line.model_fields}

    def each() -> Iterator[tuple[dict[str, Any], set[str]]]:
        for row, fields_set in zip(zip(*cols, strict=True), sets, strict=True):
            full = template.copy()
            full.update(zip(keys, row))  # noqa: B905 (one length; `strict` costs a tenth here)
            yield full, fields_set

    return columns.lines_from(each())
