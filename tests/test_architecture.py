"""The architecture holds: a rule kind is one declared unit (schema class, builder, check, units),
the package refuses to load when a kind lacks a part, imports form no cycle, `import allocator`
stays light, and modules stay short."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

import allocator
from allocator.check import CORE_CHECKS
from allocator.formulation import CORE_RULES, build
from allocator.schema.scenario import Scenario, apply_scenario
from tests.helpers import ROOT, run, tiny
from tests.test_registry import EVERY_FEATURE, EVERY_RULE

SRC = ROOT / "src" / "allocator"
HEAVY = ("pyomo", "highspy", "scipy")


def test_every_core_rule_has_a_check_of_the_same_name() -> None:
    assert set(CORE_RULES) <= set(CORE_CHECKS)
    extra = set(CORE_CHECKS) - set(CORE_RULES)
    assert extra == {"carryover"} - set(CORE_RULES), extra


def test_every_row_declares_its_unit() -> None:
    inst = allocator.Instance.model_validate(EVERY_FEATURE)
    built = build(inst, allocator.ModelSpec.model_validate(EVERY_RULE))
    kpi_units = {k.unit for k in inst.kpis}
    resource_units = {r.unit for r in inst.resources}
    allowed = {"money", "lines", "units", "points", "level points", *kpi_units, *resource_units}
    units = {row.name: row.unit for row in built.rows.values()}
    assert units
    assert {u for u in units.values()} <= allowed, units
    assert units["group_share_min[g,2026]"] == "money"
    assert units["cardinality[g]"] == "lines"


def _copy_without(tmp_path: Path, module: str, decorator: str) -> Path:
    """A copy of the package with one registration line removed."""
    copy = tmp_path / "src" / "allocator"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__"))
    path = copy / module
    text = path.read_text(encoding="utf-8")
    assert decorator in text
    path.write_text(text.replace(decorator + "\n", ""), encoding="utf-8")
    return copy.parent


@pytest.mark.parametrize(
    ("module", "decorator", "imported", "says"),
    [
        ("check/policy.py", '@check("ramp")', "allocator", "without a check: ['ramp']"),
        (
            "formulation/policy_rules.py",
            '@policy_rule("group_total")',
            "allocator.formulation",
            "group_total",
        ),
    ],
)
def test_a_rule_kind_missing_a_part_refuses_to_load(
    tmp_path: Path, module: str, decorator: str, imported: str, says: str
) -> None:
    src = _copy_without(tmp_path, module, decorator)
    proc = subprocess.run(
        [sys.executable, "-c", f"import {imported}"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert proc.returncode != 0
    assert says in proc.stderr, proc.stderr


def test_no_import_cycles() -> None:
    """No module reaches itself through the modules it imports at run time (function-local
    imports count; imports for type hints only do not)."""
    graph = grimp.build_graph("allocator", exclude_type_checking_imports=True)
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != module and graph.chain_exists(importer=imported, imported=module):
                cycles.append(f"{module} <-> {imported}")
    assert not cycles, cycles


START_UP = (
    "numpy",
    "pandas",
    "matplotlib",
    "openpyxl",
    "allocator.results",
    "allocator.report.text",
    "allocator.report.workbook",
    "allocator.report.html",
    "allocator.explain",
)
"""Not needed to import the package or to check a file: arrays, tables, charts, workbooks,
reports."""


@pytest.mark.parametrize(
    "code",
    [
        "import allocator",
        "from allocator.cli import main; main(['validate', 'instances/korea-2026.yaml'])",
        "from allocator.cli import main; main(['validate', 'instances/korea-2026-2030.yaml'])",
        "from allocator.cli import main; main(['schema', 'model'])",
    ],
)
def test_start_up_loads_no_solver(code: str) -> None:
    """`import allocator`, `allocator validate` and `allocator schema` load no solver (Pyomo,
    HiGHS, SciPy) and none of the table, chart, workbook or report modules."""
    unwanted = {*HEAVY, *START_UP}
    check = (
        f"import sys; {code}; loaded = {unwanted!r} & set(sys.modules); assert not loaded, loaded"
    )
    _python(check)


@pytest.mark.parametrize(
    "code",
    [
        "import allocator; res = allocator.solve('instances/korea-2026.yaml'); "
        "assert res.verified; res.allocation; res.pillars",
        "import allocator; res = allocator.solve('instances/korea-2026-2030.yaml'); "
        "assert res.verified",
        "from allocator.cli import main; main(['solve', 'instances/korea-2026.yaml'])",
    ],
)
def test_a_solve_with_highs_loads_no_pyomo(code: str) -> None:
    """The HiGHS path makes no Pyomo model (nothing asked for one) and needs no SciPy or
    matplotlib: a plain solve, its tables and the CLI's solve leave them unimported."""
    unwanted = {"pyomo", "scipy", "matplotlib"}
    check = (
        "import sys, warnings; warnings.simplefilter('ignore'); "
        f"{code}; loaded = {unwanted!r} & set(sys.modules); assert not loaded, loaded"
    )
    _python(check)


SOLVE = "from allocator.cli import main; main(['solve', 'instances/{}'{}])"


@pytest.mark.parametrize(
    ("code", "pandas"),
    [
        (SOLVE.format("korea-2026-2030.yaml", ""), False),
        (SOLVE.format("korea-2026.yaml", ", '--lang', 'ko'"), False),
        (SOLVE.format("toy.yaml", ", '--format', 'json'"), True),
        ("import allocator; allocator.solve('instances/toy.yaml')", True),
    ],
)
def test_pandas_is_loaded_while_highs_runs_unless_only_text_is_wanted(
    code: str, pandas: bool
) -> None:
    """The split as text (targets and their reach included) needs no table: `allocator solve`
    leaves pandas and pyarrow unloaded (0.3 s of CPU, 70 MiB). A solve through the API, or for
    JSON, loads pandas while HiGHS runs, for the tables that come next."""
    check = (
        "import sys, warnings; warnings.simplefilter('ignore'); "
        f"{code}; print(sorted({{'pandas', 'pyarrow'}} & set(sys.modules)), file=sys.stderr)"
    )
    loaded = _python(check).stderr.strip().splitlines()[-1]
    assert loaded == ("['pandas', 'pyarrow']" if pandas else "[]")


def test_at_exit_the_objects_left_are_frozen_before_the_last_collections() -> None:
    """A process that imported allocator freezes what is alive at exit (`gc.freeze`), so the
    interpreter's final garbage collections do not walk it; a handler registered before the
    import runs after allocator's (last in, first out) and sees the objects frozen."""
    code = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "import allocator\n"
        "res = allocator.solve('instances/korea-2026.yaml')\n"
        "print('solved', res.verified)\n"
    )
    assert _python(code).stdout.split() == ["solved", "True", "frozen", "True"]


def test_allocator_solve_sets_its_instance_and_answer_aside_from_the_collector() -> None:
    """`allocator solve` reads and solves with the cycle collector off, then sets what is alive
    aside (`gc.freeze`: the instance, model and answer live as long as the command) while the
    text is made, and gives it back to the collector when `main` returns."""
    code = (
        "import gc, sys\n"
        "import allocator.report.text as text\n"
        "made = text.table\n"
        "def table(*args, **kwargs):\n"
        "    print('text', gc.get_freeze_count() > 10_000, gc.isenabled(), file=sys.stderr)\n"
        "    return made(*args, **kwargs)\n"
        "text.table = table\n"
        "from allocator.cli import main\n"
        "code = main(['solve', 'instances/toy.yaml'])\n"
        "print('after', code, gc.get_freeze_count(), gc.isenabled(), file=sys.stderr)\n"
    )
    said = _python(code).stderr.split()
    assert said[-7:] == ["text", "True", "True", "after", "0", "0", "True"]


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """`code` run by a fresh interpreter in the project's folder, warnings off; it must exit 0."""
    proc = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_no_module_is_longer_than_about_500_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long, long


def test_a_group_total_is_priced_in_money() -> None:
    """A floor of 50 on y's group moves 50 from x (3 a won) to y (1 a won): each won of the floor
    costs 2 points, and the price is per money, not per line."""
    lines = [{**tiny()["lines"][0]}, {**tiny()["lines"][1], "groups": ["h"]}]
    res = run(tiny(lines=lines), [{"rule": "group_total", "group": "h", "min": 50}])
    prices = res.shadow_prices().set_index("rule")
    row = prices.loc["group_min[h,2026]"]
    assert row.unit == "money"
    assert row.shadow_price == pytest.approx(-2)
    assert "lines" not in row.sentence


def test_scenario_paths_reach_any_rule_kind_by_its_subject() -> None:
    inst = allocator.Instance.model_validate(
        tiny(regions=[{"id": "r2", "name": "R2"}], lines=[{**tiny()["lines"][0], "region": "r2"}])
    )
    model = allocator.ModelSpec.model_validate(
        {"name": "m", "rules": [{"rule": "group_total", "region": "r2", "min": 10}]}
    )
    scenario = Scenario(name="s", changes={"rules.group_total.r2.min": 20})
    _, changed, changes = apply_scenario(inst, model, scenario)
    assert changed.rules[0].min == 20  # type: ignore[attr-defined]
    assert changes[0].before == 10
