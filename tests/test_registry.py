"""Every registered rule and objective has its formula in docs/rules.md and a test that binds it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from allocator.build import CORE_RULES, OBJECTIVES, POLICY_RULES
from allocator.schema import RULE_KINDS

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted({*CORE_RULES, *POLICY_RULES, *OBJECTIVES})


def test_every_rule_kind_has_exactly_one_builder() -> None:
    assert set(RULE_KINDS) == set(POLICY_RULES)


@pytest.mark.parametrize("name", NAMES)
def test_rule_is_documented(name: str) -> None:
    docs = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert f"### `{name}`" in docs


@pytest.mark.parametrize("name", NAMES)
def test_rule_has_a_binding_test(name: str) -> None:
    tests = (ROOT / "tests" / "test_rules.py").read_text(encoding="utf-8")
    assert re.search(rf"def test_\w*{name}\w*\(", tests), f"no test in test_rules.py names {name}"
