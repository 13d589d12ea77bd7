"""Every registered rule and objective documents its formula in its builder's docstring (the docs'
rule pages are generated from it) and has a test that binds it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from allocator.build import CORE_RULES, OBJECTIVES, POLICY_RULES
from allocator.build.ruledoc import RuleDocError, parse, rule_docs
from allocator.schema import RULE_KINDS

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
