"""Every registered rule and objective documents its formula in its builder's docstring (the docs'
rule pages are generated from it) and has a test that binds it."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from allocator import Instance, ModelSpec
from allocator.formulation import CORE_RULES, OBJECTIVES, POLICY_RULES, Formulation, build
from allocator.formulation.ruledoc import RuleDoc, RuleDocError, parse, rule_docs
from allocator.schema import RULE_KINDS
from tests.helpers import tiny

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted({*CORE_RULES, *POLICY_RULES, *OBJECTIVES})
REGISTERED = [
    *(("core", n, f) for n, f in CORE_RULES.items()),
    *(("policy", n, f) for n, f in POLICY_RULES.items()),
    *(("objective", n, f) for n, f in OBJECTIVES.items()),
]


def test_every_rule_kind_has_exactly_one_builder() -> None:
    assert set(RULE_KINDS) == set(POLICY_RULES)


@pytest.mark.parametrize(("kind", "name", "fn"), REGISTERED, ids=[n for _, n, _ in REGISTERED])
def test_rule_documents_its_formula(kind: str, name: str, fn: Callable[..., Any]) -> None:
    doc = parse(kind, name, fn)  # type: ignore[arg-type]
    assert doc.formula
    assert doc.summary.endswith(".")
    if kind != "objective":
        assert doc.constraints, f"{name}: name the constraints it emits"


def test_rule_docs_cover_the_registry() -> None:
    assert sorted({d.name for d in rule_docs()}) == NAMES


def _undocumented(b: object) -> None:
    """Caps the money."""


def _no_names(b: object) -> None:
    r"""Caps the money.

    $$\sum_l g_l \le B$$
    """


def _two_formulas(b: object) -> None:
    r"""Caps the money.

    $$\sum_l g_l \le B$$

    $$g \ge 0$$

    Name: `cap[2026]`.
    """


def _long_summary(b: object) -> None:
    r"""Caps the money
    in two lines.

    $$\sum_l g_l \le B$$

    Name: `cap[2026]`.
    """


@pytest.mark.parametrize(
    ("fn", "says"),
    [
        (_undocumented, "$$formula$$"),
        (_no_names, "constraint names"),
        (_two_formulas, "one $$formula$$"),
        (_long_summary, "one line"),
    ],
)
def test_a_rule_without_its_formula_is_refused(fn: Callable[..., Any], says: str) -> None:
    with pytest.raises(RuleDocError, match=re.escape(says)):
        parse("core", "cap", fn)


def test_an_objective_needs_no_constraint_names() -> None:
    assert parse("objective", "cap", _no_names).constraints == ()


@pytest.mark.parametrize("name", NAMES)
def test_rule_has_a_binding_test(name: str) -> None:
    tests = (ROOT / "tests" / "test_rules.py").read_text(encoding="utf-8")
    assert re.search(rf"def test_\w*{name}\w*\(", tests), f"no test in test_rules.py names {name}"


def _select(i: int, **more: Any) -> dict[str, Any]:
    line = {"id": f"s{i}", "name": f"S{i}", "pillar": "b", "impact": 1, "max": 20, "select": True}
    return {**line, "groups": ["g"], **more}


EVERY_FEATURE = tiny(
    years=[2026, 2027],
    private_pool=50,
    cash={"carry": 10, "rate": 0.05, "borrow": 5, "borrow_rate": 0.1},
    regions=[{"id": "r", "name": "R"}],
    resources=[{"id": "staff", "name": "Staff", "unit": "staff-years", "limit": 50}],
    funds=[
        {
            "id": "f",
            "name": "F",
            "seed": ["x"],
            "lines": ["x", "s1"],
            "leverage": 2,
            "min_leverage": 0.1,
            "cap": 30,
            "total_cap": 50,
            "total_min": 1,
            "line_caps": {"s1": 20},
        }
    ],
    kpis=[{"id": "k", "name": "K", "unit": "u", "additions": {2026: 1}}],
    targets=[
        {"kpi": "k", "year": 2027, "value": 10},
        {"kpi": "k", "year": 2026, "value": 50, "at_most": True},
    ],
    lines=[
        {
            "id": "x",
            "name": "X",
            "pillar": "a",
            "impact": 3,
            "min": 5,
            "max": 80,
            "leverage": 1,
            "total_max": 150,
        },
        {"id": "n", "name": "N", "pillar": "a", "integer": True, "unit_cost": 5, "new": True},
        {
            "id": "t",
            "name": "T",
            "pillar": "a",
            "integer": True,
            "unit_cost": 5,
            "span": 2,
            "max_starts": 3,
        },
        {"id": "c", "name": "C", "pillar": "b", "curve": "0:0; 10:30; 20:35", "region": "r"},
        {"id": "h", "name": "H", "pillar": "b", "curve": "0:0; 10:5; 20:40"},
        {"id": "d", "name": "D", "pillar": "b", "schedule": {2026: 5, 2027: 5}},
        {
            "id": "p",
            "name": "P",
            "pillar": "b",
            "profile": {2026: 4, 2027: -5},
            "value": 2,
            "min_scale": 0.1,
            "needs": {"staff": 1},
        },
        {
            "id": "q",
            "name": "Q",
            "pillar": "b",
            "max": 5,
            "returns": {1: 1.1},
            "uses": {"staff": 2},
        },
        _select(1, requires=["s2"], requires_any=["s2", "s3"], yields={"k": 1}),
        _select(3),
        _select(2),
    ],
)
EVERY_RULE = {
    "name": "all",
    "rules": [
        {"rule": "pillar_share", "pillar": "a", "min": 0.1, "max": 0.9},
        {"rule": "new_initiative_share", "min": 0.1},
        {"rule": "ramp", "max_change": 0.5},
        {"rule": "cardinality", "group": "g", "min": 1, "max": 2},
        {"rule": "implies", "if": "s2", "then": "not s1", "both_ways": True},
        {"rule": "growth", "of": "pillar:a", "max": 0.5, "min": -0.5},
        {"rule": "exclusive", "group": "g"},
        {"rule": "group_total", "region": "r", "min": 1, "max": 30},
        {"rule": "group_total", "group": "g", "min_share": 0.01, "max_share": 0.9},
        {"rule": "relation", "expr": "a >= 0.1 * b"},
    ],
}


def _families_by_rule() -> dict[str, set[str]]:
    """The constraint families each core and policy rule emits on an instance with every feature
    (each registered builder watched while `build` runs)."""
    out: dict[str, set[str]] = defaultdict(set)

    def watch(name: str, fn: Callable[..., None]) -> Callable[..., None]:
        def watched(b: Formulation, *rule: Any) -> None:
            blocks, constants = len(b.row_blocks), len(b.constants)
            fn(b, *rule)
            out[name] |= {x.family for x in b.row_blocks[blocks:]}
            out[name] |= {c.name.partition("[")[0] for c in b.constants[constants:]}

        return watched

    with pytest.MonkeyPatch.context() as patch:
        tables: list[dict[str, Any]] = [CORE_RULES, POLICY_RULES]
        for table in tables:
            for name, fn in list(table.items()):
                patch.setitem(table, name, watch(name, fn))
        build(Instance.model_validate(EVERY_FEATURE), ModelSpec.model_validate(EVERY_RULE))
    return dict(out)


FAMILIES = _families_by_rule()
RULES = [d for d in rule_docs() if d.kind != "objective"]


@pytest.mark.parametrize("doc", RULES, ids=lambda d: d.name)
def test_documented_constraint_names_are_the_ones_built(doc: RuleDoc) -> None:
    emitted = FAMILIES.get(doc.name, set())
    if not emitted:
        pytest.skip(f"EVERY_FEATURE does not exercise {doc.name}; extend it")
    documented = {c.partition("[")[0] for c in doc.constraints}
    assert documented == emitted, f"{doc.name}: docstring names {documented}, builds {emitted}"
