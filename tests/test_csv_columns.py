"""A lines CSV read straight into columns (`schema/csvlines.py`) gives what the row-by-row
reading gives: the same `Instance` (values, kinds, fields given) where the file is good, the same
located messages (file, row, column) where it is not; and the checks made over all lines at
once (cross-references, names spelled two ways) find exactly what the line-by-line ones find."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import allocator
from allocator.schema import columns, csvlines, load, names, references
from allocator.schema.columns import MIN_ROWS
from allocator.schema.instance import Instance, Kpi, Line, Pillar
from allocator.schema.planning import Region

ROWS = MIN_ROWS + 2
INSTANCE = """\
name: t
years: [2026, 2027]
pillars: [{id: a, name: A}, {id: b, name: B}]
regions: [{id: r1, name: Region one}]
budget: 100000
kpis: [{id: gpus, name: GPUs}, {id: staff, name: Staff}]
lines: lines.csv
"""


def _write(folder: Path, header: list[str], rows: list[list[str]], *, end: str = "\n") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=end)
    writer.writerow(header)
    writer.writerows(rows)
    (folder / "lines.csv").write_text(out.getvalue(), encoding="utf-8")
    (folder / "i.yaml").write_text(INSTANCE, encoding="utf-8")
    return folder / "i.yaml"


def _by_rows(path: Path) -> Instance | str:
    try:
        return load._load_instance(path, False, by_columns=False)
    except allocator.InputError as exc:
        return str(exc)


def _loaded(path: Path) -> Instance | str:
    try:
        return allocator.load_instance(path)
    except allocator.InputError as exc:
        return str(exc)


def _same(fast: Instance | str, slow: Instance | str) -> None:
    if isinstance(slow, str) or isinstance(fast, str):
        assert fast == slow
        return
    assert fast == slow
    assert fast.files == slow.files
    for a, b in zip(fast.lines, slow.lines, strict=True):
        assert repr(a.__dict__) == repr(b.__dict__)  # 1 and 1.0, key order and kinds alike
        assert a.model_fields_set == b.model_fields_set
        assert a.model_dump() == b.model_dump()


def _plain(i: int) -> dict[str, str]:
    return {
        "id": f"L-{i:03d}",
        "name": f"Line {i}",
        "pillar": "ab"[i % 2],
        "impact": f"{i % 7}.5",
        "min": str(i % 3),
        "max.2026": str(10 + i),
        "max.2027": "" if i % 4 else str(20 + i),
        "yields.gpus": "0.25" if i % 3 else "",
        "groups": "g; h" if i % 5 == 0 else "",
        "new": "true" if i % 2 else "",
    }


def _table(columns: list[str], changes: dict[int, dict[str, str]]) -> list[list[str]]:
    rows = []
    for i in range(ROWS):
        row = {**_plain(i), **changes.get(i, {})}
        rows.append([row.get(column, "") for column in columns])
    return rows


COLUMNS = [
    "id",
    "name",
    "name_ko",
    "pillar",
    "region",
    "new",
    "integer",
    "select",
    "min",
    "min.2026",
    "max",
    "max.2026",
    "max.2027",
    "reported.2026",
    "leverage",
    "impact",
    "private_impact",
    "unit_cost",
    "yields.gpus",
    "yields.staff",
    "requires",
    "groups",
    "span",
]
CELLS = st.sampled_from(
    [
        "",
        " ",
        "0",
        "1",
        "2.5",
        " 3 ",
        "-1",
        "+2",
        "1e3",
        "1e400",
        "1e-12",
        "nan",
        "inf",
        "1_000",
        "1,500",
        "3조",
        "true",
        "false",
        "True",
        "a",
        "b",
        "a: 0.5; b: 0.5",
        "r1",
        "r2",
        "L-001",
        "L-001; L-002",
        "L-999",
        "g; G",
        "x y",
        "Ｘ",
        "선",
        'say "hi"',
        "two\nlines",
        "L-003",
        "l-003",
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=6, unique=True),
    st.dictionaries(
        st.integers(0, ROWS - 1),
        st.dictionaries(st.sampled_from(COLUMNS), CELLS, max_size=4),
        max_size=3,
    ),
    st.sampled_from(["\n", "\r\n"]),
)
def test_columns_read_like_rows(
    tmp_path: Path, extra: list[str], changes: dict[int, dict[str, str]], end: str
) -> None:
    """Property: whatever the table holds, the public reading (columns where it can) and the
    row-by-row reading give the same instance, or the same located messages."""
    header = [c for c in _plain(0) if c not in extra] + extra
    for row in changes.values():
        header += [c for c in row if c not in header]
    path = _write(tmp_path, header, _table(header, changes), end=end)
    _same(_loaded(path), _by_rows(path))


def test_a_plain_table_is_read_by_columns(tmp_path: Path) -> None:
    header = list(_plain(0))
    path = _write(tmp_path, header, _table(header, {}))
    text = (tmp_path / "lines.csv").read_text()
    lines = csvlines.read_lines(tmp_path / "lines.csv", text, "bn_krw")
    assert lines is not None
    assert lines[0].max == {2026: 10.0, 2027: 20.0}
    assert lines[1].max == {2026: 11.0}
    assert lines[5].groups == ["g", "h"]
    assert lines[1].model_fields_set == {
        "id",
        "name",
        "pillar",
        "impact",
        "min",
        "max",
        "new",
        "yields",
    }
    assert lines[1].yields == {"gpus": 0.25}
    assert lines[0].yields == {}
    assert "yields" not in lines[0].model_fields_set
    _same(_loaded(path), _by_rows(path))


def test_lines_given_the_same_fields_share_one_set_that_nothing_changes(tmp_path: Path) -> None:
    """Lines given the same fields share their fields-given set (memory: a few dozen kinds
    among thousands of lines); a copy with changes gets its own, the others stay as they were."""
    header = list(_plain(0))
    _write(tmp_path, header, _table(header, {}))
    text = (tmp_path / "lines.csv").read_text()
    lines = csvlines.read_lines(tmp_path / "lines.csv", text, "bn_krw")
    assert lines is not None
    same = [ln for ln in lines if ln.model_fields_set == lines[1].model_fields_set]
    assert len(same) > 1
    assert len({id(ln.model_fields_set) for ln in same}) == 1
    before = set(lines[1].model_fields_set)
    changed = same[0].model_copy(update={"leverage": 1.0})
    assert "leverage" in changed.model_fields_set
    assert all(ln.model_fields_set == before for ln in same)
    with pytest.raises(ValueError, match="frozen"):
        same[0].impact = 2.0
    assert all(ln.model_fields_set == before for ln in same)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pillar": "c"}, "row 32 (L-030), column pillar"),
        ({"min": "50"}, "min 50 is above max 40 in 2026"),
        ({"id": "L-007"}, "id 'L-007' is used 2 times"),
        ({"id": "l-007"}, "differ only in case"),
        ({"requires": "L-999"}, "no such line"),
        ({"yields.gpus": "1e-12"}, "below 1e-09 in size"),
        ({"impact": "x"}, "row 32 (L-030), column impact"),
    ],
)
def test_a_problem_is_located_as_the_rows_locate_it(
    tmp_path: Path, change: dict[str, str], message: str
) -> None:
    header = [*_plain(0), "requires"]
    path = _write(tmp_path, header, _table(header, {30: change}))
    fast, slow = _loaded(path), _by_rows(path)
    assert isinstance(fast, str)
    assert message in fast
    assert fast == slow


def test_files_of_other_shapes_fall_back_to_rows(tmp_path: Path) -> None:
    """Quoted cells, spaces around commas, blank lines: the `csv` module reads them."""
    header = list(_plain(0))
    rows = _table(header, {3: {"name": "Line, with a comma"}})
    path = _write(tmp_path, header, rows)
    text = (tmp_path / "lines.csv").read_text()
    spaced = text.replace(",", " , ").replace('" , "', '","') + "\n\n"
    for body in (text, spaced, text.replace("\n", "\n\n")):
        (tmp_path / "lines.csv").write_text(body)
        _same(_loaded(path), _by_rows(path))
    assert isinstance(_loaded(path), Instance)


TEXTS = st.text(
    st.sampled_from(
        [
            *["a", "B", "é", "\u0301", " ", "\t", "\x00", "\u00a0", "ǅ", "ß", "-", "\x1c"],
            *["한", "\u1112", "\u1161", "\u11ab", "\u3000", "\u202e", "\u0085", "\n"],
        ]
    ),
    max_size=5,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(TEXTS, max_size=6))
def test_keys_of_many_texts_are_their_keys(texts: list[str]) -> None:
    assert names.keys(texts) == [names.key(t) for t in texts]
    pairs = [(f"x[{i}]", t) for i, t in enumerate(texts)]
    clashes = bool(names.spelling_clashes(pairs, "name"))
    assert names.clashing(texts) is clashes


LINE_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "pillar": st.sampled_from(["a", "b", "c", {"a": 0.5, "b": 0.5}, {"a": 0.3, "b": 0.3}]),
        "region": st.sampled_from(["r1", "r2"]),
        "min": st.sampled_from([0.0, 5.0, 50.0, {2026: 5.0}, {2026: 50.0, 2030: 1.0}, {}]),
        "max": st.sampled_from([10.0, 3, {2026: 10.0}, {2027: 1.0}, {2031: 4.0}, {}]),
        "integer": st.booleans(),
        "unit_cost": st.sampled_from([0.0, 2.0]),
        "span": st.sampled_from([None, 2]),
        "max_starts": st.sampled_from([None, 1]),
        "yields": st.sampled_from([{}, {"gpus": 1.0}, {"nope": 1.0}]),
        "requires": st.sampled_from([[], ["L0"], ["L1"], ["L9"]]),
        "requires_any": st.sampled_from([[], ["L0"], ["L9"]]),
        "delivers": st.sampled_from([{}, {"gpus": {2026: 1.0}}, {"gpus": {2040: 1.0}}]),
        "profile": st.sampled_from([None, {0: 1.0}, {2026: 1.0}]),
        "min_scale": st.sampled_from([0.0, 0.5]),
        "max_scale": st.sampled_from([None, 1.0]),
        "value": st.sampled_from([0.0, 2.0]),
        "returns": st.sampled_from([{}, {1: 0.5}, {0: 0.5}]),
        "schedule": st.sampled_from([None, 5.0]),
        "curve": st.sampled_from([None, [(0.0, 0.0), (1.0, 1.0)]]),
        "impact": st.sampled_from([0.0, 1.0]),
        "uses": st.sampled_from([{}, {"staff": 1.0}]),
        "needs": st.sampled_from([{}, {"staff": {2026: 1.0}}]),
    },
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_FIELDS, min_size=1, max_size=6), st.booleans())
def test_lines_checked_at_once_report_what_line_by_line_reports(
    fields: list[dict[str, Any]], twice: bool
) -> None:
    """`reference_problems` words the problems of the lines `_suspects` picks: exactly the
    problems of every line, in the same order."""
    lines = [
        Line.model_construct(id=f"L{i}", name=f"Line {i}", **{"pillar": "a", **f})
        for i, f in enumerate(fields)
    ]
    if twice:
        lines.append(lines[0])
    inst = Instance.model_construct(
        name="t",
        years=[2026, 2027],
        pillars=[Pillar.model_construct(id=p, name=p) for p in "ab"],
        regions=[Region.model_construct(id="r1", name="r1")],
        kpis=[Kpi.model_construct(id="gpus", name="GPUs")],
        lines=lines,
        budget=100.0,
    )
    every = list(range(len(lines)))
    found = references.reference_problems(inst)
    original = references._suspects
    try:
        references._suspects = lambda *args: every
        expected = references.reference_problems(inst)
    finally:
        references._suspects = original
    assert found == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(TEXTS, st.sampled_from(["x", " x", "x ", "a\nb", "", 3])), max_size=5))
def test_a_column_of_text_reads_as_each_text_alone(values: list[Any]) -> None:
    def alone() -> list[Any] | None:
        try:
            return [columns._plain_text(v) for v in values]
        except columns._SlowError:
            return None

    try:
        together: list[Any] | None = columns._text(values)
    except columns._SlowError:
        together = None
    assert together == alone()


@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.from_regex(r"[0-9.eE+\-]{1,8}", fullmatch=True),
            st.sampled_from(["1_0", " 1", "inf", "nan", "١", "1\n2", "", "1e400"]),
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
def test_a_column_of_numbers_reads_as_each_number_alone(values: list[str], signed: bool) -> None:
    """`_decimals` reads a column only where each value alone is a plain number (`_NUMBER`, or
    unsigned `_AMOUNT`), and reads each as `float` does."""
    pattern = columns._NUMBER if signed else columns._AMOUNT
    read = columns._decimals(values, signed=signed)
    if all(pattern.fullmatch(v) for v in values):
        assert read == [float(v) for v in values]
    else:
        assert read is None
