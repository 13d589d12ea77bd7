"""Prioritised goals and relative rules beyond their hand-checked optima (tests/test_rules.py):
the expression parser's errors (column and caret), names resolved against the instance, the
model-file errors for levels, the checker catching a broken held level or relation on its own,
the CLI, and the Korea 2026-2030 priorities model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

import allocator
from allocator import InputError, Status
from allocator.check import verify
from allocator.cli import main
from allocator.schema.expr import ExpressionError, parse
from tests.helpers import ROOT, gov, run, tiny
from tests.test_rules import _two_goals

# -- the expression parser ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("talent * rnd >= 1", 8, "not linear"),
        ("talent >= 0.5 * * rnd", 17, "expected a number, a name or `(`"),
        ("talent > 3", 8, "write >="),
        ("talent >= ", 11, "the end of the expression"),
        ("talent", 7, "no comparison"),
        ("`RND-11 >= 3", 1, "not closed"),
        ("2rnd >= 1", 1, "money unit"),
        ("talent >= 0.5 rnd", 15, "without an operator"),
        ("(talent >= 1", 9, "expected `)`"),
        ("a >= 1 >= 2", 8, "one comparison"),
        ("a / b >= 1", 5, "division by a name"),
        ("a >= 1 / 0", 10, "division by zero"),
        ("a >= #", 6, "unexpected character '#'"),
        ("a - a >= 1", 1, "names nothing"),
        ("3억 * 2억 >= a", 4, "money multiplies only a plain number"),
        ("foo:bar >= 1", 1, "unknown kind 'foo'"),
        ("", 1, "empty"),
    ],
)
def test_parser_errors_point_at_the_token(text: str, column: int, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    err = caught.value
    assert err.column == column
    assert words in str(err)
    shown, caret = str(err).splitlines()[-2:]
    assert shown == " " * 6 + text
    assert caret == " " * (6 + column - 1) + "^"


def test_parser_reads_linear_relations() -> None:
    rel = parse("talent + ax >= 0.5 * (rnd - `RND-11`) + 5,000억 - 2 / 4")
    assert rel.sense == ">="
    assert rel.coefs == {
        (None, "talent", None): 1.0,
        (None, "ax", None): 1.0,
        (None, "rnd", None): -0.5,
        (None, "RND-11", None): 0.5,
    }
    assert rel.constant("bn_krw") == pytest.approx(-500 + 0.5)
    assert rel.constant("tn_krw") == pytest.approx(-0.5 + 0.5)
    assert rel.canonical == "talent+ax>=0.5*(rnd-`RND-11`)+5000억-2/4"
    assert parse("-(a - 2 * b) == -b").coefs == {(None, "a", None): -1.0, (None, "b", None): 3.0}
    assert parse("line:`RND-11` <= 1e3").coefs == {("line", "RND-11", None): 1.0}


def test_relation_names_qualified_by_years_parse() -> None:
    """`rnd[2028]` is one year's money, `talent[2026..2030]` a range's; `sum(...)` is the sum."""
    rel = parse("rnd[2028] >= 1.1 * rnd[2027]")
    assert rel.coefs == {
        (None, "rnd", (2028, 2028)): 1.0,
        (None, "rnd", (2027, 2027)): pytest.approx(-1.1),
    }
    assert rel.across_years
    assert rel.canonical == "rnd[2028]>=1.1*rnd[2027]"
    rel = parse("sum(talent[2026..2030]) >= 7000")
    assert rel.coefs == {(None, "talent", (2026, 2030)): 1.0}
    assert rel.constant("bn_krw") == -7000
    assert not parse("rnd >= 1.1 * rnd[2026]").across_years
    with pytest.raises(ExpressionError, match="runs backwards"):
        parse("rnd[2030..2026] >= 1")
    with pytest.raises(ExpressionError, match="takes a year or a range"):
        parse("rnd[x] >= 1")


# -- names against the instance, and model-file errors ----------------------------------------


def _issues(instance: dict[str, Any], **model: Any) -> list[allocator.Issue]:
    spec = allocator.ModelSpec.model_validate({"name": "m", **model})
    with pytest.raises(InputError) as caught:
        allocator.solve(allocator.Instance.model_validate(instance), spec)
    return caught.value.issues


def test_unknown_name_says_which_and_suggests() -> None:
    (issue,) = _issues(tiny(), rules=[{"rule": "relation", "expr": "b >= 0.5 * aa"}])
    assert issue.path == "rules[0].expr"
    assert "no such pillar, line group, line or region; did you mean 'a'?" in issue.problem
    assert "(column 12)" in issue.problem
    lines = [
        {"id": "RND-11", "name": "Fund", "pillar": "a", "impact": 1},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1},
    ]
    (dash,) = _issues(tiny(lines=lines), rules=[{"rule": "relation", "expr": "RND-11 <= 5"}])
    assert "backticks: `RND-11`" in dash.problem


def test_ambiguous_name_asks_for_a_kind() -> None:
    lines = [
        {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80, "groups": ["a"]},
        {"id": "y", "name": "Y", "pillar": "b", "impact": 1},
    ]
    (issue,) = _issues(tiny(lines=lines), rules=[{"rule": "relation", "expr": "b >= a"}])
    assert "'a' is ambiguous: it names a pillar and a group; write pillar:a or group:a" in (
        issue.problem
    )
    res = run(tiny(lines=lines), [{"rule": "relation", "expr": "b >= pillar:a"}])
    assert gov(res, "x") == pytest.approx(50)


def test_relation_years_outside_the_instance() -> None:
    (issue,) = _issues(tiny(), rules=[{"rule": "relation", "expr": "b >= a", "years": [2031]}])
    assert issue.path == "rules[0].years"
    assert "outside the instance's years" in issue.problem


def test_model_file_errors_name_file_field_and_column(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    rules = [{"rule": "relation", "expr": "talent * rnd >= 1"}]
    path.write_text(yaml.safe_dump({"name": "m", "rules": rules}), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        allocator.load_model(path)
    (issue,) = caught.value.issues
    assert (issue.file, issue.path, issue.value) == (str(path), "rules[0].expr", rules[0]["expr"])
    assert "a product of two names is not linear" in issue.problem
    assert "(column 8)" in issue.problem
    assert issue.problem.splitlines()[-1].strip() == "^"


def test_two_relations_with_the_same_name_are_refused() -> None:
    with pytest.raises(InputError, match="a second relation rule"):
        allocator.schema.validate.validate(
            allocator.ModelSpec,
            {
                "name": "m",
                "rules": [
                    {"rule": "relation", "expr": "a >= b", "name": "r"},
                    {"rule": "relation", "expr": "a >= 2 * b", "name": "r"},
                ],
            },
        )


@pytest.mark.parametrize(
    ("model", "path", "words"),
    [
        ({"objective": "lexicographic"}, "levels", "needs `levels:`"),
        (
            {"levels": [{"name": "l", "goals": ["k1"]}]},
            "levels",
            "levels are for objective lexicographic",
        ),
        (
            {
                "objective": "lexicographic",
                "levels": [{"name": "l", "goals": ["k1", "k2"]}, {"name": "l", "goals": ["k2"]}],
            },
            "levels[1].name",
            "a second level named 'l'",
        ),
        (
            {
                "objective": "lexicographic",
                "levels": [{"name": "l", "goals": [{"kpi": "k1", "objective": "max_impact"}]}],
            },
            "levels[0].goals[0]",
            "not both and not neither",
        ),
    ],
)
def test_level_schema_errors(model: dict[str, Any], path: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        allocator.schema.validate.validate(allocator.ModelSpec, {"name": "m", **model})
    assert any(i.path == path and words in i.problem for i in caught.value.issues), (
        caught.value.issues
    )


@pytest.mark.parametrize(
    ("levels", "path", "words"),
    [
        ([{"name": "l", "goals": ["k1", "k2", "k3"]}], "levels[0].goals[2].kpi", "no such KPI"),
        (
            [{"name": "l", "goals": ["k1", "k2"]}, {"name": "m", "goals": ["k2@2026"]}],
            "levels[1].goals[0]",
            "already a goal at levels[0].goals[1]",
        ),
        ([{"name": "l", "goals": ["k1"]}], "levels", "these targets are in no level: k2@2026"),
        (
            [{"name": "l", "goals": ["k1", "k2", "k2@2027"]}],
            "levels[0].goals[2]",
            "has no target in 2027",
        ),
    ],
)
def test_level_goals_are_checked_against_the_instance(
    levels: list[dict[str, Any]], path: str, words: str
) -> None:
    issues = _issues(_two_goals(), objective="lexicographic", levels=levels)
    assert any(i.path == path and words in i.problem for i in issues), issues


def test_targets_no_level_names_are_hard_with_mode_hard() -> None:
    """Levels [k1], [max_impact] with k2 in no level and `targets: {mode: hard}`: k2 = 70 is a
    constraint, so x ≥ 70, y ≤ 30; level 1 leaves k1 short by 30 (30/60 = 0.5); impact 240."""
    res = run(
        _two_goals(),
        objective="lexicographic",
        targets={"mode": "hard"},
        levels=[{"name": "k1", "goals": ["k1"]}, {"name": "rest", "goals": ["max_impact"]}],
    )
    assert res.level_outcomes[0].optimum == pytest.approx(0.5)
    assert (gov(res, "x"), gov(res, "y")) == pytest.approx((70, 30))
    assert res.objective == pytest.approx(240)


# -- solving, checking, reporting ---------------------------------------------------------------

LEVELS = [
    {"name": "first", "goals": ["k1"]},
    {"name": "second", "goals": ["k2"]},
    {"name": "rest", "goals": ["max_impact"]},
]


def test_checker_recomputes_held_levels_and_relations_from_the_plan() -> None:
    res = run(_two_goals(), objective="lexicographic", levels=LEVELS)
    held = {o.name: o.held_at for o in res.level_outcomes if o.held_at is not None}
    assert set(held) == {"first", "second"}
    plan = res.plan()
    assert verify(res.instance, res.model, plan, res.objective, held) == []
    # Move 10 from y to x: k1 falls short (level "first" breaks its hold of 0).
    moved = replace(plan, gov={("x", 2026): 50.0, ("y", 2026): 50.0})
    broken = verify(res.instance, res.model, moved, None, held)
    assert any("priority level first rose above its held value" in str(v) for v in broken), broken
    rel = run(tiny(), [{"rule": "relation", "expr": "b >= 0.5 * a", "name": "half"}])
    bad = replace(rel.plan(), gov={("x", 2026): 80.0, ("y", 2026): 20.0})
    assert any(
        "relation half in 2026 does not hold" in str(v)
        for v in verify(rel.instance, rel.model, bad, None)
    )


def test_an_infeasible_first_level_has_no_allocation_and_names_the_rule() -> None:
    res = run(
        _two_goals(),
        [{"rule": "relation", "expr": "a >= 200"}],
        objective="lexicographic",
        levels=LEVELS,
    )
    assert res.status == Status.infeasible
    assert "relation[a>=200,2026]" in set(res.explain().rule)
    with pytest.raises(allocator.NoAllocationError):
        res.levels()


def test_solve_many_and_save_keep_levels_and_relations(tmp_path: Path) -> None:
    spec = allocator.ModelSpec.model_validate(
        {
            "name": "m",
            "objective": "lexicographic",
            "levels": LEVELS,
            "rules": [{"rule": "relation", "expr": "b >= 0.1 * a", "name": "floor"}],
        }
    )
    again = allocator.load_model(allocator.save(spec, tmp_path / "m.yaml"))
    assert again.model_dump() == spec.model_dump()
    inst = allocator.Instance.model_validate(_two_goals())
    results = list(allocator.solve_many([inst, inst], again))
    assert [r.objective for r in results] == pytest.approx([180, 180])
    assert all(r.verified for r in results)
    assert "levels" in allocator.ModelSpec.model_json_schema()["properties"]


def test_cli_prints_levels_and_writes_levels_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = tmp_path / "inst.yaml"
    inst.write_text(yaml.safe_dump(_two_goals()), encoding="utf-8")
    model = tmp_path / "m.yaml"
    model.write_text(
        yaml.safe_dump({"name": "m", "objective": "lexicographic", "levels": LEVELS}),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["solve", str(inst), "--model", str(model), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "1. first: optimum 0, held at 0" in text
    assert "k2 2026: 40 of 70 (short 30, weight 1, weighted 0.4286)" in text
    assert "3. rest: optimum 180 (last level: not held)" in text
    assert (out / "levels.csv").read_text(encoding="utf-8").startswith("level,priority,goal")
    model.write_text(
        yaml.safe_dump({"name": "m", "rules": [{"rule": "relation", "expr": "a >= * b"}]}),
        encoding="utf-8",
    )
    assert main(["solve", str(inst), "--model", str(model)]) == 2
    err = capsys.readouterr().err
    assert "rules[0].expr" in err
    assert "(column 6)" in err
    assert "Traceback" not in err


def test_korea_priorities_model() -> None:
    """The shipped 2026-2030 priorities model: three optimal levels, verified; the first level's
    optimum equals that of the first level solved alone (nothing later may worsen it), the held
    rows and relations carry policy names, and the relation on R&D and AX binds."""
    inst = allocator.load_instance(ROOT / "instances" / "korea-2026-2030.yaml")
    path = ROOT / "models" / "national-ai-2026-2030-priorities.yaml"
    res = allocator.solve(inst, path)
    assert res.status == Status.optimal
    assert res.verified, res.violations
    assert [o.status for o in res.level_outcomes] == [Status.optimal] * 3
    spec = allocator.load_model(path)
    # The first level alone, through the `goal` objective: weights only on its two KPIs.
    floors = {"ai_experts": 2500.0, "public_adoption": 2000.0}
    weights = {k.id: floors.get(k.id, 0.0) for k in inst.kpis}
    alone = allocator.solve(
        inst,
        allocator.ModelSpec.model_validate(
            spec.model_dump() | {"objective": "goal", "levels": [], "targets": {"weights": weights}}
        ),
    )
    assert alone.verified
    assert alone.objective == pytest.approx(res.level_outcomes[0].optimum, rel=1e-7)
    table = res.levels()
    first = table[table.level == "legal_floors"]
    assert first.level_value.iloc[0] == pytest.approx(res.level_outcomes[0].optimum, rel=1e-6)
    audit = res.audit().set_index("rule")
    assert {"level_hold[legal_floors]", "level_hold[gpu_path]"} <= set(audit.index)
    assert audit.loc["relation[rnd_ahead_of_ax,2027]", "state"] == "binding"
    assert str(audit.loc["relation[talent_half_of_rnd,2026]", "origin"]).endswith("(relation)")


def test_single_objective_analyses_refuse_a_lexicographic_model() -> None:
    inst = allocator.Instance.model_validate(_two_goals())
    spec = allocator.ModelSpec.model_validate(
        {"name": "m", "objective": "lexicographic", "levels": LEVELS}
    )
    with pytest.raises(InputError, match="frontier analysis works on one objective"):
        allocator.scenarios.frontier(inst, spec, "k1")
    with pytest.raises(InputError, match="near-optimal analysis works on one objective"):
        allocator.scenarios.near_optimal(inst, spec)


def test_lexicographic_mip_restores_integers_between_levels() -> None:
    """A go/no-go line z (impact 2, 50..60 if selected, yields k1) beside x (impact 3, max 80) and
    y (impact 1, yields k1); target k1 = 60; levels [k1], [max_impact]. Level 1 meets k1 (0).
    Level 2: x = 40 either way (y + z ≥ 60, budget 100); without z, y = 60: 180; with z the value
    is 180 + z, best at z = 60, y = 0: 240. The second level must see z as a whole decision
    again after level 1's integers were fixed for its duals."""
    inst = tiny(
        kpis=[{"id": "k1", "name": "K1", "cumulative": False}],
        lines=[
            {"id": "x", "name": "X", "pillar": "a", "impact": 3, "max": 80},
            {"id": "y", "name": "Y", "pillar": "b", "impact": 1, "yields": {"k1": 1}},
            {
                "id": "z",
                "name": "Z",
                "pillar": "b",
                "impact": 2,
                "min": 50,
                "max": 60,
                "select": True,
                "yields": {"k1": 1},
            },
        ],
        targets=[{"kpi": "k1", "year": 2026, "value": 60}],
    )
    levels = [{"name": "k1", "goals": ["k1"]}, {"name": "rest", "goals": ["max_impact"]}]
    res = run(inst, objective="lexicographic", levels=levels)
    assert res.objective == pytest.approx(240)
    assert (gov(res, "x"), gov(res, "y"), gov(res, "z")) == pytest.approx((40, 0, 60))
    assert res.selected.set_index("line").selected.to_dict() == {"z": True}


def test_explanations_name_held_levels_and_relations() -> None:
    """The held levels and the relation are priced under their own names: dropping the hold of
    level `first` (y ≥ 60) lets level `rest` reach 260 (x 80, y 20), so holding it costs
    260 − 180 = 80; the relation y ≥ 0.1·x is slack and costs 0."""
    res = run(
        _two_goals(),
        [{"rule": "relation", "expr": "b >= 0.1 * a", "name": "floor"}],
        objective="lexicographic",
        levels=LEVELS,
    )
    prices = res.price_of_policies().set_index("policy").cost
    assert prices["rules[0] relation name floor"] == pytest.approx(0)
    audit = res.audit().set_index("rule")
    assert audit.loc["level_hold[first]", "origin"] == "model m: levels (first)"
    assert audit.loc["level_hold[first]", "unit"] == "level points"
    assert prices["holding priority level first"] == pytest.approx(80)
    # Without the hold of `second` (x ≥ 40) y ≥ 60 still caps x at 40: it costs nothing.
    assert prices["holding priority level second"] == pytest.approx(0, abs=1e-6)


@pytest.mark.parametrize(("years", "words"), [([2026, 2026], "each year once"), ([], "empty")])
def test_relation_years_once_each(years: list[int], words: str) -> None:
    with pytest.raises(InputError, match=words):
        allocator.schema.validate.validate(
            allocator.ModelSpec,
            {"name": "m", "rules": [{"rule": "relation", "expr": "a >= b", "years": years}]},
        )
