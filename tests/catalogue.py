"""The catalogue of bad inputs (the cases `tests/test_bad_inputs.py` runs): each is a small file
set that must fail with an `InputError` naming the file, the field, the value and what is
allowed. The cases of issue 17 (exact reading, bounded resources, every number checked, file
references) are in `tests/catalogue_safety.py`."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml

import allocator
from allocator import InputError, Issue

FIFO: Any = object()
"""An extra file that is a named pipe (FIFO), not a file."""
DROP: Any = object()
"""A key to leave out of a generated file."""

INSTANCE: dict[str, Any] = {
    "name": "bad",
    "years": [2026, 2027],
    "model": "m.yaml",
    "pillars": [{"id": "a", "name": "Pillar A"}, {"id": "b", "name": "Pillar B"}],
    "budget": 100,
    "kpis": [{"id": "gpus", "name": "GPUs"}],
    "lines": [
        {
            "id": "x",
            "name": "Line X",
            "pillar": "a",
            "impact": 2,
            "max": 80,
            "yields": {"gpus": 10},
        },
        {"id": "y", "name": "Line Y", "pillar": "b", "impact": 1, "groups": ["g"]},
    ],
    "targets": [{"kpi": "gpus", "year": 2027, "value": 500}],
}
MODEL: dict[str, Any] = {
    "name": "m",
    "rules": [{"rule": "pillar_share", "pillar": "b", "min": 0.2}],
}
LINES_CSV = "id,name,pillar,impact,max,max.2027,yields.gpus\nx,Line X,a,2,80,,10\ny,Line Y,b,1,,,\n"


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _edit(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for key, value in changes.items():
        if value is DROP:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def inst(**changes: Any) -> str:
    """The base instance with top-level keys replaced (DROP removes one)."""
    return _dump(_edit(INSTANCE, changes))


def model(**changes: Any) -> str:
    """The base model with top-level keys replaced."""
    return _dump(_edit(MODEL, changes))


def line(index: int, **changes: Any) -> list[dict[str, Any]]:
    """The base lines with line `index`'s fields replaced (DROP removes one)."""
    lines = copy.deepcopy(INSTANCE["lines"])
    lines[index] = _edit(lines[index], changes)
    return lines


def rule(**fields: Any) -> str:
    """A model with this one rule."""
    return model(rules=[fields])


@dataclass(frozen=True)
class Bad:
    """One bad input: the files, the entry point, and the issue it must raise."""

    file: str
    """The file the issue names."""
    path: str
    """The issue's field path, exactly."""
    value: str | None
    """Text the issue's value shows (None: the value is absent, as for a missing field)."""
    fix: str
    """Text of the problem that says what is allowed or how to fix it."""
    instance: str | bytes = field(default_factory=inst)
    model: str = field(default_factory=model)
    extra: dict[str, str | bytes | object] = field(default_factory=dict)
    """Further files by name (relative to the case's folder; `FIFO` makes a named pipe)."""
    load: Literal["instance", "model", "solve"] = "instance"
    instance_file: str = "inst.yaml"
    """The instance file's name (`inst.xlsx` for a workbook)."""


def bad(name: str, **kwargs: Any) -> Any:
    return pytest.param(Bad(**kwargs), id=name)


def csv_case(name: str, table: str | bytes, **kwargs: Any) -> Any:
    return bad(name, instance=inst(lines="lines.csv"), extra={"lines.csv": table}, **kwargs)


# fmt: off
CATALOGUE = [
    # -- money: negative, NaN, infinite, unreadable, in the wrong unit
    bad("negative-money", file="inst.yaml", path="budget", value="-5",
        fix="money cannot be negative; give an amount of 0 or more", instance=inst(budget=-5)),
    bad("negative-money-string", file="inst.yaml", path="lines[x].max", value="-5조",
        fix="cannot be negative", instance=inst(lines=line(0, max="-5조"))),
    bad("negative-per-year-money", file="inst.yaml", path="lines[x].min", value="{2027: -1}",
        fix="year 2027: money cannot be negative", instance=inst(lines=line(0, min={2027: -1}))),
    bad("nan-money", file="inst.yaml", path="budget", value="nan",
        fix="NaN and infinity are not amounts", instance=inst(budget=float("nan"))),
    bad("infinite-money", file="inst.yaml", path="lines[x].max", value="inf",
        fix="NaN and infinity are not amounts", instance=inst(lines=line(0, max=float("inf")))),
    bad("nan-number", file="inst.yaml", path="lines[x].leverage", value="nan",
        fix="must be a finite number", instance=inst(lines=line(0, leverage=float("nan")))),
    bad("infinite-yield", file="inst.yaml", path="lines[x].yields.gpus", value="inf",
        fix="must be a finite number", instance=inst(lines=line(0, yields={"gpus": float("inf")}))),
    bad("unknown-money-unit", file="inst.yaml", path="budget", value="9.9 zillion",
        fix="unknown money unit 'zillion'", instance=inst(budget="9.9 zillion")),
    bad("money-not-a-number", file="inst.yaml", path="private_pool", value="lots",
        fix="cannot read 'lots' as money; expected a non-negative number",
        instance=inst(private_pool="lots")),
    bad("money-in-won-where-bn-declared", file="inst.yaml", path="lines[x].max",
        value="2400000000000", fix='looks like a figure in won where the instance declares bn KRW: '
        'write 2,400 (the figure in bn KRW) or a string with its unit, such as "2.4조"',
        instance=inst(lines=line(0, max=2_400_000_000_000))),
    bad("budget-in-won-per-year", file="inst.yaml", path="budget", value="9933400000000",
        fix="write 9,933.4 (the figure in bn KRW)",
        instance=inst(budget={2026: 9_933_400_000_000, 2027: 100})),
    bad("implausible-money-with-unit", file="inst.yaml", path="budget", value="24000000조",
        fix="24,000,000조 is more than 10,000 trillion won (10,000,000 bn KRW); check the figure "
        "and its unit", instance=inst(budget="24000000조")),
    # -- zero or out-of-range where it is not allowed
    bad("integer-line-zero-unit-cost", file="inst.yaml", path="lines[x].unit_cost", value="0",
        fix="needs a unit_cost above 0 (the cost of one whole unit)",
        instance=inst(lines=line(0, integer=True, unit_cost=0))),
    bad("integer-line-without-unit-cost", file="inst.yaml", path="lines[x].unit_cost",
        value="None", fix="give unit_cost or set integer: false",
        instance=inst(lines=line(0, integer=True))),
    bad("soft-target-of-zero", file="inst.yaml", path="targets[0].value", value="0",
        fix="a target must be above 0", load="solve",
        instance=inst(targets=[{"kpi": "gpus", "year": 2027, "value": 0}]),
        model=model(targets={"mode": "soft", "weights": {"gpus": 5}})),
    bad("negative-target", file="inst.yaml", path="targets[0].value", value="-10",
        fix="remove the target or give a level above 0",
        instance=inst(targets=[{"kpi": "gpus", "year": 2027, "value": -10}])),
    bad("negative-leverage", file="inst.yaml", path="lines[x].leverage", value="-1",
        fix="must be 0 or more", instance=inst(lines=line(0, leverage=-1))),
    bad("negative-ramp", file="m.yaml", path="rules[0].max_change", value="-0.3",
        fix="must be 0 or more", load="model", model=rule(rule="ramp", max_change=-0.3)),
    # -- shares
    bad("share-in-percent", file="m.yaml", path="rules[0].min", value="30",
        fix='looks like a percentage: write 0.3 or "30%"', load="model",
        model=rule(rule="pillar_share", pillar="b", min=30)),
    bad("new-share-in-percent", file="m.yaml", path="rules[0].min", value="47.7",
        fix="write 0.477", load="model", model=rule(rule="new_initiative_share", min=47.7)),
    bad("share-over-100-percent", file="m.yaml", path="rules[0].max", value="150%",
        fix="a share cannot exceed 100%", load="model",
        model=rule(rule="pillar_share", pillar="b", max="150%")),
    bad("share-rule-without-bounds", file="m.yaml", path="rules[0]", value="pillar_share",
        fix="needs min, max or both", load="model", model=rule(rule="pillar_share", pillar="b")),
    # -- min above max
    bad("line-min-above-max", file="inst.yaml", path="lines[x].min", value="90",
        fix="min 90 is above max 80; lower the min or raise the max",
        instance=inst(lines=line(0, min=90))),
    bad("line-min-above-max-per-year", file="inst.yaml", path="lines[x].min.2027", value="90",
        fix="min 90 is above max 80 in 2027",
        instance=inst(lines=line(0, min={2027: 90}, max={2026: 40, 2027: 80}))),
    bad("share-min-above-max", file="m.yaml", path="rules[0]", value="0.5",
        fix="min 0.5 is above max 0.3; lower the min or raise the max", load="model",
        model=rule(rule="pillar_share", pillar="b", min=0.5, max=0.3)),
    # -- duplicate ids
    bad("duplicate-line-id", file="inst.yaml", path="lines[1].id", value="x",
        fix="id 'x' is used 2 times (first by lines[0]); ids must be unique",
        instance=inst(lines=line(1, id="x"))),
    bad("duplicate-pillar-id", file="inst.yaml", path="pillars[1].id", value="a",
        fix="ids must be unique: rename or remove one",
        instance=inst(pillars=[{"id": "a", "name": "A"}, {"id": "a", "name": "B"}],
                      lines=line(1, pillar="a"))),
    bad("duplicate-kpi-id", file="inst.yaml", path="kpis[1].id", value="gpus",
        fix="id 'gpus' is used 2 times",
        instance=inst(kpis=[{"id": "gpus", "name": "G"}, {"id": "gpus", "name": "H"}])),
    bad("duplicate-target", file="inst.yaml", path="targets[1]", value="gpus",
        fix="a second target for gpus in 2027",
        instance=inst(targets=[{"kpi": "gpus", "year": 2027, "value": v} for v in (5, 6)])),
    # -- unknown references
    bad("unknown-pillar", file="inst.yaml", path="lines[y].pillar", value="talent",
        fix="no such pillar; known: a, b", instance=inst(lines=line(1, pillar="talent"))),
    bad("unknown-kpi-in-yields", file="inst.yaml", path="lines[x].yields.gpu", value="gpu",
        fix="no such KPI; did you mean 'gpus'?", instance=inst(lines=line(0, yields={"gpu": 1}))),
    bad("unknown-line-in-requires", file="inst.yaml", path="lines[y].requires", value="z",
        fix="no such line; known: x, y", instance=inst(lines=line(1, requires=["z"]))),
    bad("unknown-target-kpi", file="inst.yaml", path="targets[0].kpi", value="gpu",
        fix="did you mean 'gpus'?",
        instance=inst(targets=[{"kpi": "gpu", "year": 2027, "value": 5}])),
    bad("rule-on-unknown-pillar", file="m.yaml", path="rules[0].pillar", value="bb",
        fix="no such pillar; did you mean 'b'? known: a, b", load="solve",
        model=rule(rule="pillar_share", pillar="bb", min=0.1)),
    bad("rule-on-unknown-group", file="m.yaml", path="rules[0].group", value="sites",
        fix="no such group; known: g", load="solve", model=rule(rule="exclusive", group="sites")),
    bad("weight-on-unknown-kpi", file="m.yaml", path="targets.weights.gpu", value="gpu",
        fix="did you mean 'gpus'?", load="solve", model=model(targets={"weights": {"gpu": 2}})),
    bad("floor-on-pillar-without-lines", file="m.yaml", path="rules[0].min", value="0.2",
        fix="pillar 'c' has no lines, so a floor of 20% would force every year's spending to 0",
        load="solve", instance=inst(pillars=[*INSTANCE["pillars"], {"id": "c", "name": "C"}]),
        model=rule(rule="pillar_share", pillar="c", min=0.2)),
    # -- years
    bad("target-year-outside-horizon", file="inst.yaml", path="targets[0].year", value="2031",
        fix="outside the instance's years (2026–2027); use one of 2026, 2027",
        instance=inst(targets=[{"kpi": "gpus", "year": 2031, "value": 5}])),
    bad("per-year-key-outside-horizon", file="inst.yaml", path="lines[x].max.2030",
        value="2030", fix="outside the instance's years",
        instance=inst(lines=line(0, max={2026: 50, 2030: 80}))),
    bad("budget-year-outside-horizon", file="inst.yaml", path="budget.2025", value="2025",
        fix="or add the year to `years`", instance=inst(budget={2025: 90, 2026: 100, 2027: 100})),
    bad("budget-missing-a-year", file="inst.yaml", path="budget", value="{2026: 100",
        fix="no budget given for 2027; add `2027: AMOUNT` or give one figure for every year",
        instance=inst(budget={2026: 100})),
    bad("per-year-key-not-a-year", file="inst.yaml", path="budget", value="twenty",
        fix="'twenty' is not a year; per-year figures are keyed by year",
        instance=inst(budget={"twenty": 100})),
    bad("years-not-increasing", file="inst.yaml", path="years", value="[2027, 2026]",
        fix="in increasing order", instance=inst(years=[2027, 2026])),
    bad("implausible-year", file="inst.yaml", path="years", value="20260",
        fix="20260 is not a budget year; years are calendar years from 1900 to 2200",
        instance=inst(years=[20260])),
    # -- wrong types
    bad("bool-for-number", file="inst.yaml", path="lines[x].impact", value="True",
        fix="expected a number, not a true/false value", instance=inst(lines=line(0, impact=True))),
    bad("bool-for-money", file="inst.yaml", path="budget", value="True",
        fix="not a true/false value", instance=inst(budget=True)),
    bad("bool-for-count", file="m.yaml", path="rules[0].max", value="True",
        fix="not a true/false value", load="model",
        model=rule(rule="cardinality", group="g", max=True)),
    bad("text-for-number", file="inst.yaml", path="lines[y].impact", value="high",
        fix="expected a number, such as 1.5", instance=inst(lines=line(1, impact="high"))),
    bad("text-for-bool", file="inst.yaml", path="lines[y].new", value="maybe",
        fix="expected true or false", instance=inst(lines=line(1, new="maybe"))),
    bad("text-for-list", file="inst.yaml", path="lines[y].requires", value="x",
        fix="expected a list; write [x]", instance=inst(lines=line(1, requires="x"))),
    bad("list-for-text", file="inst.yaml", path="lines[y].name", value="['Line', 'Y']",
        fix="expected text", instance=inst(lines=line(1, name=["Line", "Y"]))),
    bad("number-for-text", file="inst.yaml", path="lines[y].pillar", value="2",
        fix='write it in quotes: "2"', instance=inst(lines=line(1, pillar=2))),
    bad("list-for-mapping", file="inst.yaml", path="lines[x].yields", value="['gpus']",
        fix="expected a mapping of keys to values", instance=inst(lines=line(0, yields=["gpus"]))),
    bad("fraction-for-count", file="m.yaml", path="rules[0].max", value="2.5",
        fix="expected a whole number", load="model",
        model=rule(rule="cardinality", group="g", max=2.5)),
    bad("id-with-spaces", file="inst.yaml", path="lines[Line X].id", value="Line X",
        fix="did you mean 'Line_X'?", instance=inst(lines=line(0, id="Line X"))),
    # -- keys and names
    bad("unknown-top-level-key", file="inst.yaml", path="budjet", value="100",
        fix="unknown key; did you mean 'budget'?", instance=inst(budget=DROP, budjet=100)),
    bad("unknown-line-key", file="inst.yaml", path="lines[x].mx", value="80",
        fix="did you mean 'max'?", instance=inst(lines=line(0, max=DROP, mx=80))),
    bad("missing-required-field", file="inst.yaml", path="lines[y].pillar", value=None,
        fix="required field is missing; add `pillar:`", instance=inst(lines=line(1, pillar=DROP))),
    bad("misspelt-currency-unit", file="inst.yaml", path="currency_unit", value="bn_kwr",
        fix="did you mean 'bn_krw'?", instance=inst(currency_unit="bn_kwr")),
    bad("misspelt-objective", file="m.yaml", path="objective", value="max_imp",
        fix="expected one of max_impact, min_cost, goal, lexicographic, max_final_cash; did you "
        "mean 'max_impact'?",
        load="model", model=model(objective="max_imp")),
    bad("misspelt-rule-kind", file="m.yaml", path="rules[0]", value="pilar_share",
        fix="unknown rule kind; did you mean 'pillar_share'?", load="model",
        model=rule(rule="pilar_share", pillar="b", min=0.1)),
    bad("rule-without-kind", file="m.yaml", path="rules[0]", value="pillar",
        fix="a rule needs `rule:` naming its kind", load="model", model=rule(pillar="b")),
    bad("duplicate-rule", file="m.yaml", path="rules[1]", value="pillar_share",
        fix="a second pillar_share rule on 'b' (the first is rules[0]); merge the two",
        load="model", model=model(rules=[
            {"rule": "pillar_share", "pillar": "b", "min": 0.1},
            {"rule": "pillar_share", "pillar": "b", "max": 0.5},
        ])),
    bad("reported-source-without-cite", file="inst.yaml", path="sources[0]", value="reported",
        fix="a reported figure needs `cite`",
        instance=inst(sources=[{"about": "budget", "kind": "reported"}])),
    # -- empty lists
    bad("empty-line-list", file="inst.yaml", path="lines", value="[]",
        fix="needs at least 1 entry", instance=inst(lines=[], targets=DROP)),
    bad("empty-pillar-list", file="inst.yaml", path="pillars", value="[]",
        fix="needs at least 1 entry", instance=inst(pillars=[])),
    # -- the file itself
    bad("malformed-yaml", file="inst.yaml", path="line 3, column 7", value="budget: 100",
        fix="not valid YAML: expected ',' or ']'", instance="name: t\nyears: [2026\nbudget: 100\n"),
    bad("duplicate-yaml-key", file="inst.yaml", path="line 3, column 1", value="budget: 200",
        fix="key 'budget' is given twice in this mapping (first at line 2); keep one",
        instance="name: t\nbudget: 100\nbudget: 200\n"),
    bad("yaml-is-a-list", file="inst.yaml", path="", value="['name: t', 'years: [2026]']",
        fix="the file holds a list; an instance file is a mapping of keys to values",
        instance="- 'name: t'\n- 'years: [2026]'\n"),
    bad("empty-file", file="inst.yaml", path="", value=None,
        fix="the file is empty; an instance needs name, years, pillars, budget and lines",
        instance="# nothing yet\n"),
    bad("model-not-a-mapping", file="m.yaml", path="", value=None, load="solve",
        fix="a model file is a mapping of keys to values", model="pillar_share\n"),
    bad("non-utf8-yaml", file="inst.yaml", path="line 2, byte 16", value=r"\xff",
        fix="not UTF-8 text (invalid start byte); save the file as UTF-8",
        instance=b"name: t\ntitle: \xff\n"),
    # -- CSV tables
    csv_case("csv-more-cells-than-header", LINES_CSV + "z,Z,a,1,2,3,4,5\n", file="lines.csv",
             path="row 4", value="z,Z,a,1,2,3,4,5",
             fix='8 cells for 7 columns; put a cell holding a comma in quotes ("1,200")'),
    csv_case("csv-cell-not-a-number", LINES_CSV.replace("y,Line Y,b,1", "\ny,Line Y,b,high"),
             file="lines.csv", path="row 4 (y), column impact", value="high",
             fix="expected a number"),
    csv_case("csv-money-cell-unreadable", LINES_CSV.replace("a,2,80", "a,2,80 bn won?"),
             file="lines.csv", path="row 2 (x), column max", value="80 bn won?",
             fix="unknown money unit"),
    csv_case("csv-per-year-clashes-with-scalar", LINES_CSV.replace("80,,10", "80,90,10"),
             file="lines.csv", path="row 2, column max.2027", value="90",
             fix="column 'max' already gives one figure for every year; leave either max or "
             "max.2027 blank in this row"),
    csv_case("csv-duplicate-column", "id,name,pillar,max,max\nx,X,a,1,2\n", file="lines.csv",
             path="row 1", value="max", fix="column 'max' appears twice; keep one"),
    csv_case("csv-unknown-column", LINES_CSV.replace("impact,", "impcat,"), file="lines.csv",
             path="row 2 (x), column impcat", value="2", fix="did you mean 'impact'?"),
    csv_case("csv-not-utf8", LINES_CSV.encode() + "z,한국,a,1,,,\n".encode("cp949"),
             file="lines.csv", path="line 4, byte 86", value=r"\xc7",
             fix="it looks like Korean text saved as EUC-KR/CP949; save the file as UTF-8"),
    bad("missing-csv-file", file="inst.yaml", path="lines", value="lines.csv",
        fix="no such file:", instance=inst(lines="lines.csv")),
    bad("csv-name-too-long-for-the-file-system", file="inst.yaml", path="lines",
        value="a" * 300 + ".csv", fix="no such file:", instance=inst(lines="a" * 300 + ".csv")),
    bad("table-is-not-a-csv-name", file="inst.yaml", path="lines", value="lines.xlsx",
        fix="expected a list of lines or the name of a CSV file ending in .csv",
        instance=inst(lines="lines.xlsx")),
    # -- other files named by the instance, lines that contradict themselves
    bad("missing-model-file", file="inst.yaml", path="model", value="models/m.yaml",
        fix="no such model file:", load="solve", instance=inst(model="models/m.yaml")),
    bad("line-requires-itself", file="inst.yaml", path="lines[x].requires", value="x",
        fix="a line cannot require itself; remove 'x' from requires",
        instance=inst(lines=line(0, requires=["x"]))),
    # -- planning features
    bad("pillar-shares-not-summing-to-1", file="inst.yaml", path="lines[x].pillar",
        value="{'a': 0.5, 'b': 0.4}", fix="sum to 1 (they sum to 0.9)",
        instance=inst(lines=line(0, pillar={"a": 0.5, "b": 0.4}))),
    bad("pillar-share-on-unknown-pillar", file="inst.yaml", path="lines[x].pillar", value="c",
        fix="no such pillar", instance=inst(lines=line(0, pillar="a: 0.5; c: 0.5"))),
    bad("unknown-region", file="inst.yaml", path="lines[x].region", value="seoul",
        fix="no such region; known: none", instance=inst(lines=line(0, region="seoul"))),
    bad("fund-with-unknown-seed-line", file="inst.yaml", path="funds[f].seed", value="z",
        fix="no such line; known: x, y",
        instance=inst(funds=[{"id": "f", "name": "F", "seed": ["z"], "lines": ["x"],
                              "leverage": 2}])),
    bad("span-without-whole-units", file="inst.yaml", path="lines[x].span", value="3",
        fix="set integer: true and unit_cost", instance=inst(lines=line(0, span=3))),
    bad("schedule-with-bounds", file="inst.yaml", path="lines[x].schedule", value="10.0",
        fix="remove min and max", instance=inst(lines=line(0, schedule=10))),
    bad("curve-and-impact", file="inst.yaml", path="lines[x].curve",
        value="[(0.0, 0.0), (10.0, 20.0)]", fix="from its curve or from impact, not both",
        instance=inst(lines=line(0, curve="0:0; 10:20"))),
    bad("curve-not-from-zero", file="inst.yaml", path="lines[x].curve", value="5:1; 10:20",
        fix="a curve starts at 0:0", instance=inst(lines=line(0, impact=DROP, curve="5:1; 10:20"))),
    bad("lifetime-on-a-flow", file="inst.yaml", path="kpis[gpus].lifetime", value="5",
        fix="only a stock (cumulative: true)",
        instance=inst(kpis=[{"id": "gpus", "name": "GPUs", "cumulative": False, "lifetime": 5}])),
    bad("rule-on-unknown-region", file="m.yaml", path="rules[0].region", value="busan",
        fix="no such region", load="solve", model=rule(rule="group_total", region="busan", min=1)),
    # -- capital budgeting, currencies and periods
    bad("profile-with-max", file="inst.yaml", path="lines[x].profile", value="2026",
        fix="remove max (bound the scale with min_scale and max_scale)",
        instance=inst(lines=line(0, profile={2026: 5}))),
    bad("profile-not-a-mapping", file="inst.yaml", path="lines[x].profile", value="5",
        fix="a profile is the outlay per year", instance=inst(lines=line(0, max=DROP, profile=5))),
    bad("profile-year-outside", file="inst.yaml", path="lines[x].profile.2031", value="2031",
        fix="outside the instance's years",
        instance=inst(lines=line(0, max=DROP, profile={2026: 5, 2031: -9}))),
    bad("scale-on-go-no-go-project", file="inst.yaml", path="lines[x].max_scale", value="2",
        fix="taken whole or not at all",
        instance=inst(lines=line(0, max=DROP, profile={2026: 5}, select=True, max_scale=2))),
    bad("scale-without-profile", file="inst.yaml", path="lines[x].max_scale", value="2",
        fix="give profile or remove them", instance=inst(lines=line(0, max_scale=2))),
    bad("value-on-a-plain-line", file="inst.yaml", path="lines[y].value", value="5",
        fix="give the line select: true or a profile", instance=inst(lines=line(1, value=5))),
    bad("return-with-no-lag", file="inst.yaml", path="lines[x].returns.0", value="0",
        fix="1 or more periods after", instance=inst(lines=line(0, returns={0: 1.5}))),
    bad("cash-and-carryover", file="inst.yaml", path="cash", value="carry",
        fix="in cash.carry or in carryover, not both",
        instance=inst(cash={"rate": 0.05}, carryover=10)),
    bad("korean-unit-in-dollars", file="inst.yaml", path="budget", value="9.9조",
        fix='a string such as "$1.5m"', instance=inst(currency_unit="m_usd", budget="9.9조")),
    bad("periods-mixed-with-years", file="inst.yaml", path="years", value="[0, 2026]",
        fix="or periods from 0 to 200, such as [0, 1, 2] (not both)",
        instance=inst(years=[0, 2026])),
    bad("cardinality-without-a-bound", file="m.yaml", path="rules[0]", value="cardinality",
        fix="needs min, max or exactly", load="model", model=rule(rule="cardinality", group="g")),
    bad("implies-on-a-line-that-is-not-go-no-go", file="m.yaml", path="rules[0].if", value="x",
        fix="no such go/no-go line (select: true)", load="solve",
        model=rule(rule="implies", **{"if": "x", "then": "not y"})),
    bad("relation-year-outside-the-horizon", file="m.yaml", path="rules[0].expr",
        value="x[2031] >= 1.1 * x[2027]", fix="x[2031] names a year outside the instance's years",
        load="solve", model=rule(rule="relation", expr="x[2031] >= 1.1 * x[2027]")),
    bad("line-uses-an-unknown-resource", file="inst.yaml", path="lines[x].uses.staf",
        value="staf", fix="no such resource; did you mean 'staff'?",
        instance=inst(resources=[{"id": "staff", "name": "Staff", "limit": 5}],
                      lines=line(0, uses={"staf": 1}))),
    bad("needs-on-a-line-that-is-not-a-project", file="inst.yaml", path="lines[x].needs",
        value="staff", fix="give the line select: true or a profile",
        instance=inst(resources=[{"id": "staff", "name": "Staff", "limit": 5}],
                      lines=line(0, needs={"staff": 1}))),
    bad("growth-of-an-unknown-name", file="m.yaml", path="rules[0].of", value="rdn",
        fix="no such pillar, line group, line or region", load="solve",
        model=rule(rule="growth", of="rdn", max=0.1)),
]
# fmt: on


def write_case(folder: Path, case: Bad) -> Path:
    """Write the case's files into `folder` (created); the instance file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {case.instance_file: case.instance, "m.yaml": case.model, **case.extra}
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if content is FIFO:
            os.mkfifo(target)
        elif isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder / case.instance_file


def load_case(case: Bad, folder: Path) -> None:
    """Load (or solve) the case the way it says."""
    path = write_case(folder, case)
    if case.load == "instance":
        allocator.load_instance(path)
    elif case.load == "model":
        allocator.load_model(folder / "m.yaml")
    else:
        allocator.solve(allocator.load_instance(path))


def the_issue(case: Bad, folder: Path, error: InputError) -> Issue:
    """The issue the case must raise, found in `error` by its file and path."""
    file = str(folder / case.file)
    found = [i for i in error.issues if i.file == file and i.path == case.path]
    assert found, f"no issue at {file}: {case.path!r} in\n{error}"
    return found[0]
