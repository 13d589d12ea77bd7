"""The planning columns of a lines table (schedules, spans, curves, pillar shares, deliveries,
resources, returns, profiles) read a column at a time give what pydantic gives one line at a
time — from rows (`columns.fast_lines`) and from a CSV file (`csvlines.read_lines`) — or are
left to it: the same `Instance` (values, kinds, key order, fields given) or the same messages.
The Korea plans' lines CSVs are read by columns."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator.schema import columns, load, references
from allocator.schema.base import for_year
from allocator.schema.columns import MIN_ROWS, fast_lines
from allocator.schema.instance import Instance, Line
from tests.test_csv_columns import _loaded, _same
from tests.test_reading import _by_pydantic, _read_as_pydantic_reads, _row
from tests.test_reading import _same as _same_lines

ROOT = Path(__file__).resolve().parent.parent


# -- rows: the column reading of rows against pydantic --------------------------------------------

NUMBERS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["12.0", "1e3", "-3", "+2", " 4", "1,500", "1,5조", "1e400", "nan", "0", "1e-12", "x", ""]
    ),
    st.sampled_from([10**15, 1e-10, 2e-9, 9.9e14, -0.0, "-0", "- 1", "--1", "03", "3.0"]),
)
YEARS = st.sampled_from([2026, "2026", "02027", 2027, "x", True, 10**7, "-1", " 2026", 2.0])
KEYS = st.sampled_from(["gpus", "GPUS", " gpus", "staff", 5, ""])
CURVES = st.sampled_from(
    [
        "0:0; 10:5",
        "0:0; 613.5:797.55; 900:1055.4",
        "0:0;10:5;5:1",
        "1:1; 2:2",
        "0:0",
        "0:0; 1e-12:1",
        "0:0; 10:x",
        "0:0; 1,5조:5",
        "0:0; 10:-5",
        " 0 : 0 ; 10 : 5 ",
        "0:0; 10",
        [(0, 0), (1, 1)],
        [[0, 0], [2, "1e3"]],
        {0: 0, 10: "5"},
        5,
        None,
    ]
)
SHARES = st.sampled_from(
    [
        "a",
        "a: 0.5; b: 0.5",
        "a: 0.7; b: 0.2",
        "a: 1e-12; b: 1",
        "a:0.5;;b:0.5",
        "a: 50%; b: 50%",
        "a: x",
        "a: 2",
        ": 1",
        "a: 0.5; a: 0.5",
        {"a": 0.5, "b": "0.5"},
        {1: 1.0},
        {"a": True},
        True,
        5,
    ]
)
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "pillar": SHARES,
    "schedule": st.one_of(NUMBERS, st.dictionaries(YEARS, NUMBERS, max_size=2)),
    "span": st.one_of(NUMBERS, st.sampled_from(["3", "03", "0", 10**9, 10**9 + 1, "1_0"])),
    "max_starts": st.one_of(NUMBERS, st.sampled_from(["5", "0", "-0", 10**9 + 1])),
    "curve": CURVES,
    "total_max": NUMBERS,
    "min_scale": NUMBERS,
    "max_scale": NUMBERS,
    "value": NUMBERS,
    "delivers": st.one_of(
        st.dictionaries(KEYS, st.dictionaries(YEARS, NUMBERS, max_size=2), max_size=2),
        st.dictionaries(KEYS, NUMBERS, max_size=1),
        NUMBERS,
    ),
    "uses": st.one_of(st.dictionaries(KEYS, NUMBERS, max_size=2), NUMBERS),
    "needs": st.dictionaries(
        KEYS, st.one_of(NUMBERS, st.dictionaries(YEARS, NUMBERS, max_size=2)), max_size=2
    ),
    "returns": st.dictionaries(
        st.sampled_from([1, "1", "01", " 1", True, "x", -1, 1.0, "1_0"]), NUMBERS, max_size=2
    ),
    "profile": st.one_of(
        st.dictionaries(
            st.sampled_from([0, "0", 2026, "2026", " 1", "x", 2.0, True, 10**7, "1_0"]),
            NUMBERS,
            max_size=2,
        ),
        st.sampled_from(["x", 5, None]),
    ),
}
PLANNING = st.one_of(*(st.fixed_dictionaries({k: v}) for k, v in FIELDS.items()))
"""One planning field of a row, with a value good or odd."""


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 3), PLANNING), min_size=1, max_size=4),
    st.sampled_from(["bn_krw", "krw", "m_usd", "eur"]),
)
def test_planning_fields_of_rows_read_as_pydantic_reads_them(
    changes: list[tuple[int, dict[str, Any]]], unit: str
) -> None:
    """Property: where the column reading of rows gives lines, pydantic gives the same lines;
    where pydantic refuses a row, the column reading leaves the table to it."""
    rows = [_row(i, impact=float(i)) for i in range(MIN_ROWS)]
    for i, change in changes:
        rows[3 + 5 * i] = {**rows[3 + 5 * i], **change}
    _read_as_pydantic_reads(rows, unit)


def test_planning_rows_take_the_column_reading() -> None:
    """Good planning values of every kind are read by columns (not left to pydantic)."""
    rows = [
        _row(
            i,
            pillar="a: 0.7; b: 0.3" if i % 2 else "a",
            schedule={2026: "11.8", "2027": 34.1} if i % 3 else "5",
            span="3",
            max_starts=5,
            curve="0:0; 613.5:797.55; 900:1055.4",
            total_max="2900",
            min_scale=0.5,
            max_scale="1",
            value="-2",
            delivers={"gpus": {"2028": "15000", 2027: 1}},
            uses={"staff": "0.5"},
            needs={"staff": {2026: "2"}, "desks": 3},
            returns={"1": "0.5", 2: 1},
            profile={"0": "11", 1: "-3"},
        )
        for i in range(MIN_ROWS)
    ]
    fast, slow = fast_lines(rows, "bn_krw"), _by_pydantic(rows, "bn_krw")
    assert fast is not None
    assert slow is not None
    _same_lines(fast, slow)
    assert fast[1].pillar == {"a": 0.7, "b": 0.3}
    assert fast[0].curve == [(0.0, 0.0), (613.5, 797.55), (900.0, 1055.4)]
    assert fast[0].delivers == {"gpus": {2028: 15000.0, 2027: 1.0}}
    assert fast[0].profile == {0: 11.0, 1: -3.0}
    assert fast[0].span == 3


# -- a CSV file: by columns against the row reading with pydantic alone ---------------------------

ROWS = MIN_ROWS + 2
INSTANCE = """\
name: t
years: [2026, 2027]
pillars: [{id: a, name: A}, {id: b, name: B}]
budget: 100000
kpis: [{id: gpus, name: GPUs}, {id: staff, name: Staff}]
resources: [{id: staff, name: Staff, limit: 100}]
lines: lines.csv
"""


def _planned(i: int) -> dict[str, str]:
    """A Korea-shaped row: schedules, spans, curves, shares, deliveries, ... on some lines."""
    kind = i % 10
    row = {
        "id": f"L-{i:03d}",
        "name": f"Line {i} & more",
        "pillar": "a: 0.7; b: 0.3" if i % 6 == 0 else "ab"[i % 2],
        "new": "true" if i % 2 else "",
        "select": "true" if kind in (1, 2, 5) else "",
        "impact": "" if kind == 4 else f"{i % 7}.5",
    }
    if kind == 1:
        row |= {"schedule.2026": "11.8", "schedule.2027": "34.1", "total_max": "2900"}
        row |= {"delivers.gpus.2027": "15000", "delivers.staff.2027": "3", "needs.staff.2026": "2"}
    elif kind == 2:
        row |= {"schedule": "500", "delivers.gpus.2026": "10"}
    elif kind == 3:
        row |= {"integer": "true", "unit_cost": "12.9", "span": "3", "max_starts": "5"}
    elif kind == 4:
        row |= {"curve": "0:0; 613.5:797.55; 900:1055.4", "max.2026": "900"}
    elif kind == 6:
        row |= {"returns.1": "0.5", "uses.staff": "0.25", "min": "1"}
    elif kind == 7:
        row |= {"profile.2026": "11", "profile.2027": "-3", "min_scale": "0.5", "max_scale": "1"}
        row |= {"value": "2"}
    else:
        row |= {"min": str(i % 3), "max.2026": str(10 + i), "max.2027": str(20 + i)}
    return row


HEADER = list(dict.fromkeys(k for i in range(10) for k in _planned(i)))
EXTRA = [
    "delivers.gpus.2026",
    "delivers.nokpi.2026",
    "delivers.gpus.2031",
    "delivers.gpus",
    "delivers.staff.02027",
    "uses.nores",
    "needs.staff",
    "needs.staff.2027",
    "returns.0",
    "returns.01",
    "profile.0",
    "schedule.2028",
    "max",
    "region",
    "requires",
]
CELLS = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-0",
        "1",
        "3",
        "03",
        " 3 ",
        "3.0",
        "2.5",
        "-1",
        "- 1",
        "+2",
        "1e3",
        "1e-12",
        "nan",
        "1_0",
        "1,500",
        "1,5조",
        "x",
        "true",
        "a",
        "a: 0.5; b: 0.5",
        "a: 0.7; b: 0.2",
        "c: 1",
        "a:1;",
        "0:0; 10:5",
        " 0:0 ; 10:5 ",
        "0:0; 10:5; 5:1",
        "1:1; 2:2",
        "0:0; 10:-5",
        "0:0; 10",
    ]
)


def _write(folder: Path, header: list[str], rows: list[dict[str, str]], end: str) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=end)
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    (folder / "lines.csv").write_text(out.getvalue(), encoding="utf-8")
    (folder / "i.yaml").write_text(INSTANCE, encoding="utf-8")
    return folder / "i.yaml"


def _by_rows(path: Path, monkeypatch: pytest.MonkeyPatch) -> Instance | str:
    """The row reading, every row through pydantic (the column reading of rows kept out)."""
    with monkeypatch.context() as patched:
        patched.setattr(columns, "MIN_ROWS", 10**9)
        try:
            return load._load_instance(path, False, by_columns=False)
        except allocator.InputError as exc:
            return str(exc)


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(EXTRA), max_size=4, unique=True),
    st.dictionaries(
        st.integers(0, ROWS - 1),
        st.dictionaries(st.sampled_from(HEADER + EXTRA), CELLS, max_size=3),
        max_size=3,
    ),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_planning_columns_read_like_rows(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    changes: dict[int, dict[str, str]],
    end: str,
    shuffled: bool,
) -> None:
    """Property: whatever a Korea-shaped table holds (odd cells, odd columns, columns in any
    order), the public reading and the row reading with pydantic give the same instance, or the
    same located messages."""
    header = HEADER + extra
    for row in changes.values():
        header += [c for c in row if c not in header]
    if shuffled:
        header = header[:3] + header[:2:-1]
    rows = [{**_planned(i), **changes.get(i, {})} for i in range(ROWS)]
    path = _write(tmp_path, header, rows, end)
    _same(_loaded(path), _by_rows(path, monkeypatch))


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """What each call of `csvlines.read_lines` returns, as the loading calls it."""
    returned: list[Any] = []
    read = load.read_lines

    def spy(*args: Any) -> Any:
        returned.append(read(*args))
        return returned[-1]

    monkeypatch.setattr(load, "read_lines", spy)
    return returned


def test_a_planning_table_is_read_by_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(tmp_path, HEADER, [_planned(i) for i in range(ROWS)], "\n")
    slow = _by_rows(path, monkeypatch)
    returned = _spy(monkeypatch)
    fast = allocator.load_instance(path)
    assert isinstance(returned[0], list)
    _same(fast, slow)
    assert fast.lines[1].schedule == {2026: 11.8, 2027: 34.1}
    assert fast.lines[1].delivers == {"gpus": {2027: 15000.0}, "staff": {2027: 3.0}}
    assert fast.lines[1].needs == {"staff": {2026: 2.0}}
    assert fast.lines[0].pillar == {"a": 0.7, "b": 0.3}
    assert fast.lines[7].profile == {2026: 11.0, 2027: -3.0}
    assert fast.lines[4].curve == fast.lines[14].curve  # one text, read once: a list each
    assert fast.lines[4].curve is not fast.lines[14].curve
    assert fast.lines[0].pillar is not fast.lines[6].pillar


def _korea_copy(folder: Path, name: str, times: int) -> Path:
    """The instance `name` with its lines CSV copied `times` over (ids and names suffixed)."""
    source = ROOT / "instances" / f"{name}.lines.csv"
    header, *rows = list(csv.reader(source.read_text(encoding="utf-8-sig").splitlines()))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for j in range(times):
        for row in rows:
            cells = dict(zip(header, row, strict=True))
            if j:
                cells["id"] += f"-{j}"
                cells["name"] += f" ({j})"
            writer.writerow(cells.values())
    (folder / "lines.csv").write_text(out.getvalue(), encoding="utf-8")
    text = (ROOT / "instances" / f"{name}.yaml").read_text(encoding="utf-8")
    text = text.replace(f"lines: {name}.lines.csv", "lines: lines.csv")
    assert "lines: lines.csv" in text
    (folder / "i.yaml").write_text(text, encoding="utf-8")
    return folder / "i.yaml"


@pytest.mark.parametrize("name", ["korea-2026-2030", "korea-2026"])
@pytest.mark.parametrize("times", [1, 2])
def test_the_korea_plans_lines_are_read_by_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, times: int
) -> None:
    """The Korea plans' lines CSVs (39 and 36 lines, read by columns here from 0 rows up) and
    copies of twice as many lines: read by columns, to what the rows give through pydantic."""
    if times == 1:
        monkeypatch.setattr(columns, "MIN_ROWS", 0)
    path = _korea_copy(tmp_path, name, times)
    slow = _by_rows(path, monkeypatch)
    assert isinstance(slow, Instance)
    returned = _spy(monkeypatch)
    fast = allocator.load_instance(path)
    assert len(returned) == 1
    assert isinstance(returned[0], list)
    assert len(fast.lines) >= 36 * times
    _same(fast, slow)


# -- a min above a max, per year: `references._above` against the loop it shortens ----------------


def _above_by_years(lo: Any, hi: Any) -> bool:
    """`_line_problems`' loop: a min above a max in some year (a min of 0 where none is given)."""
    years: list[int | None] = [*sorted({*references._years_of(lo), *references._years_of(hi)})]
    for year in years or [None]:
        a, b = for_year(lo, year, 0.0), for_year(hi, year, None)
        if a is not None and b is not None and a > b:
            return True
    return False


FIGURES = st.sampled_from([0.0, -0.0, 1.0, 2.5, -1.0, 1e14])
PER_YEAR = st.one_of(FIGURES, st.dictionaries(st.sampled_from([2026, 2027, 2028]), FIGURES))


@settings(max_examples=1000, deadline=None)
@given(PER_YEAR, st.one_of(st.none(), PER_YEAR))
def test_a_min_above_a_max_is_found_as_year_by_year(lo: Any, hi: Any) -> None:
    if hi is not None:
        assert references._above(lo, hi) == _above_by_years(lo, hi)


def test_a_null_is_taken_where_the_model_takes_one() -> None:
    """The column reading of rows takes a `null` for exactly the fields whose default is None."""
    nullable = {
        name
        for name, field in Line.model_fields.items()
        if field.default is None and field.default_factory is None
    }
    assert nullable == columns._OPTIONAL
