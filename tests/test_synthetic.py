"""The synthetic generator: deterministic, valid, feasible by construction; the benchmark's
independent routes (raw highspy, linopy) agree with allocator on its cases."""

from __future__ import annotations

import importlib
import importlib.util
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allocator
from allocator.schema import check_model
from allocator.synthetic import KPIS, PILLARS, synthetic_case
from benchmarks import bench, routes


def _validated(lines: int, years: int, **kw: Any) -> tuple[allocator.Instance, allocator.ModelSpec]:
    inst, model = synthetic_case(lines, years, **kw)
    instance = allocator.Instance.model_validate(inst)
    spec = allocator.ModelSpec.model_validate(model)
    check_model(spec, instance)
    return instance, spec


def test_same_seed_same_case() -> None:
    assert synthetic_case(300, 3, mip=True, seed=7) == synthetic_case(300, 3, mip=True, seed=7)
    assert synthetic_case(300, 3, seed=7) != synthetic_case(300, 3, seed=8)
    assert synthetic_case(300, 3, seed=7) != synthetic_case(300, 3, mip=True, seed=7)


@pytest.mark.parametrize(
    ("lines", "years", "mip"), [(4, 1, False), (100, 1, True), (2000, 5, True)]
)
def test_valid_at_every_shape(lines: int, years: int, mip: bool) -> None:
    inst, spec = _validated(lines, years, mip=mip)
    assert len(inst.lines) == lines
    assert inst.years == list(range(2026, 2026 + years))
    assert [p.id for p in inst.pillars] == [p for p, _ in PILLARS]
    assert {line.pillar for line in inst.lines} == {p for p, _ in PILLARS}
    assert len(inst.kpis) == len(KPIS)
    assert inst.targets
    assert len({line.id for line in inst.lines}) == lines
    kinds = Counter(rule.rule for rule in spec.rules)
    assert kinds["pillar_share"] == len(PILLARS)
    assert kinds["new_initiative_share"] == 1
    assert kinds["ramp"] == (1 if years > 1 else 0)
    assert all(inst.pool_in(y) > 0 for y in inst.years)
    assert any(line.leverage > 0 for line in inst.lines)
    if mip and lines >= 100:
        assert kinds["cardinality"] >= 1
        assert any(line.select for line in inst.lines)
        assert any(line.integer and line.unit_cost for line in inst.lines)
    if not mip:
        assert not any(line.select or line.integer for line in inst.lines)


def test_scales_to_100000_lines() -> None:
    inst, model = synthetic_case(100_000, 5)
    assert len(inst["lines"]) == 100_000
    assert len({line["id"] for line in inst["lines"]}) == 100_000
    # KPI targets stay in a range HiGHS handles without scaling warnings
    assert max(t["value"] for t in inst["targets"]) < 1e6
    assert model["rules"][-1] == {"rule": "ramp", "max_change": 0.3}


def test_rejects_impossible_shapes() -> None:
    with pytest.raises(ValueError, match="one per pillar"):
        synthetic_case(3, 2)
    with pytest.raises(ValueError, match="years"):
        synthetic_case(10, 0)


@pytest.mark.parametrize(
    ("years", "mip", "seed"), [(3, False, 0), (3, True, 0), (1, True, 1), (2, False, 2)]
)
def test_small_cases_solve_optimal_and_verified(years: int, mip: bool, seed: int) -> None:
    res = allocator.solve(*_validated(100, years, mip=mip, seed=seed))
    assert res.status == allocator.Status.optimal
    assert res.verified, res.violations
    if mip:
        assert not res.selected["selected"].all()  # some go/no-go lines are dropped


def test_targets_reachable_when_hard() -> None:
    """The targets sit below the drawn allocation's KPI levels, so hard targets hold too."""
    inst, spec = _validated(100, 3, mip=True, seed=3)
    hard = spec.model_copy(update={"targets": spec.targets.model_copy(update={"mode": "hard"})})
    res = allocator.solve(inst, hard)
    assert res.status == allocator.Status.optimal
    assert res.verified, res.violations


def _route(name: str, inst: dict[str, Any], model: dict[str, Any]) -> dict[str, Any]:
    steps = {
        "raw": routes.raw_steps,
        "linopy": routes.linopy_steps,
        "allocator": routes.allocator_steps,
    }[name](inst, model)
    state: dict[str, Any] = {}
    for _, step in steps:
        step(state)
    return state


@pytest.mark.parametrize("mip", [False, True])
def test_raw_highspy_route_builds_allocators_matrix(mip: bool) -> None:
    inst, model = synthetic_case(60, 3, mip=mip, seed=5)
    raw, ours = _route("raw", inst, model), _route("allocator", inst, model)
    assert raw["size"] == ours["size"]  # columns, rows, nonzeros
    assert raw["objective"] == pytest.approx(ours["objective"], rel=1e-6)
    res = allocator.solve(*_validated(60, 3, mip=mip, seed=5))
    assert raw["objective"] == pytest.approx(res.objective, rel=1e-6)
    # the same tables (the optimum need not be unique, so only their shape is compared)
    allocation, pillars = raw["frames"]
    assert list(allocation.columns) == list(res.allocation.columns)
    assert len(allocation) == len(res.allocation)
    assert list(pillars.columns) == list(res.pillars.columns)
    assert np.allclose(pillars.groupby("year")["share"].sum(), 1.0)


@pytest.mark.parametrize("mip", [False, True])
def test_raw_matrix_is_allocators_entry_for_entry(mip: bool) -> None:
    """The raw route's model is allocator's exactly — every bound, cost, kind and nonzero in the
    same place — so both hand HiGHS the same problem and it walks the same path."""
    from allocator.formulation import build
    from allocator.solver.compile import compile_matrix
    from benchmarks.raw_model import raw_build

    inst, model = synthetic_case(80, 3, mip=mip, seed=5)
    raw = raw_build(routes.read_case(inst, model))
    ours = compile_matrix(build(*_validated(80, 3, mip=mip, seed=5))).arrays
    pairs = [
        (ours.col_cost_, raw.cost),
        (ours.col_lower_, raw.col_lower),
        (ours.col_upper_, raw.col_upper),
        (ours.row_lower_, raw.row_lower),
        (ours.row_upper_, raw.row_upper),
        (ours.a_start, raw.a.indptr),
        (ours.a_index, raw.a.indices),
        (ours.a_value, raw.a.data),
    ]
    for a, b in pairs:
        assert np.array_equal(np.asarray(a), np.asarray(b))
    kinds = np.zeros(len(raw.cost)) if ours.integrality is None else ours.integrality
    assert np.array_equal(np.asarray(kinds, dtype=int), raw.integrality.astype(int))


@pytest.mark.skipif(importlib.util.find_spec("linopy") is None, reason="linopy not installed")
@pytest.mark.filterwarnings("ignore")
def test_linopy_route_agrees() -> None:
    inst, model = synthetic_case(40, 3, mip=True, seed=6)
    linopy, raw = _route("linopy", inst, model), _route("raw", inst, model)
    assert linopy["objective"] == pytest.approx(raw["objective"], rel=1e-6)
    assert linopy["size"] == raw["size"]


def test_bench_writes_its_section_and_keeps_the_others(tmp_path: Path) -> None:
    summary = {
        "read": 0.1, "build": 0.2, "handoff": 0.1, "solve": 1.0, "results": 0.1, "e2e": 1.5,
        "before": 0.4, "outside": 0.5, "peak_mib": 10.0, "objective": 1.0, "objectives": [1.0],
        "status": ["optimal"], "verified": True, "size": (900, 1800, 9000), "runs": 3,
    }  # fmt: skip
    row: dict[str, Any] = {"variant": "lp", "lines": 100, "years": 5}
    row.update({route: dict(summary) for route in bench.ROUTES})
    row["check"] = bench._check(row)
    assert row["check"] == []
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nintro\n\n## Soak\n\nkept\n")
    bench.write_section(bench.section([row], 3, 60.0), doc)
    bench.write_section(bench.section([row], 3, 60.0), doc)  # replaced, not repeated
    text = doc.read_text()
    assert text.count(bench.SECTION) == 1
    assert "## Soak\n\nkept" in text
    assert "1.00×" in text


def test_the_korea_scaling_case_is_the_plan_copied_and_still_solves() -> None:
    """`benchmarks/scaling.py --case korea`: the five-year plan's lines twice over, ids suffixed,
    money and targets doubled — a valid instance whose optimum passes the checker."""
    from benchmarks import scaling

    data, model = scaling.korea(78)
    inst = allocator.Instance.model_validate(data)
    ids = [line.id for line in inst.lines]
    assert len(ids) == 78
    assert "INF-02-1" in ids
    res = allocator.solve(inst, allocator.ModelSpec.model_validate(model))
    assert res.status.value == "optimal"
    assert res.verified


@pytest.mark.parametrize(("mip", "inline"), [(False, False), (True, False), (False, True)])
def test_raw_highs_process_reads_the_files_with_numpy_alone(
    tmp_path: Path, mip: bool, inline: bool
) -> None:
    """`benchmarks/raw_highs.py` (the whole raw process the benchmarks time) reads the lines CSV
    or the inline lines into allocator's optimum, importing neither pandas nor scipy."""
    import json
    import subprocess
    import sys

    import yaml

    from benchmarks import cases

    path = cases.write_case("mip" if mip else "lp", 60, 3, seed=5, folder=tmp_path)
    if inline:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["lines"] = synthetic_case(60, 3, seed=5)[0]["lines"]
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "raw_highs.py"
    probe = (
        "import json, runpy, sys\n"
        f"sys.argv = [{str(script)!r}, {str(path)!r}, '--json']\n"
        f"sys.path.insert(0, {str(script.parent)!r})\n"
        "try:\n"
        f"    runpy.run_path({str(script)!r}, run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'scipy'})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert json.loads(out[-1]) == []
    objective = json.loads(out[-2])["objective"]
    res = allocator.solve(*_validated(60, 3, mip=mip, seed=5))
    assert objective == pytest.approx(res.objective, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 5), st.integers(-3, 3).filter(bool)),
        max_size=40,
    )
)
def test_raw_csc_matrix_is_scipys(entries: list[tuple[int, int, int]]) -> None:
    """The raw route's column-wise matrix (numpy alone) is scipy's `csc_array` of the same
    entries: sorted by column then row, entries at one place summed."""
    from scipy import sparse

    from benchmarks.raw_model import Csc

    r, c, v = (np.array([e[i] for e in entries], dtype=np.int64) for i in range(3))
    ours = Csc.of(r, c, v.astype(float), 6)
    theirs = sparse.csc_array((v.astype(float), (r, c)), shape=(7, 6))
    theirs.sum_duplicates()
    assert ours.indptr.tolist() == theirs.indptr.tolist()
    assert ours.indices.tolist() == theirs.indices.tolist()
    assert ours.data.tolist() == theirs.data.tolist()


def test_whole_reads_the_same_answer_from_the_text_and_the_json(tmp_path: Path) -> None:
    """`benchmarks/whole.py` checks `allocator solve`'s printed objective (nine figures) and
    status against raw's as it checks the JSON's."""
    import subprocess

    whole = importlib.import_module("benchmarks.whole")  # a script: its imports are its folder's

    instance = whole.write_case("lp", 60, 3)
    outs = {}
    for route in ("text", "cli"):
        outs[route] = tmp_path / route
        with outs[route].open("wb") as out:
            command = whole.command(route, instance)
            subprocess.run(command, stdout=out, check=True, cwd=whole.ROOT)
    text, data = whole._text_answer(outs["text"]), whole._cli_answer(outs["cli"])
    assert text["status"] == data["status"] == "optimal"
    assert text["verified"]
    assert data["verified"]
    assert text["objective"] == pytest.approx(data["objective"], rel=1e-8)


def test_whole_writes_tables_with_as_many_cells_in_every_row() -> None:
    whole = importlib.import_module("benchmarks.whole")
    route = {"wall": 1.0, "ratio": 1.0, "peak_mib": 1.0, "mem_ratio": 1.0}
    row = {"variant": "lp", "lines": 10, "years": 5, "size": (1, 2, 3), "raw": dict(route)}
    row |= {r: dict(route) for r in whole.MINE}
    skipped = {"variant": "lp", "lines": 20, "years": 5, "skipped": "skipped: too long"}
    cells = {line.count("|") for line in whole.table_lines([row, skipped])}
    assert len(cells) == 1
