"""Reading fast without reading differently: libyaml's C loader beside PyYAML's own (the same
files accepted, the same refused with the same located messages), and large tables validated a
column at a time giving the same `Instance` as one pydantic object per row."""

from __future__ import annotations

import itertools
import time
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

import allocator
from allocator.schema import columns, files
from allocator.schema.columns import MIN_ROWS, fast_lines
from allocator.schema.files import LOADERS, load_yaml_text
from allocator.schema.instance import Line
from allocator.schema.load import read_table
from allocator.schema.money import currency_unit, parse_money
from allocator.schema.provenance import covers
from tests.catalogue_safety import BOMB, DEEP

ROOT = Path(__file__).resolve().parent.parent
C_ONLY = pytest.mark.skipif("c" not in LOADERS, reason="PyYAML built without libyaml")


def test_libyaml_is_the_loader_where_present() -> None:
    assert ("c" if yaml.__with_libyaml__ else "python") == files.LOADER
    assert "python" in LOADERS


@C_ONLY
def test_the_c_loader_itself_refuses_an_alias_bomb_fast() -> None:
    """Not through the fallback: libyaml's loader counts the aliases before constructing."""
    started = time.perf_counter()
    with pytest.raises(yaml.composer.ComposerError, match="at most 100,000 values may come"):
        yaml.load(BOMB, Loader=LOADERS["c"])
    assert time.perf_counter() - started < 1.0


@C_ONLY
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: {b: 1, b: 2}\n", "key 'b' is given twice in this mapping (first at line 1)"),
        ("a: " + "[" * 70 + "]" * 70 + "\n", "more than 64 levels"),
        (DEEP, "exceeded maximum nesting depth"),  # libyaml's own limit, at 1,000 levels
        ("n: " + "1" * 5000 + "\n", "a whole number with 5,000 digits"),
        (
            "a: &x [1]\nb: &y [*x, *x]\nc: [*y, *y, *y]\n" + "d: " + "[" * 63 + "*y" + "]" * 63,
            "followed through its aliases, the file nests more than 64 levels deep",
        ),
    ],
)
def test_the_c_loader_itself_refuses_what_pyyaml_refuses(text: str, problem: str) -> None:
    with pytest.raises(yaml.YAMLError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        yaml.load(text, Loader=LOADERS["c"])


@pytest.mark.parametrize(
    "text",
    [
        "a: &d {p: 1, q: 2}\nb: {<<: *d, q: 3}\nc: [*d, *d]\n",
        "budget: {2026: 1.5, '2027': 2, 02028: 3}\nx: 1_000\ny: 0x1f\nz: 1e3\nw: .5\n",
        "t: 2026-01-01\nb: [yes, no, on, off, true, False]\nn: ~\ns: '12.0'\n",
        "k: !!str 12\nv: !!float 3\nm: |\n  two\n  lines\n",
    ],
)
def test_both_loaders_read_the_same_values(text: str) -> None:
    read = {name: load_yaml_text(text, name) for name in LOADERS}
    assert all(value == read["python"] for value in read.values())
    assert all(repr(value) == repr(read["python"]) for value in read.values())


@pytest.mark.parametrize("name", ["korea-2026.yaml", "korea-2026-2030.yaml", "toy.yaml"])
def test_both_loaders_load_the_same_instances(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = {}
    for loader in sorted(LOADERS):
        monkeypatch.setattr(files, "LOADER", loader)
        loaded[loader] = allocator.load_instance(ROOT / "instances" / name)
    assert all(inst == loaded["python"] for inst in loaded.values())


# -- the lines table, column by column ------------------------------------------------------------

LINES = TypeAdapter(list[Line])


def _by_pydantic(rows: list[dict[str, Any]], unit: str) -> list[Line] | None:
    with currency_unit(unit):
        try:
            return LINES.validate_python(rows)
        except ValidationError:
            return None


def _same(fast: list[Line], slow: list[Line]) -> None:
    assert fast == slow
    for a, b in zip(fast, slow, strict=True):
        assert a.__dict__ == b.__dict__
        assert repr(a.__dict__) == repr(b.__dict__)  # 1 and 1.0, key order and kinds alike
        assert a.model_fields_set == b.model_fields_set
        assert a.model_dump() == b.model_dump()


def _row(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"L{i}", "name": f"Line {i}", "pillar": "a", **fields}


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**16),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        ["12.0", "1e3", "-3", "+2", " 4", "1,500", "3조", "1e400", "nan", "0", "1e-12", "x", ""]
    ),
    st.sampled_from([10**15, 10**20, 1e-10, 1e-9, 2e-9, 9.9e14, 1e15, -0.0]),
)
FIELDS = st.sampled_from(
    ["impact", "private_impact", "leverage", "min", "max", "unit_cost", "new", "select", "name"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(FIELDS, VALUES), max_size=6),
    st.dictionaries(st.sampled_from([2026, "2027", "02028", 2028, "x"]), VALUES, max_size=3),
    st.dictionaries(st.sampled_from(["gpus", "GPUS", "staff", " staff"]), VALUES, max_size=2),
    st.sampled_from(["bn_krw", "krw", "m_usd", "eur"]),
)
def test_column_reading_accepts_only_what_pydantic_accepts_and_reads_it_alike(
    cells: list[tuple[str, Any]], years: dict[Any, Any], yields: dict[str, Any], unit: str
) -> None:
    """Property: where the fast reading gives lines, pydantic gives the same lines (values,
    kinds, fields given); where pydantic refuses a row, the fast reading leaves it to pydantic."""
    rows = [_row(i, impact=float(i)) for i in range(MIN_ROWS)]
    rows[3] = {**_row(3), **dict(cells), "min": years, "yields": yields}
    _read_as_pydantic_reads(rows, unit)


def _read_as_pydantic_reads(rows: list[dict[str, Any]], unit: str) -> None:
    """Where the column reading gives lines, they are pydantic's; where pydantic refuses the
    rows, the column reading gives none (the table is left to pydantic)."""
    fast, slow = fast_lines(rows, unit), _by_pydantic(rows, unit)
    if slow is None:
        assert fast is None
    elif fast is not None:
        _same(fast, slow)


def test_plain_tables_take_the_fast_reading() -> None:
    rows = [
        _row(
            i,
            new=i % 2 == 0,
            min={2026: 1, "2027": "2.5"},
            max="40",
            impact="1e3",
            leverage=0.5,
            yields={"gpus": "0.25"},
            groups=["g", "h"],
            unit_cost=None,
            name_ko="선",
        )
        for i in range(MIN_ROWS)
    ]
    fast = fast_lines(rows, "bn_krw")
    assert fast is not None
    assert fast[0].min == {2026: 1.0, 2027: 2.5}
    assert fast[0].max == 40.0
    assert fast[1].new is False
    slow = _by_pydantic(rows, "bn_krw")
    assert slow is not None
    _same(fast, slow)


@pytest.mark.parametrize(
    "change",
    [
        {"max": "3조"},  # money with a unit
        {"span": "1e3"},  # not digits
        {"delivers": {"gpus": {2028: 1, "02028": 2}}},  # a year twice
        {"min": {2026: 1, "02026": 2}},  # a year twice: pydantic names both spellings
        {"yields": {"gpus": 1, "GPUS": 2}},
    ],
)
def test_anything_else_goes_to_pydantic(change: dict[str, Any]) -> None:
    rows = [_row(i) for i in range(MIN_ROWS)]
    rows[7] = {**rows[7], **change}
    assert fast_lines(rows, "bn_krw") is None


def _every_instance() -> list[Path]:
    return sorted((ROOT / "instances").rglob("*.yaml"))


@pytest.mark.parametrize("path", _every_instance(), ids=lambda p: p.name)
def test_instances_load_alike_either_way(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every shipped instance (whatever its size) loads to the same `Instance` through the
    column reading as through pydantic alone."""
    if "models" in path.parts:
        return
    monkeypatch.setattr(columns, "MIN_ROWS", 10**9)
    slow = allocator.load_instance(path)
    monkeypatch.setattr(columns, "MIN_ROWS", 0)
    fast = allocator.load_instance(path)
    assert fast == slow
    _same(list(fast.lines), list(slow.lines))


# -- provenance: which source covers a figure -----------------------------------------------------


def _covers_by_fnmatch(about: str, path: str) -> bool:
    """The rule as written before: the path, or any part of it up to a dot, matches the glob."""
    parts = [path[:i] for i, ch in enumerate(path) if ch == "."]
    return about == path or any(fnmatchcase(p, about) for p in [path, *parts])


PATH_PARTS = st.sampled_from(["lines", "x", "INF-01", "max", "2026", "yields", "gpus", "budget"])
GLOB_PARTS = st.sampled_from(["*", "?", "[ab]", "[!x]", "lines", "x*", "*.max", "20??", "."])


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.one_of(PATH_PARTS, GLOB_PARTS), min_size=1, max_size=4).map("".join),
    st.lists(PATH_PARTS, min_size=1, max_size=4).map(".".join),
)
def test_a_source_covers_what_fnmatch_says(about: str, path: str) -> None:
    assert covers(about, path) == _covers_by_fnmatch(about, path)


@pytest.mark.parametrize(
    ("about", "path", "covered"),
    [
        ("lines.*.max", "lines.x.max.2026", True),
        ("lines.*.max", "lines.x.min", False),
        ("lines.x", "lines.x.max", True),
        ("lines.x", "lines.xy", False),
        ("lines.INF-0[12]", "lines.INF-02.impact", True),
        ("budget.20??", "budget.2026", True),
        ("budget.20??", "budget.20261", False),
    ],
)
def test_a_source_covers_its_path_and_below(about: str, path: str, covered: bool) -> None:
    assert covers(about, path) is covered


def test_the_cycle_collector_is_back_after_reading(tmp_path: Path) -> None:
    import gc

    allocator.load_instance(ROOT / "instances" / "toy.yaml")
    assert gc.isenabled()
    (tmp_path / "bad.yaml").write_text("name: x\nname: y\n")
    with pytest.raises(allocator.InputError, match="given twice"):
        allocator.load_instance(tmp_path / "bad.yaml")
    assert gc.isenabled()
    gc.disable()
    try:
        allocator.load_instance(ROOT / "instances" / "toy.yaml")
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_a_flow_style_alias_bomb_is_refused_fast(loader: str) -> None:
    """Anchors right after `[` and `,` (no space), in a file that also says R&D in words."""
    lines = ["note: R&D", "a0: [&x0 lol,lol]"]
    lines += [f"a{i}: [&x{i} [*x{i - 1},*x{i - 1},*x{i - 1},*x{i - 1}]]" for i in range(1, 12)]
    started = time.perf_counter()
    with pytest.raises(yaml.YAMLError, match="an alias bomb"):
        load_yaml_text("\n".join(lines), loader)
    assert time.perf_counter() - started < 2.0


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"[0-9]{1,17}(\.[0-9]{0,17})?([eE][+-]?[0-9]{1,2})?", fullmatch=True),
    st.sampled_from(["bn_krw", "krw", "eok_krw", "m_usd", "eur"]),
)
def test_plain_amounts_read_exactly_as_parse_money_reads_them(text: str, unit: str) -> None:
    """Money read a column at a time is the float `parse_money` gives (the decimal rounded once,
    to the nearest float), or is left to `parse_money` (near or past its bounds)."""
    try:
        (fast,) = columns._money_reader(unit)([text])
    except columns._SlowError:
        return
    with currency_unit(unit):
        assert fast == parse_money(text)


def test_lines_read_a_column_at_a_time_pickle_and_copy_like_any(tmp_path: Path) -> None:
    """A table of `MIN_ROWS` lines in a CSV file takes the column reading; the instance it gives
    survives pickling (worker processes), copying and `model_copy` unchanged."""
    import copy
    import pickle

    rows = ["id,name,pillar,impact,max,max.2027,yields.gpus"]
    rows += [f"L{i},Line {i},a,{i % 7}.5,40,{i},0.25" for i in range(MIN_ROWS)]
    (tmp_path / "lines.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "i.yaml").write_text(
        "name: t\nyears: [2026, 2027]\npillars: [{id: a, name: A}]\nbudget: 1000\n"
        "kpis: [{id: gpus, name: GPUs}]\nlines: lines.csv\n"
    )
    with pytest.raises(allocator.InputError, match=r"leave either max or max\.2027 blank"):
        allocator.load_instance(tmp_path / "i.yaml")
    (tmp_path / "lines.csv").write_text("\n".join(r.replace(",40,", ",,") for r in rows) + "\n")
    assert fast_lines(read_table(tmp_path / "lines.csv"), "bn_krw") is not None
    inst = allocator.load_instance(tmp_path / "i.yaml")
    assert inst.lines[3].max == {2027: 3.0}
    assert inst.lines[3].impact == 3.5
    assert inst.lines[3].yields == {"gpus": 0.25}
    assert pickle.loads(pickle.dumps(inst)) == inst
    assert copy.deepcopy(inst) == inst
    assert inst.lines[0].model_copy(update={"impact": 2.0}).impact == 2.0


def _walk(root: yaml.Node | None) -> tuple[int, bool]:
    """The nodes a composed graph holds, and whether it reaches any of them twice (only an alias
    makes it so)."""
    seen: set[int] = set()
    shared = False
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]
    return len(seen), shared


@C_ONLY
@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "- &x [1]\n- *x\n",
        "[&x 1,*x]\n",
        '{"a":&x 1,"b":*x}\n',
        "? &x k\n: *x\n",
        "&x a: b\nc: *x\n",
        "a: &x\n  p: 1\nb:\n  <<: *x\n",
        "\ufeffa: &x 1\nb: *x\n",
        "a:\t&x-1 1\nb:\t*x-1\n",
        "a: !!str &x v\nb: *x\n",
    ],
)
def test_every_alias_libyaml_takes_is_seen_before_reading(text: str) -> None:
    """A file whose aliases share a node gets the expansion check (an alias bomb is refused)."""
    assert _walk(yaml.compose(text, Loader=LOADERS["c"]))[1]
    assert files.may_share_nodes(text)


def test_ampersands_and_stars_in_words_are_text() -> None:
    """`R&D`, `a & b`, `0.2 * (x)` hold no anchor: such a file is read without the alias walk."""
    text = "name: AI R&D infrastructure & research\nexpr: infra >= 0.2 * (infra + ax)\n"
    assert not files.may_share_nodes(text)
    assert load_yaml_text(text)["expr"] == "infra >= 0.2 * (infra + ax)"


@C_ONLY
def test_no_text_libyaml_reads_with_a_shared_node_goes_unflagged() -> None:
    """An anchor and an alias in every combination of the places a token may start: each text
    libyaml composes into a graph that shares a node is flagged (hundreds do)."""
    before = ["", "\ufeff", "a: ", "a:\t", "- ", "? ", "[", "[1,", "[1, ", "{a: ", '{"a":']
    before += ["a: !!str ", "- - ", "a:\n  b: ", "--- ", "a: [", "a: {b: "]
    anchored = ["&x 1", "&x-1 1", "&x [1]", "&x {p: 1}", "&x\n  p: 1"]
    between = ["", ",", ", ", "\n", "\nb: ", "\n- ", "]\nb: ", "}\nb: ", ",b:", ", b: "]
    between += [',"b":', "\n? ", "\nb:\t", "\nb:\n  <<: ", "]\n- ", ", [", "\n  c: "]
    after = ["", "]", "}", "\n", "]]", "}}", "]}", "\n: v"]
    shared = 0
    for parts in itertools.product(before, anchored, between, after):
        text = parts[0] + parts[1] + parts[2] + "*x" + parts[3]
        try:
            root = yaml.compose(text, Loader=LOADERS["c"])
        except yaml.YAMLError:
            continue
        if _walk(root)[1]:
            shared += 1
            assert files.may_share_nodes(text), text
    assert shared > 300


@settings(max_examples=500, deadline=None)
@given(
    st.from_regex(r"[0-9]{1,17}(\.[0-9]{0,17})?", fullmatch=True),
    st.sampled_from(["bn_krw", "krw", "eok_krw", "m_usd", "eur"]),
)
def test_money_text_read_at_once_is_what_the_full_reading_gives(text: str, unit: str) -> None:
    """Plain digits in a cell (`1800`, `75.2`) are read by `float` at once; with a space in
    front they take the full reading (sign, units, commas, plausibility): the same float, or
    the same refusal."""
    with currency_unit(unit):
        read: list[float | str] = []
        for given in (" " + text, text):
            try:
                read.append(parse_money(given))
            except ValueError as exc:
                read.append(str(exc))
    assert read[1] == read[0]


def _expanded(node: yaml.Node, holding: frozenset[int] = frozenset()) -> tuple[int, int]:
    """Values and levels of `node` with every alias followed, by expanding it (small graphs
    only); raises RecursionError on an alias to a node that holds it."""
    if id(node) in holding:
        raise RecursionError
    inside = holding | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        kids = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        kids = [part for pair in node.value for part in pair]
    else:
        kids = []
    found = [_expanded(kid, inside) for kid in kids]
    return 1 + sum(n for n, _ in found), 1 + max((d for _, d in found), default=0)


@C_ONLY
@settings(max_examples=200, deadline=None)
@given(
    levels=st.integers(1, 5),
    fan=st.integers(1, 4),
    scalar_anchor=st.booleans(),
    loop=st.booleans(),
    depth_limit=st.integers(2, 8),
)
def test_the_alias_count_is_what_expanding_the_file_gives(
    levels: int, fan: int, scalar_anchor: bool, loop: bool, depth_limit: int
) -> None:
    """Chains of aliases (each level `fan` copies of the one before, a shared scalar, maybe a
    loop), counted without expanding: a loop is refused; else the file is refused exactly when
    expanding it nests deeper than the limit, and the values its aliases add are counted
    exactly (accepted at that many, refused at one fewer)."""
    lines = [f"s: {'&v ' if scalar_anchor else ''}word", "a0: &x0 [1, {k: 2}]"]
    for i in range(1, levels + 1):
        refs = ", ".join([f"*x{i - 1}"] * fan + (["*v"] if scalar_anchor else []))
        lines.append(f"a{i}: &x{i} [{refs}]")
    if loop:
        lines.append("z: &z [1, {again: *z}]")
    root = yaml.compose("\n".join(lines) + "\n", Loader=LOADERS["c"])
    assert root is not None
    with pytest.MonkeyPatch.context() as limits:
        limits.setattr(files, "MAX_DEPTH", depth_limit)
        if loop:
            with pytest.raises(yaml.YAMLError, match="a loop"):
                files._check_expansion(root)
            return
        values, deep = _expanded(root)
        added = values - _walk(root)[0]
        limits.setattr(files, "MAX_ALIAS_NODES", added)
        if deep > depth_limit:
            with pytest.raises(yaml.YAMLError, match="levels deep"):
                files._check_expansion(root)
            return
        files._check_expansion(root)
        limits.setattr(files, "MAX_ALIAS_NODES", added - 1)
        with pytest.raises(yaml.YAMLError, match="an alias bomb"):
            files._check_expansion(root)
